"""The sandbox around a worker: a private uid, bubblewrap, resource limits.

A sandboxed worker is started as::

    setpriv --reuid=U --regid=U --clear-groups --inh-caps=-all --bounding-set=-all \
            --no-new-privs -- \
    bwrap --unshare-all --unshare-user --disable-userns --die-with-parent --new-session \
          --clearenv --cap-drop ALL  <a minimal read-only view> -- \
    prlimit --as=... --cpu=... --nproc=... --fsize=... --nofile=... --core=0 -- \
    python -I -c BOOT /opt/labgrader

Privileges are dropped *first* (``bwrap`` run as root would keep root's
capabilities inside). Each parallel grading slot owns one uid
(:func:`acquire_slots`, a file lock per uid, so two grading runs on one machine
never share one), which makes ``RLIMIT_NPROC`` a real per-submission process
cap and lets :func:`kill_uid` remove anything left behind.

The sandbox sees only: ``/usr`` (system libraries, ``setpriv``/``prlimit``),
the interpreter and its packages read-only, an *image* (:func:`build_image`:
the worker's two modules and a copy of ``normlib`` in which the lab's
forbidden functions raise), a size-capped ``tmpfs`` as working directory and
``HOME``, and the submission's data files read-only. No repository, no hidden
tests, no other submission, no network, no host processes (own PID namespace:
when the worker dies, everything it started dies with it).

On these machines ``/root`` is mode 700 and the interpreter lives under it, so
a process running as the sandbox uid cannot read it; :func:`readable_tree`
builds a hard-linked copy once (no extra disk) under ``CACHE`` and mounts it
at the original path.
"""

from __future__ import annotations

import ast
import contextlib
import fcntl
import hashlib
import importlib
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

UID_BASE = int(os.environ.get("LABGRADER_UID_BASE", "61000"))
UID_COUNT = 64
CACHE = Path(os.environ.get("LABGRADER_CACHE", "/var/cache/labgrader"))
LOCKS = Path(tempfile.gettempdir()) / ".labgrader-slots"
IMAGE_MOUNT = "/opt/labgrader"      # holds labgrader/{worker,protocol}.py and normlib/
SCRATCH = "/scratch"                # the worker's cwd, HOME and TMPDIR (a tmpfs)
WORKER_MODULES = ("__init__.py", "protocol.py", "worker.py")
TOOLS = ("bwrap", "setpriv", "prlimit")


@dataclass(frozen=True)
class Sandbox:
    """Where a worker runs: its slot's ``uid`` and the ``image`` folder built for the run."""

    uid: int
    image: str


# ------------------------------------------------------------------ availability


def unavailable_reason():
    """``None`` if workers can be sandboxed here, else the reason in plain words."""
    if not sys.platform.startswith("linux"):
        return "the sandbox needs Linux"
    missing = [t for t in TOOLS if shutil.which(t) is None]
    if missing:
        return (f"{', '.join(missing)} not found (install Debian's bubblewrap and util-linux: "
                "`make sysdeps`)")
    if os.geteuid() != 0:
        return ("the grader is not running as root, so it cannot give each worker its own "
                "unprivileged uid")
    try:
        probe = subprocess.run(
            [*_drop(UID_BASE + UID_COUNT - 1), "bwrap", "--unshare-all", "--unshare-user",
             "--disable-userns", "--die-with-parent", "--ro-bind", "/usr", "/usr",
             "--symlink", "usr/bin", "/bin", "--symlink", "usr/lib", "/lib",
             "--symlink", "usr/lib64", "/lib64", "--", "/usr/bin/true"],
            capture_output=True, text=True, timeout=30, env={"PATH": "/usr/bin:/bin"})
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"bubblewrap could not be started: {exc}"
    if probe.returncode != 0:
        return f"bubblewrap does not work here: {probe.stderr.strip()[-300:]}"
    return None


# ------------------------------------------------------------------ uid slots


class Slots:
    """Uids locked for this process (one per parallel worker); :meth:`release` frees them."""

    def __init__(self, uids, handles):
        self.uids, self._handles = list(uids), handles

    def release(self):
        for uid in self.uids:
            kill_uid(uid)
        for handle in self._handles:
            handle.close()
        self._handles = []


