"""Tests of normlib.solvers against scikit-learn, cvxpy, scipy, closed forms and KKT conditions."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
import scipy.optimize
from hypothesis import given, settings
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import ElasticNet, Ridge, enet_path
from sklearn.linear_model import lasso_path as sk_lasso_path
from strategies import regression_problems

from normlib import solvers as S
from normlib.solvers import _sparse_group_gauge

TIGHT = 1e-13  # relative duality-gap tolerance for oracle comparisons


def make_problem(n, d, n_true=10, seed=0, noise=0.5, offset=0.0):
    """Gaussian design, a sparse true w, Gaussian noise (the recipe of CONTENT.md 1.4)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, d))
    w = np.zeros(d)
    w[rng.choice(d, min(n_true, d), replace=False)] = rng.standard_normal(min(n_true, d)) * 3
    return X, X @ w + noise * rng.standard_normal(n) + offset


def make_groups(sizes, seed=0):
    """Shuffled, non-contiguous integer labels (with a gap in the label values)."""
    groups = np.repeat(np.arange(len(sizes)) * 3 + 1, sizes)
    np.random.default_rng(seed).shuffle(groups)
    return groups


def sk_lasso(X, y, alpha, fit_intercept=False, l1_ratio=1.0):
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, tol=1e-14,
                       max_iter=200_000)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return model.fit(X, y)


def cvxpy_group_lasso(X, y, groups, alpha, l1_ratio=0.0, fit_intercept=False):
    n, d = X.shape
    w, b = cp.Variable(d), cp.Variable()
    penalty = sum(np.sqrt((groups == g).sum()) * cp.norm(w[groups == g], 2)
                  for g in np.unique(groups))
    fit = y - X @ w - (b if fit_intercept else 0)
    objective = (cp.sum_squares(fit) / (2 * n) + alpha * l1_ratio * cp.norm1(w)
                 + alpha * (1 - l1_ratio) * penalty)
    problem = cp.Problem(cp.Minimize(objective))
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    return w.value, (b.value if fit_intercept else 0.0), problem.value


# ---------------------------------------------------------------- lasso
@pytest.mark.parametrize("shape", [(100, 200), (80, 30)])
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("working_set", [True, False])
def test_lasso_matches_sklearn(shape, fit_intercept, working_set):
    X, y = make_problem(*shape, offset=2.0)
    for frac in (0.5, 0.05):
        alpha = frac * S.lasso_alpha_max(X, y, fit_intercept=fit_intercept)
        ours = S.lasso(X, y, alpha, fit_intercept=fit_intercept, tol=TIGHT,
                       working_set=working_set)
        ref = sk_lasso(X, y, alpha, fit_intercept)
        assert ours.converged
        np.testing.assert_allclose(ours.coef, ref.coef_, atol=1e-9)
        assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-9)
        np.testing.assert_array_equal(ours.coef != 0, ref.coef_ != 0)


@pytest.mark.parametrize("accelerated", [True, False])
def test_lasso_measured_case_of_the_book(accelerated):
    # CONTENT.md 1.4: n=100, d=200, 10 true nonzeros, alpha = 0.1 alpha_max
    X, y = make_problem(100, 200)
    alpha = 0.1 * S.lasso_alpha_max(X, y)
    ours = S.lasso(X, y, alpha, tol=TIGHT, accelerated=accelerated, working_set=False)
    ref = sk_lasso(X, y, alpha)
    assert np.abs(ours.coef - ref.coef_).max() < 1e-9
    assert (ours.coef != 0).sum() == (ref.coef_ != 0).sum()  # exact zeros, also for ISTA


@settings(max_examples=15)
@given(problem=regression_problems())
def test_lasso_matches_sklearn_on_random_problems(problem):
    X, y = problem
    alpha = 0.3 * S.lasso_alpha_max(X, y)
    ours = S.lasso(X, y, alpha, tol=TIGHT)
    np.testing.assert_allclose(ours.coef, sk_lasso(X, y, alpha).coef_, atol=1e-7)


def test_lasso_solution_satisfies_kkt():
    X, y = make_problem(60, 90, seed=3)
    alpha = 0.05 * S.lasso_alpha_max(X, y)
    w = S.lasso(X, y, alpha, tol=TIGHT).coef
    corr = X.T @ (y - X @ w) / len(y)
    nz = w != 0
    np.testing.assert_allclose(corr[nz], alpha * np.sign(w[nz]), atol=1e-7)
    assert np.all(np.abs(corr[~nz]) <= alpha * (1 + 1e-9))


