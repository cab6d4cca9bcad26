"""Run a student's notebook in a bubblewrap sandbox and collect what it returned.

The sandbox (``bwrap``, Debian package ``bubblewrap``) has no network, its own
process namespace (it cannot see or signal the grader), a read-only view of
the Python installation and of ``course_lib`` only, and a private working
folder: ``solutions/``, the gradebook, the course configuration and other
students' files do not exist inside it. Resource limits apply to everything
in it: address space (so numpy raises ``MemoryError`` instead of the kernel
dying), file size (caps output), CPU time, and wall-clock time enforced from
outside.

If the sandboxed process dies or hangs in the middle of the notebook, the
cell it was running is skipped and the notebook is run again (up to
:attr:`Limits.retries` times), so a crash costs only what depends on that cell.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import course_lib

__all__ = ["Limits", "SandboxError", "SandboxResult", "bwrap_path", "run_sandboxed"]


class SandboxError(RuntimeError):
    """The sandbox itself cannot run (for example, bubblewrap is missing)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission.

    Attributes
    ----------
    memory_mb : int
        Address-space limit of the sandboxed processes (MemoryError beyond it).
    cell_timeout : float
        Seconds one notebook cell may run.
    call_timeout : float
        Seconds the calls of one test cell may run together.
    submission_timeout : float
        Wall-clock seconds for the whole sandbox run, enforced from outside.
    output_mb : int
        Largest file (including captured output) the sandbox may write.
    retries : int
        How many crashing or hanging cells may be skipped before giving up.
    max_processes : int
        Processes the sandbox may have at once (a fork bomb stops there).
    cpus : float
        CPU time the sandbox may use per second of wall time.

    The last two are enforced with the cgroup v1 ``pids`` and ``cpu``
    controllers where the grader may create cgroups (as root on Linux), so
    that one submission cannot slow the others down; elsewhere they are not.
    """

    memory_mb: int = 3072
    cell_timeout: float = 30.0
    call_timeout: float = 60.0
    submission_timeout: float = 600.0
    output_mb: int = 64
    retries: int = 3
    max_processes: int = 128
    cpus: float = 1.0


@dataclass
class SandboxResult:
    """What came back from the sandbox (untrusted data, not yet checked)."""

    records: dict[str, Any] = field(default_factory=dict)  # grade_id -> parsed JSON
    cell_errors: dict[str, str | None] = field(default_factory=dict)
    skipped_cells: list[str] = field(default_factory=list)
    log_tail: str = ""
    error: str | None = None  # the whole run failed
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def bwrap_path() -> str:
    """The bubblewrap executable, or a SandboxError saying how to install it."""
    found = shutil.which("bwrap")
    if not found:
        raise SandboxError(
            "bubblewrap (bwrap) must be installed to grade in a sandbox; got no "
            "`bwrap` on PATH. Install it with `sudo apt-get install bubblewrap` "
            "(or run `bash scripts/system_deps.sh`)."
        )
    return found


def _system_binds() -> list[str]:
    args: list[str] = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib64", "lib32"):
        path = Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf"):
        if Path(name).exists():
            args += ["--ro-bind", name, name]
    return args


def _python_binds() -> list[str]:
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    package = Path(course_lib.__file__).resolve().parent
    if not any(package.is_relative_to(r) for r in roots):
        roots.add(package)  # an editable install lives outside the prefix
    args: list[str] = []
    for root in sorted(roots):
        args += ["--ro-bind", str(root), str(root)]
    return args


def _command(work: Path, limits: Limits) -> list[str]:
    env = {
        "HOME": "/sandbox",
        "PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": "/tmp/mpl",
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": "0",
        "LANG": "C.UTF-8",
    }
    command = [
        bwrap_path(),
        "--unshare-all",
        "--die-with-parent",
        "--new-session",
        "--cap-drop",
        "ALL",
        "--clearenv",
        *_system_binds(),
        # Mounts apply in order: the private /tmp comes before the Python binds,
        # which may live under /tmp (a clone checked out there), so as not to
        # hide them.
        "--proc",
        "/proc",
        "--dev",
        "/dev",
        "--tmpfs",
        "/tmp",
        *_python_binds(),
        "--bind",
        str(work),
        "/sandbox",
        "--chdir",
        "/sandbox",
    ]
    for key, value in env.items():
        command += ["--setenv", key, value]
    # The grader's own course_lib, wherever it is installed (editable or not),
    # is the one that runs inside: its folder is bound and put first on sys.path.
    parent = str(Path(course_lib.__file__).resolve().parent.parent)
    bootstrap = (
        f"import sys; sys.path.insert(0, {parent!r}); "
        "from course_lib.grading.runner import main; raise SystemExit(main())"
    )
    command += [
        sys.executable,
        "-s",
        "-c",
        bootstrap,
        "--workdir",
        "/sandbox",
        "--cell-timeout",
        str(limits.cell_timeout),
        "--call-timeout",
        str(limits.call_timeout),
    ]
    return command


_CGROUP_ROOT = Path("/sys/fs/cgroup")


def _make_cgroups(limits: Limits) -> list[Path]:
    """Create a pids and a cpu cgroup for one sandbox; [] where not possible.

    Empty cgroups left behind by a grader that was killed are removed first
    (``rmdir`` refuses any that still holds a process).
    """
    for controller in ("pids", "cpu"):
        with contextlib.suppress(OSError):
            for stale in (_CGROUP_ROOT / controller / "course-sandbox").iterdir():
                if stale.is_dir():
                    with contextlib.suppress(OSError):
                        stale.rmdir()
    made: list[Path] = []
    name = f"course-sandbox/{os.getpid()}-{time.monotonic_ns()}"
    settings = {
        "pids": {"pids.max": str(limits.max_processes)},
        "cpu": {
            "cpu.cfs_period_us": "100000",
            "cpu.cfs_quota_us": str(int(100000 * limits.cpus)),
        },
    }
    for controller, values in settings.items():
        folder = _CGROUP_ROOT / controller / name
        try:
            folder.mkdir(parents=True)
            for key, value in values.items():
                (folder / key).write_text(value)
        except OSError:
            _remove_cgroups([folder])
            continue
        made.append(folder)
    return made


def _remove_cgroups(folders: list[Path]) -> None:
    """Remove the cgroups once the sandbox's last processes are gone."""
    deadline = time.monotonic() + 5
    for folder in folders:
        while True:
            try:
                folder.rmdir()
                break
            except FileNotFoundError:
                break
            except OSError:  # still busy: the namespace is being torn down
                if time.monotonic() > deadline:
                    break
                time.sleep(0.02)


