"""The released self-check: check("q1") runs public tests on the notebook's globals."""

import contextlib
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # until labgrader is installed

from labgrader.lab import load_lab  # noqa: E402
from labgrader.release import release_lab  # noqa: E402

LAB = REPO / "labs" / "prox_gradient"


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    return release_lab(load_lab(LAB), tmp_path_factory.mktemp("student"))


@pytest.fixture(scope="module")
def labcheck(released):
    spec = importlib.util.spec_from_file_location("labcheck_under_test",
                                                  released.folder / "labcheck.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def exercise_namespace(notebook):
    """Run the notebook's exercise cells (and nothing else) in a fresh namespace."""
    nb = json.loads(Path(notebook).read_text())
    ns = {"np": np, "__name__": "__main__"}
    for cell in nb["cells"]:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell["cell_type"] == "code" and any(t.startswith("exercise:") for t in tags):
            source = "".join(cell["source"])
            with contextlib.suppress(NotImplementedError):
                exec(compile(source, "<cell>", "exec"), ns)
    return ns


def summary_lines(out):
    return [ln for ln in out.splitlines() if "public tests passed" in ln]


def test_solution_passes_every_public_test(labcheck, capsys):
    labcheck.check(namespace=exercise_namespace(LAB / "prox_gradient.ipynb"))
    out = capsys.readouterr().out
    lines = summary_lines(out)
    assert len(lines) == 6
    for line in lines:
        passed, total = line.split(": ")[1].split(" public")[0].split(" of ")
        assert passed == total and int(total) >= 1
    assert "FAIL" not in out and "WARNING" not in out


def test_student_version_reports_not_implemented(labcheck, released, capsys):
    ns = exercise_namespace(released.folder / "prox_gradient.ipynb")
    labcheck.check("q1", namespace=ns)
    out = capsys.readouterr().out
    assert "q1 Soft thresholding: 0 of 2 public tests passed" in out
    assert "FAIL  test_q1_simple_values: not implemented yet" in out


def test_wrong_answer_is_a_failure_with_the_public_message(labcheck, capsys):
    ns = exercise_namespace(LAB / "prox_gradient.ipynb")
    ns["soft_threshold"] = lambda v, t: np.asarray(v) * 0.5
    labcheck.check("q1", namespace=ns)
    out = capsys.readouterr().out
    assert "q1 Soft thresholding: 1 of 2 public tests passed" in out
    assert "FAIL  test_q1_simple_values: " in out and "PASS  test_q1_keeps_shape" in out


def test_missing_function_and_errors_in_student_code(labcheck, capsys):
    ns = exercise_namespace(LAB / "prox_gradient.ipynb")
    del ns["fista"]
    ns["lasso_duality_gap"] = lambda w, X, y, alpha: 1 / 0
    labcheck.check("q3", namespace=ns)
    labcheck.check("q6", namespace=ns)
    out = capsys.readouterr().out
    assert "fista is not defined: run the cell that defines it" in out
    assert "ZeroDivisionError: division by zero" in out


def test_forbidden_call_is_warned_at_run_time_and_in_the_source(labcheck, capsys):
    import normlib.prox

    ns = exercise_namespace(LAB / "prox_gradient.ipynb")
    ns["prox"] = normlib.prox
    ns["soft_threshold"] = lambda v, t: ns["prox"].soft_threshold(np.asarray(v, float), t)
    labcheck.check("q1", namespace=ns)
    out = capsys.readouterr().out
    assert "WARNING  your code uses normlib.prox.soft_threshold" in out
    assert normlib.prox.soft_threshold.__name__ == "soft_threshold"  # restored afterwards

    clean = exercise_namespace(LAB / "prox_gradient.ipynb")
    clean["_ih"] = ["from sklearn.linear_model import Lasso\n",
                    "import normlib.solvers as S\nw = S.lasso(X, y, 0.1)\n", "x = 1"]
    labcheck.check("q1", namespace=clean)
    out = capsys.readouterr().out
    assert "WARNING  your code uses sklearn.linear_model.Lasso" in out
    assert "WARNING  your code uses normlib.solvers.lasso:" in out
    assert "normlib.solvers.elastic_net" not in out


def test_unknown_exercise(labcheck, capsys):
    labcheck.check("q9", namespace={})
    assert "unknown exercise 'q9'; this lab has q1, q2, q3, q4, q5, q6" in capsys.readouterr().out


def test_released_labcheck_is_standalone(released):
    source = (released.folder / "labcheck.py").read_text()
    assert "labgrader" not in source.replace("labgrader release", "")
    assert "LAB = None" not in source
