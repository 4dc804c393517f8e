"""The book's two small Sphinx extensions, tested without a full build."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from sphinx.ext.napoleon import Config, NumpyDocstring

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "book" / "_ext"))
import launch_buttons  # noqa: E402
import normlib_api  # noqa: E402

DOC = """Soft thresholding.

Parameters
----------
v : array, ``numpy`` or ``torch``
k : threshold :math:`k \\ge 0`

See the book, section 1.4 (``book/principles/l1_lasso.ipynb``).
""".splitlines()


def test_parameter_sentences_become_descriptions_and_closing_paragraph_survives():
    lines = list(DOC)
    normlib_api._plain_parameter_lists(None, "function", "f", None, None, lines)
    rst = str(NumpyDocstring(lines, Config(napoleon_use_param=True)))
    assert ":param v: array, ``numpy`` or ``torch``" in rst
    assert ":param k: threshold :math:`k \\ge 0`" in rst
    assert ":type" not in rst  # nothing set in italics as a type
    assert "See the book, section 1.4" in rst
    assert ":param See" not in rst


@pytest.mark.parametrize(("found", "expected"), [
    ({"principles/l1_lasso"}, ":doc:`/principles/l1_lasso`"),
    (set(), "``book/principles/l1_lasso.ipynb``"),
])
def test_book_paths_link_only_to_pages_in_the_build(found, expected):
    app = SimpleNamespace(env=SimpleNamespace(found_docs=found))
    lines = ["See (``book/principles/l1_lasso.ipynb``)."]
    normlib_api._link_book_paths(app, "function", "f", None, None, lines)
    assert lines == [f"See ({expected})."]


def test_launch_buttons_follow_one_setting(monkeypatch):
    config = SimpleNamespace(html_theme_options={"use_download_button": True})
    monkeypatch.delenv("BOOK_REPO_URL", raising=False)
    launch_buttons._configure(None, config)
    assert config.html_theme_options == {"use_download_button": True}

    monkeypatch.setenv("BOOK_REPO_URL", "https://example.org/course/")
    launch_buttons._configure(None, config)
    opts = config.html_theme_options
    assert opts["repository_url"] == "https://example.org/course"
    assert opts["launch_buttons"]["binderhub_url"]
    assert opts["launch_buttons"]["colab_url"]
    assert opts["use_download_button"] is True