@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio", [1.0, 0.5, 0.0])
def test_reported_gap_equals_sklearn_dual_gap(fit_intercept, l1_ratio):
    # stop sklearn early, then evaluate our gap at its (unconverged) coefficients
    X, y = make_problem(50, 40, seed=1, offset=1.0)
    alpha = 0.05
    model = ElasticNet(alpha=alpha, l1_ratio=l1_ratio, fit_intercept=fit_intercept, max_iter=2,
                       tol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(X, y)
    ours = S.elastic_net(X, y, alpha, l1_ratio, fit_intercept=fit_intercept, w0=model.coef_,
                         tol=1e9)
    assert ours.n_iter == 0  # the gap at w0 already meets the (huge) tolerance
    assert ours.gap == pytest.approx(model.dual_gap_, rel=1e-7)


def test_gap_bounds_the_suboptimality():
    X, y = make_problem(40, 25, seed=2)
    rng = np.random.default_rng(0)
    for l1_ratio in (1.0, 0.6, 0.0):
        alpha = 0.1
        best = S.elastic_net(X, y, alpha, l1_ratio, tol=TIGHT).objective
        assert best == pytest.approx(_enet_objective(X, y, sk_lasso(X, y, alpha, False,
                                                                    l1_ratio).coef_,
                                                     alpha, l1_ratio), abs=1e-10)
        for _ in range(5):
            w = rng.standard_normal(25) * rng.uniform(0, 1)
            res = S.elastic_net(X, y, alpha, l1_ratio, w0=w, tol=1e9)
            assert res.objective == pytest.approx(_enet_objective(X, y, w, alpha, l1_ratio))
            assert res.objective - best <= res.gap * (1 + 1e-9) + 1e-12


def _enet_objective(X, y, w, alpha, l1_ratio):
    r = y - X @ w
    return (r @ r / (2 * len(y)) + alpha * l1_ratio * np.abs(w).sum()
            + 0.5 * alpha * (1 - l1_ratio) * (w @ w))


# ---------------------------------------------------------------- elastic net
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("l1_ratio", [0.2, 0.7])
def test_elastic_net_matches_sklearn(fit_intercept, l1_ratio):
    X, y = make_problem(70, 120, seed=4, offset=-1.0)
    alpha = 0.05 * S.enet_alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept)
    ours = S.elastic_net(X, y, alpha, l1_ratio, fit_intercept=fit_intercept, tol=TIGHT)
    ref = sk_lasso(X, y, alpha, fit_intercept, l1_ratio)
    np.testing.assert_allclose(ours.coef, ref.coef_, atol=1e-9)
    assert ours.intercept == pytest.approx(ref.intercept_, abs=1e-9)


def test_elastic_net_without_l1_is_ridge():
    # 1/(2n)||y - Xw||^2 + alpha/2 ||w||^2  <=>  ||y - Xw||^2 + n alpha ||w||^2
    X, y = make_problem(40, 60, seed=5)
    alpha = 0.3
    ours = S.elastic_net(X, y, alpha, 0.0, tol=1e-15)
    np.testing.assert_allclose(ours.coef, S.ridge(X, y, len(y) * alpha).coef, atol=1e-6)
    np.testing.assert_allclose(ours.coef, Ridge(alpha=len(y) * alpha, fit_intercept=False)
                               .fit(X, y).coef_, atol=1e-6)


# ---------------------------------------------------------------- group lasso
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_group_lasso_matches_cvxpy(fit_intercept):
    sizes = [3, 5, 2, 8, 4, 6, 7, 5]
    groups = make_groups(sizes, seed=1)
    X, y = make_problem(60, groups.size, seed=6, offset=2.0)
    alpha = 0.2 * S.group_lasso_alpha_max(X, y, groups, fit_intercept=fit_intercept)
    ours = S.group_lasso(X, y, groups, alpha, fit_intercept=fit_intercept, tol=TIGHT)
    w, b, value = cvxpy_group_lasso(X, y, groups, alpha, fit_intercept=fit_intercept)
    assert ours.objective <= value + 1e-9
    np.testing.assert_allclose(ours.coef, w, atol=1e-5)
    assert ours.intercept == pytest.approx(b, abs=1e-5)


