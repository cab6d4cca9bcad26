"""Reading the course's sources as tests see them: MyST code cells, ruff's width.

Shared by the tests that read code students see: the chapters' width check
(``tests/test_chapters.py``), the released homework's width check
(``tests/homework/test_release.py``) and the import rules
(``tests/test_layout.py``).
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CELL_OPTION = re.compile(r":[\w-]+:")  # a code cell's short option, ":tags: [x]"


def line_length() -> int:
    """The formatter's line length, as pyproject.toml configures ruff."""
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return pyproject["tool"]["ruff"]["line-length"]


def code_cells(text: str) -> list[list[tuple[int, str]]]:
    """The source lines of each of a MyST page's ```{code-cell} blocks, numbered.

    A cell's options (a YAML block between ``---`` lines, or ``:key: value``
    lines) open the block; they become the notebook cell's metadata (a figure's
    caption, its alt text, tags), never shown as code, and are left out.
    """
    cells: list[list[tuple[int, str]]] = []
    state = "text"  # "options" (the cell's first lines), "yaml", "code"
    for n, line in enumerate(text.splitlines(), 1):
        if state == "text":
            if line.startswith("```{code-cell}"):
                state = "options"
                cells.append([])
        elif line.startswith("```") and state != "yaml":
            state = "text"
        elif state == "yaml":
            state = "code" if line == "---" else "yaml"
        elif state == "options" and line == "---":
            state = "yaml"
        elif state == "options" and CELL_OPTION.match(line):
            continue
        else:
            state = "code"
            cells[-1].append((n, line))
    return cells


def code_lines(text: str) -> list[tuple[int, str]]:
    """Each source line of a MyST page's code cells, with its number."""
    return [line for cell in code_cells(text) for line in cell]
