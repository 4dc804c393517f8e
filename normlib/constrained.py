r"""Constraint vs penalty: projected gradient, the ridge budget and its shadow price.

A norm penalty and a norm constraint are two faces of one problem. For a
convex loss :math:`L` and a budget :math:`C > 0`,

.. math::

    \min_w L(w) \quad \text{s.t.} \quad \|w\|_2^2 \le C
    \qquad\text{and}\qquad
    \min_w L(w) + \lambda \|w\|_2^2

have the same solution when :math:`\lambda = \mu^*`, the KKT multiplier of the
constraint, and :math:`\mu^* = -\,dL^*/dC` is the *shadow price* of the budget.

See the book, section 1.2 *Two faces: constraint and penalty*
(``book/principles/constraint_penalty.ipynb``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np
from scipy.optimize import brentq

from normlib._validation import check_array, check_scalar, check_Xy
from normlib.prox import project_l1_ball, project_l2_ball

__all__ = [
    "ProjectedGradientResult",
    "ConstrainedRidgeResult",
    "HardMarginSVMResult",
    "projected_gradient",
    "projected_gradient_l2",
    "projected_gradient_l1",
    "ridge_norm_sq",
    "lambda_for_budget",
    "constrained_ridge",
    "shadow_price",
    "hard_margin_svm",
]


# --------------------------------------------------------------------------- projected gradient
class ProjectedGradientResult(NamedTuple):
    """Output of :func:`projected_gradient`: unpacks as ``w, objective, n_iter, converged``."""

    w: np.ndarray
    objective: np.ndarray  # f(w_k) for k = 0..n_iter (empty when f is None)
    n_iter: int
    converged: bool


def projected_gradient(grad_f: Callable, w0, project: Callable, step, n_iter=1000, tol=1e-10,
                       f: Callable | None = None) -> ProjectedGradientResult:
    r"""Projected gradient descent for :math:`\min_{w \in \mathcal{C}} f(w)`.

    .. math::

        w_{k+1} = P_{\mathcal{C}}\bigl(w_k - \eta \nabla f(w_k)\bigr)

    With :math:`f` convex and :math:`L`-smooth, the step :math:`\eta = 1/L`
    decreases :math:`f` at every iteration and converges at rate
    :math:`O(1/k)`. Stops when
    :math:`\|w_{k+1} - w_k\|_2 \le \mathrm{tol} \cdot \max(1, \|w_k\|_2)`.

    Parameters
    ----------
    grad_f : callable ``w -> gradient`` (same shape as ``w``).
    w0 : starting point (projected before the first step).
    project : callable ``w -> P_C(w)``, the Euclidean projection onto the feasible set.
    step : step size :math:`\eta > 0` (use ``1/L``).
    n_iter : maximum number of iterations.
    tol : relative stopping tolerance on the change of ``w``.
    f : optional objective; when given, ``objective`` records :math:`f(w_k)`.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    if not callable(grad_f):
        raise TypeError("grad_f must be a callable w -> gradient of f at w.")
    if not callable(project):
        raise TypeError("project must be a callable w -> projection of w onto the feasible set.")
    if f is not None and not callable(f):
        raise TypeError("f must be None or a callable w -> objective value.")
    w = project(check_array(w0, "w0", ndim=(1, 2)).copy())
    step = check_scalar(step, "step", low=0, low_open=True)
    n_iter = check_scalar(n_iter, "n_iter", low=1, integer=True)
    tol = check_scalar(tol, "tol", low=0)
    objective = [f(w)] if f is not None else []
    converged = False
    k = 0
    for k in range(1, n_iter + 1):  # noqa: B007 - k is read after the loop
        w_new = project(w - step * grad_f(w))
        change = np.linalg.norm(w_new - w)
        w = w_new
        if f is not None:
            objective.append(f(w))
        if change <= tol * max(1.0, np.linalg.norm(w)):
            converged = True
            break
    return ProjectedGradientResult(w, np.asarray(objective, dtype=float), k, converged)


