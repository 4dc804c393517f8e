"""What grading writes: grades.csv, student feedback, instructor details, Gradescope JSON.

All four are rebuilt from the gradebook's current grades (:func:`write_outputs`),
so ``labgrader export`` and ``labgrader grade`` produce the same files.

Student feedback lists every test with its points, and for failures the
category and the message the plugin prepared: for hidden tests, the test's
name and the hint from its docstring, never the assertion text (which holds
expected values). Instructor details hold everything.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

STATUS_TEXT = {
    "ok": "graded",
    "invalid": "the notebook could not be read",
    "error": "grading failed on the grader's side (your instructor will regrade)",
}


def safe_name(name):
    """A file-name-safe version of a submission name."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "submission"


def fmt(points):
    return f"{points:g}"


def _csv_tests(grade):
    """The grade's tests that the CSV can show (name and points); none if malformed."""
    tests = grade["result"].get("tests")
    if not isinstance(tests, list):
        return []
    return [t for t in tests if isinstance(t, dict) and isinstance(t.get("name"), str)
            and isinstance(t.get("points"), int | float)]


def test_columns(grades):
    """Test names in a stable order: that of the grade with the most tests, then any others."""
    ordered = []
    for grade in sorted(grades, key=lambda g: -len(_csv_tests(g))):
        for test in _csv_tests(grade):
            if test["name"] not in ordered:
                ordered.append(test["name"])
    return ordered


def write_csv(grades, path):
    columns = test_columns(grades)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["submission", "score", "max_score", "status", *columns])
        for grade in grades:
            points = {t["name"]: fmt(t["points"]) for t in _csv_tests(grade)}
            writer.writerow([grade["submission"], fmt(grade["score"]), fmt(grade["max_score"]),
                             grade["status"], *(points.get(c, "") for c in columns)])


def write_history(history, path):
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        keys = ["submission", "graded_at", "score", "max_score", "status", "lab_version",
                "sha256", "current"]
        writer.writerow(keys)
        for row in history:
            writer.writerow([row[k] for k in keys])


def _lab_info(grade):
    info = grade["result"].get("lab") or {}
    return info.get("title", grade["lab_id"]), dict(info.get("exercises", {}))


def _by_exercise(titles, tests):
    groups = {ex: [] for ex in titles}
    for test in tests:
        groups.setdefault(test["exercise"] or "other", []).append(test)
    return groups


def feedback_markdown(grade):
    """The feedback a student may read."""
    result = grade["result"]
    title, titles = _lab_info(grade)
    lines = [f"# {title}", "", f"Feedback for **{grade['submission']}**", "",
             f"**Score: {fmt(grade['score'])} / {fmt(grade['max_score'])}** "
             f"({STATUS_TEXT.get(grade['status'], grade['status'])})", ""]
    if grade["status"] == "invalid":
        lines += [f"Your notebook could not be read: {result['message']}", ""]
    problems = [c for c in result.get("cells", []) if c.get("status") != "ok"]
    if problems or result.get("notes"):
        lines += ["## Your notebook", ""]
        for cell in problems:
            what = {"syntax-error": "has a syntax error", "error": "raised an error",
                    "timeout": "timed out", "skipped": "was skipped"}.get(cell["status"],
                                                                       cell["status"])
            start = f" (`{cell['first_line']}`)" if cell.get("first_line") else ""
            lines.append(f"- code cell {cell['index']}{start} {what}: {cell.get('error') or ''}"
                         " (the other cells ran anyway)")
        lines += [f"- {note}" for note in result.get("notes", [])]
        lines.append("")
    for exercise, tests in _by_exercise(titles, result["tests"]).items():
        if not tests:
            continue
        got = sum(t["points"] for t in tests)
        total = sum(t["max_points"] for t in tests)
        lines += [f"## {exercise} {titles.get(exercise, '')}: {fmt(got)} / {fmt(total)}", ""]
        for t in tests:
            mark = "PASS" if t["outcome"] == "passed" else "FAIL"
            kind = "public" if t["visibility"] == "visible" else "hidden"
            line = f"- {mark} `{t['name']}` ({kind}, {fmt(t['points'])} / {fmt(t['max_points'])})"
            if t["outcome"] != "passed":
                line += f": {t['student_message']}"
            lines.append(line)
        lines.append("")
    return "\n".join(lines)


