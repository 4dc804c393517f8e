"""The untrusted worker: runs one submission's code and answers calls with plain data.

Started by :func:`labgrader.launch.launch_worker`, never imported by the grader.
Its life:

1. keep private copies of the pipe descriptors, point descriptors 0 and 1 at
   ``/dev/null`` and ``sys.stdout`` at a bounded buffer (a student's ``print``
   cannot write into the channel by accident), then say ``hello``;
2. receive ``init``: the code cells, the forbidden functions, the lab's
   drivers; replace every forbidden function by a stub that raises
   :class:`ForbiddenFunctionError` (also after a later import or a reload);
3. run each cell on its own, with a CPU-time limit (``ITIMER_PROF``, so a busy
   grading machine does not make honest code time out; the grader adds a
   wall-clock backstop); a syntax error or an exception is reported and the
   next cell runs anyway;
4. serve ``call`` / ``drive`` / ``get`` / ``has`` requests until the pipe closes.

Nothing here is trusted: the grader checks every reply as data
(:mod:`labgrader.protocol`) and computes every verdict itself.
"""

from __future__ import annotations

import contextlib
import importlib.abc
import io
import linecache
import os
import signal
import sys
import traceback
import types

from labgrader import protocol

MAX_OUTPUT = 4000


class ForbiddenFunctionError(RuntimeError):
    """Raised by the stub that replaces a function the lab asks students to write."""


class _Timeout(BaseException):  # noqa: N818 - BaseException so ``except Exception`` won't eat it
    pass


def _on_alarm(signum, frame):
    raise _Timeout()


class _Capture(io.TextIOBase):
    """A write-only text stream that keeps the first ``limit`` characters."""

    def __init__(self, limit=MAX_OUTPUT):
        self.limit, self.parts, self.size = limit, [], 0

    def writable(self):
        return True

    def write(self, text):
        text = str(text)
        if self.size < self.limit:
            self.parts.append(text[: self.limit - self.size])
        self.size += len(text)
        return len(text)

    def take(self):
        text = "".join(self.parts)
        if self.size > self.limit:
            text += f"\n... ({self.size - self.limit} more characters)"
        self.parts, self.size = [], 0
        return text


# ---------------------------------------------------------------- forbidden functions


def _stub(qualname):
    def forbidden(*args, **kwargs):
        raise ForbiddenFunctionError(
            f"{qualname} is not available in this lab: the exercise asks you to write it yourself"
        )

    forbidden.__name__ = forbidden.__qualname__ = qualname.rsplit(".", 1)[-1]
    return forbidden


def _patch(module, attrs):
    """Replace ``module.attr`` (and the same object in its defining module and parents)."""
    for attr in attrs:
        qualname = f"{module.__name__}.{attr}"
        original = module.__dict__.get(attr)
        stub = _stub(qualname)
        homes = [module]
        defining = sys.modules.get(getattr(original, "__module__", None) or "")
        if original is not None and defining is not None:
            homes.append(defining)
        parts = module.__name__.split(".")
        homes += [sys.modules[p] for p in (".".join(parts[:i]) for i in range(1, len(parts)))
                  if p in sys.modules]
        for home in homes:
            if home is module or (original is not None and home.__dict__.get(attr) is original):
                setattr(home, attr, stub)


class _PatchingLoader:
    """Wraps a module's loader: run it, then stub the forbidden attributes."""

    def __init__(self, loader, attrs):
        self._loader, self._attrs = loader, attrs

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        self._loader.exec_module(module)
        _patch(module, self._attrs)

    def __getattr__(self, name):
        return getattr(self._loader, name)


class _ForbidFinder(importlib.abc.MetaPathFinder):
    """Stubs forbidden functions whenever their module is imported (or reloaded)."""

    def __init__(self, targets):
        self.targets = targets

    def find_spec(self, fullname, path, target=None):
        if fullname not in self.targets:
            return None
        for finder in sys.meta_path:
            if finder is self or not hasattr(finder, "find_spec"):
                continue
            spec = finder.find_spec(fullname, path, target)
            if spec is not None:
                if spec.loader is not None:
                    spec.loader = _PatchingLoader(spec.loader, self.targets[fullname])
                return spec
        return None


def install_forbidden(names):
    """Make each dotted ``module.function`` in ``names`` raise when called."""
    targets = {}
    for name in names:
        module, _, attr = name.rpartition(".")
        targets.setdefault(module, []).append(attr)
    sys.meta_path.insert(0, _ForbidFinder(targets))
    for module, attrs in targets.items():
        if module in sys.modules:
            _patch(sys.modules[module], attrs)


# ---------------------------------------------------------------- running code


def _describe(exc, filename_prefix="<cell"):
    """``Type: message`` plus the student's part of the traceback, bounded."""
    summary = f"{type(exc).__name__}: {exc}"
    if isinstance(exc, SyntaxError):
        summary = f"SyntaxError: {exc.msg} (line {exc.lineno})"
    frames = traceback.extract_tb(exc.__traceback__)
    own = [f for f in frames if f.filename.startswith(filename_prefix)]
    where = "".join(traceback.format_list(own[-5:]))
    return summary[:1000], (where + summary)[-3000:]


