"""Files a student may have made hostile: links, pipes, huge files and broken
notebooks are refused in one line; a notebook reads as nbformat reads it."""

from __future__ import annotations

import json
import os

import pytest

from course_tools.grading._files import read_notebook, read_regular


def test_links_pipes_and_huge_files_are_not_read(tmp_path):
    target = tmp_path / "target.ipynb"
    target.write_text("{}")
    (tmp_path / "link.ipynb").symlink_to(target)
    os.mkfifo(tmp_path / "pipe.ipynb")
    (tmp_path / "big.ipynb").write_bytes(b" " * 2000)
    with pytest.raises(OSError):
        read_regular(tmp_path / "link.ipynb", 1000)
    with pytest.raises(OSError, match="not a regular file"):
        read_regular(tmp_path / "pipe.ipynb", 1000)
    with pytest.raises(OSError, match="over the limit"):
        read_regular(tmp_path / "big.ipynb", 1000)
    assert read_regular(target, 1000) == b"{}"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("[" * 50_000 + "]" * 50_000, "not valid JSON"),
        (
            '{"nbformat": 4, "nbformat_minor": 5, "cells": 7, "metadata": {}}',
            "not a valid",
        ),
        ("\xff\xfe", "not valid JSON"),
    ],
)
def test_hostile_notebooks_are_a_one_line_error(tmp_path, text, why):
    path = tmp_path / "hw.ipynb"
    path.write_text(text, encoding="latin-1")
    with pytest.raises(ValueError, match=why):
        read_notebook(path)


def test_lone_surrogates_are_replaced_when_a_notebook_is_read(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("# \ud800")])
    path = tmp_path / "hw.ipynb"
    path.write_text(json.dumps(nb))
    assert read_notebook(path).cells[0].source == "# \ufffd"


def test_a_notebook_reads_as_nbformat_reads_it():
    """Sources stored as lists of lines are joined, as nbgrader sees them."""
    import nbformat

    from ..homework.harness import EXERCISES

    for path in sorted(EXERCISES.glob("*/*.ipynb")):
        assert read_notebook(path) == nbformat.read(path, as_version=4), path.name
