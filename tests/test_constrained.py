"""Tests of normlib.constrained vs cvxpy, SLSQP, lstsq, sklearn and finite differences."""

import cvxpy as cp
import numpy as np
import pytest
from scipy.optimize import minimize
from sklearn.linear_model import Ridge
from sklearn.svm import SVC

from normlib.constrained import (
    constrained_ridge,
    hard_margin_svm,
    lambda_for_budget,
    projected_gradient,
    projected_gradient_l1,
    projected_gradient_l2,
    ridge_norm_sq,
    shadow_price,
)


@pytest.fixture
def problem(rng):
    """A ridge problem like the book's: n = 50, d = 10."""
    X = rng.standard_normal((50, 10))
    y = X @ rng.standard_normal(10) + 0.5 * rng.standard_normal(50)
    return X, y


def ols_norm_sq(X, y):
    w = np.linalg.lstsq(X, y, rcond=None)[0]
    return float(w @ w)


TIGHT = {"tol_gap_abs": 1e-10, "tol_gap_rel": 1e-10, "tol_feas": 1e-10, "tol_ktratio": 1e-8}


def cvxpy_ball(X, y, radius, p):
    w = cp.Variable(X.shape[1])
    constraint = cp.sum_squares(w) <= radius**2 if p == 2 else cp.norm1(w) <= radius
    cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w)), [constraint]).solve(
        solver=cp.CLARABEL, **TIGHT)
    return w.value


# --------------------------------------------------------------------------- projected gradient
@pytest.mark.parametrize(("solver", "p"), [(projected_gradient_l2, 2), (projected_gradient_l1, 1)])
def test_projected_gradient_matches_cvxpy(problem, solver, p):
    X, y = problem
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    radius = 0.4 * np.linalg.norm(w_ols, p)  # active constraint
    res = solver(X, y, radius)
    w_ref = cvxpy_ball(X, y, radius, p)
    assert res.converged
    np.testing.assert_allclose(res.w, w_ref, atol=1e-6)
    assert np.linalg.norm(res.w, p) <= radius * (1 + 1e-10)
    # the recorded objective is 1/2 ||y - Xw||^2 and never increases (step 1/L)
    assert res.objective[-1] == pytest.approx(0.5 * np.sum((y - X @ res.w) ** 2), rel=1e-12)
    assert np.all(np.diff(res.objective) <= 1e-9 * res.objective[0])


def test_projected_gradient_l1_gives_exact_zeros(rng):
    X = rng.standard_normal((40, 30))
    y = X[:, :3] @ np.array([2.0, -1.5, 1.0]) + 0.1 * rng.standard_normal(40)
    res = projected_gradient_l1(X, y, radius=2.0)
    w_ref = cvxpy_ball(X, y, 2.0, 1)
    np.testing.assert_allclose(res.w, w_ref, atol=1e-6)
    assert np.sum(res.w == 0.0) >= 20  # exact zeros, not just small values


def test_projected_gradient_inactive_constraint_gives_ols(problem):
    X, y = problem
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    res = projected_gradient_l2(X, y, radius=2 * np.linalg.norm(w_ols))
    np.testing.assert_allclose(res.w, w_ols, atol=1e-7)


def test_projected_gradient_generic_box(rng):
    """A box constraint (projection = clip) on a quadratic: compare with scipy L-BFGS-B."""
    A = rng.standard_normal((8, 5))
    H, b = A.T @ A + np.eye(5), rng.standard_normal(5) * 5

    def f(w):
        return 0.5 * w @ H @ w - b @ w

    res = projected_gradient(lambda w: H @ w - b, np.zeros(5), lambda w: np.clip(w, -1, 1),
                             step=1 / np.linalg.eigvalsh(H)[-1], n_iter=10_000, f=f)
    ref = minimize(f, np.zeros(5), jac=lambda w: H @ w - b, method="L-BFGS-B",
                   bounds=[(-1, 1)] * 5, options={"ftol": 1e-15, "gtol": 1e-12})
    np.testing.assert_allclose(res.w, ref.x, atol=1e-6)
    assert res.objective.size == res.n_iter + 1


