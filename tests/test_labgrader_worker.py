"""labgrader.worker / proxy / notebook: student code runs in a separate, restartable process."""

import json
import sys
import time
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # until labgrader is installed

from labgrader.launch import Limits  # noqa: E402
from labgrader.notebook import CodeCell, NotebookError, read_submission, strip_magics  # noqa: E402
from labgrader.proxy import (  # noqa: E402
    MissingName,
    StudentException,
    StudentProxy,
    StudentTimeout,
    UnsupportedValue,
    WorkerCrashed,
)


def cells(*sources):
    return [CodeCell(i, s) for i, s in enumerate(sources, start=1)]


@pytest.fixture(scope="module")
def proxy():
    p = StudentProxy(cells(
        "import numpy as np\ndef double(x):\n    return 2 * np.asarray(x)\n",
        "def broken(:\n    pass\n",
        "print('noise on stdout')\nimport os, sys\nsys.stdout.write('more noise')\n"
        "def leave():\n    os._exit(3)\n",
        "def spin():\n    while True:\n        pass\n",
        "def complex_result():\n    return np.ones(2, dtype=complex)\n",
        "class Sneaky:\n    def __eq__(self, other):\n        return True\n"
        "def sneaky():\n    return Sneaky()\n",
        "raise ValueError('this cell fails')\n",
        "def mutate(a):\n    a[:] = 0\n    return a.sum()\n",
        "def hog():\n    return np.ones(2**37)\n",
        "x_answer = {'k': [1, 2.5], 'arr': np.arange(3)}\n",
    ), timeout=1.0, cell_timeout=5.0)
    p.start()
    yield p
    p.close()


def test_calls_return_decoded_plain_data(proxy):
    out = proxy.double(np.arange(3.0))
    assert isinstance(out, np.ndarray) and np.array_equal(out, [0.0, 2.0, 4.0])
    value = proxy.value("x_answer")
    assert value["k"] == [1, 2.5] and np.array_equal(value["arr"], [0, 1, 2])
    assert proxy.has("double") and not proxy.has("nope")


def test_each_cell_runs_separately_and_failures_are_reported(proxy):
    proxy.double(1.0)
    report = proxy.setup_report()
    assert report[2]["status"] == "syntax-error" and "line 1" in report[2]["error"]
    assert report[7]["status"] == "error" and "this cell fails" in report[7]["error"]
    assert report[3]["output"] == "noise on stdout\nmore noise"
    assert all(report[i]["status"] == "ok" for i in (1, 3, 4, 5, 6, 8, 9, 10))


def test_student_exceptions_and_missing_names(proxy):
    with pytest.raises(MissingName, match="nope is not defined"):
        proxy.nope()
    with pytest.raises(MissingName, match="not a function"):
        proxy.x_answer()
    with pytest.raises(StudentException, match="MemoryError") as info:
        proxy.hog()
    assert info.value.type_name == "MemoryError"


def test_unsupported_return_values(proxy):
    with pytest.raises(UnsupportedValue, match="complex array"):
        proxy.complex_result()
    with pytest.raises(UnsupportedValue, match="unsupported type Sneaky"):
        proxy.sneaky()


def test_inputs_are_copies(proxy):
    a = np.ones(4)
    assert proxy.mutate(a) == 0.0
    assert np.array_equal(a, np.ones(4))


def test_timeout_then_worker_keeps_serving(proxy):
    start = time.monotonic()
    with pytest.raises(StudentTimeout, match="did not return within 1 s"):
        proxy.spin()
    assert time.monotonic() - start < 5
    assert np.array_equal(proxy.double([1, 2]), [2, 4])


def test_a_call_that_sleeps_is_killed_by_the_wall_clock_backstop():
    p = StudentProxy(cells("import time, signal\n"
                           "def nap():\n    signal.signal(signal.SIGPROF, signal.SIG_IGN)\n"
                           "    time.sleep(100)\n", "def ok():\n    return 1\n"), timeout=0.2)
    try:
        start = time.monotonic()
        with pytest.raises(StudentTimeout, match="stopped responding and was killed"):
            p.nap()
        assert time.monotonic() - start < 10
        assert p.ok() == 1
    finally:
        p.close()


def test_crash_fails_one_call_and_the_worker_restarts(proxy):
    with pytest.raises(WorkerCrashed, match="exited with status 3"):
        proxy.leave()
    assert np.array_equal(proxy.double([3]), [6])
    assert any("restarted" in e for e in proxy.events)


def test_memory_limit_applies_to_the_worker():
    p = StudentProxy(cells("import numpy as np\n"
                           "def alloc(mb):\n    return float(np.ones(mb * 2**17).sum())\n"),
                     limits=Limits(memory_mb=400), timeout=5.0)
    try:
        assert p.alloc(8) == 8 * 2**17
        with pytest.raises(StudentException, match="MemoryError"):
            p.alloc(512)
        assert p.alloc(8) == 8 * 2**17
    finally:
        p.close()


