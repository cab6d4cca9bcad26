"""Run a student's notebook in a bubblewrap sandbox and collect what it returned.

The sandbox (``bwrap``, Debian package ``bubblewrap``) has no network, its own
process namespace (it cannot see or signal the grader), a read-only view of
the Python installation and of ``course_lib`` only, and private in-memory
folders (``/sandbox``, its working folder, and ``/tmp``): ``solutions/``, the
gradebook, the course configuration and other students' files do not exist
inside it, and nothing it writes ever reaches the grader's disk.

Nothing crosses the wall as a file either. The grader sends the cells on the
sandbox's standard input, and each test's calls only once every cell has run;
the sandbox answers with frames on a pipe (:mod:`course_lib.grading.runner`).
The grader reads that pipe without ever blocking, accepts only the frames it
expects, in order, each within its time limit and size, and treats anything
else as the submission's own error. The time limits are kept here, outside:
a cell that ignores or disables its alarm is stopped ``cell_timeout`` (plus a
grace period) after it started, and a test's calls ``call_timeout`` after
they were sent.

Resource limits: the program inside lowers its own address-space, file-size,
CPU-time and core-dump limits before any student code runs (no process can
raise them again), and where the host allows (:mod:`course_lib.grading._cgroups`)
the whole sandbox is in control groups that cap its total memory, including
what its files hold in memory, its number of processes and its CPU share.

If the sandboxed process dies or overstays in the middle of the notebook, the
cell it was running is skipped and the notebook is run again (up to
:attr:`Limits.retries` times), so a crash costs only what depends on that cell.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import os
import pickle
import selectors
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import course_lib
from course_lib.grading import _cgroups
from course_lib.grading._channel import ChannelError, FrameReader
from course_lib.grading._text import first_line

__all__ = [
    "Limits",
    "SandboxError",
    "SandboxResult",
    "bwrap_path",
    "check_sandbox",
    "host_support",
    "run_sandboxed",
]


class SandboxError(RuntimeError):
    """The sandbox itself cannot run (for example, bubblewrap is missing)."""


@dataclass(frozen=True)
class Limits:
    """Resource limits of one submission.

    Attributes
    ----------
    memory_mb : int
        Memory of the whole sandbox, files in its in-memory folders included
        (where control groups are available), and address space of each of
        its processes (MemoryError beyond it).
    cell_timeout : float
        Seconds one notebook cell may run.
    call_timeout : float
        Seconds the calls of one test cell may run together.
    submission_timeout : float
        Wall-clock seconds for the whole submission, retries included.
    output_mb : int
        Largest file the sandbox may write.
    result_mb : int
        Largest result of one test cell that the grader reads.
    retries : int
        How many crashing or hanging cells may be skipped before giving up.
    max_processes : int
        Processes the sandbox may have at once (a fork bomb stops there).
    cpus : float
        CPU time the sandbox may use per second of wall time.
    grace : float
        Seconds allowed, beyond a limit, for the sandbox to report back.

    The limits on total memory, processes and CPU share need control groups
    (see :func:`host_support`); the others hold everywhere.
    """

    memory_mb: int = 3072
    cell_timeout: float = 30.0
    call_timeout: float = 60.0
    submission_timeout: float = 600.0
    output_mb: int = 64
    result_mb: int = 32
    retries: int = 3
    max_processes: int = 128
    cpus: float = 1.0
    grace: float = 5.0


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


@functools.cache
def host_support() -> _cgroups.Support:
    """Which control-group limits this host can apply (detected once)."""
    return _cgroups.detect()


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


def _command(limits: Limits, channel_fd: int) -> list[str]:
    return [*_wall(), *_runner(limits, channel_fd)]


def _wall() -> list[str]:
    """bubblewrap and its options: everything up to the program it runs."""
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
        "--tmpfs",
        "/sandbox",
        "--chdir",
        "/sandbox",
    ]
    for key, value in env.items():
        command += ["--setenv", key, value]
    return command


def _runner(limits: Limits, channel_fd: int) -> list[str]:
    # The grader's own course_lib, wherever it is installed (editable or not),
    # is the one that runs inside: its folder is bound and put first on sys.path.
    parent = str(Path(course_lib.__file__).resolve().parent.parent)
    bootstrap = (
        f"import sys; sys.path.insert(0, {parent!r}); "
        "from course_lib.grading.runner import main; raise SystemExit(main())"
    )
    return [
        sys.executable,
        "-s",
        "-c",
        bootstrap,
        "--channel-fd",
        str(channel_fd),
        "--cell-timeout",
        str(limits.cell_timeout),
        "--call-timeout",
        str(limits.call_timeout),
        "--memory-mb",
        str(limits.memory_mb),
        "--file-mb",
        str(limits.output_mb),
        "--cpu-seconds",
        str(int(limits.submission_timeout) + 5),
        "--result-mb",
        str(limits.result_mb),
    ]


def _frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(4, "big") + payload


# ---------------------------------------------------------------------------
# One run of the sandbox
# ---------------------------------------------------------------------------


@dataclass
class _Run:
    """What one start of the sandbox produced."""

    cell_errors: dict[str, str | None] = field(default_factory=dict)
    records: dict[str, Any] = field(default_factory=dict)
    stopped_in_cell: int | None = None  # index of the cell it died or hung in
    how: str = ""  # why it stopped early, if it did
    violation: str | None = None  # the submission tampered with the channel
    started: bool = False  # the first cell (or the calls) began
    failed: str | None = None  # the sandbox itself could not run


class _Protocol:
    """The grader's side of one sandbox run: what may come next, and by when."""

    def __init__(
        self,
        cells: list[dict[str, Any]],
        calls: dict[str, list[Any]],
        limits: Limits,
        deadline: float,
    ):
        self.cells = cells
        self.tests = list(calls.items())
        self.limits = limits
        self.deadline = deadline
        self.run = _Run()
        self.cell: int | None = None  # the cell running now
        self.next_cell = 0
        self.test: int | None = None  # the test whose calls were sent
        self.done = False
        self.outbox = bytearray()
        self.step_deadline = time.monotonic() + 60.0 + limits.grace  # start-up

    # What the sandbox may say, in order: C0 E0 C1 E1 ... Y R0 R1 ...
    def on_frame(self, frame: bytes) -> None:
        if not frame:
            raise ChannelError("an empty frame")
        kind, body = frame[:1], frame[1:]
        now = time.monotonic()
        small = len(body) <= 65536
        if kind == b"C" and self.cell is None and self.test is None and small:
            if body != str(self.next_cell).encode() or self.next_cell >= len(
                self.cells
            ):
                raise ChannelError(f"cell {body[:20]!r} started out of order")
            self.run.started = True
            self.cell = self.next_cell
            self.step_deadline = now + self.limits.cell_timeout + self.limits.grace
        elif kind == b"E" and self.cell is not None and small:
            message = json.loads(body)
            if not isinstance(message, dict) or message.get("i") != self.cell:
                raise ChannelError("a cell ended out of order")
            error = message.get("error")
            cell_id = str(self.cells[self.cell]["id"])
            self.run.cell_errors[cell_id] = (
                None if error is None else first_line(error, 300) or "error"
            )
            self.cell = None
            self.next_cell += 1
            self.step_deadline = now + self.limits.grace
        elif kind == b"Y" and self.cell is None and self.test is None and not body:
            if self.next_cell != len(self.cells):
                raise ChannelError("the calls were asked for before every cell ran")
            self.run.started = True
            self._send_test(0, now)
        elif kind == b"F" and not self.run.started and small:
            self.run.failed = first_line(body.decode("utf-8", "replace"), 300)
            self.done = True
        elif kind == b"R" and self.test is not None:
            record = _parse_record(body, self.limits)
            if isinstance(record, dict) and "k" in record and record["k"] != self.test:
                raise ChannelError("a result came for another test")
            grade_id = self.tests[self.test][0]
            self.run.records[grade_id] = record
            self._send_test(self.test + 1, now)
        else:
            raise ChannelError(f"unexpected frame {kind!r}")

    def _send_test(self, k: int, now: float) -> None:
        if k >= len(self.tests):
            self.test = None
            self.done = True
            return
        self.test = k
        self.outbox += _frame(pickle.dumps((k, self.tests[k][1])))
        self.step_deadline = now + self.limits.call_timeout + self.limits.grace

    def overdue(self, now: float) -> str | None:
        if now > self.deadline:
            return "ran out of time"
        if now > self.step_deadline:
            if self.cell is not None:
                return "ran out of time"
            if self.test is not None:
                return f"the calls ran for more than {self.limits.call_timeout:g} s"
            return "stopped responding"
        return None

    def wake(self, now: float) -> float:
        return max(0.0, min(self.deadline, self.step_deadline) - now)


