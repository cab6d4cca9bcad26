"""The book's structure: links that name a chapter by number name the right one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
# {doc}`chapter 7 <differential_privacy>`, {doc}`Chapter 3 <../chapters/x>`
NUMBERED_LINK = re.compile(
    r"\{doc\}`[Cc]hapters? (\d+) <(?:\.\./)?(?:chapters/)?([\w-]+)>`"
)


def chapter_numbers() -> dict[str, int]:
    """Each numbered chapter's file stem and its number, as the built book shows it.

    Jupyter Book numbers the chapters of every part with ``numbered: true`` in
    one sequence across the parts.
    """
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    numbers: dict[str, int] = {}
    for part in toc.get("parts", []):
        if not part.get("numbered"):
            continue
        for chapter in part.get("chapters", []):
            numbers[Path(chapter["file"]).name] = len(numbers) + 1
    return numbers


def _title(stem: str) -> str:
    text = (ROOT / "chapters" / f"{stem}.md").read_text(encoding="utf-8")
    return next(line[2:].strip() for line in text.splitlines() if line.startswith("# "))


def test_links_that_number_a_chapter_number_it_right():
    numbers = chapter_numbers()
    assert len(numbers) >= 13 and numbers["compas_audit"] == 1
    pages = [
        *ROOT.glob("chapters/*.md"),
        *ROOT.glob("front/*.md"),
        ROOT / "intro.md",
        ROOT / "glossary.md",
    ]
    wrong = []
    for page in pages:
        for match in NUMBERED_LINK.finditer(page.read_text(encoding="utf-8")):
            number, stem = int(match.group(1)), match.group(2)
            if numbers.get(stem) != number:
                wrong.append(
                    f"{page.name}: {match.group(0)} (it is {numbers.get(stem)})"
                )
    assert not wrong, "links name the wrong chapter number: " + "; ".join(wrong)


def test_each_homework_names_the_chapter_it_goes_with():
    """By title, which does not change when a chapter is added before it."""
    titles = {_title(stem) for stem in chapter_numbers()}
    for notebook in sorted(ROOT.glob("solutions/hw*/hw*.ipynb")):
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
        intro = "".join(cells[0]["source"])
        named = re.findall(r"goes with the chapter \*([^*]+)\*", intro)
        assert named and set(named) <= titles, (
            f"{notebook.name}: {named} not in {titles}"
        )
        assert not re.search(r"[Cc]hapter \d", intro), (
            f"{notebook.name} numbers a chapter"
        )


def test_the_link_check_reads_both_link_forms():
    text = "{doc}`chapter 7 <differential_privacy>` and {doc}`Chapter 3 <../chapters/games>`"
    assert [m.groups() for m in NUMBERED_LINK.finditer(text)] == [
        ("7", "differential_privacy"),
        ("3", "games"),
    ]


def test_the_glossary_points_at_chapters_by_link():
    """A bare "(chapter 8)" goes stale when a chapter is added; a link is checked above."""
    text = (ROOT / "glossary.md").read_text(encoding="utf-8")
    bare = re.findall(r"\(chapters? \d+[^)]*\)", text)
    assert not bare, f"glossary.md names chapters by number without a link: {bare[:3]}"
    assert len(NUMBERED_LINK.findall(text)) >= 40
