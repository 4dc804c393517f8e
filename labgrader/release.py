"""The student version of a lab, and the check that nothing secret leaked into it.

Markers in the source notebook (code cells; the markers may be indented)::

    # BEGIN SOLUTION [optional hint shown to the student]
    ...solution lines...
    # END SOLUTION

become one line ``raise NotImplementedError("q1: <hint>")`` at the marker's
indentation (``q1`` comes from the cell's ``exercise:q1`` tag).
``# BEGIN HIDDEN`` / ``# END HIDDEN`` blocks, and cells tagged ``hidden``,
are removed. In markdown cells ``<!-- BEGIN SOLUTION -->`` /
``<!-- END SOLUTION -->`` become *Write your answer here.*

:func:`release_lab` writes the notebook (outputs cleared, nbformat-valid),
``public_tests.py``, ``drivers.py`` (if any), the data files and a
``labcheck.py`` holding the lab's exercises and forbidden functions; then
:func:`find_leaks` scans every written file for every non-trivial line of
every solution or hidden block and for every hidden test's name, and the
release fails if it finds one.
"""

from __future__ import annotations

import ast
import html
import json
import pprint
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat

from labgrader.lab import LabError

BEGIN_MARKER = re.compile(r"^(\s*)#\s*BEGIN (SOLUTION|HIDDEN)\b[ \t]*(.*?)\s*$")
END_MARKER = re.compile(r"^\s*#\s*END (SOLUTION|HIDDEN)\s*$")
_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)\s*\(")
_MD_BEGIN = re.compile(r"^\s*<!--\s*BEGIN SOLUTION\s*-->\s*$")
_MD_END = re.compile(r"^\s*<!--\s*END SOLUTION\s*-->\s*$")
MD_PLACEHOLDER = "*Write your answer here.*"
LABCHECK_CONFIG_LINE = "LAB = None  # filled in by `labgrader release`"
MIN_SECRET_CHARS = 8


class LeakError(LabError):
    """The release would contain solution code or hidden tests."""


@dataclass
class Release:
    """What :func:`release_lab` wrote."""

    lab_id: str
    folder: Path
    files: list
    secrets_checked: int


def exercise_of(cell):
    """The exercise id from a cell's ``exercise:<id>`` tag, or ``None``."""
    for tag in cell.get("metadata", {}).get("tags", []):
        if isinstance(tag, str) and tag.startswith("exercise:"):
            return tag.split(":", 1)[1]
    return None


def strip_code(source, exercise=None, where="cell"):
    """Return ``(student_source, secret_lines)`` for one code cell's source."""
    out, secrets, block = [], [], None
    for number, line in enumerate(source.splitlines(), start=1):
        begin, end = BEGIN_MARKER.match(line), END_MARKER.match(line)
        if begin:
            if block:
                raise LabError(f"{where}, line {number}: BEGIN {begin.group(2)} inside an "
                               f"open {block} block")
            block = begin.group(2)
            if block == "SOLUTION":
                hint = begin.group(3) or _default_hint(out, begin.group(1))
                message = f"{exercise}: {hint}" if exercise else hint
                out.append(f"{begin.group(1)}raise NotImplementedError({json.dumps(message)})")
        elif end:
            if block != end.group(1):
                raise LabError(f"{where}, line {number}: END {end.group(1)} without a matching "
                               "BEGIN")
            block = None
        elif block:
            secrets.append(line)
        else:
            out.append(line)
    if block:
        raise LabError(f"{where}: BEGIN {block} is never closed")
    return "\n".join(out), secrets


def _default_hint(previous, indent):
    """``implement <function>`` for the function around the marker, else a generic hint."""
    for line in reversed(previous):
        match = _DEF.match(line)
        if match and len(match.group(1)) < len(indent):
            return f"implement {match.group(2)}"
    return "write your code here"


def strip_markdown(source, where="cell"):
    """Replace markdown solution blocks with a placeholder."""
    out, secrets, inside = [], [], False
    for line in source.splitlines():
        if _MD_BEGIN.match(line):
            if inside:
                raise LabError(f"{where}: nested BEGIN SOLUTION")
            inside = True
            out.append(MD_PLACEHOLDER)
        elif _MD_END.match(line):
            inside = False
        elif inside:
            secrets.append(line)
        else:
            out.append(line)
    if inside:
        raise LabError(f"{where}: BEGIN SOLUTION is never closed")
    return "\n".join(out), secrets


def student_notebook(nb):
    """Return ``(student_nb, secret_lines)`` for a source notebook (nbformat node)."""
    student = nbformat.v4.new_notebook(metadata=_clean_meta(nb.metadata))
    secrets = []
    for position, cell in enumerate(nb.cells, start=1):
        where = f"cell {position}"
        tags = cell.get("metadata", {}).get("tags", [])
        if "hidden" in tags:
            secrets.extend(cell.source.splitlines())
            continue
        if cell.cell_type == "code":
            source, found = strip_code(cell.source, exercise_of(cell), where)
            new = nbformat.v4.new_code_cell(source)
        elif cell.cell_type == "markdown":
            source, found = strip_markdown(cell.source, where)
            new = nbformat.v4.new_markdown_cell(source)
        else:
            source, found = cell.source, []
            new = nbformat.v4.new_raw_cell(source)
        secrets.extend(found)
        if found and not source.strip():
            continue
        if tags:
            new.metadata["tags"] = list(tags)
        student.cells.append(new)
    return student, secrets


def solve_code(source, markers=None):
    """A code cell as a perfect student hands it in: solution lines kept, markers and
    ``HIDDEN`` blocks gone. ``markers=(begin, end)`` writes those lines, at the
    markers' indentation, in place of the solution markers (another grader's syntax)."""
    out, block = [], None
    for line in source.splitlines():
        begin, end = BEGIN_MARKER.match(line), END_MARKER.match(line)
        if begin or end:
            kind = begin.group(2) if begin else block
            if markers and kind == "SOLUTION":
                indent = line[:len(line) - len(line.lstrip())]
                out.append(indent + markers[0 if begin else 1])
            block = kind if begin else None
        elif block != "HIDDEN":
            out.append(line)
    return "\n".join(out)


def solved_notebook(nb, unsolved=()):
    """The submission of a student who solved every exercise but those in ``unsolved``.

    The source notebook without hidden cells, ``HIDDEN`` blocks, solution markers or
    outputs; the code cells of an exercise in ``unsolved`` are left as released (their
    solution blocks replaced by the student stubs). What a perfect student submits, and
    what ``labgrader validate`` and the grading benchmark grade.
    """
    out = nbformat.v4.new_notebook(metadata=_clean_meta(nb.metadata))
    for cell in nb.cells:
        if "hidden" in cell.get("metadata", {}).get("tags", []):
            continue
        new = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            exercise = exercise_of(cell)
            new.source = (strip_code(cell.source, exercise)[0] if exercise in unsolved
                          else solve_code(cell.source))
            new.outputs, new.execution_count = [], None
        out.cells.append(new)
    return out


def with_exercise_stubbed(nb, exercise):
    """A submission that solves every exercise but ``exercise``, left as released:
    graded, it must lose exactly that exercise's points (``labgrader validate``)."""
    return solved_notebook(nb, unsolved={exercise})


def _clean_meta(meta):
    keep = ("kernelspec", "language_info")
    return {k: meta[k] for k in keep if k in meta}


# ---------------------------------------------------------------- leak check


def _norm(line):
    """A line without white space or Markdown backticks (HTML renders them as tags)."""
    return "".join(line.split()).replace("`", "")


def significant(secret_lines):
    """The secret lines worth scanning for: long enough, not comments, not imports.

    Nothing else is excluded (in particular not lines that happen to appear in
    the student notebook: that would hide exactly the leak this looks for).
    """
    out = set()
    for line in secret_lines:
        norm, text = _norm(line), line.strip()
        boring = text.startswith(("#", "import ", "from ")) or len(norm) < MIN_SECRET_CHARS
        if not boring:
            out.add(norm)
    return sorted(out)


def hidden_test_names(lab):
    """``def test_...`` names defined in the hidden tests."""
    names = set()
    for path in lab.hidden_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names |= {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)
                  and n.name.startswith("test_")}
    return sorted(names)


