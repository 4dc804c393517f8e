"""Benchmark 4: one AdamW step, normlib.optim.AdamW vs torch.optim.AdamW(foreach=True).

A stack of ``Linear`` layers (default: 12 layers of 912 x 912, so 9,991,872
parameters in 24 tensors, float32) gets fixed random gradients; each timed call
is one ``optimizer.step()``. Both optimizers run in this process, alternating,
and take the same number of steps on identical copies, so their parameters must
still agree at the end (``max_rel_diff``). Target: ratio <= 1.1.

    python benchmarks/bench_adamw.py              # full size, JSON on stdout
    python benchmarks/bench_adamw.py --size tiny  # smoke run, a few seconds
    OMP_NUM_THREADS=1 python benchmarks/bench_adamw.py
"""

from __future__ import annotations

import math
import sys
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import machine_info, time_pair, torch_bench_main  # noqa: E402

from normlib.optim import AdamW  # noqa: E402

SIZES = {
    "tiny": {"width": 32, "layers": 12, "repeats": 5, "number": 5},
    "full": {"width": 912, "layers": 12, "repeats": 21, "number": 1},
}
TARGET = 1.1


def _model(width, layers, seed):
    """The same stack of layers, with the same fixed random gradients, for every call."""
    torch.manual_seed(seed)
    model = torch.nn.Sequential(*[torch.nn.Linear(width, width) for _ in range(layers)])
    gen = torch.Generator().manual_seed(seed + 1)
    for p in model.parameters():
        p.grad = torch.randn(p.shape, generator=gen)
    return model


def _max_rel_diff(model_a, model_b):
    return max(
        float((a.detach() - b.detach()).norm() / b.detach().norm())
        for a, b in zip(model_a.parameters(), model_b.parameters(), strict=True)
    )


def run(size="full", repeats=None, seed=0):
    """Time both optimizers at ``size`` ("tiny" or "full"); return a JSON-ready dict.

    Keys: ``benchmark``, ``size``, ``n_params``, ``n_tensors``, ``dtype``,
    ``repeats``, ``number``, ``normlib_median_s``, ``torch_median_s``, ``ratio``
    (normlib / torch), ``target``, ``meets_target``, ``max_rel_diff``,
    ``normlib_times_s``, ``torch_times_s``, ``machine``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    cfg = SIZES[size]
    repeats = cfg["repeats"] if repeats is None else repeats
    ours_model = _model(cfg["width"], cfg["layers"], seed)
    torch_model = _model(cfg["width"], cfg["layers"], seed)
    ours = AdamW(ours_model.parameters(), lr=1e-3, weight_decay=1e-2, foreach=True)
    theirs = torch.optim.AdamW(torch_model.parameters(), lr=1e-3, weight_decay=1e-2,
                               foreach=True)
    with torch.no_grad():
        timing = time_pair(ours.step, theirs.step, repeats=repeats, number=cfg["number"],
                           warmup=2)
    params = list(ours_model.parameters())
    return {
        "benchmark": "adamw_step",
        "size": size,
        "n_params": sum(p.numel() for p in params),
        "n_tensors": len(params),
        "dtype": str(params[0].dtype),
        "repeats": timing["repeats"],
        "number": timing["number"],
        "normlib_median_s": timing["median_a"],
        "torch_median_s": timing["median_b"],
        "ratio": timing["ratio"],
        "target": TARGET,
        "meets_target": bool(math.isfinite(timing["ratio"]) and timing["ratio"] <= TARGET),
        "max_rel_diff": _max_rel_diff(ours_model, torch_model),
        "normlib_times_s": timing["times_a"],
        "torch_times_s": timing["times_b"],
        "machine": machine_info(),
    }


def main(argv=None):
    torch_bench_main(run, __doc__, SIZES, "timed rounds (default: 5 tiny, 21 full)", argv)


if __name__ == "__main__":
    main()
