r"""The book's figure helpers and its one plotting style.

Every helper draws on the ``ax`` it is given (or on a new figure's axes) and
returns that ``matplotlib.axes.Axes``, so a notebook can keep styling it.
Apply the style with :func:`use_style` (for the whole session) or
``with style_context(): ...`` (for one figure).
"""

from __future__ import annotations

from contextlib import contextmanager

import matplotlib as mpl
import numpy as np

from normlib._validation import check_array, check_scalar

__all__ = [
    "STYLE", "use_style", "style_context", "plot_lambda_curves", "plot_path",
    "plot_norm_balls", "plot_convergence", "plot_heatmap_rows",
]

#: rcParams shared by every figure of the book.
STYLE = {
    "figure.figsize": (6.0, 4.0),
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
    "font.size": 11,
    "axes.titlesize": 12,
    "axes.labelsize": 11,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=[
        "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442",
        "#000000",
    ]),  # Okabe-Ito: distinguishable with colour-vision deficiencies
    "lines.linewidth": 1.8,
    "legend.frameon": False,
    "image.cmap": "viridis",
}


def use_style():
    """Apply :data:`STYLE` to every later figure of the session."""
    mpl.rcParams.update(STYLE)


@contextmanager
def style_context():
    """Context manager: figures created inside use :data:`STYLE`; the old settings come back."""
    with mpl.rc_context(STYLE):
        yield


def _axes(ax):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots()
    return ax


def _fmt(value):
    return f"{value:g}" if isinstance(value, (int, float, np.number)) else str(value)


def plot_lambda_curves(df, x="lam", ys=("train_mse", "val_mse"), logx=True, logy=False,
                       hue=None, ax=None):
    r"""Curves of columns ``ys`` against column ``x`` of a tidy table.

    Typical use: the output of :func:`normlib.capacity.ridge_sweep` (train and
    validation MSE against :math:`\lambda`, log scale), or of
    :func:`normlib.capacity.weight_decay_sweep` with ``x='epoch'`` and
    ``hue='lam'`` (one curve per weight decay). Rows are sorted by ``x``; one
    line per entry of ``ys`` (times each ``hue`` value), labelled for the legend.

    See the book, section 1.1 *Why norm penalties: capacity*
    (``book/principles/capacity.ipynb``).
    """
    if isinstance(ys, str):
        ys = (ys,)
    missing = [c for c in (x, *ys, *([hue] if hue else [])) if c not in df.columns]
    if missing:
        raise ValueError(f"df has no column(s) {missing}; it has {list(df.columns)}.")
    ax = _axes(ax)
    groups = [(None, df)] if hue is None else list(df.groupby(hue, sort=True))
    for key, part in groups:
        part = part.sort_values(x)
        for y in ys:
            label = y if key is None else f"{y} ({hue}={_fmt(key)})"
            ax.plot(part[x].to_numpy(), part[y].to_numpy(), label=label)
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(r"$\lambda$" if x == "lam" else x)
    ax.set_ylabel(", ".join(ys))
    ax.legend()
    return ax


