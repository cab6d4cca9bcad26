"""Run a student's notebook in a bubblewrap sandbox and collect what it returned.

The sandbox (``bwrap``, Debian package ``bubblewrap``) has no network, its own
process namespace (it cannot see or signal the grader), a read-only view of
the Python installation and of ``course_lib`` only, and private in-memory
folders (``/sandbox``, its working folder, and ``/tmp``): ``solutions/``, the
gradebook, the course configuration and other students' files do not exist
inside it, and nothing it writes ever reaches the grader's disk.

Nothing crosses the wall as a file either. The grader sends the cells on the
sandbox's standard input, and each test's calls only once every cell has run;
the sandbox answers with frames on a pipe (:mod:`course_tools.grading.runner`).
The grader reads that pipe without ever blocking, accepts only the frames it
expects, in order, each within its time limit and size, and treats anything
else as the submission's own error. The time limits are kept here, outside:
a cell that ignores or disables its alarm is stopped ``cell_timeout`` (plus a
grace period) after it started, and a test's calls ``call_timeout`` after
they were sent.

Resource limits: the program inside lowers its own address-space, file-size,
CPU-time and core-dump limits before any student code runs (no process can
raise them again), and where the host allows (:mod:`course_tools.grading._cgroups`)
the whole sandbox is in control groups that cap its total memory, including
what its files hold in memory, its number of processes and its CPU share.

If the sandboxed process dies or overstays in the middle of the notebook, the
cell it was running is skipped and the notebook is run again (up to
:attr:`Limits.retries` times), so a crash costs only what depends on that cell.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import itertools
import json
import os
import pickle
import select
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import course_lib
from course_tools.grading import _cgroups
from course_tools.grading._channel import ChannelError, FrameReader, unpack_record
from course_tools.grading._text import first_line

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


#: Where the runner's modules are bound inside a sandbox (put first on sys.path).
RUNNER_ROOT = "/opt/course-runner"
#: What the runner needs of the instructor tools: nothing else of them (the
#: grader, the gradebook code, the LMS files) is ever bound into a sandbox.
RUNNER_MODULES = (
    "__init__.py",
    "runner.py",
    "_channel.py",
    "_namespaces.py",
    "spec.py",
    "codec.py",
    "_text.py",
)


def _python_binds() -> list[str]:
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix)}
    package = Path(course_lib.__file__).resolve().parent
    if not any(package.is_relative_to(r) for r in roots):
        roots.add(package)  # an editable install lives outside the prefix
    args: list[str] = []
    for root in sorted(roots):
        args += ["--ro-bind", str(root), str(root)]
    return args + _runner_binds()


def _runner_binds() -> list[str]:
    """The runner's modules, file by file, under :data:`RUNNER_ROOT`."""
    here = Path(__file__).resolve().parent
    inside = f"{RUNNER_ROOT}/course_tools"
    args = ["--ro-bind", str(here.parent / "__init__.py"), f"{inside}/__init__.py"]
    for name in RUNNER_MODULES:
        args += ["--ro-bind", str(here / name), f"{inside}/grading/{name}"]
    return args


def _sys_path() -> str:
    """The code that puts the runner, then the student library, first on sys.path."""
    library = str(Path(course_lib.__file__).resolve().parent.parent)
    return f"import sys; sys.path[:0] = [{RUNNER_ROOT!r}, {library!r}]"


def _command(limits: Limits, channel_fd: int) -> list[str]:
    return [*_wall(), *_runner(limits, channel_fd)]


def _wall(*, warm: bool = False) -> list[str]:
    """bubblewrap and its options: everything up to the program it runs.

    A warm sandbox's zygote keeps its capabilities inside a user namespace of
    its own, to make the namespaces of each submission; the submission drops
    them all before any of its code runs (:mod:`course_tools.grading._namespaces`).
    """
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
        *(["--unshare-user", "--cap-add", "ALL"] if warm else ["--cap-drop", "ALL"]),
        "--die-with-parent",
        "--new-session",
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


def _bootstrap() -> list[str]:
    # The grader's own course_lib, wherever it is installed (editable or not),
    # is the one that runs inside: its folder is bound and put on sys.path,
    # after the runner's few modules.
    code = (
        f"{_sys_path()}; "
        "from course_tools.grading.runner import main; raise SystemExit(main())"
    )
    return [sys.executable, "-s", "-c", code]


