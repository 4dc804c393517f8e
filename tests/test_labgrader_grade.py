"""labgrader grade through the real CLI: full marks, zero, exact partial credit, hostile input.

One batch of submissions is generated from the pilot lab's source notebook
(patching one function or cell each) and graded once with ``--jobs 2``; the
tests below read the batch's outputs. Each submission's expected loss is the
set of hidden tests that must fail; every other hidden test must pass.
"""

import csv
import json
import os
import re
import sqlite3
from pathlib import Path

import pytest
from labgrader_helpers import (
    ENET,
    ENET_DOC,
    FISTA_DOC,
    GAP_DOC,
    LAB,
    PATH_DOC,
    PATH_TEST,
    Q3,
    Q6,
    SOURCE,
    cli,
    hidden,
    inject,
    load,
    read_csv,
    replace,
)
from labgrader_helpers import results as _results

# name -> (how to make it from the source notebook, hidden tests that must fail, category)
VARIANTS = {
    "solution": (lambda nb: nb, set(), None),
    "wrong_q3": (lambda nb: inject(nb, FISTA_DOC,
                                   "return np.full(X.shape[1], 0.5), np.zeros(n_iter)"),
                 Q3, "wrong"),
    "raises": (lambda nb: inject(nb, GAP_DOC, 'raise RuntimeError("boom")'), Q6, "exception"),
    "loops": (lambda nb: inject(nb, FISTA_DOC, "while True:\n    pass"), Q3, "timeout"),
    "exits": (lambda nb: inject(nb, PATH_DOC, "import os\nos._exit(3)"), PATH_TEST, "crash"),
    "wrong_shape": (lambda nb: inject(nb, PATH_DOC, "return np.array([elastic_net(X, y, a, "
                                      "l1_ratio, n_iter) for a in alphas]).T"),
                    PATH_TEST, "wrong"),
    "wrong_type": (lambda nb: inject(nb, GAP_DOC, 'return "small"'), Q6, "wrong"),
    "complex": (lambda nb: inject(nb, FISTA_DOC, "return np.zeros(X.shape[1], dtype=complex), "
                                  "np.zeros(n_iter)"), Q3, "unsupported"),
    "memory": (lambda nb: inject(nb, FISTA_DOC, "junk = np.ones(2**36)"), Q3, "exception"),
    "syntax": (lambda nb: replace(nb, "def lasso_duality_gap(w, X, y, alpha):",
                                  "def lasso_duality_gap(w, X, y, alpha)"), Q6, "missing"),
    "eq_object": (lambda nb: replace(nb, 'answer_q5 = "B"',
                                     "class Yes:\n    def __eq__(self, other):\n"
                                     "        return True\nanswer_q5 = Yes()"),
                  {"test_answer_q5"}, "unsupported"),
    "forbidden": (lambda nb: inject(nb, ENET_DOC, "from sklearn.linear_model import ElasticNet\n"
                                    "return ElasticNet(alpha=alpha, l1_ratio=l1_ratio, "
                                    "fit_intercept=False).fit(X, y).coef_"),
                  ENET | PATH_TEST, "exception"),
    "magics": (lambda nb: replace(nb, "import matplotlib.pyplot as plt",
                                  "%matplotlib inline\n!echo hello\n"
                                  "import matplotlib.pyplot as plt"),
               set(), None),
}
UNREADABLE = {
    "invalid_json": b'{"cells": [',
    "nbformat3": json.dumps({"nbformat": 3, "nbformat_minor": 0, "worksheets": []}).encode(),
    "binary": bytes(range(256)) * 4,
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    root = tmp_path_factory.mktemp("grading")
    subs = root / "submissions"
    subs.mkdir()
    for name, (make, _, _) in VARIANTS.items():
        (subs / f"{name}.ipynb").write_text(json.dumps(make(load(SOURCE))))
    for name, content in UNREADABLE.items():
        (subs / f"{name}.ipynb").write_bytes(content)
    released = cli("release", str(LAB), "--out", str(root / "dist"))
    assert released.returncode == 0, released.stderr
    (subs / "student.ipynb").write_bytes((root / "dist/prox_gradient/prox_gradient.ipynb")
                                         .read_bytes())
    out = root / "out"
    result = cli("grade", "--lab", str(LAB), str(subs), "--out", str(out), "--jobs", "2",
                 "--timeout", "1", "--cell-timeout", "2", "--unsafe-no-sandbox", "--json")
    summary = json.loads(result.stdout)
    rows = read_csv(out / "grades.csv")
    return {"root": root, "subs": subs, "out": out, "result": result, "summary": summary,
            "rows": rows}


def results(batch, name):
    return _results(batch["out"], name)


def test_batch_finishes_with_exit_code_1_for_unreadable_notebooks(batch):
    assert batch["result"].returncode == 1, batch["result"].stderr
    names = set(VARIANTS) | set(UNREADABLE) | {"student"}
    assert set(batch["rows"]) == names
    assert batch["summary"]["graded"] == len(names)
    assert batch["summary"]["failed"] == len(UNREADABLE)


def test_solution_gets_full_marks(batch):
    row = batch["rows"]["solution"]
    assert row["status"] == "ok" and float(row["score"]) == float(row["max_score"]) == 25
    assert all(c["status"] == "ok" for c in results(batch, "solution")["cells"])


def test_student_version_scores_zero_on_every_hidden_test(batch):
    tests = hidden(results(batch, "student"))
    assert len(tests) >= 15
    assert all(t["points"] == 0 and t["outcome"] == "failed" for t in tests.values())
    assert float(batch["rows"]["student"]["score"]) == 0


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_each_submission_loses_exactly_the_points_it_should(batch, name):
    _, must_fail, category = VARIANTS[name]
    tests = hidden(results(batch, name))
    failed = {n for n, t in tests.items() if t["outcome"] != "passed"}
    assert failed == must_fail
    lost = sum(tests[n]["max_points"] for n in must_fail)
    assert float(batch["rows"][name]["score"]) == pytest.approx(25 - lost)
    for n in must_fail:
        assert tests[n]["category"] == category, (n, tests[n]["student_message"])


@pytest.mark.parametrize("name, words", [
    ("raises", "raised RuntimeError: boom"),
    ("loops", "did not return within 1 s"),
    ("exits", "stopped the Python process while running coefficient_path(): it exited with "
              "status 3"),
    ("complex", "complex array"),
    ("memory", "raised MemoryError"),
    ("syntax", "lasso_duality_gap is not defined in your notebook"),
    ("eq_object", "unsupported type Yes"),
    ("forbidden", "sklearn.linear_model.ElasticNet is not available in this lab"),
    ("wrong_type", "wrong result. Hint: lasso_duality_gap(w, X, y, alpha) at random w"),
    ("student", "not implemented yet"),
    ("invalid_json", "not valid JSON"),
    ("nbformat3", "nbformat 3"),
    ("binary", "not UTF-8"),
])
def test_feedback_gives_a_clear_reason(batch, name, words):
    text = (batch["out"] / "feedback" / f"{name}.md").read_text()
    assert words in " ".join(text.split())


def test_notebook_problems_are_reported_per_cell(batch):
    syntax = (batch["out"] / "feedback" / "syntax.md").read_text()
    assert re.search(r"code cell \d+ \(`def lasso_duality_gap.*has a syntax error", syntax)
    exits = results(batch, "exits")
    assert any(c["status"] == "skipped" and "exited with status 3" in c["error"]
               for c in exits["cells"])
    loops = results(batch, "loops")
    assert any(c["status"] == "timeout" for c in loops["cells"])
    magics = (batch["out"] / "feedback" / "magics.md").read_text()
    assert "removed IPython magics / shell lines: %matplotlib inline, !echo hello" in magics


def test_feedback_never_shows_expected_values(batch):
    leaks = re.compile(r"Mismatched elements|Max absolute|ACTUAL|DESIRED|assert |np\.testing"
                       r"|Not equal to tolerance|expected shape|expected \(")
    for name in batch["rows"]:
        text = (batch["out"] / "feedback" / f"{name}.md").read_text()
        text += (batch["out"] / "gradescope" / name / "results.json").read_text()
        for t in hidden(results(batch, name)).values():
            assert not leaks.search(t["student_message"]), (name, t["student_message"])
        assert "def test_" not in text and "ref.sklearn" not in text
    details = (batch["out"] / "instructor" / "wrong_q3.txt").read_text()
    assert "Not equal to tolerance" in details


def test_gradescope_results_json(batch):
    data = load(batch["out"] / "gradescope" / "wrong_q3" / "results.json")
    assert data["score"] == pytest.approx(21)
    tests = {t["name"]: t for t in data["tests"]}
    assert tests["q3 test_fista_first_iterates"]["score"] == 0
    assert tests["q3 test_fista_first_iterates"]["max_score"] == 2
    assert tests["q3 test_fista_first_iterates"]["visibility"] == "after_published"
    assert tests["q1 test_q1_simple_values"]["visibility"] == "visible"
    assert sum(t["score"] for t in data["tests"]) == pytest.approx(data["score"])


def test_csv_has_one_column_per_test(batch):
    with open(batch["out"] / "grades.csv") as handle:
        header = next(csv.reader(handle))
    assert header[:4] == ["submission", "score", "max_score", "status"]
    assert len(header) - 4 == len(results(batch, "solution")["tests"])
    assert batch["rows"]["wrong_q3"]["test_fista_first_iterates"] == "0"
    assert batch["rows"]["wrong_q3"]["test_soft_threshold_random_vectors"] == "2"


def test_rerun_skips_regrade_keeps_history_and_changed_files_are_regraded(batch):
    out, subs = batch["out"], batch["subs"]
    again = cli("grade", "--lab", str(LAB), str(subs / "solution.ipynb"),
                str(subs / "wrong_q3.ipynb"), "--out", str(out), "--unsafe-no-sandbox",
                "--json")
    assert again.returncode == 0, again.stderr
    summary = json.loads(again.stdout)
    assert summary["graded"] == 0 and summary["skipped"] == 2

    regrade = cli("grade", "--lab", str(LAB), str(subs / "wrong_q3.ipynb"), "--out", str(out),
                  "--unsafe-no-sandbox", "--regrade", "--json")
    assert regrade.returncode == 0 and json.loads(regrade.stdout)["graded"] == 1
    db = sqlite3.connect(out / "gradebook.sqlite")
    rows = db.execute("SELECT score, current FROM grades WHERE submission = 'wrong_q3' "
                      "ORDER BY id").fetchall()
    assert [r[1] for r in rows] == [0, 1] and rows[0][0] == rows[1][0] == 21
    assert db.execute("SELECT COUNT(*) FROM grades WHERE current = 1").fetchone()[0] == len(
        batch["rows"])
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()

    history = read_csv(out / "history.csv", key=None)
    assert sum(r["submission"] == "wrong_q3" for r in history) == 2

    (out / "grades.csv").unlink()
    exported = cli("export", "--out", str(out), "--json")
    assert exported.returncode == 0 and json.loads(exported.stdout)["history_rows"] == len(
        batch["rows"]) + 1
    assert read_csv(out / "grades.csv") == batch["rows"]

    # a resubmission (new bytes) is graded again without --regrade
    (subs / "wrong_type.ipynb").write_bytes(SOURCE.read_bytes())
    changed = cli("grade", "--lab", str(LAB), str(subs / "wrong_type.ipynb"), "--out", str(out),
                  "--unsafe-no-sandbox", "--json")
    summary = json.loads(changed.stdout)
    assert summary["graded"] == 1 and summary["submissions"][0]["score"] == 25


@pytest.mark.parametrize("args, message", [
    (["--lab", "labs/none", "x.ipynb"], "lab folder not found"),
    (["--lab", str(LAB), "nothere.ipynb"], "submission not found: nothere.ipynb"),
    (["--lab", str(LAB), "{empty}"], "no submissions to grade"),
    (["--lab", str(LAB), str(SOURCE), "--jobs", "0"], "--jobs must be at least 1"),
])
def test_usage_errors_exit_2(tmp_path, args, message):
    empty = tmp_path / "empty"
    empty.mkdir()
    args = [a.replace("{empty}", str(empty)) for a in args]
    result = cli("grade", *args, "--out", str(tmp_path / "out"), "--unsafe-no-sandbox")
    assert result.returncode == 2
    assert message in result.stderr


def test_refuses_without_sandbox_unless_told(tmp_path):
    # no bubblewrap / setpriv / prlimit on PATH: the sandbox is unavailable
    result = cli("grade", "--lab", str(LAB), str(SOURCE), "--out", str(tmp_path / "out"),
                 path=str(tmp_path))
    assert result.returncode == 2
    assert "--unsafe-no-sandbox" in result.stderr and "refusing to grade" in result.stderr
    assert "bwrap, setpriv, prlimit not found" in result.stderr
    assert not (tmp_path / "out").exists()


def test_export_without_gradebook(tmp_path):
    result = cli("export", "--out", str(tmp_path))
    assert result.returncode == 2 and "no gradebook" in result.stderr


def test_no_worker_survives(batch):
    own = [p for p in os.listdir("/proc") if p.isdigit()]
    survivors = []
    for pid in own:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            continue
        if b"labgrader.worker" in cmdline:
            survivors.append(pid)
    assert not [p for p in survivors if _parent_is_gone(p)]


def _parent_is_gone(pid):
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    ppid = int(re.search(r"PPid:\s+(\d+)", status).group(1))
    return ppid == 1


# ---------------------------------------------------------------- one bad result, not a lost batch
class _Done:
    """A finished future: ``result()`` returns ``value`` or raises it."""

    def __init__(self, value):
        self.value = value

    def result(self):
        if isinstance(self.value, BaseException):
            raise self.value
        return self.value


def _ok_result(score=3.0):
    return {"status": "ok", "score": score, "max_score": 25.0, "tests": [], "notes": [],
            "cells": [], "message": ""}


def test_a_result_that_cannot_be_recorded_becomes_that_submissions_error(tmp_path):
    from types import SimpleNamespace

    from labgrader.grade import _record
    from labgrader.gradebook import Gradebook

    def sub(name):
        return SimpleNamespace(name=name, path=tmp_path / f"{name}.ipynb", sha256=name * 8)

    with Gradebook(tmp_path / "gb.sqlite") as book:
        _record(book, "lab", "v1", sub("crashed"), _Done(RuntimeError("runner exploded")))
        _record(book, "lab", "v1", sub("malformed"), _Done({"status": "ok"}))  # no score
        _record(book, "lab", "v1", sub("honest"), _Done(_ok_result()))
        rows = {r["submission"]: r for r in book.current_grades("lab")}
    assert set(rows) == {"crashed", "malformed", "honest"}
    assert rows["honest"]["status"] == "ok" and rows["honest"]["score"] == 3.0
    for name, why in (("crashed", "runner exploded"), ("malformed", "KeyError")):
        assert rows[name]["status"] == "error" and rows[name]["score"] == 0.0
        assert why in rows[name]["result"]["message"]


def test_reports_of_one_unrenderable_result_do_not_stop_the_others(tmp_path):
    from labgrader import report

    good = {"submission": "good", "lab_id": "lab", "score": 3.0, "max_score": 25.0,
            "status": "ok", "graded_at": "2026-11-29T12:00:00", "sha256": "0" * 64,
            "lab_version": "v1", "path": "good.ipynb",
            "result": {**_ok_result(), "lab": {"id": "lab", "title": "A lab", "exercises": {}}}}
    bad = {**good, "submission": "bad", "result": {**good["result"], "tests": 5}}
    report.write_outputs([bad, good], [], tmp_path)
    assert "Score: 3 / 25" in (tmp_path / "feedback" / "bad.md").read_text()
    assert "could not be written" in (tmp_path / "feedback" / "bad.md").read_text()
    assert "could not be written" not in (tmp_path / "feedback" / "good.md").read_text()
    assert json.loads((tmp_path / "gradescope" / "bad" / "results.json").read_text())["score"] == 3
