"""Benchmark 6: grading throughput, `labgrader grade --jobs 2` (sandboxed) vs `nbgrader autograde`.

Both graders grade ``n`` copies of the same perfect submission of one lab
(``labs/prox_gradient``: 25 points, 6 exercises, 18 hidden tests) and must give
every copy full marks. nbgrader grades an equivalent assignment built from the
same lab (``nbgrader_assignment.py``): the same notebook, the same hidden tests,
one autograded cell per test worth the test's points. Both run the notebook in
this project's Python (nbgrader through a kernelspec pointing at it), so the
libraries are the same; what differs is the grader:

* labgrader: every submission in its own sandboxed worker (bubblewrap, a
  separate user, resource limits), two at a time (``--jobs 2``);
* nbgrader: one kernel per submission, one submission after the other, tests in
  the student's own kernel (nbgrader has neither parallel grading nor a sandbox).

Each repeat grades all ``n`` submissions with each grader from scratch (a fresh
output folder, a fresh copy of the nbgrader course), alternating which goes
first. Reported: seconds per submission (median over repeats of total / n) and
the ratio labgrader / nbgrader (target: below 1, i.e. faster, while sandboxed).
Preparing the assignment (``nbgrader generate_assignment``, copying the
submissions) is not timed.

nbgrader is not in the project's environment (it pulls in JupyterLab): ``make
bench`` installs it into ``.venv-nbgrader`` from ``requirements-nbgrader.txt``.
Set ``NBGRADER=/path/to/nbgrader`` to use another. Without it a ``--size tiny``
run grades with labgrader only and says so (``peer_skipped``); a full run fails.

    python benchmarks/bench_grading.py               # 20 submissions, 3 repeats (~5 min)
    python benchmarks/bench_grading.py --size tiny   # 2 submissions, 1 repeat
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT))

import nbgrader_assignment  # noqa: E402
from _common import bench_parser, machine_info, median  # noqa: E402

from labgrader.cli import sandbox_problem  # noqa: E402
from labgrader.lab import load_lab  # noqa: E402
from labgrader.release import solved_notebook  # noqa: E402

SIZES = {"tiny": {"n": 2, "repeats": 1}, "full": {"n": 20, "repeats": 3}}
LAB = ROOT / "labs" / "prox_gradient"
JOBS = 2
KERNEL = "labgrader-bench"
NBGRADER_VENV = ROOT / ".venv-nbgrader"
INSTALL_HINT = "run `make bench` (it installs nbgrader into .venv-nbgrader) or set NBGRADER"


def nbgrader_command():
    """The nbgrader executable: ``$NBGRADER``, else ``.venv-nbgrader/bin/nbgrader``, else None."""
    candidate = os.environ.get("NBGRADER") or str(NBGRADER_VENV / "bin" / "nbgrader")
    return candidate if Path(candidate).exists() else None


def _timed(cmd, cwd, env, timeout=3600):
    """Run ``cmd``; return (wall seconds, stdout).

    Wall time only: the CPU time of sandboxed workers (other users, other PID
    namespaces) does not reliably reach this process's ``RUSAGE_CHILDREN``.
    """
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    wall = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd[:3]))} failed (exit {proc.returncode}):\n"
                           f"{(proc.stdout + proc.stderr)[-3000:]}")
    return wall, proc.stdout


# ---------------------------------------------------------------- labgrader
def labgrader_grade(lab, submissions, out, sandbox):
    """Grade every notebook in ``submissions``; return (wall s, {name: score})."""
    cmd = [sys.executable, "-m", "labgrader", "grade", "--lab", str(lab.root), str(submissions),
           "--out", str(out), "--jobs", str(JOBS), "--json"]
    if not sandbox:
        cmd.append("--unsafe-no-sandbox")
    wall, stdout = _timed(cmd, ROOT, os.environ.copy())
    summary = json.loads(stdout)
    return wall, {r["submission"]: r["score"] for r in summary["submissions"]}


# ---------------------------------------------------------------- nbgrader
def nbgrader_env(nbgrader, workdir):
    """PATH with nbgrader's venv first (it calls ``alembic``), and a Jupyter data folder
    whose kernelspec ``labgrader-bench`` runs this Python; user config kept out."""
    kernel = Path(workdir) / "jupyter" / "kernels" / KERNEL
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": KERNEL, "language": "python"}))
    env = os.environ.copy()
    env["PATH"] = f"{Path(nbgrader).parent}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PATH"] = str(Path(workdir) / "jupyter")
    env["JUPYTER_CONFIG_DIR"] = str(Path(workdir) / "jupyter-config")
    env["JUPYTER_RUNTIME_DIR"] = str(Path(workdir) / "jupyter-runtime")
    return env


def prepare_course(lab, nbgrader, course, n, env):
    """Source, release (``generate_assignment``) and ``n`` submissions of the nbgrader course."""
    assignment = nbgrader_assignment.write_course(lab, course, kernel_name=KERNEL)
    _timed([nbgrader, "generate_assignment", assignment], course, env)
    return nbgrader_assignment.write_submissions(course, assignment, lab.notebook.name, n)


def nbgrader_grade(nbgrader, template, course, assignment, env):
    """Autograde ``course``, a fresh copy of ``template``; return (wall s, {student: score})."""
    shutil.copytree(template, course)
    wall, _ = _timed([nbgrader, "autograde", assignment, "--create"], course, env)
    graded = list((course / "autograded").glob(f"*/{assignment}/*.ipynb"))
    expected = len(list((course / "submitted").glob(f"*/{assignment}/*.ipynb")))
    if len(graded) != expected or (Path(template) / "autograded").exists():
        raise RuntimeError(f"nbgrader autograded {len(graded)} of {expected} notebooks in the "
                           "fresh course: a timing that skipped work would be meaningless.")
    _timed([nbgrader, "export", "--to", str(course / "grades.csv")], course, env)
    with open(course / "grades.csv", newline="") as fh:
        scores = {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(fh)}
    shutil.rmtree(course)
    return wall, scores


def nbgrader_version(nbgrader, env):
    proc = subprocess.run([nbgrader, "--version"], capture_output=True, text=True, env=env)
    return proc.stdout.strip() or proc.stderr.strip()


# ---------------------------------------------------------------- the benchmark
def run(size="full", repeats=None, lab_dir=LAB):
    """Grade ``n`` copies with both graders, ``repeats`` times; return a JSON-ready dict.

    Keys: ``benchmark``, ``size``, ``lab``, ``n_submissions``, ``jobs``,
    ``sandboxed``, ``labgrader_median_s`` and ``nbgrader_median_s`` (seconds per
    submission), ``ratio``, ``target``, ``meets_target``, the per-repeat times,
    ``max_score``, ``labgrader_scores`` / ``nbgrader_scores`` (every
    submission's score, last repeat), ``scores_agree``, ``peer_skipped`` (why
    nbgrader did not run, or None), ``nbgrader_version``, ``notes``, ``machine``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    n, n_repeats = SIZES[size]["n"], repeats or SIZES[size]["repeats"]
    lab = load_lab(lab_dir)
    problem = sandbox_problem()
    if problem is not None and size == "full":
        raise RuntimeError(f"the sandbox is not available ({problem}); the target is "
                           "'faster while sandboxed', so a full run needs it.")
    nbgrader = nbgrader_command()
    if nbgrader is None and size == "full":
        raise RuntimeError(f"nbgrader not found: {INSTALL_HINT}.")
    ours, theirs = [], []
    with tempfile.TemporaryDirectory(prefix="normlib-bench-grading-") as tmp:
        tmp = Path(tmp)
        subs = tmp / "submissions"
        subs.mkdir()
        solved = solved_notebook(nbformat.read(lab.notebook, as_version=4))
        for i in range(n):
            nbformat.write(solved, subs / f"student_{i:02d}.ipynb")
        env = version = None
        if nbgrader is not None:
            env = nbgrader_env(nbgrader, tmp)
            version = nbgrader_version(nbgrader, env)
            prepare_course(lab, nbgrader, tmp / "course", n, env)

        def ours_once(r):
            wall, scores = labgrader_grade(lab, subs, tmp / f"labgrader-out-{r}",
                                           sandbox=problem is None)
            ours.append(wall / n)
            return scores

        def theirs_once(r):
            wall, scores = nbgrader_grade(nbgrader, tmp / "course", tmp / f"nbgrader-run-{r}",
                                          lab.id, env)
            theirs.append(wall / n)
            return scores

        our_scores, their_scores = {}, {}
        for r in range(n_repeats):
            if nbgrader is not None and r % 2 == 1:
                their_scores = theirs_once(r)
            our_scores = ours_once(r)
            if nbgrader is not None and r % 2 == 0:
                their_scores = theirs_once(r)
    return _result(size, lab, n, problem, nbgrader, version, ours, theirs, our_scores,
                   their_scores)


