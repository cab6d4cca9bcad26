"""Answers found where nbgrader's metadata was lost, moved or split."""

from __future__ import annotations

import copy

import nbformat
import pytest

from course_tools.grading.grade import Assignment
from course_tools.grading.match import defined_names, match_submission

from ..homework.harness import EXERCISES, make_submission, parts_of, source_notebook

HW = "hw01"
PARTS = parts_of(source_notebook(HW))
RELEASE = nbformat.read(EXERCISES / HW / f"{HW}.ipynb", as_version=4)
CODE_ANSWERS = list(PARTS.answers)
WRITTEN = list(PARTS.manual_answers)


def solved() -> nbformat.NotebookNode:
    return make_submission(RELEASE, {**PARTS.answers, **PARTS.manual_answers})


def stripped(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """As Colab or "copy to a new notebook" leave it: no nbgrader metadata, new ids."""
    nb = copy.deepcopy(nb)
    for i, cell in enumerate(nb.cells):
        cell.metadata = {}
        cell.id = f"pasted-{i}"
    return nb


def test_a_notebook_without_its_metadata_is_matched_by_what_it_defines():
    matched = match_submission(RELEASE, stripped(solved()))
    assert matched.found
    assert sorted(matched.by_names) == sorted(CODE_ANSWERS + WRITTEN)
    for gid in CODE_ANSWERS:
        assert matched.answers[gid]["source"].strip() == PARTS.answers[gid].strip()
    for gid in WRITTEN:
        assert (
            matched.answers[gid]["source"].strip() == PARTS.manual_answers[gid].strip()
        )
    assert matched.added == {} and matched.covered == {}


def test_reordered_split_and_merged_answers_are_found():
    nb = stripped(solved())
    code = [c for c in nb.cells if c.cell_type == "code"]
    by_name = {next(iter(defined_names(c.source)), ""): c for c in code}
    rates, table = by_name["confusion_rates"], by_name["calibration_table"]
    # Move part 3's answer to the end, split part 2 off a helper, and merge
    # part 4's answer into part 3's cell.
    nb.cells.remove(table)
    identity = by_name["chouldechova_fpr"]
    nb.cells.remove(identity)
    table.source = table.source + "\n\n" + identity.source
    nb.cells.append(table)
    helper = nbformat.v4.new_code_cell("def _share(x):\n    return x / x.sum()\n")
    nb.cells.insert(nb.cells.index(rates), helper)
    matched = match_submission(RELEASE, nb)
    assert (
        matched.answers["calibration_table"]["source"]
        == table.source.rstrip("\n") + "\n"
    )
    assert matched.covered == {"chouldechova_fpr": "calibration_table"}
    assert any(cell is helper for cells in matched.added.values() for cell in cells)
    run = Assignment.__new__(Assignment)
    run.release = RELEASE
    ran = "\n".join(c["source"] for c in run.cells_to_run(nb))
    # No released stub runs over a function the student wrote.
    assert "NotImplementedError" not in ran


def test_an_answer_with_a_syntax_error_is_still_that_answer():
    answers = {
        **PARTS.answers,
        "propublica_filter": "def propublica_filter(df)\n    return df\n",
    }
    matched = match_submission(RELEASE, stripped(make_submission(RELEASE, answers)))
    assert (
        "def propublica_filter(df)\n" in matched.answers["propublica_filter"]["source"]
    )


def test_metadata_kept_wins_and_nothing_is_found_twice():
    matched = match_submission(RELEASE, solved())
    assert matched.by_names == [] and matched.added == {}
    assert set(matched.answers) == set(CODE_ANSWERS + WRITTEN)


@pytest.mark.parametrize(
    "cells",
    [
        [],
        [nbformat.v4.new_code_cell("print('hello')")],
        [nbformat.v4.new_markdown_cell("my essay")],
    ],
)
def test_a_notebook_with_nothing_of_the_release_is_not_found(cells):
    assert not match_submission(RELEASE, nbformat.v4.new_notebook(cells=cells)).found
