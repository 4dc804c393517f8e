"""Check a lab end to end before students see it.

:func:`validate_lab` releases the lab to a temporary folder (which runs the
leak check), executes the source notebook top to bottom in a Jupyter kernel
next to the released ``labcheck.py`` (every self-check must pass, within a
time budget), then grades the solution notebook and the released student
notebook through the same code path as ``labgrader grade``: the solution must
get full marks with no failing cell, the student version zero on every hidden
test, and each exercise's hidden-test points must add up to its points in
``lab.toml``.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from labgrader.lab import LabError


@dataclass
class Validation:
    """The outcome of :func:`validate_lab`: a list of named checks."""

    lab_id: str
    checks: list = field(default_factory=list)
    seconds: dict = field(default_factory=dict)

    @property
    def ok(self):
        return all(ok for _, ok, _ in self.checks)

    def add(self, name, ok, detail=""):
        self.checks.append((name, bool(ok), detail))
        return ok

    def text(self):
        lines = [f"{self.lab_id}: {'OK' if self.ok else 'FAILED'}"]
        lines += [f"  {'ok  ' if ok else 'FAIL'} {name}" + (f": {detail}" if detail else "")
                  for name, ok, detail in self.checks]
        lines += [f"  time {k}: {v:.1f} s" for k, v in self.seconds.items()]
        return "\n".join(lines)

    def as_dict(self):
        return {"lab": self.lab_id, "ok": self.ok, "seconds": self.seconds,
                "checks": [{"name": n, "ok": ok, "detail": d} for n, ok, d in self.checks]}


_CPU_PROBE = ("import resource as _r\n_u = _r.getrusage(_r.RUSAGE_SELF)\n"
              "print('labgrader-cpu-seconds', _u.ru_utime + _u.ru_stime)")


def execute_notebook(path, cwd, timeout):
    """Run a notebook in a fresh kernel; return (wall seconds, kernel CPU seconds, stream texts).

    The CPU time (read by one extra cell at the end) measures the notebook's own cost,
    which, unlike the wall time, does not grow when the machine is busy.
    """
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(_CPU_PROBE))
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(cwd)}})
    start = time.perf_counter()
    client.execute()
    seconds = time.perf_counter() - start
    probe = "".join(out.get("text", "") for out in nb.cells.pop().get("outputs", []))
    cpu = float(probe.split()[-1]) if "labgrader-cpu-seconds" in probe else seconds
    texts = [out.get("text", "") for cell in nb.cells if cell.cell_type == "code"
             for out in cell.get("outputs", []) if out.get("output_type") == "stream"]
    return seconds, cpu, texts


def validate_lab(lab, execute=True, max_seconds=30.0):
    """Run every check on ``lab``; return a :class:`Validation`."""
    from labgrader.grade import grade
    from labgrader.release import release_lab, with_exercise_stubbed

    v = Validation(lab.id)
    with tempfile.TemporaryDirectory(prefix="labgrader-validate-") as tmp:
        tmp = Path(tmp)
        try:
            released = release_lab(lab, tmp / "student")
        except LabError as exc:
            v.add("release without leaks", False, str(exc))
            return v
        v.add("release without leaks", True, f"{released.secrets_checked} solution lines checked")
        student_nb = released.folder / lab.notebook.name
        if execute:
            _check_execution(v, lab, released.folder, tmp / "run", max_seconds)
        subs = tmp / "submissions"
        subs.mkdir()
        shutil.copy2(lab.notebook, subs / "solution.ipynb")
        shutil.copy2(student_nb, subs / "student.ipynb")
        last = lab.exercises[-1]
        nbformat.write(with_exercise_stubbed(nbformat.read(lab.notebook, as_version=4), last.id),
                       subs / "one_wrong.ipynb")
        start = time.perf_counter()
        grade(lab, [subs], tmp / "grades", jobs=2, progress=False)
        v.seconds["grading 3 notebooks"] = time.perf_counter() - start
        from labgrader.gradebook import Gradebook

        with Gradebook(tmp / "grades" / "gradebook.sqlite") as book:
            solution = book.current(lab.id, "solution")
            student = book.current(lab.id, "student")
            one_wrong = book.current(lab.id, "one_wrong")
            solution_result = book.current_grades(lab.id)
        results = {g["submission"]: g["result"] for g in solution_result}
        _check_solution(v, lab, solution, results["solution"])
        _check_student(v, student, results["student"])
        expected = solution["max_score"] - last.points
        v.add(f"leaving only {last.id} unsolved loses exactly its {last.points:g} points",
              one_wrong["score"] == expected,
              f"{one_wrong['score']:g} / {one_wrong['max_score']:g}, expected {expected:g}")
    return v


def _check_execution(v, lab, released, run_dir, max_seconds):
    shutil.copytree(released, run_dir)
    target = run_dir / lab.notebook.name
    shutil.copy2(lab.notebook, target)
    try:
        seconds, cpu, texts = execute_notebook(target, run_dir,
                                               timeout=max(120.0, 4 * max_seconds))
    except Exception as exc:  # noqa: BLE001 - any kernel error is a failed check
        v.add("solution notebook runs top to bottom", False, f"{type(exc).__name__}: "
              + str(exc)[-1500:])
        return
    v.seconds["solution notebook"] = seconds
    v.seconds["solution notebook (kernel CPU)"] = cpu
    v.add("solution notebook runs top to bottom", True)
    v.add(f"solution notebook needs < {max_seconds:g} s", cpu < max_seconds,
          f"{cpu:.1f} s of kernel CPU time, {seconds:.1f} s wall")
    output = "".join(texts)
    bad = [ln.strip() for ln in output.splitlines() if ln.strip().startswith(("FAIL", "WARNING"))]
    checks = output.count("public tests passed")
    v.add("every self-check passes on the solution", checks > 0 and not bad,
          f"{checks} check() summaries" + (f"; {bad[:3]}" if bad else ""))


def _check_solution(v, lab, row, result):
    v.add("solution notebook gets full marks", row["score"] == row["max_score"] > 0
          and row["status"] == "ok",
          f"{row['score']:g} / {row['max_score']:g} ({row['status']}) "
          + "; ".join(f"{t['name']}: {t['student_message']}" for t in result["tests"]
                      if t["outcome"] != "passed")[:1500])
    failing = [c for c in result["cells"] if c["status"] != "ok"]
    v.add("no cell of the solution fails when graded", not failing,
          "; ".join(f"cell {c['index']}: {c['error']}" for c in failing)[:1500])
    hidden = [t for t in result["tests"] if t["visibility"] == "hidden"]
    for ex in lab.exercises:
        total = sum(t["max_points"] for t in hidden if t["exercise"] == ex.id)
        v.add(f"{ex.id}: hidden tests add up to {ex.points:g} points", total == ex.points,
              f"{total:g}")
    ids = {e.id for e in lab.exercises}
    strays = sorted({t["name"] for t in hidden if t["exercise"] not in ids})
    v.add("every hidden test belongs to an exercise", not strays, ", ".join(strays))


def _check_student(v, row, result):
    hidden = [t for t in result["tests"] if t["visibility"] == "hidden"]
    passing = [t["name"] for t in hidden if t["points"] > 0 or t["outcome"] == "passed"]
    v.add("student version scores zero on every hidden test", row["score"] == 0 and not passing,
          ", ".join(passing))
