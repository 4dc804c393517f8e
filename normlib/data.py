r"""Seeded data for the book: synthetic generators and the datasets bundled with scikit-learn.

Everything here works offline: the real datasets are the ones scikit-learn
ships inside its package (``load_digits``, ``load_diabetes``,
``load_breast_cancer``), never ``fetch_*``. Every random function takes
``seed`` (``None``, an ``int`` or a ``numpy.random.Generator``) and returns the
same arrays for the same seed.

Splits come back as :class:`Split` (``X_train, y_train, X_val, y_val``), which
unpacks like a tuple; :func:`as_torch` turns one into float32 tensors.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from normlib._validation import check_array, check_rng, check_scalar

__all__ = [
    "Split", "LinearData", "GroupLinearData", "Ring", "Trajectory", "BlurProblem",
    "ContinualTasks",
    "sine_regression", "legendre_features", "sparse_regression", "correlated_pair",
    "group_sparse_regression", "separable_classification", "digits", "breast_cancer",
    "diabetes", "as_torch", "permuted_digits", "eight_gaussians", "lorenz_rhs",
    "lorenz_trajectory", "blur_problem",
]


class Split(NamedTuple):
    """A train / validation split; unpacks as ``X_train, y_train, X_val, y_val``."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray


class LinearData(NamedTuple):
    """Data from a linear model; unpacks as ``X, y, w`` (the true or a separating ``w``)."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray


def _count(value, name, low=1):
    return check_scalar(value, name, low=low, integer=True)


# --------------------------------------------------------------------------- 1.1 capacity
def sine_regression(n_train=20, n_val=200, noise=0.25, seed=None) -> Split:
    r"""Noisy samples of a sine: the capacity demo of section 1.1.

    .. math:: y = \sin(\pi x) + \varepsilon, \quad x \sim U[-1, 1],
              \quad \varepsilon \sim \mathcal N(0, \sigma^2)

    ``X_train`` and ``X_val`` are 1-D arrays of inputs ``x`` (expand them with
    :func:`legendre_features`). The noise floor of the validation MSE is
    :math:`\sigma^2` (0.0625 for the default ``noise=0.25``).

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``).
    """
    n_train, n_val = _count(n_train, "n_train"), _count(n_val, "n_val")
    noise = check_scalar(noise, "noise", low=0)
    rng = check_rng(seed)
    x = rng.uniform(-1.0, 1.0, n_train + n_val)
    y = np.sin(np.pi * x) + noise * rng.standard_normal(x.size)
    return Split(x[:n_train], y[:n_train], x[n_train:], y[n_train:])


def legendre_features(x, degree, include_bias=True) -> np.ndarray:
    r"""Legendre polynomial features :math:`[P_0(x), P_1(x), \dots, P_{\mathrm{degree}}(x)]`.

    .. math:: \Phi_{ik} = P_k(x_i), \qquad k = 0, \dots, \mathrm{degree}

    On :math:`[-1, 1]` the Legendre polynomials are orthogonal, so the design
    matrix stays well conditioned where raw monomials :math:`x^k` do not.
    ``include_bias=False`` drops the constant column :math:`P_0 = 1`.

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``).
    """
    x = check_array(x, "x", ndim=1)
    degree = _count(degree, "degree", low=0)
    Phi = np.polynomial.legendre.legvander(x, degree)
    return Phi if include_bias else Phi[:, 1:]


# --------------------------------------------------------------------------- sparse models
def sparse_regression(n=100, d=200, n_informative=10, noise=0.1, rho=0.0,
                      seed=None) -> LinearData:
    r"""A sparse linear model with AR(1)-correlated features.

    .. math::

        y = Xw + \varepsilon, \quad x \sim \mathcal N(0, \Sigma),\ \Sigma_{jk} = \rho^{|j-k|},
        \quad \varepsilon \sim \mathcal N(0, \sigma^2)

    ``n_informative`` coefficients, at random positions, have random signs and
    magnitudes uniform in :math:`[1, 2]`; the others are exactly zero. Feature
    :math:`j` is :math:`\rho\, x_{j-1} + \sqrt{1-\rho^2}\, z_j`, so neighbours
    have correlation :math:`\rho` and every feature has unit variance.

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    n, d = _count(n, "n"), _count(d, "d")
    n_informative = _count(n_informative, "n_informative", low=0)
    if n_informative > d:
        raise ValueError(f"n_informative must be <= d = {d}, got {n_informative}.")
    noise = check_scalar(noise, "noise", low=0)
    rho = check_scalar(rho, "rho", low=-1, high=1, low_open=True, high_open=True)
    rng = check_rng(seed)
    Z = rng.standard_normal((n, d))
    X = np.empty_like(Z)
    X[:, 0] = Z[:, 0]
    for j in range(1, d):
        X[:, j] = rho * X[:, j - 1] + np.sqrt(1.0 - rho**2) * Z[:, j]
    w = np.zeros(d)
    support = rng.choice(d, size=n_informative, replace=False)
    w[support] = rng.choice([-1.0, 1.0], n_informative) * rng.uniform(1.0, 2.0, n_informative)
    y = X @ w + noise * rng.standard_normal(n)
    return LinearData(X, y, w)