def instructor_text(grade):
    """Everything about one grading, for the instructor."""
    result = grade["result"]
    out = [f"{grade['lab_id']} / {grade['submission']}", f"file: {grade['path']}",
           f"sha256: {grade['sha256']}", f"lab version: {grade['lab_version']}",
           f"graded at: {grade['graded_at']} in {result.get('seconds', 0)} s",
           f"status: {grade['status']} {result.get('message', '')}",
           f"score: {fmt(grade['score'])} / {fmt(grade['max_score'])}", ""]
    out += [f"note: {n}" for n in result.get("notes", [])]
    for cell in result.get("cells", []):
        if cell.get("status") != "ok" or cell.get("output"):
            out += [f"--- code cell {cell['index']}: {cell['status']} {cell.get('error') or ''}",
                    cell.get("details") or "", (cell.get("output") or "")[:2000]]
    for t in result["tests"]:
        out += ["", f"=== {t['nodeid']} [{t['exercise']}] {t['outcome']} ({t['category']}) "
                    f"{fmt(t['points'])}/{fmt(t['max_points'])} in {t['duration']:.3f} s",
                f"student sees: {t['student_message']}"]
        if t["instructor_message"]:
            out.append(t["instructor_message"])
    return "\n".join(out) + "\n"


def gradescope_json(grade):
    """Gradescope's ``results.json`` for one submission."""
    result = grade["result"]
    tests = [{
        "name": f"{t['exercise']} {t['name']}".strip(),
        "score": t["points"], "max_score": t["max_points"],
        "status": "passed" if t["outcome"] == "passed" else "failed",
        "output": t["student_message"],
        "visibility": "visible" if t["visibility"] == "visible" else "after_published",
    } for t in result["tests"]]
    summary = f"{STATUS_TEXT.get(grade['status'], grade['status'])}"
    if grade["status"] == "invalid":
        summary += f": {result['message']}"
    return {"score": grade["score"], "output": summary, "visibility": "visible",
            "stdout_visibility": "hidden", "tests": tests}


def write_outputs(grades, history, out):
    """Write grades.csv, history.csv, feedback/, instructor/ and gradescope/ under ``out``."""
    out = Path(out)
    for sub in ("feedback", "instructor", "gradescope"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    write_csv(grades, out / "grades.csv")
    write_history(history, out / "history.csv")
    for grade in grades:
        name = safe_name(grade["submission"])
        folder = out / "gradescope" / name
        folder.mkdir(exist_ok=True)
        try:
            texts = (feedback_markdown(grade), instructor_text(grade),
                     json.dumps(gradescope_json(grade), indent=1))
        except Exception as exc:  # noqa: BLE001 - one odd result must not cost the others
            texts = _fallback_reports(grade, exc)
        for path, text in zip((out / "feedback" / f"{name}.md",
                               out / "instructor" / f"{name}.txt", folder / "results.json"),
                              texts, strict=True):
            path.write_text(text, encoding="utf-8")


def _fallback_reports(grade, exc):
    """Reports for a result the normal ones cannot render: the score, and why."""
    score, max_score = float(grade["score"]), float(grade["max_score"])
    why = f"{type(exc).__name__}: {exc}"[:500]
    return (f"# {grade['submission']}\n\nScore: {score:g} / {max_score:g}\n\nThe detailed "
            "feedback for this submission could not be written; ask your instructor.\n",
            f"{grade['submission']}: {score:g} / {max_score:g} ({grade['status']})\n"
            f"The reports could not be rendered: {why}\n",
            json.dumps({"score": score, "output": "The detailed feedback could not be written.",
                        "tests": []}, indent=1))
