"""Tests of normlib.capacity: ridge sweeps vs sklearn and the monotonicity theorems (hypothesis),
weight-decay sweeps vs a hand-written training loop."""

import numpy as np
import pandas as pd
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from sklearn.linear_model import Ridge

from normlib import capacity, data

# --------------------------------------------------------------------------- ridge_sweep


def test_ridge_sweep_matches_sklearn_ridge(rng):
    X, y = rng.standard_normal((30, 8)), rng.standard_normal(30)
    Xv, yv = rng.standard_normal((20, 8)), rng.standard_normal(20)
    lams = np.array([1e-3, 0.1, 1.0, 10.0, 1e3])
    table, W = capacity.ridge_sweep(X, y, Xv, yv, lams, return_coefs=True)
    assert list(table.columns) == ["lam", "train_mse", "val_mse", "gap", "w_norm"]
    np.testing.assert_array_equal(table["lam"], lams)
    for k, lam in enumerate(lams):
        ref = Ridge(alpha=lam, fit_intercept=False, solver="cholesky").fit(X, y)
        np.testing.assert_allclose(W[k], ref.coef_, rtol=1e-9, atol=1e-12)
        row = table.iloc[k]
        assert row.train_mse == pytest.approx(np.mean((y - ref.predict(X)) ** 2), rel=1e-10)
        assert row.val_mse == pytest.approx(np.mean((yv - ref.predict(Xv)) ** 2), rel=1e-10)
        assert row.gap == pytest.approx(row.val_mse - row.train_mse, abs=1e-12)
        assert row.w_norm == pytest.approx(np.linalg.norm(ref.coef_), rel=1e-10)


def test_ridge_sweep_lam_zero_is_min_norm_least_squares(rng):
    X, y = rng.standard_normal((10, 25)), rng.standard_normal(10)  # d > n: interpolation
    table, W = capacity.ridge_sweep(X, y, X, y, [0.0], return_coefs=True)
    np.testing.assert_allclose(W[0], np.linalg.pinv(X) @ y, atol=1e-10)
    assert table.train_mse[0] < 1e-20


@given(n=st.integers(3, 25), d=st.integers(1, 12), seed=st.integers(0, 2**31 - 1),
       scale=st.floats(1e-2, 1e2))
def test_ridge_monotonicity_theorems(n, d, seed, scale):
    """Training MSE is non-decreasing and ||w_lam|| non-increasing in lam (section 1.1)."""
    r = np.random.default_rng(seed)
    X = scale * r.standard_normal((n, d))
    y = r.standard_normal(n)
    lams = np.sort(np.concatenate([[0.0], 10.0 ** r.uniform(-6, 4, 15)]))
    table = capacity.ridge_sweep(X, y, X[:2], y[:2], lams)
    train, norm = table.train_mse.to_numpy(), table.w_norm.to_numpy()
    assert np.all(np.diff(train) >= -1e-12 * (1 + train.max()))
    assert np.all(np.diff(norm) <= 1e-12 * (1 + norm.max()))


@pytest.mark.parametrize("seed", range(5))
def test_book_demo_validation_curve_is_u_shaped(seed):
    """The section 1.1 recipe: Legendre degree 15, 20 training points, lam in logspace(-10, 3)."""
    x_tr, y_tr, x_va, y_va = data.sine_regression(seed=seed)
    table = capacity.ridge_sweep(data.legendre_features(x_tr, 15), y_tr,
                                 data.legendre_features(x_va, 15), y_va, np.logspace(-10, 3, 27))
    val = table.val_mse.to_numpy()
    best = int(np.argmin(val))
    assert 0 < best < len(val) - 1
    assert val[best] < 0.5 * min(val[0], val[-1])
    assert val[best] > 0.25**2  # cannot beat the noise floor by much on 200 points
    assert np.all(np.diff(table.train_mse) >= -1e-12)


def test_ridge_sweep_validation(rng):
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)
    with pytest.raises(ValueError, match="lams must be >= 0"):
        capacity.ridge_sweep(X, y, X, y, [1.0, -1.0])
    with pytest.raises(ValueError, match="lams is empty"):
        capacity.ridge_sweep(X, y, X, y, [])
    with pytest.raises(ValueError, match="X_val has 2 columns but X_train has 3"):
        capacity.ridge_sweep(X, y, X[:, :2], y, [1.0])
    with pytest.raises(ValueError, match="X_val has 10 rows but y_val has 9"):
        capacity.ridge_sweep(X, y, X, y[:-1], [1.0])
    with pytest.raises(ValueError, match="y_train"):
        capacity.ridge_sweep(X, y[:-1], X, y, [1.0])


