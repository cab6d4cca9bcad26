"""Which of a student's cells answers which cell of the released notebook.

nbgrader finds each answer by the grade id in its cell's metadata, and
notebooks lose that metadata: pasted into a fresh notebook, saved by Colab
or VS Code, copied cell by cell. Then every answer looked missing, the
released stubs ran over the student's code and a correct notebook scored 0.
:func:`match_submission` finds the answers in three ways, in this order:

1. by grade id, where the metadata survived;
2. an unchanged cell of the release (its text, its public checks) by its
   source, so that it is neither run twice nor taken for the student's own;
3. a code answer by the names its released stub defines (``def
   propublica_filter``...): the cells that define them, in notebook order,
   are that answer (a cell that defines the names of two answers answers
   both); a written answer by its place, the first markdown cell of the
   student's own after the release cell that precedes it.

Every other code cell of the student's runs where it stands: after the
release cell it follows.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Matched",
    "cell_meta",
    "cell_source",
    "defined_names",
    "grade_id",
    "match_submission",
]

# A definition at the start of a line, for code that does not parse.
_DEF = re.compile(r"^(?:async[ \t]+)?(?:def|class)[ \t]+([A-Za-z_]\w*)", re.MULTILINE)


def defined_names(source: str) -> set[str]:
    """The names that ``source`` defines at its top level.

    Functions, classes and assigned names; for code with a syntax error, the
    functions and classes it starts at the beginning of a line.

    Examples
    --------
    >>> sorted(defined_names("import numpy as np\\ndef f(x):\\n    y = 1\\nK = 3"))
    ['K', 'f']
    >>> defined_names("def f(x)\\n    return x")
    {'f'}
    """
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(_DEF.findall(source))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


@dataclass
class Matched:
    """Where a submission's answers are, for one release.

    Attributes
    ----------
    answers : dict
        Release grade id -> the student's cell for it (code cells found by
        names are joined into one).
    added : dict
        Release cell index (-1: before the first) -> the student's own code
        cells that follow it, to run after it.
    by_names : list of str
        Grade ids whose answer was found by the names it defines or by its
        place, not by its metadata.
    covered : dict
        Grade id -> the grade id whose cell also defines its names: no stub
        runs for it.
    found : bool
        Whether anything of the release was found at all.
    """

    answers: dict[str, Any] = field(default_factory=dict)
    added: dict[int, list[Any]] = field(default_factory=dict)
    by_names: list[str] = field(default_factory=list)
    covered: dict[str, str] = field(default_factory=dict)
    found: bool = False


def cell_meta(cell: Any) -> dict[str, Any]:
    """A copy of a cell's nbgrader metadata, or {} if it is missing or malformed."""
    if not isinstance(cell, dict):
        return {}
    metadata = cell.get("metadata")
    meta = metadata.get("nbgrader") if isinstance(metadata, dict) else None
    return dict(meta) if isinstance(meta, dict) else {}


def grade_id(cell: Any) -> str | None:
    """A cell's nbgrader grade id, or None."""
    gid = cell_meta(cell).get("grade_id")
    return gid if isinstance(gid, str) else None


def cell_source(cell: Any) -> str:
    """A cell's source as one string ("" if it is malformed)."""
    source = cell.get("source", "") if isinstance(cell, dict) else ""
    if isinstance(source, list):
        source = "".join(x for x in source if isinstance(x, str))
    return source if isinstance(source, str) else ""


def _kind(cell: Any) -> str | None:
    kind = cell.get("cell_type") if isinstance(cell, dict) else None
    return kind if kind in ("code", "markdown", "raw") else None