def correlated_pair(n=100, corr=0.999, noise=0.1, seed=None) -> LinearData:
    r"""Two nearly identical features: the grouping-effect demo of the elastic net.

    .. math:: x_1 = z, \quad x_2 = \rho z + \sqrt{1 - \rho^2}\, e, \quad
              y = x_1 + x_2 + \varepsilon

    with :math:`z, e` centred, of unit norm per sample and orthogonal, so the
    *sample* correlation of the two columns is exactly :math:`\rho` = ``corr``.
    The lasso tends to put all the weight on one column; ridge and the elastic
    net split it. Returns ``X`` (n, 2), ``y`` and the true ``w = (1, 1)``.

    See the book, section 1.5 *Elastic net* (``book/principles/elastic_net.ipynb``).
    """
    n = _count(n, "n", low=3)
    corr = check_scalar(corr, "corr", low=-1, high=1)
    noise = check_scalar(noise, "noise", low=0)
    rng = check_rng(seed)
    z, e = rng.standard_normal((2, n))
    z -= z.mean()
    z /= np.linalg.norm(z) / np.sqrt(n)
    e -= e.mean()
    e -= (e @ z) / (z @ z) * z
    e /= np.linalg.norm(e) / np.sqrt(n)
    X = np.column_stack([z, corr * z + np.sqrt(1.0 - corr**2) * e])
    w = np.ones(2)
    y = X @ w + noise * rng.standard_normal(n)
    return LinearData(X, y, w)


class GroupLinearData(NamedTuple):
    """Unpacks as ``X, y, w, groups``; ``groups[j]`` is the group label of feature ``j``."""

    X: np.ndarray
    y: np.ndarray
    w: np.ndarray
    groups: np.ndarray


