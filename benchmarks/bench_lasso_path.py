"""Benchmark 1: lasso path, normlib.solvers.lasso_path vs sklearn.linear_model.lasso_path.

Data: ``normlib.data.sparse_regression`` with n = 1000 samples, d = 2000
independent standard normal features (Fortran order, scikit-learn's preferred
layout), 20 true non-zero coefficients and noise of standard deviation 1; 100
values of alpha, log-spaced from alpha_max down to 1e-3 alpha_max (both
libraries' default grid).

Matched accuracy. Both libraries stop on the same duality gap, computed the
same way (scikit-learn's, see ``normlib.solvers.lasso``). scikit-learn runs at
its default ``tol=1e-4``; its gap at each alpha is then recomputed with
normlib's own gap function (``normlib.solvers.elastic_net(..., w0=coef)``
returns the gap at ``w0``), and normlib gets the tolerance ``min(1e-4, largest
of those gaps / (||y||^2 / n))``, so that every normlib gap is at most the
largest scikit-learn gap. Target: ratio normlib / sklearn <= 1.0.

Timings alternate the two in one process (``_common.time_pair``): wall-clock
medians give ``ratio``; CPU-time medians of the same calls give ``cpu_ratio``,
the steadier number on a shared, loaded machine.

    python benchmarks/bench_lasso_path.py              # full size, JSON on stdout
    python benchmarks/bench_lasso_path.py --size tiny  # smoke run, a second
    OMP_NUM_THREADS=1 python benchmarks/bench_lasso_path.py
"""

from __future__ import annotations

import json
import math
import sys
import warnings
from pathlib import Path

import numpy as np
import sklearn
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import enet_path as sk_enet_path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench_parser, machine_info, time_pair  # noqa: E402

import normlib  # noqa: E402
from normlib import solvers  # noqa: E402
from normlib.data import sparse_regression  # noqa: E402

SIZES = {
    "tiny": {"n": 60, "d": 120, "n_informative": 5, "n_alphas": 20, "repeats": 3},
    "full": {"n": 1000, "d": 2000, "n_informative": 20, "n_alphas": 100, "repeats": 9},
}
NOISE = 1.0  # noise std; the true coefficients are +-[1, 2]. Of 0.1, 0.5 and 1.0, the
# hardest for normlib relative to scikit-learn (more features enter the path).
TARGET = 1.0
TOL = 1e-4  # scikit-learn's default
EPS = 1e-3  # smallest alpha / alpha_max, both libraries' default


def path_data(n, d, n_informative, seed):
    """Sparse regression data, X in Fortran order (scikit-learn's preferred layout)."""
    X, y, _ = sparse_regression(n, d, n_informative, noise=NOISE, seed=seed)
    return np.asfortranarray(X), y


def normlib_gaps(X, y, alphas, coefs, l1_ratio):
    """The duality gap at each column of ``coefs``, computed by normlib's own gap function."""
    gaps = []
    for alpha, coef in zip(alphas, coefs.T, strict=True):
        # with an infinite-in-practice tolerance the solver stops at w0 and reports its gap
        res = solvers.elastic_net(X, y, alpha, l1_ratio, w0=coef, tol=1e300, max_iter=1)
        gaps.append(res.gap)
    return np.array(gaps)


def objectives(X, y, alphas, coefs, l1_ratio):
    r"""Elastic-net objective :math:`\frac{1}{2n}\|y - Xw\|^2 + \alpha\rho\|w\|_1
    + \frac{\alpha(1-\rho)}{2}\|w\|^2` at each column of ``coefs`` (plain numpy)."""
    resid = y[:, None] - X @ coefs
    return ((resid**2).sum(axis=0) / (2 * X.shape[0])
            + alphas * l1_ratio * np.abs(coefs).sum(axis=0)
            + 0.5 * alphas * (1 - l1_ratio) * (coefs**2).sum(axis=0))


