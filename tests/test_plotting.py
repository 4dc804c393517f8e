"""Tests of normlib.plotting: the artists carry the data passed in, and figures save as PNG."""

import io

import matplotlib as mpl

mpl.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from sklearn.linear_model import lasso_path  # noqa: E402

from normlib import plotting  # noqa: E402
from normlib.constrained import constrained_ridge  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def saves_png(ax):
    buf = io.BytesIO()
    ax.figure.savefig(buf, format="png")
    return buf.getvalue()[:8] == b"\x89PNG\r\n\x1a\n"


def test_style_context_restores_settings():
    before = mpl.rcParams["axes.spines.top"]
    with plotting.style_context():
        assert mpl.rcParams["axes.spines.top"] is False
        assert mpl.rcParams["axes.grid"] is True
    assert mpl.rcParams["axes.spines.top"] == before
    with mpl.rc_context():
        plotting.use_style()
        assert mpl.rcParams["legend.frameon"] is False


def test_plot_lambda_curves_lines_carry_the_table():
    lams = np.logspace(-3, 2, 6)
    df = pd.DataFrame({"lam": lams[::-1], "train_mse": np.arange(6.0),
                       "val_mse": 10 - np.arange(6)})
    ax = plotting.plot_lambda_curves(df)
    lines = ax.get_lines()
    assert len(lines) == 2
    np.testing.assert_array_equal(lines[0].get_xdata(), lams)            # sorted by x
    np.testing.assert_array_equal(lines[0].get_ydata(), np.arange(6.0)[::-1])
    np.testing.assert_array_equal(lines[1].get_ydata(), (10 - np.arange(6))[::-1])
    assert ax.get_xscale() == "log"
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["train_mse", "val_mse"]
    assert saves_png(ax)


def test_plot_lambda_curves_hue_gives_one_line_per_lam():
    curves = pd.DataFrame({"lam": np.repeat([0.0, 0.1, 1.0], 4), "epoch": np.tile(range(4), 3),
                           "val_loss": np.arange(12.0)})
    fig, ax = plt.subplots()
    out = plotting.plot_lambda_curves(curves, x="epoch", ys="val_loss", hue="lam", logx=False,
                                      ax=ax)
    assert out is ax
    lines = ax.get_lines()
    assert len(lines) == 3
    np.testing.assert_array_equal(lines[2].get_ydata(), [8.0, 9.0, 10.0, 11.0])
    assert lines[1].get_label() == "val_loss (lam=0.1)"
    with pytest.raises(ValueError, match=r"no column\(s\) \['w'\]"):
        plotting.plot_lambda_curves(curves, x="w", ys="val_loss")


def test_plot_path_shows_a_lasso_path_with_exact_zeros(rng):
    X = rng.standard_normal((50, 6))
    y = X[:, :2] @ np.array([3.0, -2.0]) + 0.1 * rng.standard_normal(50)
    alphas, coefs, _ = lasso_path(X, y, alphas=20)   # sklearn layout (d, n_alphas)
    ax = plotting.plot_path(alphas, coefs)
    zero_line, *coef_lines = ax.get_lines()
    np.testing.assert_array_equal(zero_line.get_ydata(), [0.0, 0.0])
    assert len(coef_lines) == 6
    for j, line in enumerate(coef_lines):
        np.testing.assert_array_equal(line.get_xdata(), alphas)
        np.testing.assert_array_equal(line.get_ydata(), coefs[j])
    # at the largest alpha all coefficients are exactly zero, visible on the zero line
    assert all(line.get_ydata()[0] == 0.0 for line in coef_lines)
    assert ax.xaxis_inverted()
    assert saves_png(ax)
    with pytest.raises(ValueError, match="one row of coefficients per alpha"):
        plotting.plot_path(alphas, coefs[:, :5])