def find_leaks(folder, secrets, hidden_names, forbidden_files=("INSTRUCTOR.md",)):
    """Return a list of ``"file: what"`` strings; empty means nothing leaked."""
    leaks = []
    folder = Path(folder)
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder)
        if path.name in forbidden_files or "hidden_tests" in rel.parts:
            leaks.append(f"{rel}: this file must not be released")
            continue
        if "_static" in rel.parts:  # a built site's theme and MathJax: nothing of ours
            continue
        lines = _text_lines(path)
        whole = "\n".join(_norm(line) for _, line in lines)
        candidates = [s for s in secrets if s in whole]  # one search per secret per file
        names = [n for n in hidden_names if n in whole]
        if not candidates and not names:
            continue
        for number, line in lines:
            norm = _norm(line)
            for secret in candidates:
                exact = len(secret) < 2 * MIN_SECRET_CHARS
                if (norm == secret) if exact else (secret in norm):
                    leaks.append(f"{rel}, line {number}: solution/hidden code {line.strip()!r}")
            for name in names:
                if re.search(rf"\b{re.escape(name)}\b", line):
                    leaks.append(f"{rel}, line {number}: hidden test name {name!r}")
    return leaks


def _text_lines(path):
    try:
        text = path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return []
    if path.suffix in (".html", ".htm"):  # highlighted code: drop the tags, decode entities
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    if path.suffix == ".ipynb":
        try:
            nb = json.loads(text)
        except ValueError:
            return list(enumerate(text.splitlines(), start=1))
        lines = []
        for cell in nb.get("cells", []):
            source = cell.get("source", "")
            lines += ("".join(source) if isinstance(source, list) else source).splitlines()
            for output in cell.get("outputs", []):
                lines += json.dumps(output).split("\\n")
        return list(enumerate(lines, start=1))
    return list(enumerate(text.splitlines(), start=1))


