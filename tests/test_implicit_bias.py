"""Tests of normlib.implicit_bias against cvxpy, scikit-learn, finite differences and theory."""

import cvxpy as cp
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import approx_fprime
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss
from sklearn.svm import SVC

from normlib.implicit_bias import (
    cosine,
    gd_logistic,
    l2_logistic_solution,
    logistic_loss,
    max_margin_direction,
    normalized_margin,
    record_times,
)


def separable_data(seed, n=60, d=6, gap=0.3):
    """Gaussian points labelled by a random hyperplane through 0, pushed `gap` away from it."""
    rng = np.random.default_rng(seed)
    w_true = rng.standard_normal(d)
    X = rng.standard_normal((n, d))
    y = np.where(X @ w_true >= 0, 1.0, -1.0)
    X += gap * y[:, None] * w_true / np.linalg.norm(w_true)
    return X, y


def cvxpy_max_margin(X, y):
    """Oracle: the primal hard-margin SVM, min ||w||^2 s.t. y_i x_i.w >= 1, solved by Clarabel."""
    w = cp.Variable(X.shape[1])
    cp.Problem(cp.Minimize(cp.sum_squares(w)), [cp.multiply(y, X @ w) >= 1]).solve(
        solver=cp.CLARABEL)
    return w.value


@pytest.fixture(scope="module")
def data():
    return separable_data(0)


@pytest.fixture(scope="module")
def w_hat(data):
    return max_margin_direction(*data)


@pytest.fixture(scope="module")
def trajectory(data):
    return gd_logistic(*data, n_steps=100_000, record=40)


# --------------------------------------------------------------------------- #
# max-margin direction
# --------------------------------------------------------------------------- #
def test_max_margin_matches_cvxpy_primal(data, w_hat):
    X, y = data
    assert (y * (X @ w_hat)).min() == pytest.approx(1.0, abs=1e-12)
    np.testing.assert_allclose(w_hat, cvxpy_max_margin(X, y), rtol=1e-6, atol=1e-7)


def test_max_margin_matches_svc_on_symmetrised_data(data, w_hat):
    # SVC always fits an intercept b. Adding the mirror image (-x_i, -y_i) of every point keeps
    # the homogeneous problem unchanged (y_i x_i is the same) and makes b -> -b a symmetry, so
    # the (unique) SVC solution has b = 0 and its w is the SVM without intercept.
    X, y = data
    svc = SVC(kernel="linear", C=1e8, tol=1e-10).fit(np.vstack([X, -X]), np.concatenate([y, -y]))
    assert abs(svc.intercept_[0]) < 1e-8
    np.testing.assert_allclose(svc.coef_[0], w_hat, rtol=1e-5, atol=1e-6)
    # ... whereas SVC on the raw data fits a nonzero intercept and a different w.
    raw = SVC(kernel="linear", C=1e8, tol=1e-10).fit(X, y)
    assert abs(raw.intercept_[0]) > 1e-3


@settings(max_examples=15)
@given(st.integers(0, 10_000), st.integers(2, 8), st.integers(5, 40))
def test_max_margin_matches_cvxpy_on_random_data(seed, d, n):
    X, y = separable_data(seed, n=n, d=d, gap=0.1)
    w = max_margin_direction(X, y)
    reference = cvxpy_max_margin(X, y)
    assert (y * (X @ w)).min() == pytest.approx(1.0, abs=1e-9)
    assert np.linalg.norm(w) <= np.linalg.norm(reference) * (1 + 1e-6)
    np.testing.assert_allclose(w, reference, rtol=1e-4, atol=1e-5 * np.linalg.norm(reference))


def test_max_margin_rejects_non_separable_data_and_bad_labels():
    X = np.array([[1.0, 0.0], [2.0, 0.0]])
    with pytest.raises(ValueError, match="not linearly separable"):
        max_margin_direction(X, np.array([1.0, -1.0]))
    with pytest.raises(ValueError, match=r"pass 2 \* y - 1"):
        max_margin_direction(X, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="X has 2 rows but y has 3"):
        max_margin_direction(X, np.ones(3))


