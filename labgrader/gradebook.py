"""The SQLite gradebook: one current grade per submission, every earlier grade kept.

One table, ``grades``: a row per grading of a submission, with the lab's
version, the submission's SHA-256, the score and the full result as JSON.
``current = 1`` marks the grade in force; a partial unique index makes "at
most one current grade per (lab, submission)" a database guarantee. Recording
a grade is one transaction (demote the old current row, insert the new one),
so a crash at any point leaves either the old grade or the new one current,
never both and never neither. The database runs in WAL mode.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS grades (
    id          INTEGER PRIMARY KEY,
    lab_id      TEXT NOT NULL,
    lab_version TEXT NOT NULL,
    submission  TEXT NOT NULL,
    path        TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    score       REAL NOT NULL,
    max_score   REAL NOT NULL,
    status      TEXT NOT NULL,
    graded_at   TEXT NOT NULL,
    result      TEXT NOT NULL,
    current     INTEGER NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX IF NOT EXISTS one_current_grade
    ON grades (lab_id, submission) WHERE current = 1;
CREATE INDEX IF NOT EXISTS grades_by_lab ON grades (lab_id, submission, id);
"""


class Gradebook:
    """A gradebook file; use as a context manager or call :meth:`close`."""

    def __init__(self, path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        self.db.close()

    def current(self, lab_id, submission):
        """The current grade row of ``submission``, or ``None``."""
        return self.db.execute(
            "SELECT * FROM grades WHERE lab_id = ? AND submission = ? AND current = 1",
            (lab_id, submission)).fetchone()

    def is_graded(self, lab_id, lab_version, submission, sha256):
        """True if the current grade is for this lab version and these exact bytes
        (and grading did not fail on the grader's side)."""
        row = self.current(lab_id, submission)
        return (row is not None and row["lab_version"] == lab_version
                and row["sha256"] == sha256 and row["status"] != "error")

    def record(self, lab_id, lab_version, submission, path, sha256, result):
        """Make ``result`` the current grade of ``submission`` (older grades stay as history)."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        with self.db:  # one transaction
            self.db.execute("BEGIN IMMEDIATE")
            self.db.execute("UPDATE grades SET current = 0 WHERE lab_id = ? AND submission = ? "
                            "AND current = 1", (lab_id, submission))
            self.db.execute(
                "INSERT INTO grades (lab_id, lab_version, submission, path, sha256, score, "
                "max_score, status, graded_at, result, current) VALUES (?,?,?,?,?,?,?,?,?,?,1)",
                (lab_id, lab_version, submission, str(path), sha256, float(result["score"]),
                 float(result["max_score"]), result["status"], now, json.dumps(result)))

    def labs(self):
        """Lab ids that have grades."""
        return [r[0] for r in self.db.execute("SELECT DISTINCT lab_id FROM grades ORDER BY 1")]

    def current_grades(self, lab_id):
        """Current grade rows of a lab, by submission name, with ``result`` parsed."""
        rows = self.db.execute("SELECT * FROM grades WHERE lab_id = ? AND current = 1 "
                               "ORDER BY submission", (lab_id,)).fetchall()
        return [_as_dict(r) for r in rows]

    def history(self, lab_id):
        """Every grade of a lab, oldest first (without the full results)."""
        rows = self.db.execute(
            "SELECT id, submission, lab_version, sha256, score, max_score, status, graded_at, "
            "current FROM grades WHERE lab_id = ? ORDER BY submission, id", (lab_id,))
        return [dict(r) for r in rows]


def _as_dict(row):
    d = dict(row)
    d["result"] = json.loads(d["result"])
    return d
