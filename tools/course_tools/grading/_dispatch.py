"""Sending submissions through the sandbox and scoring what comes back.

The worker's side of ``course grade``: :func:`grade_job` draws a submission's
hidden inputs, runs its cells with
:func:`~course_tools.grading.sandbox.run_sandboxed`, and decides the scores
with :func:`score_records` in its own process, where no student code ever
ran. :class:`Pool` is where the jobs run; :func:`preflight` checks once that
sandboxes can run on this host.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from course_tools.grading._hidden import hidden_tests
from course_tools.grading._results import PartResult
from course_tools.grading._text import first_line, printable
from course_tools.grading.match import defined_names
from course_tools.grading.sandbox import (
    Limits,
    SandboxError,
    SandboxResult,
    check_sandbox,
    host_support,
    run_sandboxed,
    start_warm_sandbox,
)
from course_tools.grading.spec import (
    Test,
    inputs_rng,
    outcome_from_record,
    verdict,
)


@dataclass(frozen=True)
class Job:
    """One submission to grade, as sent to a worker (no student code runs there)."""

    student: str
    assignment: str
    hidden_source: str
    hidden_name: str
    fingerprint: str
    cells: list[dict[str, str]]
    seed: int
    limits: Limits
    points: dict[str, float]
    preload: tuple[str, ...] | None = None  # None: a cold sandbox of its own


@dataclass
class JobResult:
    """What a worker sends back: scores and hints, never student bytes."""

    parts: list[PartResult]
    cell_errors: dict[str, str | None]
    skipped_cells: list[str]
    error: str | None
    seconds: float
    infrastructure: str | None = None  # the grader failed, not the student


_UNDEFINED = re.compile(r"NameError: name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


def _never_defined(
    errors: list[str],
    cells: list[dict[str, str]],
    cell_errors: dict[str, str | None],
) -> str | None:
    """Why a name the tests called was never defined: the error of the cell that defines it.

    A syntax error (or any error) in the cell that defines ``f`` makes every
    call of ``f`` a NameError; the student should hear about the cell, and
    the line, rather than about a name they did write.
    """
    for error in errors:
        match = _UNDEFINED.match(error)
        if not match:
            continue
        name = match.group(1)
        broken = [
            (cell["id"], cell_errors[cell["id"]])
            for cell in cells
            if cell_errors.get(cell["id"])
            and name in defined_names(cell.get("source", ""))
        ]
        # A syntax error first: then nothing of the cell ran at all.
        broken.sort(
            key=lambda c: not str(c[1]).startswith(("SyntaxError", "Indentation"))
        )
        if broken:
            cell_id, cell_error = broken[0]
            return (
                f"{name} was never defined: the cell that defines it "
                f"({cell_id}) stopped with {cell_error}"
            )
    return None


def score_records(
    tests: dict[str, Test],
    calls: dict[str, list[Any]],
    points: dict[str, float],
    result: SandboxResult,
    cells: list[dict[str, str]] | None = None,
) -> list[PartResult]:
    """Decide every test cell's score from the sandbox's records.

    ``cells`` are the cells that ran: a call of a function whose cell failed
    (a syntax error, say) is explained by that cell's error.
    """
    parts = []
    for gid, test in tests.items():
        n_calls = len(calls[gid])
        record = result.records.get(gid)
        if (
            isinstance(record, dict)
            and isinstance(record.get("outcomes"), list)
            and len(record["outcomes"]) == n_calls
        ):
            buffers = record.get("buffers")
            outcomes = [outcome_from_record(r, buffers) for r in record["outcomes"]]
        else:
            why = record.get("error") if isinstance(record, dict) else None
            why = first_line(why or result.error or "no result", 300)
            outcomes = [outcome_from_record({"error": why})] * n_calls
        passed, hint = verdict(test, outcomes, calls[gid])
        errors = sorted({o.error for o in outcomes if o.error})
        if not passed and errors:
            # A function its cell never defined: say which cell failed, and how.
            why = _never_defined(errors, cells or [], result.cell_errors)
            if why is not None:
                hint = why
            elif hint is None:
                hint = f"Your code raised an error on a hidden test: {errors[0]}"
        parts.append(
            PartResult(
                grade_id=gid,
                points=points[gid] if passed else 0.0,
                max_points=points[gid],
                passed=passed,
                hint=None if hint is None else first_line(hint, 400),
            )
        )
    return parts


def grade_job(job: Job) -> JobResult:
    """Grade one submission: what a worker runs. Never raises."""
    try:
        tests = hidden_tests(job.fingerprint, job.hidden_source, job.hidden_name)
        calls = {
            gid: test.make_calls(inputs_rng(job.seed, gid))
            for gid, test in tests.items()
        }
    except Exception as error:
        return JobResult(
            [], {}, [], None, 0.0, f"the hidden tests failed to load: {error}"
        )
    try:
        raw = run_sandboxed(job.cells, calls, job.limits, preload=job.preload)
    except SandboxError as error:
        return JobResult([], {}, [], None, 0.0, str(error))
    except Exception as error:
        return JobResult([], {}, [], None, 0.0, f"{type(error).__name__}: {error}")
    try:
        parts = score_records(tests, calls, job.points, raw, job.cells)
    except (Exception, RecursionError) as error:
        # A crafted result that broke scoring: that submission's own error.
        parts = [
            PartResult(gid, 0.0, pts, False, "the result could not be scored")
            for gid, pts in job.points.items()
        ]
        raw.error = f"the results could not be scored ({type(error).__name__})"
    return JobResult(
        parts=parts,
        cell_errors={
            printable(k, 120): (None if v is None else first_line(v, 300))
            for k, v in raw.cell_errors.items()
        },
        skipped_cells=[printable(x, 200) for x in raw.skipped_cells],
        error=None if raw.error is None else first_line(raw.error, 300),
        seconds=raw.seconds,
    )


# --------------------------------------------------------------------------
# Finding submissions
# --------------------------------------------------------------------------


class Pool:
    """Where jobs run: threads of this process, or an existing Dask cluster.

    On one machine every job spends its time in a sandbox (a process of its
    own) and a short check here, so a thread per core keeps every core busy
    without starting a cluster; ``scheduler`` sends the jobs to Dask workers
    on other machines instead.
    """

    def __init__(self, workers: int, scheduler: str | None):
        self.scheduler = scheduler
        self._stack = contextlib.ExitStack()
        if scheduler:
            from distributed import Client

            self.client = self._stack.enter_context(Client(scheduler))
        else:
            from concurrent.futures import ThreadPoolExecutor

            self.client = self._stack.enter_context(
                ThreadPoolExecutor(max_workers=workers, thread_name_prefix="grade")
            )

    def warm(self, limits: Limits, preload: tuple[str, ...], workers: int) -> None:
        """Start each worker thread's warm sandbox while the submissions are read."""
        if not self.scheduler:
            for _ in range(workers):
                self.client.submit(start_warm_sandbox, limits, preload)

    def submit(self, job: Job, key: str) -> Any:
        if self.scheduler:
            return self.client.submit(grade_job, job, key=key, pure=False)
        return self.client.submit(grade_job, job)

    def as_completed(self, futures: Iterable[Any]) -> Iterator[Any]:
        if self.scheduler:
            from distributed import as_completed

            return iter(as_completed(list(futures)))
        from concurrent.futures import as_completed

        return as_completed(list(futures))

    def close(self) -> None:
        self._stack.close()


def preflight(limits: Limits) -> list[str]:
    """Check once that sandboxes can run here; what the host cannot limit.

    Raises
    ------
    SandboxError
        If no sandbox can start (bubblewrap missing or refused).
    """
    check_sandbox(limits)
    support = host_support()
    missing = support.missing()
    if not missing:
        return []
    why = f" ({support.why})" if support.why else ""
    return [
        "this host cannot limit each sandbox's "
        + ", ".join(missing)
        + f"{why}: each submission still has its own address-space, file-size, "
        "CPU-time and wall-clock limits. Run as root, or on a host with systemd "
        "and cgroup v2, to apply them (README, instructor section)."
    ]