def _least_squares_pgd(X, y, radius, project, step, n_iter, tol, w0):
    X, y = check_Xy(X, y)
    radius = check_scalar(radius, "radius", low=0)
    if step is None:
        lipschitz = np.linalg.norm(X, 2) ** 2
        step = 1.0 / lipschitz if lipschitz > 0 else 1.0
    w0 = np.zeros(X.shape[1]) if w0 is None else check_array(w0, "w0", ndim=1)
    if w0.shape != (X.shape[1],):
        raise ValueError(f"w0 must have shape ({X.shape[1]},) to match X, got {w0.shape}.")

    def f(w):
        r = y - X @ w
        return 0.5 * float(r @ r)

    def grad_f(w):
        return X.T @ (X @ w - y)

    return projected_gradient(grad_f, w0, lambda w: project(w, radius), step,
                              n_iter=n_iter, tol=tol, f=f)


def projected_gradient_l2(X, y, radius, step=None, n_iter=5000, tol=1e-12,
                          w0=None) -> ProjectedGradientResult:
    r"""Least squares on an L2 ball by projected gradient descent.

    .. math::

        \min_w \tfrac12 \|y - Xw\|_2^2 \quad\text{s.t.}\quad \|w\|_2 \le r,
        \qquad w_{k+1} = P_{\|\cdot\|_2 \le r}\bigl(w_k - \eta X^\top(Xw_k - y)\bigr)

    The default step is :math:`\eta = 1/\|X\|_2^2` (one over the Lipschitz
    constant of the gradient). The factor :math:`\tfrac12` does not change the
    minimiser. ``objective`` records :math:`\tfrac12\|y - Xw_k\|^2`.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    return _least_squares_pgd(X, y, radius, project_l2_ball, step, n_iter, tol, w0)


def projected_gradient_l1(X, y, radius, step=None, n_iter=5000, tol=1e-12,
                          w0=None) -> ProjectedGradientResult:
    r"""Least squares on an L1 ball by projected gradient descent.

    .. math::

        \min_w \tfrac12 \|y - Xw\|_2^2 \quad\text{s.t.}\quad \|w\|_1 \le r,
        \qquad w_{k+1} = P_{\|\cdot\|_1 \le r}\bigl(w_k - \eta X^\top(Xw_k - y)\bigr)

    The L1 ball's corners make exact zeros appear, as the lasso penalty does.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    return _least_squares_pgd(X, y, radius, project_l1_ball, step, n_iter, tol, w0)


# --------------------------------------------------------------------------- ridge budget
def _ridge_svd(X, y):
    """Thin SVD of X restricted to numerically non-zero singular values, and c = U^T y."""
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    keep = s > s[0] * max(X.shape) * np.finfo(float).eps if s.size else s > 0
    return s[keep], U[:, keep].T @ y, Vt[keep]


def _norm_sq_from_svd(s, c, lam):
    return float(np.sum((s * c / (s**2 + lam)) ** 2))


