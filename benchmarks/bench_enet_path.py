"""Benchmark 2: elastic-net path, normlib.solvers.enet_path vs sklearn.linear_model.enet_path.

The same data, grid and protocol as benchmark 1 (``bench_lasso_path.py``), with
``l1_ratio = 0.5``: scikit-learn runs at its default ``tol=1e-4``, its gaps are
recomputed with normlib's gap function, and normlib stops at a gap no larger
than scikit-learn's largest. Target: ratio normlib / sklearn <= 1.0.

    python benchmarks/bench_enet_path.py              # full size, JSON on stdout
    python benchmarks/bench_enet_path.py --size tiny  # smoke run, a second
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_lasso_path import SIZES, TARGET, main, run_path_benchmark  # noqa: E402, F401

L1_RATIO = 0.5


def run(size="full", repeats=None, seed=0):
    """Time both elastic-net paths at ``size`` ("tiny" or "full"); return a JSON-ready dict.

    The keys are those of ``bench_lasso_path.run``.
    """
    return run_path_benchmark("enet_path", L1_RATIO, size, repeats, seed)


if __name__ == "__main__":
    main(runner=run)