def _normal(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


@dataclass
class _Release:
    """The release's cells, indexed for matching."""

    cells: Any
    index_of: dict[str, int]  # grade id -> index of its first cell
    answer_kind: dict[str, str]  # answer grade id -> cell type
    by_text: dict[tuple[str, str], int]  # (cell type, normal source) -> index
    stub_names: dict[str, set[str]]  # code answer grade id -> names it defines


def _index_release(cells: Any) -> _Release:
    index_of: dict[str, int] = {}
    answer_kind: dict[str, str] = {}
    by_text: dict[tuple[str, str], int] = {}
    for i, cell in enumerate(cells):
        gid = grade_id(cell)
        if gid is not None:
            index_of.setdefault(gid, i)
        if gid and cell_meta(cell).get("solution"):
            answer_kind[gid] = cell.cell_type
        else:
            by_text.setdefault((cell.cell_type, _normal(cell.source)), i)
    stub_names = {
        gid: defined_names(cells[index_of[gid]].source)
        for gid, kind in answer_kind.items()
        if kind == "code"
    }
    return _Release(cells, index_of, answer_kind, by_text, stub_names)


def _sort_cells(
    release: _Release, submitted: Any, matched: Matched
) -> list[tuple[str, Any, int | None]]:
    """First pass: grade ids and unchanged release cells; the rest is loose."""
    items: list[tuple[str, Any, int | None]] = []
    for cell in submitted.cells if isinstance(submitted.cells, list) else []:
        kind = _kind(cell)
        if kind is None:
            continue
        gid = grade_id(cell)
        i = release.index_of.get(gid) if gid else None
        if i is not None:
            matched.found = True
            if gid in release.answer_kind and gid not in matched.answers:
                if release.answer_kind[gid] == kind:
                    matched.answers[gid] = cell
            items.append(("release", cell, i))
            continue
        j = release.by_text.get((kind, _normal(cell_source(cell))))
        if j is not None:
            matched.found = True
            items.append(("release", cell, j))
        else:
            items.append(("loose", cell, None))
    return items


def _place_code(
    cell: Any,
    last: int,
    release: _Release,
    missing: list[str],
    found_by_names: dict[str, list[Any]],
    matched: Matched,
) -> int:
    """Place a loose code cell: an answer by the names it defines, else own code.

    Returns the release cell index that the next loose cell follows.
    """
    names = defined_names(cell_source(cell))
    hits = [g for g in missing if release.stub_names[g] & names]
    if not hits:
        matched.added.setdefault(last, []).append(cell)
        return last
    owner = next((g for g in hits if g in found_by_names), hits[0])
    found_by_names.setdefault(owner, []).append(cell)
    for other in hits:
        if other != owner and other not in found_by_names:
            matched.covered.setdefault(other, owner)
    return release.index_of[owner]


def _place_markdown(cell: Any, last: int, release: _Release, matched: Matched) -> int:
    """Place a loose markdown cell: the missing written answer after ``last``.

    Returns the release cell index that the next loose cell follows.
    """
    nxt = last + 1
    gid = grade_id(release.cells[nxt]) if nxt < len(release.cells) else None
    if (
        gid
        and release.answer_kind.get(gid) == "markdown"
        and gid not in matched.answers
    ):
        matched.answers[gid] = cell
        matched.by_names.append(gid)
        return nxt
    return last


def match_submission(release: Any, submitted: Any) -> Matched:
    """Find each answer of ``release`` in ``submitted`` (untrusted cells)."""
    indexed = _index_release(release.cells)
    stub_names = indexed.stub_names
    matched = Matched()
    items = _sort_cells(indexed, submitted, matched)
    # Second pass, in notebook order: loose cells by the names they define
    # (code) or by their place (written answers), else where they stand.
    missing = [g for g in stub_names if g not in matched.answers and stub_names[g]]
    found_by_names: dict[str, list[Any]] = {}
    last = -1
    for what, cell, i in items:
        if what == "release":
            last = i if i is not None else last
            continue
        kind = _kind(cell)
        if kind == "code":
            last = _place_code(cell, last, indexed, missing, found_by_names, matched)
        elif kind == "markdown":
            last = _place_markdown(cell, last, indexed, matched)
    for gid, found in found_by_names.items():
        matched.found = True
        matched.covered.pop(gid, None)
        source = "\n\n".join(cell_source(c).rstrip("\n") for c in found) + "\n"
        matched.answers[gid] = {"cell_type": "code", "source": source, "metadata": {}}
        matched.by_names.append(gid)
    order = list(indexed.index_of)
    matched.by_names.sort(key=order.index)
    return matched
