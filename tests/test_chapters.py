"""The book's structure: links that name a chapter by number name the right one."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from .sources import code_lines, line_length

ROOT = Path(__file__).resolve().parents[1]
# {doc}`chapter 7 <differential_privacy>`, {doc}`Chapter 3 <../chapters/x>`
NUMBERED_LINK = re.compile(
    r"\{doc\}`[Cc]hapters? (\d+) <(?:\.\./)?(?:chapters/)?([\w-]+)>`"
)
# "6. {doc}`chapters/pipeline`": the landing page's map and the syllabus's schedule
NUMBERED_ENTRY = re.compile(r"\b(\d+)\. \{doc\}`(?:\.\./)?chapters/([\w-]+)`")
CITATION = re.compile(r"\{cite:\w+\}`[^`]*`")  # {cite:t}`key{chapter 2}` is a book's
BARE_NUMBER = re.compile(r"\b[Cc]h(?:apters?|\.) \d+")


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


def _pages() -> list[Path]:
    return [
        *sorted(ROOT.glob("chapters/*.md")),
        *sorted(ROOT.glob("answers/*.md")),
        *sorted(ROOT.glob("front/*.md")),
        ROOT / "intro.md",
        ROOT / "glossary.md",
    ]


def test_links_that_number_a_chapter_number_it_right():
    numbers = chapter_numbers()
    assert len(numbers) >= 14 and numbers["compas_audit"] == 1
    wrong = []
    for page in _pages():
        text = page.read_text(encoding="utf-8")
        for pattern in (NUMBERED_LINK, NUMBERED_ENTRY):
            for match in pattern.finditer(text):
                number, stem = int(match.group(1)), match.group(2)
                if numbers.get(stem) != number:
                    wrong.append(
                        f"{page.name}: {match.group(0)} (it is {numbers.get(stem)})"
                    )
    assert not wrong, "links name the wrong chapter number: " + "; ".join(wrong)


def test_the_map_and_the_schedule_list_every_chapter_in_order():
    numbers = chapter_numbers()
    for page in (ROOT / "intro.md", ROOT / "front" / "syllabus.md"):
        listed = NUMBERED_ENTRY.findall(page.read_text(encoding="utf-8"))
        assert [stem for _, stem in listed] == list(numbers), page.name


def test_chapters_are_numbered_only_in_checked_links():
    """A bare "chapter 8" goes stale when a chapter is added before it.

    The syllabus's part ranges and homework column are checked below.
    """
    bare = []
    for page in _pages():
        for n, line in enumerate(page.read_text(encoding="utf-8").splitlines(), 1):
            if page.name == "syllabus.md" and (
                line.startswith("**Part ") or line.startswith("| ")
            ):
                continue
            text = CITATION.sub("", NUMBERED_ENTRY.sub("", NUMBERED_LINK.sub("", line)))
            bare += [
                f"{page.name}:{n}: {m.group(0)}" for m in BARE_NUMBER.finditer(text)
            ]
    assert not bare, "chapters numbered without a link: " + "; ".join(bare)


def _parts(*, numbered_only: bool = True) -> dict[str, list[str]]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    return {
        part["caption"]: [Path(c["file"]).name for c in part["chapters"]]
        for part in toc["parts"]
        if part.get("numbered") or not numbered_only
    }


def _homework_chapters() -> dict[int, set[str]]:
    """Each homework's number and the stems of the chapters its intro names.

    Homework 8 goes with the Census chapter and names the toolbox as well.
    """
    stems = {_title(stem): stem for stem in chapter_numbers()}
    named = {}
    for notebook in sorted(ROOT.glob("solutions/hw*/hw*.ipynb")):
        intro = "".join(
            json.loads(notebook.read_text(encoding="utf-8"))["cells"][0]["source"]
        )
        titles = re.findall(r"\*([^*]+)\*", intro)  # every title in italics
        named[int(notebook.stem[2:])] = {stems[t] for t in titles if t in stems}
    return named


def test_the_syllabus_numbers_parts_and_homework_as_the_book_does():
    numbers = chapter_numbers()
    text = (ROOT / "front" / "syllabus.md").read_text(encoding="utf-8")
    for caption, stems in _parts().items():
        span = f"**{caption}** (chapters {numbers[stems[0]]} to {numbers[stems[-1]]})"
        assert span in text, f"syllabus lacks {span!r}"
    released = re.findall(r"\| HW(\d+) \(ch\. ([\d ,and]+)\) \|", text)
    homework = _homework_chapters()
    assert sorted(int(hw) for hw, _ in released) == sorted(homework)
    for hw, chapters in released:
        listed = {int(n) for n in re.findall(r"\d+", chapters)}
        assert listed == {numbers[s] for s in homework[int(hw)]}, (
            f"HW{hw}: ch. {chapters}"
        )


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


PRACTICE = re.compile(
    r"^Practice questions \(ungraded[^\n]*\n\n((?:\d+\. .*\n)+)", re.M
)


def _practice_questions(stem: str) -> tuple[str, int]:
    """The line that opens a chapter's practice questions, and how many it lists."""
    text = (ROOT / "chapters" / f"{stem}.md").read_text(encoding="utf-8")
    match = PRACTICE.search(text)
    assert match, f"{stem}.md has no numbered list after 'Practice questions'"
    return match.group(0).splitlines()[0], len(match.group(1).splitlines())


