"""Sphinx extension: launch buttons driven by one setting.

Set ``BOOK_REPO_URL`` (for example ``https://github.com/<org>/<repo>``) when
building, e.g. ``make book BOOK_REPO_URL=...``, and every notebook page gets
Binder and Colab launch buttons and a repository link, with ``BOOK_REPO_BRANCH``
(default ``main``). Unset, there are no launch buttons at all: the book makes
no promise it cannot keep, and the offline site links nowhere.
"""

import os


def _configure(app, config):
    url = os.environ.get("BOOK_REPO_URL", "").strip().rstrip("/")
    if not url:
        return
    options = dict(config.html_theme_options or {})
    options.update(
        repository_url=url,
        repository_branch=os.environ.get("BOOK_REPO_BRANCH", "main"),
        path_to_docs="book",
        use_repository_button=True,
        launch_buttons={
            "binderhub_url": "https://mybinder.org",
            "colab_url": "https://colab.research.google.com",
            "notebook_interface": "classic",
        },
    )
    config.html_theme_options = options


def setup(app):
    app.connect("config-inited", _configure, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
