"""Helpers shared by the benchmarks: alternating timings, medians, machine info.

Every benchmark times ``normlib`` and its peer in the same process, alternating
the two (and which goes first) on every repeat, so that a slow patch of a
shared machine hits both sides alike; it reports medians, which ignore the
occasional stall, and the ratio normlib / peer.

Usage from a benchmark script in this folder::

    from _common import machine_info, time_pair
    timing = time_pair(lambda: ours(), lambda: theirs(), repeats=15)
    timing["ratio"]  # median(ours) / median(theirs)
"""

from __future__ import annotations

import argparse
import datetime
import gc
import json
import os
import platform
import statistics
import sys
import time

__all__ = ["bench_parser", "machine_info", "median", "time_call", "time_pair",
           "torch_bench_main"]


def median(values):
    """Median of a non-empty sequence of numbers."""
    values = list(values)
    if not values:
        raise ValueError("median needs at least one value.")
    return statistics.median(values)


def time_call(fn, number=1):
    """Seconds per call of ``fn()``, averaged over ``number`` back-to-back calls.

    The garbage collector is paused while timing (as ``timeit`` does).
    """
    return _time_wall_cpu(fn, number)[0]


def _time_wall_cpu(fn, number):
    """(wall seconds, CPU seconds of this process) per call, over ``number`` calls."""
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        for _ in range(number):
            fn()
        wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
        return wall / number, cpu / number
    finally:
        if gc_was_enabled:
            gc.enable()


def time_pair(fn_a, fn_b, repeats=7, *, number=1, warmup=1):
    """Time two zero-argument callables alternately; return medians and their ratio.

    Each of ``repeats`` rounds times both functions (``number`` calls each);
    even rounds run ``fn_a`` first, odd rounds ``fn_b`` first. ``warmup`` untimed
    calls of each come first (lazy state, caches, allocator).

    Returns
    -------
    dict
        ``median_a``, ``median_b`` (wall seconds per call), ``ratio`` =
        ``median_a / median_b``, ``times_a``, ``times_b`` (all rounds),
        ``cpu_median_a``, ``cpu_median_b`` and ``cpu_ratio`` (the same for the
        CPU time of this process: steadier than wall time on a loaded machine,
        but blind to work done in other processes), ``repeats``, ``number``.
    """
    if repeats < 1 or number < 1 or warmup < 0:
        raise ValueError(
            f"need repeats >= 1, number >= 1, warmup >= 0; got {repeats}, {number}, {warmup}."
        )
    for _ in range(warmup):
        fn_a()
        fn_b()
    gc.collect()
    runs = {"a": [], "b": []}
    for r in range(repeats):
        order = ("a", "b") if r % 2 == 0 else ("b", "a")
        for side in order:
            runs[side].append(_time_wall_cpu(fn_a if side == "a" else fn_b, number))
    out = {"repeats": repeats, "number": number}
    for side in ("a", "b"):
        out[f"times_{side}"] = [wall for wall, _ in runs[side]]
        out[f"median_{side}"] = median(out[f"times_{side}"])
        out[f"cpu_median_{side}"] = median(cpu for _, cpu in runs[side])
    out["ratio"] = _ratio(out["median_a"], out["median_b"])
    out["cpu_ratio"] = _ratio(out["cpu_median_a"], out["cpu_median_b"])
    return out


def _ratio(a, b):
    return a / b if b > 0 else float("inf")


def _version(module_name):
    module = sys.modules.get(module_name)
    if module is None:
        try:
            module = __import__(module_name)
        except ImportError:
            return None
    return getattr(module, "__version__", None)


def machine_info():
    """What a timing depends on: CPU, threads, Python and library versions, date (UTC)."""
    info = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "cpu_count": os.cpu_count(),
        "python": platform.python_version(),
        "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS"),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
    }
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    info["cpu_model"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    torch = sys.modules.get("torch")
    if torch is not None:
        info["torch_threads"] = torch.get_num_threads()
    return info


def bench_parser(doc, sizes, repeats_help):
    """The command line every benchmark shares: ``--size`` and ``--repeats``.

    A benchmark adds its own options and prints ``run(...)``'s result as JSON.
    """
    parser = argparse.ArgumentParser(description=(doc or "").splitlines()[0])
    parser.add_argument("--size", choices=sorted(sizes), default="full")
    parser.add_argument("--repeats", type=int, default=None, help=repeats_help)
    return parser


def torch_bench_main(run, doc, sizes, repeats_help, argv=None):
    """The command line of a benchmark against PyTorch: ``--size``, ``--repeats`` and
    ``--threads`` (``torch.set_num_threads`` before timing); prints ``run``'s JSON."""
    parser = bench_parser(doc, sizes, repeats_help)
    parser.add_argument("--threads", type=int, default=None,
                        help="torch.set_num_threads before timing (default: leave as is)")
    args = parser.parse_args(argv)
    if args.threads is not None:
        import torch

        torch.set_num_threads(args.threads)
    print(json.dumps(run(args.size, repeats=args.repeats), indent=2))
