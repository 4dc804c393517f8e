"""Benchmark 3: group lasso, normlib.solvers.group_lasso vs skglm (GroupBCD), cvxpy as a check.

Data: ``normlib.data.group_sparse_regression`` with n = 1000 samples and 100
groups of 10 standard normal features (d = 1000, Fortran order), 10 of them
active; one fit at ``alpha = alpha_max / 10``, from zero, with the penalty
``alpha * sum_g sqrt(p_g) ||w_g||_2`` on both sides (skglm 0.5:
``GeneralizedLinearEstimator(QuadraticGroup, WeightedGroupL2, GroupBCD)``).

Matched accuracy. skglm stops on its own optimality measure (``tol=1e-4``); its
duality gap is then computed with normlib's gap function
(``normlib.solvers.group_lasso(..., w0=coef)`` reports the gap at ``w0``), and
normlib stops at a gap no larger: ``tol = min(1e-4, gap_skglm / (||y||^2/n))``.
cvxpy (Clarabel) solves the same problem once, untimed, as an independent check
of both answers. skglm's numba compilation happens in the untimed warm-up.
Target: ratio normlib / skglm <= 1.0.

    python benchmarks/bench_group_lasso.py              # full size, JSON on stdout
    python benchmarks/bench_group_lasso.py --size tiny  # smoke run, a few seconds
"""

from __future__ import annotations

import json
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench_parser, machine_info, time_pair  # noqa: E402

from normlib import solvers  # noqa: E402
from normlib.data import group_sparse_regression  # noqa: E402

SIZES = {
    "tiny": {"n": 60, "n_groups": 10, "group_size": 4, "n_active": 2, "repeats": 3,
             "number": 3},
    "full": {"n": 1000, "n_groups": 100, "group_size": 10, "n_active": 10, "repeats": 15,
             "number": 5},
}
TARGET = 1.0
TOL = 1e-4
ALPHA_FRACTION = 0.1  # alpha = ALPHA_FRACTION * alpha_max


def _skglm_estimator(alpha, weights, grp_ptr, grp_indices):
    from skglm import GeneralizedLinearEstimator
    from skglm.datafits import QuadraticGroup
    from skglm.penalties import WeightedGroupL2
    from skglm.solvers import GroupBCD

    return GeneralizedLinearEstimator(
        datafit=QuadraticGroup(grp_ptr, grp_indices),
        penalty=WeightedGroupL2(alpha, weights, grp_ptr, grp_indices),
        solver=GroupBCD(tol=TOL, fit_intercept=False),
    )


def cvxpy_group_lasso(X, y, groups, alpha):
    r"""The same problem by cvxpy (Clarabel):
    :math:`\min_w \frac{1}{2n}\|y - Xw\|^2 + \alpha\sum_g\sqrt{p_g}\|w_g\|`."""
    import cvxpy as cp

    n, d = X.shape
    w = cp.Variable(d)
    penalty = sum(math.sqrt(np.sum(groups == g)) * cp.norm(w[np.flatnonzero(groups == g)], 2)
                  for g in np.unique(groups))
    problem = cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w) / (2 * n) + alpha * penalty))
    problem.solve(solver=cp.CLARABEL)
    return np.asarray(w.value), float(problem.value)


def _objective(X, y, groups, alpha, w):
    r = y - X @ w
    norms = np.sqrt(np.bincount(groups, weights=w * w))
    sizes = np.bincount(groups)
    return float(r @ r / (2 * X.shape[0]) + alpha * np.sqrt(sizes) @ norms)


