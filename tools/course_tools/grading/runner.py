"""The program that runs inside the sandbox: ``python -m course_tools.grading.runner``.

It first limits its own resources (address space, file size, CPU time, core
dumps: limits that no process can raise again once lowered), then reads the
notebook's code cells from standard input and runs them in an IPython shell,
one after another, each with a time limit. Then, for each autograder test
cell in turn, it reads that test's calls from standard input, makes them on
the student's functions, with a time limit, and sends the grader the
outcomes, encoded as plain data: test cells after cells, as in a grading
kernel. A test that crashes this process or will not stop costs only its own
test cell: the grader starts the notebook again for the tests after it.

Nothing is written to files: everything reaches the grader as frames (see
:mod:`course_tools.grading._channel`) on the pipe whose descriptor
``--channel-fd`` names. Frames start with one byte that says what they are:

- ``C`` + cell index: a cell starts;
- ``E`` + JSON ``{"i": index, "error": str | null}``: the cell ended;
- ``Y``: every cell has run; send the calls;
- ``R`` + JSON ``{"k": k, "outcomes": [...]}`` or ``{"k": k, "error": ...}``:
  what test ``k``'s calls produced;
- ``F`` + text: this program itself failed.

Everything this program sends is untrusted by the grader, which reads it as
data with strict limits and decides the scores elsewhere: student code runs
in this process and could send anything.
"""

from __future__ import annotations

import argparse
import gc
import io
import json
import os
import pickle
import resource
import select
import signal
import struct
import sys
from typing import Any

