"""The committed student versions are exactly what nbgrader makes of solutions/."""

from __future__ import annotations

import json

import nbformat
import pytest

from ..sources import line_length
from .harness import EXERCISES, SOLUTIONS, homework_ids, nbgrader_meta
from .term import selected_homework

HOMEWORK = homework_ids()


def test_every_homework_is_released_and_nothing_else():
    released = sorted(p.name for p in EXERCISES.iterdir() if p.is_dir())
    assert released == HOMEWORK, "run `make exercises` and commit exercises/"


@pytest.mark.parametrize("hw", HOMEWORK)
def test_sources_are_committed_without_outputs(hw):
    for path in (SOLUTIONS / hw).glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [], f"{path.name}: strip outputs"
                assert cell.execution_count is None, f"{path.name}: strip counts"
            meta = nbgrader_meta(cell)
            assert meta, f"{path.name}: every cell needs nbgrader metadata"
            assert meta["schema_version"] == 3


@pytest.mark.slow
@pytest.mark.xdist_group("term")
@pytest.mark.parametrize("hw", selected_homework())
def test_regenerating_exercises_changes_nothing(term, hw):
    """The term's course was released from solutions/ by nbgrader: compare."""
    fresh_root = term.course.root / "exercises"
    fresh = sorted(
        p.relative_to(fresh_root) for p in (fresh_root / hw).rglob("*") if p.is_file()
    )
    committed = sorted(
        p.relative_to(EXERCISES) for p in (EXERCISES / hw).rglob("*") if p.is_file()
    )
    assert fresh == committed, "run `make exercises` and commit exercises/"
    for rel in fresh:
        new = (fresh_root / rel).read_text()
        old = (EXERCISES / rel).read_text()
        if rel.suffix == ".ipynb":
            new, old = json.loads(new), json.loads(old)
        assert new == old, (
            f"exercises/{rel} is stale: run `make exercises` and commit it"
        )
    assert term.course.releases[hw].cells


@pytest.mark.parametrize("hw", HOMEWORK)
def test_every_release_begins_with_the_setup_cell_from_the_course_config(hw):
    from course_tools.grading.release import SETUP_CELL_ID, install_spec

    root = SOLUTIONS.parent
    spec = install_spec(root)  # repository.url in _config.yml, the library's version
    for path in (EXERCISES / hw).glob("*.ipynb"):
        first = nbformat.read(path, as_version=4).cells[0]
        assert first.id == SETUP_CELL_ID and first.cell_type == "code"
        assert f"COURSE_LIB = {json.dumps(spec)}" in first.source.split("\n")
        assert "except ModuleNotFoundError:" in first.source
        assert not nbgrader_meta(first)  # not graded, not locked: students may edit it


@pytest.mark.parametrize("hw", HOMEWORK)
def test_released_code_fits_the_formatters_width(hw):
    """A code line wider than ruff's line length is clipped on a phone."""
    width = line_length()
    long = [
        f"{path.name}, cell {cell.id}, line {n}: {len(line)} characters"
        for path in sorted((EXERCISES / hw).glob("*.ipynb"))
        for cell in nbformat.read(path, as_version=4).cells
        if cell.cell_type == "code"
        for n, line in enumerate(cell.source.split("\n"), 1)
        if len(line) > width
    ]
    assert not long, f"code lines over {width} characters: " + "; ".join(long)
