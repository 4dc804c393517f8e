"""The ``student`` object that hidden tests call, and the worker process behind it.

``student.soft_threshold(v, 0.5)`` sends the arguments to the worker as plain
data and returns the decoded reply (see
:mod:`labgrader.protocol`); ``student.drive("trajectory", 10)`` runs one of the
lab's drivers in the worker; ``student.value("answer_q5")`` fetches a variable;
``student.has("name")`` asks whether it is defined. Names that collide with
these methods can be called as ``student.call("value", ...)``.

Time limits: the worker interrupts a call after ``timeout`` seconds of CPU
time (fair on a busy machine); the grader kills a worker that has not replied
after ``WALL_FACTOR * timeout + GRACE`` seconds of wall time (a ``sleep``, a
blocked read, signals ignored). The same holds per cell with ``cell_timeout``.

Failures reach the test as :class:`StudentError` subclasses carrying a
message meant for the student (no expected values: the test has not compared
anything yet). When the worker dies or hangs, the call fails, the worker is
killed with its process group, and the next call starts a fresh one (which
re-runs the notebook's cells, skipping any cell that killed a worker before).
"""

from __future__ import annotations

import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

from labgrader import protocol
from labgrader.launch import Limits, kill_worker, launch_worker, worker_command

GRACE = 3.0          # seconds the grader waits beyond the worker's own timer
WALL_FACTOR = 3.0    # the worker limits CPU time; the grader allows this much wall time
START_TIMEOUT = 60.0  # seconds for the interpreter and numpy to start


MAX_MESSAGE = 200
_NUMBERS = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?(?:[\s,;\]\[()]+"
                      r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?){2,}")


def sanitize(message, limit=MAX_MESSAGE):
    r"""A student's exception message made safe for feedback: one line, runs of three or more
    numbers (an echoed hidden input) replaced by ``...``, at most ``limit`` characters.

    The full message stays in the instructor's details.
    """
    text = _NUMBERS.sub("...", " ".join(str(message).split()))
    return text if len(text) <= limit else text[: limit - 3] + "..."


class StudentError(Exception):
    """The student's code failed; ``kind`` classifies it, ``details`` is for instructors."""

    kind = "error"

    def __init__(self, message, details=""):
        super().__init__(message)
        self.student_message = message
        self.details = details


class StudentException(StudentError):
    """The student's code raised; ``type_name`` is the exception's class name."""

    kind = "exception"

    def __init__(self, message, details="", type_name="", label=""):
        super().__init__(message, details)
        self.type_name, self.label = type_name, label


class StudentTimeout(StudentError):
    kind = "timeout"


class WorkerCrashed(StudentError):
    kind = "crash"


class MissingName(StudentError):
    kind = "missing"


class UnsupportedValue(StudentError):
    kind = "unsupported"


class Unreadable(StudentError):
    kind = "unreadable"


class GraderError(RuntimeError):
    """Something went wrong on the grader's side (not the student's fault)."""


def describe_exit(code):
    """Plain words for a worker's exit status."""
    if code is None:
        return "it stopped responding"
    if code < 0:
        sig = signal.Signals(-code).name if -code in signal.Signals._value2member_map_ else -code
        extra = {"SIGKILL": " (out of memory, or killed)", "SIGSEGV": " (segmentation fault)",
                 "SIGXCPU": " (CPU time limit)", "SIGXFSZ": " (file size limit)"}.get(sig, "")
        return f"it was killed by {sig}{extra}"
    return f"it exited with status {code} (sys.exit or os._exit in your code?)"


class _SetupDied(Exception):
    def __init__(self, index, reason):
        super().__init__(reason)
        self.index, self.reason = index, reason


CELL_STATUSES = frozenset({"ok", "error", "syntax-error", "timeout"})
SETUP_MAX_BYTES = 2**20  # one message while the cells run: a cell's report is a few kB
_FIELD_LIMITS = {"error": 1000, "details": 5000, "output": 4000}


def _setup_problem(msg, current, expected):
    """Why ``msg`` cannot be the worker's next message while cells run, or ``None``.

    The worker announces exactly the cells it was sent, in order, each once, then
    ``ready``; code in a cell that writes its own frames breaks that order.
    """
    op = msg.get("op")
    if op == "cell-start":
        if current is not None or not expected or type(msg.get("index")) is not int \
                or msg.get("index") != expected[0]:
            return f"unexpected start of cell {msg.get('index')!r}"
    elif op == "cell-done":
        if current is None or type(msg.get("index")) is not int or msg.get("index") != current:
            return f"unexpected end of cell {msg.get('index')!r}"
        status = msg.get("status")
        if not isinstance(status, str) or status not in CELL_STATUSES:
            return "a cell status that is not one of " + ", ".join(sorted(CELL_STATUSES))
        if any(not isinstance(msg.get(k), str | None) for k in _FIELD_LIMITS):
            return "a cell report with fields that are not text"
    elif op == "ready":
        if current is not None or expected:
            return "ready before every cell ran"
    else:
        return f"unexpected message {op!r}"
    return None