def test_group_lasso_kkt_active_groups_sit_on_the_boundary():
    # CONTENT.md 1.6: ||X_g^T r||/n = alpha sqrt(p_g) on active groups, <= on zero groups
    sizes = [3, 20, 5, 8, 4, 12, 7, 10]
    groups = make_groups(sizes, seed=2)
    X, y = make_problem(100, groups.size, seed=7)
    alpha = 0.3 * S.group_lasso_alpha_max(X, y, groups)
    w = S.group_lasso(X, y, groups, alpha, tol=TIGHT).coef
    corr = X.T @ (y - X @ w) / len(y)
    for g in np.unique(groups):
        ratio = np.linalg.norm(corr[groups == g]) / (alpha * np.sqrt((groups == g).sum()))
        if np.any(w[groups == g] != 0):
            assert ratio == pytest.approx(1.0, abs=1e-6)
            # and the group's correlation points along w_g
            direction = w[groups == g] / np.linalg.norm(w[groups == g])
            np.testing.assert_allclose(corr[groups == g] / np.linalg.norm(corr[groups == g]),
                                       direction, atol=1e-5)
        else:
            assert ratio <= 1 + 1e-9


def test_group_lasso_with_singleton_groups_is_the_lasso():
    X, y = make_problem(50, 70, seed=8)
    alpha = 0.1 * S.lasso_alpha_max(X, y)
    ours = S.group_lasso(X, y, np.arange(70)[::-1], alpha, tol=TIGHT)
    np.testing.assert_allclose(ours.coef, sk_lasso(X, y, alpha).coef_, atol=1e-9)


def test_group_lasso_gap_bounds_the_suboptimality():
    groups = make_groups([4, 4, 6, 2, 9], seed=3)
    X, y = make_problem(40, groups.size, seed=9)
    alpha = 0.15 * S.group_lasso_alpha_max(X, y, groups)
    _, _, best = cvxpy_group_lasso(X, y, groups, alpha)
    rng = np.random.default_rng(1)
    for _ in range(5):
        w = rng.standard_normal(groups.size) * (rng.uniform(size=groups.size) < 0.5)
        res = S.group_lasso(X, y, groups, alpha, w0=w, tol=1e9)
        assert 0 <= res.objective - best <= res.gap + 1e-8


# ---------------------------------------------------------------- sparse-group lasso
def test_sparse_group_lasso_matches_cvxpy_and_its_limits():
    groups = make_groups([3, 6, 4, 5, 7], seed=4)
    X, y = make_problem(50, groups.size, seed=10, offset=1.0)
    alpha = 0.2 * S.sparse_group_lasso_alpha_max(X, y, groups, 0.4, fit_intercept=True)
    ours = S.sparse_group_lasso(X, y, groups, alpha, 0.4, fit_intercept=True, tol=TIGHT)
    w, b, value = cvxpy_group_lasso(X, y, groups, alpha, l1_ratio=0.4, fit_intercept=True)
    assert ours.objective <= value + 1e-9
    np.testing.assert_allclose(ours.coef, w, atol=1e-5)
    # l1_ratio = 1 is the lasso, l1_ratio = 0 the group lasso
    np.testing.assert_allclose(S.sparse_group_lasso(X, y, groups, alpha, 1.0, tol=TIGHT).coef,
                               sk_lasso(X, y, alpha).coef_, atol=1e-9)
    np.testing.assert_allclose(S.sparse_group_lasso(X, y, groups, alpha, 0.0, tol=TIGHT).coef,
                               S.group_lasso(X, y, groups, alpha, tol=TIGHT).coef, atol=1e-9)


def test_sparse_group_gap_bounds_the_suboptimality():
    # a wrong dual norm (epsilon-norm) would give a dual point outside the feasible set
    groups = make_groups([3, 6, 4, 5], seed=5)
    X, y = make_problem(40, groups.size, seed=11)
    alpha = 0.2 * S.sparse_group_lasso_alpha_max(X, y, groups, 0.5)
    _, _, best = cvxpy_group_lasso(X, y, groups, alpha, l1_ratio=0.5)
    rng = np.random.default_rng(2)
    for _ in range(8):
        w = rng.standard_normal(groups.size) * (rng.uniform(size=groups.size) < 0.5)
        res = S.sparse_group_lasso(X, y, groups, alpha, 0.5, w0=w, tol=1e9)
        assert 0 <= res.objective - best <= res.gap + 1e-8