def _set_limits(limits: Limits, cgroups: list[Path]) -> Any:
    def apply() -> None:
        for folder in cgroups:
            with contextlib.suppress(OSError):
                (folder / "cgroup.procs").write_text(str(os.getpid()))
        memory = limits.memory_mb * 2**20
        size = limits.output_mb * 2**20
        cpu = int(limits.submission_timeout) + 5
        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        os.setsid()

    return apply


def _watch(
    proc: subprocess.Popen, progress: Path, budget: float, limits: Limits
) -> bool:
    """Wait for the sandbox; kill it when a cell or the whole run overstays.

    A cell normally ends at its own time limit inside the sandbox; one whose
    code disabled that alarm is caught here, ``cell_timeout`` plus a grace
    period after it started. Returns True if the sandbox was killed.
    """
    started = time.monotonic()
    grace = 5.0
    seen, since = "", started
    while True:
        try:
            proc.wait(timeout=0.1)
            return False
        except subprocess.TimeoutExpired:
            pass
        now = time.monotonic()
        try:
            text = progress.read_text()
        except OSError:
            text = ""
        last = text.rsplit("\n", 2)[-2] if text.count("\n") else ""
        if last != seen:
            seen, since = last, now
        in_cell = last.isdigit()
        if now - started > budget or (
            in_cell and now - since > limits.cell_timeout + grace
        ):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return True