def ridge_norm_sq(X, y, lam) -> float:
    r"""Squared norm of the ridge solution, :math:`\|w(\lambda)\|_2^2`, from the SVD of ``X``.

    With :math:`w(\lambda) = \arg\min_w \|y - Xw\|_2^2 + \lambda\|w\|_2^2`,
    :math:`X = U S V^\top` and :math:`c = U^\top y`,

    .. math::

        \|w(\lambda)\|_2^2 = \sum_i \Bigl(\frac{s_i c_i}{s_i^2 + \lambda}\Bigr)^2,

    a strictly decreasing function of :math:`\lambda \ge 0` (unless
    :math:`X^\top y = 0`). At :math:`\lambda = 0` it is the squared norm of the
    minimum-norm least-squares solution.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    X, y = check_Xy(X, y)
    lam = check_scalar(lam, "lam", low=0)
    s, c, _ = _ridge_svd(X, y)
    return _norm_sq_from_svd(s, c, lam)


def _lambda_from_svd(s, c, C):
    if _norm_sq_from_svd(s, c, 0.0) <= C:
        return 0.0  # the least-squares solution is inside the ball: constraint inactive
    # ||w(lam)||^2 <= ||X^T y||^2 / lam^2, so lam_hi = ||X^T y|| / sqrt(C) is feasible.
    lam_hi = np.linalg.norm(s * c) / np.sqrt(C)
    return brentq(lambda lam: _norm_sq_from_svd(s, c, lam) - C, 0.0, lam_hi,
                  xtol=1e-300, rtol=4 * np.finfo(float).eps, maxiter=500)


def lambda_for_budget(X, y, C) -> float:
    r"""The ridge strength :math:`\lambda^*` whose solution has squared norm ``C``.

    Solves :math:`\|w(\lambda)\|_2^2 = C` (see :func:`ridge_norm_sq`) by
    Brent's method on :math:`[0, \|X^\top y\|_2 / \sqrt{C}]`. When the
    least-squares solution already satisfies :math:`\|w_{\mathrm{OLS}}\|_2^2
    \le C` the constraint is inactive and :math:`\lambda^* = 0`.

    .. math::

        \lambda^* = \begin{cases} 0 & \|w_{\mathrm{OLS}}\|^2 \le C \\
        \text{the root of } \sum_i \bigl(\tfrac{s_i c_i}{s_i^2 + \lambda}\bigr)^2 = C
        & \text{otherwise} \end{cases}

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    X, y = check_Xy(X, y)
    C = check_scalar(C, "C", low=0, low_open=True)
    s, c, _ = _ridge_svd(X, y)
    return _lambda_from_svd(s, c, C)


class ConstrainedRidgeResult(NamedTuple):
    """Output of :func:`constrained_ridge`: unpacks as ``w, lam, loss``."""

    w: np.ndarray
    lam: float   # lam* = mu*, the multiplier of ||w||^2 <= C for the loss ||y - Xw||^2
    loss: float  # L*(C) = ||y - X w||^2


def constrained_ridge(X, y, C) -> ConstrainedRidgeResult:
    r"""Solve :math:`\min_w \|y - Xw\|_2^2` s.t. :math:`\|w\|_2^2 \le C` through its penalty twin.

    .. math::

        w^* = w(\lambda^*) = V\,\mathrm{diag}\Bigl(\frac{s_i}{s_i^2 + \lambda^*}\Bigr) U^\top y,
        \qquad L^*(C) = \|y - Xw^*\|_2^2 .

    **Convention.** The Lagrangian of the constrained problem is
    :math:`\|y - Xw\|^2 + \mu(\|w\|^2 - C)`; with the penalty written
    :math:`\|y - Xw\|^2 + \lambda\|w\|^2` the multiplier is
    :math:`\mu^* = \lambda^*`, and :math:`dL^*/dC = -\lambda^*`. Writing the
    penalty as :math:`\tfrac{\lambda}{2}\|w\|^2` (PyTorch's ``weight_decay``,
    or a loss :math:`\tfrac12\|y - Xw\|^2` with the same :math:`\lambda`) moves
    a factor 2: :math:`\mu^* = \lambda/2`. See :func:`shadow_price`.

    Returns ``(w, lam, loss)``; ``lam == 0`` and ``w`` is the (minimum-norm)
    least-squares solution when the constraint is inactive.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    X, y = check_Xy(X, y)
    C = check_scalar(C, "C", low=0, low_open=True)
    s, c, Vt = _ridge_svd(X, y)
    lam = _lambda_from_svd(s, c, C)
    w = Vt.T @ (s * c / (s**2 + lam))
    r = y - X @ w
    return ConstrainedRidgeResult(w, float(lam), float(r @ r))


def shadow_price(X, y, C, loss_scale=1.0) -> float:
    r"""The shadow price :math:`\mu^* = -\,dL^*/dC` of the budget :math:`\|w\|_2^2 \le C`.

    For the loss :math:`L(w) = a\,\|y - Xw\|_2^2` (``a = loss_scale``),

    .. math::

        \mu^*(C) = -\frac{dL^*}{dC} = a\,\lambda^*(C),

    where :math:`\lambda^*` is :func:`lambda_for_budget` (the strength of the
    penalty :math:`\lambda\|w\|^2` added to :math:`\|y - Xw\|^2`). With
    ``loss_scale=0.5`` (loss :math:`\tfrac12\|y-Xw\|^2`, penalty
    :math:`\tfrac{\lambda}{2}\|w\|^2`) this is :math:`\lambda^*/2`. Zero when
    the constraint is inactive: relaxing a budget that does not bind is worth
    nothing.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    loss_scale = check_scalar(loss_scale, "loss_scale", low=0, low_open=True)
    return loss_scale * lambda_for_budget(X, y, C)


