"""The fact-check ledger covers every chapter and homework, and leaves nothing open."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from course_tools.publish import _book_pages

ROOT = Path(__file__).resolve().parents[1]
LEDGER = ROOT / "factcheck"
COLUMNS = ["#", "Where", "Claim", "Primary source", "Verdict", "Note"]
VERDICTS = {"correct", "fixed", "sourced"}
MIN_ROWS = 10


def _chapters() -> list[str]:
    """The chapter pages of the table of contents, by file stem."""
    return [p.stem for p in _book_pages(ROOT) if p.parent == ROOT / "chapters"]


def _cells(line: str) -> list[str]:
    """The cells of a markdown table row (pipes inside code or maths escaped as \\|)."""
    parts = re.split(r"(?<!\\)\|", line.strip())
    return [p.strip() for p in parts[1:-1]]


def read_ledger(path: Path) -> list[dict[str, str]]:
    """The rows of a ledger file's table, as dicts keyed by column.

    Raises
    ------
    ValueError
        If the file holds no table with the ledger's columns, or a row has
        another number of cells.
    """
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()]
    tables = [i for i, line in enumerate(lines) if line.startswith("|")]
    if not tables:
        raise ValueError(f"{path.name} must hold a table; got none")
    header = _cells(lines[tables[0]])
    if header != COLUMNS:
        raise ValueError(
            f"{path.name}'s table must have columns {COLUMNS}; got {header}"
        )
    rows = []
    for i in tables[2:]:
        cells = _cells(lines[i])
        if len(cells) != len(COLUMNS):
            raise ValueError(
                f"{path.name} line {i + 1} must have {len(COLUMNS)} cells; got {len(cells)}"
            )
        rows.append(dict(zip(COLUMNS, cells, strict=True)))
    return rows


def test_every_chapter_has_its_ledger():
    chapters = _chapters()
    assert len(chapters) >= 12
    missing = [c for c in chapters if not (LEDGER / f"{c}.md").is_file()]
    assert not missing, f"chapters without a ledger in factcheck/: {missing}"
    stale = {p.stem for p in LEDGER.glob("*.md")} - set(chapters) - {"README"}
    assert not stale, f"ledgers of no chapter in _toc.yml: {sorted(stale)}"


@pytest.mark.parametrize("chapter", _chapters())
def test_each_ledger_sources_every_claim_and_leaves_none_open(chapter):
    rows = read_ledger(LEDGER / f"{chapter}.md")
    assert len(rows) >= MIN_ROWS, f"{chapter}: only {len(rows)} claims checked"
    for row in rows:
        where = f"{chapter} row {row['#']}"
        assert row["Claim"] and row["Where"], f"{where}: Claim and Where must be filled"
        assert row["Primary source"], f"{where}: no primary source"
        verdict = row["Verdict"].strip("* ").lower()
        assert verdict in VERDICTS, (
            f"{where}: verdict must be one of {VERDICTS}; got {verdict!r}"
        )
        if verdict == "fixed":
            assert row["Note"], f"{where}: a fixed claim's note must say what changed"


def test_every_homework_is_covered():
    homework = sorted(p.name for p in (ROOT / "solutions").glob("hw*"))
    covered = {
        m.group(0).lower()
        for path in LEDGER.glob("*.md")
        if path.stem != "README"
        for row in read_ledger(path)
        for m in re.finditer(r"hw\d\d", row["Where"], re.I)
    }
    assert set(homework) <= covered, (
        f"homework with no ledger row: {sorted(set(homework) - covered)}"
    )


def test_the_ledger_reader_refuses_a_malformed_table(tmp_path):
    bad = tmp_path / "x.md"
    bad.write_text("| # | Where | Claim |\n|---|---|---|\n| 1 | a | b |\n")
    with pytest.raises(ValueError, match="must have columns"):
        read_ledger(bad)
    bad.write_text(
        "| "
        + " | ".join(COLUMNS)
        + " |\n|"
        + "---|" * 6
        + "\n| 1 | a | b | c | correct |\n"
    )
    with pytest.raises(ValueError, match="must have 6 cells; got 5"):
        read_ledger(bad)
    good = tmp_path / "y.md"
    good.write_text(
        "| "
        + " | ".join(COLUMNS)
        + " |\n|"
        + "---|" * 6
        + "\n| 1 | Intro | $a \\| b$ | Dwork 2006 | correct | |\n"
    )
    assert read_ledger(good)[0]["Claim"] == "$a \\| b$"
