"""The program that runs inside the sandbox: ``python -m course_lib.grading.runner``.

It first limits its own resources (address space, file size, CPU time, core
dumps: limits that no process can raise again once lowered), then reads the
notebook's code cells from standard input and runs them in an IPython shell,
one after another, each with a time limit. Then it forks a child process
(:class:`TestChild`) and, for each autograder test cell in turn, reads that
test's calls from standard input and has the child make them on the
student's functions; the child hands the outcomes, encoded as plain data,
back to this process through a pipe of its own, and this process forwards
them to the grader. A test that crashes the child, runs out of memory or
time, or leaves a thread running costs only its own test cell: the next test
gets a new child, forked again from the state the cells left.

Nothing is written to files: everything reaches the grader as frames (see
:mod:`course_lib.grading._channel`) on the pipe whose descriptor
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
import contextlib
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
import time
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
    try:
        message = str(error)
    except BaseException:
        message = ""
    name = type(error).__name__[:60]
    line = next((x.strip() for x in message.splitlines() if x.strip()), "")
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


class _TooLarge(Exception):
    """The test child's reply is longer than the result limit."""


# The first byte of the test child's reply: it makes more calls, or ends now.
_MORE, _LAST = b"+", b"."


class TestChild:
    """The process that makes the tests' calls, forked once the cells have run.

    Tests run one at a time, each with fresh arguments (its calls arrive
    pickled) and a time limit, as test cells run one after another in a
    grading kernel. A test that hangs, crashes, sends too much or leaves a
    thread running ends this process; the next test gets a new one, forked
    again from the state the cells left. Forking once per submission rather
    than once per test saves each test a fork, an exit and the copying of
    every page it touches (about 15 ms a test on hw01).
    """

    def __init__(
        self, namespace: dict[str, Any], timeout: float, limit: int, channel: int
    ):
        self.namespace = namespace
        self.channel = channel
        self.timeout = timeout
        self.limit = limit
        self.pid: int | None = None
        self.pidfd: int | None = None
        self.to_child = self.from_child = -1
        self.buffer = bytearray()
        self.status: int | None = None

    def run(self, k: int, frame: bytes) -> bytes:
        """Test ``k``'s calls (``frame``, as the grader pickled them); the result body."""
        from course_lib.grading._channel import pack_record

        if self.pid is None:
            self._start()
        deadline = time.monotonic() + self.timeout + 1
        try:
            reply, ended = self._exchange(frame, deadline)
        except _TooLarge:
            reply, ended, too_large = None, False, True
        else:
            too_large = False
        if reply is not None:
            if reply[:1] != _MORE or ended:
                self.close()  # it said it ends here, or has ended
            return reply[1:]
        status = self.close()
        if too_large:
            return pack_record(
                {"k": k, "error": f"the result is larger than {self.limit // 2**20} MB"}
            )
        if not ended:
            return pack_record(
                {
                    "k": k,
                    "error": f"TimeoutError: the calls ran for more than {self.timeout:g} s",
                }
            )
        signum = (
            os.WTERMSIG(status)
            if status is not None and os.WIFSIGNALED(status)
            else None
        )
        if signum in (signal.SIGALRM, signal.SIGXCPU):
            how = f"ran for more than {self.timeout:g} s"
        elif signum is not None:
            how = f"was killed by signal {signum}"
        else:
            how = "ended without returning"
        return pack_record({"k": k, "error": f"the process running the calls {how}"})

    def _start(self) -> None:
        to_child_r, self.to_child = os.pipe()
        self.from_child, from_child_w = os.pipe()
        pid = os.fork()
        if pid == 0:
            try:
                os.close(self.to_child)
                os.close(self.from_child)
                # Neither the grader's frames nor its channel: only its own pipes.
                os.close(self.channel)
                os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
                _serve_tests(self.namespace, to_child_r, from_child_w, self.timeout)
            finally:
                os._exit(0)
        os.close(to_child_r)
        os.close(from_child_w)
        self.pid = pid
        try:
            self.pidfd = os.pidfd_open(pid)
        except (AttributeError, OSError):
            self.pidfd = None
        self.buffer = bytearray()
        os.set_blocking(self.to_child, False)

    def _exchange(self, frame: bytes, deadline: float) -> tuple[bytes | None, bool]:
        """Send ``frame``; (the reply, or None, and whether the child has ended)."""
        outgoing = memoryview(_HEADER.pack(len(frame)) + frame)
        poller = select.poll()
        poller.register(self.from_child, select.POLLIN)
        if outgoing:
            poller.register(self.to_child, select.POLLOUT)
        if self.pidfd is not None:
            poller.register(self.pidfd, select.POLLIN)
        while True:
            reply = self._complete()
            if reply is not None:
                return reply, False
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None, False
            wait = remaining if self.pidfd is not None else min(remaining, 0.05)
            for fd, _ in poller.poll(wait * 1000):
                if fd == self.to_child:
                    try:
                        outgoing = outgoing[os.write(self.to_child, outgoing) :]
                    except BlockingIOError:
                        continue
                    except OSError:  # the child is gone
                        outgoing = memoryview(b"")
                    if not outgoing:
                        poller.unregister(self.to_child)
                elif fd == self.from_child:
                    chunk = os.read(self.from_child, 1 << 20)
                    if not chunk:
                        return self._complete(), True
                    self.buffer += chunk
            if self._exited():
                self._drain()
                return self._complete(), True

    def _complete(self) -> bytes | None:
        """The reply in the buffer, once all of it has arrived.

        Raises
        ------
        _TooLarge
            As soon as the reply says it is longer than the limit.
        """
        if len(self.buffer) < _HEADER.size:
            return None
        (length,) = _HEADER.unpack_from(self.buffer)
        if length > self.limit + 1:
            raise _TooLarge
        if len(self.buffer) < _HEADER.size + length:
            return None
        reply = bytes(self.buffer[_HEADER.size : _HEADER.size + length])
        del self.buffer[: _HEADER.size + length]
        return reply

    def _drain(self) -> None:
        """Whatever the child wrote before it ended is still in the pipe."""
        os.set_blocking(self.from_child, False)
        while len(self.buffer) <= self.limit + 1 + _HEADER.size:
            try:
                chunk = os.read(self.from_child, 1 << 20)
            except BlockingIOError:
                return
            if not chunk:
                return
            self.buffer += chunk

    def _exited(self) -> bool:
        if self.pid is None:
            return True
        try:
            done, raw = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            return True
        if done:
            self.status = raw
            self.pid = None
            return True
        return False

    def close(self) -> int | None:
        """End the child now, whatever it is doing; its wait status, if it had one."""
        status = self.status
        if self.pid is not None:
            try:
                os.kill(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            try:
                _, status = os.waitpid(self.pid, 0)
            except ChildProcessError:
                pass
            self.pid = None
        for fd in (self.to_child, self.from_child, self.pidfd):
            if fd is not None and fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.to_child = self.from_child = -1
        self.pidfd = None
        self.status = None
        return status


def _serve_tests(
    namespace: dict[str, Any], incoming: int, outgoing: int, timeout: float
) -> None:
    """The test child: make each test's calls and answer, until told no more."""
    import threading

    from course_lib.grading._channel import pack_record
    from course_lib.grading.spec import outcome_record

    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, signal.SIG_DFL)
    while True:
        frame = _recv(incoming)
        if frame is None:
            return
        k = -1
        try:
            k, calls = pickle.loads(frame)
            signal.alarm(max(1, int(timeout)))
            buffers: list[bytes] = []
            records = [outcome_record(namespace, call, buffers) for call in calls]
            signal.alarm(0)
            payload = pack_record({"k": k, "outcomes": records}, buffers)
        except BaseException as exc:
            signal.alarm(0)
            try:
                payload = pack_record({"k": k, "error": _describe(exc)})
            except BaseException:
                return
        # A thread the calls started would run on into the next test: end here.
        last = threading.active_count() > 1
        reply = (_LAST if last else _MORE) + payload
        view = memoryview(_HEADER.pack(len(reply)) + reply)
        while view:
            view = view[os.write(outgoing, view) :]
        if last:
            return


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="course_lib.grading.runner")
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
    tests = TestChild(shell.user_ns, args.call_timeout, args.result_mb * 2**20, channel)
    k = 0
    try:
        while True:
            frame = _recv(0)
            if frame is None:
                break
            # The grader asks for the tests in order, one at a time.
            _send(channel, b"R", tests.run(k, frame))
            k += 1
    finally:
        tests.close()
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

    import course_lib.grading.spec  # noqa: F401


def _submission(
    args: argparse.Namespace, fds: list[int], runner_args: list[str]
) -> None:
    """The child of the zygote for one submission; never returns."""
    from course_lib.grading import _namespaces

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

    from course_lib.grading import _namespaces

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
