"""Reading a submitted notebook defensively: its code cells, or a clear reason why not.

A submission is untrusted bytes. :func:`read_submission` never executes
anything; it returns the code cells in order (numbered as a student counts
them, "code cell 3") with notes about what was changed, or raises
:class:`NotebookError` with a message an instructor can forward as is:
not JSON, not a notebook, nbformat 3, no ``cells`` list, too large.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass
from pathlib import Path

MAX_BYTES = 50 * 2**20
_KEEP_BODY_MAGICS = {"%%time", "%%timeit", "%%capture"}
_LINE_MAGIC = re.compile(r"^(\s*)(?:[\w., ]+=\s*)?[%!]")
_HELP = re.compile(r"^(\s*)[\w.]+\?{1,2}\s*$")


class NotebookError(ValueError):
    """The file cannot be read as a Jupyter notebook (the message says why)."""


@dataclass
class CodeCell:
    """One code cell: its number among code cells (1-based) and its source."""

    index: int
    source: str

    @property
    def first_line(self):
        lines = [ln.strip() for ln in self.source.splitlines() if ln.strip()]
        return (lines[0][:60] if lines else "(empty)")


def read_submission(path, max_bytes=MAX_BYTES):
    """Return ``(cells, notes)`` for the notebook at ``path``.

    ``cells`` is a list of :class:`CodeCell` (IPython magics and ``!shell``
    lines removed when a cell is not valid Python otherwise); ``notes`` lists,
    in plain words, every cell that was changed or skipped and why.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise NotebookError(f"the file is {size / 2**20:.1f} MB, larger than the "
                                f"{max_bytes / 2**20:.0f} MB limit (clear the outputs and save)")
        raw = path.read_bytes()
    except OSError as exc:
        raise NotebookError(f"the file cannot be read: {exc.strerror or exc}") from None
    nb = parse_notebook(raw)
    notes = []
    language = _language(nb)
    if language and language.lower() != "python":
        notes.append(f"the notebook was written for a {language} kernel; its cells were run "
                     "as Python")
    cells, count = [], 0
    for position, cell in enumerate(nb["cells"], start=1):
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            if not isinstance(cell, dict) or "cell_type" not in cell:
                notes.append(f"cell {position} is malformed and was skipped")
            continue
        count += 1
        source = _source_text(cell.get("source", ""))
        if source is None:
            notes.append(f"code cell {count} has a malformed source and was skipped")
            continue
        source, changed = strip_magics(source)
        if changed:
            notes.append(f"code cell {count}: {changed}")
        cells.append(CodeCell(count, source))
    return cells, notes


def parse_notebook(raw):
    """Parse bytes as an nbformat-4 notebook dict, or raise :class:`NotebookError`."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise NotebookError("the file is not UTF-8 text (is it a notebook at all?)") from None
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookError(f"the file is not valid JSON ({exc.msg} at line {exc.lineno}, "
                            f"column {exc.colno}); it may be damaged") from None
    except RecursionError:
        raise NotebookError("the file's JSON is nested too deeply") from None
    if not isinstance(nb, dict):
        raise NotebookError("the file is JSON but not a notebook (top level is not an object)")
    version = nb.get("nbformat")
    if version == 3 or "worksheets" in nb:
        raise NotebookError("the notebook uses the old nbformat 3; open it in Jupyter and save "
                            "it again to convert it to version 4")
    if version != 4:
        raise NotebookError(f"the file is not a Jupyter notebook (nbformat {version!r}, "
                            "expected 4)")
    if not isinstance(nb.get("cells"), list):
        raise NotebookError("the notebook has no list of cells")
    return nb


def _source_text(source):
    if isinstance(source, str):
        return source
    if isinstance(source, list) and all(isinstance(s, str) for s in source):
        return "".join(source)
    return None


def _language(nb):
    meta = nb.get("metadata")
    if not isinstance(meta, dict):
        return None
    for key, field in (("kernelspec", "language"), ("language_info", "name")):
        value = meta.get(key)
        if isinstance(value, dict) and isinstance(value.get(field), str):
            return value[field]
    return None


def _parses(source):
    try:
        ast.parse(source)
    except (SyntaxError, ValueError, MemoryError, RecursionError):
        return False
    return True


def strip_magics(source):
    """Remove IPython-only syntax from a cell that is not valid Python as written.

    Returns ``(source, note)`` where ``note`` is ``""`` when nothing changed.
    A ``%%time``-like cell magic keeps its body; any other cell magic
    (``%%bash`` ...) drops the whole cell. Line magics, ``!shell`` lines and
    ``name?`` help requests become ``pass``. Valid Python is never touched.
    """
    if _parses(source):
        return source, ""
    lines = source.splitlines()
    first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    if first is not None and lines[first].lstrip().startswith("%%"):
        magic = lines[first].split()[0]
        if magic not in _KEEP_BODY_MAGICS:
            return "", f"cell magic {magic} is not Python; the cell was skipped"
        lines[first] = ""
        source = "\n".join(lines)
        if _parses(source):
            return source, f"cell magic {magic} was removed"
    removed = []
    for i, line in enumerate(lines):
        match = _LINE_MAGIC.match(line) or _HELP.match(line)
        if match:
            removed.append(line.strip()[:40])
            lines[i] = match.group(1) + "pass"
    if not removed:
        return source, ""
    return "\n".join(lines), "removed IPython magics / shell lines: " + ", ".join(removed)
