"""An nbgrader assignment equivalent to a labgrader lab: the same notebook, the same hidden tests.

The grading benchmark (``bench_grading.py``) grades the same solution with
``labgrader grade`` and with ``nbgrader autograde``. For the comparison to be
fair, the nbgrader assignment is built from the lab itself:

* the notebook: the lab's source notebook without its hidden cells and
  ``HIDDEN`` blocks; each code cell with ``BEGIN SOLUTION`` markers becomes an
  nbgrader solution cell, its markers rewritten as nbgrader's
  ``### BEGIN SOLUTION`` / ``### END SOLUTION``;
* the tests: each hidden pytest test of the lab becomes one autograded test cell
  worth the test's points (so the totals agree), holding the test between
  ``### BEGIN HIDDEN TESTS`` markers and running it in the kernel through
  ``inkernel_pytest.py`` (whose source the cell carries);
* the files next to the notebook (``labcheck.py``, ``public_tests.py``,
  ``drivers.py``) are those of the lab's student release, so the notebook's
  self-checks run in both graders.

Nothing here imports nbgrader: the assignment is plain nbformat, and the
benchmark drives nbgrader's command line from its own virtual environment.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import inkernel_pytest  # noqa: E402

from labgrader import release  # noqa: E402

HARNESS = (HERE / "inkernel_pytest.py").read_text()
NBGRADER_SOLUTION = ("### BEGIN SOLUTION", "### END SOLUTION")
_NBGRADER_MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def hidden_tests(lab):
    """The lab's hidden tests, in file order: ``[{"name", "exercise", "points", "file"}]``."""
    tests = []
    for path in sorted(lab.hidden_dir.glob("test_*.py")):
        for test in inkernel_pytest.collect(path.read_text(), path.stem):
            tests.append({**test, "file": path.name})
    return tests


def _meta(grade_id, *, solution=False, points=None):
    meta = {"grade": points is not None, "grade_id": grade_id, "locked": points is not None,
            "schema_version": 3, "solution": solution, "task": False}
    if points is not None:
        meta["points"] = points
    return meta


def _test_cell_source(test, conftest, module):
    for text in (conftest, module, HARNESS):
        if any(marker in text for marker in _NBGRADER_MARKERS):
            raise ValueError(f"{test['file']}: a test or the harness contains an nbgrader "
                             "marker, which nbgrader would strip; rename it.")
    return (f"# {test['exercise']}: {test['name']} ({test['points']:g} points)\n"
            "### BEGIN HIDDEN TESTS\n"
            f"{HARNESS}\n"
            f"run_hidden_test({conftest!r}, {module!r}, {test['name']!r}, globals())\n"
            "### END HIDDEN TESTS")


def source_notebook(lab):
    """The nbgrader source notebook (instructor version) equivalent to ``lab``."""
    nb = nbformat.read(lab.notebook, as_version=4)
    out = nbformat.v4.new_notebook(metadata=nb.metadata)
    for cell in nb.cells:
        if "hidden" in cell.get("metadata", {}).get("tags", []):
            continue
        new = nbformat.from_dict(dict(cell))
        if cell.cell_type == "code":
            new.source = release.solve_code(cell.source, markers=NBGRADER_SOLUTION)
            new.outputs, new.execution_count = [], None
            if "BEGIN SOLUTION" in new.source:
                grade_id = f"{release.exercise_of(cell) or 'cell'}_{len(out.cells)}"
                new.metadata["nbgrader"] = _meta(grade_id, solution=True)
        out.cells.append(new)
    conftest_path = lab.hidden_dir / "conftest.py"
    conftest = conftest_path.read_text() if conftest_path.exists() else ""
    out.cells.append(nbformat.v4.new_markdown_cell("## Autograder tests"))
    for test in hidden_tests(lab):
        module = (lab.hidden_dir / test["file"]).read_text()
        cell = nbformat.v4.new_code_cell(_test_cell_source(test, conftest, module))
        cell.metadata["nbgrader"] = _meta(f"{test['exercise']}_{test['name']}",
                                          points=test["points"])
        out.cells.append(cell)
    nbformat.validate(out)
    return out


def write_course(lab, course, kernel_name=None):
    """Write an nbgrader course folder for ``lab``: config and ``source/<lab>/``.

    The course root is the folder nbgrader runs in (no absolute path in the config), so a
    copy of the folder is a course of its own. Returns the assignment name (the lab's
    id). ``kernel_name`` (default: the
    notebook's) is written into the notebook's kernelspec: the benchmark points it
    at a kernel running this project's Python, so both graders run the same
    interpreter and libraries.
    """
    course = Path(course)
    source = course / "source" / lab.id
    release.release_lab(lab, course / "labgrader-release")
    shutil.copytree(course / "labgrader-release" / lab.id, source)
    shutil.rmtree(course / "labgrader-release")
    nb = source_notebook(lab)
    if kernel_name:
        nb.metadata["kernelspec"] = {"name": kernel_name, "display_name": kernel_name,
                                     "language": "python"}
    nbformat.write(nb, source / lab.notebook.name)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()  # noqa: F821\n"
        f"c.CourseDirectory.course_id = {lab.id!r}\n"
        "c.Execute.timeout = 120\n")
    return lab.id


def filled_release(release_nb, source_nb):
    """A student's submission: the nbgrader release notebook with every solution cell
    holding the source's solution (markers dropped), as a perfect student hands it in."""
    solutions = {c.metadata["nbgrader"]["grade_id"]: c.source for c in source_nb.cells
                 if c.metadata.get("nbgrader", {}).get("solution")}
    out = nbformat.from_dict(dict(release_nb))
    for cell in out.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = "\n".join(line for line in solutions[grade_id].splitlines()
                                    if "BEGIN SOLUTION" not in line
                                    and "END SOLUTION" not in line)
    return out


def write_submissions(course, assignment, notebook_name, n):
    """``n`` copies of the filled release in ``course/submitted/student_XX/<assignment>/``."""
    course = Path(course)
    released = course / "release" / assignment
    filled = filled_release(nbformat.read(released / notebook_name, as_version=4),
                            nbformat.read(course / "source" / assignment / notebook_name,
                                          as_version=4))
    students = []
    for i in range(n):
        student = f"student_{i:02d}"
        folder = course / "submitted" / student / assignment
        shutil.copytree(released, folder)
        nbformat.write(filled, folder / notebook_name)
        students.append(student)
    return students
