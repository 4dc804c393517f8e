"""Smoke runs of the benchmarks at tiny size, so that they cannot rot.

Timings are not checked (shared machines are noisy); each test checks that a
benchmark runs, returns the documented keys and a finite ratio, and that its
two sides computed the same thing. Add one test per benchmark in
``benchmarks/``, loading it with :func:`load_benchmark`.
"""

import importlib.util
import json
import math
import os
import statistics
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

BENCH_DIR = Path(__file__).resolve().parents[1] / "benchmarks"


def load_benchmark(name):
    """Import ``benchmarks/<name>.py`` as a module (the folder is not a package)."""
    if str(BENCH_DIR) not in sys.path:
        sys.path.insert(0, str(BENCH_DIR))  # for `from _common import ...`
    spec = importlib.util.spec_from_file_location(f"bench_{name}", BENCH_DIR / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_common_time_pair_alternates_and_reports_medians():
    common = load_benchmark("_common")
    calls = []
    result = common.time_pair(lambda: calls.append("a"), lambda: calls.append("b"),
                              repeats=4, number=2, warmup=1)
    # warmup a, b; then rounds a-first, b-first, a-first, b-first, each called `number` times
    assert "".join(calls) == "ab" + "aabb" + "bbaa" + "aabb" + "bbaa"
    assert len(result["times_a"]) == len(result["times_b"]) == 4
    assert result["median_a"] == statistics.median(result["times_a"])
    assert result["median_b"] == statistics.median(result["times_b"])
    assert result["ratio"] == pytest.approx(result["median_a"] / result["median_b"])
    with pytest.raises(ValueError, match="repeats >= 1"):
        common.time_pair(lambda: None, lambda: None, repeats=0)


def test_common_time_pair_separates_cpu_from_wall_time():
    """Sleeping costs wall time but no CPU time; a busy loop costs both."""
    import time

    def busy():
        end = time.perf_counter() + 0.01
        while time.perf_counter() < end:
            pass

    result = load_benchmark("_common").time_pair(busy, lambda: time.sleep(0.01), repeats=3)
    assert result["median_b"] >= 0.01 and result["cpu_median_b"] < 0.005
    assert result["cpu_median_a"] > 0.005
    assert result["cpu_ratio"] > 2


def test_common_machine_info_is_json_ready():
    info = load_benchmark("_common").machine_info()
    assert {"date_utc", "cpu_count", "python", "torch", "numpy"} <= set(info)
    json.dumps(info)


def test_bench_adamw_tiny():
    bench = load_benchmark("bench_adamw")
    result = bench.run("tiny", repeats=3)
    expected = {"benchmark", "size", "n_params", "n_tensors", "dtype", "repeats", "number",
                "normlib_median_s", "torch_median_s", "ratio", "target", "meets_target",
                "max_rel_diff", "normlib_times_s", "torch_times_s", "machine"}
    assert expected <= set(result)
    assert result["n_tensors"] >= 20
    assert math.isfinite(result["ratio"])
    assert result["ratio"] > 0
    assert result["max_rel_diff"] <= 1e-6  # both optimizers took the same steps
    json.dumps(result)
    with pytest.raises(ValueError, match="size must be one of"):
        bench.run("huge")


# ---------------------------------------------------------------- solver paths, group lasso
PATH_KEYS = {"benchmark", "size", "n", "d", "n_alphas", "repeats", "normlib_median_s",
             "sklearn_median_s", "peer_median_s", "ratio", "cpu_ratio", "target",
             "meets_target", "accuracy_matched", "normlib_tol", "sklearn_max_gap",
             "normlib_max_gap", "gap_formula_max_abs_diff", "max_objective_diff_over_gap",
             "normlib_times_s", "sklearn_times_s", "machine"}


@pytest.mark.parametrize("name", ["bench_lasso_path", "bench_enet_path"])
def test_bench_paths_tiny_match_sklearn_accuracy(name):
    result = load_benchmark(name).run("tiny", repeats=1)
    assert set(result) >= PATH_KEYS
    assert math.isfinite(result["ratio"]) and result["ratio"] > 0
    # scikit-learn's own reported gaps equal normlib's recomputation: one formula
    assert result["gap_formula_max_abs_diff"] <= 1e-10
    # normlib stopped at a gap no larger than scikit-learn's largest
    assert result["accuracy_matched"]
    assert result["normlib_max_gap"] <= result["sklearn_max_gap"]
    assert result["normlib_tol"] <= 1e-4
    # independent check: the two objectives (plain numpy) differ by at most the larger gap
    assert result["max_objective_diff_over_gap"] <= 1.0 + 1e-9
    json.dumps(result)


def test_bench_group_lasso_tiny_agrees_with_skglm_and_cvxpy():
    # a child process with numba's JIT off: skglm's compilation alone takes ~10 s
    env = {**os.environ, "NUMBA_DISABLE_JIT": "1", "OMP_NUM_THREADS": "1"}
    proc = subprocess.run([sys.executable, str(BENCH_DIR / "bench_group_lasso.py"),
                           "--size", "tiny", "--repeats", "1"],
                          capture_output=True, text=True, env=env, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    result = json.loads(proc.stdout)
    assert result["benchmark"] == "group_lasso" and result["size"] == "tiny"
    assert math.isfinite(result["ratio"]) and result["ratio"] > 0
    assert result["accuracy_matched"]
    assert result["normlib_gap"] <= result["skglm_gap"]
    # cvxpy (an interior-point solver) agrees with both answers
    assert result["cvxpy_rel_diff_normlib"] <= 1e-4
    assert result["cvxpy_rel_diff_skglm"] <= 1e-4
    assert result["normlib_objective"] <= result["cvxpy_objective"] + 1e-7
    assert result["active_groups"] >= 1


@pytest.mark.slow
def test_bench_book_tiny_builds_and_executes(tmp_path):
    bench = load_benchmark("bench_book")
    result = bench.run("tiny", workdir=tmp_path)
    assert result["benchmark"] == "book_build"
    assert result["cold_build_s"] > 0 and result["rebuild_s"] > 0
    assert len(result["table_rows"]) == 2
    page = (tmp_path / "copy0" / "book" / "_build" / "html" / "page.html").read_text()
    # the notebook ran: lasso_alpha_max([[1], [2]], [1, 1]) = |1 + 2| / 2
    assert "1.5" in page
    json.dumps(result)
    with pytest.raises(ValueError, match="size must be one of"):
        bench.run("huge")


# ---------------------------------------------------------------- grading vs nbgrader
LAB = BENCH_DIR.parent / "labs" / "prox_gradient"


def test_bench_grading_tiny_gives_full_marks_and_agrees_with_nbgrader_if_installed():
    """Without nbgrader (the project's env has none) only labgrader runs, and the result
    says why; with it (`make bench` installs .venv-nbgrader) both must agree."""
    bench = load_benchmark("bench_grading")
    result = bench.run("tiny")
    assert result["benchmark"] == "grading" and result["n_submissions"] == 2
    assert set(result["labgrader_scores"].values()) == {result["max_score"]} == {25.0}
    assert result["labgrader_median_s"] > 0
    if bench.nbgrader_command() is None:
        assert "nbgrader not found" in result["peer_skipped"]
        assert result["ratio"] is None and result["meets_target"] is None
    else:
        assert result["peer_skipped"] is None and result["scores_agree"]
        assert set(result["nbgrader_scores"].values()) == {25.0}
        assert math.isfinite(result["ratio"]) and result["ratio"] > 0
    json.dumps(result)
    with pytest.raises(ValueError, match="size must be one of"):
        bench.run("huge")


def _nbgrader_student_version(source):
    """nbgrader's rule, in plain string logic: a solution region becomes
    ``raise NotImplementedError()``; hidden tests stay (the autograder puts them back)."""
    out, inside = [], False
    for line in source.splitlines():
        if line.strip() == "### BEGIN SOLUTION":
            inside = True
            out.append(line[: len(line) - len(line.lstrip())] + "raise NotImplementedError()")
        elif line.strip() == "### END SOLUTION":
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def _points_earned(nb):
    earned = 0.0
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        failed = any(o.get("output_type") == "error" for o in cell.get("outputs", []))
        if meta.get("grade") and not failed:
            earned += meta["points"]
    return earned


def test_nbgrader_assignment_is_the_lab_with_the_same_tests_and_points(tmp_path):
    """The nbgrader version of the lab, executed as nbgrader would (one kernel, test cells
    pass when they do not raise): the solution earns the lab's full 25 points, the
    student version 0, and each exercise's test cells add up to its points in lab.toml."""
    from nbclient import NotebookClient

    from labgrader.lab import load_lab

    assignment = load_benchmark("nbgrader_assignment")
    lab = load_lab(LAB)
    assignment.write_course(lab, tmp_path / "course")
    folder = tmp_path / "course" / "source" / lab.id
    source = nbformat.read(folder / lab.notebook.name, as_version=4)
    tests = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("grade")]
    assert len(tests) == len(assignment.hidden_tests(lab)) == 18
    for ex in lab.exercises:
        points = sum(c.metadata["nbgrader"]["points"] for c in tests
                     if c.metadata["nbgrader"]["grade_id"].startswith(f"{ex.id}_"))
        assert points == ex.points
    solutions = [c for c in source.cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert solutions and all("### BEGIN SOLUTION" in c.source for c in solutions)
    assert not any("BEGIN SOLUTION" in c.source for c in source.cells
                   if not c.metadata.get("nbgrader", {}).get("solution"))

    def execute(nb):
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(folder)}}).execute()
        return nb

    solved = execute(nbformat.from_dict(dict(source)))
    assert _points_earned(solved) == lab.max_points == 25
    student = nbformat.from_dict(dict(source))
    for cell in student.cells:
        if cell.metadata.get("nbgrader", {}).get("solution"):
            cell.source = _nbgrader_student_version(cell.source)
    assert _points_earned(execute(student)) == 0


