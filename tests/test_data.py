"""Tests of normlib.data: shapes, seeding, and each generator's defining property vs an oracle."""

import numpy as np
import pytest
import torch
from scipy.integrate import solve_ivp
from scipy.optimize import linprog
from scipy.special import eval_legendre
from sklearn.datasets import load_breast_cancer, load_diabetes, load_digits

from normlib import data


def same(a, b):
    return all(np.array_equal(np.asarray(x), np.asarray(y)) for x, y in zip(a, b, strict=True))


SEEDED = [
    lambda s: data.sine_regression(seed=s),
    lambda s: data.sparse_regression(n=30, d=12, n_informative=4, rho=0.5, seed=s),
    lambda s: data.correlated_pair(n=30, seed=s),
    lambda s: data.group_sparse_regression((2, 3, 4), 1, n=20, seed=s),
    lambda s: data.separable_classification(n=20, d=3, seed=s),
    lambda s: data.eight_gaussians(n=50, seed=s),
    lambda s: data.blur_problem(n=30, seed=s),
    lambda s: data.digits(n_train=100, n_val=50, seed=s),
    lambda s: data.permuted_digits(seed=s, n_train=100, n_val=50)[1],
]


@pytest.mark.parametrize("make", SEEDED)
def test_same_seed_same_data_different_seed_different_data(make):
    assert same(make(3), make(3))
    assert same(make(np.random.default_rng(5)), make(np.random.default_rng(5)))
    assert not same(make(3), make(4))


# --------------------------------------------------------------------------- capacity data
def test_sine_regression_shapes_and_noise_level():
    split = data.sine_regression(n_train=20, n_val=20_000, noise=0.25, seed=0)
    assert split.X_train.shape == split.y_train.shape == (20,)
    assert split.X_val.shape == (20_000,)
    assert np.all(np.abs(split.X_val) <= 1)
    resid = split.y_val - np.sin(np.pi * split.X_val)
    assert resid.std() == pytest.approx(0.25, rel=0.03)  # sampling error ~ 0.5 %
    assert data.sine_regression(noise=0.0, seed=1).y_train == pytest.approx(
        np.sin(np.pi * data.sine_regression(noise=0.0, seed=1).X_train))


def test_legendre_features_match_scipy():
    x = np.linspace(-1, 1, 17)
    Phi = data.legendre_features(x, 15)
    ref = np.column_stack([eval_legendre(k, x) for k in range(16)])
    np.testing.assert_allclose(Phi, ref, atol=1e-12)
    np.testing.assert_allclose(data.legendre_features(x, 15, include_bias=False), ref[:, 1:],
                               atol=1e-12)
    # better conditioned than raw monomials on the same points
    assert np.linalg.cond(Phi) < 1e-3 * np.linalg.cond(np.vander(x, 16))


# --------------------------------------------------------------------------- sparse data
def test_sparse_regression_structure():
    X, y, w = data.sparse_regression(n=20_000, d=6, n_informative=3, noise=0.1, rho=0.6, seed=0)
    assert X.shape == (20_000, 6)
    assert y.shape == (20_000,)
    assert w.shape == (6,)
    assert np.count_nonzero(w) == 3
    assert np.all((np.abs(w[w != 0]) >= 1) & (np.abs(w[w != 0]) <= 2))
    corr = np.corrcoef(X, rowvar=False)
    lags = np.abs(np.subtract.outer(np.arange(6), np.arange(6)))
    np.testing.assert_allclose(corr, 0.6**lags, atol=0.03)  # AR(1) correlation rho^|j-k|
    np.testing.assert_allclose(X.std(axis=0), 1.0, atol=0.03)
    assert np.std(y - X @ w) == pytest.approx(0.1, rel=0.03)


def test_correlated_pair_has_exact_sample_correlation():
    for corr in (0.999, 0.5, -0.3):
        X, y, w = data.correlated_pair(n=50, corr=corr, noise=0.1, seed=2)
        assert X.shape == (50, 2)
        assert np.corrcoef(X[:, 0], X[:, 1])[0, 1] == pytest.approx(corr, abs=1e-12)
        np.testing.assert_array_equal(w, [1.0, 1.0])
    X, y, _ = data.correlated_pair(n=50, noise=0.0, seed=2)
    np.testing.assert_allclose(y, X.sum(axis=1))


