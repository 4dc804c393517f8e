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
import os
import platform
import statistics
import sys
import time

__all__ = ["bench_parser", "machine_info", "median", "time_call", "time_pair"]


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
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        start = time.perf_counter()
        for _ in range(number):
            fn()
        return (time.perf_counter() - start) / number
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
        ``median_a``, ``median_b`` (seconds per call), ``ratio`` =
        ``median_a / median_b``, ``times_a``, ``times_b`` (all rounds, seconds per
        call), ``repeats``, ``number``.
    """
    if repeats < 1 or number < 1 or warmup < 0:
        raise ValueError(
            f"need repeats >= 1, number >= 1, warmup >= 0; got {repeats}, {number}, {warmup}."
        )
    for _ in range(warmup):
        fn_a()
        fn_b()
    gc.collect()
    times_a, times_b = [], []
    for r in range(repeats):
        if r % 2 == 0:
            times_a.append(time_call(fn_a, number))
            times_b.append(time_call(fn_b, number))
        else:
            times_b.append(time_call(fn_b, number))
            times_a.append(time_call(fn_a, number))
    med_a, med_b = median(times_a), median(times_b)
    return {
        "median_a": med_a,
        "median_b": med_b,
        "ratio": med_a / med_b if med_b > 0 else float("inf"),
        "times_a": times_a,
        "times_b": times_b,
        "repeats": repeats,
        "number": number,
    }


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
