"""Every lab, end to end: `labgrader validate` releases it without leaks, runs the solution
notebook top to bottom in a Jupyter kernel (self-checks pass, < 30 s), grades the solution
(full marks), the student version (zero on every hidden test) and a notebook with only its
last exercise unsolved (loses exactly that exercise's points), and checks the points."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
LABS = sorted(p.parent for p in (REPO / "labs").glob("*/lab.toml"))


def test_there_is_a_lab():
    assert LABS


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_lab_validates(lab_dir):
    env = {"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin", "HOME": str(Path.home()),
           "MPLBACKEND": "Agg", "OMP_NUM_THREADS": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "labgrader", "validate", str(lab_dir), "--json"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)["labs"][0]
    failed = [c for c in report["checks"] if not c["ok"]]
    assert result.returncode == 0 and not failed, failed
    names = {c["name"] for c in report["checks"]}
    assert {"release without leaks", "solution notebook runs top to bottom",
            "every self-check passes on the solution", "solution notebook gets full marks",
            "student version scores zero on every hidden test"} <= names
    assert any(n.startswith("leaving only ") for n in names)  # one wrong exercise
    assert report["seconds"]["solution notebook (kernel CPU)"] < 30


@pytest.mark.parametrize("lab_dir", LABS, ids=[p.name for p in LABS])
def test_lab_folder_is_complete(lab_dir):
    sys.path.insert(0, str(REPO))
    from labgrader.lab import load_lab

    lab = load_lab(lab_dir)
    assert lab.source_tags, "lab.toml should name the source's exercise tag(s)"
    notes = lab.instructor_notes.read_text()
    for ex in lab.exercises:
        assert ex.id in notes, f"INSTRUCTOR.md should explain {ex.id}"
        assert ex.functions, f"{ex.id} should list the names students define"