def _parse_record(body: bytes, limits: Limits) -> Any:
    """One test's result: a dict, or an error record if it cannot be read."""
    if len(body) > limits.result_mb * 2**20:
        return {"error": f"the result is larger than {limits.result_mb} MB"}
    # At most one JSON value per separator: a bound on what parsing builds.
    values = body.count(b",") + body.count(b"[") + body.count(b"{")
    from course_lib.grading.codec import MAX_ITEMS

    if values > MAX_ITEMS:
        return {"error": "the result holds too many values to be read"}
    try:
        record = json.loads(body)
    except (ValueError, RecursionError, UnicodeDecodeError) as error:
        return {"error": f"unreadable result ({type(error).__name__})"}
    return record if isinstance(record, dict) else {"error": "unreadable result"}


_SERIAL = itertools.count()


def _kill(proc: subprocess.Popen, cgroup: _cgroups.Cgroup | None) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if cgroup is not None:
        cgroup.kill()


def _run_once(
    cells: list[dict[str, Any]],
    calls: dict[str, list[Any]],
    limits: Limits,
    deadline: float,
) -> _Run:
    protocol = _Protocol(cells, calls, limits, deadline)
    support = host_support()
    cgroup = support.create(
        f"{os.getpid()}-{next(_SERIAL)}-{time.monotonic_ns()}",
        memory_mb=limits.memory_mb,
        max_processes=limits.max_processes,
        cpus=limits.cpus,
    )
    if cgroup is None and support.kind is not None:
        raise SandboxError(
            "the sandbox's control group could not be made; run `course grade` again"
        )
    read_end, write_end = os.pipe()
    try:
        # The channel keeps its descriptor number inside the sandbox.
        command = _command(limits, write_end)
        if cgroup is not None:
            command = cgroup.wrap(command)
        proc = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(write_end,),
            start_new_session=True,
            close_fds=True,
        )
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        if cgroup is not None:
            cgroup.remove()
        raise
    os.close(write_end)
    try:
        _drive(proc, read_end, protocol, cells)
    finally:
        _kill(proc, cgroup)
        proc.wait()
        with contextlib.suppress(OSError):
            proc.stdin.close()  # type: ignore[union-attr]
        os.close(read_end)
        if cgroup is not None:
            cgroup.remove()
    return protocol.run