# --------------------------------------------------------------------------- #
# gradient descent
# --------------------------------------------------------------------------- #
def test_gd_steps_match_finite_difference_gradients(data):
    X, y = data

    def loss(w):  # sklearn's mean log-loss with probabilities sigma(x.w) equals L(w)
        return log_loss((y > 0).astype(int), 1 / (1 + np.exp(-(X @ w))), labels=[0, 1])

    step = 0.7
    w = np.zeros(X.shape[1])
    manual = []
    for _ in range(3):
        w = w - step * approx_fprime(w, loss, 1e-7)
        manual.append(w)
    trajectory = gd_logistic(X, y, step=step, n_steps=3, record=[1, 2, 3])
    np.testing.assert_allclose(trajectory.weights, manual, rtol=1e-5, atol=1e-7)
    np.testing.assert_allclose(trajectory.losses, [loss(w) for w in trajectory.weights],
                               rtol=1e-10)
    assert logistic_loss(X, y, manual[-1]) == pytest.approx(loss(manual[-1]), rel=1e-10)


def test_default_step_is_one_over_the_smoothness(data):
    X, y = data
    n = len(y)
    beta = np.linalg.norm(X, 2) ** 2 / (4 * n)  # ||Z|| = ||X|| since |y_i| = 1
    assert gd_logistic(X, y, n_steps=1).step == pytest.approx(1 / beta)


def test_direction_converges_to_max_margin(trajectory, w_hat):
    gap = 1 - cosine(trajectory.weights, w_hat)
    at = dict(zip(trajectory.steps, gap, strict=True))
    steps = trajectory.steps
    t10, t1e3 = steps[steps >= 10][0], steps[steps >= 1000][0]
    assert at[100_000] < at[t1e3] < at[t10]
    assert np.all(np.diff(gap) < 0)  # monotone along the whole trajectory
    # slowly: the gap is still far from 0 after 1e5 steps (it shrinks like 1/log t)
    assert at[100_000] > 1e-6


def test_norm_grows_like_log_t_with_slope_norm_w_hat(trajectory, w_hat):
    keep = trajectory.steps >= 1000
    log_t, norms = np.log(trajectory.steps[keep]), trajectory.norms[keep]
    slope, intercept = np.polyfit(log_t, norms, 1)
    residual = norms - (slope * log_t + intercept)
    assert np.abs(residual).max() < 0.02 * (norms.max() - norms.min())
    # Soudry et al.: w(t) = w_hat log t + O(1), so d||w|| / d log t -> ||w_hat||
    assert slope == pytest.approx(np.linalg.norm(w_hat), rel=0.15)


def test_loss_falls_like_one_over_t(trajectory):
    keep = trajectory.steps >= 10_000
    slope, _ = np.polyfit(np.log(trajectory.steps[keep]), np.log(trajectory.losses[keep]), 1)
    assert slope == pytest.approx(-1.0, abs=0.05)