def run_path_benchmark(name, l1_ratio, size, repeats, seed):
    """Shared by the lasso and elastic-net benchmarks (the lasso is ``l1_ratio=1``)."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    cfg = SIZES[size]
    repeats = cfg["repeats"] if repeats is None else repeats
    X, y = path_data(cfg["n"], cfg["d"], cfg["n_informative"], seed)
    n, k = X.shape[0], cfg["n_alphas"]
    scale = float(y @ y) / n  # both libraries stop when gap <= tol * ||y||^2 / n

    def theirs():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return sk_enet_path(X, y, l1_ratio=l1_ratio, eps=EPS, alphas=k, tol=TOL)

    # reference run (untimed): scikit-learn's gaps, recomputed by normlib
    alphas, sk_coefs, sk_reported = theirs()
    sk_gaps = normlib_gaps(X, y, alphas, sk_coefs, l1_ratio)
    tol = min(TOL, float(sk_gaps.max()) / scale)

    if l1_ratio == 1.0:
        def ours():
            return solvers.lasso_path(X, y, k, eps=EPS, tol=tol)
    else:
        def ours():
            return solvers.enet_path(X, y, l1_ratio, k, eps=EPS, tol=tol)

    timing = time_pair(ours, theirs, repeats=repeats, warmup=1)
    path = ours()
    matched = bool(path.gaps.max() <= sk_gaps.max() and path.converged.all())
    # both objectives are within their gap of the optimum, so they differ by at most the
    # larger gap: a check of both answers that does not trust either library's gap code
    diff = np.abs(objectives(X, y, alphas, path.coefs, l1_ratio)
                  - objectives(X, y, alphas, sk_coefs, l1_ratio))
    bound = np.maximum(np.maximum(path.gaps, sk_gaps), 1e-12 * scale)
    ratio = timing["ratio"]
    return {
        "benchmark": name,
        "size": size,
        "n": n,
        "d": X.shape[1],
        "n_informative": cfg["n_informative"],
        "noise": NOISE,
        "n_alphas": k,
        "eps": EPS,
        "l1_ratio": l1_ratio,
        "peer": "sklearn.linear_model." + ("lasso_path" if l1_ratio == 1.0 else "enet_path"),
        "repeats": timing["repeats"],
        "normlib_median_s": timing["median_a"],
        "sklearn_median_s": timing["median_b"],
        "peer_median_s": timing["median_b"],
        "ratio": ratio,
        "normlib_cpu_median_s": timing["cpu_median_a"],
        "sklearn_cpu_median_s": timing["cpu_median_b"],
        "cpu_ratio": timing["cpu_ratio"],
        "target": TARGET,
        "meets_target": bool(math.isfinite(ratio) and ratio <= TARGET and matched),
        "accuracy_matched": matched,
        "sklearn_tol": TOL,
        "normlib_tol": tol,
        "gap_scale": scale,
        "sklearn_max_gap": float(sk_gaps.max()),
        "sklearn_median_gap": float(np.median(sk_gaps)),
        "normlib_max_gap": float(path.gaps.max()),
        "normlib_median_gap": float(np.median(path.gaps)),
        # sanity: the gaps sklearn reports equal normlib's recomputation (same formula)
        "gap_formula_max_abs_diff": float(np.max(np.abs(sk_reported - sk_gaps)) / scale),
        "max_abs_coef_diff": float(np.abs(path.coefs - sk_coefs).max()),
        "max_objective_diff_over_gap": float((diff / bound).max()),
        "nonzeros_at_smallest_alpha": int(np.count_nonzero(path.coefs[:, -1])),
        "normlib_times_s": timing["times_a"],
        "sklearn_times_s": timing["times_b"],
        "versions": {"normlib": getattr(normlib, "__version__", None),
                     "sklearn": sklearn.__version__},
        "machine": machine_info(),
    }


def run(size="full", repeats=None, seed=0):
    """Time both lasso paths at ``size`` ("tiny" or "full"); return a JSON-ready dict.

    Keys: ``benchmark``, ``size``, ``n``, ``d``, ``n_alphas``, ``repeats``,
    ``normlib_median_s``, ``sklearn_median_s`` (= ``peer_median_s``), ``ratio``
    (normlib / sklearn, wall clock), ``cpu_ratio`` (CPU time), ``target``,
    ``meets_target``, ``accuracy_matched``, ``normlib_tol``, the largest and
    median gaps of both, ``max_abs_coef_diff``, the raw times and ``machine``.
    """
    return run_path_benchmark("lasso_path", 1.0, size, repeats, seed)


def main(argv=None, runner=run):
    parser = bench_parser(__doc__, SIZES, "timed rounds (default: 3 tiny, 9 full)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    print(json.dumps(runner(args.size, repeats=args.repeats, seed=args.seed), indent=2))


if __name__ == "__main__":
    main()
