"""Tests of normlib.prox against closed forms, cvxpy, torch.autograd and properties."""

import cvxpy as cp
import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import arrays, grouped_vectors, matrices, nonneg, positive, same_shape_pairs

from normlib.prox import (
    group_soft_threshold,
    project_l1_ball,
    project_l2_ball,
    project_linf_ball,
    prox_elastic_net,
    prox_l2_squared,
    soft_threshold,
)

TOL = 1e-9


def _norm(x):
    return np.linalg.norm(np.ravel(x))


def _project_rows_l2(V, k):
    """Row-wise projection onto the L2 ball of radius k, one row at a time (an independent loop)."""
    out = np.empty_like(V)
    for i, row in enumerate(V):
        nrm = np.sqrt(sum(x * x for x in row))
        out[i] = row if nrm <= k else row * (k / nrm)
    return out


# ---------------------------------------------------------------- soft threshold
def test_soft_threshold_matches_piecewise_definition():
    v = np.array([-3.0, -1.0, -0.5, 0.0, 0.2, 0.5, 0.7, 4.0])
    k = 0.5
    expected = [x - k if x > k else (x + k if x < -k else 0.0) for x in v]
    np.testing.assert_array_equal(soft_threshold(v, k), expected)


@given(v=arrays(), k=nonneg(50.0))
def test_soft_threshold_zeroes_exactly_the_small_entries(v, k):
    out = soft_threshold(v, k)
    small = np.abs(v) <= k
    assert np.all(out[small] == 0.0)
    # the other entries move towards zero by exactly k and keep their sign
    np.testing.assert_allclose(np.abs(out[~small]), np.abs(v[~small]) - k, rtol=1e-12, atol=1e-12)
    assert np.all(np.sign(out[~small]) == np.sign(v[~small]))


@given(v=arrays(max_dims=1), k=nonneg(20.0))
def test_soft_threshold_satisfies_prox_optimality(v, k):
    # x = prox(v) iff v - x is in k * subdifferential of |.| at x
    x = soft_threshold(v, k)
    g = v - x
    nz = x != 0
    np.testing.assert_allclose(g[nz], k * np.sign(x[nz]), atol=1e-10)
    assert np.all(np.abs(g[~nz]) <= k + 1e-12)


def test_soft_threshold_array_threshold_broadcasts(rng):
    V = rng.standard_normal((4, 3))
    k = np.array([0.1, 0.5, 2.0])
    expected = np.column_stack([soft_threshold(V[:, j], k[j]) for j in range(3)])
    np.testing.assert_array_equal(soft_threshold(V, k), expected)


@given(uv=same_shape_pairs(), k=nonneg())
def test_soft_threshold_is_nonexpansive(uv, k):
    u, v = uv
    assert _norm(soft_threshold(u, k) - soft_threshold(v, k)) <= _norm(u - v) * (1 + TOL) + TOL