def test_sparse_group_gauge_matches_bisection(rng):
    for _ in range(20):
        u = rng.standard_normal(rng.integers(1, 8)) * 3
        a, b = rng.uniform(0, 2, size=2)
        t = _sparse_group_gauge(u, a, b)

        def excess(s, u=u, a=a, b=b):  # ||S_{s a}(u)|| - s b, decreasing in s
            return np.linalg.norm(np.sign(u) * np.maximum(np.abs(u) - s * a, 0)) - s * b

        root = scipy.optimize.brentq(excess, 0.0, 1e6, xtol=1e-14)
        assert t == pytest.approx(root, rel=1e-9)


# ---------------------------------------------------------------- alpha_max
ALPHA_MAX_CASES = [
    ("lasso", S.lasso_alpha_max, lambda X, y, g, a, **k: S.lasso(X, y, a, **k)),
    ("enet", lambda X, y, **k: S.enet_alpha_max(X, y, 0.3, **k),
     lambda X, y, g, a, **k: S.elastic_net(X, y, a, 0.3, **k)),
    ("group", lambda X, y, **k: S.group_lasso_alpha_max(X, y, make_groups([2, 3, 4]), **k),
     lambda X, y, g, a, **k: S.group_lasso(X, y, g, a, **k)),
    ("sparse group", lambda X, y, **k: S.sparse_group_lasso_alpha_max(X, y, make_groups([2, 3, 4]),
                                                                      0.6, **k),
     lambda X, y, g, a, **k: S.sparse_group_lasso(X, y, g, a, 0.6, **k)),
]


@pytest.mark.parametrize(("name", "alpha_max", "solve"), ALPHA_MAX_CASES)
@pytest.mark.parametrize("fit_intercept", [False, True])
def test_alpha_max_is_the_smallest_all_zero_alpha(name, alpha_max, solve, fit_intercept):
    X, y = make_problem(30, 9, seed=12, offset=3.0)
    groups = make_groups([2, 3, 4])
    top = alpha_max(X, y, fit_intercept=fit_intercept)
    at = solve(X, y, groups, top, fit_intercept=fit_intercept, tol=TIGHT)
    below = solve(X, y, groups, 0.99 * top, fit_intercept=fit_intercept, tol=TIGHT)
    assert np.all(at.coef == 0), name
    assert np.any(below.coef != 0), name


# ---------------------------------------------------------------- paths
def test_lasso_path_matches_sklearn():
    X, y = make_problem(50, 80, seed=13)
    ours = S.lasso_path(X, y, 20, eps=1e-2, tol=TIGHT)
    alphas, coefs, _ = sk_lasso_path(X, y, alphas=20, eps=1e-2, tol=1e-14, max_iter=100_000)
    np.testing.assert_allclose(ours.alphas, alphas, rtol=1e-12)
    np.testing.assert_allclose(ours.coefs, coefs, atol=1e-8)
    assert ours.converged.all()
    assert np.all(ours.coefs[:, 0] == 0)


def test_enet_path_matches_sklearn():
    X, y = make_problem(50, 40, seed=14)
    ours = S.enet_path(X, y, 0.5, 15, eps=1e-2, tol=TIGHT)
    alphas, coefs, _ = enet_path(X, y, l1_ratio=0.5, alphas=15, eps=1e-2, tol=1e-14,
                                 max_iter=100_000)
    np.testing.assert_allclose(ours.alphas, alphas, rtol=1e-12)
    np.testing.assert_allclose(ours.coefs, coefs, atol=1e-8)


def test_group_lasso_path_equals_cold_solves():
    groups = make_groups([3, 5, 2, 6, 4], seed=6)
    X, y = make_problem(40, groups.size, seed=15, offset=1.0)
    path = S.group_lasso_path(X, y, groups, 8, eps=0.05, fit_intercept=True, tol=TIGHT)
    assert np.all(np.diff(path.alphas) < 0)
    assert path.converged.all()
    assert np.all(path.coefs[:, 0] == 0)
    for i in (1, 4, 7):
        cold = S.group_lasso(X, y, groups, path.alphas[i], fit_intercept=True, tol=TIGHT)
        np.testing.assert_allclose(path.coefs[:, i], cold.coef, atol=1e-7)
        assert path.intercepts[i] == pytest.approx(cold.intercept, abs=1e-7)


