"""The sandbox's parts, and crash safety: SIGKILL a grading run at random points, rerun.

The pieces are checked against independent oracles: running the filtered
source (the stub raises, everything else behaves as the original module),
``flock`` itself (slots held by one process are refused to another), the
gradebook's rows read with plain SQL. The sandboxed parts skip, loudly, without
root and bubblewrap; the crash test then runs with ``--unsafe-no-sandbox``.
"""

import fcntl
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import types
from pathlib import Path

import numpy as np
import pytest
from labgrader_helpers import LAB, REPO, SOURCE, cli, load

from labgrader import sandbox
from labgrader.grade import clean_stale_runs
from labgrader.proxy import sanitize

REASON = sandbox.unavailable_reason()
needs_sandbox = pytest.mark.skipif(
    REASON is not None, reason=f"SANDBOX NOT TESTED: {REASON} (run as root after `make sysdeps`)")
UID_BASE = 63000  # this file's own uid range (the adversarial suite uses 62000)

MODULE = '''
import numpy as np

def soft_threshold(v, t):
    """The original."""
    return np.sign(v) * np.maximum(np.abs(v) - t, 0.0)

def uses_it(v):
    return soft_threshold(v, 1.0)

def other(v):
    return 2 * v

class Solver:
    def fit(self):
        return "fitted"
'''


def _load(source):
    module = types.ModuleType("filtered")
    exec(compile(source, "<filtered>", "exec"), module.__dict__)  # noqa: S102
    return module


def test_filter_module_stubs_exactly_the_forbidden_names():
    text, stubbed = sandbox.filter_module(MODULE, {"soft_threshold", "Solver"}, "normlib.prox")
    assert stubbed == {"soft_threshold", "Solver"}
    assert "np.maximum" not in text and "The original" not in text  # nothing left to recover
    filtered, original = _load(text), _load(MODULE)
    v = np.array([-2.0, 0.5, 3.0])
    with pytest.raises(RuntimeError, match="normlib.prox.soft_threshold is not available"):
        filtered.soft_threshold(v, 1.0)
    with pytest.raises(RuntimeError, match="soft_threshold is not available"):
        filtered.uses_it(v)  # callers inside the module reach the stub too
    with pytest.raises(RuntimeError, match="normlib.prox.Solver is not available"):
        filtered.Solver()
    np.testing.assert_array_equal(filtered.other(v), original.other(v))


def test_build_image_holds_only_worker_modules_and_a_filtered_normlib(tmp_path):
    image = sandbox.build_image(tmp_path / "image", ["normlib.prox.soft_threshold",
                                                     "sklearn.linear_model.Lasso"])
    assert sorted(p.name for p in (image / "labgrader").iterdir()) == [
        "__init__.py", "protocol.py", "worker.py"]
    prox = (image / "normlib" / "prox.py").read_text()
    original = (REPO / "normlib" / "prox.py").read_text()
    assert "def soft_threshold(*a, **k):" in prox and "is not available in this lab" in prox
    assert "def soft_threshold(*a, **k):" not in original
    # the module's private helpers and its other functions go too: they would do the work
    for name in ("_soft_threshold", "group_soft_threshold", "project_l1_ball"):
        assert f"def {name}(*a, **k):" in prox and f"def {name}(" in original
    assert (image / "normlib" / "solvers.py").read_bytes() == (
        REPO / "normlib" / "solvers.py").read_bytes()
    modes = {oct(p.stat().st_mode & 0o777) for p in image.rglob("*")}
    assert modes <= {"0o755", "0o644"}


@pytest.mark.parametrize("message, shown", [
    ("RuntimeError: boom", "RuntimeError: boom"),
    ("ValueError: [ 0.1 -2.5e-3 7. ] bad", "ValueError: [ ... ] bad"),
    ("ValueError: 12 apples", "ValueError: 12 apples"),
])
def test_sanitize_redacts_echoed_arrays(message, shown):
    assert sanitize(message) == shown


def test_sanitize_bounds_the_length():
    text = sanitize("E: " + "word " * 500)
    assert len(text) == 200 and text.endswith("...")


def test_stale_run_folders_are_removed_live_ones_kept(tmp_path):
    stale, live, foreign = tmp_path / "labgrader-stale", tmp_path / "labgrader-live", \
        tmp_path / "labgrader-other"
    for folder in (stale, live, foreign):
        folder.mkdir()
    (stale / ".lock").touch()
    (live / ".lock").touch()
    with open(live / ".lock") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        removed = clean_stale_runs(tmp_path)
    assert removed == [str(stale)]
    assert live.exists() and foreign.exists() and not stale.exists()


