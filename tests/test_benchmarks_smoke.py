"""Smoke runs of the benchmarks at tiny size, so that they cannot rot.

Timings are not checked (shared machines are noisy); each test checks that a
benchmark runs, returns the documented keys and a finite ratio, and that its
two sides computed the same thing. Add one test per benchmark in
``benchmarks/``, loading it with :func:`load_benchmark`.
"""

import importlib.util
import json
import math
import statistics
import sys
from pathlib import Path

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
