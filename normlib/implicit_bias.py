r"""The implicit bias of gradient descent: logistic loss on separable data vs the max margin.

On linearly separable data the logistic loss has no minimiser: it keeps
decreasing as :math:`\|w\| \to \infty`. Gradient descent from zero still picks
a particular *direction*: :math:`w(t)/\|w(t)\|` converges to the hard-margin
SVM direction :math:`\hat w/\|\hat w\|`, with :math:`w(t) = \hat w \log t + O(1)`
(Soudry, Hoffer, Nacson, Gunasekar and Srebro, JMLR 2018). The convergence
in direction is slow (the gap shrinks like :math:`1/\log t`), while the loss
falls like :math:`1/t`. An explicit L2 penalty instead gives a finite-norm
solution whose direction approaches the max-margin one only as
:math:`\lambda \to 0` (Rosset, Zhu and Hastie 2004).

Conventions: labels :math:`y_i \in \{-1, +1\}`, no bias term (an appended
constant feature would put the bias inside the norm, which is not the SVM of
``sklearn.svm.SVC``), :math:`z_i = y_i x_i` and the *mean* logistic loss

.. math::

    L(w) = \frac1n \sum_{i=1}^n \log\!\left(1 + e^{-z_i^\top w}\right).

See the book, section 1.9 *Implicit bias of gradient descent*
(``book/principles/implicit_bias.ipynb``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from scipy import optimize
from scipy.special import expit

from normlib._validation import check_array, check_scalar, check_Xy

__all__ = [
    "LogisticGDTrajectory",
    "gd_logistic",
    "logistic_loss",
    "max_margin_direction",
    "l2_logistic_solution",
    "cosine",
    "normalized_margin",
    "record_times",
]


class LogisticGDTrajectory(NamedTuple):
    """Gradient descent iterates recorded at (log-spaced) steps.

    ``steps`` (k,) the step counts :math:`t`; ``weights`` (k, d) the iterates
    :math:`w(t)`; ``norms`` (k,) :math:`\\|w(t)\\|_2`; ``margins`` (k,) the
    normalised margins :math:`\\min_i y_i x_i^\\top w / \\|w\\|`; ``losses`` (k,)
    the mean logistic loss; ``step`` the step size used.
    """

    steps: np.ndarray
    weights: np.ndarray
    norms: np.ndarray
    margins: np.ndarray
    losses: np.ndarray
    step: float


def _check_labels(X, y):
    X, y = check_Xy(X, y)
    labels = np.unique(y)
    if not np.all(np.isin(labels, (-1.0, 1.0))):
        raise ValueError(
            f"y must hold labels -1 and +1, got values {labels[:5].tolist()}; for 0/1 labels "
            "pass 2 * y - 1."
        )
    return X, y


def logistic_loss(X, y, w):
    r"""Mean logistic loss :math:`\frac1n\sum_i \log(1 + e^{-y_i x_i^\top w})` (stable form).

    ``w`` may be one weight vector (d,) or a stack of them (k, d), giving (k,).
    See the book, section 1.9 (``book/principles/implicit_bias.ipynb``).
    """
    X, y = _check_labels(X, y)
    w = check_array(w, "w", ndim=(1, 2))
    if w.shape[-1] != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries (the columns of X), got {w.shape}.")
    margins = (y[:, None] * X) @ w.T
    return np.logaddexp(0.0, -margins).mean(axis=0)


def record_times(n_steps, record):
    """Sorted unique step counts in [1, n_steps], log-spaced, always including n_steps.

    ``record`` is a number of points or an explicit sequence of step counts.
    """
    if np.ndim(record) == 0:
        k = check_scalar(record, "record", low=1, integer=True)
        times = np.logspace(0, np.log10(max(n_steps, 1)), k)
        times = np.unique(np.append(np.round(times).astype(np.int64), n_steps))
    else:
        times = np.unique(np.asarray(record, dtype=np.int64))
        if times.size == 0 or times[0] < 1 or times[-1] > n_steps:
            raise ValueError(f"record steps must lie in [1, n_steps={n_steps}], got {record!r}.")
        times = np.unique(np.append(times, n_steps))
    return times


def gd_logistic(X, y, step=None, n_steps=10_000, normalized=False, record=50, w0=None):
    r"""Gradient descent on the mean logistic loss, recording the trajectory.

    Plain gradient descent, from :math:`w_0` (zero by default):

    .. math::

        w_{t+1} = w_t - \eta \nabla L(w_t), \qquad
        \nabla L(w) = -\frac1n \sum_i \sigma(-z_i^\top w)\, z_i ,

    with :math:`\sigma` the logistic function. The default step is
    :math:`\eta = 1/\beta` with :math:`\beta = \|Z\|_2^2/(4n)` the smoothness
    constant of :math:`L` (any :math:`\eta < 2/\beta` converges in direction).
    ``normalized=True`` divides the step by the current loss,
    :math:`w_{t+1} = w_t - \eta \nabla L(w_t)/L(w_t)` (normalised GD, Nacson et
    al. 2019), which converges in direction much faster; the ratio is computed
    in log space so that it stays exact when the loss underflows.

    The loop costs two small matrix-vector products and one ``expit`` per
    step (about a microsecond each), so :math:`10^6` steps take seconds. The
    data should be linearly separable through the origin (check with
    :func:`max_margin_direction`, which raises if not); otherwise the iterates
    converge to the finite minimiser.

    Parameters
    ----------
    X : array (n, d); y : array (n,) with labels -1 / +1.
    step : float > 0 or None (default :math:`1/\beta`).
    n_steps : int >= 1.
    normalized : bool, use normalised GD.
    record : int (number of log-spaced recording times, default 50) or a
        sequence of step counts in :math:`[1, n]`. ``n_steps`` is always recorded.
    w0 : array (d,) or None, the starting point.

    Returns
    -------
    LogisticGDTrajectory
        ``(steps, weights, norms, margins, losses, step)``.

    See the book, section 1.9 *Implicit bias of gradient descent*
    (``book/principles/implicit_bias.ipynb``).
    """
    X, y = _check_labels(X, y)
    n, d = X.shape
    Z = y[:, None] * X
    if step is None:
        beta = np.linalg.norm(Z, 2) ** 2 / (4 * n)
        if beta == 0:
            raise ValueError("X is all zeros: there is nothing to fit.")
        step = 1.0 / beta
    step = check_scalar(step, "step", low=0.0, low_open=True)
    n_steps = check_scalar(n_steps, "n_steps", low=1, integer=True)
    times = record_times(n_steps, record)
    w = np.zeros(d) if w0 is None else check_array(w0, "w0", ndim=1).copy()
    if w.shape[0] != d:
        raise ValueError(f"w0 must have {d} entries (the columns of X), got {w.shape[0]}.")
    run = _run_normalized if normalized else _run_plain
    weights = run(Z, w, step, times)
    margins = weights @ Z.T
    norms = np.linalg.norm(weights, axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        normalized_margins = np.where(norms > 0, margins.min(axis=1) / norms, np.nan)
    losses = np.logaddexp(0.0, -margins).mean(axis=1)
    return LogisticGDTrajectory(times, weights, norms, normalized_margins, losses, step)


def _run_plain(Z, w, step, times):
    """The hot loop: m = -Z w, s = sigma(m), w += (step/n) Z^T s, with no allocation."""
    n = Z.shape[0]
    Z_neg = np.ascontiguousarray(-Z)
    Zt_step = np.ascontiguousarray(Z.T * (step / n))
    m, s, g = np.empty(n), np.empty(n), np.empty_like(w)
    out, k = np.empty((len(times), w.shape[0])), 0
    next_record = times[0]
    for t in range(1, int(times[-1]) + 1):
        np.dot(Z_neg, w, out=m)
        expit(m, out=s)
        np.dot(Zt_step, s, out=g)
        w += g
        if t == next_record:
            out[k] = w
            k += 1
            next_record = times[k] if k < len(times) else -1
    return out


def _run_normalized(Z, w, step, times):
    r"""Normalised GD, with :math:`\nabla L / L = -\sum_i \sigma(-m_i) z_i / \sum_j \ell(m_j)`
    computed in log space."""
    out, k = np.empty((len(times), w.shape[0])), 0
    next_record = times[0]
    for t in range(1, int(times[-1]) + 1):
        margins = Z @ w
        log_sig = -np.logaddexp(0.0, margins)  # log sigma(-m)
        # log softplus(-m); for m > 30 it equals -m to double precision
        capped = np.minimum(margins, 30.0)
        log_loss = np.where(margins > 30.0, -margins, np.log(np.logaddexp(0.0, -capped)))
        shift = log_loss.max()
        a = np.exp(log_sig - shift) / np.exp(log_loss - shift).sum()
        w += step * (Z.T @ a)
        if t == next_record:
            out[k] = w
            k += 1
            next_record = times[k] if k < len(times) else -1
    return out


def _check_separable(Z):
    """Is there a w with z_i . w >= 1 for all i? A linear feasibility problem (HiGHS)."""
    n, d = Z.shape
    result = optimize.linprog(np.zeros(d), A_ub=-Z, b_ub=-np.ones(n), bounds=(None, None),
                              method="highs")
    if result.status == 2:
        raise ValueError(
            "the data are not linearly separable through the origin (no w with "
            "y_i x_i . w > 0 for all i), so there is no max-margin direction."
        )


def max_margin_direction(X, y):
    r"""The hard-margin SVM solution without intercept, :math:`\hat w`.

    .. math::

        \hat w = \arg\min_w \tfrac12 \|w\|_2^2
        \quad\text{s.t.}\quad y_i x_i^\top w \ge 1 \;\; (i = 1, \dots, n),

    solved through its dual, a QP with only sign constraints,

    .. math::

        \max_{\alpha \ge 0}\; \mathbf 1^\top \alpha - \tfrac12 \alpha^\top Z Z^\top \alpha,
        \qquad \hat w = Z^\top \alpha, \quad z_i = y_i x_i ,

    with L-BFGS-B, then polished: the active constraints are solved exactly
    (:math:`z_i^\top w = 1` on the support vectors) and :math:`\hat w` is
    scaled so that :math:`\min_i y_i x_i^\top \hat w = 1` holds to rounding.
    The max-margin direction is :math:`\hat w / \|\hat w\|` and the largest
    normalised margin is :math:`\gamma = 1/\|\hat w\|`. Raises ``ValueError`` if
    the data are not separable through the origin.

    See the book, section 1.9 (``book/principles/implicit_bias.ipynb``) and
    section 1.2 for the hard-margin SVM as a constrained problem.
    """
    X, y = _check_labels(X, y)
    Z = y[:, None] * X
    _check_separable(Z)
    G = Z @ Z.T
    ones = np.ones(len(y))

    def dual(a):
        Ga = G @ a
        return 0.5 * a @ Ga - a.sum(), Ga - ones

    scale = 1.0 / max(np.abs(np.diag(G)).max(), 1e-300)
    result = optimize.minimize(dual, np.full(len(y), scale), jac=True, method="L-BFGS-B",
                               bounds=[(0.0, None)] * len(y),
                               options={"maxiter": 100_000, "ftol": 1e-15, "gtol": 1e-12})
    w = Z.T @ result.x
    w = _polish(Z, w, result.x)
    return w / (Z @ w).min()


def _polish(Z, w, alpha):
    """Solve z_i . w = 1 exactly on the support vectors; keep the result if it is feasible."""
    support = alpha > 1e-6 * alpha.max()
    Zs = Z[support]
    coef, *_ = np.linalg.lstsq(Zs @ Zs.T, np.ones(Zs.shape[0]), rcond=None)
    polished = Zs.T @ coef
    feasible = (Z @ polished).min() >= 1 - 1e-9
    close = np.linalg.norm(polished - w) <= 1e-3 * np.linalg.norm(w)
    return polished if feasible and close else w


def l2_logistic_solution(X, y, lam):
    r"""Minimiser of the L2-regularised mean logistic loss (no intercept).

    .. math::

        w_\lambda = \arg\min_w \frac1n\sum_{i=1}^n \log\!\left(1+e^{-y_i x_i^\top w}\right)
        + \frac{\lambda}{2}\|w\|_2^2 ,

    strictly convex for :math:`\lambda > 0`, so the minimiser is unique and of
    finite norm even on separable data; solved by a trust-region Newton method
    to a gradient norm of about 1e-10. In ``sklearn.linear_model.LogisticRegression``
    (which minimises :math:`C \sum_i \ell_i + \frac12\|w\|^2`) this is
    ``C = 1 / (n * lam)`` with ``fit_intercept=False``.

    See the book, section 1.9 (``book/principles/implicit_bias.ipynb``).
    """
    X, y = _check_labels(X, y)
    lam = check_scalar(lam, "lam", low=0.0, low_open=True)
    n, d = X.shape
    Z = y[:, None] * X

    def objective(w):
        m = Z @ w
        return np.logaddexp(0.0, -m).mean() + 0.5 * lam * w @ w

    def gradient(w):
        return -(Z.T @ expit(-(Z @ w))) / n + lam * w

    def hessian(w):
        p = expit(Z @ w)
        return (Z.T * (p * (1 - p))) @ Z / n + lam * np.eye(d)

    result = optimize.minimize(objective, np.zeros(d), jac=gradient, hess=hessian,
                               method="trust-exact", options={"gtol": 1e-10, "maxiter": 1000})
    return result.x


def _unit_rows(w):
    w = np.atleast_2d(w)
    return w / np.linalg.norm(w, axis=1, keepdims=True)


def cosine(w, w_ref):
    r"""Cosine similarity :math:`\frac{w^\top w_{\mathrm{ref}}}{\|w\|\|w_{\mathrm{ref}}\|}`.

    ``w`` may be one vector (d,), giving a float, or a stack (k, d) such as a
    trajectory's ``weights``, giving (k,). Plot :math:`1 - \cos` on a log axis
    against :math:`\log t`. See the book, section 1.9
    (``book/principles/implicit_bias.ipynb``).
    """
    w = check_array(w, "w", ndim=(1, 2))
    w_ref = check_array(w_ref, "w_ref", ndim=1)
    if w.shape[-1] != w_ref.shape[0]:
        raise ValueError(f"w has {w.shape[-1]} entries per vector but w_ref has {w_ref.shape[0]}.")
    if np.linalg.norm(w_ref) == 0 or np.any(np.linalg.norm(np.atleast_2d(w), axis=1) == 0):
        raise ValueError("cosine is undefined for a zero vector; drop zero rows of w.")
    c = _unit_rows(w) @ (w_ref / np.linalg.norm(w_ref))
    return float(c[0]) if w.ndim == 1 else c


def normalized_margin(X, y, w):
    r"""The normalised margin :math:`\gamma(w) = \min_i y_i x_i^\top w / \|w\|_2`.

    Positive iff ``w`` separates the data; at most :math:`1/\|\hat w\|`, the value
    at the max-margin direction. ``w`` may be (d,) or (k, d).
    See the book, section 1.9 (``book/principles/implicit_bias.ipynb``).
    """
    X, y = _check_labels(X, y)
    w = check_array(w, "w", ndim=(1, 2))
    if w.shape[-1] != X.shape[1]:
        raise ValueError(f"w must have {X.shape[1]} entries (the columns of X), got {w.shape}.")
    margins = ((y[:, None] * X) @ _unit_rows(w).T).min(axis=0)
    return float(margins[0]) if w.ndim == 1 else margins
