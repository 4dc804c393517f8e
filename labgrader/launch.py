"""How the untrusted worker process is started: the one place a sandbox wraps.

:func:`launch_worker` is the only function that creates a process running
student code. Today it applies resource limits with :func:`resource.setrlimit`
in the child, starts it in a new session (so the whole process group can be
killed), asks the kernel to kill it if the grading process dies, gives it a
clean environment and a private scratch directory, and connects it by pipes.

When ``limits.sandbox`` is set (the normal case, see :mod:`labgrader.sandbox`),
the worker runs as the slot's own uid inside bubblewrap, with ``prlimit``
applying the same :class:`Limits` plus a process cap, a size-capped scratch
``tmpfs`` and no view of the repository. Without it (``--unsafe-no-sandbox``)
only the resource limits apply. Everything above this function (the proxy, the
runner) only needs a ``Popen`` whose stdin and stdout are the message channel.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import resource
import shutil
import signal
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_PARENT = str(Path(__file__).resolve().parent.parent)

#: ``python -I`` ignores PYTHONPATH and the current directory, so the worker
#: finds labgrader through an explicit path whether or not it is installed.
_BOOT = "import sys; sys.path.insert(0, sys.argv[1]); from labgrader.worker import main; main()"


@dataclass(frozen=True)
class Limits:
    """Resource limits for one worker process.

    ``memory_mb`` caps the address space (a ``MemoryError`` in the student's
    code, or a crash); ``cpu_seconds`` caps the worker's total CPU time;
    ``file_mb`` the size of any file it writes; ``open_files`` its descriptors.
    ``env`` adds variables to the worker's clean environment. In the sandbox,
    ``processes`` caps the processes and threads of the slot's uid and
    ``scratch_mb`` the size of its writable scratch folder; ``sandbox`` (a
    :class:`labgrader.sandbox.Sandbox`) says which uid and image to use, or
    ``None`` for no sandbox.
    """

    memory_mb: int = 2048
    cpu_seconds: int = 600
    file_mb: int = 64
    open_files: int = 256
    env: dict = field(default_factory=dict)
    processes: int = 64
    scratch_mb: int = 256
    sandbox: object = None

    def rlimits(self):
        """The limits as ``{resource: bytes or count}`` (for setrlimit or ``prlimit``)."""
        mb = 2**20
        return {
            resource.RLIMIT_AS: self.memory_mb * mb,
            resource.RLIMIT_CPU: self.cpu_seconds,
            resource.RLIMIT_FSIZE: self.file_mb * mb,
            resource.RLIMIT_NOFILE: self.open_files,
            resource.RLIMIT_CORE: 0,
        }


def worker_command():
    """The argument list that starts :mod:`labgrader.worker` in isolated mode."""
    return [sys.executable, "-I", "-c", _BOOT, PACKAGE_PARENT]


def worker_env(scratch, extra=None):
    """A minimal environment: no inherited secrets, single-threaded BLAS, headless plots."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": os.environ.get("HOME", str(scratch)),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONHASHSEED": "0",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    env.update(extra or {})
    return env


def launch_worker(cmd, limits, *, cwd, stderr):
    """Start ``cmd`` as an untrusted worker under ``limits``; return the ``Popen``.

    The child's stdin and stdout are pipes carrying :mod:`labgrader.protocol`
    messages; ``stderr`` is a file object (kept for the instructor's details).
    """
    if limits.sandbox is not None:
        return _launch_sandboxed(cmd, limits, cwd=cwd, stderr=stderr)
    return subprocess.Popen(
        cmd,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        cwd=cwd,
        env=worker_env(cwd, limits.env),
        close_fds=True,
        start_new_session=True,
        preexec_fn=_child_setup(limits),  # noqa: PLW1509 - the grading process is single-threaded
    )


def _launch_sandboxed(cmd, limits, *, cwd, stderr):
    """Run ``cmd`` in bubblewrap as the slot's uid; the files in ``cwd`` appear read-only in
    its scratch folder (with the grader's matplotlib font list, so plots start fast)."""
    from labgrader import sandbox

    cmd = [sandbox.IMAGE_MOUNT if arg == PACKAGE_PARENT else arg for arg in cmd]
    fonts = sandbox.font_cache()
    if fonts is not None:
        (Path(cwd) / ".matplotlib").mkdir(exist_ok=True)
        shutil.copyfile(fonts, Path(cwd) / ".matplotlib" / fonts.name)
    files = []
    for folder, _, names in os.walk(cwd):
        os.chmod(folder, 0o755)
        for name in names:
            path = Path(folder, name)
            os.chmod(path, 0o644)
            files.append((path, str(path.relative_to(cwd))))
    args = sandbox.command(cmd, limits, limits.sandbox, files=files,
                           env=sandbox.sandbox_env(limits.env))
    cgroups = sandbox.slot_cgroups(limits.sandbox.uid, limits)

    def setup_child():
        _die_with_parent()
        sandbox.join_cgroups(cgroups)  # still root here: setpriv drops the rights after

    proc = subprocess.Popen(
        args,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=stderr,
        cwd="/",
        env={"PATH": "/usr/bin:/bin"},
        close_fds=True,
        start_new_session=True,
        preexec_fn=setup_child,  # noqa: PLW1509 - the grading process is single-threaded
    )
    proc.sandbox_uid = limits.sandbox.uid
    return proc


def _child_setup(limits):
    rlimits = limits.rlimits()

    def setup():
        for res, value in rlimits.items():
            resource.setrlimit(res, (value, value))
        _die_with_parent()

    return setup


def _die_with_parent():
    """Linux: SIGKILL this process when the process that started it exits."""
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, int(signal.SIGKILL), 0, 0, 0)
    except (OSError, AttributeError):
        pass


def kill_worker(proc):
    """Kill the worker and everything it started (its process group), then reap it."""
    if proc is None:
        return
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(ProcessLookupError):
        proc.kill()
    for stream in (proc.stdin, proc.stdout):
        try:
            if stream is not None:
                stream.close()
        except OSError:
            pass
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=5)
    if getattr(proc, "sandbox_uid", None) is not None:
        from labgrader.sandbox import kill_uid

        kill_uid(proc.sandbox_uid)  # the PID namespace is going; make sure it is gone
