"""Hostile and broken submissions, graded in ONE sandboxed run of the real CLI.

Every submission is made from the pilot lab's solution notebook (or the
released student notebook) plus an attack, and has an expected score with a
reason. Probe cells collect the attacks that *worked* in ``escaped``; if any
did, the cell sabotages ``answer_q5`` (worth 1 point), so a sandbox hole shows
up as a lost point, and the probe's printout names it in the instructor's
details. After the batch: the grader's code, numpy and the hidden tests are
byte-identical, nothing was written outside the sandbox, and no process of the
sandbox uids is left.

Needs root and bubblewrap (``make sysdeps``); skipped, loudly, otherwise.
"""

import hashlib
import json
import os
import re
import socket
from pathlib import Path

import numpy as np
import pytest
from labgrader_helpers import (
    FISTA_DOC,
    GAP_DOC,
    LAB,
    PATH_DOC,
    PATH_TEST,
    Q3,
    Q6,
    REPO,
    SOURCE,
    cli,
    hidden,
    inject,
    load,
    replace,
    results,
)

from labgrader import sandbox

REASON = sandbox.unavailable_reason()
pytestmark = pytest.mark.skipif(
    REASON is not None, reason=f"SANDBOX NOT TESTED: {REASON} (run as root after `make sysdeps`)")

UID_BASE = 62000  # this file's own uid range: parallel test files never share a uid
FULL = 25.0
HIDDEN_FILE = LAB / "hidden_tests" / "conftest.py"
NUMPY_INIT = Path(np.__file__)
PWNED = Path("/tmp/labgrader-adversarial-pwned")
GAP_Q = sum([2, 1])  # q6: test_gap_random_points (2) + test_gap_zero_at_solution (1)
# The interpreter is mounted at its own path, so when the venv lives under /tmp (a CI
# clone there) /tmp shows the one folder leading to it, holding nothing but the venv.
_PREFIX = Path(os.sys.prefix).resolve()
TMP_PATH_TO_VENV = (_PREFIX.relative_to("/tmp").parts[0]
                    if _PREFIX.is_relative_to("/tmp") else "")


def guarded():
    """Files that no submission may change."""
    files = sorted((REPO / "labgrader").glob("*.py")) + sorted(LAB.rglob("*.py"))
    return [*files, NUMPY_INIT, SOURCE, LAB / "lab.toml", LAB / "INSTRUCTOR.md"]


def digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def add_cell(nb, code):
    nb["cells"].append({"cell_type": "code", "metadata": {}, "execution_count": None,
                        "outputs": [], "source": code})
    return nb


PROBE = '''
import os, sys, socket, signal, subprocess, time, ctypes
escaped = []
def _try(label, fn):
    try:
        result = fn()
    except BaseException:
        return
    if result is not False:
        escaped.append(label)
{body}
if escaped:
    answer_q5 = "A"
print("PROBE-ESCAPED", escaped)
'''


def probe(body, **values):
    code = PROBE.replace("{body}", body)
    for key, value in values.items():
        code = code.replace("{" + key + "}", str(value))
    return lambda nb: add_cell(nb, code)


