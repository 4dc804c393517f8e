"""Progress bars for long loops, safe for notebooks that become web pages.

``tqdm.auto`` renders an ipywidgets widget inside Jupyter, and a widget needs
scripts from a CDN to display: on the offline book it would be a broken box.
:func:`progress` is plain text on standard output everywhere, so the executed
page shows the finished bar as one line of text.
"""

from __future__ import annotations

import sys

from tqdm.std import tqdm


def progress(iterable=None, *, desc=None, total=None, disable=False, **kwargs):
    """A ``tqdm`` text progress bar on ``sys.stdout`` (never a widget)."""
    kwargs.setdefault("mininterval", 1.0)
    kwargs.setdefault("ascii", True)
    return tqdm(iterable, desc=desc, total=total, disable=disable, file=sys.stdout,
                dynamic_ncols=False, ncols=80, **kwargs)