def acquire_slots(count, wait=60.0):
    """Lock ``count`` free sandbox uids (waiting up to ``wait`` s for other runs to finish)."""
    LOCKS.mkdir(mode=0o700, parents=True, exist_ok=True)
    deadline = time.monotonic() + wait
    uids, handles = [], []
    while True:
        for uid in range(UID_BASE, UID_BASE + UID_COUNT):
            if len(uids) == count:
                break
            if uid in uids:
                continue
            handle = open(LOCKS / f"{uid}.lock", "a")  # noqa: SIM115 - kept until release()
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                handle.close()
                continue
            kill_uid(uid)  # a crashed run may have left something behind
            uids.append(uid)
            handles.append(handle)
        if len(uids) == count:
            return Slots(uids, handles)
        if time.monotonic() > deadline:
            Slots(uids, handles).release()
            raise RuntimeError(f"no free sandbox uid among {UID_BASE}..{UID_BASE + UID_COUNT - 1}"
                               " (too many grading runs at once?)")
        time.sleep(0.5)


def processes_of(uids):
    """Pids of live (not zombie) processes whose real or effective uid is in ``uids``."""
    uids, found = set(uids), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            status = Path(f"/proc/{entry}/status").read_text()
        except OSError:
            continue
        if "\nState:\tZ" in status:  # a zombie runs no code; its parent reaps it
            continue
        for line in status.splitlines():
            if line.startswith("Uid:"):
                real, effective = (int(x) for x in line.split()[1:3])
                if real in uids or effective in uids:
                    found.append(int(entry))
                break
    return found


def kill_uid(uid, rounds=20):
    """SIGKILL every process of ``uid`` (called only while holding that uid's slot lock)."""
    for _ in range(rounds):
        pids = processes_of([uid])
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.05)


# ------------------------------------------------------------------ per-slot cgroups

CGROUP_FS = Path("/sys/fs/cgroup")
CGROUP_NAME = "labgrader"


def slot_cgroups(uid, limits, root=CGROUP_FS):
    """Create (or reset) the cgroups of the slot ``uid``; return their ``cgroup.procs`` files.

    Resource limits per process and per uid leave one door open: a submission
    that forks many CPU-bound processes, each in its own session, takes most of
    the machine from the submission graded next to it, and its processes
    together can hold more memory than ``memory_mb``. A cgroup per slot puts all
    of a submission's processes under one CPU weight (slots share the CPU
    equally), one memory limit (``memory_mb`` plus the scratch ``tmpfs``, which
    is charged to it) and one process limit. Works with cgroup v2 and with v1's
    ``cpu``, ``memory`` and ``pids`` hierarchies; returns ``[]`` (no cgroups, the
    per-process limits still hold) where they cannot be written.
    """
    if os.environ.get("LABGRADER_NO_CGROUPS"):  # to measure what they buy, or to opt out
        return []
    memory = (limits.memory_mb + limits.scratch_mb) * 2**20
    try:
        if (root / "cgroup.controllers").exists():  # cgroup v2
            parent = root / CGROUP_NAME
            parent.mkdir(exist_ok=True)
            (parent / "cgroup.subtree_control").write_text("+cpu +memory +pids")
            group = parent / f"slot-{uid}"
            group.mkdir(exist_ok=True)
            settings = {"cpu.weight": "100", "memory.max": str(memory),
                        "memory.swap.max": "0", "pids.max": str(limits.processes)}
            for name, value in settings.items():
                if (group / name).exists():
                    (group / name).write_text(value)
            return [group / "cgroup.procs"]
        procs = []
        settings = {"cpu": {"cpu.shares": "1024"},
                    "memory": {"memory.limit_in_bytes": str(memory)},
                    "pids": {"pids.max": str(limits.processes)}}
        for controller, values in settings.items():
            group = root / controller / CGROUP_NAME / f"slot-{uid}"
            group.mkdir(parents=True, exist_ok=True)
            for name, value in values.items():
                (group / name).write_text(value)
            procs.append(group / "cgroup.procs")
        return procs
    except OSError:
        return []


