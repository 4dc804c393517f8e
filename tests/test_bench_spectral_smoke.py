"""Smoke run of benchmarks/bench_spectral.py at its tiny size, so the benchmark cannot rot.

Timings are not asserted (shared machines are noisy); the accuracy is.
"""

import importlib.util
import json
from pathlib import Path

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_spectral.py"


def load_benchmark():
    spec = importlib.util.spec_from_file_location("bench_spectral", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_spectral_tiny_runs_and_is_accurate(capsys):
    bench = load_benchmark()
    result = bench.run("tiny", repeats=1)
    assert result["benchmark"] == "spectral_norm"
    assert result["n"] == 64
    assert result["normlib_rel_error"] <= result["accuracy_target"]
    assert result["torch_rel_error"] <= 1e-5
    assert result["normlib_n_iter"] <= result["cold_n_iter"]
    assert result["normlib_median_s"] > 0
    assert result["torch_median_s"] > 0
    bench.main(["--size", "tiny", "--repeats", "1"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["size"] == "tiny"