def test_a_cell_that_kills_the_worker_is_skipped():
    p = StudentProxy(cells("def f():\n    return 1\n", "import os\nos._exit(1)\n",
                           "def g():\n    return 2\n"), timeout=2.0, cell_timeout=5.0)
    try:
        assert p.f() == 1 and p.g() == 2
        report = p.setup_report()
        assert report[2]["status"] == "skipped" and "exited with status 1" in report[2]["error"]
    finally:
        p.close()


def test_a_cell_that_loops_forever_times_out_and_the_rest_runs():
    p = StudentProxy(cells("while True:\n    pass\n", "def g():\n    return 2\n"),
                     timeout=2.0, cell_timeout=1.0)
    try:
        assert p.g() == 2
        assert p.setup_report()[1]["status"] == "timeout"
    finally:
        p.close()


def test_forbidden_functions_raise_even_after_reload():
    p = StudentProxy(cells(
        "import importlib\nimport json\nfrom json import dumps\n"
        "def direct():\n    return dumps([1])\n"
        "def reloaded():\n    importlib.reload(json)\n    return json.dumps([1])\n"
        "def allowed():\n    return json.loads('[1]')\n"),
        forbidden=["json.dumps"], timeout=5.0)
    try:
        with pytest.raises(StudentException, match="ForbiddenFunctionError: json.dumps is not"):
            p.direct()
        with pytest.raises(StudentException, match="ForbiddenFunctionError"):
            p.reloaded()
        assert p.allowed() == [1]
    finally:
        p.close()


def test_drivers_run_in_the_worker():
    drivers = ("import numpy as np\n"
               "def run(student, n):\n"
               "    c = student.Counter()\n"
               "    return np.array([c.step() for _ in range(n)])\n")
    p = StudentProxy(cells("class Counter:\n    def __init__(self):\n        self.k = 0\n"
                           "    def step(self):\n        self.k += 1\n        return self.k\n"),
                     drivers=drivers, timeout=5.0)
    try:
        assert np.array_equal(p.drive("run", 4), [1, 2, 3, 4])
    finally:
        p.close()


# ---------------------------------------------------------------- reading notebooks


def _write(tmp_path, content, name="nb.ipynb"):
    path = tmp_path / name
    path.write_bytes(content if isinstance(content, bytes) else json.dumps(content).encode())
    return path


def _nb(*sources, **meta):
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": meta,
            "cells": [{"cell_type": "code", "source": s, "metadata": {}, "outputs": []}
                      for s in sources]}


@pytest.mark.parametrize("content, match", [
    (b"{not json", "not valid JSON"),
    (bytes(range(128, 256)) * 2, "not UTF-8"),
    ([1, 2, 3], "top level is not an object"),
    ({"nbformat": 3, "worksheets": []}, "nbformat 3"),
    ({"nbformat": 4, "cells": "abc"}, "no list of cells"),
    ({"hello": "world"}, "not a Jupyter notebook"),
])
def test_unreadable_notebooks_have_clear_messages(tmp_path, content, match):
    with pytest.raises(NotebookError, match=match):
        read_submission(_write(tmp_path, content))


def test_too_large_and_missing_files(tmp_path):
    path = _write(tmp_path, _nb("x = 1"))
    with pytest.raises(NotebookError, match="larger than"):
        read_submission(path, max_bytes=10)
    with pytest.raises(NotebookError, match="cannot be read"):
        read_submission(tmp_path / "absent.ipynb")


def test_cells_numbered_and_malformed_cells_noted(tmp_path):
    nb = _nb("a = 1", ["b = ", "2"])
    nb["cells"].insert(1, {"cell_type": "markdown", "source": "text", "metadata": {}})
    nb["cells"].append({"no_type": True})
    nb["cells"].append({"cell_type": "code", "source": 42})
    got, notes = read_submission(_write(tmp_path, nb))
    assert [(c.index, c.source) for c in got] == [(1, "a = 1"), (2, "b = 2")]
    assert any("cell 4 is malformed" in n for n in notes)
    assert any("code cell 3 has a malformed source" in n for n in notes)


def test_foreign_kernel_is_noted(tmp_path):
    _, notes = read_submission(_write(tmp_path, _nb("x = 1", kernelspec={"language": "R"})))
    assert any("R kernel" in n for n in notes)


def test_magics_are_stripped_only_when_needed():
    src = ("%matplotlib inline\nimport numpy as np\n!pip install x\nfiles = !ls\nnp.sum?\n"
           "x = 5 % 3\n")
    out, note = strip_magics(src)
    assert out.splitlines() == ["pass", "import numpy as np", "pass", "pass", "pass",
                                "x = 5 % 3"]
    assert "%matplotlib inline" in note and "!pip install x" in note
    valid = "x = 10 % 3\ny = '!not a shell line'\n"
    assert strip_magics(valid) == (valid, "")
    assert strip_magics("%%time\nx = 1\n") == ("\nx = 1", "cell magic %%time was removed")
    assert strip_magics("%%bash\necho hi\n")[0] == ""