def join_cgroups(procs):
    """Move the calling process into the cgroups ``procs`` (run in the child before exec)."""
    for path in procs:
        try:
            with open(path, "w") as handle:
                handle.write(str(os.getpid()))
        except OSError:
            pass


# ------------------------------------------------------------------ the image


def _stub_source(qualname):
    return (f"raise RuntimeError({qualname + ' is not available in this lab: the exercise asks'!r}"
            " ' you to write it yourself')")


def filter_module(source, names, module):
    """``source`` with each top-level function or class in ``names`` reduced to a stub that raises.

    Nothing of the original body survives in the copy, so ``importlib.reload``,
    reading the module's source or searching live objects cannot recover it.
    """
    tree = ast.parse(source)
    stubbed = set()
    for i, node in enumerate(tree.body):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) \
                and node.name in names:
            body = ast.parse(_stub_source(f"{module}.{node.name}")).body
            if isinstance(node, ast.ClassDef):
                new = ast.parse(f"class {node.name}:\n    def __init__(self, *a, **k):\n"
                                f"        {_stub_source(f'{module}.{node.name}')}\n").body[0]
            else:
                node.body, node.decorator_list = body, []
                node.args = ast.parse("def f(*a, **k): pass").body[0].args
                new = node
            tree.body[i] = new
            stubbed.add(node.name)
    return ast.unparse(tree), stubbed


def top_level_definitions(source):
    """Names of the functions and classes defined at the top level of ``source``."""
    return {node.name for node in ast.parse(source).body
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}


def _defining_files(forbidden):
    """``{source file: module name}`` of the ``normlib`` modules defining a forbidden name."""
    files = {}
    for dotted in forbidden:
        module, _, attr = dotted.rpartition(".")
        if not module.startswith("normlib"):
            continue
        try:
            obj = getattr(importlib.import_module(module), attr)
            home = sys.modules[getattr(obj, "__module__", module)]
        except (ImportError, AttributeError, KeyError):
            continue
        if getattr(home, "__file__", None):
            files[home.__file__] = home.__name__
    return files


def build_image(target, forbidden=()):
    """Write the sandbox's code folder at ``target`` (world-readable, read-only when mounted).

    ``target/labgrader`` holds only the worker and protocol modules; ``target/normlib``
    is a copy of the installed ``normlib`` in which every module that defines a
    ``forbidden`` function has *all* its functions and classes stubbed: stubbing only
    the forbidden names would leave the private helpers that do their work (and the
    public functions built on the same helpers, such as a group lasso with groups of
    one, which is the lasso) for a student to call instead.
    """
    target = Path(target)
    package = target / "labgrader"
    package.mkdir(parents=True)
    here = Path(__file__).resolve().parent
    (package / "__init__.py").write_text('"""Worker side of labgrader (sandbox copy)."""\n')
    for name in WORKER_MODULES[1:]:
        shutil.copyfile(here / name, package / name)
    try:
        spec = importlib.util.find_spec("normlib")
    except (ImportError, ValueError):
        spec = None
    if spec is not None and spec.submodule_search_locations:
        source = Path(list(spec.submodule_search_locations)[0])
        shutil.copytree(source, target / "normlib",
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        for path, module in _defining_files(forbidden).items():
            rel = Path(path).resolve().relative_to(source.resolve())
            original = Path(path).read_text(encoding="utf-8")
            text, _ = filter_module(original, top_level_definitions(original), module)
            (target / "normlib" / rel).write_text(text, encoding="utf-8")
    _make_readable(target)
    return target


def _make_readable(root):
    for folder, _dirs, files in os.walk(root):
        os.chmod(folder, 0o755)
        for name in files:
            os.chmod(os.path.join(folder, name), 0o644)


# ------------------------------------------------------------------ readable interpreter


def _world_traversable(path):
    path = Path(path).resolve()
    for part in [path, *path.parents]:
        mode = part.stat().st_mode
        if not mode & 0o001:
            return False
    return True


def readable_tree(path):
    """``path`` itself if others can read it, else a cached hard-linked copy they can."""
    path = Path(path).resolve()
    if _world_traversable(path):
        return path
    key = hashlib.sha256(str(path).encode()).hexdigest()[:16]
    copy = CACHE / f"{path.name}-{key}"
    if (copy / ".complete").exists():
        return copy
    CACHE.mkdir(parents=True, exist_ok=True)
    os.chmod(CACHE, 0o755)
    tmp = Path(tempfile.mkdtemp(prefix=".build-", dir=CACHE))
    try:
        done = subprocess.run(["cp", "-al", str(path), str(tmp / "tree")], capture_output=True)
        if done.returncode != 0:  # another file system: a real copy
            shutil.rmtree(tmp / "tree", ignore_errors=True)
            shutil.copytree(path, tmp / "tree", symlinks=True)
        (tmp / "tree" / ".complete").write_text(json.dumps({"source": str(path)}))
        os.chmod(tmp / "tree", 0o755)
        with contextlib.suppress(OSError):  # built by a concurrent run meanwhile
            os.rename(tmp / "tree", copy)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not _world_traversable(copy):
        raise RuntimeError(f"cannot make a readable copy of {path} under {CACHE}")
    return copy


def python_mounts():
    """``[(host folder, path in the sandbox)]`` for the interpreter and its packages."""
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix).resolve()}
    for key in ("stdlib", "platstdlib", "purelib", "platlib"):
        folder = Path(sysconfig.get_paths()[key]).resolve()
        if not any(folder.is_relative_to(r) for r in roots):
            roots.add(folder)
    exe = Path(sys.executable)
    mounts = [(readable_tree(r), str(r)) for r in sorted(roots)]
    if not any(exe.resolve().is_relative_to(r) for r in roots):
        mounts.append((readable_tree(exe.resolve().parent), str(exe.resolve().parent)))
    return mounts