def test_path_accepts_explicit_alphas_and_sorts_them():
    X, y = make_problem(30, 20, seed=16)
    path = S.lasso_path(X, y, [0.01, 0.5, 0.1], tol=TIGHT)
    np.testing.assert_array_equal(path.alphas, [0.5, 0.1, 0.01])
    np.testing.assert_allclose(path.coefs[:, 1], sk_lasso(X, y, 0.1).coef_, atol=1e-9)


# ---------------------------------------------------------------- ridge
@pytest.mark.parametrize("fit_intercept", [False, True])
@pytest.mark.parametrize("shape", [(40, 10), (15, 30)])
def test_ridge_matches_sklearn_and_normal_equations(fit_intercept, shape):
    X, y = make_problem(*shape, seed=17, offset=2.0)
    lams = np.array([1e-3, 0.5, 10.0])
    res = S.ridge(X, y, lams, fit_intercept=fit_intercept)
    assert res.coef.shape == (3, shape[1])
    for i, lam in enumerate(lams):
        ref = Ridge(alpha=lam, fit_intercept=fit_intercept, solver="svd").fit(X, y)
        np.testing.assert_allclose(res.coef[i], ref.coef_, atol=1e-9)
        assert res.intercept[i] == pytest.approx(ref.intercept_, abs=1e-9)
        single = S.ridge(X, y, lam, fit_intercept=fit_intercept)
        np.testing.assert_allclose(single.coef, res.coef[i], atol=1e-12)
        if not fit_intercept:
            normal = np.linalg.solve(X.T @ X + lam * np.eye(shape[1]), X.T @ y)
            np.testing.assert_allclose(single.coef, normal, atol=1e-8)
            r = y - X @ single.coef
            assert single.objective == pytest.approx(r @ r + lam * single.coef @ single.coef)


def test_ridge_at_zero_is_minimum_norm_least_squares():
    X, y = make_problem(10, 25, seed=18)
    np.testing.assert_allclose(S.ridge(X, y, 0.0).coef, np.linalg.lstsq(X, y, rcond=None)[0],
                               atol=1e-10)


# ---------------------------------------------------------------- the generic engine
def test_proximal_gradient_solves_nonnegative_least_squares():
    rng = np.random.default_rng(19)
    A, b = rng.standard_normal((30, 10)), rng.standard_normal(30)
    ref = scipy.optimize.nnls(A, b)[0]

    def grad(w):
        return A.T @ (A @ w - b)

    def prox(v, step):
        return np.maximum(v, 0.0)

    L = np.linalg.norm(A, 2) ** 2
    exact = S.proximal_gradient(grad, prox, np.zeros(10), L, max_iter=5000)
    np.testing.assert_allclose(exact.coef, ref, atol=1e-8)
    backtrack = S.proximal_gradient(grad, prox, np.zeros(10), None, max_iter=5000,
                                    f=lambda w: 0.5 * np.sum((A @ w - b) ** 2))
    np.testing.assert_allclose(backtrack.coef, ref, atol=1e-8)


def test_ista_and_fista_obey_their_worst_case_rates():
    # Beck and Teboulle (2009): ISTA F_k - F* <= L||w0 - w*||^2 / (2k), monotone;
    # FISTA (no restart) F_k - F* <= 2 L ||w0 - w*||^2 / (k + 1)^2
    X, y = make_problem(60, 100, seed=20)
    n = len(y)
    alpha = 0.05 * S.lasso_alpha_max(X, y)
    ref = sk_lasso(X, y, alpha)
    best = _enet_objective(X, y, ref.coef_, alpha, 1.0)
    L = np.linalg.norm(X, 2) ** 2 / n
    R2 = ref.coef_ @ ref.coef_
    k = np.arange(1, 301)

    def run(accelerated):
        return S.proximal_gradient(
            lambda w: X.T @ (X @ w - y) / n,
            lambda v, step: np.sign(v) * np.maximum(np.abs(v) - step * alpha, 0),
            np.zeros(100), L, accelerated=accelerated, restart=False, max_iter=300,
            objective=lambda w: _enet_objective(X, y, w, alpha, 1.0)).history

    ista, fista = np.array(run(False)), np.array(run(True))
    assert np.all(np.diff(ista) <= 1e-12)
    assert np.all(ista - best <= L * R2 / (2 * k) + 1e-12)
    assert np.all(fista - best <= 2 * L * R2 / (k + 1) ** 2 + 1e-12)


def test_lasso_history_records_every_iteration():
    X, y = make_problem(30, 40, seed=21)
    res = S.lasso(X, y, 0.1, history=True, tol=1e-10)
    assert len(res.history) == res.n_iter
    assert res.history[-1] == pytest.approx(res.objective, rel=1e-12)


