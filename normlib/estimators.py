r"""scikit-learn estimators for the penalties scikit-learn does not offer.

scikit-learn has the lasso and the elastic net but no group lasso (its
``MultiTaskLasso`` groups one feature across several targets, a different
problem). :class:`GroupLasso` and :class:`SparseGroupLasso` follow the
estimator contract (parameters stored untouched in ``__init__``, validation in
``fit``, learned attributes ending in ``_``) and pass
``sklearn.utils.estimator_checks.check_estimator``, so they work in
``Pipeline``, ``GridSearchCV`` and ``cross_val_score``.

See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from normlib import solvers

__all__ = ["GroupLasso", "SparseGroupLasso"]


class _GroupRegressor(RegressorMixin, BaseEstimator):
    """Shared parameters, ``fit`` and ``predict`` of the group estimators."""

    def __init__(self, alpha=1.0, *, groups=None, fit_intercept=True, tol=1e-4,
                 max_iter=10_000, warm_start=False):
        self.alpha = alpha
        self.groups = groups
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.warm_start = warm_start

    def _solve(self, X, y, groups, w0):  # pragma: no cover - overridden
        raise NotImplementedError

    def fit(self, X, y):
        """Fit the model by FISTA (see :mod:`normlib.solvers`); returns ``self``."""
        X, y = validate_data(self, X, y, y_numeric=True, dtype=np.float64)
        groups = np.arange(X.shape[1]) if self.groups is None else self.groups
        w0 = None
        if self.warm_start and getattr(self, "coef_", None) is not None \
                and self.coef_.shape == (X.shape[1],):
            w0 = self.coef_
        res = self._solve(X, y, groups, w0)
        self.coef_ = res.coef
        self.intercept_ = res.intercept
        self.n_iter_ = res.n_iter
        self.dual_gap_ = res.gap
        return self

    def predict(self, X):
        r"""Predict :math:`\hat y = Xw + b`."""
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=np.float64)
        return X @ self.coef_ + self.intercept_


class GroupLasso(_GroupRegressor):
    r"""Linear regression with the group lasso penalty.

    .. math::

        \min_{w, b}\ \frac{1}{2n}\|y - Xw - b\|_2^2 + \alpha\sum_g \sqrt{p_g}\,\|w_g\|_2

    Whole groups of coefficients are zero or non-zero together.

    Parameters
    ----------
    alpha : float, default 1.0
        Penalty strength, > 0.
    groups : array of int of shape (n_features,), optional
        The group label of each feature. ``None``: every feature is its own group,
        which is the lasso (``sklearn.linear_model.Lasso``'s objective).
    fit_intercept : bool, default True
        Fit an unpenalised intercept.
    tol : float, default 1e-4
        Duality-gap tolerance, relative to :math:`\|y\|^2/n` (as in scikit-learn).
    max_iter : int, default 10000
        Maximum FISTA iterations.
    warm_start : bool, default False
        Start from the previous ``coef_`` when refitting.

    Attributes
    ----------
    coef_ : ndarray of shape (n_features,)
    intercept_ : float
    n_iter_ : int
        FISTA iterations run.
    dual_gap_ : float
        Final duality gap (objective scale).
    n_features_in_ : int

    Examples
    --------
    >>> import numpy as np
    >>> from normlib.estimators import GroupLasso
    >>> rng = np.random.default_rng(0)
    >>> X = rng.standard_normal((50, 6))
    >>> y = X[:, :3] @ np.array([1.0, -2.0, 1.5])
    >>> model = GroupLasso(alpha=0.1, groups=[0, 0, 0, 1, 1, 1]).fit(X, y)
    >>> bool(np.all(model.coef_[3:] == 0))
    True

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """

    def _solve(self, X, y, groups, w0):
        return solvers.group_lasso(X, y, groups, self.alpha, fit_intercept=self.fit_intercept,
                                   w0=w0, tol=self.tol, max_iter=self.max_iter)


class SparseGroupLasso(_GroupRegressor):
    r"""Linear regression with the sparse-group lasso penalty (Simon et al. 2013).

    .. math::

        \min_{w, b}\ \frac{1}{2n}\|y - Xw - b\|_2^2 + \alpha\rho\|w\|_1
        + \alpha(1-\rho)\sum_g \sqrt{p_g}\,\|w_g\|_2

    Sparse between groups and within them. Its prox is a soft threshold followed by
    a group soft threshold.

    Parameters
    ----------
    alpha : float, default 1.0
    l1_ratio : float in [0, 1], default 0.5
        :math:`\rho`; 1 gives the lasso, 0 the group lasso.
    groups, fit_intercept, tol, max_iter, warm_start
        As in :class:`GroupLasso`.

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """

    def __init__(self, alpha=1.0, *, l1_ratio=0.5, groups=None, fit_intercept=True, tol=1e-4,
                 max_iter=10_000, warm_start=False):
        super().__init__(alpha, groups=groups, fit_intercept=fit_intercept, tol=tol,
                         max_iter=max_iter, warm_start=warm_start)
        self.l1_ratio = l1_ratio

    def _solve(self, X, y, groups, w0):
        return solvers.sparse_group_lasso(X, y, groups, self.alpha, self.l1_ratio,
                                          fit_intercept=self.fit_intercept, w0=w0, tol=self.tol,
                                          max_iter=self.max_iter)