# ------------------------------------------------------------------ the command


def _drop(uid):
    return ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups",
            "--inh-caps=-all", "--bounding-set=-all", "--no-new-privs", "--"]


def command(cmd, limits, sandbox, *, files, env):
    """The full argument list running ``cmd`` (a worker command) inside the sandbox.

    ``files`` are ``[(host file, name in the scratch folder)]`` mounted read-only.
    """
    args = [*_drop(sandbox.uid), "bwrap", "--unshare-all", "--unshare-user", "--disable-userns",
            "--die-with-parent", "--new-session", "--clearenv", "--cap-drop", "ALL",
            "--uid", str(sandbox.uid), "--gid", str(sandbox.uid),
            "--ro-bind", "/usr", "/usr", "--symlink", "usr/bin", "/bin",
            "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
            "--symlink", "usr/sbin", "/sbin", "--proc", "/proc", "--dev", "/dev",
            "--size", str(limits.scratch_mb * 2**20), "--tmpfs", SCRATCH]
    for host, inside in python_mounts():
        args += ["--ro-bind", str(host), inside]
    args += ["--ro-bind", str(sandbox.image), IMAGE_MOUNT]
    for host, name in files:
        args += ["--ro-bind", str(host), f"{SCRATCH}/{name}"]
    for key, value in env.items():
        args += ["--setenv", key, value]
    args += ["--chdir", SCRATCH, "--remount-ro", "/", "--"]
    rl = limits.rlimits()
    args += ["prlimit", f"--as={rl[resource.RLIMIT_AS]}", f"--cpu={rl[resource.RLIMIT_CPU]}",
             f"--fsize={rl[resource.RLIMIT_FSIZE]}", f"--nofile={rl[resource.RLIMIT_NOFILE]}",
             f"--nproc={limits.processes}", "--core=0", "--"]
    return args + list(cmd)


def sandbox_env(extra=None):
    """The worker's whole environment inside the sandbox (``--clearenv`` drops the rest)."""
    env = {"PATH": "/usr/bin:/bin", "HOME": SCRATCH, "TMPDIR": SCRATCH, "LANG": "C.UTF-8",
           "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{SCRATCH}/.matplotlib",
           "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1"}
    env.update(extra or {})
    return env


def font_cache():
    """The grader's matplotlib font list, if any (copied in so plots start fast)."""
    try:
        import matplotlib

        found = sorted(Path(matplotlib.get_cachedir()).glob("fontlist-*.json"))
    except Exception:  # noqa: BLE001 - a missing cache only makes plotting slower
        return None
    return found[-1] if found else None
