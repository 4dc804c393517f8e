"""Benchmark 5: spectral norm to 1e-3, warm-started power iteration vs torch.linalg.matrix_norm.

In training, a spectral penalty or spectral normalization needs sigma_1(W) at
every step, and W moves only a little between steps, so the previous step's
left singular vector is an excellent start. The benchmark reproduces that:
``W0`` is a Gaussian matrix scaled by 1/sqrt(n) (float32, the hardest common
case: its top singular values have no gap), ``u_prev`` is W0's top left
singular vector (computed once, untimed, as the state carried between steps),
and ``W = W0 + 1e-3 * G / sqrt(n)`` is the next step's weight. Timed:

* normlib: ``power_iteration(W, u0=u_prev, tol=TOL)`` (validation included);
* peer: ``torch.linalg.matrix_norm(W, ord=2)`` (all singular values).

Both answers are compared with ``torch.linalg.svdvals`` in float64; normlib
must be within 1e-3 relative error. A cold (random) start is timed too, for
context. Target: at least 10x faster, i.e. ratio normlib / torch <= 0.1.

    python benchmarks/bench_spectral.py              # 2048 x 2048, JSON on stdout
    python benchmarks/bench_spectral.py --size tiny  # smoke run, a second
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, median, time_call, time_pair, torch_bench_main  # noqa: E402

from normlib.lipschitz import power_iteration  # noqa: E402

SIZES = {
    "tiny": {"n": 64, "repeats": 3},
    "full": {"n": 2048, "repeats": 7},
}
TARGET = 0.1  # time ratio normlib / torch
ACCURACY = 1e-3  # relative error in sigma_1
TOL = 1e-5  # power iteration's stop: relative change of the estimate per step
STEP = 1e-3  # size of the "training step" between W0 and W


def _matrices(n, seed):
    gen = torch.Generator().manual_seed(seed)
    W0 = torch.randn(n, n, generator=gen) / math.sqrt(n)
    W = W0 + STEP * torch.randn(n, n, generator=gen) / math.sqrt(n)
    return W0, W


def run(size="full", repeats=None, seed=0):
    """Time both at ``size`` ("tiny" or "full"); return a JSON-ready dict.

    Keys: ``benchmark``, ``size``, ``n``, ``dtype``, ``tol``, ``repeats``,
    ``normlib_median_s``, ``torch_median_s``, ``ratio`` (normlib / torch),
    ``speedup`` (torch / normlib), ``target``, ``meets_target``,
    ``normlib_rel_error``, ``torch_rel_error``, ``normlib_n_iter``,
    ``cold_median_s``, ``cold_n_iter``, ``cold_rel_error``, the raw times and
    ``machine``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    cfg = SIZES[size]
    repeats = cfg["repeats"] if repeats is None else repeats
    W0, W = _matrices(cfg["n"], seed)
    exact = float(torch.linalg.svdvals(W.double())[0])
    # the state carried over from the previous training step (untimed)
    u_prev = torch.linalg.svd(W0.double())[0][:, 0].to(W.dtype)

    def ours():
        return power_iteration(W, n_iter=1000, tol=TOL, u0=u_prev)

    def theirs():
        return torch.linalg.matrix_norm(W, ord=2)

    def cold():
        return power_iteration(W, n_iter=1000, tol=TOL, seed=seed)

    timing = time_pair(ours, theirs, repeats=repeats, warmup=1)
    warm, cold_result = ours(), cold()
    cold_times = [time_call(cold) for _ in range(repeats)]

    def rel_error(sigma):
        return abs(float(sigma) - exact) / exact

    warm_error = rel_error(warm.sigma)
    return {
        "benchmark": "spectral_norm",
        "size": size,
        "n": cfg["n"],
        "dtype": str(W.dtype),
        "tol": TOL,
        "repeats": timing["repeats"],
        "normlib_median_s": timing["median_a"],
        "torch_median_s": timing["median_b"],
        "ratio": timing["ratio"],
        "speedup": 1.0 / timing["ratio"] if timing["ratio"] > 0 else float("inf"),
        "target": TARGET,
        "meets_target": bool(timing["ratio"] <= TARGET and warm_error <= ACCURACY),
        "accuracy_target": ACCURACY,
        "normlib_rel_error": warm_error,
        "torch_rel_error": rel_error(theirs()),
        "normlib_n_iter": warm.n_iter,
        "cold_median_s": median(cold_times),
        "cold_n_iter": cold_result.n_iter,
        "cold_rel_error": rel_error(cold_result.sigma),
        "normlib_times_s": timing["times_a"],
        "torch_times_s": timing["times_b"],
        "machine": machine_info(),
    }


def main(argv=None):
    torch_bench_main(run, __doc__, SIZES, "timed rounds (default: 3 tiny, 7 full)", argv)


if __name__ == "__main__":
    main()