# name -> (base, make, expected score, expected status, reason)
CASES = {
    # ---------------------------------------------------------------- read what it must not
    "read_forbidden_files": ("sol", probe(
        'for _f in ("{h}", "{s}", "{n}", "{o}", "/etc/shadow", "/etc/passwd", "/root/.bashrc", '
        '"{r}/pyproject.toml", "{r}/labgrader/cli.py"):\n'
        '    _try(_f, lambda: open(_f).read())\n'
        '_try("/var/log", lambda: os.listdir("/var/log"))\n'
        '_try("repo", lambda: sorted(set(os.listdir("{r}")) - {".venv"}) or False)\n'
        '_try("tmp", lambda: sorted(set(os.listdir("/tmp")) - {"{t}"}) or False)',
        h=HIDDEN_FILE, s=SOURCE, n=LAB / "INSTRUCTOR.md", o="{SUBS}/solution.ipynb", r=REPO,
        t=TMP_PATH_TO_VENV),
        FULL, "ok", "hidden tests, solutions, other submissions, the repository and the "
                    "host's files are not in the sandbox (only /usr, the interpreter, a tmpfs)"),
    # ---------------------------------------------------------------- write what it must not
    "write_outside": ("sol", probe(
        'for _f in ("{w}", "{np}", "{h}", "{p}", "{r}/pwned.txt", "/usr/pwned", '
        '"/opt/labgrader/labgrader/worker.py"):\n'
        '    _try("w" + _f, lambda: open(_f, "a").write("# pwned"))\n'
        '_try("rm numpy", lambda: os.remove("{np}"))',
        w=REPO / "labgrader" / "worker.py", np=NUMPY_INIT, h=HIDDEN_FILE, p=PWNED, r=REPO),
        FULL, "ok", "everything but the scratch tmpfs is read-only or absent"),
    "fill_disk": ("sol", probe('''
def _fill():
    total = 0
    for i in range(40):
        try:
            with open(f"fill{i}", "wb") as f:
                for _ in range(50):
                    f.write(b"x" * 2**20)
                    total += 2**20
        except OSError:
            pass
    return total > 300 * 2**20 or False
_try("disk", _fill)
for _i in range(40):
    if os.path.exists(f"fill{_i}"):
        os.remove(f"fill{_i}")
'''), FULL, "ok", "the scratch tmpfs holds 256 MB and files at most 64 MB"),
    # ---------------------------------------------------------------- network, processes
    "network": ("sol", probe(
        '_try("loopback", lambda: socket.create_connection(("127.0.0.1", {port}), 2))\n'
        '_try("internet", lambda: socket.create_connection(("1.1.1.1", 80), 2))\n'
        '_try("dns", lambda: socket.getaddrinfo("pypi.org", 443))', port="{PORT}"),
        FULL, "ok", "own network namespace: not even the host's loopback"),
    "see_host_processes": ("sol", probe(
        '_try("pids", lambda: len([p for p in os.listdir("/proc") if p.isdigit()]) > 10)\n'
        '_try("signal", lambda: os.kill({pid}, 0))', pid="{PYTEST_PID}"),
        FULL, "ok", "own PID namespace: the grader's processes do not exist there"),
    "kill_everything": ("sol", lambda nb: add_cell(nb, """
import os, signal
for pid in (-1, 1, 0):  # everyone it may signal, the namespace's init, its own group
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass
"""), FULL, "ok", "kill(-1) and kill(1) reach nothing outside; kill(0) kills only the "
                  "worker, whose cell is skipped"),
    "children_outlive": ("sol", lambda nb: add_cell(nb, '''
import os, subprocess, time
subprocess.Popen(["sleep", "600"], start_new_session=True)
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        time.sleep(600)
    os._exit(0)
'''), FULL, "ok", "children die with the worker's PID namespace"),
    "timeout_with_children": ("sol", lambda nb: add_cell(nb, '''
import subprocess
subprocess.Popen(["sleep", "600"], start_new_session=True)
while True:
    pass
'''), FULL, "ok", "the cell times out; its child dies with the worker"),
    "ignore_cpu_timer": ("sol", lambda nb: add_cell(nb, '''
import signal
signal.signal(signal.SIGPROF, signal.SIG_IGN)
while True:
    pass
'''), FULL, "ok", "the wall-clock backstop kills the worker; the cell is skipped"),
    "fork_bomb": ("sol", probe('''
def _bomb():
    count = 0
    for _ in range(2000):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            while True:
                signal.pause()
        count += 1
    return count >= 200 or False
_try("fork bomb", _bomb)
'''), FULL, "ok", "RLIMIT_NPROC of the slot's own uid stops it at 64 processes"),
    "memory_bomb": ("sol", probe('_try("8 GB", lambda: bytearray(8 * 2**30))'), FULL, "ok",
                    "the address-space limit turns it into a MemoryError"),
    "privileges": ("sol", probe('''
_libc = ctypes.CDLL(None, use_errno=True)
_try("setuid", lambda: os.setuid(0))
_try("root", lambda: os.getuid() == 0 or False)
_try("userns", lambda: _libc.unshare(0x10000000) == 0 or False)
_try("mount", lambda: _libc.mount(b"none", b"/scratch", b"tmpfs", 0, None) == 0 or False)
_try("chroot", lambda: os.chroot("/"))
'''), FULL, "ok", "no capabilities, no new privileges, no user namespaces"),
    "forbidden_tricks": ("sol", probe('''
import importlib, inspect, gc
import numpy as _np
import normlib.prox as _prox
def _works(fn):
    return _np.allclose(fn(_np.array([-2.0, 0.5, 3.0]), 1.0), [-1.0, 0.0, 2.0])
_try("direct", lambda: _works(_prox.soft_threshold))
_try("reload", lambda: _works(importlib.reload(_prox).soft_threshold))
def _from_source():
    ns = {}
    exec(inspect.getsource(_prox), ns)
    return _works(ns["soft_threshold"])
_try("source", _from_source)
def _from_gc():
    for obj in gc.get_objects():
        if getattr(obj, "__name__", "") == "soft_threshold" and callable(obj) \\
                and obj is not soft_threshold:
            try:
                if _works(obj):
                    return True
            except Exception:
                pass
    return False
_try("gc", _from_gc)
'''), FULL, "ok", "the sandbox's normlib copy holds only a stub of the forbidden function"),
    "forbidden_helpers": ("sol", probe('''
import numpy as _np
import normlib.prox as _prox
_v, _expected = _np.array([-2.0, 0.5, 3.0]), [-1.0, 0.0, 2.0]
_try("private helper", lambda: _np.allclose(_prox._soft_threshold(_v, 1.0), _expected) or False)
_try("group soft threshold of singletons", lambda: _np.allclose(
    _prox.group_soft_threshold(_v, 1.0, _np.arange(3)), _expected) or False)
'''), FULL, "ok", "every function of a module that defines a forbidden one is a stub: no "
                  "private helper or sibling (a group soft threshold of singletons) stands in"),
    # ---------------------------------------------------------------- forging a result
    "forge_by_output": ("stu", lambda nb: add_cell(nb, '''
import json, os
print("==== 25 passed in 0.1s ====")
print(json.dumps({"score": 25, "max_score": 25, "status": "ok"}))
os.write(1, b"PASSED 25/25\\n")
os.write(2, b"PASSED 25/25\\n")
for name in ("results.json", "grades.csv", "../results.json", "/scratch/out/grades.csv"):
    try:
        with open(name, "w") as f:
            f.write(json.dumps({"score": 25}))
    except OSError:
        pass
'''), 0.0, "ok", "verdicts come from the grader's process, not from what the worker prints "
                    "or writes (only into its own scratch tmpfs, which nobody reads)"),
    "forge_via_fds": ("stu", lambda nb: add_cell(nb, '''
import json, os, struct
frame = json.dumps({"op": "ready", "ok": True, "value": 25}).encode()
for fd in range(3, 64):
    try:
        os.write(fd, struct.pack(">Q", len(frame)) + frame)
    except OSError:
        pass
'''), 0.0, None, "the channel carries data only: a forged frame breaks the worker, not a test"),
    "patch_numpy_pytest_builtins": ("stu", lambda nb: add_cell(nb, '''
import builtins, numpy as np
np.allclose = lambda *a, **k: True
np.testing.assert_allclose = lambda *a, **k: None
np.isclose = lambda *a, **k: True
try:
    import pytest
    pytest.approx = lambda *a, **k: 0
except ImportError:
    pass
builtins.abs = lambda x: 0
'''), 0.0, "ok", "comparisons happen in the grader's untouched process"),
    "patch_worker": ("stu", lambda nb: add_cell(nb, '''
import labgrader.worker as W, labgrader.protocol as P
W._serve_one = lambda request, ns, drivers, timeout: {"ok": True, "value": P.encode(0.0)}
'''), 0.0, "ok", "a patched worker can only send wrong data"),
    "custom_comparison": ("sol", lambda nb: inject(nb, GAP_DOC, '''class Liar(float):
    def __eq__(self, other): return True
    def __lt__(self, other): return True
    def __le__(self, other): return True
    def __abs__(self): return 0.0
class Box:
    def __eq__(self, other): return True
    def __float__(self): return 0.0
return Box()'''), FULL - GAP_Q, "ok", "objects with custom comparison are not plain data"),
    "ndarray_subclass": ("sol", lambda nb: inject(nb, PATH_DOC, '''class Sub(np.ndarray):
    def __eq__(self, other): return np.ones(np.shape(other), bool)
return np.zeros((len(alphas), X.shape[1])).view(Sub)'''),
                         FULL - 2, "ok", "a subclass arrives as a plain array of its values"),
    # ---------------------------------------------------------------- bad values
    "nan": ("sol", lambda nb: inject(nb, GAP_DOC, 'return float("nan")'), FULL - GAP_Q, "ok",
            "NaN equals nothing"),
    "complex_value": ("sol", lambda nb: inject(nb, GAP_DOC, "return complex(1.0, 0.0)"),
                      FULL - GAP_Q, "ok", "complex values are not accepted"),
    "string_dtype": ("sol", lambda nb: inject(nb, PATH_DOC, 'return np.array([["0.0"] * '
                                              "X.shape[1]] * len(alphas))"),
                     FULL - 2, "ok", "a string array is not a coefficient path"),
    "broadcast_scalar": ("sol", lambda nb: inject(nb, PATH_DOC, "return 0.0"), FULL - 2, "ok",
                         "a scalar does not broadcast into a path of the right shape"),
    "object_array": ("sol", lambda nb: inject(nb, FISTA_DOC, "w, h = ista(X, y, alpha, n_iter)\n"
                                              "return np.array(list(w), dtype=object), h"),
                     FULL - 4, "ok", "object arrays are refused"),
    "mutate_inputs": ("sol", lambda nb: inject(nb, GAP_DOC, "y[:] = X @ w\nreturn 0.0"),
                      FULL - GAP_Q, "ok", "the grader keeps its own copy of every input"),
    "echo_inputs": ("sol", lambda nb: inject(nb, GAP_DOC, 'raise ValueError(f"{X} {y} {w}")'),
                    FULL - GAP_Q, "ok", "the message is cut and its numbers redacted"),
    "echo_inputs_spelled": ("sol", lambda nb: inject(
        nb, GAP_DOC, 'raise ValueError(str(X.ravel()[:5].tolist()).translate('
                     'str.maketrans("0123456789.-", "abcdefghijPM")))'),
        FULL - GAP_Q, "ok", "hidden tests show only the exception's type"),
    # ---------------------------------------------------------------- breaking the protocol
    "forge_cell_frames": ("sol", lambda nb: add_cell(nb, '''
import os, json, struct
def _frame(msg):
    body = json.dumps(msg).encode()
    return struct.pack(">Q", len(body)) + body
for _fd in sorted(int(f) for f in os.listdir("/proc/self/fd")):
    try:
        _flags = [ln for ln in open(f"/proc/self/fdinfo/{_fd}") if ln.startswith("flags:")][0]
        if _fd > 2 and os.readlink(f"/proc/self/fd/{_fd}").startswith("pipe:") \\
                and int(_flags.split()[1], 8) & 3 == 1:
            os.write(_fd, _frame({"op": "cell-start", "index": 1000}))
            os.write(_fd, _frame({"op": "cell-done", "index": 1000, "status": ["ok"],
                                  "output": "x" * (3 * 2**20)}))
    except (OSError, IndexError):
        pass
'''), FULL, "ok", "frames out of order or too large: the cell that wrote them is skipped"),
    "poison_cell_reports": ("sol", lambda nb: add_cell(add_cell(nb, '''
import sys
_W = sys.modules["labgrader.worker"]
_orig_run_cell = _W._run_cell
def _poisoned(*args, **kwargs):
    reply = _orig_run_cell(*args, **kwargs)
    reply["status"] = ["ok"]
    reply["output"] = {"not": "text"}
    return reply
_W._run_cell = _poisoned
'''), "x_after_poison = 1"), FULL, "ok",
        "a report that is not data of the agreed shape skips the cell; every report is written"),
    # ---------------------------------------------------------------- malformed notebooks
    "syntax_error_cell": ("sol", lambda nb: replace(nb, "def lasso_duality_gap(w, X, y, alpha):",
                                                    "def lasso_duality_gap(w, X, y, alpha)"),
                          FULL - GAP_Q, "ok", "only the broken cell's exercise is lost"),
    "shell_and_magics": ("sol", lambda nb: add_cell(add_cell(add_cell(
        nb, "!rm -rf /work\n%run other.py\nx = 1"), "%%bash\nrm -rf /"),
        'get_ipython().system("id")'), FULL, "ok", "magics are stripped, never run"),
    "huge_outputs": ("sol", lambda nb: add_cell((nb["cells"][1].__setitem__("outputs", [
        {"output_type": "stream", "name": "stdout", "text": "x" * (30 * 2**20)}]), nb)[1],
        'for _ in range(200):\n    print("x" * 2**20)'),
        FULL, "ok", "stored outputs are ignored; printed output is kept up to 4000 characters"),
    "foreign_kernel": ("sol", lambda nb: (nb["metadata"].__setitem__(
        "kernelspec", {"name": "ir", "language": "R", "display_name": "R"}), nb)[1],
        FULL, "ok", "the cells are run as Python, with a note"),
}
UNREADABLE = {
    "invalid_json": (b'{"cells": [', "not valid JSON"),
    "binary_junk": (bytes(range(256)) * 64, "not UTF-8"),
    "nbformat3": (json.dumps({"nbformat": 3, "worksheets": []}).encode(), "nbformat 3"),
    "top_level_list": (b"[1, 2, 3]", "top level is not an object"),
    "cells_not_list": (json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                   "cells": {"0": "x"}}).encode(), "no list of cells"),
    "oversized": (None, "larger than the 50 MB limit"),
}