def test_group_sparse_regression_groups():
    sizes = (3, 5, 8, 4)
    X, y, w, groups = data.group_sparse_regression(sizes, n_active_groups=2, n=40, noise=0.0,
                                                   seed=1)
    assert X.shape == (40, 20)
    assert groups.shape == (20,)
    np.testing.assert_array_equal(np.bincount(groups), sizes)
    active = [g for g in range(4) if np.any(w[groups == g] != 0)]
    assert len(active) == 2
    for g in active:
        assert np.all(w[groups == g] != 0)  # a whole group is on, never part of it
    np.testing.assert_allclose(y, X @ w)


# --------------------------------------------------------------------------- classification
def test_separable_classification_is_separable_through_origin():
    X, y, u = data.separable_classification(n=80, d=5, margin=0.2, seed=3)
    assert X.shape == (80, 5)
    assert set(np.unique(y)) == {-1.0, 1.0}
    # LP oracle: max t s.t. y_i x_i.w >= t, -1 <= w <= 1; separable iff t* > 0
    n, d = X.shape
    A_ub = np.column_stack([-(y[:, None] * X), np.ones(n)])
    lp = linprog(c=np.r_[np.zeros(d), -1.0], A_ub=A_ub, b_ub=np.zeros(n),
                 bounds=[(-1, 1)] * d + [(None, None)], method="highs")
    assert lp.status == 0
    assert -lp.fun > 1e-3
    # the returned unit direction separates with at least the requested margin
    assert np.linalg.norm(u) == pytest.approx(1.0)
    assert np.min(y * (X @ u)) >= 0.2 - 1e-12


def test_separable_classification_always_has_both_labels():
    for seed in range(30):
        _, y, _ = data.separable_classification(n=2, d=2, seed=seed)
        assert set(y) == {-1.0, 1.0}


# --------------------------------------------------------------------------- bundled datasets
@pytest.mark.parametrize(("loader", "sk_loader"), [(data.digits, load_digits),
                                                   (data.breast_cancer, load_breast_cancer),
                                                   (data.diabetes, load_diabetes)])
def test_loaders_split_the_bundled_dataset(loader, sk_loader):
    ref = sk_loader()
    n, d = ref.data.shape
    raw = loader(seed=0, standardize=False)
    assert raw.X_train.shape == (round(0.7 * n), d)
    assert raw.X_train.shape[0] + raw.X_val.shape[0] == n
    # the split is a partition of the original rows (match rows with their targets)
    rows = np.vstack([raw.X_train, raw.X_val])
    targets = np.concatenate([raw.y_train, raw.y_val])
    order = np.lexsort(np.column_stack([rows, targets]).T)
    ref_order = np.lexsort(np.column_stack([ref.data, ref.target]).T)
    np.testing.assert_array_equal(rows[order], ref.data[ref_order])
    # standardisation uses the training statistics only
    std = loader(seed=0)
    np.testing.assert_allclose(std.X_train.mean(axis=0), 0, atol=1e-10)
    scale = raw.X_train.std(axis=0)
    scale[scale == 0] = 1
    np.testing.assert_allclose(std.X_val, (raw.X_val - raw.X_train.mean(axis=0)) / scale)


def test_digits_sizes_and_torch():
    split = data.digits(n_train=300, n_val=200, seed=1, as_torch=True)
    assert split.X_train.shape == (300, 64)
    assert split.X_val.shape == (200, 64)
    assert split.X_train.dtype == torch.float32
    assert split.y_train.dtype == torch.int64
    np_split = data.digits(n_train=300, n_val=200, seed=1)
    np.testing.assert_allclose(split.X_val.numpy(), np_split.X_val, rtol=1e-6, atol=1e-6)
    diab = data.as_torch(data.diabetes(seed=0))
    assert diab.y_train.dtype == torch.float32


def test_permuted_digits_is_a_fixed_pixel_permutation():
    a, b, perm = data.permuted_digits(seed=0, n_train=200, n_val=100)
    assert sorted(perm) == list(range(64))
    assert not np.array_equal(perm, np.arange(64))
    np.testing.assert_array_equal(b.X_train, a.X_train[:, perm])
    np.testing.assert_array_equal(b.X_val, a.X_val[:, perm])
    np.testing.assert_array_equal(b.y_train, a.y_train)
    ta, tb, _ = data.permuted_digits(seed=0, n_train=200, n_val=100, as_torch=True)
    assert torch.equal(tb.X_train, ta.X_train[:, torch.as_tensor(perm)])


def test_loader_validation():
    with pytest.raises(ValueError, match="exceeds the 1797 samples"):
        data.digits(n_train=1500, n_val=500)
    with pytest.raises(ValueError, match="leaves no validation sample"):
        data.digits(n_train=1797)
    with pytest.raises(TypeError, match="n_train must be an integer"):
        data.digits(n_train=0.5)
    with pytest.raises(TypeError, match="split must be a Split"):
        data.as_torch(np.zeros(3))


