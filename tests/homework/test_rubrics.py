"""Every written answer has an anchored rubric, so that two graders agree.

The format is the one of solutions/hw13/hw13.ipynb, part E, inside the cell's
``### BEGIN SOLUTION`` region::

    **Rubric (4 points).**
    Score each criterion 0, 1 or 2; add them (raw score 0 to 8) and give points:
    raw 0 → 0, 1-2 → 1, 3-4 → 2, 5-6 → 3, 7-8 → 4.
    - **Measurement.** 0: ... 1: ... 2: ...
    ...
    **Sample answers, scored.**
    - Weak: "..." Measurement 1 (...), ...: raw 1, **1 point**.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

import nbformat
import pytest

from .harness import SOLUTIONS, nbgrader_meta

_REGION = re.compile(r"### BEGIN SOLUTION\n(.*?)### END SOLUTION", re.S)
_CRITERION = re.compile(r"^- \*\*(?P<name>[^*]+)\*\*(?P<levels>.*)$", re.M)
_LEVEL = re.compile(r"(?<![\w.$])([0-2]):")
_MAX_RAW = re.compile(r"raw score 0 to (\d+)")
_RANGE = re.compile(r"(\d+)(?:\s*[-–]\s*(\d+))?\s*→\s*(\d+)")
_SAMPLE = re.compile(r"^- (?P<kind>\w+):(?P<text>.*)$", re.M)
_SAMPLE_SCORE = re.compile(r"raw (\d+), \*\*(\d+) points?\*\*")


@dataclass
class Rubric:
    points: float
    criteria: dict[str, str]  # name -> the text of its levels
    max_raw: int
    mapping: dict[int, int]  # raw total -> points
    samples: list[tuple[str, int, int]]  # (kind, raw, points)


def _sections(region: str) -> tuple[str, str]:
    """The rubric's text and the samples' text of a solution region."""
    start = region.find("**Rubric (")
    assert start >= 0, "no '**Rubric (N points).**' heading"
    end = region.find("**Sample answers", start)
    assert end >= 0, "no '**Sample answers, scored.**' heading after the rubric"
    return region[start:end], region[end:]


def parse_rubric(source: str, points: float) -> Rubric:
    """Read and check the rubric of one manually graded cell's source."""
    region = _REGION.search(source)
    assert region, "no ### BEGIN SOLUTION ... ### END SOLUTION region"
    rubric, samples = _sections(region.group(1))

    heading = re.match(r"\*\*Rubric \((\d+) points?\)\.\*\*", rubric)
    assert heading, "rubric heading must read '**Rubric (N points).**'"
    assert int(heading.group(1)) == points, (
        f"rubric heading says {heading.group(1)} points; the cell has {points}"
    )

    criteria = {m["name"].strip(): m["levels"] for m in _CRITERION.finditer(rubric)}
    assert 3 <= len(criteria) <= 4, f"want 3 or 4 criteria; got {len(criteria)}"
    for name, levels in criteria.items():
        found = [int(m.group(1)) for m in _LEVEL.finditer(levels)]
        assert found == [0, 1, 2], (
            f"criterion {name!r} must describe levels 0:, 1:, 2: in order; got {found}"
        )

    lines = [line for line in rubric.splitlines() if _MAX_RAW.search(line)]
    assert len(lines) == 1, "one line must state 'raw score 0 to N' and the mapping"
    max_raw = int(_MAX_RAW.search(lines[0]).group(1))
    assert max_raw == 2 * len(criteria), (
        f"raw score 0 to {max_raw}, but {len(criteria)} criteria scored 0 to 2"
    )
    mapping: dict[int, int] = {}
    for lo, hi, score in _RANGE.findall(lines[0]):
        for raw in range(int(lo), int(hi or lo) + 1):
            assert raw not in mapping, f"raw {raw} is mapped twice"
            mapping[raw] = int(score)
    assert sorted(mapping) == list(range(max_raw + 1)), (
        f"the mapping must cover raw 0 to {max_raw} once each; covers {sorted(mapping)}"
    )
    scores = [mapping[raw] for raw in range(max_raw + 1)]
    assert scores == sorted(scores), "points must not fall as the raw total rises"
    assert scores[-1] == points, (
        f"the top raw total gives {scores[-1]} points; the cell has {points}"
    )
    # One rule in every homework: raw x points / max raw, rounded half up.
    rule = [math.floor(raw * points / max_raw + 0.5) for raw in range(max_raw + 1)]
    assert scores == rule, (
        f"the mapping must be raw x points / {max_raw} rounded half up"
    )

    found_samples = []
    for m in _SAMPLE.finditer(samples):
        score = _SAMPLE_SCORE.findall(m["text"])
        assert score, f"sample {m['kind']!r} must end 'raw N, **P points**'"
        raw, given = map(int, score[-1])
        assert raw in mapping, f"sample {m['kind']!r}: raw {raw} is out of range"
        assert mapping[raw] == given, (
            f"sample {m['kind']!r}: raw {raw} maps to {mapping[raw]} points, "
            f"not {given}"
        )
        found_samples.append((m["kind"], raw, given))
    assert any(kind == "Weak" for kind, _, _ in found_samples), (
        "no scored sample '- Weak: ...'"
    )
    return Rubric(points, criteria, max_raw, mapping, found_samples)