def _run_cell(index, source, ns, timeout, capture):
    filename = f"<cell {index}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    status, error, details = "ok", None, None
    signal.setitimer(signal.ITIMER_PROF, timeout)
    try:
        exec(compile(source, filename, "exec"), ns)  # noqa: S102 - this is the worker's job
    except _Timeout:
        status, error = "timeout", f"did not finish within {timeout:g} s of CPU time"
    except BaseException as exc:  # noqa: BLE001 - a failing cell must not stop the others
        status = "syntax-error" if isinstance(exc, SyntaxError) else "error"
        error, details = _describe(exc)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    _close_figures()
    return {"op": "cell-done", "index": index, "status": status, "error": error,
            "details": details, "output": capture.take()}


def _close_figures():
    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        with contextlib.suppress(Exception):
            pyplot.close("all")


class StudentView:
    """What a driver receives: the submission's globals, by attribute."""

    def __init__(self, ns):
        self.__dict__["_ns"] = ns

    def __getattr__(self, name):
        try:
            return self._ns[name]
        except KeyError:
            raise AttributeError(f"{name!r} is not defined in the notebook") from None


def _serve_one(request, ns, drivers, timeout):
    op = request.get("op")
    name = request.get("name")
    if op == "has":
        return {"ok": True, "value": isinstance(name, str) and name in ns}
    if op == "get":
        if name not in ns:
            return _error("missing", f"{name} is not defined")
        target = None
    elif op == "call":
        target = ns.get(name)
        if name not in ns:
            return _error("missing", f"{name} is not defined")
        if not callable(target):
            return _error("not-callable", f"{name} is a {type(target).__name__}, not a function")
    elif op == "drive":
        if name not in drivers:
            return _error("grader", f"the lab has no driver named {name}")
        target = drivers[name]
    else:
        return _error("grader", f"unknown request {op!r}")
    try:
        args = protocol.decode(request.get("args", []))
        kwargs = protocol.decode(request.get("kwargs", {}))
    except protocol.ProtocolError as exc:
        return _error("grader", str(exc))
    if op == "drive":
        args = [StudentView(ns), *args]
    signal.setitimer(signal.ITIMER_PROF, timeout)
    try:
        value = ns[name] if op == "get" else target(*args, **kwargs)
        return {"ok": True, "value": protocol.encode(value)}
    except _Timeout:
        return _error("timeout", f"did not return within {timeout:g} s of CPU time")
    except protocol.ProtocolError as exc:
        return _error("unsupported", str(exc))
    except BaseException as exc:  # noqa: BLE001 - report the student's exception as data
        summary, details = _describe(exc)
        return _error("exception", summary, type=type(exc).__name__, details=details)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        _close_figures()


def _error(kind, message, **extra):
    return {"ok": False, "error": {"kind": kind, "message": str(message)[:1000], **extra}}


def _load_drivers(source):
    if not source:
        return {}
    module = types.ModuleType("lab_drivers")
    exec(compile(source, "<lab drivers>", "exec"), module.__dict__)  # noqa: S102
    return {k: v for k, v in vars(module).items() if callable(v) and not k.startswith("_")}


def _fake_labcheck():
    module = types.ModuleType("labcheck")
    module.check = lambda *args, **kwargs: None
    return module


def main():
    """Entry point of the worker process (see :func:`labgrader.launch.worker_command`)."""
    stderr = os.fdopen(os.dup(2), "w")
    try:
        _main()
    except BaseException:  # the grader shows this to the instructor
        traceback.print_exc(file=stderr)
        stderr.flush()
        raise


def _main():
    fd_in, fd_out = os.dup(0), os.dup(1)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    capture = _Capture()
    sys.stdout = sys.stderr = capture
    signal.signal(signal.SIGPROF, _on_alarm)
    import numpy  # noqa: F401 - load before student code so a broken numpy is the grader's error

    protocol.send(fd_out, {"op": "hello", "pid": os.getpid()})
    init = protocol.recv(fd_in)
    install_forbidden(init.get("forbidden", []))
    drivers = _load_drivers(init.get("drivers"))
    sys.modules["labcheck"] = _fake_labcheck()
    main_module = types.ModuleType("__main__")  # the notebook's namespace, as in a kernel
    sys.modules["__main__"] = main_module
    ns = main_module.__dict__
    ns["display"] = lambda *args, **kwargs: None
    skip = set(init.get("skip", []))
    for cell in init["cells"]:
        if cell["index"] in skip:
            continue
        protocol.send(fd_out, {"op": "cell-start", "index": cell["index"]})
        result = _run_cell(cell["index"], cell["source"], ns, init["cell_timeout"], capture)
        sys.stdout = sys.stderr = capture  # a cell may have replaced them
        protocol.send(fd_out, result)
    protocol.send(fd_out, {"op": "ready"})
    while True:
        try:
            request = protocol.recv(fd_in)
        except protocol.ChannelClosed:
            return
        reply = _serve_one(request, ns, drivers, float(request.get("timeout", 10)))
        capture.take()
        sys.stdout = sys.stderr = capture
        protocol.send(fd_out, reply)


if __name__ == "__main__":
    main()