# --------------------------------------------------------------------------- hard-margin SVM
class HardMarginSVMResult(NamedTuple):
    """Output of :func:`hard_margin_svm`: unpacks as ``w, b, alpha, margin``."""

    w: np.ndarray
    b: float
    alpha: np.ndarray  # dual variables, alpha_i >= 0, nonzero on support vectors
    margin: float      # geometric margin 1 / ||w||


def _check_labels(y):
    labels = set(np.unique(y).tolist())
    if not labels <= {-1.0, 1.0} or len(labels) != 2:
        raise ValueError(
            f"y must hold both labels -1 and +1 (got {sorted(labels)}); "
            "map your classes with y = np.where(y == positive_class, 1, -1)."
        )


def hard_margin_svm(X, y) -> HardMarginSVMResult:
    r"""The hard-margin SVM (with intercept) as a constrained minimum-norm problem.

    .. math::

        \min_{w, b}\ \tfrac12\|w\|_2^2 \quad\text{s.t.}\quad y_i (w^\top x_i + b) \ge 1,

    solved as a QP with cvxpy (Clarabel). The dual variables
    :math:`\alpha_i \ge 0` give :math:`w = \sum_i \alpha_i y_i x_i`,
    :math:`\sum_i \alpha_i y_i = 0`, and complementary slackness yields
    :math:`\sum_i \alpha_i = \|w\|_2^2`. The geometric margin is
    :math:`1/\|w\|_2`. (``sklearn.svm.SVC``'s ``dual_coef_`` stores
    :math:`y_i \alpha_i` for the support vectors.)

    Raises ``ValueError`` when the data are not linearly separable.

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``).
    """
    import cvxpy as cp  # imported here: cvxpy is slow to import

    X, y = check_Xy(X, y)
    _check_labels(y)
    w = cp.Variable(X.shape[1])
    b = cp.Variable()
    margins = cp.multiply(y, X @ w + b) >= 1
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(w)), [margins])
    problem.solve(solver=cp.CLARABEL, tol_gap_abs=1e-12, tol_gap_rel=1e-12,
                  tol_feas=1e-12, tol_ktratio=1e-10)
    if problem.status in (cp.INFEASIBLE, cp.INFEASIBLE_INACCURATE):
        raise ValueError("X, y are not linearly separable: no hard-margin SVM exists; "
                         "use a soft-margin SVM (sklearn.svm.SVC with finite C).")
    if problem.status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE):  # pragma: no cover
        raise RuntimeError(f"the SVM QP did not solve (status {problem.status}).")
    w_opt = np.asarray(w.value, dtype=float)
    alpha = np.maximum(np.asarray(margins.dual_value, dtype=float), 0.0)
    return HardMarginSVMResult(w_opt, float(b.value), alpha, float(1.0 / np.linalg.norm(w_opt)))