def _runner(limits: Limits, channel_fd: int) -> list[str]:
    return [*_bootstrap(), *_runner_args(limits, channel_fd)]


def _runner_args(limits: Limits, channel_fd: int) -> list[str]:
    return [
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
    stopped_in_test: int | None = None  # index of the test it died or hung in
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
    """One test's result: a dict, or an error record if it cannot be read.

    The dict's ``buffers`` are the bytes its arrays name (see
    :func:`course_tools.grading._channel.unpack_record`).
    """
    if len(body) > limits.result_mb * 2**20:
        return {"error": f"the result is larger than {limits.result_mb} MB"}
    from course_tools.grading.codec import MAX_ITEMS

    try:
        record, buffers = unpack_record(body, MAX_ITEMS)
    except ChannelError as error:
        return {"error": f"unreadable result: {first_line(error, 100)}"}
    if not isinstance(record, dict):
        return {"error": "unreadable result"}
    record["buffers"] = buffers
    return record


_SERIAL = itertools.count()


def _kill(proc: subprocess.Popen, cgroup: _cgroups.Cgroup | None) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    if cgroup is not None:
        cgroup.kill()


def _launch(
    command: list[str],
    *,
    memory_mb: int,
    max_processes: int,
    cpus: float,
    stdin: int,
    fd: int,
    failed: str,
) -> tuple[subprocess.Popen, Any]:
    """Start ``command`` in a session and a control group of its own.

    ``fd`` is the one descriptor it inherits; the control group (None where
    the host has none) is removed again if the process cannot start.

    Raises
    ------
    SandboxError
        With ``failed`` as its message, if the host has control groups but
        this one could not be made.
    """
    support = host_support()
    cgroup = support.create(
        f"{os.getpid()}-{next(_SERIAL)}-{time.monotonic_ns()}",
        memory_mb=memory_mb,
        max_processes=max_processes,
        cpus=cpus,
    )
    if cgroup is None and support.kind is not None:
        raise SandboxError(failed)
    if cgroup is not None:
        command = cgroup.wrap(command)
    try:
        proc = subprocess.Popen(
            command,
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(fd,),
            start_new_session=True,
            close_fds=True,
        )
    except BaseException:
        if cgroup is not None:
            cgroup.remove()
        raise
    return proc, cgroup


class _Cold:
    """A submission in a sandbox of its own: one bubblewrap process."""

    def __init__(self, limits: Limits, write_end: int):
        # The channel keeps its descriptor number inside the sandbox.
        self.proc, self.cgroup = _launch(
            _command(limits, write_end),
            memory_mb=limits.memory_mb,
            max_processes=limits.max_processes,
            cpus=limits.cpus,
            stdin=subprocess.PIPE,
            fd=write_end,
            failed="the sandbox's control group could not be made; run `course grade` again",
        )
        self.stdin = self.proc.stdin.fileno()  # type: ignore[union-attr]
        try:
            self.exit_fd: int | None = os.pidfd_open(self.proc.pid)
        except (AttributeError, OSError):
            self.exit_fd = None

    def exited(self) -> bool:
        return self.proc.poll() is not None

    def exit_code(self) -> int | None:
        return self.proc.poll()

    def kill(self) -> None:
        _kill(self.proc, self.cgroup)

    def close(self) -> None:
        self.kill()
        self.proc.wait()
        with contextlib.suppress(OSError):
            self.proc.stdin.close()  # type: ignore[union-attr]
        if self.exit_fd is not None:
            os.close(self.exit_fd)
        if self.cgroup is not None:
            self.cgroup.remove()


def _run_once(
    cells: list[dict[str, Any]],
    calls: dict[str, list[Any]],
    limits: Limits,
    deadline: float,
    zygote: _Zygote | None = None,
) -> _Run:
    protocol = _Protocol(cells, calls, limits, deadline)
    read_end, write_end = os.pipe()
    try:
        handle: _Cold | _Warm = (
            _Cold(limits, write_end)
            if zygote is None
            else zygote.start(limits, write_end)
        )
    except BaseException:
        os.close(read_end)
        os.close(write_end)
        raise
    os.close(write_end)
    try:
        _drive(handle, read_end, protocol, cells)
    finally:
        handle.close()
        os.close(read_end)
    return protocol.run


def _drive(
    proc: _Cold | _Warm,
    read_end: int,
    protocol: _Protocol,
    cells: list[dict[str, Any]],
) -> None:
    """Exchange frames with the sandbox until it is done, dead, late or rogue."""
    limits = protocol.limits
    reader = FrameReader(limits.result_mb * 2**20 + 65536)
    stdin = proc.stdin
    os.set_blocking(read_end, False)
    os.set_blocking(stdin, False)
    protocol.outbox += _frame(json.dumps(cells).encode())
    run = protocol.run
    with selectors.DefaultSelector() as selector:
        selector.register(read_end, selectors.EVENT_READ, "channel")
        if proc.exit_fd is not None:
            selector.register(proc.exit_fd, selectors.EVENT_READ, "exit")
        try:
            _exchange(selector, proc, read_end, reader, protocol)
        except ChannelError as error:
            run.violation = first_line(error, 200)
        except (ValueError, TypeError, RecursionError) as error:
            run.violation = f"malformed message ({type(error).__name__})"
    if run.failed:
        return
    _locate_stop(protocol, cells)
    protocol.run.records.update(
        {
            gid: {"error": _unfinished(run, gid, protocol)}
            for gid, _ in protocol.tests
            if gid not in run.records
        }
    )


def _exchange(
    selector: selectors.BaseSelector,
    proc: _Cold | _Warm,
    read_end: int,
    reader: FrameReader,
    protocol: _Protocol,
) -> None:
    """The loop of :func:`_drive`: write the outbox, read frames, watch the clock."""
    run = protocol.run
    stdin = proc.stdin
    writing = False
    while not protocol.done:
        if protocol.outbox and not writing:
            selector.register(stdin, selectors.EVENT_WRITE, "stdin")
            writing = True
        now = time.monotonic()
        late = protocol.overdue(now)
        if late:
            run.how = late
            return
        timeout = protocol.wake(now)
        if proc.exit_fd is None:
            timeout = min(timeout, 0.05)
        events = selector.select(timeout)
        for key, _ in events:
            if key.data == "stdin":
                if _send(stdin, protocol):
                    selector.unregister(stdin)
                    writing = False
            elif key.data == "channel":
                _read_frames(read_end, reader, protocol)
        if proc.exited() and not protocol.done:
            _after_exit(proc, read_end, reader, protocol)
            return


def _send(stdin: int, protocol: _Protocol) -> bool:
    """Write what the sandbox's input takes of the outbox; True once it is empty."""
    try:
        sent = os.write(stdin, protocol.outbox[: 1 << 16])
        del protocol.outbox[:sent]
    except BlockingIOError:
        pass
    except OSError:  # the sandbox closed its input
        protocol.outbox.clear()
    return not protocol.outbox


def _after_exit(
    proc: _Cold | _Warm, read_end: int, reader: FrameReader, protocol: _Protocol
) -> None:
    """The sandbox ended before it was done: read what it sent, say how it ended."""
    # Whatever it sent before it ended is still in the pipe.
    _read_frames(read_end, reader, protocol)
    if not protocol.done:
        run = protocol.run
        run.how = "ended the process"
        if not run.started:
            run.failed = f"exited with code {proc.exit_code()} before it started"


def _locate_stop(protocol: _Protocol, cells: list[dict[str, Any]]) -> None:
    """Record the cell or test the sandbox was in when it stopped, if any."""
    run = protocol.run
    if protocol.cell is not None:
        run.stopped_in_cell = protocol.cell
    elif run.how and protocol.test is not None and not protocol.done:
        run.stopped_in_test = protocol.test
    elif (
        run.how
        and protocol.test is None
        and not protocol.done
        and 0 < protocol.next_cell <= len(cells)
    ):
        # Died or stalled between two cells: what the last cell left running
        # (a thread, a timer) is the likeliest cause.
        run.stopped_in_cell = protocol.next_cell - 1


def _unfinished(run: _Run, grade_id: str, protocol: _Protocol) -> str:
    if run.violation:
        return "not graded: the notebook interfered with the grader's channel"
    if protocol.test is not None and protocol.tests[protocol.test][0] == grade_id:
        if run.how == "ended the process":
            return "the process running the calls ended without returning"
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
# Warm sandboxes: one zygote per grading thread, one fork per submission
# ---------------------------------------------------------------------------

#: Memory a zygote holds of its own (its preloaded modules), on top of a
#: submission's limit, in its control group.
ZYGOTE_MB = 768


class _Zygote:
    """A bubblewrap sandbox whose first process preloads modules and forks submissions.

    Every submission still gets new namespaces, new in-memory folders and no
    capabilities (see :mod:`course_tools.grading._namespaces`), but not the
    second or so it takes to start Python and import IPython, numpy and
    pandas: that was done once, in a process that never runs student code.
    """

    def __init__(self, limits: Limits, preload: tuple[str, ...]):
        self.key = (limits, preload)
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        command = [
            *_wall(warm=True),
            *_bootstrap(),
            "--zygote-fd",
            str(theirs.fileno()),
            "--preload",
            ",".join(preload),
            "--tmpfs-mb",
            str(limits.memory_mb),
        ]
        try:
            self.proc, self.cgroup = _launch(
                command,
                memory_mb=limits.memory_mb + ZYGOTE_MB,
                max_processes=limits.max_processes + 2,  # the zygote and its fork
                cpus=limits.cpus,
                stdin=subprocess.DEVNULL,
                fd=theirs.fileno(),
                failed="the warm sandbox's control group could not be made",
            )
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        self.sock = ours
        try:
            self.sock.settimeout(180)
            ready = self.sock.recv(64)
        except OSError:
            ready = b""
        if ready != b"ready":
            self.close()
            raise SandboxError("the warm sandbox did not start")
        self.sock.settimeout(None)
        self.busy = False

    def alive(self) -> bool:
        return self.proc.poll() is None

    def start(self, limits: Limits, write_end: int) -> _Warm:
        return _Warm(self, limits, write_end)

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        if self.cgroup is not None:
            self.cgroup.kill()
        self.proc.wait()
        self.sock.close()
        if self.cgroup is not None:
            self.cgroup.remove()


class _Warm:
    """One submission forked by a zygote (the same interface as :class:`_Cold`)."""

    def __init__(self, zygote: _Zygote, limits: Limits, write_end: int):
        self.zygote = zygote
        read_in, self.stdin = os.pipe()
        try:
            args = _runner_args(limits, write_end)
            message = b"run " + json.dumps(args).encode()
            zygote.sock.settimeout(30)
            socket.send_fds(zygote.sock, [message], [read_in, write_end])
            started = zygote.sock.recv(64)
        except OSError as error:
            os.close(self.stdin)
            raise SandboxError(
                f"the warm sandbox stopped answering ({error})"
            ) from None
        finally:
            os.close(read_in)
        if started != b"started":
            os.close(self.stdin)
            raise SandboxError("the warm sandbox did not start the submission")
        zygote.sock.settimeout(None)
        zygote.busy = True
        self.exit_fd: int | None = zygote.sock.fileno()
        self.code: int | None = None

    def exited(self) -> bool:
        if self.code is not None:
            return True
        try:
            self.zygote.sock.setblocking(False)
            message = self.zygote.sock.recv(64)
        except BlockingIOError:
            return False
        except OSError:
            message = b""
        finally:
            with contextlib.suppress(OSError):
                self.zygote.sock.setblocking(True)
        if message.startswith(b"exited "):
            self.code = int(message.split()[1])
        else:  # the zygote itself is gone
            self.code = -1
        return True

    def exit_code(self) -> int | None:
        return self.code

    def kill(self) -> None:
        if self.code is None:
            with contextlib.suppress(OSError):
                self.zygote.sock.send(b"kill")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.stdin)
        self.kill()
        deadline = time.monotonic() + 10
        while self.code is None and time.monotonic() < deadline:
            ready, _, _ = select.select([self.zygote.sock], [], [], 0.1)
            if ready:
                self.exited()
        if self.code is None or self.code == -1:
            # A zygote that cannot end a submission is not trusted with another.
            self.zygote.close()
        self.zygote.busy = False