_HEADER = struct.Struct(">I")


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and drops the rest.

    Flooding the output must neither fill memory nor make a later write fail.
    """

    def __init__(self, raw: Any, limit: int):
        self._raw = raw
        self._left = limit
        self._warned = False

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if self._left > 0:
            piece = text[: self._left]
            self._left -= len(piece)
            try:
                self._raw.write(piece)
            except (OSError, ValueError):
                self._left = 0
        elif not self._warned:
            self._warned = True
            try:
                self._raw.write("\n[output truncated]\n")
            except (OSError, ValueError):
                pass
        return len(text)

    def flush(self) -> None:
        try:
            self._raw.flush()
        except (OSError, ValueError):
            pass


class NoInput(io.TextIOBase):
    """Standard input as a grading kernel has it: asking for input is an error.

    nbgrader runs notebooks in a kernel that refuses input requests; here
    the process's real standard input carries the grader's frames, which no
    cell may read or wait on.
    """

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> str:
        raise _no_input_error()

    def readline(self, size: int | None = -1) -> str:  # type: ignore[override]
        raise _no_input_error()


def _no_input_error() -> Exception:
    from IPython.core.error import StdinNotImplementedError

    return StdinNotImplementedError(
        "raw_input was called, but this frontend does not support input requests."
    )


class CellTimeout(KeyboardInterrupt):
    """Raised in a cell that runs past its time limit."""


def _alarm(seconds: float) -> None:
    def _raise(signum: int, frame: Any) -> None:
        raise CellTimeout(f"the cell ran for more than {seconds:g} s")

    signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _send(fd: int, kind: bytes, payload: bytes = b"") -> None:
    view = memoryview(_HEADER.pack(len(kind) + len(payload)) + kind + payload)
    while view:
        view = view[os.write(fd, view) :]


def _recv(fd: int) -> bytes | None:
    """One frame from ``fd`` (blocking); None at the end of the stream."""

    def exactly(n: int) -> bytes | None:
        chunks, got = [], 0
        while got < n:
            chunk = os.read(fd, min(n - got, 1 << 20))
            if not chunk:
                return None
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    header = exactly(_HEADER.size)
    if header is None:
        return None
    (length,) = _HEADER.unpack(header)
    return exactly(length)


def _describe(error: BaseException) -> str:
    """``"Name: first line"``; a syntax error also says its line and the text there."""
    if isinstance(error, SyntaxError):
        where = f"line {error.lineno}" if error.lineno else ""
        text = (error.text or "").strip()
        if text:
            where = f"{where}: {text}" if where else text
        message = error.msg or ""
        line = f"{message} ({where})" if where else message
    else:
        try:
            message = str(error)
        except BaseException:
            message = ""
        line = next((x.strip() for x in message.splitlines() if x.strip()), "")
    name = type(error).__name__[:60]
    return (f"{name}: {line}" if line else name)[:300]


def _address_space() -> int:
    """Bytes of address space this process holds now (0 if unknown)."""
    try:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def set_limits(memory_mb: int, file_mb: int, cpu_seconds: int) -> None:
    """Lower this process's hard limits; student code can never raise them again.

    The address space allowed is ``memory_mb`` beyond what the process already
    holds, so that a warm sandbox's preloaded modules do not eat the budget.
    """
    for which, value in (
        (resource.RLIMIT_AS, _address_space() + memory_mb * 2**20),
        (resource.RLIMIT_FSIZE, file_mb * 2**20),
        (resource.RLIMIT_CPU, cpu_seconds),
        (resource.RLIMIT_CORE, 0),
    ):
        resource.setrlimit(which, (value, value))


def run_cells(
    shell: Any, cells: list[dict[str, Any]], channel: int, timeout: float
) -> None:
    """Run each cell with a time limit; report its start and its error, if any."""
    for index, cell in enumerate(cells):
        _send(channel, b"C", str(index).encode())
        _alarm(timeout)
        try:
            result = shell.run_cell(cell["source"], store_history=False)
            error = result.error_before_exec or result.error_in_exec
        except BaseException as exc:
            error = exc
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        except BaseException:
            pass
        message = None if error is None else _describe(error)
        _send(channel, b"E", json.dumps({"i": index, "error": message}).encode())


def run_test(
    namespace: dict[str, Any], frame: bytes, timeout: float, limit: int
) -> bytes:
    """Make one test's calls (``frame``, as the grader pickled them); the result body.

    The calls run here, after the cells and the tests before, as test cells
    run one after another in a grading kernel; a time limit interrupts them
    as it interrupts a cell. The body is laid out by
    :func:`course_tools.grading._channel.pack_record`: the JSON of what the
    calls produced, then the bytes of its arrays.
    """
    from course_tools.grading._channel import pack_record
    from course_tools.grading.spec import outcome_record

    k = -1
    try:
        k, calls = pickle.loads(frame)
        buffers: list[bytes] = []
        _alarm(timeout)
        try:
            records = [outcome_record(namespace, call, buffers) for call in calls]
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        payload = pack_record({"k": k, "outcomes": records}, buffers)
    except CellTimeout:
        payload = pack_record(
            {
                "k": k,
                "error": f"TimeoutError: the calls ran for more than {timeout:g} s",
            }
        )
    except BaseException as exc:
        payload = pack_record({"k": k, "error": _describe(exc)})
    if len(payload) > limit:
        payload = pack_record(
            {"k": k, "error": f"the result is larger than {limit // 2**20} MB"}
        )
    return payload


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course_tools.grading.runner")
    parser.add_argument("--channel-fd", type=int, default=-1)
    parser.add_argument("--cell-timeout", type=float, default=30.0)
    parser.add_argument("--call-timeout", type=float, default=60.0)
    parser.add_argument("--memory-mb", type=int, default=3072)
    parser.add_argument("--file-mb", type=int, default=64)
    parser.add_argument("--cpu-seconds", type=int, default=605)
    parser.add_argument("--result-mb", type=int, default=32)
    parser.add_argument("--output-chars", type=int, default=1_000_000)
    parser.add_argument("--zygote-fd", type=int, default=-1)
    parser.add_argument("--preload", default="")
    parser.add_argument("--tmpfs-mb", type=int, default=1024)
    return parser


#: The shell a warm sandbox's zygote made before its first fork (see ``zygote``):
#: each submission runs in its own copy of it, which no other submission sees.
_SHELL: Any = None


def _make_shell() -> Any:
    """A fresh IPython shell whose ``__name__`` is ``"__main__"``, without history."""
    from IPython.core.interactiveshell import InteractiveShell
    from traitlets.config import Config

    class GradingShell(InteractiveShell):
        """A kernel's shell without a front end."""

        def enable_gui(self, gui: Any = None) -> None:
            # ``%matplotlib inline`` asks for an event loop, as in a kernel;
            # there is none to start, and the figures need none.
            pass

    config = Config()
    # Cells run with store_history=False, so the history database (a file
    # and a thread of its own) would record nothing.
    config.HistoryManager.enabled = False
    shell = GradingShell.instance(config=config)
    shell.user_ns["__name__"] = "__main__"
    return shell


def serve(args: argparse.Namespace, channel: int) -> int:
    """Run one submission: limits, then the cells from stdin, then each test's calls."""
    os.set_inheritable(channel, False)  # no program the student starts gets it
    set_limits(args.memory_mb, args.file_mb, args.cpu_seconds)
    # A write past the file-size limit must fail, not kill the process.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = CappedStream(sys.stdout, args.output_chars)
    sys.stderr = CappedStream(sys.stderr, args.output_chars)
    sys.stdin = NoInput()
    try:
        setup = _recv(0)
        if setup is None:
            return 1
        cells = json.loads(setup)
        if _SHELL is None:
            shell = _make_shell()
        else:
            shell = _SHELL
            # The zygote's home was replaced by this submission's empty one.
            os.makedirs(shell.profile_dir.location, exist_ok=True)
            shell.profile_dir.check_dirs()
    except BaseException as exc:
        _send(channel, b"F", _describe(exc).encode())
        return 1
    run_cells(shell, cells, channel, args.cell_timeout)
    # What the cells built, no test's collector walks again: a walk writes to
    # every object's page, which a forked test then copies (copy on write).
    gc.freeze()
    _send(channel, b"Y")
    limit = args.result_mb * 2**20
    while True:
        frame = _recv(0)
        if frame is None:
            break
        _send(channel, b"R", run_test(shell.user_ns, frame, args.call_timeout, limit))
    return 0


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.zygote_fd >= 0:
        return zygote(args)
    return serve(args, args.channel_fd)


