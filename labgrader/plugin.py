"""The pytest plugin the runner loads: the ``student`` and ``rng`` fixtures, points, outcomes.

Hidden tests declare their worth with markers::

    @pytest.mark.exercise("q1")     # or pytestmark = pytest.mark.exercise("q1") per file
    @pytest.mark.points(2)          # default 1
    def test_soft_threshold_random(student, rng):
        '''Hint shown to the student when this fails (no values here).'''

Public tests (``public_tests.py``) are named ``test_<exercise>_<what>`` and
are worth ``fn.points`` (default 0). Every test's outcome is recorded with a
category (passed, wrong, exception, timeout, crash, missing, unsupported,
unchecked, skipped, grader-error), a message a student may read, and the full
report for the instructor.
"""

from __future__ import annotations

import hashlib
import inspect
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import pytest

from labgrader.proxy import GraderError, StudentError, StudentException

GRADER_FAILED = "the grader failed on this test; your instructor has the details"
_CTX = {"student": None, "seed": 0, "exercises": (), "public_path": None}
RESULTS = []
COLLECT_ERRORS = []


def configure(student, seed, exercises, public_path):
    """Called by the runner before :func:`pytest.main`."""
    _CTX.update(student=student, seed=int(seed), exercises=tuple(exercises),
                public_path=str(public_path))
    RESULTS.clear()
    COLLECT_ERRORS.clear()


@dataclass
class TestResult:
    """One test's outcome as stored in the gradebook."""

    name: str
    nodeid: str
    exercise: str
    max_points: float
    visibility: str
    hint: str
    points: float = 0.0
    outcome: str = "not run"
    category: str = "not-run"
    student_message: str = ""
    instructor_message: str = ""
    duration: float = 0.0
    _done: bool = field(default=False, repr=False)

    def as_dict(self):
        d = asdict(self)
        d.pop("_done")
        return d


def pytest_configure(config):
    config.addinivalue_line("markers", "points(n): the points this test is worth (default 1)")
    config.addinivalue_line("markers", "exercise(id): the exercise this test belongs to")


@pytest.fixture(scope="session")
def student():
    """The submission, through :class:`labgrader.proxy.StudentProxy`."""
    return _CTX["student"]


@pytest.fixture
def rng(request):
    """A generator seeded by the submission and the test: fresh inputs per student,
    the same inputs when the same submission is regraded."""
    text = f"{_CTX['seed']}:{request.node.nodeid}".encode()
    return np.random.default_rng(int.from_bytes(hashlib.sha256(text).digest()[:8], "big"))


def _hint(item):
    doc = inspect.getdoc(getattr(item, "function", None)) or ""
    return doc.split("\n\n")[0].replace("\n", " ").strip()[:400]


def _public_exercise(name):
    for ex in sorted(_CTX["exercises"], key=len, reverse=True):
        if name.startswith(f"test_{ex}_"):
            return ex
    return ""


def pytest_collection_modifyitems(session, config, items):
    names = [item.name for item in items]
    for item in items:
        public = str(item.path) == _CTX["public_path"]
        if public:
            exercise = _public_exercise(item.name)
            points = float(getattr(getattr(item, "function", None), "points", 0))
        else:
            marker = item.get_closest_marker("exercise")
            exercise = str(marker.args[0]) if marker and marker.args else ""
            marker = item.get_closest_marker("points")
            points = float(marker.args[0]) if marker and marker.args else 1.0
        name = item.name if names.count(item.name) == 1 else f"{item.path.stem}::{item.name}"
        RESULTS.append(TestResult(name=name, nodeid=item.nodeid, exercise=exercise,
                                  max_points=points, hint=_hint(item),
                                  visibility="visible" if public else "hidden"))
        item.stash[_KEY] = RESULTS[-1]


_KEY = pytest.StashKey()


def pytest_collectreport(report):
    if report.failed:
        COLLECT_ERRORS.append(f"{report.nodeid}: {report.longreprtext[-3000:]}")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    result = item.stash.get(_KEY, None)
    if result is None or result._done:
        return
    result.duration += report.duration
    if report.passed and report.when == "call":
        result.outcome, result.category, result.points = "passed", "passed", result.max_points
        result.student_message, result._done = "passed", True
    elif report.skipped:
        result.outcome, result.category, result._done = "skipped", "skipped", True
        result.student_message = "not run"
    elif report.failed:
        exc = call.excinfo.value if call.excinfo else None
        result.outcome = "failed" if report.when == "call" else "error"
        result.category, result.student_message = classify(exc, result)
        if report.when != "call" and not isinstance(exc, StudentError):
            result.category = "grader-error"  # a fixture of the lab failed, not the student
            result.student_message = GRADER_FAILED
        details = getattr(exc, "details", "") or ""
        extra = f"\n--- student traceback ---\n{details}" if details else ""
        result.instructor_message = report.longreprtext[-6000:] + extra
        result._done = True


def classify(exc, result):
    """``(category, message for the student)``: never the test's expected values."""
    public = result.visibility == "visible"
    hint = f" Hint: {result.hint}" if result.hint else ""
    if isinstance(exc, StudentException) and exc.type_name == "NotImplementedError":
        return "exception", "not implemented yet (your code raises NotImplementedError)"
    if isinstance(exc, StudentException) and not public and exc.label:
        # only the type: a message can carry the hidden inputs in any spelling
        return exc.kind, f"{exc.label} raised {exc.type_name or 'an exception'}." + hint
    if isinstance(exc, StudentError):
        return exc.kind, exc.student_message + ("" if exc.kind == "unreadable" else hint)
    if isinstance(exc, GraderError):
        return "grader-error", GRADER_FAILED
    if isinstance(exc, AssertionError):
        if public:
            text = re.sub(r"\s+", " ", str(exc)).strip()[:500]
            return "wrong", f"wrong result: {text}" if text else "wrong result"
        return "wrong", "wrong result." + hint
    return "unchecked", ("your result could not be checked (wrong type or shape?): "
                         f"{type(exc).__name__}." + hint)
