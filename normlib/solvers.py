r"""Solvers for penalised least squares: ridge in closed form, lasso / elastic net /
group lasso by accelerated proximal gradient (FISTA), and their regularization paths.

Objectives (scikit-learn's conventions, :math:`n` samples):

=======================  =====================================================================
``ridge``                :math:`\|y - Xw\|_2^2 + \lambda\|w\|_2^2` (``sklearn.linear_model.Ridge``)
``lasso``                :math:`\frac{1}{2n}\|y - Xw\|_2^2 + \alpha\|w\|_1` (``Lasso``)
``elastic_net``          :math:`\frac{1}{2n}\|y - Xw\|_2^2 + \alpha\rho\|w\|_1
                         + \frac{\alpha(1-\rho)}{2}\|w\|_2^2` (``ElasticNet``, :math:`\rho`:
                         ``l1_ratio``)
``group_lasso``          :math:`\frac{1}{2n}\|y - Xw\|_2^2 + \alpha\sum_g \sqrt{p_g}\,\|w_g\|_2`
``sparse_group_lasso``   :math:`\frac{1}{2n}\|y - Xw\|_2^2 + \alpha\rho\|w\|_1
                         + \alpha(1-\rho)\sum_g \sqrt{p_g}\,\|w_g\|_2`
=======================  =====================================================================

How the iterative solvers work (one readable engine, :func:`proximal_gradient`,
does the iterations):

1. **FISTA** (Beck and Teboulle 2009) with the step :math:`1/L`,
   :math:`L = \sigma_{\max}(X)^2/n`, and adaptive restart (O'Donoghue and
   Candès 2015). ``accelerated=False`` gives plain ISTA. On the least-squares
   problems below, :math:`L` starts as a cheap estimate from below and grows
   whenever a step meets more curvature than :math:`L` (backtracking, which
   costs nothing extra here because the gradient is affine; see
   ``_fista_quadratic`` in the source).
2. **Duality-gap stopping rule**, the one scikit-learn uses: stop when
   :math:`P(w) - D(\theta) \le \mathrm{tol}\cdot\|y\|_2^2/n` for a dual-feasible
   :math:`\theta` obtained by rescaling the residual (formulas in :func:`lasso`,
   :func:`elastic_net`, :func:`group_lasso`). The gap bounds the distance to the
   optimal objective, so a converged answer is certified, not hoped for.
3. **Working sets** (as in celer / skglm): solve the problem restricted to the
   features (groups) that are non-zero or violate the optimality conditions most,
   check the gap on *all* features, grow the set, repeat. The restricted problems
   are small, so FISTA runs on their Gram matrix :math:`X_W^\top X_W / n`, which a
   cache keeps along a path. ``working_set=False`` runs FISTA on the full problem.
   The only passes over all of :math:`X` are the gap checks' :math:`X^\top r`
   (the residual itself comes from the cached columns).
4. **Paths** solve for a decreasing grid of :math:`\alpha` with warm starts; the
   next :math:`\alpha` starts at the last solution, whose gap check it reuses.

The intercept, when asked for, is not penalised: :math:`X` and :math:`y` are
centred, and :math:`b = \bar y - \bar x^\top w`.

See the book, section 1.4 *L1 penalty and proximal gradient*
(``book/principles/l1_lasso.ipynb``), 1.5 (``elastic_net.ipynb``), 1.6
(``group_lasso.ipynb``), and 1.1 (``capacity.ipynb``) for ridge.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg
import scipy.sparse.linalg
from sklearn.exceptions import ConvergenceWarning

from normlib._validation import check_array, check_scalar, check_Xy
from normlib.prox import _group_labels, _group_norms, _group_scale, _soft_threshold

__all__ = [
    "SolverResult", "PathResult", "proximal_gradient",
    "ridge", "lasso", "elastic_net", "group_lasso", "sparse_group_lasso",
    "lasso_path", "enet_path", "group_lasso_path",
    "lasso_alpha_max", "enet_alpha_max", "group_lasso_alpha_max",
    "sparse_group_lasso_alpha_max",
]


# =========================================================================== results
@dataclass
class SolverResult:
    r"""What a solver returns.

    Attributes
    ----------
    coef : ndarray of shape (d,)
        The coefficients :math:`w` (for :func:`ridge` with several ``lam``: shape (k, d)).
    intercept : float
        The unpenalised intercept :math:`b` (0.0 unless ``fit_intercept=True``).
    n_iter : int
        Proximal-gradient iterations run (0 for closed forms).
    gap : float
        Final duality gap :math:`P(w) - D(\theta) \ge P(w) - P(w^*)`, on the
        objective's own scale (0.0 for closed forms; NaN when no gap was computed).
    converged : bool
        Whether ``gap <= tol * ||y||^2 / n`` was reached within ``max_iter``.
    objective : float
        Final value of the objective :math:`P(w)`.
    history : list of float
        Objective after every iteration, when the solver was asked to record it
        (``history=True``); empty otherwise.
    """

    coef: np.ndarray
    intercept: float | np.ndarray = 0.0
    n_iter: int = 0
    gap: float = math.nan
    converged: bool = False
    objective: float | np.ndarray = math.nan
    history: list = field(default_factory=list)


@dataclass
class PathResult:
    """What a path function returns (shapes follow ``sklearn.linear_model.lasso_path``).

    Attributes
    ----------
    alphas : ndarray of shape (k,)
        The regularization strengths, decreasing.
    coefs : ndarray of shape (d, k)
        ``coefs[:, i]`` solves the problem at ``alphas[i]``.
    intercepts : ndarray of shape (k,)
    gaps : ndarray of shape (k,)
        Final duality gap at each alpha.
    n_iter : ndarray of shape (k,)
    converged : ndarray of bool, shape (k,)
    """

    alphas: np.ndarray
    coefs: np.ndarray
    intercepts: np.ndarray
    gaps: np.ndarray
    n_iter: np.ndarray
    converged: np.ndarray


# =========================================================================== the engine
def proximal_gradient(grad_f, prox, w0, L=None, *, f=None, accelerated=True, restart=True,
                      max_iter=1000, gap=None, tol=0.0, check_every=10, objective=None):
    r"""Minimise :math:`F(w) = f(w) + g(w)`, :math:`f` smooth, :math:`g` with a cheap prox.

    ISTA (``accelerated=False``) iterates

    .. math::

        w_{k+1} = \operatorname{prox}_{g/L}\bigl(w_k - \tfrac1L \nabla f(w_k)\bigr),

    FISTA (Beck and Teboulle 2009) takes the same step from an extrapolated point:

    .. math::

        w_{k+1} = \operatorname{prox}_{g/L}\bigl(z_k - \tfrac1L \nabla f(z_k)\bigr),\quad
        t_{k+1} = \tfrac{1 + \sqrt{1 + 4t_k^2}}{2},\quad
        z_{k+1} = w_{k+1} + \tfrac{t_k - 1}{t_{k+1}}(w_{k+1} - w_k).

    Worst-case rates :math:`F(w_k) - F^* = O(1/k)` for ISTA and :math:`O(1/k^2)` for
    FISTA. With ``restart=True`` the momentum is reset whenever
    :math:`(z_k - w_{k+1})^\top(w_{k+1} - w_k) > 0` (O'Donoghue and Candès 2015), which
    keeps FISTA monotone in practice and linear on strongly convex problems.

    Parameters
    ----------
    grad_f : callable ``w -> ndarray``
        Gradient of the smooth part.
    prox : callable ``(v, step) -> ndarray``
        :math:`\operatorname{prox}_{\mathrm{step}\cdot g}(v)`.
    w0 : ndarray
        Starting point (warm start).
    L : float, optional
        Lipschitz constant of :math:`\nabla f`. ``None``: backtracking
        (start at 1, double until the quadratic upper bound holds), which needs ``f``.
    f : callable ``w -> float``, optional
        The smooth part (only for backtracking).
    gap : callable ``w -> float``, optional
        A stopping criterion, typically the duality gap, checked every
        ``check_every`` iterations; stop when it is ``<= tol``. Without it the
        method runs ``max_iter`` iterations and ``converged`` is False.
    objective : callable ``w -> float``, optional
        When given, :math:`F(w_k)` is recorded after every iteration in ``history``.

    Returns
    -------
    SolverResult

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    if L is None and f is None:
        raise ValueError("proximal_gradient needs L (a Lipschitz constant) or f (to backtrack).")
    w = np.array(w0, dtype=float, copy=True)
    z, t, Lk = w, 1.0, (1.0 if L is None else float(L))
    history, gap_value, converged, k = [], math.nan, False, 0
    if gap is not None:
        gap_value = gap(w)
        converged = gap_value <= tol
    while not converged and k < max_iter:
        k += 1
        grad = grad_f(z)
        w_new = prox(z - grad / Lk, 1.0 / Lk)
        if L is None:  # backtracking: grow Lk until f(w_new) <= its quadratic model at z
            fz = f(z)
            while True:
                d = w_new - z
                if f(w_new) <= fz + np.vdot(grad, d) + 0.5 * Lk * np.vdot(d, d) + 1e-12 * abs(fz):
                    break
                Lk *= 2.0
                w_new = prox(z - grad / Lk, 1.0 / Lk)
        if not accelerated:
            z = w_new
        elif restart and np.vdot(z - w_new, w_new - w) > 0:
            z, t = w_new, 1.0  # momentum points uphill: restart
        else:
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            z = w_new + ((t - 1.0) / t_next) * (w_new - w)
            t = t_next
        w = w_new
        if objective is not None:
            history.append(float(objective(w)))
        if gap is not None and (k % check_every == 0 or k == max_iter):
            gap_value = gap(w)
            converged = gap_value <= tol
    return SolverResult(coef=w, n_iter=k, gap=float(gap_value), converged=bool(converged),
                        history=history)


# =========================================================================== penalties
# Each penalty knows its value, its prox, and its dual norm block by block. The
# duality gap of  P(w) = ||y - Xw||^2 / (2n) + Omega(w)  at the dual point
# theta = s * r (r = y - Xw, s = min(1, 1 / Omega^*(X^T r / n))) is
#     gap = [ (1 + s^2)/2 ||r||^2 - s r^T y ] / n + Omega(w)
# (lasso: CONTENT.md 1.4 / sklearn's "formulation A"). Elastic net: the same on the
# augmented data [X; sqrt(n lam2) I], [y; 0].

class _L1L2:
    r"""Elastic net :math:`\lambda_1\|w\|_1 + \frac{\lambda_2}{2}\|w\|_2^2` (lasso: lam2 = 0)."""

    def __init__(self, lam1, lam2, d):
        self.lam1, self.lam2 = lam1, lam2
        self.index, self.n_blocks = np.arange(d), d  # every feature is a block

    def restrict(self, features):
        return _L1L2(self.lam1, self.lam2, len(features))

    def value(self, w):
        return self.lam1 * np.abs(w).sum() + 0.5 * self.lam2 * (w @ w)

    def prox(self, v, step):
        return _soft_threshold(v, step * self.lam1) / (1.0 + step * self.lam2)

    def ratios(self, z, w):
        """Per feature: |X_j^T r / n - lam2 w_j| / lam1 (> 1 means the KKT condition fails)."""
        if self.lam1 == 0:
            return np.full(w.shape, np.inf)
        return np.abs(z - self.lam2 * w) / self.lam1

    def active(self, w):
        return w != 0

    def gap(self, w, z, rr, ry, n):
        ww = w @ w
        if self.lam1 == 0:  # ridge: theta = r is feasible (sklearn's "formulation B")
            return (rr - ry) / n + 0.5 * self.lam2 * ww + (z @ z) / (2.0 * self.lam2)
        s = _dual_scale(self.ratios(z, w))
        return ((0.5 * (1 + s * s) * (rr + n * self.lam2 * ww) - s * ry) / n
                + self.lam1 * np.abs(w).sum())


class _GroupL21:
    r"""Group lasso :math:`\lambda\sum_g c_g\|w_g\|_2` (``index[j]`` = group of feature j)."""

    def __init__(self, lam, index, weights):
        self.lam, self.index, self.weights = lam, index, weights
        self.n_blocks = len(weights)

    def restrict(self, features):
        return _GroupL21(self.lam, self.index[features], self.weights)

    def norms(self, w):
        return _group_norms(w, self.index, self.n_blocks)

    def value(self, w):
        return self.lam * (self.weights @ self.norms(w))

    def prox(self, v, step):
        scale = _group_scale(self.norms(v), step * self.lam * self.weights)
        return scale[self.index] * v

    def ratios(self, z, w):
        """Per group: ||X_g^T r / n|| / (lam c_g) (> 1 means the KKT condition fails)."""
        return self.norms(z) / (self.lam * self.weights)

    def active(self, w):
        return self.norms(w) > 0

    def gap(self, w, z, rr, ry, n):
        s = _dual_scale(self.ratios(z, w))
        return (0.5 * (1 + s * s) * rr - s * ry) / n + self.value(w)


class _SparseGroup(_GroupL21):
    r"""Sparse-group lasso :math:`\lambda_1\|w\|_1 + \lambda_2\sum_g c_g\|w_g\|_2`."""

    def __init__(self, lam1, lam2, index, weights):
        super().__init__(lam2, index, weights)
        self.lam1 = lam1
        self.order = np.argsort(index, kind="stable")  # features sorted by group
        self.present, counts = np.unique(index, return_counts=True)
        self.splits = np.cumsum(counts)[:-1]

    def restrict(self, features):
        return _SparseGroup(self.lam1, self.lam, self.index[features], self.weights)

    def value(self, w):
        return self.lam1 * np.abs(w).sum() + super().value(w)

    def prox(self, v, step):  # prox of the sum = group prox of the soft threshold
        return super().prox(_soft_threshold(v, step * self.lam1), step)

    def ratios(self, z, w):
        """Per group: the gauge of z_g in {u : ||S_lam1(u)||_2 <= lam2 c_g} (the epsilon-norm)."""
        out = np.zeros(self.n_blocks)
        for g, z_g in zip(self.present, np.split(z[self.order], self.splits), strict=True):
            out[g] = _sparse_group_gauge(z_g, self.lam1, self.lam * self.weights[g])
        return out


def _dual_scale(ratios):
    """s = min(1, 1 / max ratio): the residual times s is dual feasible."""
    top = ratios.max(initial=0.0)
    return 1.0 if top <= 1.0 else 1.0 / top


def _sparse_group_gauge(u, a, b):
    r"""Smallest :math:`t \ge 0` with :math:`\|S_{ta}(u)\|_2 \le t b` (exact, by sorting).

    With :math:`s = 1/t` and :math:`x` = sorted :math:`|u|` (decreasing), find the
    :math:`s` at which :math:`\sum_j (s x_j - a)_+^2 = b^2`: between two breakpoints
    :math:`a/x_k` the left side is a quadratic in :math:`s`.
    """
    x = np.sort(np.abs(u))[::-1]
    x = x[x > 0]
    if x.size == 0:
        return 0.0
    if b == 0:
        return x[0] / a
    if a == 0:
        return math.sqrt(x @ x) / b
    k = np.arange(1, x.size + 1)
    A1, A2 = np.cumsum(x), np.cumsum(x * x)
    s_k = a / x  # entry k becomes active at s = a / x_k
    # h(s_k)^2 with the first k-1 entries active
    h2 = s_k**2 * (A2 - x * x) - 2 * s_k * a * (A1 - x) + (k - 1) * a * a
    m = int(np.nonzero(h2 <= b * b)[0][-1])  # active set {0..m} at the root
    k1, S1, S2 = m + 1, A1[m], A2[m]
    s = (a * S1 + math.sqrt(max(a * a * S1 * S1 - S2 * (k1 * a * a - b * b), 0.0))) / S2
    return 1.0 / s


# =========================================================================== inner solver
_CACHE_SLACK = 1.25  # solve on every cached feature if they are at most 25% more


class _GramCache:
    r"""Entries of :math:`X^\top X / n` among the features seen so far, computed once.

    Along a path the working sets overlap, so each feature's products are computed
    once: a new feature costs one pass over the columns already cached, not over
    all of :math:`X`. The cached columns also give :math:`Xw` for any :math:`w`
    supported on them. The cache remembers an estimate of the top eigenvector of
    the last block, a warm start for the next Lipschitz constant.
    """

    def __init__(self, X):
        self.X = X
        n, d = X.shape
        self.pos = np.full(d, -1)  # pos[j] = index of feature j in the cache, or -1
        self.m = 0  # number of cached features
        self.features = np.empty(d, dtype=np.intp)  # features[i] = the feature at position i
        self.cols = np.empty((n, 0), order="F")  # their columns of X, contiguous
        self.G = np.empty((0, 0))  # their Gram matrix / n
        self.top = np.zeros(d)  # warm start of the top eigenvector, indexed by feature

    def _grow(self, size):
        cap = min(max(2 * self.G.shape[0], size), self.X.shape[1])
        G, cols = np.empty((cap, cap)), np.empty((self.X.shape[0], cap), order="F")
        G[:self.m, :self.m], cols[:, :self.m] = self.G[:self.m, :self.m], self.cols[:, :self.m]
        self.G, self.cols = G, cols

    def block(self, features):
        r"""A Gram matrix :math:`X_W^\top X_W / n` with :math:`W \supseteq` ``features``.

        Returns ``(W, G)``. When the cache holds few features besides ``features``,
        :math:`W` is every cached feature and ``G`` a view (no copy): a slightly larger
        restricted problem is cheaper than gathering its rows and columns.
        """
        new = features[self.pos[features] < 0]
        if new.size:
            m, k, n = self.m, new.size, self.X.shape[0]
            if m + k > self.G.shape[0]:
                self._grow(m + k)
            X_new = self.cols[:, m:m + k] = self.X[:, new]
            self.G[:m + k, m:m + k] = self.cols[:, :m + k].T @ X_new / n
            self.G[m:m + k, :m] = self.G[:m, m:m + k].T
            self.pos[new] = np.arange(m, m + k)
            self.features[m:m + k] = new
            self.m += k
        if self.m <= _CACHE_SLACK * features.size:
            return self.features[:self.m], self.G[:self.m, :self.m]
        p = np.sort(self.pos[features])
        return self.features[p], self.G[np.ix_(p, p)]

    def matvec(self, w):
        r""":math:`Xw`, from the cached columns when they hold the support of ``w``."""
        support = np.flatnonzero(w)
        p = self.pos[support]
        if support.size == 0:
            return np.zeros(self.X.shape[0])
        if np.any(p < 0):
            return self.X @ w
        w_cached = np.zeros(self.m)
        w_cached[p] = w[support]
        return self.cols[:, :self.m] @ w_cached

    def lipschitz_estimate(self, G, features):
        r"""An estimate of :math:`\lambda_{\max}(G)` from below (FISTA's backtracking
        corrects it): the Rayleigh quotient of the remembered top eigenvector after
        one power step, which also refines that vector for the next block."""
        k = G.shape[0]
        if k <= 64:
            return float(scipy.linalg.eigvalsh(G, subset_by_index=[k - 1, k - 1])[0])
        v = self.top[features]
        if not v.any():
            v = np.ones(k)
        u = G @ v
        norm_u = np.linalg.norm(u)
        if norm_u == 0:
            return 0.0
        estimate = float(v @ u) / float(v @ v)
        self.top[features] = u / norm_u
        return estimate

    def lipschitz(self, G, features):
        """Largest eigenvalue of ``G`` (the block of ``features``): FISTA's step is 1/L."""
        k = G.shape[0]
        if k <= 200:
            return float(scipy.linalg.eigvalsh(G, subset_by_index=[k - 1, k - 1])[0])
        v0 = self.top[features]
        if not v0.any():
            v0 = np.ones(k)
        # G may be a view into the cache: `G @ v` uses BLAS on it, `G.dot(v)` copies it
        op = scipy.sparse.linalg.LinearOperator(G.shape, matvec=G.__matmul__, dtype=G.dtype)
        theta, v = scipy.sparse.linalg.eigsh(op, k=1, which="LA", tol=1e-3, v0=v0)
        v = v[:, 0]
        self.top[features] = v
        # The Ritz value theta is below the top eigenvalue, and some eigenvalue lies
        # within ||G v - theta v|| of it; for the top Ritz pair that is the top one,
        # so theta + ||G v - theta v|| bounds L from above and the step 1/L stays safe.
        return float(theta[0] + np.linalg.norm(G @ v - theta[0] * v))


def _fista_gram(G, b, yy, n, penalty, w0, tol_abs, max_iter, accelerated, history, L=None):
    r"""FISTA on :math:`\tfrac12 w^\top G w - b^\top w + \|y\|^2/(2n) + \Omega(w)`.

    Everything the gap needs comes from the Gram matrix:
    :math:`X^\top r/n = b - Gw`, :math:`\|r\|^2 = \|y\|^2 - 2n\,b^\top w + n\,w^\top G w`,
    :math:`r^\top y = \|y\|^2 - n\,b^\top w`. With ``history`` (objective after every
    step) it runs :func:`proximal_gradient` with the step ``1/L``; otherwise
    :func:`_fista_quadratic`, the same iterations at one product with ``G`` each.
    """
    def gap(w, Gw):
        bw = b @ w
        return penalty.gap(w, b - Gw, yy - 2 * n * bw + n * (w @ Gw), yy - n * bw, n)

    if not history:
        return _fista_quadratic(G, b, penalty, w0, L, gap, tol_abs, max_iter, accelerated)
    if L <= 0:  # X restricted to these features is zero: w = 0 is optimal
        w0, L = np.zeros_like(w0), 1.0

    def objective(w):
        return 0.5 * (w @ (G @ w)) - b @ w + yy / (2 * n) + penalty.value(w)

    return proximal_gradient(lambda w: G @ w - b, penalty.prox, w0, L,
                             accelerated=accelerated, max_iter=max_iter,
                             gap=lambda w: gap(w, G @ w), tol=tol_abs, objective=objective)


def _fista_quadratic(G, b, penalty, w0, L, gap, tol, max_iter, accelerated, check_every=10):
    r"""FISTA with adaptive restart for :math:`\tfrac12 w^\top Gw - b^\top w + \Omega(w)`.

    The iterations of :func:`proximal_gradient`, specialised to a quadratic: its
    gradient :math:`g(w) = Gw - b` is affine, so keeping :math:`g` at the iterates
    gives it at the extrapolated point for free,
    :math:`g(w_k + \beta(w_k - w_{k-1})) = g_k + \beta(g_k - g_{k-1})`, and so the
    curvature along each step :math:`d = w_{k+1} - z_k`, :math:`d^\top G d =
    d^\top(g_{k+1} - g(z_k))`. Whenever it exceeds :math:`L\|d\|^2` the step
    :math:`1/L` was too long: :math:`L` grows and the step is redone (backtracking,
    free when :math:`L` is right). So ``L`` may start as an estimate from below, and
    each iteration costs one product with :math:`G`. ``gap(w, Gw)`` is checked every
    ``check_every`` iterations.
    """
    w = np.array(w0, dtype=float, copy=True)
    Gw = G @ w
    L = max(float(L), 1e-12)
    z, Gz, t, k = w, Gw, 1.0, 0
    gap_value = gap(w, Gw)
    converged = gap_value <= tol
    while not converged and k < max_iter:
        k += 1
        while True:
            w_new = penalty.prox(z - (Gz - b) / L, 1.0 / L)
            Gw_new = G @ w_new
            d = w_new - z
            dd, dGd = d @ d, d @ (Gw_new - Gz)
            if dGd <= L * dd * (1 + 1e-12) + 1e-300:
                break
            L = 1.1 * dGd / dd  # the curvature just seen, with a margin
        if not accelerated:
            z, Gz = w_new, Gw_new
        elif (z - w_new) @ (w_new - w) > 0:  # momentum points uphill: restart
            z, Gz, t = w_new, Gw_new, 1.0
        else:
            t_next = 0.5 * (1.0 + math.sqrt(1.0 + 4.0 * t * t))
            beta = (t - 1.0) / t_next
            z, Gz = w_new + beta * (w_new - w), Gw_new + beta * (Gw_new - Gw)
            t = t_next
        w, Gw = w_new, Gw_new
        if k % check_every == 0 or k == max_iter:
            gap_value = gap(w, Gw)
            converged = gap_value <= tol
    return SolverResult(coef=w, n_iter=k, gap=float(gap_value), converged=bool(converged))


_WS_START = 10  # first working-set size (blocks), as in skglm
_WS_GROWTH = 0.5  # an outer iteration adds up to this share of the active blocks (>= 10)


def _check(problem, w):
    r""":math:`\|r\|^2`, :math:`r^\top y` and :math:`z = X^\top r/n` at ``w`` (:math:`r = y - Xw`).

    A path's next :math:`\alpha` starts where the last one stopped, at the same
    :math:`w`, so the last check is reused (the gap depends on :math:`\alpha` only
    through the penalty). Otherwise :math:`r = y - X_S w_S` comes from the cached
    columns of the support :math:`S`, and only :math:`X^\top r` needs all of :math:`X`.
    """
    last = problem.last
    if last is not None and np.array_equal(last[0], w):
        return last[1:]
    r = problem.y - problem.gram.matvec(w)
    z = problem.X.T @ r / problem.n
    check = (r @ r, r @ problem.y, z)
    problem.last = (w, *check)
    return check


def _solve(problem, penalty, w, tol_abs, max_iter, accelerated, working_set, history):
    """Minimise ||y - Xw||^2/(2n) + penalty(w) (X, y of ``problem`` already centred)."""
    X, n, gram, b, yy = problem.X, problem.n, problem.gram, problem.b, problem.yy
    d = X.shape[1]
    if not working_set:
        features, G = gram.block(np.arange(d))  # every feature, in the cache's order
        L = gram.lipschitz(G, features) if history else gram.lipschitz_estimate(G, features)
        res = _fista_gram(G, b[features], yy, n, penalty.restrict(features), w[features],
                          tol_abs, max_iter, accelerated, history, L)
        res.coef[features] = res.coef.copy()
        return res
    n_iter, gap = 0, math.inf
    while True:
        rr, ry, z = _check(problem, w)
        gap = penalty.gap(w, z, rr, ry, n)
        if gap <= tol_abs or n_iter >= max_iter:
            break
        # the working set: every non-zero block, then the worst KKT violators
        ratios = penalty.ratios(z, w)
        active = penalty.active(w)
        ratios[active] = np.inf
        n_active, n_violating = int(active.sum()), int((ratios[~active] > 1).sum())
        grow = min(n_violating, max(_WS_START, int(_WS_GROWTH * n_active)))
        size = min(penalty.n_blocks, max(_WS_START, n_active + grow))
        blocks = np.argpartition(-ratios, size - 1)[:size]
        chosen = np.zeros(penalty.n_blocks, dtype=bool)
        chosen[blocks] = True
        features, G = gram.block(np.flatnonzero(chosen[penalty.index]))
        sub = _fista_gram(G, b[features], yy, n, penalty.restrict(features), w[features],
                          max(0.3 * gap, 0.5 * tol_abs), max_iter - n_iter, accelerated, False,
                          gram.lipschitz_estimate(G, features))
        w = np.zeros(d)
        w[features] = sub.coef
        n_iter += sub.n_iter
        if sub.n_iter == 0:  # cannot happen in exact arithmetic; guards against a stall
            break
    return SolverResult(coef=w, n_iter=n_iter, gap=float(gap), converged=bool(gap <= tol_abs),
                        objective=float(rr / (2 * n) + penalty.value(w)))


# =========================================================================== front ends
def _center(X, y, fit_intercept):
    if not fit_intercept:
        return X, y, np.zeros(X.shape[1]), 0.0
    X_offset, y_offset = X.mean(axis=0), float(y.mean())
    return X - X_offset, y - y_offset, X_offset, y_offset


def _check_common(X, y, tol, max_iter, w0):
    X, y = check_Xy(X, y)
    tol = check_scalar(tol, "tol", low=0.0)
    max_iter = check_scalar(max_iter, "max_iter", low=1, integer=True)
    if w0 is not None:
        w0 = check_array(w0, "w0", ndim=1)
        if w0.shape[0] != X.shape[1]:
            raise ValueError(
                f"w0 has {w0.shape[0]} entries but X has {X.shape[1]} columns; "
                "the warm start must have one coefficient per feature."
            )
    return X, y, tol, max_iter, w0


def _check_alpha(alpha):
    alpha = check_scalar(alpha, "alpha", low=0.0)
    if alpha == 0:
        raise ValueError(
            "alpha must be > 0 (with alpha = 0 there is no penalty and no dual gap); "
            "for least squares use ridge(X, y, lam=0)."
        )
    return alpha


def _check_l1_ratio(l1_ratio):
    return check_scalar(l1_ratio, "l1_ratio", low=0.0, high=1.0)


def _check_groups(groups, d):
    """Integer labels -> (index per feature in 0..G-1, weights sqrt(p_g))."""
    index, n_groups = _group_labels(groups, d)
    return index, np.sqrt(np.bincount(index, minlength=n_groups))


class _Problem:
    """The centred data of one least-squares problem, shared by every alpha of a path."""

    def __init__(self, X, y, fit_intercept):
        self.n = X.shape[0]
        self.fit_intercept = fit_intercept
        self.X, self.y, self.X_offset, self.y_offset = _center(X, y, fit_intercept)
        self.gram = _GramCache(self.X)
        self.b = self.X.T @ self.y / self.n
        self.yy = float(self.y @ self.y)
        self.last = None  # (w, ||r||^2, r^T y, X^T r / n) of the last gap check


def _fit(problem, penalty, *, w0, tol, max_iter, accelerated, working_set, history,
         warn=True):
    """Solve, add the intercept and the objective, warn if not converged."""
    p = problem
    if working_set is None:
        working_set = not history
    if working_set and history:
        raise ValueError("history=True records every FISTA iteration on the full problem; "
                         "it needs working_set=False (or None).")
    w = np.zeros(p.X.shape[1]) if w0 is None else np.array(w0, dtype=float)
    tol_abs = tol * p.yy / p.n
    res = _solve(p, penalty, w, tol_abs, max_iter, accelerated, working_set, history)
    if math.isnan(res.objective):
        r = p.y - p.X @ res.coef
        res.objective = float((r @ r) / (2 * p.n) + penalty.value(res.coef))
    res.intercept = float(p.y_offset - p.X_offset @ res.coef) if p.fit_intercept else 0.0
    if warn and not res.converged:
        warnings.warn(
            f"FISTA did not reach the duality gap {tol_abs:.3e} in {max_iter} iterations "
            f"(gap {res.gap:.3e}); increase max_iter or tol.", ConvergenceWarning, stacklevel=3)
    return res


def _solver_doc_params(func):
    func.__doc__ = func.__doc__.replace("%(params)s", r"""
    X : array of shape (n, d)
    y : array of shape (n,)
    fit_intercept : bool, default False
        Fit an unpenalised intercept (by centring ``X`` and ``y``).
    w0 : array of shape (d,), optional
        Warm start.
    tol : float, default 1e-4
        Stop when the duality gap is at most ``tol * ||y||^2 / n`` (scikit-learn's rule;
        with ``fit_intercept``, ``y`` is centred first).
    max_iter : int, default 10000
        Maximum number of FISTA iterations in total.
    accelerated : bool, default True
        FISTA (True) or ISTA (False).
    working_set : bool or None, default None
        Solve growing restricted problems (fast for sparse solutions); ``None`` means
        ``not history``.
    history : bool, default False
        Record the objective after every iteration in ``result.history`` (runs the
        method on the full problem, so that ISTA and FISTA can be compared).

    Returns
    -------
    SolverResult
        ``coef``, ``intercept``, ``n_iter``, ``gap``, ``converged``, ``objective``,
        ``history``.""")
    return func


@_solver_doc_params
def lasso(X, y, alpha, *, fit_intercept=False, w0=None, tol=1e-4, max_iter=10_000,
          accelerated=True, working_set=None, history=False):
    r"""The lasso, by FISTA with a duality-gap stopping rule.

    .. math::

        \min_w\ P(w) = \frac{1}{2n}\|y - Xw\|_2^2 + \alpha\|w\|_1

    (``sklearn.linear_model.Lasso``'s objective). Duality gap, with
    :math:`r = y - Xw` and :math:`s = \min(1, n\alpha/\|X^\top r\|_\infty)`:

    .. math::

        \mathrm{gap}(w) = \frac1n\Bigl[\tfrac12\|r\|^2 + n\alpha\|w\|_1 - \tfrac12\|y\|^2
        + \tfrac12\|y - s r\|^2\Bigr] \ \ge\ P(w) - P(w^*).

    Optimality (KKT): :math:`X_j^\top r/n = \alpha\operatorname{sign}(w_j)` if
    :math:`w_j \ne 0`, :math:`|X_j^\top r|/n \le \alpha` if :math:`w_j = 0`.

    Parameters
    ----------
    alpha : float
        Penalty strength, > 0. At :math:`\alpha \ge` :func:`lasso_alpha_max` the solution is 0.
    %(params)s

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    X, y, tol, max_iter, w0 = _check_common(X, y, tol, max_iter, w0)
    alpha = _check_alpha(alpha)
    return _fit(_Problem(X, y, fit_intercept), _L1L2(alpha, 0.0, X.shape[1]), w0=w0,
                tol=tol, max_iter=max_iter, accelerated=accelerated, working_set=working_set,
                history=history)


@_solver_doc_params
def elastic_net(X, y, alpha, l1_ratio=0.5, *, fit_intercept=False, w0=None, tol=1e-4,
                max_iter=10_000, accelerated=True, working_set=None, history=False):
    r"""The elastic net, by FISTA with a duality-gap stopping rule.

    .. math::

        \min_w\ \frac{1}{2n}\|y - Xw\|_2^2 + \lambda_1\|w\|_1 + \frac{\lambda_2}{2}\|w\|_2^2,
        \qquad \lambda_1 = \alpha\rho,\ \lambda_2 = \alpha(1-\rho),

    (``sklearn.linear_model.ElasticNet``'s objective, :math:`\rho` = ``l1_ratio``).
    The gap is the lasso's on the augmented data
    :math:`\tilde X = [X; \sqrt{n\lambda_2} I]`, :math:`\tilde y = [y; 0]` (whose
    residual is :math:`[r; -\sqrt{n\lambda_2}w]`): with
    :math:`s = \min(1, \lambda_1 / \|X^\top r/n - \lambda_2 w\|_\infty)`,

    .. math::

        \mathrm{gap} = \frac1n\Bigl[\tfrac{1+s^2}{2}\bigl(\|r\|^2 + n\lambda_2\|w\|^2\bigr)
        - s\, r^\top y\Bigr] + \lambda_1\|w\|_1 .

    For :math:`\rho = 0` (ridge) the dual point :math:`\theta = r` is feasible and
    :math:`\mathrm{gap} = (\|r\|^2 - r^\top y)/n + \frac{\lambda_2}{2}\|w\|^2
    + \|X^\top r/n\|^2/(2\lambda_2)`. Both are scikit-learn's gaps.

    Parameters
    ----------
    alpha : float
        Penalty strength, > 0.
    l1_ratio : float in [0, 1]
        Share of the L1 part (1: lasso, 0: ridge).
    %(params)s

    See the book, section 1.5 *Elastic net* (``book/principles/elastic_net.ipynb``).
    """
    X, y, tol, max_iter, w0 = _check_common(X, y, tol, max_iter, w0)
    alpha, l1_ratio = _check_alpha(alpha), _check_l1_ratio(l1_ratio)
    penalty = _L1L2(alpha * l1_ratio, alpha * (1 - l1_ratio), X.shape[1])
    if l1_ratio == 0 and working_set is None:
        working_set = False  # no sparsity to exploit
    return _fit(_Problem(X, y, fit_intercept), penalty, w0=w0, tol=tol, max_iter=max_iter,
                accelerated=accelerated, working_set=working_set, history=history)


@_solver_doc_params
def group_lasso(X, y, groups, alpha, *, fit_intercept=False, w0=None, tol=1e-4,
                max_iter=10_000, accelerated=True, working_set=None, history=False):
    r"""The group lasso, by FISTA with a duality-gap stopping rule.

    .. math::

        \min_w\ \frac{1}{2n}\|y - Xw\|_2^2 + \alpha\sum_g \sqrt{p_g}\,\|w_g\|_2,

    :math:`p_g` the size of group :math:`g`. The prox is group soft thresholding.
    The dual norm of the penalty is :math:`\max_g \|u_g\|_2/(\alpha\sqrt{p_g})`, so
    with :math:`s = \min(1, 1/\max_g \frac{\|X_g^\top r\|_2}{n\alpha\sqrt{p_g}})`,

    .. math::

        \mathrm{gap} = \frac1n\Bigl[\tfrac12\|r\|^2 - \tfrac12\|y\|^2 + \tfrac12\|y - s r\|^2\Bigr]
        + \alpha\sum_g\sqrt{p_g}\|w_g\|_2 .

    A group is zero at the optimum iff :math:`\|X_g^\top r\|_2/n \le \alpha\sqrt{p_g}`.

    Parameters
    ----------
    groups : array of int, shape (d,)
        The group label of each column of ``X``.
    alpha : float
        Penalty strength, > 0.
    %(params)s

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    X, y, tol, max_iter, w0 = _check_common(X, y, tol, max_iter, w0)
    index, weights = _check_groups(groups, X.shape[1])
    alpha = _check_alpha(alpha)
    return _fit(_Problem(X, y, fit_intercept), _GroupL21(alpha, index, weights), w0=w0,
                tol=tol, max_iter=max_iter, accelerated=accelerated, working_set=working_set,
                history=history)


@_solver_doc_params
def sparse_group_lasso(X, y, groups, alpha, l1_ratio=0.5, *, fit_intercept=False, w0=None,
                       tol=1e-4, max_iter=10_000, accelerated=True, working_set=None,
                       history=False):
    r"""The sparse-group lasso (Simon et al. 2013), by FISTA with a duality-gap stopping rule.

    .. math::

        \min_w\ \frac{1}{2n}\|y - Xw\|_2^2 + \alpha\rho\|w\|_1
        + \alpha(1-\rho)\sum_g \sqrt{p_g}\,\|w_g\|_2 .

    The prox is a soft threshold followed by a group soft threshold. The dual norm
    is :math:`\max_g t_g(u_g)` with :math:`t_g(u) = \min\{t : \|S_{t\alpha\rho}(u)\|_2
    \le t\alpha(1-\rho)\sqrt{p_g}\}` (computed exactly by sorting), and the gap has
    the same form as :func:`group_lasso`'s.

    Parameters
    ----------
    groups : array of int, shape (d,)
    alpha : float
        Penalty strength, > 0.
    l1_ratio : float in [0, 1]
        Share of the L1 part (1: lasso, 0: group lasso).
    %(params)s

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    X, y, tol, max_iter, w0 = _check_common(X, y, tol, max_iter, w0)
    index, weights = _check_groups(groups, X.shape[1])
    alpha, l1_ratio = _check_alpha(alpha), _check_l1_ratio(l1_ratio)
    penalty = _SparseGroup(alpha * l1_ratio, alpha * (1 - l1_ratio), index, weights)
    return _fit(_Problem(X, y, fit_intercept), penalty, w0=w0, tol=tol, max_iter=max_iter,
                accelerated=accelerated, working_set=working_set, history=history)


# =========================================================================== ridge
def ridge(X, y, lam, *, fit_intercept=False):
    r"""Ridge regression in closed form, through one SVD.

    .. math::

        w(\lambda) = \arg\min_w \|y - Xw\|_2^2 + \lambda\|w\|_2^2
        = V \operatorname{diag}\Bigl(\frac{s_i}{s_i^2 + \lambda}\Bigr) U^\top y,
        \qquad X = U \operatorname{diag}(s) V^\top,

    (``sklearn.linear_model.Ridge``'s objective: no :math:`1/n`, no :math:`\frac12`).
    One SVD serves every :math:`\lambda`, so a whole sweep costs one
    factorisation. With :math:`\lambda = 0` this is the minimum-norm least-squares
    solution (singular values below ``eps * max(n, d) * s_max`` count as zero).

    Parameters
    ----------
    X : array of shape (n, d)
    y : array of shape (n,)
    lam : float or 1-D array of floats >= 0
    fit_intercept : bool, default False
        Fit an unpenalised intercept (by centring).

    Returns
    -------
    SolverResult
        ``coef`` of shape (d,) for a scalar ``lam``, (k, d) for k values;
        ``intercept`` and ``objective`` likewise scalar or (k,); ``gap = 0``.

    See the book, section 1.1 *Capacity* (``book/principles/capacity.ipynb``) and
    section 1.3 *L2 / weight decay*.
    """
    X, y = check_Xy(X, y)
    scalar = np.ndim(lam) == 0
    if scalar:
        lams = np.array([check_scalar(lam, "lam", low=0.0)])
    else:
        lams = check_array(lam, "lam", ndim=1)
        if np.any(lams < 0):
            raise ValueError("lam must be >= 0 everywhere; got a negative entry.")
    Xc, yc, X_offset, y_offset = _center(X, y, fit_intercept)
    U, s, Vt = np.linalg.svd(Xc, full_matrices=False)
    s = np.where(s > np.finfo(float).eps * max(X.shape) * s.max(initial=0.0), s, 0.0)
    denom = s**2 + lams[:, None]
    factors = np.divide(s, denom, out=np.zeros_like(denom), where=denom > 0)
    coef = (factors * (U.T @ yc)) @ Vt
    intercept = y_offset - coef @ X_offset
    resid = yc[None, :] - coef @ Xc.T
    objective = (resid**2).sum(axis=1) + lams * (coef**2).sum(axis=1)
    if scalar:
        coef, intercept, objective = coef[0], float(intercept[0]), float(objective[0])
    return SolverResult(coef=coef, intercept=intercept, n_iter=0, gap=0.0, converged=True,
                        objective=objective)


# =========================================================================== alpha_max and paths
def _xty(X, y, fit_intercept):
    X, y = check_Xy(X, y)
    Xc, yc, _, _ = _center(X, y, fit_intercept)
    return Xc.T @ yc / X.shape[0]


def lasso_alpha_max(X, y, *, fit_intercept=False):
    r"""Smallest :math:`\alpha` at which the lasso solution is zero: :math:`\|X^\top y\|_\infty/n`.

    See the book, section 1.4 (``book/principles/l1_lasso.ipynb``).
    """
    return float(np.abs(_xty(X, y, fit_intercept)).max())


def enet_alpha_max(X, y, l1_ratio=0.5, *, fit_intercept=False):
    r"""Smallest :math:`\alpha` at which the elastic net is zero.

    .. math::

        \alpha_{\max} = \frac{\|X^\top y\|_\infty}{n\rho}

    See the book, section 1.5 (``book/principles/elastic_net.ipynb``).
    """
    l1_ratio = _check_l1_ratio(l1_ratio)
    if l1_ratio == 0:
        raise ValueError("l1_ratio must be > 0 for alpha_max: ridge is never exactly zero.")
    return lasso_alpha_max(X, y, fit_intercept=fit_intercept) / l1_ratio


def group_lasso_alpha_max(X, y, groups, *, fit_intercept=False):
    r"""Smallest :math:`\alpha` at which the group lasso is zero.

    .. math::

        \alpha_{\max} = \max_g \frac{\|X_g^\top y\|_2}{n\sqrt{p_g}}

    See the book, section 1.6 (``book/principles/group_lasso.ipynb``).
    """
    xty = _xty(X, y, fit_intercept)
    index, weights = _check_groups(groups, xty.shape[0])
    return float((_group_norms(xty, index, len(weights)) / weights).max())


def sparse_group_lasso_alpha_max(X, y, groups, l1_ratio=0.5, *, fit_intercept=False):
    r"""Smallest :math:`\alpha` at which the sparse-group lasso is zero.

    .. math::

        \alpha_{\max} = \max_g t_g(X_g^\top y / n),\qquad
        t_g(u) = \min\{t : \|S_{t\rho}(u)\|_2 \le t(1-\rho)\sqrt{p_g}\},

    the dual norm of :math:`X^\top y/n` (see :func:`sparse_group_lasso`).

    See the book, section 1.6 (``book/principles/group_lasso.ipynb``).
    """
    xty = _xty(X, y, fit_intercept)
    index, weights = _check_groups(groups, xty.shape[0])
    l1_ratio = _check_l1_ratio(l1_ratio)
    penalty = _SparseGroup(l1_ratio, 1 - l1_ratio, index, weights)
    return float(penalty.ratios(xty, None).max())


def _alpha_grid(alphas, eps, alpha_max):
    if np.ndim(alphas) == 0:
        n_alphas = check_scalar(alphas, "alphas", low=1, integer=True)
        eps = check_scalar(eps, "eps", low=0.0, high=1.0, low_open=True)
        if alpha_max <= np.finfo(float).resolution:  # y is (numerically) zero
            return np.full(n_alphas, np.finfo(float).resolution)
        return np.geomspace(alpha_max, alpha_max * eps, num=n_alphas)
    alphas = check_array(alphas, "alphas", ndim=1)
    if alphas.size == 0 or np.any(alphas <= 0):
        raise ValueError("alphas must be a non-empty array of positive numbers.")
    return np.sort(alphas)[::-1]


def _path(X, y, make_penalty, alphas, *, fit_intercept, tol, max_iter, accelerated,
          working_set):
    d = X.shape[1]
    problem = _Problem(X, y, fit_intercept)
    coefs = np.zeros((d, len(alphas)))
    intercepts, gaps = np.zeros(len(alphas)), np.zeros(len(alphas))
    n_iter, converged = np.zeros(len(alphas), dtype=int), np.zeros(len(alphas), dtype=bool)
    w = np.zeros(d)
    for i, alpha in enumerate(alphas):
        res = _fit(problem, make_penalty(alpha), w0=w, tol=tol, max_iter=max_iter,
                   accelerated=accelerated, working_set=working_set, history=False, warn=False)
        w = res.coef
        coefs[:, i], intercepts[i], gaps[i] = w, res.intercept, res.gap
        n_iter[i], converged[i] = res.n_iter, res.converged
    if not converged.all():
        warnings.warn(f"{(~converged).sum()} of {len(alphas)} alphas did not converge; "
                      "increase max_iter or tol.", ConvergenceWarning, stacklevel=3)
    return PathResult(alphas, coefs, intercepts, gaps, n_iter, converged)


def lasso_path(X, y, alphas=100, *, eps=1e-3, fit_intercept=False, tol=1e-4,
               max_iter=10_000, accelerated=True, working_set=True):
    r"""The lasso for a decreasing sequence of :math:`\alpha`, warm-started.

    ``alphas``: an int k gives scikit-learn's grid, k values log-spaced from
    :math:`\alpha_{\max}` (:func:`lasso_alpha_max`) down to ``eps * alpha_max``;
    an array is used as given (sorted decreasing). Other parameters as in
    :func:`lasso`.

    Returns
    -------
    PathResult
        ``alphas``, ``coefs`` (d, k), ``intercepts``, ``gaps``, ``n_iter``, ``converged``.

    See the book, section 1.4 (``book/principles/l1_lasso.ipynb``).
    """
    X, y, tol, max_iter, _ = _check_common(X, y, tol, max_iter, None)
    grid = _alpha_grid(alphas, eps, lasso_alpha_max(X, y, fit_intercept=fit_intercept))
    d = X.shape[1]
    return _path(X, y, lambda a: _L1L2(a, 0.0, d), grid, fit_intercept=fit_intercept,
                 tol=tol, max_iter=max_iter, accelerated=accelerated, working_set=working_set)


def enet_path(X, y, l1_ratio=0.5, alphas=100, *, eps=1e-3, fit_intercept=False, tol=1e-4,
              max_iter=10_000, accelerated=True, working_set=True):
    r"""The elastic net for a decreasing sequence of :math:`\alpha`, warm-started.

    The default grid runs from :func:`enet_alpha_max` down to ``eps`` times it
    (``l1_ratio`` must then be > 0). Other parameters as in :func:`elastic_net`
    and :func:`lasso_path`.

    See the book, section 1.5 (``book/principles/elastic_net.ipynb``).
    """
    X, y, tol, max_iter, _ = _check_common(X, y, tol, max_iter, None)
    l1_ratio = _check_l1_ratio(l1_ratio)
    amax = (enet_alpha_max(X, y, l1_ratio, fit_intercept=fit_intercept)
            if np.ndim(alphas) == 0 else 1.0)
    grid = _alpha_grid(alphas, eps, amax)
    d = X.shape[1]
    return _path(X, y, lambda a: _L1L2(a * l1_ratio, a * (1 - l1_ratio), d), grid,
                 fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
                 accelerated=accelerated, working_set=working_set and l1_ratio > 0)


def group_lasso_path(X, y, groups, alphas=100, *, eps=1e-3, fit_intercept=False, tol=1e-4,
                     max_iter=10_000, accelerated=True, working_set=True):
    r"""The group lasso for a decreasing sequence of :math:`\alpha`, warm-started.

    The default grid runs from :func:`group_lasso_alpha_max` down to ``eps`` times
    it. Other parameters as in :func:`group_lasso` and :func:`lasso_path`.

    See the book, section 1.6 (``book/principles/group_lasso.ipynb``).
    """
    X, y, tol, max_iter, _ = _check_common(X, y, tol, max_iter, None)
    index, weights = _check_groups(groups, X.shape[1])
    grid = _alpha_grid(alphas, eps, group_lasso_alpha_max(X, y, groups,
                                                          fit_intercept=fit_intercept))
    return _path(X, y, lambda a: _GroupL21(a, index, weights), grid,
                 fit_intercept=fit_intercept, tol=tol, max_iter=max_iter,
                 accelerated=accelerated, working_set=working_set)
