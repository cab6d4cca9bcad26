"""Find solution and hidden-test text where students can reach it.

The secrets of a homework are the lines inside its ``BEGIN SOLUTION`` /
``END SOLUTION`` and ``BEGIN HIDDEN TESTS`` / ``END HIDDEN TESTS`` regions
(and ``BEGIN MARK SCHEME`` regions) in ``solutions/``. A line counts as secret
only if it is long enough to be distinctive and does not also appear (even
as part of a longer line) outside those regions, where students see it anyway.
Files are searched as text with JSON string escapes undone, HTML tags removed,
entities decoded and all whitespace dropped, so a line split into
syntax-highlighting spans on a web page, or stored as a JSON string in a
notebook, is still found.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from pathlib import Path

import nbformat

MARKERS = (
    "BEGIN SOLUTION",
    "END SOLUTION",
    "BEGIN HIDDEN TESTS",
    "END HIDDEN TESTS",
    "BEGIN MARK SCHEME",
    "END MARK SCHEME",
)
_BEGIN = re.compile(r"BEGIN (SOLUTION|HIDDEN TESTS|MARK SCHEME)")
_END = re.compile(r"END (SOLUTION|HIDDEN TESTS|MARK SCHEME)")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
MIN_LENGTH = 16


def normalise(text: str) -> str:
    """Text reduced to what a reader sees, without any whitespace."""
    text = text.replace("\\\\", "\\").replace('\\"', '"').replace("\\n", "\n")
    return _SPACE.sub("", html.unescape(_TAG.sub("", text)))


def secret_lines(
    notebooks: Iterable[Path],
    regions: tuple[str, ...] = ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME"),
    modules: Iterable[Path] = (),
    published: Iterable[Path] = (),
) -> set[str]:
    """Distinctive lines that appear only inside the given kinds of region.

    Every line of each file in ``modules`` (the hidden tests' Python files) is
    secret too, except import lines. A line that also appears in one of the
    ``published`` files (the book's own pages) is public by publication: the
    chapters are on the site by design, so such a line gives nothing away.
    """
    secret: set[str] = set()
    public: set[str] = set()
    for path in published:
        public.update(normalise(line) for line in path.read_text().split("\n"))
    for path in modules:
        for line in path.read_text().split("\n"):
            if not re.match(r"\s*(import|from)\s", line):
                secret.add(normalise(line))
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        for cell in nb.cells:
            inside = False
            for line in cell.source.split("\n"):
                begin = _BEGIN.search(line)
                if begin:
                    inside = begin.group(1) in regions
                    continue
                if _END.search(line):
                    inside = False
                    continue
                text = normalise(line)
                (secret if inside else public).add(text)
    public_text = "\n".join(public)
    return {
        line
        for line in secret
        if len(line) >= MIN_LENGTH
        and re.search(r"[A-Za-z]", line)
        and line not in public_text
    }


def readable_files(root: Path) -> Iterable[Path]:
    return (p for p in sorted(root.rglob("*")) if p.is_file())


def find_leaks(root: Path, secrets: set[str]) -> list[tuple[Path, str]]:
    """Every (file, secret line or marker) found below ``root``."""
    found = []
    for path in readable_files(root):
        text = normalise(path.read_bytes().decode("utf-8", errors="ignore"))
        for marker in MARKERS:
            if marker in text:
                found.append((path, marker))
        found.extend((path, line) for line in secrets if line in text)
    return found
