"""Benchmark 7: building the book, cold (executing every notebook) and again with nothing changed.

Both builds run ``jupyter-book build --warningiserror --keep-going`` (as ``make
book`` does) on a temporary copy of ``book/`` without its ``_build``, so they
never touch anyone's ``book/_build``. The copy sits in a temporary folder next
to links to the repository's other top-level entries, so that paths leaving
``book/`` (``../benchmarks/results/latest.md``) still resolve. A cold build
executes every notebook (``execute_notebooks: force``); the rebuild with
nothing changed should only check that nothing changed. There is no peer and no
target: the numbers are for the record (and to notice when a change makes the
book much slower to build).

``--size tiny`` builds a tiny temporary book (one page, one notebook) instead:
a smoke run of the same code path.

    python benchmarks/bench_book.py              # the real book, minutes
    python benchmarks/bench_book.py --size tiny  # a tiny book, seconds
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import bench_parser, machine_info, median  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SIZES = {
    "tiny": {"cold": 1, "rebuild": 1},
    "full": {"cold": 1, "rebuild": 3},
}
BUILD_FLAGS = ("--warningiserror", "--keep-going")


def jupyter_book_command():
    """The ``jupyter-book`` next to this Python (the project's .venv), else on PATH."""
    candidate = Path(sys.executable).parent / "jupyter-book"
    if candidate.exists():
        return str(candidate)
    found = shutil.which("jupyter-book")
    if found is None:
        raise RuntimeError("jupyter-book is not installed (pip install 'jupyter-book<2').")
    return found


def copy_book(source, workdir):
    """Copy ``source`` (a book folder) to ``workdir/book`` without ``_build``; link its siblings."""
    target = Path(workdir) / "book"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns(
        "_build", ".jupyter_cache", ".ipynb_checkpoints", "__pycache__"))
    for entry in Path(source).resolve().parent.iterdir():
        if entry.name != Path(source).name and not entry.name.startswith("."):
            (Path(workdir) / entry.name).symlink_to(entry)
    return target


def write_tiny_book(workdir):
    """A one-page book with one notebook that imports normlib, in ``workdir/book``."""
    book = Path(workdir) / "book"
    book.mkdir()
    (book / "_config.yml").write_text(
        "title: Tiny benchmark book\n"
        "execute:\n  execute_notebooks: force\n  timeout: 60\n"
        "sphinx:\n  config:\n    nb_execution_raise_on_error: true\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (book / "intro.md").write_text("# Tiny book\n\nA smoke test of the book benchmark.\n")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# One notebook"),
                nbformat.v4.new_code_cell("from normlib.solvers import lasso_alpha_max\n"
                                          "lasso_alpha_max([[1.0], [2.0]], [1.0, 1.0])")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    nbformat.write(nb, book / "page.ipynb")
    return book


def timed_build(book):
    """Run one build; return (wall seconds, CPU seconds of the build's processes)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([jupyter_book_command(), "build", str(book), *BUILD_FLAGS],
                          capture_output=True, text=True, env=os.environ.copy())
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        tail = (proc.stdout + proc.stderr)[-3000:]
        raise RuntimeError(f"jupyter-book build failed (exit {proc.returncode}):\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def run(size="full", repeats=None, seed=0, book_dir=None, workdir=None):
    """Time a cold build and a no-change rebuild; return a JSON-ready dict.

    ``repeats`` (default 1) is the number of cold builds, each in a fresh copy;
    every copy is then rebuilt ``SIZES[size]["rebuild"]`` times. ``seed`` is
    unused (the signature matches the other benchmarks). ``workdir``: build
    there (in ``workdir/copy<i>/book``) and keep the result, instead of in a
    temporary folder. Keys: ``benchmark``,
    ``size``, ``book``, ``n_pages``, ``cold_build_s`` (median),
    ``rebuild_s`` (median), ``cold_cpu_s``, ``rebuild_cpu_s``,
    ``rebuild_over_cold``, the raw times, ``table_rows`` and ``machine``.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}.")
    cfg = SIZES[size]
    n_cold = cfg["cold"] if repeats is None else repeats
    cold, cold_cpu, rebuild, rebuild_cpu, n_pages = [], [], [], [], 0
    for i in range(n_cold):
        with tempfile.TemporaryDirectory(prefix="normlib-bench-book-") as tmp:
            where = Path(tmp) if workdir is None else Path(workdir) / f"copy{i}"
            where.mkdir(parents=True, exist_ok=True)
            if size == "tiny":
                book = write_tiny_book(where)
            else:
                book = copy_book(Path(book_dir) if book_dir else ROOT / "book", where)
            wall, cpu = timed_build(book)
            cold.append(wall)
            cold_cpu.append(cpu)
            for _ in range(cfg["rebuild"]):
                wall, cpu = timed_build(book)
                rebuild.append(wall)
                rebuild_cpu.append(cpu)
            n_pages = len(list((book / "_build" / "html").rglob("*.html")))
    cold_s, rebuild_s = median(cold), median(rebuild)
    label = "tiny book" if size == "tiny" else "book/"
    return {
        "benchmark": "book_build",
        "size": size,
        "book": label,
        "n_html_pages": n_pages,
        "flags": list(BUILD_FLAGS),
        "cold_build_s": cold_s,
        "rebuild_s": rebuild_s,
        "cold_cpu_s": median(cold_cpu),
        "rebuild_cpu_s": median(rebuild_cpu),
        "rebuild_over_cold": rebuild_s / cold_s if cold_s > 0 else None,
        "cold_times_s": cold,
        "rebuild_times_s": rebuild,
        "target": None,
        "meets_target": None,
        "table_rows": [
            {"benchmark": f"book: cold build with execution ({label})",
             "normlib_median_s": cold_s, "peer": None, "peer_median_s": None,
             "ratio": None, "target": None, "meets_target": None},
            {"benchmark": "book: rebuild, nothing changed",
             "normlib_median_s": rebuild_s, "peer": None, "peer_median_s": None,
             "ratio": None, "target": None, "meets_target": None},
        ],
        "machine": machine_info(),
    }


def main(argv=None):
    parser = bench_parser(__doc__, SIZES, "cold builds, each in a fresh copy (default 1)")
    parser.add_argument("--book", default=None, help="book folder (default: the repo's book/)")
    args = parser.parse_args(argv)
    print(json.dumps(run(args.size, repeats=args.repeats, book_dir=args.book), indent=2))


if __name__ == "__main__":
    main()