def lab_secrets(lab):
    """``(secret lines, hidden test names)`` of a lab, for :func:`find_leaks`."""
    _, secret_lines = student_notebook(nbformat.read(lab.notebook, as_version=4))
    return significant(secret_lines), hidden_test_names(lab)


def public_lines(paths):
    """Normalised lines of files that are public anyway (book pages, other labs' releases)."""
    lines = set()
    for root in paths:
        root = Path(root)
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for path in files:
            lines |= {_norm(line) for _, line in _text_lines(path)}
    return lines


def scan(lab, folder, public=()):
    """Leaks of ``lab`` anywhere under ``folder`` (a release, a built book).

    ``public`` names files or folders that are published independently of this
    lab's solution (the book's own pages, the student versions of the labs, each
    checked for leaks when it was released): a solution line that also stands
    there verbatim, such as ``for _ in range(n):``, reveals nothing, so it is not
    searched for.
    """
    secrets, names = lab_secrets(lab)
    known = "\n".join(public_lines(public))  # one string: `in` is then one fast search
    secrets = [s for s in secrets if s not in known]
    return find_leaks(folder, secrets, names, forbidden_files=("INSTRUCTOR.md",))


# ---------------------------------------------------------------- release


def labcheck_source(lab):
    """The standalone self-check module with this lab's configuration filled in."""
    template = (Path(__file__).parent / "labcheck.py").read_text(encoding="utf-8")
    config = {
        "id": lab.id,
        "title": lab.title,
        "exercises": {ex.id: {"title": ex.title, "functions": list(ex.functions)}
                      for ex in lab.exercises},
        "forbidden": list(lab.forbidden),
    }
    if LABCHECK_CONFIG_LINE not in template:
        raise LabError("labgrader/labcheck.py lost its configuration line")
    literal = "LAB = " + pprint.pformat(config, width=88, sort_dicts=False)
    return template.replace(LABCHECK_CONFIG_LINE, literal)


def release_lab(lab, out_dir):
    """Write the student version of ``lab`` to ``out_dir/<lab.id>/``; return a :class:`Release`.

    Raises :class:`LeakError` (after deleting the folder) if any solution
    line or hidden test would be released.
    """
    folder = Path(out_dir) / lab.id
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    source_nb = nbformat.read(lab.notebook, as_version=4)
    student, secret_lines = student_notebook(source_nb)
    nbformat.validate(student)
    nbformat.write(student, folder / lab.notebook.name)
    shutil.copy2(lab.public_tests, folder / "public_tests.py")
    if lab.drivers:
        shutil.copy2(lab.drivers, folder / "drivers.py")
    for name in lab.data_files:
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(lab.root / name, folder / name)
    (folder / "labcheck.py").write_text(labcheck_source(lab), encoding="utf-8")

    secrets = significant(secret_lines)
    leaks = find_leaks(folder, secrets, hidden_test_names(lab))
    if leaks:
        shutil.rmtree(folder)
        raise LeakError(f"release of {lab.id} stopped, it would leak:\n  " + "\n  ".join(leaks))
    files = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    return Release(lab.id, folder, files, len(secrets))