# --------------------------------------------------------------------------- weight_decay_sweep
@pytest.fixture(scope="module")
def digits_small():
    split = data.digits(n_train=200, n_val=150, seed=0)
    return (split.X_train, split.y_train), (split.X_val, split.y_val)


def make_mlp():
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 10))


def test_sweep_tables_and_determinism(digits_small):
    train, val = digits_small
    kwargs = dict(lams=[0.0, 1e-2], epochs=3, lr=0.1, batch_size=64, progress=False)
    curves, summary = capacity.weight_decay_sweep(make_mlp, train, val, seed=1, **kwargs)
    assert list(curves.columns) == ["lam", "epoch", "train_loss", "val_loss", "gap"]
    assert len(curves) == 2 * 4  # epochs 0..3 per lam
    assert list(summary.lam) == [0.0, 1e-2]
    np.testing.assert_allclose(curves.gap, curves.val_loss - curves.train_loss)
    last = curves[curves.epoch == 3].reset_index(drop=True)
    np.testing.assert_allclose(summary.train_loss, last.train_loss)
    # every lam starts from the same initial model
    first = curves[curves.epoch == 0]
    assert first.train_loss.nunique() == 1
    again = capacity.weight_decay_sweep(make_mlp, train, val, seed=1, **kwargs)
    pd.testing.assert_frame_equal(curves, again.curves)
    pd.testing.assert_frame_equal(summary, again.summary)
    other = capacity.weight_decay_sweep(make_mlp, train, val, seed=2, **kwargs)
    assert not np.allclose(curves.train_loss, other.curves.train_loss)
    gen = [capacity.weight_decay_sweep(make_mlp, train, val, seed=np.random.default_rng(4),
                                       **kwargs).curves for _ in range(2)]
    pd.testing.assert_frame_equal(gen[0], gen[1])


def test_eval_every_records_a_subset_of_the_same_curves(digits_small):
    train, val = digits_small
    kwargs = dict(lams=[0.0, 0.01], epochs=5, lr=0.1, batch_size=64, seed=3, progress=False)
    full, summary = capacity.weight_decay_sweep(make_mlp, train, val, **kwargs)
    sparse, summary2 = capacity.weight_decay_sweep(make_mlp, train, val, eval_every=2, **kwargs)
    assert list(sparse.epoch) == [0, 2, 4, 5] * 2
    expected = full[full.epoch.isin([0, 2, 4, 5])].reset_index(drop=True)
    pd.testing.assert_frame_equal(sparse, expected)  # evaluating does not change training
    pd.testing.assert_frame_equal(summary, summary2)


def test_first_epoch_matches_a_hand_written_loop(digits_small):
    """Oracle: plain minibatch SGD written out by hand, p <- p - lr (grad + lam p)."""
    (X, y), (Xv, yv) = digits_small
    lam, lr, bs, seed = 0.05, 0.1, 50, 7
    curves, _ = capacity.weight_decay_sweep(make_mlp, (X, y), (Xv, yv), lams=[lam], epochs=1,
                                            lr=lr, batch_size=bs, seed=seed, progress=False)
    Xt, yt = torch.tensor(X, dtype=torch.float32), torch.tensor(y)
    Xvt, yvt = torch.tensor(Xv, dtype=torch.float32), torch.tensor(yv)
    torch.manual_seed(seed)
    model = make_mlp()
    with torch.no_grad():
        loss0 = torch.nn.functional.cross_entropy(model(Xt), yt).item()
    order = torch.randperm(len(yt), generator=torch.Generator().manual_seed(seed))
    for start in range(0, len(yt), bs):
        idx = order[start:start + bs]
        model.zero_grad()
        torch.nn.functional.cross_entropy(model(Xt[idx]), yt[idx]).backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * (p.grad + lam * p)
    with torch.no_grad():
        train1 = torch.nn.functional.cross_entropy(model(Xt), yt).item()
        val1 = torch.nn.functional.cross_entropy(model(Xvt), yvt).item()
    row0, row1 = curves.iloc[0], curves.iloc[1]
    assert row0.train_loss == pytest.approx(loss0, rel=1e-6)
    assert row1.train_loss == pytest.approx(train1, rel=1e-5)
    assert row1.val_loss == pytest.approx(val1, rel=1e-5)