def run(size="full", repeats=None, seed=0, check_cvxpy=True):
    """Time both group-lasso solvers at ``size`` ("tiny" or "full"); return a JSON-ready dict.

    Keys: ``benchmark``, ``size``, ``n``, ``d``, ``n_groups``, ``alpha``,
    ``repeats``, ``number``, ``normlib_median_s``, ``skglm_median_s`` (=
    ``peer_median_s``), ``ratio`` (normlib / skglm, wall clock), ``cpu_ratio``,
    ``target``, ``meets_target``, ``accuracy_matched``, ``skglm_gap``,
    ``normlib_gap``, ``normlib_tol``, ``active_groups``, ``cvxpy_rel_diff_normlib``,
    ``cvxpy_rel_diff_skglm``, the objectives, the raw times and ``machine``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    cfg = SIZES[size]
    repeats = cfg["repeats"] if repeats is None else repeats
    sizes = (cfg["group_size"],) * cfg["n_groups"]
    X, y, _, groups = group_sparse_regression(sizes, cfg["n_active"], n=cfg["n"], seed=seed)
    X = np.asfortranarray(X)
    n, d = X.shape
    alpha = ALPHA_FRACTION * solvers.group_lasso_alpha_max(X, y, groups)
    grp_ptr = np.concatenate([[0], np.cumsum(sizes)]).astype(np.int32)
    grp_indices = np.argsort(groups, kind="stable").astype(np.int32)
    weights = np.sqrt(np.asarray(sizes, dtype=float))
    scale = float(y @ y) / n

    def theirs():
        return _skglm_estimator(alpha, weights, grp_ptr, grp_indices).fit(X, y).coef_

    sk_coef = theirs()  # also compiles skglm's numba code
    sk_gap = solvers.group_lasso(X, y, groups, alpha, w0=sk_coef, tol=1e300, max_iter=1).gap
    tol = min(TOL, sk_gap / scale)

    def ours():
        return solvers.group_lasso(X, y, groups, alpha, tol=tol)

    timing = time_pair(ours, theirs, repeats=repeats, number=cfg["number"], warmup=1)
    res = ours()
    matched = bool(res.converged and res.gap <= sk_gap)
    ratio = timing["ratio"]
    out = {
        "benchmark": "group_lasso",
        "size": size,
        "n": n,
        "d": d,
        "n_groups": cfg["n_groups"],
        "n_active_groups": cfg["n_active"],
        "alpha": alpha,
        "alpha_fraction": ALPHA_FRACTION,
        "peer": "skglm GroupBCD (WeightedGroupL2 + QuadraticGroup)",
        "repeats": timing["repeats"],
        "number": timing["number"],
        "normlib_median_s": timing["median_a"],
        "skglm_median_s": timing["median_b"],
        "peer_median_s": timing["median_b"],
        "ratio": ratio,
        "normlib_cpu_median_s": timing["cpu_median_a"],
        "skglm_cpu_median_s": timing["cpu_median_b"],
        "cpu_ratio": timing["cpu_ratio"],
        "target": TARGET,
        "meets_target": bool(math.isfinite(ratio) and ratio <= TARGET and matched),
        "accuracy_matched": matched,
        "skglm_tol": TOL,
        "normlib_tol": tol,
        "gap_scale": scale,
        "skglm_gap": float(sk_gap),
        "normlib_gap": float(res.gap),
        "active_groups": int(np.count_nonzero(np.bincount(groups, weights=res.coef**2))),
        "max_abs_coef_diff": float(np.abs(res.coef - sk_coef).max()),
        "normlib_objective": _objective(X, y, groups, alpha, res.coef),
        "skglm_objective": _objective(X, y, groups, alpha, sk_coef),
        "normlib_times_s": timing["times_a"],
        "skglm_times_s": timing["times_b"],
        "machine": machine_info(),
    }
    if check_cvxpy:
        start = time.perf_counter()
        cv_coef, cv_value = cvxpy_group_lasso(X, y, groups, alpha)
        ref = max(np.linalg.norm(cv_coef), 1e-12)
        out.update({
            "cvxpy_seconds": time.perf_counter() - start,
            "cvxpy_objective": cv_value,
            "cvxpy_rel_diff_normlib": float(np.linalg.norm(res.coef - cv_coef) / ref),
            "cvxpy_rel_diff_skglm": float(np.linalg.norm(sk_coef - cv_coef) / ref),
        })
    return out


def main(argv=None):
    parser = bench_parser(__doc__, SIZES, "timed rounds (default: 3 tiny, 15 full)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cvxpy", action="store_true", help="skip the cvxpy check")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size, repeats=args.repeats, seed=args.seed,
                         check_cvxpy=not args.no_cvxpy), indent=2))


if __name__ == "__main__":
    main()