def build(subs, student):
    """Write every submission into ``subs`` (placeholders filled in later)."""
    for name, (base, make, *_) in CASES.items():
        nb = make(load(SOURCE if base == "sol" else student))
        (subs / f"{name}.ipynb").write_text(json.dumps(nb))
    (subs / "solution.ipynb").write_bytes(SOURCE.read_bytes())
    for name, (content, _) in UNREADABLE.items():
        if content is None:
            nb = load(SOURCE)
            nb["metadata"]["padding"] = "x" * (51 * 2**20)
            content = json.dumps(nb).encode()
        (subs / f"{name}.ipynb").write_bytes(content)


def fill(subs, port):
    """Put the batch's folder, a listening port and this process's pid into the probes."""
    for path in subs.glob("*.ipynb"):
        data = path.read_bytes()
        for key, value in (("{SUBS}", subs), ("{PORT}", port), ("{PYTEST_PID}", os.getpid())):
            data = data.replace(key.encode(), str(value).encode())
        path.write_bytes(data)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("adversarial")
    subs = root / "submissions"
    subs.mkdir()
    released = cli("release", str(LAB), "--out", str(root / "dist"))
    assert released.returncode == 0, released.stderr
    build(subs, root / "dist" / "prox_gradient" / "prox_gradient.ipynb")
    listener = socket.create_server(("127.0.0.1", 0))
    fill(subs, listener.getsockname()[1])
    before = digest(guarded())
    try:
        result = cli("grade", "--lab", str(LAB), str(subs), "--out", str(root / "out"),
                     "--jobs", "2", "--timeout", "2", "--cell-timeout", "2", "--json",
                     env={"LABGRADER_UID_BASE": str(UID_BASE)})
    finally:
        listener.close()
    return {"root": root, "subs": subs, "out": root / "out", "result": result,
            "before": before, "after": digest(guarded()),
            "survivors": sandbox.processes_of(range(UID_BASE, UID_BASE + sandbox.UID_COUNT)),
            "rows": {r["submission"]: r for r in json.loads(result.stdout)["submissions"]}}


