"""Run every benchmark (``benchmarks/bench_*.py``) and write the results, a table and a plot.

Each ``bench_<name>.py`` found in this folder is run in a fresh Python process
(so that one benchmark's threads, caches or crash cannot touch another's) by
calling its ``run(size)``, which returns a JSON-ready dict. A benchmark that
raises, crashes or times out is recorded with its error, and the others still
run. Then:

* ``results/latest.json``: every result, with the machine (CPU, threads, load
  average), library versions, date and command;
* ``results/latest.md``: a markdown table (benchmark, peer, our median,
  peer median, ratio, target, met?, notes), shown by the book's Performance page;
* ``results/ratios.png``: the ratios ours / peer against their targets.

A ``--size tiny`` run writes to ``results/tiny/`` instead, so that a smoke run
never overwrites the committed full-size results.

What a benchmark's ``run`` must return, at least: ``benchmark`` (a name),
``ratio`` (normlib time / peer time), ``target`` (the largest acceptable
ratio, or None) and ``meets_target``; the two medians as ``normlib_median_s``
and ``peer_median_s`` (or ``<peer>_median_s``, e.g. ``torch_median_s``);
optionally ``peer`` (a display name), ``notes`` (a short string) and
``table_rows`` (a list of row dicts with the same keys, for a benchmark that
fills several rows, such as the book build).

    python benchmarks/run_all.py                  # every benchmark, full size (minutes)
    python benchmarks/run_all.py --size tiny      # every benchmark, tiny size (a smoke run)
    python benchmarks/run_all.py --only lasso     # the benchmarks whose name contains "lasso"
    python benchmarks/run_all.py --only book --merge  # rerun one, keep the others' results
    python benchmarks/run_all.py --render         # redraw table and plot from latest.json
    OMP_NUM_THREADS=1 python benchmarks/run_all.py   # as `make bench` runs it
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import importlib.metadata
import json
import math
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
SIZES = ("tiny", "full")
PACKAGES = ("numpy", "scipy", "scikit-learn", "torch", "skglm", "cvxpy", "numba",
            "jupyter-book", "nbgrader", "matplotlib")
OURS_KEYS = ("normlib_median_s", "labgrader_median_s", "ours_median_s")
NOT_PEER = {"normlib", "labgrader", "ours", "cold", "peer"}

# The child process: import one benchmark file, call run(size), write the JSON.
_CHILD = r"""
import importlib.util, json, sys
path, size, out = sys.argv[1], sys.argv[2], sys.argv[3]
sys.path.insert(0, str(__import__("pathlib").Path(path).parent))
spec = importlib.util.spec_from_file_location("benchmark_under_test", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
result = module.run(size)
with open(out, "w") as fh:
    json.dump(result, fh, default=float)
"""


def discover(bench_dir=HERE, only=None):
    """The ``bench_*.py`` files of ``bench_dir``, sorted; ``only`` keeps names containing it."""
    files = sorted(Path(bench_dir).glob("bench_*.py"))
    if only:
        files = [f for f in files if only in f.stem]
    return files


def _name(path):
    return Path(path).stem.removeprefix("bench_")


def run_one(path, size="full", timeout=3600):
    """Run ``run(size)`` of one benchmark file in a child process; never raises.

    Returns the benchmark's dict plus ``file`` and ``elapsed_s``, or, when it
    fails, ``{"benchmark", "file", "error", "elapsed_s"}``.
    """
    start = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="normlib-bench-") as tmp:
        out = Path(tmp) / "result.json"
        try:
            proc = subprocess.run([sys.executable, "-c", _CHILD, str(path), size, str(out)],
                                  capture_output=True, text=True, timeout=timeout,
                                  cwd=str(Path(path).parent.parent))
            error = None
            if proc.returncode != 0:
                lines = (proc.stderr or proc.stdout).strip().splitlines()
                error = "\n".join(lines[-15:]) or f"exit status {proc.returncode}"
            elif not out.exists():
                error = "run() returned without writing a result"
        except subprocess.TimeoutExpired:
            error = f"timed out after {timeout} s"
        elapsed = time.perf_counter() - start
        if error is not None:
            return {"benchmark": _name(path), "file": Path(path).name, "error": error,
                    "elapsed_s": elapsed}
        result = json.loads(out.read_text())
    if not isinstance(result, dict):
        return {"benchmark": _name(path), "file": Path(path).name,
                "error": f"run() returned {type(result).__name__}, not a dict",
                "elapsed_s": elapsed}
    result.setdefault("benchmark", _name(path))
    result["file"] = Path(path).name
    result["elapsed_s"] = elapsed
    return result


def _versions():
    out = {"python": platform.python_version()}
    for name in PACKAGES:
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = None
    try:
        sys.path.insert(0, str(HERE.parent))
        import normlib

        out["normlib"] = getattr(normlib, "__version__", None)
    except ImportError:
        out["normlib"] = None
    return out


def _machine():
    sys.path.insert(0, str(HERE))
    from _common import machine_info

    info = machine_info()
    info.pop("torch_threads", None)  # run_all itself does not import torch
    try:
        info["load_average"] = list(os.getloadavg())
    except OSError:
        info["load_average"] = None
    return info


# --------------------------------------------------------------------------- the table
def _peer_median(result):
    """(peer name, peer median): ``peer_median_s``, else the first ``<peer>_median_s``."""
    if result.get("peer_median_s") is not None:
        return result.get("peer"), result["peer_median_s"]
    for key, value in result.items():
        name = key.removesuffix("_median_s")
        if key.endswith("_median_s") and name not in NOT_PEER and "cpu" not in key \
                and isinstance(value, int | float):
            return result.get("peer") or name, value
    return result.get("peer"), None


def _ours_median(result):
    for key in OURS_KEYS:
        if isinstance(result.get(key), int | float):
            return result[key]
    return None


def _notes(result):
    if result.get("notes"):
        return str(result["notes"])
    parts = []
    if result.get("accuracy_matched") is not None:
        parts.append("same or smaller duality gap" if result["accuracy_matched"]
                     else "accuracy NOT matched")
    if result.get("cpu_ratio") is not None:
        parts.append(f"CPU-time ratio {result['cpu_ratio']:.2f}")
    if result.get("speedup") is not None:
        parts.append(f"{result['speedup']:.0f}x faster")
    if result.get("normlib_rel_error") is not None:
        parts.append(f"rel. error {result['normlib_rel_error']:.0e}")
    if result.get("max_rel_diff") is not None:
        parts.append(f"max rel. diff {result['max_rel_diff']:.0e}")
    return "; ".join(parts)


def rows(result):
    """The table rows of one result (several for a benchmark that gives ``table_rows``)."""
    out = _rows(result)
    if result.get("from_earlier_run"):
        for row in out:
            row["notes"] = (f"{row.get('notes') or ''} (from the run of "
                            f"{result['from_earlier_run']})").strip()
    return out


def _rows(result):
    if "error" in result:
        first = result["error"].strip().splitlines()[-1] if result["error"].strip() else "?"
        return [{"benchmark": result["benchmark"], "peer": None, "normlib_median_s": None,
                 "peer_median_s": None, "ratio": None, "target": None,
                 "meets_target": None, "notes": f"ERROR: {first[:120]}"}]
    if result.get("table_rows"):
        return [{"notes": "", **row} for row in result["table_rows"]]
    peer, peer_median = _peer_median(result)
    return [{
        "benchmark": result["benchmark"],
        "peer": peer,
        "normlib_median_s": _ours_median(result),
        "peer_median_s": peer_median,
        "ratio": result.get("ratio"),
        "target": result.get("target"),
        "meets_target": result.get("meets_target"),
        "notes": _notes(result),
    }]


def _seconds(value):
    if value is None or not math.isfinite(value):
        return "—"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms"
    return f"{value:.2f} s"


def _ratio(value):
    if value is None or not math.isfinite(value):
        return "—"
    return f"{value:.2g}" if value < 0.1 else f"{value:.2f}"


def _met(value):
    return "—" if value is None else ("yes" if value else "**no**")


def markdown(report):
    """The results as a markdown paragraph and table (no heading: the book page has one)."""
    machine = report["machine"]
    load, load_end = machine.get("load_average"), machine.get("load_average_end")
    load_text = f", load average {load[0]:.1f} at start" if load else ""
    if load_end:
        load_text += f" and {load_end[0]:.1f} at the end (a shared machine)"
    lines = [
        f"Run on {report['date_utc']} ({report['size']} size) on "
        f"{machine.get('cpu_model') or machine.get('processor') or 'an unknown CPU'}, "
        f"{machine.get('cpu_count')} cores, OMP_NUM_THREADS={machine.get('OMP_NUM_THREADS')}"
        f"{load_text}; Python {report['versions']['python']}, numpy "
        f"{report['versions'].get('numpy')}, scikit-learn "
        f"{report['versions'].get('scikit-learn')}, torch {report['versions'].get('torch')}, "
        f"skglm {report['versions'].get('skglm')}. Command: `{report['command']}`.",
        "",
        "| benchmark | peer | ours (median) | peer (median) | ratio | target | met? | notes |",
        "| --- | --- | ---: | ---: | ---: | ---: | :---: | --- |",
    ]
    for result in report["results"]:
        for row in rows(result):
            target = row.get("target")
            lines.append(
                f"| {row['benchmark']} | {row.get('peer') or '—'} "
                f"| {_seconds(row.get('normlib_median_s'))} "
                f"| {_seconds(row.get('peer_median_s'))} | {_ratio(row.get('ratio'))} "
                f"| {'—' if target is None else '≤ ' + format(target, 'g')} "
                f"| {_met(row.get('meets_target'))} | {row.get('notes') or ''} |")
    lines += ["", "Ours: normlib, or labgrader for grading. Ratio = our median time / the "
              "peer's median time (lower is better); the two sides alternate, at matched "
              "accuracy (grading: the same scores). Medians are wall-clock seconds per call "
              "(grading: per submission)."]
    return "\n".join(lines) + "\n"


def plot(report, path):
    """A bar chart of the ratios (log scale) with each target marked; returns ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = [row for result in report["results"] for row in rows(result)
            if row.get("ratio") is not None and math.isfinite(row["ratio"]) and row["ratio"] > 0]
    fig, ax = plt.subplots(figsize=(7, 0.55 * max(len(data), 1) + 1.4))
    if not data:
        ax.text(0.5, 0.5, "no ratios to show", ha="center", va="center")
        ax.set_axis_off()
    else:
        names = [row["benchmark"] for row in data][::-1]
        ratios = [row["ratio"] for row in data][::-1]
        colours = ["tab:green" if row.get("meets_target") else "tab:red" for row in data][::-1]
        # bars start at parity (ratio 1): left of it normlib is faster
        ax.barh(names, [r - 1.0 for r in ratios], left=1.0, color=colours)
        targets = [row["target"] for row in data if row.get("target") is not None]
        for i, row in enumerate(data[::-1]):
            if row.get("target") is not None:
                ax.plot([row["target"]] * 2, [i - 0.4, i + 0.4], color="black", lw=2)
            ax.annotate(_ratio(row["ratio"]), (row["ratio"], i),
                        xytext=(3 if row["ratio"] >= 1 else -3, 0),
                        ha="left" if row["ratio"] >= 1 else "right",
                        textcoords="offset points", va="center", fontsize=8)
        ax.axvline(1.0, color="grey", lw=1)
        ax.set_xscale("log")
        low, high = min(ratios + targets + [1.0]), max(ratios + targets + [1.0])
        ax.set_xlim(low / 2.5, high * 2.5)
        ax.set_xlabel("time ratio ours / peer (log scale; left of 1: ours faster;\n"
                      "black tick = target; green = target met)")
        ax.set_title(f"normlib and labgrader vs peers, {report['date_utc'][:10]}",
                     fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def default_out_dir(size):
    """``results/`` for the full size (the committed results), ``results/<size>/`` otherwise."""
    return RESULTS if size == "full" else RESULTS / size


def _merged(old_report, new_results):
    """``old_report``'s results with those of the same file replaced by ``new_results``."""
    new_files = {r.get("file") for r in new_results}
    kept = [r for r in old_report.get("results", []) if r.get("file") not in new_files]
    for r in kept:
        r.setdefault("from_earlier_run", old_report.get("date_utc"))
    return sorted(kept + new_results, key=lambda r: r.get("file", ""))


def run_all(size="full", *, only=None, bench_dir=HERE, out_dir=None, timeout=3600,
            command=None, echo=True, merge=False):
    """Run the benchmarks, write latest.json, latest.md and ratios.png; return the report."""
    if size not in SIZES:
        raise ValueError(f"size must be one of {list(SIZES)}, got {size!r}.")
    files = discover(bench_dir, only)
    if not files:
        raise ValueError(f"no bench_*.py files in {bench_dir}"
                         + (f" whose name contains {only!r}" if only else "") + ".")
    report = {
        "date_utc": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "size": size,
        "command": command or "python benchmarks/run_all.py" + (
            "" if size == "full" else f" --size {size}") + (f" --only {only}" if only else ""),
        "machine": _machine(),
        "versions": _versions(),
        "results": [],
    }
    for path in files:
        if echo:
            print(f"[run_all] {path.name} ({size}) ...", file=sys.stderr, flush=True)
        result = run_one(path, size, timeout=timeout)
        report["results"].append(result)
        if echo:
            status = result.get("error", "").splitlines()[-1:] if "error" in result else None
            print(f"[run_all]   {result['elapsed_s']:.1f} s, ratio {result.get('ratio')}"
                  + (f", ERROR {status}" if status is not None else ""),
                  file=sys.stderr, flush=True)
    with contextlib.suppress(OSError):
        report["machine"]["load_average_end"] = list(os.getloadavg())
    out_dir = Path(out_dir) if out_dir is not None else default_out_dir(size)
    if merge and (out_dir / "latest.json").exists():
        report["results"] = _merged(json.loads((out_dir / "latest.json").read_text()),
                                    report["results"])
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "latest.json").write_text(json.dumps(report, indent=2, default=float) + "\n")
    (out_dir / "latest.md").write_text(markdown(report))
    plot(report, out_dir / "ratios.png")
    return report


def main(argv=None):
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="full")
    parser.add_argument("--only", default=None, help="run the benchmarks whose name contains this")
    parser.add_argument("--out-dir", default=None,
                        help="where to write the results (default: benchmarks/results/ for "
                             "the full size, benchmarks/results/tiny/ for tiny)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds per benchmark")
    parser.add_argument("--render", action="store_true",
                        help="only rewrite latest.md and ratios.png from latest.json")
    parser.add_argument("--merge", action="store_true",
                        help="keep the other benchmarks' results already in latest.json "
                             "(with --only, to rerun a few)")
    args = parser.parse_args(argv)
    if args.render:
        out_dir = Path(args.out_dir) if args.out_dir else default_out_dir(args.size)
        report = json.loads((out_dir / "latest.json").read_text())
        (out_dir / "latest.md").write_text(markdown(report))
        plot(report, out_dir / "ratios.png")
        print(markdown(report))
        return 0
    command = "python benchmarks/run_all.py " + " ".join(argv if argv is not None
                                                          else sys.argv[1:])
    report = run_all(args.size, only=args.only, out_dir=args.out_dir, timeout=args.timeout,
                     command=command.strip(), merge=args.merge)
    print(markdown(report))
    failed = [r["benchmark"] for r in report["results"] if "error" in r]
    if failed:
        print(f"[run_all] benchmarks that failed: {', '.join(failed)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
