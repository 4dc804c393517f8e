r"""Capacity experiments: sweeps of the penalty strength with train / validation curves.

Two sweeps, one closed form and one trained:

* :func:`ridge_sweep`: ridge regression for many :math:`\lambda` at the cost of
  one SVD, returning train and validation MSE, their gap and :math:`\|w_\lambda\|`.
* :func:`weight_decay_sweep`: a small torch model trained once per
  ``weight_decay``, with per-epoch train / validation loss curves.

Both return tidy ``pandas.DataFrame`` tables (one row per observation) that
:func:`normlib.plotting.plot_lambda_curves` draws directly.

See the book, section 1.1 *Why norm penalties: capacity*
(``book/principles/capacity.ipynb``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
import pandas as pd

from normlib._validation import check_array, check_rng, check_scalar, check_Xy

__all__ = ["ridge_sweep", "weight_decay_sweep", "WeightDecaySweep"]


def _check_lams(lams):
    lams = check_array(lams, "lams", ndim=(0, 1)).reshape(-1)
    if lams.size == 0:
        raise ValueError("lams is empty; pass at least one penalty strength.")
    if np.any(lams < 0):
        raise ValueError(f"lams must be >= 0 (penalty strengths), got min {lams.min()!r}.")
    return lams


# --------------------------------------------------------------------------- ridge
def ridge_sweep(X_train, y_train, X_val, y_val, lams, return_coefs=False):
    r"""Ridge regression for every :math:`\lambda` in ``lams`` from one SVD.

    .. math::

        w_\lambda = \arg\min_w \|y - Xw\|_2^2 + \lambda\|w\|_2^2
        = V\,\mathrm{diag}\Bigl(\frac{s_i}{s_i^2 + \lambda}\Bigr) U^\top y,
        \qquad X_{\mathrm{train}} = U S V^\top

    (sklearn's ``Ridge(alpha=lam, fit_intercept=False)``). At
    :math:`\lambda = 0` this is the minimum-norm least-squares solution.

    Returns a DataFrame with one row per :math:`\lambda` (in the order given)
    and columns ``lam``, ``train_mse``, ``val_mse``, ``gap = val_mse -
    train_mse`` and ``w_norm`` :math:`= \|w_\lambda\|_2`. The training MSE is
    non-decreasing and :math:`\|w_\lambda\|` non-increasing in :math:`\lambda`
    (theorems); the validation curve is typically U-shaped (an observation).
    With ``return_coefs=True`` also returns the weights, shape
    ``(len(lams), d)``.

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``).
    """
    X_train, y_train = check_Xy(X_train, y_train, y_name="y_train")
    X_val = check_array(X_val, "X_val", ndim=2, min_rows=1)
    y_val = check_array(y_val, "y_val", ndim=1)
    if X_val.shape[1] != X_train.shape[1]:
        raise ValueError(f"X_val has {X_val.shape[1]} columns but X_train has "
                         f"{X_train.shape[1]}; use the same features for both.")
    if y_val.shape[0] != X_val.shape[0]:
        raise ValueError(f"X_val has {X_val.shape[0]} rows but y_val has {y_val.shape[0]} "
                         "entries; they must describe the same samples.")
    lams = _check_lams(lams)
    U, s, Vt = np.linalg.svd(X_train, full_matrices=False)
    keep = s > (s[0] if s.size else 0) * max(X_train.shape) * np.finfo(float).eps
    U, s, Vt = U[:, keep], s[keep], Vt[keep]
    c = U.T @ y_train
    # filter factors, one row per lam: z[k, i] = s_i / (s_i^2 + lam_k) * c_i
    with np.errstate(divide="ignore"):
        Z = s / (s**2 + lams[:, None]) * c
    W = Z @ Vt                                       # (n_lams, d)
    train_mse = np.mean((y_train[:, None] - X_train @ W.T) ** 2, axis=0)
    val_mse = np.mean((y_val[:, None] - X_val @ W.T) ** 2, axis=0)
    table = pd.DataFrame({
        "lam": lams,
        "train_mse": train_mse,
        "val_mse": val_mse,
        "gap": val_mse - train_mse,
        "w_norm": np.linalg.norm(Z, axis=1),  # V has orthonormal columns
    })
    return (table, W) if return_coefs else table


# --------------------------------------------------------------------------- weight decay
class WeightDecaySweep(NamedTuple):
    """Output of :func:`weight_decay_sweep`; unpacks as ``curves, summary``.

    ``curves``: one row per (lam, recorded epoch), columns ``lam, epoch,
    train_loss, val_loss, gap``; epoch 0 is the initial model. ``summary``: one row per lam
    with the final ``train_loss, val_loss, gap``, the squared parameter norm
    ``param_norm_sq`` and, for classification, ``train_acc, val_acc``.
    """

    curves: pd.DataFrame
    summary: pd.DataFrame


def _as_tensors(data, name, loss):
    import torch

    if not isinstance(data, (tuple, list)) or len(data) != 2:
        raise TypeError(f"{name} must be a pair (X, y) of arrays or tensors.")
    X, y = data
    X = torch.as_tensor(np.asarray(X) if not torch.is_tensor(X) else X, dtype=torch.float32)
    y = torch.as_tensor(np.asarray(y) if not torch.is_tensor(y) else y)
    y = y.long() if loss == "cross_entropy" else y.float()
    if X.ndim < 2 or X.shape[0] != y.shape[0]:
        raise ValueError(f"{name}: X must be (n, ...) and y must have n entries; got shapes "
                         f"{tuple(X.shape)} and {tuple(y.shape)}.")
    if not torch.isfinite(X).all():
        raise ValueError(f"{name}: X contains NaN or infinite values.")
    return X, y


def _loss_fn(loss):
    import torch.nn.functional as F

    if callable(loss):
        return loss
    if loss == "cross_entropy":
        return F.cross_entropy
    if loss == "mse":
        return lambda out, y: F.mse_loss(out.reshape(y.shape), y)
    raise ValueError(f"loss must be 'cross_entropy', 'mse' or a callable, got {loss!r}.")


def _make_optimizer(optimizer, params, lr, lam, momentum):
    import torch

    if callable(optimizer):
        return optimizer(params, lr=lr, weight_decay=lam)
    if optimizer == "sgd":
        return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=lam)
    if optimizer == "adam":
        return torch.optim.Adam(params, lr=lr, weight_decay=lam)
    if optimizer == "adamw":
        return torch.optim.AdamW(params, lr=lr, weight_decay=lam)
    raise ValueError(
        f"optimizer must be 'sgd', 'adam', 'adamw' or a callable "
        f"(params, lr=..., weight_decay=...) -> torch.optim.Optimizer, got {optimizer!r}."
    )


def _evaluate(model, X, y, loss_fn, classify):
    import torch

    model.eval()
    with torch.no_grad():
        out = model(X)
        value = float(loss_fn(out, y))
        acc = float((out.argmax(dim=1) == y).float().mean()) if classify else np.nan
    model.train()
    return value, acc


def weight_decay_sweep(make_model: Callable, train_data, val_data, lams, epochs=50, lr=0.1,
                       optimizer="sgd", batch_size=None, seed=0, loss="cross_entropy",
                       momentum=0.0, eval_every=1, progress=True) -> WeightDecaySweep:
    r"""Train one small torch model per weight decay and record its loss curves.

    For each :math:`\lambda` in ``lams`` the model is trained with
    ``weight_decay=lam``, which for SGD and Adam adds :math:`\lambda\theta` to
    the gradient, i.e. minimises
    :math:`\mathcal L(\theta) + \tfrac{\lambda}{2}\|\theta\|_2^2`
    (AdamW instead decays the weights directly). The recorded losses are the
    data losses without the penalty, on the full train and validation sets,
    in eval mode, after every ``eval_every`` epochs (and after the last one):

    .. math:: \mathrm{gap}(\lambda, t) = \mathcal L_{\mathrm{val}}(\theta_t)
              - \mathcal L_{\mathrm{train}}(\theta_t).

    **Seeding (reproducible, and the same start for every** :math:`\lambda`
    **).** An int ``seed`` is used as is; ``None`` or a
    ``numpy.random.Generator`` first yields one int seed. For each lam:
    ``torch.manual_seed(seed)``; ``model = make_model()``;
    a ``torch.Generator`` seeded with ``seed`` draws the minibatch order,
    ``torch.randperm(n, generator=g)`` once per epoch (full batch, in order,
    when ``batch_size`` is ``None``).

    Parameters
    ----------
    make_model : callable returning a fresh ``torch.nn.Module``.
    train_data, val_data : pairs ``(X, y)`` (numpy or torch); labels for
        ``loss='cross_entropy'``, real targets for ``'mse'``.
    lams : weight decays to try (>= 0).
    epochs, lr, batch_size, momentum : training settings (``momentum`` for SGD).
    eval_every : record the curves every this many epochs (epoch 0 and the last
        epoch are always recorded). Evaluating on a large validation set can
        cost more than training; ``eval_every=10`` keeps long sweeps fast.
    optimizer : ``'sgd'``, ``'adam'``, ``'adamw'`` or a callable
        ``(params, lr=..., weight_decay=...) -> Optimizer`` (e.g. a
        :mod:`normlib.optim` class).
    loss : ``'cross_entropy'``, ``'mse'`` or a callable ``(output, y) -> loss``.
    progress : show a ``tqdm`` progress bar.

    Returns :class:`WeightDecaySweep` ``(curves, summary)``.

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``) and *Deep networks*
    (``book/applications/deep_networks.ipynb``).
    """
    import torch

    from normlib.progress import progress as tqdm

    if not callable(make_model):
        raise TypeError("make_model must be a callable returning a fresh torch.nn.Module.")
    lams = _check_lams(lams)
    epochs = check_scalar(epochs, "epochs", low=1, integer=True)
    lr = check_scalar(lr, "lr", low=0, low_open=True)
    momentum = check_scalar(momentum, "momentum", low=0, high=1, high_open=True)
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool):
        seed = int(check_rng(seed).integers(2**62))  # None or a Generator: draw a torch seed
    seed = check_scalar(seed, "seed", low=0, integer=True)
    eval_every = check_scalar(eval_every, "eval_every", low=1, integer=True)
    loss_fn = _loss_fn(loss)
    X_train, y_train = _as_tensors(train_data, "train_data", loss)
    X_val, y_val = _as_tensors(val_data, "val_data", loss)
    n = X_train.shape[0]
    if batch_size is not None:
        batch_size = check_scalar(batch_size, "batch_size", low=1, integer=True)
    classify = loss == "cross_entropy"

    rows, summary = [], []
    bar = tqdm(total=len(lams) * epochs, disable=not progress, desc="weight decay sweep")
    for lam in lams:
        torch.manual_seed(seed)
        model = make_model()
        if not isinstance(model, torch.nn.Module):
            raise TypeError(f"make_model() must return a torch.nn.Module, got {type(model)}.")
        opt = _make_optimizer(optimizer, model.parameters(), lr, float(lam), momentum)
        g = torch.Generator().manual_seed(seed)

        def record(epoch, model=model, lam=lam):
            tr, _ = _evaluate(model, X_train, y_train, loss_fn, classify)
            va, _ = _evaluate(model, X_val, y_val, loss_fn, classify)
            rows.append((float(lam), epoch, tr, va, va - tr))

        record(0)
        for epoch in range(1, epochs + 1):
            if batch_size is None:
                batches = [slice(None)]
            else:
                order = torch.randperm(n, generator=g)
                batches = [order[i:i + batch_size] for i in range(0, n, batch_size)]
            for idx in batches:
                opt.zero_grad()
                loss_fn(model(X_train[idx]), y_train[idx]).backward()
                opt.step()
            if epoch % eval_every == 0 or epoch == epochs:
                record(epoch)
            bar.update(1)
        tr, tr_acc = _evaluate(model, X_train, y_train, loss_fn, classify)
        va, va_acc = _evaluate(model, X_val, y_val, loss_fn, classify)
        norm_sq = sum(float((p.detach() ** 2).sum()) for p in model.parameters())
        entry = {"lam": float(lam), "train_loss": tr, "val_loss": va, "gap": va - tr,
                 "param_norm_sq": norm_sq}
        if classify:
            entry.update(train_acc=tr_acc, val_acc=va_acc)
        summary.append(entry)
    bar.close()
    curves = pd.DataFrame(rows, columns=["lam", "epoch", "train_loss", "val_loss", "gap"])
    return WeightDecaySweep(curves, pd.DataFrame(summary))
