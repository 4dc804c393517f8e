"""Book pages point to the labs that exist, under the titles the labs have.

A page's *Practice* section names the lab of its topic. The name must be a link
to the lab's released page (so a renamed or removed lab breaks the build) and
its text the lab's title in ``lab.toml`` (so a page cannot drift to a title no
lab has).
"""

import re
from pathlib import Path

import nbformat
import pytest
import tomllib

REPO = Path(__file__).resolve().parents[1]
PAGES = sorted((REPO / "book").glob("[!_]*/*.ipynb"))
LABS = {p.parent.name: tomllib.loads(p.read_text())["title"]
        for p in (REPO / "labs").glob("*/lab.toml")}
LAB_LINK = re.compile(r"\{doc\}`([^`<]+?)\s*<\.\./hands-on/labs/([\w-]+)/([\w-]+)>`")


def practice_section(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == "markdown" and "## Practice" in cell.source:
            text = cell.source.split("## Practice", 1)[1]
            return text.split("\n## ", 1)[0]
    return None


@pytest.mark.parametrize("path", PAGES, ids=[f"{p.parent.name}/{p.stem}" for p in PAGES])
def test_practice_section_links_labs_by_their_titles(path):
    section = practice_section(path)
    if section is None:
        pytest.skip("no Practice section on this page")
    links = LAB_LINK.findall(section)
    assert links, f"{path.name}: the Practice section names no lab with a {{doc}} link"
    for text, folder, stem in links:
        assert folder == stem and folder in LABS, f"{path.name}: no lab {folder!r}"
        assert " ".join(text.split()) == LABS[folder], (
            f"{path.name}: the link text {text!r} is not the lab's title {LABS[folder]!r}")
    # no lab named in italics instead of linked
    assert not re.search(r"\blab\s+\*[^*]+\*", section), f"{path.name}: an unlinked lab title"


def test_every_lab_is_linked_from_some_page():
    linked = {folder for path in PAGES for _, folder, _ in
              LAB_LINK.findall(practice_section(path) or "")}
    assert linked == set(LABS)