@needs_sandbox
def test_slots_are_exclusive_between_processes(monkeypatch):
    monkeypatch.setattr(sandbox, "UID_BASE", UID_BASE)
    mine = sandbox.acquire_slots(2)
    try:
        probe = ("import sys; sys.path.insert(0, sys.argv[1]); from labgrader import sandbox; "
                 f"sandbox.UID_BASE = {UID_BASE}; s = sandbox.acquire_slots(2); print(s.uids)")
        other = subprocess.run([sys.executable, "-c", probe, str(REPO)], capture_output=True,
                               text=True, timeout=60, check=True)
        theirs = json.loads(other.stdout)
        assert len(set(theirs)) == 2 and not set(theirs) & set(mine.uids)
    finally:
        mine.release()


def test_cli_refusal_names_the_reason(tmp_path):
    result = cli("grade", "--lab", str(LAB), str(SOURCE), "--out", str(tmp_path / "out"),
                 path=str(tmp_path))
    assert result.returncode == 2
    assert "refusing to grade" in result.stderr and "not found" in result.stderr


# ---------------------------------------------------------------- crash and resume


def _grade_command(subs, out):
    args = [sys.executable, "-m", "labgrader", "grade", "--lab", str(LAB), str(subs), "--out",
            str(out), "--jobs", "2", "--timeout", "2", "--cell-timeout", "5", "--no-progress"]
    return args + (["--unsafe-no-sandbox"] if REASON is not None else [])


def _env():
    return {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
            "OMP_NUM_THREADS": "1", "LABGRADER_UID_BASE": str(UID_BASE)}