def group_sparse_regression(group_sizes=(3, 5, 8, 4, 10, 6, 20, 12), n_active_groups=3, n=100,
                            noise=0.1, seed=None) -> GroupLinearData:
    r"""A linear model whose non-zero weights come in whole groups.

    .. math:: y = \sum_{g \in \mathcal A} X_g w_g + \varepsilon,
              \qquad |\mathcal A| = \text{n\_active\_groups}

    Features are standard normal; each active group's weights are standard
    normal draws, the other groups are exactly zero. ``groups`` is an integer
    array of length ``d = sum(group_sizes)`` giving each feature's group
    (``np.flatnonzero(groups == g)`` lists the columns of group ``g``).

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    sizes = check_array(group_sizes, "group_sizes", ndim=1)
    if sizes.size == 0 or np.any(sizes < 1) or np.any(sizes != np.round(sizes)):
        raise ValueError(f"group_sizes must be positive integers, got {group_sizes!r}.")
    sizes = sizes.astype(int)
    n_active_groups = _count(n_active_groups, "n_active_groups", low=0)
    if n_active_groups > sizes.size:
        raise ValueError(
            f"n_active_groups must be <= the number of groups ({sizes.size}), "
            f"got {n_active_groups}."
        )
    n = _count(n, "n")
    noise = check_scalar(noise, "noise", low=0)
    rng = check_rng(seed)
    groups = np.repeat(np.arange(sizes.size), sizes)
    X = rng.standard_normal((n, groups.size))
    w = np.zeros(groups.size)
    for g in rng.choice(sizes.size, size=n_active_groups, replace=False):
        w[groups == g] = rng.standard_normal(sizes[g])
    y = X @ w + noise * rng.standard_normal(n)
    return GroupLinearData(X, y, w, groups)


# --------------------------------------------------------------------------- classification
def separable_classification(n=60, d=6, margin=0.1, seed=None) -> LinearData:
    r"""Linearly separable data through the origin (no bias), labels in :math:`\{-1, +1\}`.

    A unit direction :math:`u` is drawn at random; each point is
    :math:`x_i = z_i + \gamma\, y_i u` with :math:`z_i \sim \mathcal N(0, I)`,
    :math:`y_i = \operatorname{sign}(u^\top z_i)`, so that

    .. math:: y_i\, u^\top x_i = |u^\top z_i| + \gamma \ge \gamma > 0 .

    Returns ``X, y, w`` with ``w = u`` (a separating direction, not the
    max-margin one). Both labels are present (one point is flipped to the other
    side, with the same margin, if a draw gives a single class).

    See the book, section 1.9 *Implicit bias of gradient descent*
    (``book/principles/implicit_bias.ipynb``).
    """
    n, d = _count(n, "n", low=2), _count(d, "d")
    margin = check_scalar(margin, "margin", low=0, low_open=True)
    rng = check_rng(seed)
    u = rng.standard_normal(d)
    u /= np.linalg.norm(u)
    Z = rng.standard_normal((n, d))
    y = np.where(Z @ u >= 0, 1.0, -1.0)
    if np.all(y == y[0]):
        Z[0] -= 2 * (Z[0] @ u) * u  # mirror one point across the hyperplane
        y[0] = -y[0]
    X = Z + margin * y[:, None] * u
    return LinearData(X, y, u)


# --------------------------------------------------------------------------- bundled datasets
def _split(X, y, n_train, n_val, seed, standardize):
    n = X.shape[0]
    n_train = int(round(0.7 * n)) if n_train is None else _count(n_train, "n_train")
    n_val = n - n_train if n_val is None else _count(n_val, "n_val")
    if n_train + n_val > n:
        raise ValueError(
            f"n_train + n_val = {n_train + n_val} exceeds the {n} samples of the dataset; "
            "ask for fewer."
        )
    if n_val < 1:
        raise ValueError(f"n_train = {n_train} leaves no validation sample; lower n_train.")
    order = check_rng(seed).permutation(n)
    tr, va = order[:n_train], order[n_train:n_train + n_val]
    X_train, X_val = X[tr].astype(float), X[va].astype(float)
    if standardize:
        mean = X_train.mean(axis=0)
        std = X_train.std(axis=0)
        std[std == 0] = 1.0  # constant columns (digits' border pixels) stay at zero
        X_train, X_val = (X_train - mean) / std, (X_val - mean) / std
    return Split(X_train, y[tr], X_val, y[va])


def _load(loader, n_train, n_val, seed, standardize, to_torch):
    data = loader()
    split = _split(data.data, data.target, n_train, n_val, seed, standardize)
    return _split_to_torch(split) if to_torch else split


def digits(n_train=None, n_val=None, seed=0, standardize=True, as_torch=False) -> Split:
    r"""scikit-learn's bundled 8x8 handwritten digits (1797 images, 64 pixels, 10 classes).

    A random split (``n_train`` defaults to 70 %, ``n_val`` to the rest). With
    ``standardize`` each pixel is centred and scaled by the *training* mean and
    standard deviation, :math:`x \leftarrow (x - \mu_{\mathrm{train}})/\sigma_{\mathrm{train}}`
    (constant pixels are only centred). ``as_torch=True`` returns float32
    inputs and int64 labels.

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``).
    """
    from sklearn.datasets import load_digits

    return _load(load_digits, n_train, n_val, seed, standardize, as_torch)


def breast_cancer(n_train=None, n_val=None, seed=0, standardize=True, as_torch=False) -> Split:
    r"""scikit-learn's bundled Wisconsin breast-cancer data (569 samples, 30 features, 0/1).

    Split and standardisation as in :func:`digits`.

    See the book, *Bioinformatics* (``book/applications/bioinformatics.ipynb``).
    """
    from sklearn.datasets import load_breast_cancer

    return _load(load_breast_cancer, n_train, n_val, seed, standardize, as_torch)


def diabetes(n_train=None, n_val=None, seed=0, standardize=True, as_torch=False) -> Split:
    r"""scikit-learn's bundled diabetes regression data (442 samples, 10 features).

    Split and standardisation of ``X`` as in :func:`digits`; the target (disease
    progression after one year) is left in its units.

    See the book, section 1.3 *L2 / weight decay* (``book/principles/l2_weight_decay.ipynb``).
    """
    from sklearn.datasets import load_diabetes

    return _load(load_diabetes, n_train, n_val, seed, standardize, as_torch)


def as_torch(split: Split) -> Split:
    """Convert a :class:`Split` to torch tensors: float32 inputs, int64 labels or float32 targets.

    Integer targets (class labels) become ``torch.long``, as
    ``torch.nn.functional.cross_entropy`` expects; real targets become float32.
    """
    return _split_to_torch(split)


def _split_to_torch(split):
    import torch

    if not isinstance(split, tuple) or len(split) != 4:
        raise TypeError("split must be a Split (X_train, y_train, X_val, y_val).")

    def target(y):
        y = np.asarray(y)
        if np.issubdtype(y.dtype, np.integer):
            return torch.as_tensor(y, dtype=torch.long)
        return torch.as_tensor(y, dtype=torch.float32)

    X_train, y_train, X_val, y_val = split
    return Split(torch.as_tensor(np.asarray(X_train), dtype=torch.float32), target(y_train),
                 torch.as_tensor(np.asarray(X_val), dtype=torch.float32), target(y_val))


class ContinualTasks(NamedTuple):
    """Two tasks for continual learning; unpacks as ``task_a, task_b, permutation``."""

    task_a: Split
    task_b: Split
    permutation: np.ndarray


def permuted_digits(seed=0, n_train=None, n_val=None, standardize=True,
                    as_torch=False) -> ContinualTasks:
    r"""Two digit-classification tasks: the original pixels and a fixed pixel permutation.

    .. math:: x^{(B)} = x^{(A)}_{\pi}, \qquad \pi \text{ a random permutation of the 64 pixels}

    Both tasks use the same images, labels and split (from :func:`digits`);
    task B is harder to share with task A because its inputs are scrambled.
    The seed fixes both the split and the permutation.

    See the book, *Continual learning* (``book/applications/continual_learning.ipynb``).
    """
    rng = check_rng(seed)
    task_a = digits(n_train, n_val, seed=rng, standardize=standardize)
    perm = rng.permutation(task_a.X_train.shape[1])
    task_b = Split(task_a.X_train[:, perm], task_a.y_train, task_a.X_val[:, perm], task_a.y_val)
    if as_torch:
        task_a, task_b = _split_to_torch(task_a), _split_to_torch(task_b)
    return ContinualTasks(task_a, task_b, perm)


# --------------------------------------------------------------------------- applications
class Ring(NamedTuple):
    """Samples of the 8-Gaussian ring; unpacks as ``X, labels, centers``."""

    X: np.ndarray
    labels: np.ndarray
    centers: np.ndarray


def eight_gaussians(n=1000, radius=2.0, std=0.02, seed=None) -> Ring:
    r"""A mixture of 8 Gaussians on a circle: the mode-collapse test of GAN training.

    .. math:: x \sim \tfrac18 \sum_{k=0}^{7} \mathcal N\bigl(r(\cos\tfrac{2\pi k}{8},
              \sin\tfrac{2\pi k}{8}),\ s^2 I\bigr)

    Returns the samples ``X`` (n, 2), the mode ``labels`` of each sample and the
    8 ``centers``.

    See the book, *Generative models* (``book/applications/generative_models.ipynb``).
    """
    n = _count(n, "n")
    radius = check_scalar(radius, "radius", low=0, low_open=True)
    std = check_scalar(std, "std", low=0)
    rng = check_rng(seed)
    angles = 2 * np.pi * np.arange(8) / 8
    centers = radius * np.column_stack([np.cos(angles), np.sin(angles)])
    labels = rng.integers(0, 8, n)
    X = centers[labels] + std * rng.standard_normal((n, 2))
    return Ring(X, labels, centers)


def lorenz_rhs(t, state, sigma=10.0, rho=28.0, beta=8.0 / 3.0):
    r"""The Lorenz vector field, in ``solve_ivp``'s ``f(t, state)`` form.

    .. math:: \dot x = \sigma(y - x), \quad \dot y = x(\rho - z) - y, \quad \dot z = xy - \beta z

    ``state`` may be a 3-vector or a (3, m) array of states.
    """
    x, y, z = state
    return np.array([sigma * (y - x), x * (rho - z) - y, x * y - beta * z])


class Trajectory(NamedTuple):
    """A sampled trajectory; unpacks as ``t, X`` with ``X`` of shape (len(t), 3)."""

    t: np.ndarray
    X: np.ndarray


def lorenz_trajectory(x0=(-8.0, 8.0, 27.0), dt=0.002, t_max=10.0, sigma=10.0, rho=28.0,
                      beta=8.0 / 3.0, rtol=1e-12, atol=1e-12) -> Trajectory:
    r"""A Lorenz trajectory sampled every ``dt`` on :math:`[0, t_{\max}]` (the SINDy case).

    Integrates :func:`lorenz_rhs` with ``scipy.integrate.solve_ivp`` (DOP853,
    tolerances ``rtol``, ``atol``; dense output sampled on the grid
    ``t = 0, dt, 2 dt, ...``). The system is chaotic, so trajectories computed
    with different tolerances part ways slowly (about :math:`10^{-7}` at
    :math:`t = 10` with the defaults).

    See the book, *Physics* (``book/applications/physics.ipynb``).
    """
    from scipy.integrate import solve_ivp

    x0 = check_array(x0, "x0", ndim=1)
    if x0.shape != (3,):
        raise ValueError(f"x0 must hold 3 numbers (x, y, z), got shape {x0.shape}.")
    dt = check_scalar(dt, "dt", low=0, low_open=True)
    t_max = check_scalar(t_max, "t_max", low=0, low_open=True)
    if dt > t_max:
        raise ValueError(f"dt = {dt} exceeds t_max = {t_max}; take a smaller dt.")
    params = tuple(check_scalar(v, k) for k, v in
                   (("sigma", sigma), ("rho", rho), ("beta", beta)))
    t = dt * np.arange(int(np.floor(t_max / dt + 1e-9)) + 1)
    sol = solve_ivp(lorenz_rhs, (0.0, t[-1]), x0, method="DOP853", t_eval=t, args=params,
                    rtol=check_scalar(rtol, "rtol", low=0, low_open=True),
                    atol=check_scalar(atol, "atol", low=0, low_open=True))
    if not sol.success:  # pragma: no cover
        raise RuntimeError(f"the Lorenz integration failed: {sol.message}")
    return Trajectory(t, sol.y.T)


class BlurProblem(NamedTuple):
    """Unpacks as ``A, x_true, b, t, noise_norm`` (``noise_norm = ||b - A x_true||``)."""

    A: np.ndarray
    x_true: np.ndarray
    b: np.ndarray
    t: np.ndarray
    noise_norm: float


def blur_problem(n=200, width=0.03, noise=0.01, seed=None) -> BlurProblem:
    r"""A 1-D deblurring problem: Gaussian blur matrix, true signal, noisy observation.

    On the grid :math:`t_i = (i + \tfrac12)/n` of :math:`[0, 1]`,

    .. math::

        A_{ij} = \frac{h}{\sqrt{2\pi}\, w} \exp\Bigl(-\frac{(t_i - t_j)^2}{2 w^2}\Bigr),
        \quad h = \frac1n, \qquad b = A x_{\mathrm{true}} + e,\
        \|e\|_2 = \text{noise} \cdot \|A x_{\mathrm{true}}\|_2 .

    ``A`` is symmetric; its interior rows sum to 1 (a Riemann sum of the
    Gaussian density) and the rows near the ends lose mass (zero outside
    :math:`[0, 1]`). Its condition number exceeds :math:`10^{16}`, so the
    naive solve :math:`A^{-1} b` is useless and Tikhonov regularisation is
    needed. The true signal is a smooth bump plus a box. ``noise_norm``
    :math:`= \|e\|_2` feeds the discrepancy principle.

    See the book, *Engineering* (``book/applications/engineering.ipynb``).
    """
    n = _count(n, "n", low=2)
    width = check_scalar(width, "width", low=0, low_open=True)
    noise = check_scalar(noise, "noise", low=0)
    rng = check_rng(seed)
    t = (np.arange(n) + 0.5) / n
    diff = t[:, None] - t[None, :]
    A = np.exp(-(diff**2) / (2 * width**2)) / (np.sqrt(2 * np.pi) * width * n)
    x_true = np.exp(-((t - 0.3) ** 2) / (2 * 0.06**2)) + 0.6 * ((t > 0.6) & (t < 0.8))
    clean = A @ x_true
    e = rng.standard_normal(n)
    e *= noise * np.linalg.norm(clean) / np.linalg.norm(e)
    return BlurProblem(A, x_true, clean + e, t, float(np.linalg.norm(e)))