def _cell_report(msg):
    """A checked ``cell-done`` message as the runner keeps it: text fields cut to size,
    the error message sanitized for the student (the full one goes to the details)."""
    cell = {k: (msg[k][:limit] if msg.get(k) else None) for k, limit in _FIELD_LIMITS.items()}
    cell["status"] = msg["status"]
    if cell["error"]:
        cell["details"] = f"{cell['error']}\n{cell['details'] or ''}"
        cell["error"] = sanitize(cell["error"])
    return cell


class Worker:
    """One worker process: start, run the cells, answer requests."""

    def __init__(self, init, limits, files=()):
        self.init, self.limits = init, limits
        self.scratch = tempfile.TemporaryDirectory(prefix="labgrader-worker-")
        for name, path in files:
            target = Path(self.scratch.name) / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
        self.stderr = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self.proc = launch_worker(worker_command(), limits, cwd=self.scratch.name,
                                  stderr=self.stderr)
        self.cells = {}

    @property
    def fds(self):
        return self.proc.stdout.fileno(), self.proc.stdin.fileno()

    def setup(self, skip):
        """Handshake and run the cells; raise :class:`_SetupDied` naming the culprit cell."""
        fd_in, fd_out = self.fds
        try:
            hello = protocol.recv(fd_in, time.monotonic() + START_TIMEOUT)
        except (protocol.ChannelClosed, protocol.ChannelTimeout, protocol.ProtocolError):
            raise GraderError("the worker process did not start: " + self.stderr_tail()) from None
        if hello.get("op") != "hello":
            raise GraderError("the worker process did not start properly")
        try:
            protocol.send(fd_out, {**self.init, "skip": sorted(skip)},
                          time.monotonic() + START_TIMEOUT)
        except (protocol.ChannelClosed, protocol.ChannelTimeout):
            raise GraderError("the worker process closed before receiving the notebook") from None
        expected = [c["index"] for c in self.init["cells"] if c["index"] not in skip]
        current = last = None
        per_cell = WALL_FACTOR * float(self.init["cell_timeout"]) + GRACE
        while True:
            try:
                msg = protocol.recv(fd_in, time.monotonic() + per_cell,
                                    max_bytes=SETUP_MAX_BYTES)
            except protocol.ChannelTimeout:
                self.kill()
                raise _SetupDied(current, f"did not finish within {per_cell:g} s and could not "
                                          "be interrupted") from None
            except protocol.ProtocolError as exc:
                self.kill()
                raise _SetupDied(last, f"broke the grading protocol ({exc})") from None
            except protocol.ChannelClosed:
                code = self.kill()
                if current is None:
                    raise GraderError("the worker died before running any cell: "
                                      + self.stderr_tail()) from None
                raise _SetupDied(current,
                                 f"stopped the Python process: {describe_exit(code)}") from None
            problem = _setup_problem(msg, current, expected)
            if problem:
                self.kill()
                raise _SetupDied(last, f"broke the grading protocol ({problem})")
            op = msg["op"]
            if op == "cell-start":
                current = last = expected.pop(0)
            elif op == "cell-done":
                self.cells[current] = _cell_report(msg)
                current = None
            else:  # ready
                return

    def request(self, message, wait):
        fd_in, fd_out = self.fds
        deadline = time.monotonic() + wait
        protocol.send(fd_out, message, deadline)
        return protocol.recv(fd_in, deadline, max_bytes=64 * 2**20)

    def kill(self):
        kill_worker(self.proc)
        return self.proc.returncode

    def stderr_tail(self, size=2000):
        try:
            self.stderr.seek(0, 2)
            end = self.stderr.tell()
            self.stderr.seek(max(0, end - size))
            return self.stderr.read().decode("utf-8", "replace")
        except (OSError, ValueError):
            return ""

    def close(self):
        self.kill()
        self.stderr.close()
        self.scratch.cleanup()


