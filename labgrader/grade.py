"""Grade many submissions of one lab in parallel.

Each submission gets a fresh trusted process (:func:`labgrader.runner.run_task`)
forked from a fork server that has already imported pytest, numpy and the
libraries the lab's tests import, so a submission pays for its own worker and
tests but not for importing scikit-learn again. That process starts the
untrusted worker, runs the tests, and writes its result to a file; this module
only reads results, records them in the gradebook (one transaction per
submission, as each finishes) and writes the reports.

A submission already graded for the same lab version with the same bytes is
skipped unless ``regrade`` is set.

With ``sandbox=True`` the run locks one sandbox uid per parallel job
(:func:`labgrader.sandbox.acquire_slots`), builds the sandbox image once, and
hands each submission a free uid; after each submission every process of that
uid is killed before the uid is reused. Temporary folders live in one
``/tmp/labgrader-*`` folder per run, locked while the run lives; a later run
removes those of runs that were killed.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import json
import multiprocessing
import os
import queue
import shutil
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path

from tqdm import tqdm

from labgrader import report
from labgrader.gradebook import Gradebook
from labgrader.runner import run_task

GRADEBOOK = "gradebook.sqlite"


class UsageError(ValueError):
    """Bad command-line input: missing files, no submissions (exit code 2)."""


@dataclass
class Submission:
    name: str
    path: Path
    sha256: str


def find_submissions(paths):
    """Expand files and folders (``*.ipynb`` inside, recursively) into a sorted file list."""
    found, missing = [], []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found += [p for p in sorted(path.rglob("*.ipynb"))
                      if ".ipynb_checkpoints" not in p.parts]
        elif path.is_file():
            found.append(path)
        else:
            missing.append(str(raw))
    if missing:
        raise UsageError("submission not found: " + ", ".join(missing))
    unique = list(dict.fromkeys(p.resolve() for p in found))
    if not unique:
        raise UsageError("no submissions to grade (give .ipynb files or folders holding them)")
    return unique


def name_submissions(files):
    """Name each submission by its file stem, or by its path when stems collide."""
    stems = [f.stem for f in files]
    if len(set(stems)) == len(stems):
        names = stems
    else:
        common = Path(*_common_parts(files))
        names = [str(f.relative_to(common).with_suffix("")).replace("/", "__") for f in files]
    return [Submission(n, f, hashlib.sha256(_read(f)).hexdigest()) for n, f in zip(names, files)]


def _common_parts(files):
    parts = [f.parent.parts for f in files]
    common = []
    for group in zip(*parts):
        if len(set(group)) != 1:
            break
        common.append(group[0])
    return common or ["/"]


def _read(path):
    try:
        return path.read_bytes()
    except OSError:
        return b""


def preload_modules(lab):
    """Modules the lab's tests import (loaded once in the fork server)."""
    names = {"labgrader.runner", "numpy", "pytest"}
    for path in [lab.public_tests, *lab.hidden_files()]:
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"))
        except (SyntaxError, OSError, UnicodeDecodeError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names |= {a.name for a in node.names}
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
    return sorted(names)


def _context(lab):
    for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(name, "1")  # parallel runners must not oversubscribe the cores
    os.environ.setdefault("MPLBACKEND", "Agg")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(preload_modules(lab))
    return ctx


def _seed(lab_version, sha256):
    return int(hashlib.sha256(f"{lab_version}:{sha256}".encode()).hexdigest()[:15], 16)


def _grade_in_process(ctx, task, workdir, submission_timeout, uids=None):
    uid = uids.get() if uids is not None else None
    try:
        if uid is not None:
            task = {**task, "sandbox": {"uid": uid, "image": str(workdir.parent / "image")}}
        return _run_in_process(ctx, task, workdir, submission_timeout)
    finally:
        if uid is not None:
            from labgrader.sandbox import kill_uid

            kill_uid(uid)
            uids.put(uid)


def _run_in_process(ctx, task, workdir, submission_timeout):
    task_path = workdir / f"{task['key']}.task.json"
    task_path.write_text(json.dumps(task), encoding="utf-8")
    start = time.perf_counter()
    proc = ctx.Process(target=run_task, args=(str(task_path),))
    proc.start()
    proc.join(submission_timeout)
    if proc.is_alive():
        proc.kill()
        proc.join()
        return _failure(f"grading took longer than {submission_timeout:g} s and was stopped",
                        task, start)
    result_path = Path(task["result"])
    if not result_path.exists():
        return _failure(f"the grading process died (exit code {proc.exitcode})", task, start)
    size = result_path.stat().st_size
    if size > MAX_RESULT_BYTES:
        return _failure(f"the grading result was {size} bytes, more than the limit of "
                        f"{MAX_RESULT_BYTES}: not recorded", task, start)
    return json.loads(result_path.read_text(encoding="utf-8"))


def _record(book, lab_id, version, sub, future):
    """Record one submission's result; if that fails, record the failure instead.

    One submission's result must never stop the batch: the others are graded and
    recorded whatever this one holds.
    """
    try:
        result = future.result()
        book.record(lab_id, version, sub.name, sub.path, sub.sha256, result)
        return result
    except Exception as exc:  # noqa: BLE001 - recorded as this submission's error
        result = _error_result("the grader could not record this submission's result "
                               f"({type(exc).__name__}: {str(exc)[:300]})")
        book.record(lab_id, version, sub.name, sub.path, sub.sha256, result)
        return result


def _error_result(message, **extra):
    """A result with status ``error`` (no points; the next run grades it again)."""
    return {"status": "error", "message": message, "score": 0.0, "max_score": 0.0,
            "tests": [], "notes": [], "cells": [], "log": "", **extra}


def _failure(message, task, start):
    log = Path(task["log"])
    tail = log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""
    return _error_result(message, log=tail, lab=task["lab_info"],
                         seconds=round(time.perf_counter() - start, 3))


RUN_PREFIX = "labgrader-"
MAX_RESULT_BYTES = 32 * 2**20  # a real result is a few hundred kB

def clean_stale_runs(root=None):
    """Remove ``labgrader-*`` folders of grading runs that were killed; return their paths."""
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in root.glob(RUN_PREFIX + "*"):
        lock = folder / ".lock"
        try:  # only folders made by _run_folder hold a .lock; others are not ours to judge
            if not lock.is_file():
                continue
            with open(lock) as handle:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(str(folder))
        except OSError:
            continue  # locked by a live run, or already gone
    return removed


@contextlib.contextmanager
def _run_folder(sandbox, lab):
    """A private folder for this run (locked while it lives), with the sandbox image."""
    clean_stale_runs()
    tmp = Path(tempfile.mkdtemp(prefix=RUN_PREFIX))
    handle = open(tmp / ".lock-new", "a")  # noqa: SIM115 - closed below
    fcntl.flock(handle, fcntl.LOCK_EX)
    os.rename(tmp / ".lock-new", tmp / ".lock")  # visible to cleaners only once locked
    private = tmp / "private"
    private.mkdir(mode=0o700)
    try:
        if sandbox:
            from labgrader.sandbox import build_image

            os.chmod(tmp, 0o711)  # the sandbox uid may reach its own mounts, not list them
            build_image(tmp / "image", lab.forbidden)
        (tmp / "workers").mkdir(mode=0o711)
        yield tmp
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
        handle.close()


def grade(lab, paths, out, *, jobs=2, timeout=None, cell_timeout=None, memory_mb=None,
          submission_timeout=600.0, regrade=False, progress=True, sandbox=False):
    """Grade the notebooks in ``paths`` into ``out``; return a summary dict.

    ``sandbox=True`` runs every worker in :mod:`labgrader.sandbox` (the CLI's
    default where it is available); ``False`` only limits its resources.
    """
    start = time.perf_counter()
    submissions = name_submissions(find_submissions(paths))
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    version = lab.version()
    lab_info = {"id": lab.id, "title": lab.title,
                "exercises": {e.id: e.title for e in lab.exercises}}
    entries, cpu = {}, {}
    clean_stale_runs()
    with Gradebook(out / GRADEBOOK) as book:
        todo = []
        for sub in submissions:
            if not regrade and book.is_graded(lab.id, version, sub.name, sub.sha256):
                entries[sub.name] = "skipped"
            else:
                todo.append(sub)
        if todo:
            ctx = _context(lab)
            slots = uids = None
            if sandbox:
                from labgrader.sandbox import acquire_slots

                slots = acquire_slots(min(max(1, jobs), len(todo)))
                uids = queue.Queue()
                for uid in slots.uids:
                    uids.put(uid)
            with contextlib.ExitStack() as stack:
                if slots is not None:
                    stack.callback(slots.release)
                run = stack.enter_context(_run_folder(sandbox, lab))
                pool = stack.enter_context(ThreadPoolExecutor(max_workers=max(1, jobs)))
                workdir = run / "private"
                futures = {}
                for i, sub in enumerate(todo):
                    task = {"key": f"s{i}", "lab": str(lab.root), "submission": str(sub.path),
                            "result": str(workdir / f"s{i}.result.json"),
                            "log": str(workdir / f"s{i}.log"), "seed": _seed(version, sub.sha256),
                            "timeout": timeout, "cell_timeout": cell_timeout,
                            "memory_mb": memory_mb, "lab_info": lab_info,
                            "tmp": str(run / "workers")}
                    futures[pool.submit(_grade_in_process, ctx, task, workdir,
                                        submission_timeout, uids)] = sub
                bar = tqdm(total=len(todo), desc=f"grading {lab.id}", unit="nb",
                           disable=not progress)
                for future in as_completed(futures):
                    sub = futures[future]
                    result = _record(book, lab.id, version, sub, future)
                    cpu[sub.name] = result.get("cpu_seconds", 0.0)
                    entries[sub.name] = "graded"
                    bar.update()
                bar.close()
        grades = book.current_grades(lab.id)
        report.write_outputs(grades, book.history(lab.id), out)
    by_name = {g["submission"]: g for g in grades}
    rows = [{"submission": s.name, "path": str(s.path), "action": entries[s.name],
             "score": by_name[s.name]["score"], "max_score": by_name[s.name]["max_score"],
             "status": by_name[s.name]["status"],
             "message": by_name[s.name]["result"].get("message", "")} for s in submissions]
    return {"lab": lab.id, "lab_version": version, "out": str(out),
            "graded": sum(r["action"] == "graded" for r in rows),
            "skipped": sum(r["action"] == "skipped" for r in rows),
            "failed": sum(r["status"] != "ok" for r in rows),
            "seconds": round(time.perf_counter() - start, 2),
            "cpu_seconds": round(sum(cpu.values()), 2), "submissions": rows}


def export(out, lab_id=None):
    """Rewrite the reports in ``out`` from its gradebook; return a summary dict."""
    path = Path(out) / GRADEBOOK
    if not path.is_file():
        raise UsageError(f"no gradebook at {path} (run `labgrader grade ... --out {out}` first)")
    with Gradebook(path) as book:
        labs = book.labs()
        if lab_id is None:
            if len(labs) != 1:
                raise UsageError(f"the gradebook holds labs {labs}: choose one with --lab")
            lab_id = labs[0]
        elif lab_id not in labs:
            raise UsageError(f"the gradebook has no grades for lab {lab_id!r} (it has {labs})")
        grades = book.current_grades(lab_id)
        history = book.history(lab_id)
    report.write_outputs(grades, history, out)
    return {"lab": lab_id, "out": str(out), "submissions": len(grades),
            "history_rows": len(history)}