# ---------------------------------------------------------------- run_all
FAKE_OK = '''
def run(size):
    return {"benchmark": "ok", "size": size, "normlib_median_s": 0.5, "peer": "p",
            "p_median_s": 1.0, "ratio": 0.5, "target": 1.0, "meets_target": True}
'''
FAKE_ROWS = '''
def run(size):
    row = {"benchmark": "two rows", "normlib_median_s": 2.0, "peer_median_s": None,
           "ratio": None, "target": None, "meets_target": None}
    return {"benchmark": "rows", "table_rows": [row, {**row, "benchmark": "second"}]}
'''
FAKE_BOOM = '''
def run(size):
    raise RuntimeError("boom at size " + size)
'''


def test_run_all_discovers_runs_records_errors_and_writes_outputs(tmp_path):
    run_all = load_benchmark("run_all")
    names = {p.name for p in run_all.discover()}
    assert {"bench_lasso_path.py", "bench_enet_path.py", "bench_group_lasso.py",
            "bench_book.py", "bench_adamw.py", "bench_spectral.py", "bench_grading.py"} <= names
    bench_dir = tmp_path / "benchmarks"
    bench_dir.mkdir()
    (bench_dir / "bench_ok.py").write_text(FAKE_OK)
    (bench_dir / "bench_rows.py").write_text(FAKE_ROWS)
    (bench_dir / "bench_boom.py").write_text(FAKE_BOOM)
    (bench_dir / "helper.py").write_text("raise SystemExit('not a benchmark')\n")
    out = tmp_path / "results"
    report = run_all.run_all("tiny", bench_dir=bench_dir, out_dir=out, echo=False)
    by_name = {r["benchmark"]: r for r in report["results"]}
    assert set(by_name) == {"ok", "rows", "boom"}  # helper.py is not a benchmark
    assert "boom at size tiny" in by_name["boom"]["error"]  # recorded, not raised
    assert by_name["ok"]["ratio"] == 0.5
    saved = json.loads((out / "latest.json").read_text())
    assert saved["size"] == "tiny" and len(saved["results"]) == 3
    assert {"machine", "versions", "date_utc", "command"} <= set(saved)
    table = (out / "latest.md").read_text()
    lines = [line for line in table.splitlines() if line.startswith("| ")]
    assert len(lines) == 2 + 4  # header, separator, ok, two rows, boom
    ok_line = next(line for line in lines if line.startswith("| ok "))
    assert "500.0 ms" in ok_line and "1.00 s" in ok_line and "0.50" in ok_line
    assert "yes" in ok_line
    assert any("ERROR: RuntimeError: boom at size tiny" in line for line in lines)
    assert (out / "ratios.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # rerun one benchmark, keeping the others' results
    merged = run_all.run_all("tiny", only="ok", bench_dir=bench_dir, out_dir=out,
                             echo=False, merge=True)
    assert sorted(r["benchmark"] for r in merged["results"]) == ["boom", "ok", "rows"]
    assert "from_earlier_run" in next(r for r in merged["results"] if r["benchmark"] == "boom")
    assert "from_earlier_run" not in next(r for r in merged["results"] if r["benchmark"] == "ok")
    with pytest.raises(ValueError, match="size must be one of"):
        run_all.run_all("huge", bench_dir=bench_dir, out_dir=out)
