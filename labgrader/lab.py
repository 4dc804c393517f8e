"""A lab folder and its ``lab.toml``.

Layout (see ``docs/instructor-guide.md``)::

    labs/<id>/
        lab.toml            id, title, source tags, exercises, forbidden functions
        <id>.ipynb          the source notebook, solutions between markers
        public_tests.py     test_<exercise>_<name>(student) functions, released
        drivers.py          optional: trusted helpers run in the worker, released
        hidden_tests/       test_*.py, pytest, never released
        INSTRUCTOR.md       purpose of each exercise, common mistakes, never released

:func:`load_lab` checks the folder and returns a :class:`Lab`; every problem
is a :class:`LabError` whose message names the file and the fix.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

import tomllib

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_DOTTED = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")


class LabError(ValueError):
    """The lab folder is missing, unreadable or inconsistent."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: its id (``q1``), title, points and the names students define."""

    id: str
    title: str
    points: float
    functions: tuple = ()


@dataclass(frozen=True)
class Lab:
    """A loaded lab folder (paths are absolute)."""

    root: Path
    id: str
    title: str
    source_tags: tuple
    notebook: Path
    exercises: tuple
    forbidden: tuple = ()
    data_files: tuple = ()
    timeout: float = 10.0
    cell_timeout: float = 60.0
    memory_mb: int = 2048
    extra: dict = field(default_factory=dict, compare=False)

    @property
    def public_tests(self):
        return self.root / "public_tests.py"

    @property
    def drivers(self):
        path = self.root / "drivers.py"
        return path if path.exists() else None

    @property
    def hidden_dir(self):
        return self.root / "hidden_tests"

    @property
    def instructor_notes(self):
        return self.root / "INSTRUCTOR.md"

    @property
    def max_points(self):
        return sum(ex.points for ex in self.exercises)

    def exercise(self, exercise_id):
        for ex in self.exercises:
            if ex.id == exercise_id:
                return ex
        raise KeyError(exercise_id)

    def hidden_files(self):
        return sorted(self.hidden_dir.rglob("*.py"))

    def version(self):
        """A short hash of everything that decides a grade (not the notebook's prose)."""
        digest = hashlib.sha256()
        files = [self.root / "lab.toml", self.public_tests, *self.hidden_files()]
        if self.drivers:
            files.append(self.drivers)
        for path in files:
            digest.update(str(path.relative_to(self.root)).encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
        return digest.hexdigest()[:16]


def load_lab(path):
    """Read and check the lab folder at ``path``; return a :class:`Lab`."""
    root = Path(path).resolve()
    toml_path = root / "lab.toml"
    if not root.is_dir():
        raise LabError(f"lab folder not found: {path} (expected a folder holding lab.toml)")
    if not toml_path.is_file():
        raise LabError(f"{path} is not a lab: it has no lab.toml")
    try:
        meta = tomllib.loads(toml_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise LabError(f"{toml_path} cannot be read: {exc}") from None
    return _build(root, meta)


def _require(meta, key, kind, where):
    if key not in meta:
        raise LabError(f"{where}: missing key {key!r}")
    if not isinstance(meta[key], kind):
        kind_name = kind.__name__ if isinstance(kind, type) else "number"
        raise LabError(f"{where}: {key!r} must be a {kind_name}")
    return meta[key]


def _build(root, meta):
    where = str(root / "lab.toml")
    lab_id = _require(meta, "id", str, where)
    if not _ID.match(lab_id):
        raise LabError(f"{where}: id {lab_id!r} must be lowercase letters, digits and _")
    notebook = root / meta.get("notebook", f"{lab_id}.ipynb")
    if not notebook.is_file():
        raise LabError(f"{where}: notebook {notebook.name} not found in {root}")
    exercises = tuple(_exercise(e, where) for e in _require(meta, "exercises", list, where))
    ids = [e.id for e in exercises]
    if not exercises or len(set(ids)) != len(ids):
        raise LabError(f"{where}: exercises must be a non-empty list with distinct ids")
    forbidden = tuple(meta.get("forbidden", []))
    for name in forbidden:
        if not isinstance(name, str) or not _DOTTED.match(name):
            raise LabError(f"{where}: forbidden entry {name!r} must be a dotted name "
                           "such as 'normlib.prox.soft_threshold'")
    grading = meta.get("grading", {})
    lab = Lab(
        root=root, id=lab_id, title=_require(meta, "title", str, where),
        source_tags=tuple(str(t) for t in meta.get("source_tags", [])),
        notebook=notebook, exercises=exercises, forbidden=forbidden,
        data_files=tuple(meta.get("data_files", [])),
        timeout=float(grading.get("timeout", 10.0)),
        cell_timeout=float(grading.get("cell_timeout", 60.0)),
        memory_mb=int(grading.get("memory_mb", 2048)),
        extra={k: v for k, v in meta.items() if k not in _KNOWN},
    )
    if not lab.public_tests.is_file():
        raise LabError(f"{root}: public_tests.py not found")
    if not lab.hidden_dir.is_dir() or not list(lab.hidden_dir.glob("test_*.py")):
        raise LabError(f"{root}: hidden_tests/ with test_*.py files not found")
    for name in lab.data_files:
        if not (root / name).is_file():
            raise LabError(f"{where}: data file {name!r} not found")
    return lab


_KNOWN = {"id", "title", "source_tags", "notebook", "exercises", "forbidden", "data_files",
          "grading"}


def _exercise(entry, where):
    if not isinstance(entry, dict):
        raise LabError(f"{where}: each [[exercises]] entry must be a table")
    ex_id = _require(entry, "id", str, where)
    if not _ID.match(ex_id):
        raise LabError(f"{where}: exercise id {ex_id!r} must be lowercase letters and digits")
    points = _require(entry, "points", (int, float), where)
    functions = entry.get("functions", [])
    return Exercise(ex_id, entry.get("title", ex_id), float(points), tuple(functions))