def test_projected_gradient_validation():
    with pytest.raises(TypeError, match="grad_f must be a callable"):
        projected_gradient(None, np.zeros(2), lambda w: w, 0.1)
    with pytest.raises(TypeError, match="project must be a callable"):
        projected_gradient(lambda w: w, np.zeros(2), "l2", 0.1)
    with pytest.raises(ValueError, match="step must be > 0"):
        projected_gradient(lambda w: w, np.zeros(2), lambda w: w, 0.0)
    with pytest.raises(ValueError, match="w0 contains NaN"):
        projected_gradient(lambda w: w, np.array([np.nan, 1.0]), lambda w: w, 0.1)
    with pytest.raises(ValueError, match="radius must be >= 0"):
        projected_gradient_l2(np.eye(3), np.ones(3), -1.0)
    with pytest.raises(ValueError, match="w0 must have shape"):
        projected_gradient_l1(np.eye(3), np.ones(3), 1.0, w0=np.zeros(2))


# --------------------------------------------------------------------------- ridge budget
def test_ridge_norm_sq_matches_sklearn_ridge(problem):
    X, y = problem
    for lam in (0.0, 0.1, 10.0, 1e4):
        if lam == 0:
            w = np.linalg.lstsq(X, y, rcond=None)[0]
        else:
            w = Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(X, y).coef_
        assert ridge_norm_sq(X, y, lam) == pytest.approx(w @ w, rel=1e-10)


def test_lambda_star_solves_the_constrained_problem(problem):
    """w(lam*) solves the constrained problem (cvxpy, SLSQP); lam* is SLSQP's multiplier."""
    X, y = problem
    C = 0.3 * ols_norm_sq(X, y)
    res = constrained_ridge(X, y, C)
    # oracle 1: cvxpy on min ||y - Xw||^2 s.t. ||w||^2 <= C
    w = cp.Variable(X.shape[1])
    budget = cp.sum_squares(w) <= C
    cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w)), [budget]).solve(
        solver=cp.CLARABEL, **TIGHT)
    np.testing.assert_allclose(res.w, w.value, atol=1e-7)
    assert res.lam == pytest.approx(budget.dual_value.item(), rel=1e-4)  # interior-point dual
    # oracle 2: SLSQP on the constrained problem, with its KKT multiplier
    slsqp = minimize(lambda v: np.sum((y - X @ v) ** 2), np.zeros(X.shape[1]),
                     jac=lambda v: -2 * X.T @ (y - X @ v), method="SLSQP",
                     constraints=[{"type": "ineq", "fun": lambda v: C - v @ v,
                                   "jac": lambda v: -2 * v}],
                     options={"ftol": 1e-14, "maxiter": 500})
    np.testing.assert_allclose(res.w, slsqp.x, atol=1e-6)
    assert res.lam == pytest.approx(slsqp.multipliers[0], rel=1e-6)
    assert res.loss == pytest.approx(slsqp.fun, rel=1e-8)
    # oracle 3: sklearn's Ridge at alpha = lam* gives the same w
    ridge = Ridge(alpha=res.lam, fit_intercept=False, solver="cholesky").fit(X, y)
    np.testing.assert_allclose(res.w, ridge.coef_, rtol=1e-9, atol=1e-12)


def test_active_constraint_is_on_the_boundary(problem):
    X, y = problem
    for frac in (0.05, 0.3, 0.9):
        C = frac * ols_norm_sq(X, y)
        res = constrained_ridge(X, y, C)
        assert res.lam > 0
        assert res.w @ res.w == pytest.approx(C, rel=1e-10)


def test_shadow_price_is_minus_dL_dC(problem):
    """Central finite differences of L*(C) give -lam* (rel. error < 1e-5)."""
    X, y = problem
    for frac in (0.1, 0.3, 0.7):
        C = frac * ols_norm_sq(X, y)
        h = 1e-4 * C
        dL = (constrained_ridge(X, y, C + h).loss - constrained_ridge(X, y, C - h).loss) / (2 * h)
        lam = lambda_for_budget(X, y, C)
        assert abs(dL + lam) / lam < 1e-5
        assert shadow_price(X, y, C) == pytest.approx(-dL, rel=1e-5)
        # loss 1/2 ||y - Xw||^2: the price halves (penalty (lam/2)||w||^2, mu* = lam/2)
        assert shadow_price(X, y, C, loss_scale=0.5) == pytest.approx(-dL / 2, rel=1e-5)