_LOCAL = threading.local()
_ZYGOTES: list[_Zygote] = []
_ZYGOTES_LOCK = threading.Lock()
_WARM_OFF: list[str] = []  # why warm sandboxes do not work on this host, if they do not


def _zygote_for(limits: Limits, preload: tuple[str, ...]) -> _Zygote | None:
    """This thread's zygote for these limits (started, or restarted, if needed)."""
    if _WARM_OFF:
        return None
    zygote: _Zygote | None = getattr(_LOCAL, "zygote", None)
    if zygote is not None and (zygote.key != (limits, preload) or not zygote.alive()):
        zygote.close()
        zygote = None
    if zygote is None:
        try:
            zygote = _Zygote(limits, preload)
        except (SandboxError, OSError) as error:
            _WARM_OFF.append(str(error))
            return None
        with _ZYGOTES_LOCK:
            _ZYGOTES.append(zygote)
        _LOCAL.zygote = zygote
    return zygote


def start_warm_sandbox(limits: Limits, preload: tuple[str, ...]) -> None:
    """Start this thread's zygote now, so that its first submission does not wait."""
    _zygote_for(limits, tuple(preload))


def close_warm_sandboxes() -> None:
    """End every zygote this process started (grading is over)."""
    with _ZYGOTES_LOCK:
        zygotes, _ZYGOTES[:] = list(_ZYGOTES), []
    for zygote in zygotes:
        with contextlib.suppress(OSError):
            zygote.close()