def _drive(
    proc: subprocess.Popen,
    read_end: int,
    protocol: _Protocol,
    cells: list[dict[str, Any]],
) -> None:
    """Exchange frames with the sandbox until it is done, dead, late or rogue."""
    limits = protocol.limits
    reader = FrameReader(limits.result_mb * 2**20 + 65536)
    stdin = proc.stdin.fileno()  # type: ignore[union-attr]
    os.set_blocking(read_end, False)
    os.set_blocking(stdin, False)
    protocol.outbox += _frame(json.dumps(cells).encode())
    try:
        pidfd = os.pidfd_open(proc.pid)
    except (AttributeError, OSError):
        pidfd = None
    run = protocol.run
    with selectors.DefaultSelector() as selector:
        selector.register(read_end, selectors.EVENT_READ, "channel")
        if pidfd is not None:
            selector.register(pidfd, selectors.EVENT_READ, "exit")
        writing = False
        exited = False
        try:
            while not protocol.done:
                if protocol.outbox and not writing:
                    selector.register(stdin, selectors.EVENT_WRITE, "stdin")
                    writing = True
                now = time.monotonic()
                late = protocol.overdue(now)
                if late:
                    run.how = late
                    break
                timeout = protocol.wake(now)
                if pidfd is None:
                    timeout = min(timeout, 0.05)
                events = selector.select(timeout)
                for key, _ in events:
                    if key.data == "stdin":
                        try:
                            sent = os.write(stdin, protocol.outbox[: 1 << 16])
                            del protocol.outbox[:sent]
                        except BlockingIOError:
                            pass
                        except OSError:  # the sandbox closed its input
                            protocol.outbox.clear()
                        if not protocol.outbox:
                            selector.unregister(stdin)
                            writing = False
                    elif key.data == "channel":
                        _read_frames(read_end, reader, protocol)
                    elif key.data == "exit":
                        exited = True
                if pidfd is None and proc.poll() is not None:
                    exited = True
                if exited and not protocol.done:
                    # Whatever it sent before it ended is still in the pipe.
                    _read_frames(read_end, reader, protocol)
                    if not protocol.done:
                        run.how = "ended the process"
                        if not run.started:
                            run.failed = (
                                f"exited with code {proc.wait()} before it started"
                            )
                    break
        except ChannelError as error:
            run.violation = first_line(error, 200)
        except (ValueError, TypeError, RecursionError) as error:
            run.violation = f"malformed message ({type(error).__name__})"
        finally:
            if pidfd is not None:
                os.close(pidfd)
    if run.failed:
        return
    if protocol.cell is not None:
        run.stopped_in_cell = protocol.cell
    elif (
        run.how
        and protocol.test is None
        and not protocol.done
        and 0 < protocol.next_cell <= len(cells)
    ):
        # Died or stalled between two cells: what the last cell left running
        # (a thread, a timer) is the likeliest cause.
        run.stopped_in_cell = protocol.next_cell - 1
    protocol.run.records.update(
        {
            gid: {"error": _unfinished(run, gid, protocol)}
            for gid, _ in protocol.tests
            if gid not in run.records
        }
    )


