"""Sphinx extension for the API reference of normlib.

1. Every public docstring of normlib names the book section that explains it
   as a path, e.g. ``book/principles/l1_lasso.ipynb``. Here that path becomes a
   link to the page, so the book and the library link both ways.
2. normlib's docstrings write parameters as ``name : what it is`` (a plain
   sentence rather than a numpydoc type). Before napoleon reads them, the
   sentence is moved to the description, so that it is not set in italics
   (which breaks on literals and math inside it), and a blank line closes the
   list before the paragraph that follows it, under a "Notes" header (napoleon
   would otherwise read that paragraph as more parameters).
"""

import re

_BOOK_PATH = re.compile(r"``book/((?:principles|applications|hands-on)/[\w-]+)\.(?:ipynb|md)``")
_SECTIONS = ("Parameters", "Other Parameters", "Attributes", "Yields", "Raises")
_PARAM = re.compile(r"^(\*{0,2}[A-Za-z_][\w, *]*?) : (.+)$")


def _link_book_paths(app, what, name, obj, options, lines):
    """Turn a book path into a link when that page is part of this build."""

    def link(match):
        doc = match.group(1)
        return f":doc:`/{doc}`" if doc in app.env.found_docs else match.group(0)

    for i, line in enumerate(lines):
        lines[i] = _BOOK_PATH.sub(link, line)


def _plain_parameter_lists(app, what, name, obj, options, lines):
    out, in_section = [], False
    for i, line in enumerate(lines):
        underline = i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}
        if line.strip() in _SECTIONS and underline:
            in_section = True
            out.append(line)
            continue
        if in_section and line and not line[0].isspace() and set(line.strip()) != {"-"}:
            match = _PARAM.match(line)
            if match:
                out += [match.group(1), "    " + match.group(2)]
                continue
            if line.strip() and not (i + 1 < len(lines) and set(lines[i + 1].strip()) == {"-"}):
                # napoleon reads everything up to the next header as parameters:
                # give the closing paragraph a header of its own.
                if out and out[-1].strip():
                    out.append("")
                out += ["Notes", "-----"]
                in_section = False
        elif in_section and not line.strip():
            pass
        out.append(line)
    lines[:] = out


def setup(app):
    app.connect("autodoc-process-docstring", _plain_parameter_lists, priority=400)
    app.connect("autodoc-process-docstring", _link_book_paths)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