def plot_path(alphas, coefs, ax=None, logx=True, labels=None):
    r"""A regularisation path: each coefficient :math:`w_j(\alpha)` against :math:`\alpha`.

    ``coefs`` has one row per entry of ``alphas`` (shape ``(n_alphas, d)``);
    scikit-learn's ``lasso_path`` layout ``(d, n_alphas)`` is accepted and
    transposed. The x axis runs from the strongest penalty (left, all
    coefficients zero for a lasso) to the weakest (right). Exact zeros sit on
    the drawn zero line, so the entry of each coefficient into the model is
    visible.

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    alphas = check_array(alphas, "alphas", ndim=1)
    coefs = check_array(coefs, "coefs", ndim=2)
    if coefs.shape[0] != alphas.size:
        if coefs.shape[1] != alphas.size:
            raise ValueError(f"coefs has shape {coefs.shape} but there are {alphas.size} "
                             "alphas; pass one row of coefficients per alpha.")
        coefs = coefs.T
    if labels is not None and len(labels) != coefs.shape[1]:
        raise ValueError(f"labels has {len(labels)} entries for {coefs.shape[1]} coefficients.")
    ax = _axes(ax)
    ax.axhline(0.0, color="0.5", linewidth=0.8, zorder=0)
    for j in range(coefs.shape[1]):
        ax.plot(alphas, coefs[:, j], label=None if labels is None else labels[j])
    if logx:
        ax.set_xscale("log")
    if not ax.xaxis_inverted():
        ax.invert_xaxis()
    ax.set_xlabel(r"$\alpha$ (penalty strength)")
    ax.set_ylabel("coefficient")
    if labels is not None:
        ax.legend()
    return ax


def _ball_boundary(kind, radius, n=400):
    if kind == "l1":
        return radius * np.array([[1, 0], [0, 1], [-1, 0], [0, -1], [1, 0]], dtype=float)
    theta = np.linspace(0, 2 * np.pi, n)
    return radius * np.column_stack([np.cos(theta), np.sin(theta)])


def plot_norm_balls(ax=None, kinds=("l1", "l2"), radius=1.0, center=(1.5, 0.6),
                    H=((1.0, 0.3), (0.3, 0.5)), n_contours=4):
    r"""The classic picture: loss contours meeting the L1 diamond and the L2 disc.

    The loss is the quadratic :math:`L(w) = (w - w_0)^\top H (w - w_0)` with
    unconstrained minimiser :math:`w_0` = ``center``. For each ball
    :math:`\{\|w\|_p \le r\}` in ``kinds`` the constrained minimiser
    :math:`w^*_p` is computed (projected gradient,
    :func:`normlib.constrained.projected_gradient` with the projections of
    :mod:`normlib.prox`) and drawn with the level set
    :math:`L(w) = L(w^*_p)` that touches the ball there. The L1 solution
    typically lands on a corner (a coordinate exactly zero); the L2 one does
    not.

    Line labels: ``'l1 ball'``, ``'l2 ball'``, ``'l1 solution'``, ... The
    solutions are stored in ``ax.norm_ball_solutions`` (a dict kind -> w*).

    See the book, section 1.2 *Two faces: constraint and penalty*
    (``book/principles/constraint_penalty.ipynb``) and section 1.4
    (``book/principles/l1_lasso.ipynb``).
    """
    from normlib.constrained import projected_gradient
    from normlib.prox import project_l1_ball, project_l2_ball

    kinds = (kinds,) if isinstance(kinds, str) else tuple(kinds)
    bad = [k for k in kinds if k not in ("l1", "l2")]
    if bad or not kinds:
        raise ValueError(f"kinds must be a subset of ('l1', 'l2'), got {kinds!r}.")
    radius = check_scalar(radius, "radius", low=0, low_open=True)
    w0 = check_array(center, "center", ndim=1)
    H = check_array(H, "H", ndim=2)
    if w0.shape != (2,) or H.shape != (2, 2):
        raise ValueError("center must have 2 entries and H shape (2, 2): the picture is 2-D.")
    if not np.allclose(H, H.T) or np.linalg.eigvalsh(H)[0] <= 0:
        raise ValueError("H must be symmetric positive definite (the loss must be a bowl).")
    n_contours = check_scalar(n_contours, "n_contours", low=0, integer=True)

    def loss(w):
        d = w - w0
        return float(d @ H @ d)

    ax = _axes(ax)
    projections = {"l1": project_l1_ball, "l2": project_l2_ball}
    solutions = {}
    colors = {"l1": "C0", "l2": "C1"}
    for kind in kinds:
        boundary = _ball_boundary(kind, radius)
        ax.plot(boundary[:, 0], boundary[:, 1], color=colors[kind], label=f"{kind} ball")
        res = projected_gradient(lambda w: 2 * H @ (w - w0), np.zeros(2),
                                 lambda w, k=kind: projections[k](w, radius),
                                 step=0.5 / np.linalg.eigvalsh(H)[-1], n_iter=20000, tol=1e-14)
        solutions[kind] = res.w
        ax.plot([res.w[0]], [res.w[1]], "o", color=colors[kind], label=f"{kind} solution")

    span = max(np.abs(w0).max(), radius) + 1.0
    grid = np.linspace(-span, span, 300)
    G1, G2 = np.meshgrid(grid, grid)
    D = np.stack([G1 - w0[0], G2 - w0[1]], axis=-1)
    Z = np.einsum("...i,ij,...j->...", D, H, D)
    touching = sorted({loss(w) for w in solutions.values()})
    base = touching[-1] if touching[-1] > 0 else (loss(np.zeros(2)) or 1.0)
    extra = [base * (k + 2) ** 2 / 4 for k in range(n_contours)]
    ax.contour(G1, G2, Z, levels=sorted(set(touching) | set(extra)), colors="0.4",
               linewidths=0.8)
    ax.plot([w0[0]], [w0[1]], "k+", markersize=10, label="unconstrained minimum")
    ax.set_aspect("equal")
    ax.set_xlim(-span, span)
    ax.set_ylim(-span, span)
    ax.set_xlabel("$w_1$")
    ax.set_ylabel("$w_2$")
    ax.legend(loc="lower left", fontsize=8)
    ax.norm_ball_solutions = solutions
    return ax


def plot_convergence(histories, f_star=None, ax=None):
    r"""Objective gap :math:`f(w_k) - f^*` against iteration :math:`k`, log scale.

    ``histories`` maps a label (e.g. ``'ISTA'``, ``'FISTA'``) to the sequence
    of objective values :math:`f(w_0), f(w_1), \dots`. ``f_star`` defaults to
    the smallest value over all histories; gaps :math:`\le 0` cannot be drawn
    on a log axis and are left out (NaN). One line per history, x data
    :math:`0, 1, \dots`.

    See the book, section 1.4 *L1 penalty and proximal gradient*
    (``book/principles/l1_lasso.ipynb``).
    """
    if not isinstance(histories, dict) or not histories:
        raise TypeError("histories must be a non-empty dict {label: objective values}.")
    values = {k: check_array(v, f"histories[{k!r}]", ndim=1) for k, v in histories.items()}
    if f_star is None:
        f_star = min(float(v.min()) for v in values.values() if v.size)
    f_star = check_scalar(f_star, "f_star")
    ax = _axes(ax)
    for label, v in values.items():
        gap = v - f_star
        gap = np.where(gap > 0, gap, np.nan)
        ax.plot(np.arange(v.size), gap, label=str(label))
    ax.set_yscale("log")
    ax.set_xlabel("iteration $k$")
    ax.set_ylabel(r"$f(w_k) - f^*$")
    ax.legend()
    return ax


def plot_heatmap_rows(W, ax=None, row_labels=None):
    r"""Heatmap of :math:`|W_{ij}|` with the row norms :math:`\|W_{i,:}\|_2` beside it.

    For a layer ``W`` of shape (inputs, outputs), row :math:`i` holds the
    weights leaving input :math:`i`; a group-lasso penalty on rows drives whole
    rows to zero, which removes that input (feature selection). The bar chart
    of row norms is an inset axes, ``ax.row_norm_axes``; rows that are exactly
    zero are marked with an ``x``.

    See the book, section 1.6 *Group lasso* (``book/principles/group_lasso.ipynb``).
    """
    W = check_array(W, "W", ndim=2)
    ax = _axes(ax)
    image = ax.imshow(np.abs(W), aspect="auto", interpolation="nearest")
    ax.grid(False)
    ax.figure.colorbar(image, ax=ax, label="$|W_{ij}|$", pad=0.25)
    ax.set_xlabel("output $j$")
    ax.set_ylabel("input $i$ (row)")
    rows = np.arange(W.shape[0])
    if row_labels is not None:
        ax.set_yticks(rows, labels=list(row_labels))
    norms = np.linalg.norm(W, axis=1)
    side = ax.inset_axes([1.03, 0.0, 0.2, 1.0], sharey=ax)
    side.barh(rows, norms, height=0.8, color="C1")
    zero = rows[norms == 0]
    side.plot(np.zeros(zero.size), zero, "x", color="k", clip_on=False)
    side.grid(False, axis="y")
    side.set_xlabel(r"$\|W_{i,:}\|_2$")
    side.tick_params(labelleft=False)
    ax.row_norm_axes = side
    return ax