def test_the_batch_finishes(batch):
    assert batch["result"].returncode == 1, batch["result"].stderr[-3000:]
    assert set(batch["rows"]) == set(CASES) | set(UNREADABLE) | {"solution"}
    assert len(CASES) + len(UNREADABLE) >= 30


def test_every_submission_gets_its_reports(batch):
    for name in batch["rows"]:
        assert "Score" in (batch["out"] / "feedback" / f"{name}.md").read_text(), name
        assert (batch["out"] / "gradescope" / name / "results.json").exists(), name


def test_host_files_are_byte_identical(batch):
    assert batch["before"] == batch["after"]
    assert not PWNED.exists() and not (REPO / "pwned.txt").exists()


def test_no_process_of_the_sandbox_uids_survives(batch):
    assert batch["survivors"] == []


def test_solution_gets_full_marks_in_the_sandbox(batch):
    row = batch["rows"]["solution"]
    assert (row["score"], row["max_score"], row["status"]) == (FULL, FULL, "ok")


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_attack_gets_exactly_its_honest_score(batch, name):
    _, _, score, status, reason = CASES[name]
    row = batch["rows"][name]
    assert row["score"] == pytest.approx(score), (reason, row)
    if status is not None:
        assert row["status"] == status, (reason, row)
    outputs = " ".join(c.get("output") or "" for c in results(batch["out"], name)["cells"])
    assert "PROBE-ESCAPED [" not in outputs or "PROBE-ESCAPED []" in outputs, outputs
    if name in HARMLESS_PROBES:  # it ran to the end: a full score means blocked, not timed out
        assert "PROBE-ESCAPED []" in outputs, outputs[-500:]