class StudentProxy:
    """What hidden tests call ``student``: remote calls into the submission's worker."""

    _OWN = frozenset({"call", "drive", "value", "has", "close", "start", "setup_report",
                      "events"})

    def __init__(self, cells, *, forbidden=(), drivers="", timeout=10.0, cell_timeout=60.0,
                 limits=None, max_restarts=10, files=()):
        self._init = {"op": "init", "cells": [{"index": c.index, "source": c.source}
                                              for c in cells],
                      "forbidden": list(forbidden), "drivers": drivers,
                      "cell_timeout": float(cell_timeout)}
        self._limits = limits or Limits()
        self._files = tuple(files)
        self._timeout = float(timeout)
        self._max_restarts = max_restarts
        self._worker = None
        self._ready = False
        self._skip = {}
        self._crashes = 0
        self.events = []
        self._cells = None

    # -------------------------------------------------------------- lifecycle

    def start(self):
        """Launch the first worker now (its setup finishes on the first call)."""
        if self._worker is None:
            self._worker = Worker(self._init, self._limits, self._files)
            self._ready = False

    def _ensure_ready(self):
        while True:
            if self._crashes > self._max_restarts:
                raise WorkerCrashed("your code stopped the Python process too many times; "
                                    "the remaining tests were not run")
            self.start()
            if self._ready:
                return self._worker
            try:
                self._worker.setup(set(self._skip))
            except _SetupDied as died:
                self._discard()
                if died.index is None or died.index in self._skip:
                    raise GraderError(f"the worker keeps dying during setup: "
                                      f"{died.reason}") from None
                self._skip[died.index] = died.reason
                self.events.append(f"code cell {died.index} {died.reason}; it was skipped")
                continue
            except GraderError:
                self._discard()
                raise
            if self._cells is None:
                self._cells = dict(self._worker.cells)
            self._ready = True
            return self._worker

    def _discard(self):
        if self._worker is not None:
            self._worker.close()
        self._worker, self._ready = None, False

    def close(self):
        self._discard()

    def setup_report(self):
        """Per code cell: status (ok, error, syntax-error, timeout, skipped) and error text."""
        cells = dict(self._cells or {})
        for index, reason in self._skip.items():
            cells[index] = {"status": "skipped", "error": reason, "details": None, "output": ""}
        return dict(sorted(cells.items()))

    # -------------------------------------------------------------- requests

    def _request(self, message, label):
        worker = self._ensure_ready()
        message = {**message, "timeout": self._timeout}
        try:
            reply = worker.request(message, WALL_FACTOR * self._timeout + GRACE)
        except protocol.ChannelTimeout:
            self._discard()
            self._crashes += 1
            self.events.append(f"{label} hung; the worker was restarted")
            wall = WALL_FACTOR * self._timeout + GRACE
            raise StudentTimeout(f"{label} did not return within {wall:g} s (it stopped "
                                 "responding and was killed)") from None
        except (protocol.ChannelClosed, protocol.ProtocolError) as exc:
            code = worker.kill()
            tail = worker.stderr_tail()
            self._discard()
            self._crashes += 1
            reason = describe_exit(code)
            self.events.append(f"{label} stopped the worker: {reason}; it was restarted")
            raise WorkerCrashed(f"your code stopped the Python process while running {label}: "
                                f"{reason}", details=f"{exc}\n{tail}") from None
        return self._unpack(reply, label)

    def _unpack(self, reply, label):
        if reply.get("ok") is True:
            try:
                return protocol.decode(reply.get("value"))
            except protocol.ProtocolError as exc:
                raise UnsupportedValue(f"{label} returned a value that cannot be checked: "
                                       f"{exc}") from None
        error = reply.get("error") if isinstance(reply.get("error"), dict) else {}
        kind, message = error.get("kind"), str(error.get("message", ""))[:1000]
        details = str(error.get("details") or "")[:4000]
        if kind == "missing":
            raise MissingName(f"{message} in your notebook (did its cell run without errors?)")
        if kind == "not-callable":
            raise MissingName(message)
        if kind == "timeout":
            raise StudentTimeout(f"{label} did not return within {self._timeout:g} s of CPU "
                                 "time (an infinite loop?)")
        if kind == "unsupported":
            raise UnsupportedValue(f"{label} returned a value that cannot be checked: {message}")
        if kind == "exception":
            raise StudentException(f"{label} raised {sanitize(message)}",
                                   f"{message}\n{details}", str(error.get("type", ""))[:100],
                                   label=label)
        raise GraderError(f"worker could not serve {label}: {message}")

    def call(self, name, *args, **kwargs):
        """Call the submission's function ``name`` with plain-data arguments."""
        return self._request({"op": "call", "name": name, "args": protocol.encode(list(args)),
                              "kwargs": protocol.encode(kwargs)}, f"{name}()")

    def drive(self, driver, *args, **kwargs):
        """Run the lab's driver ``driver(student, *args, **kwargs)`` inside the worker."""
        return self._request({"op": "drive", "name": driver, "args": protocol.encode(list(args)),
                              "kwargs": protocol.encode(kwargs)}, f"driver {driver}")

    def value(self, name):
        """The value of the submission's variable ``name``, as plain data."""
        return self._request({"op": "get", "name": name}, name)

    def has(self, name):
        """Whether the submission defines ``name``."""
        return bool(self._request({"op": "has", "name": name}, name))

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)

        def remote(*args, **kwargs):
            return self.call(name, *args, **kwargs)

        remote.__name__ = name
        return remote


class DeadProxy:
    """Stands in for a submission that could not be read: every use fails with ``reason``."""

    def __init__(self, reason):
        self.reason = reason
        self.events = []

    def _fail(self, *args, **kwargs):
        raise Unreadable("not run: the notebook could not be read", self.reason)

    call = drive = value = has = _fail

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return self._fail

    def setup_report(self):
        return {}

    def close(self):
        pass