def test_sigkill_at_random_points_then_rerun_keeps_exactly_one_grade_each(tmp_path):
    subs = tmp_path / "subs"
    subs.mkdir()
    released = cli("release", str(LAB), "--out", str(tmp_path / "dist"))
    assert released.returncode == 0, released.stderr
    student = load(tmp_path / "dist" / "prox_gradient" / "prox_gradient.ipynb")
    names = [f"s{i}" for i in range(6)]
    for i, name in enumerate(names):
        student["cells"][-1]["source"] = f"# submission {i}\n"  # distinct bytes
        (subs / f"{name}.ipynb").write_text(json.dumps(student))
    (subs / "broken.ipynb").write_bytes(b"{not json")
    names.append("broken")
    out = tmp_path / "out"
    rng = np.random.default_rng(7)
    killed_at = []
    for delay in rng.uniform(0.5, 9.0, size=3):
        proc = subprocess.Popen(_grade_command(subs, out), cwd=REPO, env=_env(),
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            killed_at.append(round(float(delay), 2))
        proc.wait()
    assert killed_at, "no run was killed: make the delays shorter"
    final = subprocess.run(_grade_command(subs, out) + ["--json"], cwd=REPO, env=_env(),
                           capture_output=True, text=True, timeout=600)
    assert final.returncode == 1, final.stderr[-2000:]  # 1: the broken notebook

    db = sqlite3.connect(out / "gradebook.sqlite")
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    rows = db.execute("SELECT submission, COUNT(*), SUM(current) FROM grades "
                      "GROUP BY submission").fetchall()
    db.close()
    assert sorted(r[0] for r in rows) == sorted(names)  # none lost
    assert all(r[1] == 1 and r[2] == 1 for r in rows), rows  # none duplicated
    summary = json.loads(final.stdout)
    assert summary["graded"] + summary["skipped"] == len(names)
    for row in summary["submissions"]:
        assert row["score"] == 0 and row["status"] == ("invalid" if row["submission"] ==
                                                       "broken" else "ok")
    # the killed runs' temporary folders are gone: any labgrader-* folder left is locked
    for folder in Path(tempfile.gettempdir()).glob("labgrader-*"):
        lock = folder / ".lock"
        try:
            handle = open(lock)  # noqa: SIM115
        except OSError:
            continue
        with handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a live run holds it
            assert not folder.exists(), f"stale run folder left behind: {folder}"
    assert sandbox.processes_of(range(UID_BASE, UID_BASE + sandbox.UID_COUNT)) == []


LAB_DIRS = sorted(p.parent for p in (REPO / "labs").glob("*/lab.toml"))


@pytest.mark.parametrize("lab_dir", LAB_DIRS, ids=[p.name for p in LAB_DIRS])
def test_each_labs_image_imports_and_blocks_its_forbidden_modules(lab_dir, tmp_path):
    """In a fresh interpreter on the image: all of normlib imports, normlib.data (which the
    labs use) works, and every function of a module that defines a forbidden function raises."""
    import subprocess
    import sys

    from labgrader.lab import load_lab

    lab = load_lab(lab_dir)
    image = sandbox.build_image(tmp_path / "image", lab.forbidden)
    probe = f"""
import importlib, inspect, pkgutil, sys
sys.path.insert(0, {str(image)!r})
import normlib, normlib.data
assert normlib.__file__.startswith({str(image)!r}), normlib.__file__
for info in pkgutil.walk_packages(normlib.__path__, "normlib."):
    importlib.import_module(info.name)
normlib.data.sparse_regression(20, 5, 2, seed=0)
blocked = set()
for dotted in {list(lab.forbidden)!r}:
    module, _, name = dotted.rpartition(".")
    if not module.startswith("normlib"):
        continue
    home = sys.modules[getattr(getattr(importlib.import_module(module), name), "__module__")]
    for attr, obj in vars(home).items():
        if inspect.isfunction(obj) and obj.__module__ == home.__name__:
            try:
                obj()
            except RuntimeError as exc:
                assert "is not available in this lab" in str(exc), (attr, exc)
                blocked.add(attr)
            else:
                raise AssertionError(attr + " still works")
print(len(blocked))
"""
    proc = subprocess.run([sys.executable, "-I", "-c", probe], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    uses_normlib = any(d.startswith("normlib.") for d in lab.forbidden)
    assert (int(proc.stdout.split()[-1]) > 0) == uses_normlib


# ---------------------------------------------------------------- per-slot cgroups
def _limits(**kw):
    from labgrader.launch import Limits

    return Limits(**{"memory_mb": 100, "scratch_mb": 10, "processes": 7, **kw})


def test_slot_cgroups_write_one_cpu_memory_and_process_limit_per_slot(tmp_path):
    v1 = tmp_path / "v1"
    for controller in ("cpu", "memory", "pids"):
        (v1 / controller).mkdir(parents=True)
    procs = sandbox.slot_cgroups(61234, _limits(), root=v1)
    group = "labgrader/slot-61234"
    assert procs == [v1 / c / group / "cgroup.procs" for c in ("cpu", "memory", "pids")]
    assert (v1 / "cpu" / group / "cpu.shares").read_text() == "1024"
    assert (v1 / "memory" / group / "memory.limit_in_bytes").read_text() == str(110 * 2**20)
    assert (v1 / "pids" / group / "pids.max").read_text() == "7"

    v2 = tmp_path / "v2"
    (v2 / "labgrader" / "slot-61234").mkdir(parents=True)
    (v2 / "cgroup.controllers").write_text("cpu memory pids")
    for name in ("cpu.weight", "memory.max", "pids.max"):
        (v2 / "labgrader" / "slot-61234" / name).write_text("")
    assert sandbox.slot_cgroups(61234, _limits(), root=v2) == [
        v2 / "labgrader" / "slot-61234" / "cgroup.procs"]
    assert (v2 / "labgrader" / "cgroup.subtree_control").read_text() == "+cpu +memory +pids"
    assert (v2 / "labgrader" / "slot-61234" / "memory.max").read_text() == str(110 * 2**20)
    assert (v2 / "labgrader" / "slot-61234" / "pids.max").read_text() == "7"

    not_a_folder = tmp_path / "file"
    not_a_folder.write_text("")
    assert sandbox.slot_cgroups(61234, _limits(), root=not_a_folder) == []  # no cgroups: none


@pytest.mark.skipif(REASON is not None, reason=f"SANDBOX NOT TESTED: {REASON}")
def test_a_child_joins_its_slots_cgroups_and_its_process_limit_holds():
    uid = UID_BASE + 7
    procs = sandbox.slot_cgroups(uid, _limits(processes=5))
    if not procs:
        pytest.skip("CGROUPS NOT TESTED: no writable cgroup hierarchy on this machine")
    forks = ("import os, time\nn = 0\nfor _ in range(20):\n    try:\n        pid = os.fork()\n"
             "    except OSError:\n        break\n    if pid == 0:\n        time.sleep(30)\n"
             "        os._exit(0)\n    n += 1\nprint(n, flush=True)\ntime.sleep(30)\n")
    child = subprocess.Popen([sys.executable, "-c", forks], stdout=subprocess.PIPE, text=True,
                             start_new_session=True, preexec_fn=lambda: sandbox.join_cgroups(procs))
    try:
        started = int(child.stdout.readline())
        for path in procs:
            assert str(child.pid) in path.read_text().split(), path
        assert started == 4  # pids.max = 5: the parent and four children
    finally:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