@pytest.mark.parametrize("name", sorted(UNREADABLE))
def test_unreadable_notebooks_get_zero_and_a_clear_reason(batch, name):
    row = batch["rows"][name]
    assert (row["score"], row["status"]) == (0, "invalid")
    text = (batch["out"] / "feedback" / f"{name}.md").read_text()
    assert UNREADABLE[name][1] in " ".join(text.split())


@pytest.mark.parametrize("name, failing", [
    ("custom_comparison", Q6), ("nan", Q6), ("complex_value", Q6), ("mutate_inputs", Q6),
    ("echo_inputs", Q6), ("echo_inputs_spelled", Q6), ("syntax_error_cell", Q6),
    ("ndarray_subclass", PATH_TEST),
    ("string_dtype", PATH_TEST), ("broadcast_scalar", PATH_TEST), ("object_array", Q3),
])
def test_bad_values_fail_exactly_the_tests_that_read_them(batch, name, failing):
    tests = hidden(results(batch["out"], name))
    assert {n for n, t in tests.items() if t["outcome"] != "passed"} == failing


def test_feedback_never_echoes_hidden_inputs(batch):
    feedback = (batch["out"] / "feedback" / "echo_inputs.md").read_text()
    assert "raised ValueError" in feedback
    assert not re.search(r"\d\.\d+\s+-?\d\.\d+\s+-?\d\.\d+", feedback)
    lines = (batch["out"] / "feedback" / "echo_inputs_spelled.md").read_text().splitlines()
    hidden_lines = [ln for ln in lines if "(hidden," in ln and "raised ValueError" in ln]
    assert len(hidden_lines) == 2  # the two q6 tests; the message itself is not shown
    assert not any(re.search(r"[a-j]P[a-j]{4}", ln) for ln in hidden_lines)
    details = (batch["out"] / "instructor" / "echo_inputs_spelled.txt").read_text()
    assert re.search(r"[a-j]P[a-j]{4}", details)
    details = (batch["out"] / "instructor" / "echo_inputs.txt").read_text()
    assert re.search(r"\d\.\d+\s+-?\d\.\d+\s+-?\d\.\d+", details)  # instructors see it all