atexit.register(close_warm_sandboxes)


# ---------------------------------------------------------------------------
# The whole submission
# ---------------------------------------------------------------------------


def run_sandboxed(
    cells: list[dict[str, Any]],
    calls: dict[str, list[Any]],
    limits: Limits | None = None,
    *,
    preload: tuple[str, ...] | None = None,
) -> SandboxResult:
    """Run ``cells`` in a fresh sandbox, then make ``calls``; return the records.

    Parameters
    ----------
    cells : list of dict
        ``{"id": ..., "source": ...}`` for each code cell to run, in order.
    calls : dict
        Grade id of each test cell -> list of :class:`~course_tools.grading.spec.Call`
        or :class:`~course_tools.grading.spec.Read`.
    limits : Limits, optional
        Resource limits; the defaults of :class:`Limits` otherwise.
    preload : tuple of str, optional
        Run in this thread's warm sandbox, whose zygote imports these modules
        once (where the host allows warm sandboxes); None starts a sandbox of
        its own for this submission.

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
    pending = dict(calls)  # the tests still to make
    result = SandboxResult()
    for _attempt in range(limits.retries + 1):
        zygote = None if preload is None else _zygote_for(limits, tuple(preload))
        run = _run_once(remaining, pending, limits, deadline, zygote)
        if run.failed and zygote is not None:
            # Warm sandboxes do not work here after all: say why once, go cold.
            _WARM_OFF.append(run.failed)
            run = _run_once(remaining, pending, limits, deadline)
        if run.failed:
            raise SandboxError(f"the sandbox could not run the notebook: {run.failed}")
        result.cell_errors = run.cell_errors
        result.records.update(run.records)
        if run.violation:
            result.error = (
                "the notebook interfered with the grader's channel "
                f"({run.violation}); nothing after that point was graded"
            )
            break
        if run.stopped_in_test is not None:
            if time.monotonic() >= deadline:
                result.error = "the notebook could not be run: it ran out of time"
                break
            # The run died or hung in a test: that test has its error; run the
            # notebook again for the tests after it.
            names = list(pending)
            pending = {g: pending[g] for g in names[run.stopped_in_test + 1 :]}
            if not pending:
                break
            continue
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
        result.error = (
            f"gave up after {limits.retries} cells or tests that crashed or hung"
        )
    result.skipped_cells = skipped
    result.seconds = time.monotonic() - started
    return result


def check_sandbox(limits: Limits | None = None) -> None:
    """Start one sandbox that runs Python and imports the runner; SandboxError if not.

    What ``course grade`` checks before it grades anyone (in well under a
    second), so that a host problem is reported once, not once per student.
    """
    del limits  # the check runs nothing that the limits would bound
    probe = f"{_sys_path()}; import course_tools.grading.runner"
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