def _result(size, lab, n, problem, nbgrader, version, ours, theirs, our_scores, their_scores):
    full = lab.max_points
    ours_s = median(ours)
    theirs_s = median(theirs) if theirs else None
    ratio = ours_s / theirs_s if theirs_s else None
    agree = (sorted(our_scores.values()) == sorted(their_scores.values())
             if nbgrader is not None else None)
    all_full = all(score == full for score in our_scores.values())
    notes = (f"seconds per submission, {n} copies of the solution; labgrader "
             f"{'sandboxed' if problem is None else 'NOT sandboxed'}, {JOBS} jobs; nbgrader "
             "sequential, tests in the student's kernel; "
             + (f"all {full:g}/{full:g} in both" if agree and all_full
                else "SCORES DIFFER" if nbgrader is not None else
                f"nbgrader not run ({INSTALL_HINT})"))
    return {
        "benchmark": "grading",
        "size": size,
        "lab": lab.id,
        "n_submissions": n,
        "jobs": JOBS,
        "sandboxed": problem is None,
        "peer": "nbgrader autograde",
        "labgrader_median_s": ours_s,
        "nbgrader_median_s": theirs_s,
        "ratio": ratio,
        "target": 1.0,
        "meets_target": None if ratio is None else bool(ratio <= 1.0 and problem is None
                                                        and agree and all_full),
        "labgrader_per_submission_s": ours,
        "nbgrader_per_submission_s": theirs,
        "max_score": full,
        "labgrader_scores": our_scores,
        "nbgrader_scores": their_scores,
        "scores_agree": agree,
        "peer_skipped": None if nbgrader is not None else f"nbgrader not found: {INSTALL_HINT}",
        "nbgrader_version": version,
        "notes": notes,
        "machine": machine_info(),
    }


def main(argv=None):
    parser = bench_parser(__doc__, SIZES, "rounds of grading all submissions with each grader")
    parser.add_argument("--lab", default=str(LAB), help="the lab folder (default: prox_gradient)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size, repeats=args.repeats, lab_dir=args.lab), indent=2))


if __name__ == "__main__":
    main()
