"""Grading throughput: `course grade` against stock `nbgrader autograde` on one class.

The class is 60 homework-1 submissions made from the answer bank: solutions,
untouched student versions, every plausible wrong answer, correct answers
written differently, and broken notebooks (a cell that ends the kernel, a
syntax error, a function that never returns). Stock nbgrader grades them
serially in the students' kernels; ``course grade`` grades them sandboxed on a
local Dask cluster with 1 and with 2 workers. Both start from the same
submissions in fresh course folders, and the rows compare per-cell scores.

A last row times what an instructor waits for when one student resubmits:
``course grade --student`` of one submission in the graded class, against
stock ``nbgrader autograde --student`` of the same submission.
"""

from __future__ import annotations

import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import nbgrader

from tests.homework.harness import BANK, Course, parts_of, source_notebook

HW = "hw01"
CLASS_SIZE = 60


def _class(course: Course) -> dict[str, Any]:
    parts = parts_of(source_notebook(HW))
    solved = {**parts.answers, **parts.manual_answers}
    variants: list[tuple[str, Any]] = [
        ("solution", course.make(solved)),
        ("released", course.released),
    ]
    for path in sorted((BANK / HW).glob("*/*.py")):
        answers = {**solved, path.parent.name: path.read_text()}
        variants.append((path.stem, course.make(answers)))
    first = next(iter(parts.answers))
    broken = {
        "exits": "import os\nos._exit(1)\n",
        "syntax-error": "def propublica_filter(df)\n    return df\n",
        "never-returns": parts.answers[first].replace(
            '"""\n', '"""\n    while True:\n        pass\n', 1
        ),
    }
    for name, code in broken.items():
        variants.append((name, course.make({**solved, first: code})))
    subs = {}
    for i in range(CLASS_SIZE):
        name, nb = variants[i % len(variants)]
        subs[f"s{i:02d}-{name}"] = nb
    return subs


def _course(base: Path, name: str, subs: dict[str, Any]) -> Course:
    course = Course(base / name, HW)
    for student, nb in subs.items():
        course.submit(student, nb)
    return course


def _timed(func) -> float:
    start = time.perf_counter()
    func()
    return time.perf_counter() - start


def run(repeats: int = 1) -> list[dict[str, Any]]:
    """Grade the class once per grader (``repeats`` is ignored: a run takes minutes)."""
    del repeats
    base = Path(tempfile.mkdtemp(prefix="bench-grading-"))
    try:
        template = Course(base / "template", HW)
        subs = _class(template)
        timeout = "--Execute.timeout=10"
        stock = _course(base, "stock", subs)
        # Stock nbgrader exits non-zero when a kernel dies (it drops that
        # submission); that is part of what is measured, not a failure here.
        stock_s = _timed(lambda: stock.nbgrader("autograde", HW, timeout, check=False))
        graded = stock.root / "autograded"
        dropped = [
            s for s in subs if not (graded / s / HW / stock.notebook_name).exists()
        ]
        stock_scores = {s: g for s, g in stock.scores().items() if s not in dropped}
        rows = []
        for workers in (1, 2):
            ours = _course(base, f"ours-{workers}", subs)
            ours_s = _timed(
                lambda ours=ours, workers=workers: ours.course(
                    "grade",
                    HW,
                    "--workers",
                    str(workers),
                    "--quiet",
                    "--call-timeout",
                    "10",
                )
            )
            ours_scores = ours.scores()
            diff = max(
                abs((ours_scores[s][cell][0] or 0) - (stock_scores[s][cell][0] or 0))
                for s in stock_scores
                for cell in stock_scores[s]
            )
            rows.append(
                {
                    "benchmark": f"course grade, {workers} worker{'s' if workers > 1 else ''}",
                    "dataset": f"{HW} class",
                    "rows": len(subs),
                    "ours_s": ours_s,
                    "peer": f"nbgrader {nbgrader.__version__} autograde",
                    "peer_s": stock_s,
                    "speedup": stock_s / ours_s,
                    "max_abs_diff": diff,
                    "note": (
                        f"{len(subs) / ours_s * 60:.0f} submissions/min with {workers} "
                        f"worker(s) against {len(subs) / stock_s * 60:.0f} for stock "
                        f"nbgrader, which dropped {len(dropped)} submission(s) whose kernel "
                        f"died; ours graded all {len(ours_scores)}. Scores are compared "
                        f"on the {len(stock_scores)} that both graded"
                    ),
                }
            )
        rows.append(_regrade_row(ours, stock, subs))
        return rows
    finally:
        shutil.rmtree(base, ignore_errors=True)


def _regrade_row(ours: Course, stock: Course, subs: dict[str, Any]) -> dict[str, Any]:
    """One student's resubmission, regraded in a class that is already graded."""
    student = next(s for s in subs if s.endswith("-solution"))
    ours_s = min(
        _timed(lambda: ours.course("grade", HW, "--student", student, "--quiet"))
        for _ in range(3)
    )
    stock_s = min(
        _timed(
            lambda: stock.nbgrader(
                "autograde", HW, "--student", student, "--force", "--Execute.timeout=10"
            )
        )
        for _ in range(3)
    )
    ours_grades = ours.scores()[student]
    stock_grades = stock.scores()[student]
    return {
        "benchmark": "single-student regrade",
        "dataset": f"{HW} class",
        "rows": 1,
        "ours_s": ours_s,
        "peer": f"nbgrader {nbgrader.__version__} autograde --student",
        "peer_s": stock_s,
        "speedup": stock_s / ours_s,
        "max_abs_diff": max(
            abs((ours_grades[c][0] or 0) - (stock_grades[c][0] or 0))
            for c in stock_grades
        ),
        "note": (
            "the whole command, as an instructor runs it after one student "
            "resubmits (best of 3, each in the already graded class): no cluster "
            "starts"
        ),
    }


if __name__ == "__main__":
    for row in run():
        print(row)
