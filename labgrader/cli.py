"""The ``labgrader`` command: release, grade, export, validate, scan.

Exit codes: 0 success; 1 some submissions could not be graded (unreadable
notebook, grader failure) or a lab failed validation; 2 usage errors
(missing lab, unreadable lab, no submissions, missing files, a release that
would leak solutions). ``--json`` prints a machine-readable summary on stdout;
messages and the progress bar go to stderr.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from labgrader import __version__

SANDBOX_MISSING = (
    "labgrader: refusing to grade: no sandbox is available ({reason}), so student code would "
    "run with your user's rights (it is only resource-limited). Run as root with bubblewrap "
    "installed, or pass --unsafe-no-sandbox to grade anyway, e.g. on a throw-away machine or "
    "for your own notebooks."
)


def sandbox_available():
    """Whether untrusted workers can be sandboxed here (root, bubblewrap, setpriv, prlimit)."""
    return sandbox_problem() is None


def sandbox_problem():
    """Why workers cannot be sandboxed here, or ``None``."""
    from labgrader.sandbox import unavailable_reason

    return unavailable_reason()


def _parser():
    parser = argparse.ArgumentParser(
        prog="labgrader", description="Release, self-check and grade the course's labs.")
    parser.add_argument("--version", action="version", version=f"labgrader {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("release", help="write the student version of labs",
                       description="Write the student version of each LAB folder to "
                                   "OUT/<lab id>/: solutions replaced, hidden tests and "
                                   "instructor notes left out, self-check added. Fails if "
                                   "any solution line or hidden test would be released.")
    p.add_argument("labs", nargs="+", metavar="LAB", help="lab folder(s) holding lab.toml")
    p.add_argument("--out", required=True, help="output folder, e.g. dist/student")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    p = sub.add_parser("grade", help="grade submitted notebooks",
                       description="Grade SUBMISSION notebooks (files or folders) of one lab "
                                   "in parallel. Writes OUT/grades.csv, OUT/feedback/, "
                                   "OUT/instructor/, OUT/gradescope/ and the gradebook "
                                   "OUT/gradebook.sqlite. Submissions already graded with the "
                                   "same bytes and lab version are skipped unless --regrade.")
    p.add_argument("submissions", nargs="+", metavar="SUBMISSION")
    p.add_argument("--lab", required=True, help="the lab folder (holding lab.toml)")
    p.add_argument("--out", required=True, help="output folder")
    p.add_argument("--jobs", type=int, default=2, help="submissions graded at once (default 2)")
    p.add_argument("--timeout", type=float, default=None,
                   help="seconds per call of a student function (default: lab.toml, else 10)")
    p.add_argument("--cell-timeout", type=float, default=None,
                   help="seconds per notebook cell (default: lab.toml, else 60)")
    p.add_argument("--memory-mb", type=int, default=None,
                   help="address-space limit of a worker in MB (default: lab.toml, else 2048)")
    p.add_argument("--submission-timeout", type=float, default=600.0,
                   help="seconds for one whole submission before it is stopped (default 600)")
    p.add_argument("--regrade", action="store_true",
                   help="grade again even if already graded (the old grade stays in history)")
    p.add_argument("--unsafe-no-sandbox", action="store_true",
                   help="run student code without the sandbox (only resource limits): for "
                        "machines without bubblewrap/root, or your own trusted notebooks")
    p.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    p = sub.add_parser("scan", help="look for leaked solutions in any folder",
                       description="Scan every file under DIR (e.g. dist/student or the built "
                                   "book, HTML included) for the solution and hidden-test "
                                   "lines of each LAB. Exit code 1 if anything leaked.")
    p.add_argument("labs", nargs="+", metavar="LAB")
    p.add_argument("--dir", required=True, help="the folder to scan")
    p.add_argument("--public", action="append", default=[], metavar="PATH",
                   help="file or folder published anyway (e.g. book/principles): "
                        "solution lines found there verbatim are not leaks; repeatable")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    p = sub.add_parser("export", help="rewrite the reports from the gradebook",
                       description="Rewrite grades.csv, history.csv, feedback/, instructor/ and "
                                   "gradescope/ in OUT from OUT/gradebook.sqlite.")
    p.add_argument("--out", required=True, help="the folder holding gradebook.sqlite")
    p.add_argument("--lab", default=None, help="lab id or folder (needed if several labs)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")

    p = sub.add_parser("validate", help="check a lab end to end",
                       description="Release the lab, run the source notebook top to bottom "
                                   "with its self-checks, and grade both the solution "
                                   "notebook (must get full marks) and the student notebook "
                                   "(must get zero on every hidden test).")
    p.add_argument("labs", nargs="+", metavar="LAB")
    p.add_argument("--no-execute", action="store_true",
                   help="skip running the notebook in a Jupyter kernel")
    p.add_argument("--max-seconds", type=float, default=30.0,
                   help="budget in seconds of kernel CPU time for running the solution "
                        "notebook (default 30)")
    p.add_argument("--json", action="store_true", help="print a JSON summary on stdout")
    return parser


def _say(message):
    print(message, file=sys.stderr)


def _emit(args, summary, text):
    if args.json:
        print(json.dumps(summary, indent=1))
    else:
        print(text)


def _load_lab(path):
    from labgrader.lab import load_lab

    return load_lab(path)


def cmd_release(args):
    labs = [_load_lab(p) for p in args.labs]
    from labgrader.release import release_lab

    done = [release_lab(lab, args.out) for lab in labs]
    summary = {"out": str(args.out), "labs": [
        {"lab": r.lab_id, "folder": str(r.folder), "files": r.files,
         "secret_lines_checked": r.secrets_checked} for r in done]}
    text = "\n".join(f"released {r.lab_id} -> {r.folder} ({len(r.files)} files, "
                     f"{r.secrets_checked} solution lines checked: no leak)" for r in done)
    _emit(args, summary, text)
    return 0


def cmd_scan(args):
    labs = [_load_lab(p) for p in args.labs]
    if not Path(args.dir).is_dir():
        raise _Usage(f"folder not found: {args.dir}")
    import tempfile

    from labgrader.release import release_lab, scan

    with tempfile.TemporaryDirectory(prefix="labgrader-scan-") as tmp:
        # The student versions are public (release_lab refuses to write a leak):
        # a line they share with a solution, such as a hint in the instructions
        # or a generic loop in another lab, is no leak of that solution.
        released = [release_lab(lab, Path(tmp) / lab.id).folder for lab in labs]
        leaks = {lab.id: scan(lab, args.dir, public=[*args.public, *released])
                 for lab in labs}
    text = "\n".join(f"{lab}: " + ("no leak" if not found else "LEAKS\n  " + "\n  ".join(found))
                     for lab, found in leaks.items())
    _emit(args, {"dir": str(args.dir), "leaks": leaks}, text)
    return 1 if any(leaks.values()) else 0


def cmd_grade(args):
    from labgrader.grade import grade

    if args.jobs < 1:
        raise _Usage("--jobs must be at least 1")
    lab = _load_lab(args.lab)
    if not args.unsafe_no_sandbox:
        problem = sandbox_problem()
        if problem is not None:
            _say(SANDBOX_MISSING.format(reason=problem))
            return 2
    summary = grade(lab, args.submissions, args.out, jobs=args.jobs, timeout=args.timeout,
                    sandbox=not args.unsafe_no_sandbox,
                    cell_timeout=args.cell_timeout, memory_mb=args.memory_mb,
                    submission_timeout=args.submission_timeout, regrade=args.regrade,
                    progress=not args.no_progress and not args.json)
    lines = [f"{r['submission']}: {r['score']:g} / {r['max_score']:g} {r['status']}"
             + (" (already graded, skipped)" if r["action"] == "skipped" else "")
             + (f" - {r['message']}" if r["status"] != "ok" else "")
             for r in summary["submissions"]]
    lines.append(f"graded {summary['graded']}, skipped {summary['skipped']}, "
                 f"failed {summary['failed']} in {summary['seconds']} s "
                 f"({summary['cpu_seconds']} s of CPU); see {args.out}")
    _emit(args, summary, "\n".join(lines))
    return 1 if summary["failed"] else 0


def cmd_export(args):
    from labgrader.grade import export

    lab_id = args.lab
    if lab_id and (Path(lab_id) / "lab.toml").is_file():
        lab_id = _load_lab(lab_id).id
    summary = export(args.out, lab_id)
    _emit(args, summary, f"exported {summary['submissions']} grades of {summary['lab']} "
                         f"({summary['history_rows']} in history) to {args.out}")
    return 0


def cmd_validate(args):
    from labgrader.validate import validate_lab

    results = [validate_lab(_load_lab(p), execute=not args.no_execute,
                            max_seconds=args.max_seconds) for p in args.labs]
    text = "\n".join(r.text() for r in results)
    _emit(args, {"labs": [r.as_dict() for r in results]}, text)
    return 0 if all(r.ok for r in results) else 1


class _Usage(Exception):
    pass


def main(argv=None):
    """Run the command line; return the exit code."""
    from labgrader.grade import UsageError
    from labgrader.lab import LabError

    args = _parser().parse_args(argv)
    handler = {"release": cmd_release, "grade": cmd_grade, "export": cmd_export,
               "validate": cmd_validate, "scan": cmd_scan}[args.command]
    try:
        return handler(args)
    except (LabError, UsageError, _Usage) as exc:
        _say(f"labgrader {args.command}: error: {exc}")
        return 2
    except KeyboardInterrupt:
        _say("labgrader: interrupted; grades recorded so far are kept")
        return 130