def test_plot_norm_balls_solutions_are_the_constrained_minimisers():
    H = np.array([[1.0, 0.3], [0.3, 0.5]])
    w0 = np.array([1.5, 0.6])
    ax = plotting.plot_norm_balls(radius=1.0, center=w0, H=H)
    labels = [line.get_label() for line in ax.get_lines()]
    diamond = ax.get_lines()[labels.index("l1 ball")]
    np.testing.assert_allclose(np.abs(diamond.get_xdata()) + np.abs(diamond.get_ydata()), 1.0)
    circle = ax.get_lines()[labels.index("l2 ball")]
    np.testing.assert_allclose(np.hypot(circle.get_xdata(), circle.get_ydata()), 1.0)
    sol = ax.norm_ball_solutions
    # brute force over the L1 sphere: the minimiser of the quadratic on the diamond
    t = np.linspace(0, 1, 200_001)
    edges = [np.column_stack([sx * t, sy * (1 - t)]) for sx in (1, -1) for sy in (1, -1)]
    pts = np.vstack(edges)
    vals = np.einsum("ij,jk,ik->i", pts - w0, H, pts - w0)
    np.testing.assert_allclose(sol["l1"], pts[np.argmin(vals)], atol=1e-4)
    assert sol["l1"][1] == 0.0  # a corner: one coordinate exactly zero
    # the L2 solution: for H not a multiple of I, check stationarity on the circle via a
    # fine angle grid (independent brute force)
    theta = np.linspace(0, 2 * np.pi, 400_001)
    circ = np.column_stack([np.cos(theta), np.sin(theta)])
    vals = np.einsum("ij,jk,ik->i", circ - w0, H, circ - w0)
    np.testing.assert_allclose(sol["l2"], circ[np.argmin(vals)], atol=1e-4)
    assert np.all(sol["l2"] != 0)
    marker = ax.get_lines()[labels.index("l2 solution")]
    np.testing.assert_allclose([marker.get_xdata()[0], marker.get_ydata()[0]], sol["l2"])
    assert saves_png(ax)


def test_plot_norm_balls_isotropic_l2_matches_ridge_budget():
    """With H = I the L2-ball solution is the ridge budget solution (normlib.constrained)."""
    w0 = np.array([2.0, -1.0])
    ax = plotting.plot_norm_balls(kinds="l2", radius=0.8, center=w0, H=np.eye(2))
    ref = constrained_ridge(np.eye(2), w0, 0.8**2)
    np.testing.assert_allclose(ax.norm_ball_solutions["l2"], ref.w, atol=1e-10)
    np.testing.assert_allclose(ax.norm_ball_solutions["l2"], 0.8 * w0 / np.linalg.norm(w0),
                               atol=1e-10)
    with pytest.raises(ValueError, match="kinds must be a subset"):
        plotting.plot_norm_balls(kinds=("linf",))
    with pytest.raises(ValueError, match="positive definite"):
        plotting.plot_norm_balls(H=np.array([[1.0, 0.0], [0.0, -1.0]]))


def test_plot_convergence_plots_gaps():
    k = np.arange(50)
    hist = {"ISTA": 1.0 + 1.0 / (k + 1), "FISTA": 1.0 + 1.0 / (k + 1) ** 2}
    ax = plotting.plot_convergence(hist, f_star=1.0)
    lines = ax.get_lines()
    assert [line.get_label() for line in lines] == ["ISTA", "FISTA"]
    np.testing.assert_array_equal(lines[0].get_xdata(), k)
    np.testing.assert_allclose(lines[1].get_ydata(), 1.0 / (k + 1) ** 2, rtol=1e-12)
    assert ax.get_yscale() == "log"
    # default f_star: the smallest value seen; its own zero gap is left out (NaN)
    ax2 = plotting.plot_convergence({"a": [3.0, 2.0, 1.5]})
    np.testing.assert_array_equal(ax2.get_lines()[0].get_ydata(), [1.5, 0.5, np.nan])
    assert saves_png(ax)
    with pytest.raises(TypeError, match="non-empty dict"):
        plotting.plot_convergence([1.0, 2.0])


def test_plot_heatmap_rows(rng):
    W = rng.standard_normal((6, 4))
    W[[1, 4]] = 0.0
    ax = plotting.plot_heatmap_rows(W)
    np.testing.assert_array_equal(ax.get_images()[0].get_array(), np.abs(W))
    bars = ax.row_norm_axes.patches
    np.testing.assert_allclose([b.get_width() for b in bars], np.linalg.norm(W, axis=1))
    zero_marks = ax.row_norm_axes.get_lines()[0]
    np.testing.assert_array_equal(zero_marks.get_ydata(), [1, 4])
    assert saves_png(ax)
    with pytest.raises(ValueError, match="W must be 2-D"):
        plotting.plot_heatmap_rows(np.ones(3))
