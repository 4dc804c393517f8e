"""Shared helpers of the labgrader tests: the CLI, notebook surgery, reading grades."""

import csv
import json
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
LAB = REPO / "labs" / "prox_gradient"
SOURCE = LAB / "prox_gradient.ipynb"

Q3 = {"test_fista_first_iterates", "test_fista_converges_to_lasso", "test_fista_large_alpha"}
Q6 = {"test_gap_random_points", "test_gap_zero_at_solution"}
PATH_TEST = {"test_coefficient_path_matches_sklearn"}
ENET = {"test_elastic_net_matches_sklearn"}


def cli(*args, timeout=600, path="/usr/bin:/bin", env=None):
    """Run ``python -m labgrader ARGS`` from the repository with a minimal environment."""
    env = {"PYTHONPATH": str(REPO), "PATH": path, "HOME": str(Path.home()),
           "OMP_NUM_THREADS": "1", **(env or {})}
    return subprocess.run([sys.executable, "-m", "labgrader", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=timeout)


def read_csv(path, key="submission"):
    with open(path, newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows if key is None else {r[key]: r for r in rows}


def load(path):
    return json.loads(Path(path).read_text())


def inject(nb, anchor, code):
    """Insert ``code`` after the unique line containing ``anchor``, at its indentation."""
    hits = [(c, i) for c in nb["cells"] if c["cell_type"] == "code"
            for i, line in enumerate("".join(c["source"]).splitlines()) if anchor in line]
    assert len(hits) == 1, anchor
    cell, i = hits[0]
    lines = "".join(cell["source"]).splitlines()
    indent = re.match(r"\s*", lines[i]).group(0)
    lines[i + 1:i + 1] = [indent + ln for ln in code.splitlines()]
    cell["source"] = "\n".join(lines)
    return nb


def replace(nb, old, new):
    hits = [c for c in nb["cells"] if old in "".join(c["source"])]
    assert len(hits) == 1, old
    hits[0]["source"] = "".join(hits[0]["source"]).replace(old, new)
    return nb


FISTA_DOC = '"""FISTA from w = 0 with step 1 / L; returns (w, history of the objective)."""'
GAP_DOC = '"""Duality gap of the lasso at w (non-negative, zero at the solution)."""'
PATH_DOC = '"""Rows: the elastic-net solution for each alpha in alphas."""'
ENET_DOC = '"""FISTA for the elastic net from w = 0 with step 1 / L; returns w."""'


def results(out, name):
    """The current grade's full result dict of submission ``name`` in the gradebook at ``out``."""
    db = sqlite3.connect(Path(out) / "gradebook.sqlite")
    (text,) = db.execute("SELECT result FROM grades WHERE submission = ? AND current = 1",
                         (name,)).fetchone()
    db.close()
    return json.loads(text)


def hidden(result):
    """The hidden tests of a result, by name."""
    return {t["name"]: t for t in result["tests"] if t["visibility"] == "hidden"}