def _written_answers() -> list[tuple[Path, str]]:
    cells = []
    for path in sorted(SOLUTIONS.glob("hw*/hw*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            meta = nbgrader_meta(cell)
            if meta.get("grade") and meta.get("solution"):
                cells.append((path, meta["grade_id"]))
    return cells


WRITTEN = _written_answers()


def test_every_homework_has_a_written_answer():
    assert {path.parent.name for path, _ in WRITTEN} == {
        p.parent.name for p in SOLUTIONS.glob("hw*/hw*.ipynb")
    }


@pytest.mark.parametrize(
    ("path", "grade_id"),
    WRITTEN,
    ids=[f"{path.parent.name}-{grade_id}" for path, grade_id in WRITTEN],
)
def test_rubric_is_anchored(path, grade_id):
    nb = nbformat.read(path, as_version=4)
    (cell,) = [c for c in nb.cells if nbgrader_meta(c).get("grade_id") == grade_id]
    parse_rubric(cell.source, nbgrader_meta(cell)["points"])


GOOD = """Write here.
### BEGIN SOLUTION
**Model answer.** Because.

**Rubric (2 points).**
Score each criterion 0, 1 or 2; add them (raw score 0 to 6) and give points: \
raw 0-1 → 0, 2-4 → 1, 5-6 → 2.
- **Claim.** 0: absent. 1: vague. 2: precise, with 0.52 against 0.39.
- **Reason.** 0: absent. 1: vague. 2: precise.
- **Position.** 0: absent. 1: vague. 2: precise.

**Sample answers, scored.**
- Weak: "It depends." Claim 1, reason 0, position 0: raw 1, **0 points**.
- Partial: claim 2, reason 1, position 1: raw 4, **1 point**.
### END SOLUTION"""


def test_the_parser_reads_a_good_rubric():
    rubric = parse_rubric(GOOD, 2)
    assert list(rubric.criteria) == ["Claim.", "Reason.", "Position."]
    assert rubric.mapping == {0: 0, 1: 0, 2: 1, 3: 1, 4: 1, 5: 2, 6: 2}
    assert rubric.samples == [("Weak", 1, 0), ("Partial", 4, 1)]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("1: vague. 2: precise, with", "2: precise, with", "levels 0:, 1:, 2:"),
        ("2-4 → 1", "3-4 → 1", "cover raw 0 to 6"),
        ("2-4 → 1", "1-4 → 1", "mapped twice"),
        ("5-6 → 2", "5-6 → 3", "the cell has 2"),
        ("2-4 → 1, 5-6 → 2", "2-4 → 2, 5-6 → 1", "must not fall"),
        ("raw 1, **0 points**", "raw 1, **1 point**", "maps to 0 points"),
        ("- Weak:", "- Poor:", "no scored sample"),
        ("(raw score 0 to 6)", "(raw score 0 to 8)", "3 criteria"),
        ("(2 points)", "(3 points)", "heading says 3"),
        ("**Sample answers", "**Samples", "no '**Sample answers"),
    ],
)
def test_the_parser_rejects_a_broken_rubric(old, new, message):
    assert old in GOOD
    with pytest.raises(AssertionError, match=re.escape(message)):
        parse_rubric(GOOD.replace(old, new, 1), 2)