def test_warm_start_at_the_solution_needs_no_iteration():
    X, y = make_problem(40, 60, seed=22)
    first = S.lasso(X, y, 0.2, tol=1e-10)
    again = S.lasso(X, y, 0.2, tol=1e-10, w0=first.coef)
    assert again.n_iter == 0
    assert again.converged
    np.testing.assert_array_equal(again.coef, first.coef)


def test_not_converging_warns():
    X, y = make_problem(40, 60, seed=23)
    with pytest.warns(ConvergenceWarning, match="did not reach the duality gap"):
        res = S.lasso(X, y, 0.01, tol=1e-14, max_iter=3)
    assert not res.converged
    assert res.n_iter <= 3


def test_degenerate_data_constant_target_and_zero_column():
    X, _ = make_problem(20, 5, seed=24)
    X[:, 2] = 0.0
    res = S.lasso(X, np.full(20, 4.0), 0.1, fit_intercept=True)
    assert res.converged
    assert np.all(res.coef == 0)
    assert res.intercept == pytest.approx(4.0)
    y = X @ np.arange(5.0)
    res = S.group_lasso(X, y, [0, 0, 1, 1, 1], 0.01, tol=TIGHT)
    assert np.all(np.isfinite(res.coef))
    assert res.coef[2] == 0.0


# ---------------------------------------------------------------- bad input
X0, Y0 = make_problem(10, 4, seed=25)


@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: S.lasso(X0, Y0, -1.0), ValueError, "alpha must be >= 0"),
    (lambda: S.lasso(X0, Y0, 0.0), ValueError, "alpha must be > 0"),
    (lambda: S.lasso(X0[:, 0], Y0, 0.1), ValueError, "X must be 2-D"),
    (lambda: S.lasso(X0, Y0[:5], 0.1), ValueError, "X has 10 rows but y has 5"),
    (lambda: S.lasso(np.where(X0 > 1, np.nan, X0), Y0, 0.1), ValueError, "X contains NaN"),
    (lambda: S.lasso(X0, Y0, 0.1, w0=np.zeros(3)), ValueError, "w0 has 3 entries"),
    (lambda: S.lasso(X0, Y0, 0.1, tol=-1.0), ValueError, "tol must be >= 0"),
    (lambda: S.lasso(X0, Y0, 0.1, max_iter=0), ValueError, "max_iter must be >= 1"),
    (lambda: S.lasso(X0, Y0, 0.1, max_iter=2.5), TypeError, "max_iter must be an integer"),
    (lambda: S.lasso(X0, Y0, 0.1, history=True, working_set=True), ValueError, "history"),
    (lambda: S.elastic_net(X0, Y0, 0.1, 1.5), ValueError, "l1_ratio must be <= 1"),
    (lambda: S.elastic_net(X0, Y0, 0.1, -0.1), ValueError, "l1_ratio must be >= 0"),
    (lambda: S.group_lasso(X0, Y0, [0, 0, 1], 0.1), ValueError, "groups has 3 labels"),
    (lambda: S.group_lasso(X0, Y0, [0, 0.5, 1, 1], 0.1), TypeError, "integer labels"),
    (lambda: S.group_lasso(X0, Y0, "abcd", 0.1), TypeError, "groups must be a 1-D array"),
    (lambda: S.group_lasso(X0, Y0, [[0, 0, 1, 1]], 0.1), ValueError, "groups must be 1-D"),
    (lambda: S.ridge(X0, Y0, -1.0), ValueError, "lam must be >= 0"),
    (lambda: S.ridge(X0, Y0, [1.0, -1.0]), ValueError, "lam must be >= 0 everywhere"),
    (lambda: S.lasso_path(X0, Y0, 0), ValueError, "alphas must be >= 1"),
    (lambda: S.lasso_path(X0, Y0, [0.1, -0.1]), ValueError, "alphas must be a non-empty"),
    (lambda: S.lasso_path(X0, Y0, 10, eps=0.0), ValueError, "eps must be > 0"),
    (lambda: S.enet_alpha_max(X0, Y0, 0.0), ValueError, "l1_ratio must be > 0"),
    (lambda: S.proximal_gradient(lambda w: w, lambda v, s: v, np.zeros(2)), ValueError,
     "needs L"),
])
def test_bad_input_raises_a_message_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