def test_normalized_margin_rises_towards_the_max(trajectory, w_hat, data):
    gamma = 1 / np.linalg.norm(w_hat)
    margins = trajectory.margins
    assert np.all(margins <= gamma * (1 + 1e-12))
    assert margins[-1] > margins[len(margins) // 2] > 0
    np.testing.assert_allclose(margins, normalized_margin(*data, trajectory.weights))


def test_normalized_gd_is_much_faster_in_direction(data, w_hat, trajectory):
    fast = gd_logistic(*data, step=0.1, n_steps=20_000, normalized=True, record=5)
    plain_gap = 1 - cosine(trajectory.weights[-1], w_hat)
    assert 1 - cosine(fast.weights[-1], w_hat) < plain_gap / 10


def test_gd_validates_its_input(data):
    X, y = data
    with pytest.raises(ValueError, match="step must be > 0"):
        gd_logistic(X, y, step=0.0)
    with pytest.raises(ValueError, match="n_steps must be >= 1"):
        gd_logistic(X, y, n_steps=0)
    with pytest.raises(ValueError, match="w0 must have 6 entries"):
        gd_logistic(X, y, w0=np.zeros(5))
    with pytest.raises(ValueError, match=r"record steps must lie in \[1, n_steps=10\]"):
        gd_logistic(X, y, n_steps=10, record=[0, 5])
    with pytest.raises(ValueError, match="labels -1 and \\+1"):
        gd_logistic(X, np.where(y > 0, 2.0, -1.0))


def test_record_times_are_log_spaced_and_end_at_n_steps():
    times = record_times(10_000, 5)
    np.testing.assert_array_equal(times, [1, 10, 100, 1000, 10_000])
    assert record_times(7, 50)[-1] == 7
    np.testing.assert_array_equal(record_times(9, [2, 5]), [2, 5, 9])


# --------------------------------------------------------------------------- #
# explicit L2 penalty
# --------------------------------------------------------------------------- #
@pytest.mark.parametrize("lam", [1e-1, 1e-3, 1e-5])
def test_l2_logistic_matches_sklearn(data, lam):
    X, y = data
    n = len(y)
    # sklearn minimises C * sum(loss) + ||w||^2 / 2 = C n [mean(loss) + ||w||^2 / (2 C n)]
    clf = LogisticRegression(C=1 / (n * lam), fit_intercept=False, tol=1e-12, max_iter=100_000)
    clf.fit(X, y)
    np.testing.assert_allclose(l2_logistic_solution(X, y, lam), clf.coef_[0], rtol=1e-5,
                               atol=1e-7)


def test_l2_direction_approaches_max_margin_as_lam_shrinks(data, w_hat):
    X, y = data
    lams = [1e-1, 1e-2, 1e-3, 1e-4, 1e-6]
    solutions = [l2_logistic_solution(X, y, lam) for lam in lams]
    gaps = [1 - cosine(w, w_hat) for w in solutions]
    norms = [np.linalg.norm(w) for w in solutions]
    assert np.all(np.diff(gaps) < 0)
    assert np.all(np.diff(norms) > 0)  # finite for each lam, growing as lam -> 0
    assert gaps[0] > 1e-3  # at moderate lam the direction is visibly different
    gamma = 1 / np.linalg.norm(w_hat)
    assert normalized_margin(X, y, solutions[0]) < gamma * (1 - 1e-3)
    # the explicit solution is a stationary point: the penalised gradient vanishes
    for lam, w in zip(lams, solutions, strict=True):
        grad = -(y * X.T) @ (1 / (1 + np.exp(y * (X @ w)))) / len(y) + lam * w
        assert np.linalg.norm(grad) < 1e-8


def test_l2_logistic_rejects_zero_lam(data):
    with pytest.raises(ValueError, match="lam must be > 0"):
        l2_logistic_solution(*data, 0.0)


# --------------------------------------------------------------------------- #
# helpers
# --------------------------------------------------------------------------- #
def test_cosine_and_margin_helpers(rng):
    w, v = rng.standard_normal(4), rng.standard_normal(4)
    assert cosine(w, v) == pytest.approx(w @ v / np.linalg.norm(w) / np.linalg.norm(v))
    np.testing.assert_allclose(cosine(np.vstack([w, 2 * w]), w), [1.0, 1.0])
    with pytest.raises(ValueError, match="zero vector"):
        cosine(np.zeros(4), v)
    with pytest.raises(ValueError, match="4 entries per vector but w_ref has 3"):
        cosine(w, v[:3])
    X, y = np.array([[1.0, 1.0], [-1.0, 0.5]]), np.array([1.0, -1.0])
    u = np.array([3.0, 4.0])
    assert normalized_margin(X, y, u) == pytest.approx(min(7 / 5, (3 - 2) / 5))