def test_weight_decay_shrinks_parameters_and_raises_train_loss(digits_small):
    train, val = digits_small
    _, summary = capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0, 0.1], epochs=40,
                                             lr=0.1, momentum=0.9, seed=0, progress=False)
    free, decayed = summary.iloc[0], summary.iloc[1]
    assert decayed.param_norm_sq < 0.5 * free.param_norm_sq
    assert free.train_loss < decayed.train_loss
    assert 0.0 <= free.val_acc <= 1.0
    assert free.train_acc > 0.9  # the unpenalised net fits its 200 training digits


def test_mse_loss_and_custom_optimizer(rng):
    X = rng.standard_normal((60, 5)).astype(np.float32)
    y = (X @ rng.standard_normal(5)).astype(np.float32)
    calls = []

    def sgd(params, lr, weight_decay):
        calls.append(weight_decay)
        return torch.optim.SGD(params, lr=lr, weight_decay=weight_decay)

    def linear():
        return torch.nn.Linear(5, 1)

    kwargs = dict(lams=[0.0, 0.5], epochs=5, lr=0.05, loss="mse", seed=0, progress=False)
    curves, summary = capacity.weight_decay_sweep(linear, (X[:40], y[:40]), (X[40:], y[40:]),
                                                  optimizer=sgd, **kwargs)
    assert calls == [0.0, 0.5]
    assert "train_acc" not in summary.columns
    builtin = capacity.weight_decay_sweep(linear, (X[:40], y[:40]), (X[40:], y[40:]),
                                          optimizer="sgd", **kwargs)
    pd.testing.assert_frame_equal(curves, builtin.curves)
    # full-batch MSE at epoch 0 equals the loss of the seeded initial model, computed by hand
    torch.manual_seed(0)
    model = linear()
    with torch.no_grad():
        mse0 = torch.mean((model(torch.tensor(X[:40]))[:, 0] - torch.tensor(y[:40])) ** 2).item()
    assert curves.train_loss.iloc[0] == pytest.approx(mse0, rel=1e-6)


@pytest.mark.parametrize("optimizer", ["adam", "adamw"])
def test_adaptive_optimizers_run(digits_small, optimizer):
    train, val = digits_small
    curves, _ = capacity.weight_decay_sweep(make_mlp, train, val, lams=[1e-3], epochs=3,
                                            lr=1e-2, optimizer=optimizer, progress=False)
    assert curves.train_loss.iloc[-1] < curves.train_loss.iloc[0]


def test_progress_bar_is_shown(digits_small, capsys):
    train, val = digits_small
    capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0], epochs=2, progress=True)
    assert "weight decay sweep" in capsys.readouterr().out


def test_sweep_validation(digits_small):
    train, val = digits_small
    with pytest.raises(TypeError, match="make_model must be a callable"):
        capacity.weight_decay_sweep(None, train, val, lams=[0.0], progress=False)
    with pytest.raises(TypeError, match="make_model\\(\\) must return a torch.nn.Module"):
        capacity.weight_decay_sweep(lambda: 3, train, val, lams=[0.0], progress=False)
    with pytest.raises(ValueError, match="optimizer must be 'sgd'"):
        capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0], optimizer="lbfgs",
                                    progress=False)
    with pytest.raises(ValueError, match="loss must be 'cross_entropy'"):
        capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0], loss="hinge",
                                    progress=False)
    with pytest.raises(ValueError, match="lams must be >= 0"):
        capacity.weight_decay_sweep(make_mlp, train, val, lams=[-1.0], progress=False)
    with pytest.raises(TypeError, match="train_data must be a pair"):
        capacity.weight_decay_sweep(make_mlp, train[0], val, lams=[0.0], progress=False)
    with pytest.raises(ValueError, match="val_data: X must be"):
        capacity.weight_decay_sweep(make_mlp, train, (val[0], val[1][:-1]), lams=[0.0],
                                    progress=False)
    with pytest.raises(ValueError, match="epochs must be >= 1"):
        capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0], epochs=0, progress=False)
    with pytest.raises(ValueError, match="eval_every must be >= 1"):
        capacity.weight_decay_sweep(make_mlp, train, val, lams=[0.0], eval_every=0,
                                    progress=False)
