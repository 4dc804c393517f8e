"""Grade one submission in a fresh, trusted process.

The runner reads the submission (never executing it), starts the worker
through the proxy, runs the lab's public and hidden tests with
:func:`pytest.main` and :mod:`labgrader.plugin`, and writes a JSON result.
It is started once per submission (``pytest.main`` cannot be run twice in one
process cleanly) either by :mod:`labgrader.grade` from a fork server that has
already imported the test suite's libraries, or by hand for debugging::

    python -m labgrader.runner TASK.json

where ``TASK.json`` holds ``lab``, ``submission``, ``result`` and optionally
``log``, ``seed``, ``timeout``, ``cell_timeout``, ``memory_mb``, and for a
sandboxed run ``sandbox`` (``{"uid": ..., "image": ...}``) and ``tmp``.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import pytest

from labgrader import plugin
from labgrader.lab import load_lab
from labgrader.launch import Limits
from labgrader.notebook import NotebookError, read_submission
from labgrader.proxy import DeadProxy, StudentProxy

INI = Path(__file__).with_name("grader-pytest.ini")


def pytest_args(lab):
    """Arguments that run the lab's tests in isolation from any repository settings."""
    return [str(lab.hidden_dir), str(lab.public_tests), "-c", str(INI),
            "--rootdir", str(lab.root), "--confcutdir", str(lab.root),
            "--import-mode=importlib", "-p", "no:cacheprovider", "-q", "--tb=long",
            "-o", "console_output_style=classic"]


def grade_one(task):
    """Grade the submission described by ``task`` (a dict); return the result dict."""
    start = time.perf_counter()
    lab = load_lab(task["lab"])
    timeout = float(task.get("timeout") or lab.timeout)
    try:
        cells, notes = read_submission(task["submission"])
        status, message = "ok", ""
        student = StudentProxy(
            cells, forbidden=lab.forbidden,
            drivers=lab.drivers.read_text(encoding="utf-8") if lab.drivers else "",
            timeout=timeout, cell_timeout=float(task.get("cell_timeout") or lab.cell_timeout),
            limits=Limits(memory_mb=int(task.get("memory_mb") or lab.memory_mb),
                          sandbox=_sandbox(task)),
            files=[(name, lab.root / name) for name in lab.data_files])
        student.start()
    except NotebookError as exc:
        status, message, notes, student = "invalid", str(exc), [], DeadProxy(str(exc))
    first_lines = {c.index: c.first_line for c in cells} if status == "ok" else {}
    plugin.configure(student, task.get("seed", 0), [e.id for e in lab.exercises],
                     lab.public_tests)
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    sys.dont_write_bytecode = True  # no __pycache__ written into the lab folder
    try:
        code = pytest.main(pytest_args(lab), plugins=[plugin])
        cells = student.setup_report()
        notes = notes + list(student.events)
    finally:
        student.close()
    tests = [r.as_dict() for r in plugin.RESULTS]
    if plugin.COLLECT_ERRORS or int(code) not in (0, 1):
        status = "error"
        message = (f"the lab's tests could not run (pytest exit code {int(code)}): "
                   + " | ".join(plugin.COLLECT_ERRORS)[:4000])
    elif any(t["category"] == "grader-error" for t in tests):
        status, message = "error", "the grader failed on some tests (see the instructor details)"
    return {
        "lab": {"id": lab.id, "title": lab.title,
                "exercises": {e.id: e.title for e in lab.exercises}},
        "status": status, "message": message,
        "score": round(sum(t["points"] for t in tests), 6),
        "max_score": round(sum(t["max_points"] for t in tests), 6),
        "tests": tests, "notes": notes,
        "cells": [{"index": int(k), "first_line": first_lines.get(int(k), ""), **v}
                  for k, v in cells.items()],
        "seconds": round(time.perf_counter() - start, 3),
        "cpu_seconds": round(_cpu_seconds(), 3),
    }


def _sandbox(task):
    """The task's sandbox slot (uid and image), or ``None`` when grading without one."""
    if task.get("tmp"):
        tempfile.tempdir = task["tmp"]  # worker scratch folders inside the run's folder
    spec = task.get("sandbox")
    if not spec:
        return None
    from labgrader.sandbox import Sandbox

    return Sandbox(uid=int(spec["uid"]), image=str(spec["image"]))


def _cpu_seconds():
    """CPU time of this process and of its reaped workers (independent of machine load)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + workers.ru_utime + workers.ru_stime


def run_task(task_path):
    """Entry point for a fresh process: output to the task's log, result to its JSON file."""
    task = json.loads(Path(task_path).read_text(encoding="utf-8"))
    if task.get("log"):
        log = os.open(task["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.close(log)
    result = grade_one(task)
    tmp = Path(task["result"] + ".tmp")
    tmp.write_text(json.dumps(result), encoding="utf-8")
    tmp.replace(task["result"])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python -m labgrader.runner TASK.json")
    run_task(sys.argv[1])
