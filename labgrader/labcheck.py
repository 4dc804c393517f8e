"""Self-check for this lab: run one exercise's public tests against your notebook.

In the notebook, after writing an exercise::

    from labcheck import check
    check("q1")        # or check() for every exercise

It prints which public tests pass, and warns if your code uses a library
function that the lab asks you to write yourself (those functions are not
available when your notebook is graded). The public tests only check shapes
and simple cases: passing them does not guarantee full marks.

This file is written by ``labgrader release``; it needs only the Python
standard library and the files next to it (``public_tests.py``, ``drivers.py``).
"""

from __future__ import annotations

import ast
import importlib.util
import sys
import traceback
from pathlib import Path

LAB = None  # filled in by `labgrader release`
HERE = Path(__file__).resolve().parent


class NotDefinedError(NameError):
    """A public test asked for a name the notebook has not defined (yet)."""


class Student:
    """Your notebook's variables, by attribute: what the public tests call ``student``."""

    def __init__(self, namespace):
        self._ns = namespace

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        try:
            return self._ns[name]
        except KeyError:
            raise NotDefinedError(f"{name} is not defined: run the cell that defines it") from None

    def call(self, name, *args, **kwargs):
        return getattr(self, name)(*args, **kwargs)

    def value(self, name):
        return getattr(self, name)

    def has(self, name):
        return name in self._ns

    def drive(self, driver, *args, **kwargs):
        return getattr(_load("drivers"), driver)(self, *args, **kwargs)


def _load(name):
    spec = importlib.util.spec_from_file_location(f"_labcheck_{name}", HERE / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def check(exercise=None, namespace=None):
    """Run the public tests of ``exercise`` (all exercises if ``None``) and print a summary.

    ``namespace`` defaults to the globals of the caller (your notebook).
    """
    ns = namespace if namespace is not None else sys._getframe(1).f_globals
    if LAB is None:
        print("labcheck: this copy was not produced by `labgrader release`; nothing to check")
        return
    ids = list(LAB["exercises"]) if exercise is None else [exercise]
    unknown = [e for e in ids if e not in LAB["exercises"]]
    if unknown:
        print(f"labcheck: unknown exercise {unknown[0]!r}; this lab has "
              + ", ".join(LAB["exercises"]))
        return
    tests = _load("public_tests")
    for ex in ids:
        _check_one(ex, tests, ns)


def _tests_for(exercise, module):
    prefix = f"test_{exercise}_"
    found = [f for name, f in vars(module).items() if name.startswith(prefix) and callable(f)]
    return sorted(found, key=lambda f: f.__code__.co_firstlineno)


def _check_one(exercise, module, ns):
    title = LAB["exercises"][exercise]["title"]
    tests = _tests_for(exercise, module)
    student = Student(ns)
    lines, passed = [], 0
    with _Watch(LAB["forbidden"], ns) as watch:
        for test in tests:
            ok, message = _run(test, student)
            passed += ok
            lines.append(f"  {'PASS' if ok else 'FAIL'}  {test.__name__}"
                         + ("" if ok else f": {message}"))
    print(f"{exercise} {title}: {passed} of {len(tests)} public tests passed")
    print("\n".join(lines))
    for name in sorted(watch.called | forbidden_mentions(ns, LAB["forbidden"])):
        print(f"  WARNING  your code uses {name}: this lab asks you to write it yourself, "
              "and it raises an error when your notebook is graded")


def _run(test, student):
    try:
        test(student)
    except NotImplementedError as exc:
        return False, f"not implemented yet ({exc})" if str(exc) else "not implemented yet"
    except NotDefinedError as exc:
        return False, str(exc)
    except AssertionError as exc:
        text = str(exc).strip() or "a check failed"
        return False, "\n        ".join(text.splitlines()[:8])
    except Exception as exc:  # noqa: BLE001 - report any error in the student's code
        where = [f for f in traceback.extract_tb(exc.__traceback__)
                 if not f.filename.endswith(("public_tests.py", "labcheck.py", "drivers.py"))]
        place = f" (line {where[-1].lineno} of {where[-1].name})" if where else ""
        return False, f"{type(exc).__name__}: {exc}{place}"
    return True, ""


class _Watch:
    """While checks run, wrap each forbidden function that is loaded to record calls."""

    def __init__(self, forbidden, ns):
        self.forbidden, self.ns, self.called, self.undo = forbidden, ns, set(), []

    def __enter__(self):
        for name in self.forbidden:
            module_name, _, attr = name.rpartition(".")
            module = sys.modules.get(module_name)
            original = getattr(module, attr, None) if module else None
            if original is None:
                continue
            wrapper = self._wrap(name, original)
            self._swap(module.__dict__, attr, original, wrapper)
            for key, value in list(self.ns.items()):
                if value is original:
                    self._swap(self.ns, key, original, wrapper)
        return self

    def _swap(self, mapping, key, original, wrapper):
        mapping[key] = wrapper
        self.undo.append((mapping, key, original))

    def _wrap(self, name, original):
        def wrapper(*args, **kwargs):
            self.called.add(name)
            return original(*args, **kwargs)

        return wrapper

    def __exit__(self, *exc):
        for mapping, key, original in reversed(self.undo):
            mapping[key] = original
        return False


def forbidden_mentions(ns, forbidden):
    """Forbidden names that the notebook's code imports or reaches by attribute (static)."""
    sources = ns.get("_ih") or ns.get("In") or []
    found = set()
    for source in sources:
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError, TypeError):
            continue
        for name in forbidden:
            if _mentions(tree, name):
                found.add(name)
    return found


def _mentions(tree, name):
    module, _, attr = name.rpartition(".")
    parent, _, last = module.rpartition(".")
    aliases = {module, last}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names = {a.name for a in node.names}
            if node.module == module and (attr in names or "*" in names):
                return True
            if node.module == parent and last in names:
                aliases |= {a.asname or a.name for a in node.names if a.name == last}
        elif isinstance(node, ast.Import):
            aliases |= {a.asname for a in node.names if a.name == module and a.asname}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr == attr:
            text = ast.unparse(node.value)
            if text in aliases or text.endswith("." + last):
                return True
    return False