def _unfinished(run: _Run, grade_id: str, protocol: _Protocol) -> str:
    if run.violation:
        return "not graded: the notebook interfered with the grader's channel"
    if protocol.test is not None and protocol.tests[protocol.test][0] == grade_id:
        return run.how or "no result: the calls were never made"
    return "no result: the calls were never made"


def _read_frames(fd: int, reader: FrameReader, protocol: _Protocol) -> None:
    while True:
        try:
            chunk = os.read(fd, 1 << 20)
        except BlockingIOError:
            return
        if not chunk:
            return
        for frame in reader.feed(chunk):
            protocol.on_frame(frame)
            if protocol.done:
                return


# ---------------------------------------------------------------------------
# The whole submission
# ---------------------------------------------------------------------------


def run_sandboxed(
    cells: list[dict[str, Any]],
    calls: dict[str, list[Any]],
    limits: Limits | None = None,
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

    Returns
    -------
    SandboxResult
        The parsed (but unchecked) outcome records per grade id.

    Raises
    ------
    SandboxError
        If the sandbox cannot start at all (not a fault of the submission).
    """
    limits = limits or Limits()
    started = time.monotonic()
    deadline = started + limits.submission_timeout
    skipped: list[str] = []
    remaining = list(cells)
    result = SandboxResult()
    for _attempt in range(limits.retries + 1):
        run = _run_once(remaining, calls, limits, deadline)
        if run.failed:
            raise SandboxError(f"the sandbox could not run the notebook: {run.failed}")
        result.cell_errors = run.cell_errors
        result.records = run.records
        if run.violation:
            result.error = (
                "the notebook interfered with the grader's channel "
                f"({run.violation}); nothing after that point was graded"
            )
            break
        index = run.stopped_in_cell
        if index is None:
            if run.how and not run.started:
                result.error = f"the notebook could not be run: it {run.how}"
            break
        if time.monotonic() >= deadline:
            result.error = "the notebook could not be run: it ran out of time"
            break
        # The run died or hung in a cell: skip that cell and run the notebook again.
        cell = remaining.pop(index)
        reason = "ran out of time" if "time" in run.how else "ended the process"
        skipped.append(f"{cell['id']}: {reason}")
    else:
        result.error = f"gave up after skipping {limits.retries} cells"
    result.skipped_cells = skipped
    result.seconds = time.monotonic() - started
    return result


def check_sandbox(limits: Limits | None = None) -> None:
    """Start one sandbox that runs Python and imports the runner; SandboxError if not.

    What ``course grade`` checks before it grades anyone (in well under a
    second), so that a host problem is reported once, not once per student.
    """
    del limits  # the check runs nothing that the limits would bound
    parent = str(Path(course_lib.__file__).resolve().parent.parent)
    probe = (
        f"import sys; sys.path.insert(0, {parent!r}); import course_lib.grading.runner"
    )
    try:
        proc = subprocess.run(
            [*_wall(), sys.executable, "-s", "-c", probe],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise SandboxError(
            f"a sandbox must start on this host before grading; got {error}. "
            "Check that `bwrap --version` works (README, instructor section)."
        ) from None
    if proc.returncode != 0:
        said = first_line(proc.stderr.decode("utf-8", "replace"), 200) or (
            f"exit code {proc.returncode}"
        )
        raise SandboxError(
            f"a sandbox must start on this host before grading; got: {said}. Check "
            "that user namespaces are enabled and `bwrap --version` works (README, "
            "instructor section)."
        )