def test_inactive_constraint_returns_ols(problem):
    X, y = problem
    C = 1.5 * ols_norm_sq(X, y)
    res = constrained_ridge(X, y, C)
    assert res.lam == 0.0
    assert shadow_price(X, y, C) == 0.0
    w_ols = np.linalg.lstsq(X, y, rcond=None)[0]
    np.testing.assert_allclose(res.w, w_ols, rtol=1e-10, atol=1e-12)
    assert res.loss == pytest.approx(np.sum((y - X @ w_ols) ** 2), rel=1e-10)


def test_rank_deficient_X_uses_min_norm_solution(rng):
    """d > n: at lam = 0 the budget compares with the minimum-norm interpolant (pinv)."""
    X = rng.standard_normal((10, 30))
    y = rng.standard_normal(10)
    w_pinv = np.linalg.pinv(X) @ y
    assert ridge_norm_sq(X, y, 0.0) == pytest.approx(w_pinv @ w_pinv, rel=1e-9)
    assert lambda_for_budget(X, y, 1.01 * (w_pinv @ w_pinv)) == 0.0
    res = constrained_ridge(X, y, 0.5 * (w_pinv @ w_pinv))
    ridge = Ridge(alpha=res.lam, fit_intercept=False, solver="svd").fit(X, y)
    np.testing.assert_allclose(res.w, ridge.coef_, rtol=1e-8, atol=1e-12)


def test_budget_validation(problem):
    X, y = problem
    with pytest.raises(ValueError, match="C must be > 0"):
        lambda_for_budget(X, y, 0.0)
    with pytest.raises(ValueError, match="lam must be >= 0"):
        ridge_norm_sq(X, y, -1.0)
    with pytest.raises(ValueError, match="X has 50 rows but y has 49"):
        constrained_ridge(X, y[:-1], 1.0)
    with pytest.raises(ValueError, match="loss_scale must be > 0"):
        shadow_price(X, y, 1.0, loss_scale=0)
    with pytest.raises(TypeError, match="C must be a real number"):
        constrained_ridge(X, y, "1")


# --------------------------------------------------------------------------- hard-margin SVM
@pytest.fixture
def separable(rng):
    X = rng.standard_normal((40, 3))
    u = np.array([1.0, -0.5, 0.3])
    y = np.where(X @ u > 0.3, 1.0, -1.0)
    X = X + 0.25 * y[:, None] * u / np.linalg.norm(u)
    return X, y


def test_hard_margin_svm_matches_sklearn(separable):
    X, y = separable
    res = hard_margin_svm(X, y)
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(res.w, svc.coef_[0], rtol=1e-5)
    assert res.b == pytest.approx(svc.intercept_[0], rel=1e-5, abs=1e-6)
    alpha_svc = np.zeros(len(y))
    alpha_svc[svc.support_] = svc.dual_coef_[0] * y[svc.support_]  # dual_coef_ = y_i alpha_i
    np.testing.assert_allclose(res.alpha, alpha_svc, atol=1e-5 * alpha_svc.max())
    assert res.margin == pytest.approx(1 / np.linalg.norm(svc.coef_[0]), rel=1e-5)


def test_hard_margin_svm_kkt_identities(separable):
    X, y = separable
    w, b, alpha, margin = hard_margin_svm(X, y)
    assert alpha.sum() == pytest.approx(w @ w, rel=1e-6)          # sum alpha_i = ||w||^2
    np.testing.assert_allclose(X.T @ (alpha * y), w, atol=1e-6)   # w = sum alpha_i y_i x_i
    assert abs(alpha @ y) < 1e-6 * alpha.sum()                    # sum alpha_i y_i = 0
    functional = y * (X @ w + b)
    assert functional.min() == pytest.approx(1.0, abs=1e-6)       # tight constraints
    assert np.all(alpha[functional > 1 + 1e-4] < 1e-6)            # complementary slackness
    # the geometric margin equals the smallest distance of a point to the hyperplane
    assert margin == pytest.approx(np.min(functional / np.linalg.norm(w)), rel=1e-6)


def test_hard_margin_svm_errors():
    X = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    with pytest.raises(ValueError, match="not linearly separable"):
        hard_margin_svm(X, np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="both labels -1 and \\+1"):
        hard_margin_svm(X, np.array([0.0, 1.0, 1.0]))
    with pytest.raises(ValueError, match="both labels"):
        hard_margin_svm(X, np.ones(3))