@given(v=arrays(), t=nonneg(50.0))
def test_moreau_decomposition_l1(v, t):
    # prox of t||.||_1 plus projection onto the dual ball {||.||_inf <= t} gives back v
    np.testing.assert_allclose(soft_threshold(v, t) + project_linf_ball(v, t), v,
                               rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------- elastic net / L2
@given(v=arrays(max_dims=1), lam1=nonneg(), lam2=nonneg(), step=positive())
def test_prox_elastic_net_satisfies_optimality(v, lam1, lam2, step):
    # x minimises 0.5||x - v||^2 + step (lam1 |x| + lam2 x^2):
    # v - x - 2 step lam2 x in step lam1 d|x|
    x = prox_elastic_net(v, lam1, lam2, step)
    g = v - x - 2 * step * lam2 * x
    nz = x != 0
    np.testing.assert_allclose(g[nz], step * lam1 * np.sign(x[nz]), atol=1e-9)
    assert np.all(np.abs(g[~nz]) <= step * lam1 + 1e-9)


def test_prox_elastic_net_matches_cvxpy(rng):
    v = rng.standard_normal(12) * 2
    lam1, lam2, step = 0.7, 0.4, 0.9
    x = cp.Variable(12)
    cp.Problem(cp.Minimize(0.5 * cp.sum_squares(x - v)
                           + step * (lam1 * cp.norm1(x) + lam2 * cp.sum_squares(x)))).solve()
    np.testing.assert_allclose(prox_elastic_net(v, lam1, lam2, step), x.value, atol=1e-6)


@given(uv=same_shape_pairs(), lam1=nonneg(), lam2=nonneg(), step=positive())
def test_prox_elastic_net_is_nonexpansive(uv, lam1, lam2, step):
    u, v = uv
    d = prox_elastic_net(u, lam1, lam2, step) - prox_elastic_net(v, lam1, lam2, step)
    assert _norm(d) <= _norm(u - v) * (1 + TOL) + TOL


@given(v=arrays(), lam=nonneg(), step=positive())
def test_prox_l2_squared_is_the_stationary_point(v, lam, step):
    # gradient of 0.5||x - v||^2 + step lam 0.5 ||x||^2 vanishes
    x = prox_l2_squared(v, lam, step)
    np.testing.assert_allclose(x - v + step * lam * x, 0.0, atol=1e-9)


# ---------------------------------------------------------------- group soft threshold
def test_group_soft_threshold_matches_cvxpy(rng):
    V = rng.standard_normal((5, 4))
    V[2] = 0.0
    V[3] *= 0.1  # a row below the threshold
    k = 0.6
    X = cp.Variable((5, 4))
    cp.Problem(cp.Minimize(0.5 * cp.sum_squares(X - V)
                           + k * cp.sum(cp.norm(X, 2, axis=1)))).solve()
    out = group_soft_threshold(V, k)
    np.testing.assert_allclose(out, X.value, atol=1e-6)
    assert np.all(out[2] == 0)
    assert np.all(out[3] == 0)


def test_group_soft_threshold_keeps_zero_rows_zero_without_nans():
    V = np.array([[0.0, 0.0], [3.0, 4.0]])
    for k in (0.0, 1.0):
        out = group_soft_threshold(V, k)
        assert np.all(np.isfinite(out))
        np.testing.assert_array_equal(out[0], [0.0, 0.0])
    np.testing.assert_allclose(group_soft_threshold(V, 1.0)[1], [3.0 * 0.8, 4.0 * 0.8])


@given(V=matrices(), k=nonneg(50.0))
def test_moreau_decomposition_group(V, k):
    # prox of k sum_g ||V_g|| plus projection onto {||V_g|| <= k for every g} gives back V
    np.testing.assert_allclose(group_soft_threshold(V, k) + _project_rows_l2(V, k), V,
                               rtol=1e-10, atol=1e-10)


@given(uv=same_shape_pairs(min_dims=2, max_dims=2), k=nonneg())
def test_group_soft_threshold_is_nonexpansive(uv, k):
    u, v = uv
    d = group_soft_threshold(u, k) - group_soft_threshold(v, k)
    assert _norm(d) <= _norm(u - v) * (1 + TOL) + TOL


@given(wg=grouped_vectors(), k=nonneg(50.0))
def test_group_labels_equal_the_row_version(wg, k):
    # grouping a vector by labels is the same as gathering each group into a row
    w, groups = wg
    out = group_soft_threshold(w, k, groups=groups)
    for g in np.unique(groups):
        row = w[groups == g][None, :]
        np.testing.assert_allclose(out[groups == g], group_soft_threshold(row, k)[0],
                                   rtol=1e-12, atol=1e-12)


def test_group_soft_threshold_per_group_thresholds(rng):
    V = rng.standard_normal((3, 4))
    k = np.array([0.1, 5.0, 1.0])
    out = group_soft_threshold(V, k)
    for i in range(3):
        np.testing.assert_allclose(out[i], group_soft_threshold(V[i:i + 1], k[i])[0])
    # a 1-D vector without labels is a single group
    np.testing.assert_allclose(group_soft_threshold(V[0], 0.3), group_soft_threshold(V[:1], 0.3)[0])


# ---------------------------------------------------------------- projections
def _cvxpy_projection(v, norm, radius):
    x = cp.Variable(v.shape[0])
    cp.Problem(cp.Minimize(cp.sum_squares(x - v)), [cp.norm(x, norm) <= radius]).solve()
    return x.value


@pytest.mark.parametrize("radius", [0.5, 2.0, 100.0])
def test_project_l1_ball_matches_cvxpy(rng, radius):
    v = rng.standard_normal(15) * 2
    np.testing.assert_allclose(project_l1_ball(v, radius), _cvxpy_projection(v, 1, radius),
                               atol=1e-6)


@pytest.mark.parametrize("radius", [0.5, 100.0])
def test_project_l2_ball_matches_cvxpy(rng, radius):
    v = rng.standard_normal(10) * 2
    np.testing.assert_allclose(project_l2_ball(v, radius), _cvxpy_projection(v, 2, radius),
                               atol=1e-6)


PROJECTIONS = [(project_l1_ball, 1), (project_l2_ball, 2), (project_linf_ball, np.inf)]


@pytest.mark.parametrize(("project", "order"), PROJECTIONS)
@given(v=arrays(max_dims=1), radius=nonneg(50.0))
def test_projection_lands_in_ball_and_is_idempotent(project, order, v, radius):
    p = project(v, radius)
    assert np.linalg.norm(p, order) <= radius * (1 + 1e-12) + 1e-12
    np.testing.assert_allclose(project(p, radius), p, rtol=1e-10, atol=1e-10)
    if np.linalg.norm(v, order) <= radius:  # identity inside the ball
        np.testing.assert_array_equal(p, v)


@pytest.mark.parametrize(("project", "order"), PROJECTIONS)
@given(v=arrays(max_dims=1), seed=st.integers(0, 2**32 - 1), radius=positive(0.1, 10.0))
def test_projection_variational_inequality(project, order, v, seed, radius):
    # P(v) is the closest point iff (v - P(v)) . (u - P(v)) <= 0 for every u in the ball
    p = project(v, radius)
    u = np.random.default_rng(seed).standard_normal((20, v.size))
    u *= radius / np.maximum(np.linalg.norm(u, order, axis=1), 1e-12)[:, None]
    assert np.all((u - p) @ (v - p) <= 1e-8 * (1 + _norm(v)) * (1 + radius))


@pytest.mark.parametrize(("project", "_order"), PROJECTIONS)
@given(uv=same_shape_pairs(max_dims=1), radius=nonneg())
def test_projection_is_nonexpansive(project, _order, uv, radius):
    u, v = uv
    assert _norm(project(u, radius) - project(v, radius)) <= _norm(u - v) * (1 + TOL) + TOL


def test_project_l1_ball_on_a_matrix_uses_all_entries(rng):
    W = rng.standard_normal((3, 4))
    flat = project_l1_ball(W.ravel(), 1.0)
    np.testing.assert_allclose(project_l1_ball(W, 1.0), flat.reshape(3, 4))
    assert np.all(project_l1_ball(W, 0.0) == 0)


# ---------------------------------------------------------------- torch
def _t(x, grad=False):
    return torch.tensor(x, dtype=torch.float64, requires_grad=grad)


TORCH_CASES = [
    ("soft_threshold", lambda x: soft_threshold(x, 0.4)),
    ("prox_elastic_net", lambda x: prox_elastic_net(x, 0.4, 0.3, 0.8)),
    ("prox_l2_squared", lambda x: prox_l2_squared(x, 0.4, 0.8)),
    ("group_soft_threshold", lambda x: group_soft_threshold(x, 0.4, groups=[3, 1, 3, 1, 7, 7])),
    ("project_l2_ball", lambda x: project_l2_ball(x, 0.5)),
    ("project_l1_ball", lambda x: project_l1_ball(x, 0.5)),
    ("project_linf_ball", lambda x: project_linf_ball(x, 0.5)),
]


@pytest.mark.parametrize(("name", "op"), TORCH_CASES)
def test_torch_in_torch_out_equals_numpy(rng, name, op):
    v = rng.standard_normal(6)
    out = op(_t(v))
    assert isinstance(out, torch.Tensor), name
    np.testing.assert_allclose(out.numpy(), op(v), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("name", "op"), TORCH_CASES)
def test_torch_autograd_matches_finite_differences(rng, name, op):
    v = rng.standard_normal(6)  # generic point: no entry sits on a kink
    assert torch.autograd.gradcheck(op, (_t(v, grad=True),)), name


def test_torch_soft_threshold_gradient_is_the_analytic_one(rng):
    v = _t(rng.standard_normal(20), grad=True)
    k = _t(0.5, grad=True)
    soft_threshold(v, k).sum().backward()
    active = (v.detach().abs() > 0.5).double()
    np.testing.assert_array_equal(v.grad.numpy(), active.numpy())  # d/dv = 1[|v| > k]
    assert k.grad.item() == pytest.approx(-(torch.sign(v.detach()) * active).sum().item())


def test_torch_group_soft_threshold_rows_and_zero_rows():
    W = _t([[0.0, 0.0], [3.0, 4.0]], grad=True)
    out = group_soft_threshold(W, 1.0)
    out.sum().backward()
    assert torch.isfinite(W.grad).all()
    np.testing.assert_allclose(out.detach().numpy(), group_soft_threshold(W.detach().numpy(), 1.0))


# ---------------------------------------------------------------- bad input
@pytest.mark.parametrize(("call", "error", "match"), [
    (lambda: soft_threshold([1.0, np.nan], 0.1), ValueError, "v contains NaN"),
    (lambda: soft_threshold([1.0, np.inf], 0.1), ValueError, "v contains NaN or infinite"),
    (lambda: soft_threshold([1.0, 2.0], -0.1), ValueError, "k must be >= 0"),
    (lambda: soft_threshold([1.0, 2.0], [0.1, -0.1]), ValueError, "k must be non-negative"),
    (lambda: soft_threshold([1.0, 2.0], [0.1, 0.2, 0.3]), ValueError, "k has shape"),
    (lambda: soft_threshold("abc", 0.1), TypeError, "v must be an array"),
    (lambda: soft_threshold([1.0], "a"), TypeError, "k must be a real number"),
    (lambda: soft_threshold(np.ones(2), torch.ones(2)), TypeError, "k is a torch tensor"),
    (lambda: prox_elastic_net([1.0], 0.1, -1.0), ValueError, "lam2 must be >= 0"),
    (lambda: prox_elastic_net([1.0], 0.1, 0.1, step=0.0), ValueError, "step must be > 0"),
    (lambda: group_soft_threshold(np.ones((2, 2, 2)), 0.1), ValueError, "W must be 1-D or 2-D"),
    (lambda: group_soft_threshold(np.ones((3, 2)), [1.0, 2.0]), ValueError, "one threshold per"),
    (lambda: group_soft_threshold(np.ones(3), 0.1, groups=[0, 1]), ValueError, "groups has 2"),
    (lambda: group_soft_threshold(np.ones(3), 0.1, groups=[0, 0.5, 1]), TypeError, "integer"),
    (lambda: group_soft_threshold(np.ones(3), 0.1, groups=["a", "b", "c"]), TypeError,
     "integer"),
    (lambda: group_soft_threshold(np.ones((3, 2)), 0.1, groups=[0, 1, 1]), ValueError,
     "groups applies to a 1-D W"),
    (lambda: project_l2_ball([1.0], -1.0), ValueError, "radius must be >= 0"),
    (lambda: project_l1_ball([1.0, np.nan], 1.0), ValueError, "w contains NaN"),
    (lambda: project_linf_ball([1.0], float("nan")), ValueError, "radius must be finite"),
])
def test_bad_input_raises_a_message_naming_the_argument(call, error, match):
    with pytest.raises(error, match=match):
        call()
