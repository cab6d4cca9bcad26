"""The program that runs inside the sandbox: ``python -m course_lib.grading.runner``.

It executes the student's code cells in an IPython shell, one after another,
each with a time limit, then, for each autograder test cell, forks a child
process that makes that test's calls on the student's functions and writes
the outcomes, encoded as plain data, to ``out/<grade id>.json``. A child that
crashes, runs out of memory or time costs only its own test cell.

Everything this program writes is untrusted by the grader, which reads it as
data and decides the scores elsewhere: student code runs in this process and
could change anything here.

Files in the working folder (the sandbox's ``/sandbox``):

- ``cells.json`` (input): ``[{"id": ..., "source": ...}, ...]``, the cells to run;
- ``calls.pkl`` (input): ``{grade_id: [Call | Read, ...]}``, pickled by the grader;
- ``out/progress.txt``: one line per cell started, so that the grader can
  skip a cell that killed the whole process and run the notebook again;
- ``out/cells.json``: per cell, the error it raised (or null);
- ``out/<grade_id>.json``: ``{"outcomes": [record, ...]}``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import pickle
import signal
import sys
import time
from pathlib import Path
from typing import Any


class CappedStream(io.TextIOBase):
    """A text stream that keeps the first ``limit`` characters and drops the rest.

    The sandbox's output goes to a file that the grader reads back; flooding it
    must neither fill the disk nor make a later write fail.
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
            except OSError:
                self._left = 0
        elif not self._warned:
            self._warned = True
            try:
                self._raw.write("\n[output truncated]\n")
            except OSError:
                pass
        return len(text)

    def flush(self) -> None:
        try:
            self._raw.flush()
        except OSError:
            pass


class CellTimeout(KeyboardInterrupt):
    """Raised in a cell that runs past its time limit."""


def _alarm(seconds: float) -> None:
    def _raise(signum: int, frame: Any) -> None:
        raise CellTimeout(f"the cell ran for more than {seconds:g} s")

    signal.signal(signal.SIGALRM, _raise)
    signal.setitimer(signal.ITIMER_REAL, seconds)


def _write_json(path: Path, payload: Any) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(payload, allow_nan=False, separators=(",", ":")))
    tmp.replace(path)


def run_cells(
    shell: Any, cells: list[dict[str, Any]], out: Path, timeout: float
) -> None:
    """Run each cell with a time limit; record its error, if any."""
    errors: dict[str, str | None] = {}
    with open(out / "progress.txt", "a", buffering=1) as progress:
        for index, cell in enumerate(cells):
            progress.write(f"{index}\n")
            _alarm(timeout)
            try:
                result = shell.run_cell(cell["source"], store_history=False)
                error = result.error_before_exec or result.error_in_exec
            except BaseException as exc:
                error = exc
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
            errors[str(cell["id"])] = (
                None if error is None else f"{type(error).__name__}: {error}"[:500]
            )
    _write_json(out / "cells.json", errors)


def _wait(pid: int, deadline: float) -> int | None:
    """Wait for child ``pid`` until ``deadline``; its status, or None on timeout."""
    import select

    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd: poll
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return status
            time.sleep(0.005)
        return None
    try:
        poller = select.poll()
        poller.register(fd, select.POLLIN)
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return None
            if poller.poll(remaining * 1000):
                return os.waitpid(pid, 0)[1]
    finally:
        os.close(fd)


def run_calls(
    namespace: dict[str, Any], calls: dict[str, list[Any]], out: Path, timeout: float
) -> None:
    """Make each test's calls in a child process of its own."""
    from course_lib.grading.spec import outcome_record

    for grade_id, test_calls in calls.items():
        target = out / f"{grade_id}.json"
        started = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            try:
                signal.setitimer(signal.ITIMER_REAL, 0)
                signal.signal(signal.SIGALRM, signal.SIG_DFL)
                signal.alarm(max(1, int(timeout)))
                records = [outcome_record(namespace, call) for call in test_calls]
                _write_json(target, {"outcomes": records})
            except BaseException as exc:
                try:
                    _write_json(target, {"error": f"{type(exc).__name__}: {exc}"[:500]})
                except BaseException:
                    pass
            finally:
                os._exit(0)
        status = _wait(pid, started + timeout + 1)
        if status is None:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            message = f"TimeoutError: the calls ran for more than {timeout:g} s"
            _write_json(target, {"error": message})
            continue
        if not target.exists():
            signum = os.WTERMSIG(status) if status and os.WIFSIGNALED(status) else None
            if signum in (signal.SIGALRM, signal.SIGXCPU):
                how = f"ran for more than {timeout:g} s"
            elif signum is not None:
                how = f"was killed by signal {signum}"
            else:
                how = "ended without returning"
            _write_json(target, {"error": f"the process running the calls {how}"})


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="course_lib.grading.runner")
    parser.add_argument("--workdir", type=Path, default=Path.cwd())
    parser.add_argument("--cell-timeout", type=float, default=30.0)
    parser.add_argument("--call-timeout", type=float, default=60.0)
    parser.add_argument("--output-chars", type=int, default=1_000_000)
    args = parser.parse_args(argv)
    work: Path = args.workdir
    out = work / "out"
    out.mkdir(exist_ok=True)
    # A write past the file-size limit must fail, not kill the process, and
    # the output is capped well below that limit.
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    sys.stdout = CappedStream(sys.stdout, args.output_chars)
    sys.stderr = CappedStream(sys.stderr, args.output_chars)
    cells = json.loads((work / "cells.json").read_text())
    calls = pickle.loads((work / "calls.pkl").read_bytes())

    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.user_ns["__name__"] = "__main__"
    run_cells(shell, cells, out, args.cell_timeout)
    sys.stdout.flush()
    sys.stderr.flush()
    with open(out / "progress.txt", "a") as progress:
        progress.write("calls\n")
    run_calls(shell.user_ns, calls, out, args.call_timeout)
    (out / "done").write_text("ok")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
