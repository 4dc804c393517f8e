"""Tests of normlib.estimators: scikit-learn's conformance suite and oracle comparisons."""

import warnings

import cvxpy as cp
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import Lasso
from sklearn.metrics import r2_score
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from normlib import solvers
from normlib.estimators import GroupLasso, SparseGroupLasso


@parametrize_with_checks([GroupLasso(), SparseGroupLasso()])
def test_sklearn_estimator_checks(estimator, check):
    check(estimator)


def _data(seed=0, n=60):
    rng = np.random.default_rng(seed)
    groups = np.repeat([0, 1, 2, 3], [3, 4, 2, 5])
    X = rng.standard_normal((n, groups.size))
    w = np.where(groups == 1, 2.0, 0.0) + np.where(groups == 3, -1.0, 0.0)
    return X, X @ w + 0.3 * rng.standard_normal(n) + 5.0, groups


def test_group_lasso_estimator_matches_cvxpy():
    X, y, groups = _data()
    n, alpha = len(y), 0.2
    model = GroupLasso(alpha=alpha, groups=groups, tol=1e-13).fit(X, y)
    w, b = cp.Variable(X.shape[1]), cp.Variable()
    penalty = sum(np.sqrt((groups == g).sum()) * cp.norm(w[groups == g], 2) for g in range(4))
    cp.Problem(cp.Minimize(cp.sum_squares(y - X @ w - b) / (2 * n) + alpha * penalty)).solve(
        solver=cp.CLARABEL, tol_gap_abs=1e-9, tol_gap_rel=1e-9, tol_feas=1e-9)
    np.testing.assert_allclose(model.coef_, w.value, atol=1e-5)
    assert model.intercept_ == pytest.approx(b.value, abs=1e-5)
    assert np.all(model.coef_[groups == 0] == 0)  # the noise groups are removed whole
    assert model.n_iter_ > 0
    assert model.dual_gap_ >= 0
    assert model.score(X, y) == pytest.approx(r2_score(y, X @ w.value + b.value), abs=1e-6)


def test_no_groups_is_sklearn_lasso():
    X, y, _ = _data(seed=1)
    ours = GroupLasso(alpha=0.05, tol=1e-13).fit(X, y)
    ref = Lasso(alpha=0.05, tol=1e-14, max_iter=100_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-9)
    assert ours.intercept_ == pytest.approx(ref.intercept_, abs=1e-9)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), atol=1e-8)


def test_sparse_group_lasso_estimator_matches_the_solver():
    X, y, groups = _data(seed=2)
    model = SparseGroupLasso(alpha=0.1, l1_ratio=0.3, groups=groups, tol=1e-13).fit(X, y)
    res = solvers.sparse_group_lasso(X, y, groups, 0.1, 0.3, fit_intercept=True, tol=1e-13)
    np.testing.assert_allclose(model.coef_, res.coef, atol=1e-10)
    # KKT of 1/(2n)||r||^2 + a rho ||w||_1 + a (1 - rho) sum_g sqrt(p_g) ||w_g||, corr = X^T r / n
    a1, a2 = 0.1 * 0.3, 0.1 * 0.7
    corr = X.T @ (y - model.predict(X)) / len(y)
    for g in np.unique(groups):
        w_g, c_g, c = model.coef_[groups == g], corr[groups == g], np.sqrt((groups == g).sum())
        if np.any(w_g != 0):
            nz = w_g != 0
            expected = a1 * np.sign(w_g[nz]) + a2 * c * w_g[nz] / np.linalg.norm(w_g)
            np.testing.assert_allclose(c_g[nz], expected, atol=1e-7)
            assert np.all(np.abs(c_g[~nz]) <= a1 + 1e-9)
        else:
            assert np.linalg.norm(np.sign(c_g) * np.maximum(np.abs(c_g) - a1, 0)) <= a2 * c + 1e-9


def test_params_roundtrip_and_clone():
    model = GroupLasso(alpha=0.3, groups=[0, 0, 1], fit_intercept=False, tol=1e-6)
    params = model.get_params()
    assert params == {"alpha": 0.3, "groups": [0, 0, 1], "fit_intercept": False, "tol": 1e-6,
                      "max_iter": 10_000, "warm_start": False}
    copy = clone(model).set_params(alpha=0.7)
    assert copy.alpha == 0.7
    assert model.alpha == 0.3
    assert copy.groups == [0, 0, 1]


def test_warm_start_reuses_the_solution():
    X, y, groups = _data(seed=3)
    model = GroupLasso(alpha=0.1, groups=groups, warm_start=True, tol=1e-10).fit(X, y)
    first = model.coef_.copy()
    model.fit(X, y)
    assert model.n_iter_ == 0
    np.testing.assert_array_equal(model.coef_, first)


def test_grid_search_in_a_pipeline_selects_a_sparse_model():
    X, y, groups = _data(seed=4, n=90)
    pipe = make_pipeline(StandardScaler(), GroupLasso(groups=groups))
    search = GridSearchCV(pipe, {"grouplasso__alpha": [0.01, 0.1, 1.0, 10.0]}, cv=3)
    search.fit(X, y)
    # alpha = 10 zeroes every group (R^2 <= 0): the search must not pick it
    assert search.best_params_["grouplasso__alpha"] < 10.0
    assert search.best_score_ > 0.9


def test_fit_validates_groups_and_alpha():
    X, y, _ = _data()
    with pytest.raises(ValueError, match="groups has 3 labels"):
        GroupLasso(groups=[0, 1, 2]).fit(X, y)
    with pytest.raises(ValueError, match="alpha must be >= 0"):
        GroupLasso(alpha=-1.0).fit(X, y)
    with pytest.raises(ValueError, match="l1_ratio must be <= 1"):
        SparseGroupLasso(l1_ratio=2.0).fit(X, y)


def test_convergence_warning_reaches_the_user():
    X, y, groups = _data()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        GroupLasso(alpha=0.001, groups=groups, tol=1e-15, max_iter=2).fit(X, y)
    assert any(issubclass(w.category, ConvergenceWarning) for w in caught)
