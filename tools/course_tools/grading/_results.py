"""What grading a class produces: each part's score, each student's result,
each submission that could not be graded, and the summary of a run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from course_tools.grading._text import printable


@dataclass
class PartResult:
    grade_id: str
    points: float
    max_points: float
    passed: bool
    hint: str | None = None


@dataclass
class StudentResult:
    student: str
    parts: list[PartResult]
    cell_errors: dict[str, str | None] = field(default_factory=dict)
    skipped_cells: list[str] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    findings: list[dict[str, Any]] = field(default_factory=list)
    seed: str = ""  # hex of the seed of the hidden inputs
    notes: list[str] = field(default_factory=list)  # for the student and instructor

    @property
    def score(self) -> float:
        return sum(p.points for p in self.parts)


@dataclass
class StudentError:
    """A submission that could not be graded, and what to do about it."""

    student: str
    file: str
    message: str

    def __str__(self) -> str:
        return printable(f"{self.student}: {self.file}: {self.message}", 600)


@dataclass
class GradeSummary:
    graded: list[StudentResult] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # already graded, unchanged
    errors: list[StudentError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # said once, about the host


# --------------------------------------------------------------------------
# The worker's side: draw the inputs, run the sandbox, check the outcomes
# --------------------------------------------------------------------------