def _read_tail(path: Path, limit: int = 4000) -> str:
    if not path.exists():
        return ""
    with open(path, "rb") as handle:
        handle.seek(max(0, path.stat().st_size - limit))
        return handle.read().decode("utf-8", errors="replace")


def _last_cell(progress: Path) -> int | None:
    if not progress.exists():
        return None
    lines = progress.read_text().split()
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def run_sandboxed(
    cells: list[dict[str, Any]],
    calls: dict[str, list[Any]],
    limits: Limits | None = None,
    *,
    workdir: str | os.PathLike[str] | None = None,
) -> SandboxResult:
    """Run ``cells`` in a fresh sandbox, then make ``calls``; return the records.

    Parameters
    ----------
    cells : list of dict
        ``{"id": ..., "source": ...}`` for each code cell to run, in order.
    calls : dict
        Grade id of each test cell -> list of :class:`~course_lib.grading.spec.Call`
        or :class:`~course_lib.grading.spec.Read`.
    limits : Limits, optional
        Resource limits; the defaults of :class:`Limits` otherwise.
    workdir : path, optional
        Folder in which to make the sandbox's private folder.

    Returns
    -------
    SandboxResult
        The parsed (but unchecked) outcome records per grade id.
    """
    limits = limits or Limits()
    payload = pickle.dumps(calls)
    started = time.monotonic()
    skipped: list[str] = []
    remaining = list(cells)
    result = SandboxResult()
    for _attempt in range(limits.retries + 1):
        with tempfile.TemporaryDirectory(prefix="course-sandbox-", dir=workdir) as tmp:
            work = Path(tmp)
            (work / "cells.json").write_text(json.dumps(remaining))
            (work / "calls.pkl").write_bytes(payload)
            out = work / "out"
            out.mkdir()
            log = work / "log.txt"
            budget = limits.submission_timeout - (time.monotonic() - started)
            with open(log, "wb") as sink:
                cgroups = _make_cgroups(limits)
                try:
                    proc = subprocess.Popen(
                        _command(work, limits),
                        stdin=subprocess.DEVNULL,
                        stdout=sink,
                        stderr=subprocess.STDOUT,
                        preexec_fn=_set_limits(limits, cgroups),
                    )
                    timed_out = _watch(proc, out / "progress.txt", budget, limits)
                finally:
                    _remove_cgroups(cgroups)
            finished = (out / "done").exists()
            result.log_tail = _read_tail(log)
            if finished or not remaining:
                result.records = _collect(out, calls)
                result.cell_errors = _cell_errors(out)
                break
            # The run died or hung: find the cell it was in and skip it.
            index = _last_cell(out / "progress.txt")
            if index is None or index >= len(remaining):
                result.records = _collect(out, calls)
                result.error = "the notebook could not be run: " + (
                    "it ran out of time"
                    if timed_out
                    else f"exit code {proc.returncode}"
                )
                break
            cell = remaining.pop(index)
            reason = "ran out of time" if timed_out else "ended the process"
            skipped.append(f"{cell['id']}: {reason}")
    else:
        result.error = f"gave up after skipping {limits.retries} cells"
    result.skipped_cells = skipped
    result.seconds = time.monotonic() - started
    return result


def _collect(out: Path, calls: dict[str, list[Any]]) -> dict[str, Any]:
    records: dict[str, Any] = {}
    for grade_id in calls:
        path = out / f"{grade_id}.json"
        if not path.is_file():
            records[grade_id] = {"error": "no result: the calls were never made"}
            continue
        try:
            records[grade_id] = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError, RecursionError) as error:
            records[grade_id] = {"error": f"unreadable result ({type(error).__name__})"}
    return records


def _cell_errors(out: Path) -> dict[str, str | None]:
    try:
        data = json.loads((out / "cells.json").read_text())
    except (OSError, ValueError):
        return {}
    return {
        str(k): (None if v is None else str(v)[:500]) for k, v in dict(data).items()
    }