# --------------------------------------------------------------------------- applications
def test_eight_gaussians_modes():
    X, labels, centers = data.eight_gaussians(n=4000, radius=2.0, std=0.02, seed=0)
    assert X.shape == (4000, 2)
    assert centers.shape == (8, 2)
    np.testing.assert_allclose(np.linalg.norm(centers, axis=1), 2.0)
    # every sample is closest to its own centre, and all 8 modes are populated
    nearest = np.argmin(((X[:, None, :] - centers[None]) ** 2).sum(-1), axis=1)
    np.testing.assert_array_equal(nearest, labels)
    assert np.bincount(labels, minlength=8).min() > 400
    assert np.std(X - centers[labels]) == pytest.approx(0.02, rel=0.05)


def test_lorenz_trajectory_matches_an_independent_integrator():
    traj = data.lorenz_trajectory(t_max=10.0)
    assert traj.t.shape == (5001,)
    assert traj.X.shape == (5001, 3)
    assert traj.t[-1] == pytest.approx(10.0)
    np.testing.assert_array_equal(traj.X[0], [-8.0, 8.0, 27.0])
    ref = solve_ivp(lambda t, s: [10 * (s[1] - s[0]), s[0] * (28 - s[2]) - s[1],
                                  s[0] * s[1] - 8 / 3 * s[2]],
                    (0, 10), [-8, 8, 27], method="LSODA", t_eval=traj.t, rtol=1e-12, atol=1e-12)
    # chaotic: tolerance-level differences grow to ~1e-7 by t = 10
    np.testing.assert_allclose(traj.X, ref.y.T, atol=1e-4)
    # np.gradient of the samples matches the vector field (what SINDy relies on)
    # (central differences: error dt^2/6 |d^3x/dt^3| ~ 1e-4 of the derivatives' range)
    deriv = np.gradient(traj.X, traj.t, axis=0)[1:-1]
    rhs = data.lorenz_rhs(0, traj.X.T).T[1:-1]
    assert np.abs(deriv - rhs).max() < 1e-3 * np.abs(rhs).max()


def test_blur_problem_structure():
    A, x_true, b, t, noise_norm = data.blur_problem(n=200, width=0.03, noise=0.01, seed=0)
    assert A.shape == (200, 200)
    assert x_true.shape == b.shape == t.shape == (200,)
    np.testing.assert_array_equal(A, A.T)
    interior = slice(40, 160)  # more than 6 widths from either end
    np.testing.assert_allclose(A.sum(axis=1)[interior], 1.0, atol=1e-8)
    assert np.all(A.sum(axis=1) <= 1 + 1e-12)
    assert noise_norm == pytest.approx(np.linalg.norm(b - A @ x_true))
    assert noise_norm == pytest.approx(0.01 * np.linalg.norm(A @ x_true))
    s = np.linalg.svd(A, compute_uv=False)
    assert s[0] / s[-1] > 1e15  # numerically singular: the naive solve is useless
    np.testing.assert_allclose(data.blur_problem(n=50, noise=0.0, seed=0).b,
                               data.blur_problem(n=50, noise=0.0, seed=0).A
                               @ data.blur_problem(n=50, noise=0.0, seed=0).x_true)


def test_generator_validation():
    with pytest.raises(ValueError, match="n_informative must be <= d"):
        data.sparse_regression(d=5, n_informative=6)
    with pytest.raises(ValueError, match="rho must be < 1"):
        data.sparse_regression(rho=1.0)
    with pytest.raises(ValueError, match="noise must be >= 0"):
        data.sine_regression(noise=-0.1)
    with pytest.raises(ValueError, match="margin must be > 0"):
        data.separable_classification(margin=0.0)
    with pytest.raises(ValueError, match="group_sizes must be positive integers"):
        data.group_sparse_regression((2, 0, 3))
    with pytest.raises(ValueError, match="n_active_groups must be <="):
        data.group_sparse_regression((2, 3), n_active_groups=3)
    with pytest.raises(ValueError, match="x0 must hold 3 numbers"):
        data.lorenz_trajectory(x0=(1.0, 2.0))
    with pytest.raises(ValueError, match="dt = 2.0 exceeds t_max"):
        data.lorenz_trajectory(dt=2.0, t_max=1.0)
    with pytest.raises(TypeError, match="seed must be None"):
        data.eight_gaussians(seed="zero")
    with pytest.raises(ValueError, match="x contains NaN"):
        data.legendre_features(np.array([0.1, np.nan]), 3)