# ---------------------------------------------------------------------------
# The warm sandbox: a zygote that forks each submission into namespaces of its own
# ---------------------------------------------------------------------------


def _preload(modules: str) -> None:
    """Import what the homework's notebooks import, once, before any fork.

    ``course_lib.datasets:load_x`` entries parse that loader's data (see
    ``imported_modules`` in ``grade``).
    """
    import importlib

    names = [m for m in modules.split(",") if m]
    for name in [n for n in names if ":" not in n]:
        try:
            importlib.import_module(name)
        except BaseException:
            continue
    loaders = [
        n.partition(":")[2] for n in names if n.startswith("course_lib.datasets:")
    ]
    if loaders:
        try:
            from course_lib import datasets

            datasets._warm(loaders)
        except BaseException:
            pass
    try:  # build matplotlib's font cache once, in the zygote
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot
    except BaseException:
        pass
    from IPython.core import interactiveshell  # noqa: F401

    import course_tools.grading.spec  # noqa: F401


def _submission(
    args: argparse.Namespace, fds: list[int], runner_args: list[str]
) -> None:
    """The child of the zygote for one submission; never returns."""
    from course_tools.grading import _namespaces

    status = 1
    try:
        _namespaces.die_with_parent()
        stdin_fd, channel = fds
        _namespaces.isolate(args.tmpfs_mb)
        pid = os.fork()  # process 1 of the new PID namespace
        if pid == 0:
            try:
                _namespaces.die_with_parent()
                _namespaces.mount_proc()
                # A session of its own: kill(0) cannot reach the zygote's group.
                os.setsid()
                os.chdir("/sandbox")
                os.dup2(stdin_fd, 0)
                os.close(stdin_fd)
                os.closerange(3, channel)
                os.closerange(channel + 1, 1024)
                _namespaces.drop_privileges()
                os._exit(serve(_parser().parse_args(runner_args), channel))
            except BaseException as exc:
                try:
                    _send(channel, b"F", _describe(exc).encode())
                finally:
                    os._exit(1)
        os.closerange(0, 1024)
        _, raw = os.waitpid(pid, 0)
        status = os.waitstatus_to_exitcode(raw) if raw else 0
    except BaseException as exc:
        try:
            _send(fds[1], b"F", _describe(exc).encode())
        except BaseException:
            pass
    finally:
        os._exit(status if 0 <= status < 256 else 1)


def zygote(args: argparse.Namespace) -> int:
    """Preload, then fork one isolated process per submission the grader asks for.

    The grader talks on a SOCK_SEQPACKET socket: ``run`` with the runner's
    arguments and two descriptors (the submission's standard input and its
    channel) starts one; ``kill`` ends the running one; this process answers
    ``ready`` once, then ``started`` and ``exited <code>`` for each. No student
    code ever runs in this process.
    """
    import socket

    from course_tools.grading import _namespaces

    control = socket.socket(fileno=args.zygote_fd)
    _namespaces.set_no_dump()
    _preload(args.preload)
    global _SHELL
    try:  # made here, once, it costs a submission nothing
        _SHELL = _make_shell()
    except BaseException:
        _SHELL = None
    # The same for everything preloaded: no submission's collector walks it.
    gc.collect()
    gc.freeze()
    control.send(b"ready")
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(control, 65536, 2)
        except OSError:
            return 0
        if not message:
            return 0
        if not message.startswith(b"run ") or len(fds) != 2:
            for fd in fds:
                os.close(fd)
            continue
        runner_args = json.loads(message[4:])
        pid = os.fork()
        if pid == 0:
            control.close()
            _submission(args, fds, runner_args)
        for fd in fds:
            os.close(fd)
        control.send(b"started")
        code = _watch_child(control, pid)
        control.send(f"exited {code}".encode())


def _watch_child(control: Any, pid: int) -> int:
    """Wait for the submission's process; kill it if the grader says so."""
    pidfd = os.pidfd_open(pid)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(control.fileno(), select.POLLIN)
    try:
        while True:
            for fd, _ in poller.poll():
                if fd == pidfd:
                    _, raw = os.waitpid(pid, 0)
                    return os.waitstatus_to_exitcode(raw)
                try:
                    message = control.recv(64)
                except OSError:
                    message = b""
                if message in (b"kill", b""):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
                    if not message:
                        poller.unregister(control.fileno())
    finally:
        os.close(pidfd)


if __name__ == "__main__":
    raise SystemExit(main())
