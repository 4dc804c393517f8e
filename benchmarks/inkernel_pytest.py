"""Run a lab's hidden pytest tests inside a Jupyter kernel, the way an nbgrader test cell runs.

nbgrader runs its tests as cells in the student's own kernel. To give it exactly
the tests that ``labgrader`` runs, each test cell of the equivalent nbgrader
assignment (see ``nbgrader_assignment.py``) carries this file's source, the lab's
``conftest.py`` and one test module as strings, and calls
:func:`run_hidden_test`. Fixtures are resolved by parameter name, as pytest does:

* ``student``: the kernel's namespace, with the methods of labgrader's
  ``StudentProxy`` (``call``, ``drive``, ``value``, ``has``); nbgrader has no
  proxy, so the test calls the student's functions directly, in the same process;
* ``rng``: a NumPy generator seeded by the test's name (labgrader also mixes in
  the submission's hash; the inputs differ, the checks do not);
* anything else: the conftest's fixture of that name, itself resolved the same way
  (one value per name per test, as pytest's function scope gives).

Only what the labs' hidden tests use is supported: ``@pytest.fixture`` (with or
without arguments, returning or yielding), ``pytest.mark.points`` and
``pytest.mark.exercise`` (recorded, for :func:`collect`), ``pytest.raises``.
"""

import hashlib as _hashlib
import inspect as _inspect
import sys as _sys
import types as _types


class _MarkDecorator:
    """``pytest.mark.<name>(*args)``: records the mark on the function it decorates."""

    def __init__(self, name, args):
        self.name, self.args = name, args

    def __call__(self, fn):
        fn.__dict__.setdefault("_inkernel_marks", {})[self.name] = self.args
        return fn


class _MarkGenerator:
    def __getattr__(self, name):
        return lambda *args, **kwargs: _MarkDecorator(name, args)


class _Student:
    """The kernel's namespace by attribute, plus the ``StudentProxy`` methods tests use."""

    def __init__(self, namespace):
        self.__dict__["_ns"] = namespace

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not defined in the notebook") from None

    def call(self, name, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    def drive(self, driver, *args, **kwargs):
        import drivers  # the lab's drivers.py, next to the notebook

        return getattr(drivers, driver)(self, *args, **kwargs)

    def value(self, name):
        return getattr(self, name)

    def has(self, name):
        return name in self._ns


def _fixture(fn=None, **_options):
    if fn is None:  # @pytest.fixture(scope=...)
        return _fixture
    fn._inkernel_fixture = True
    return fn


def _fake_pytest():
    """A ``pytest`` module whose fixtures are plain functions and whose marks are records."""
    import pytest

    fake = _types.ModuleType("pytest")
    fake.fixture, fake.mark = _fixture, _MarkGenerator()
    for name in ("raises", "approx", "fail", "skip"):
        setattr(fake, name, getattr(pytest, name))
    return fake


def load_module(source, name):
    """Execute a test module's ``source`` with the fake ``pytest``; return the module."""
    module = _types.ModuleType(name)
    saved = _sys.modules.get("pytest")
    _sys.modules["pytest"] = _fake_pytest()
    try:
        exec(compile(source, name, "exec"), module.__dict__)  # noqa: S102 - the lab's own tests
    finally:
        if saved is None:
            del _sys.modules["pytest"]
        else:
            _sys.modules["pytest"] = saved
    return module


def _tests(module):
    return {name: fn for name, fn in vars(module).items()
            if name.startswith("test_") and callable(fn)}


def collect(module_source, name):
    """``[{"name", "exercise", "points"}]`` for the tests of one module, in file order."""
    module = load_module(module_source, name)
    pytestmark = getattr(module, "pytestmark", None)
    module_exercise = pytestmark.args[0] if isinstance(pytestmark, _MarkDecorator) else None
    out = []
    for test_name, fn in _tests(module).items():
        marks = getattr(fn, "_inkernel_marks", {})
        exercise = marks.get("exercise", (module_exercise,))[0]
        out.append({"name": test_name, "exercise": exercise,
                    "points": float(marks.get("points", (1,))[0])})
    return out


def _seeded_rng(text):
    import numpy as np

    return np.random.default_rng(int.from_bytes(_hashlib.sha256(text.encode()).digest()[:8], "big"))


def run_hidden_test(conftest_source, module_source, test_name, namespace):
    """Run one hidden test against the student's ``namespace`` (the kernel's ``globals()``).

    Raises whatever the test raises: nbgrader gives the cell its points when it
    does not raise.
    """
    fixtures = {name: fn for name, fn in vars(load_module(conftest_source, "conftest")).items()
                if getattr(fn, "_inkernel_fixture", False)}
    test = _tests(load_module(module_source, "hidden_test"))[test_name]
    values = {"student": _Student(namespace)}

    def value(name):
        if name not in values:
            if name == "rng":
                values[name] = _seeded_rng(test_name)
            elif name in fixtures:
                fixture = fixtures[name]
                made = fixture(*[value(p) for p in _inspect.signature(fixture).parameters])
                values[name] = next(made) if _inspect.isgenerator(made) else made
            else:
                raise LookupError(f"fixture {name!r} not found for {test_name}")
        return values[name]

    test(*[value(p) for p in _inspect.signature(test).parameters])