def test_every_practice_question_has_a_worked_answer():
    """answers/<stem>.md answers each question of the chapter, in order."""
    for stem in chapter_numbers():
        opening, count = _practice_questions(stem)
        assert f"<../answers/{stem}>" in opening, f"{stem}.md does not link its answers"
        page = ROOT / "answers" / f"{stem}.md"
        assert page.is_file(), f"no worked answers for {stem}"
        text = page.read_text(encoding="utf-8")
        assert text.count(f"<../chapters/{stem}>`") >= 1, (
            f"{page.name} links no chapter"
        )
        headings = re.findall(r"^## Question (\d+)$", text, re.M)
        assert headings == [str(k) for k in range(1, count + 1)], (
            f"answers/{stem}.md answers {headings}, the chapter asks {count}"
        )


def test_the_answers_are_in_the_book_in_chapter_order():
    parts = _parts(numbered_only=False)
    answers = parts["Answers to the practice questions"]
    assert answers == list(chapter_numbers())


def test_the_practice_parser_counts_a_list():
    text = "Practice questions (ungraded):\n\n1. a\n2. b\n\n## Further reading\n"
    match = PRACTICE.search(text)
    assert match and len(match.group(1).splitlines()) == 2


def test_code_in_the_pages_fits_the_formatters_width():
    """A code line wider than ruff's line length is clipped on a phone."""
    width = line_length()
    pages = [*sorted(ROOT.glob("chapters/*.md")), *sorted(ROOT.glob("answers/*.md"))]
    long = [
        f"{page.relative_to(ROOT)}:{n} ({len(line)} characters)"
        for page in pages
        for n, line in code_lines(page.read_text(encoding="utf-8"))
        if len(line) > width
    ]
    assert not long, f"code lines over {width} characters: " + "; ".join(long)


def test_code_lines_are_a_cells_source_without_its_options():
    text = (
        "```python\nnot a cell\n```\n"  # 1-3
        "```{code-cell} ipython3\n:tags: [x]\n\na = 1\n```\n"  # 4-8
        "```{code-cell} ipython3\n---\nmystnb:\n  figure:\n    caption: long\n---\n"
        "b = 2\n---\n:c: 3\n```\n"  # 9-18
        "```{code-cell} ipython3\nc = 3\n```\n"  # 19-21
    )
    assert code_lines(text) == [
        (6, ""),
        (7, "a = 1"),
        (15, "b = 2"),
        (16, "---"),
        (17, ":c: 3"),
        (20, "c = 3"),
    ]


def test_chapters_are_150_to_400_lines():
    lengths = {
        page.name: len(page.read_text(encoding="utf-8").splitlines())
        for page in sorted(ROOT.glob("chapters/*.md"))
    }
    assert lengths and all(150 <= n <= 400 for n in lengths.values()), lengths