def test_cells_that_kill_or_hang_the_worker_are_skipped_and_reported(batch):
    for name in ("kill_everything", "ignore_cpu_timer"):
        cells = results(batch["out"], name)["cells"]
        assert cells[-1]["status"] == "skipped", (name, cells[-1])
    cells = results(batch["out"], "timeout_with_children")["cells"]
    assert cells[-1]["status"] == "timeout"
    notes = results(batch["out"], "foreign_kernel")["notes"]
    assert any("R kernel" in n for n in notes)
    feedback = (batch["out"] / "feedback" / "shell_and_magics.md").read_text()
    assert "cell magic %%bash is not Python; the cell was skipped" in feedback


HARMLESS_PROBES = ["read_forbidden_files", "network", "see_host_processes", "privileges",
                   "forbidden_tricks", "forbidden_helpers"]


def test_the_probes_can_fail_without_the_sandbox(tmp_path):
    """The same probes, graded with --unsafe-no-sandbox, do escape (and lose their point):
    so a full score in the sandboxed batch means blocked, not a probe that cannot see."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in HARMLESS_PROBES:  # read-only probes: nothing on the host is changed
        (subs / f"{name}.ipynb").write_text(json.dumps(CASES[name][1](load(SOURCE))))
    (subs / "solution.ipynb").write_bytes(SOURCE.read_bytes())
    with socket.create_server(("127.0.0.1", 0)) as listener:
        fill(subs, listener.getsockname()[1])
        result = cli("grade", "--lab", str(LAB), str(subs), "--out", str(tmp_path / "out"),
                     "--jobs", "2", "--timeout", "2", "--cell-timeout", "2", "--json",
                     "--unsafe-no-sandbox")
    rows = {r["submission"]: r for r in json.loads(result.stdout)["submissions"]}
    for name in HARMLESS_PROBES:
        assert rows[name]["score"] == FULL - 1, name
        outputs = " ".join(c.get("output") or "" for c in results(tmp_path / "out", name)["cells"])
        assert re.search(r"PROBE-ESCAPED \['", outputs), (name, outputs[-500:])
