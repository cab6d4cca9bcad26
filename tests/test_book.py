"""Tests for course_lib.book: chapters and homework that run wherever students are."""

from __future__ import annotations

import sys
from pathlib import Path

import jupytext
import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager

from course_lib import book
from course_lib.book import (
    SETUP_CELL_ID,
    add_setup_cell,
    glue,
    glue_numbers,
    requirement,
    setup_source,
)

from .test_package import declared, imports_in

ROOT = Path(__file__).resolve().parents[1]
SPEC = "course_lib @ git+https://github.com/org/course@v1.2.0"


# glue ------------------------------------------------------------------------


def test_glue_is_myst_nbs_where_it_is_installed(monkeypatch):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    glue("rate", 0.25, display=False)
    glue("table", [1, 2])
    assert calls == [
        (("rate", 0.25), {"display": False}),
        (("table", [1, 2]), {"display": True}),
    ]


def test_glue_shows_the_value_where_myst_nb_is_missing(monkeypatch):
    import IPython.display

    shown = []
    monkeypatch.setitem(sys.modules, "myst_nb", None)  # as in Colab: not installed
    monkeypatch.setattr(IPython.display, "display", shown.append)
    glue("rate", 0.25)
    glue("hidden", 0.5, display=False)
    assert shown == [0.25]


@pytest.mark.parametrize("name", ["", None, 3, b"rate"])
def test_glue_needs_a_name(name):
    with pytest.raises(TypeError, match="name must be a non-empty str; got"):
        glue(name, 1)


def test_glue_numbers_glues_each_as_a_hidden_float(monkeypatch):
    import myst_nb
    import numpy as np

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append((a, k)))
    glue_numbers(rate=np.float64(0.25), people=np.int64(3), share=0.5)
    assert calls == [
        (("rate", 0.25), {"display": False}),
        (("people", 3.0), {"display": False}),
        (("share", 0.5), {"display": False}),
    ]
    assert [type(args[1]) for args, _ in calls] == [float, float, float]


@pytest.mark.parametrize("value", [True, "0.5", [0.5], None, 1j])
def test_glue_numbers_needs_real_numbers_and_glues_none_before_it_checks(
    monkeypatch, value
):
    import myst_nb

    calls = []
    monkeypatch.setattr(myst_nb, "glue", lambda *a, **k: calls.append(a))
    with pytest.raises(TypeError, match=r"^bad must be a real number; got"):
        glue_numbers(good=0.5, bad=value)
    assert calls == []


# requirement -----------------------------------------------------------------


def test_requirement_pins_the_version_tag():
    assert requirement("https://github.com/org/course/", "1.2.0") == SPEC
    assert requirement("https://gitlab.example.edu/a/b", "0.1.0rc1").endswith(
        "@v0.1.0rc1"
    )


@pytest.mark.parametrize(
    "url",
    [
        "",
        None,
        "github.com/org/course",
        "http://github.com/org/course",
        "git@github.com:org/course.git",
        "https://github.com/org/course name",
        'https://github.com/org/course"; rm -rf ~; "',
        "https://github.com/{org}/course",
    ],
)
def test_requirement_refuses_anything_but_an_https_url(url):
    with pytest.raises(ValueError, match=r"repository.url in _config.yml must be"):
        requirement(url, "0.1.0")


@pytest.mark.parametrize("version", ["", "v1.0", "1.0 ", "latest", None, 1.0])
def test_requirement_refuses_a_version_that_is_not_one(version):
    with pytest.raises(ValueError, match="version must be the library's version"):
        requirement("https://github.com/org/course", version)


# the setup cell --------------------------------------------------------------


class _Shell:
    """What the setup cell calls of IPython: the %pip magic."""

    def __init__(self, installs: dict[str, object] | None = None):
        self.magics: list[tuple[str, str]] = []
        self.installs = installs

    def run_line_magic(self, name: str, line: str) -> None:
        self.magics.append((name, line))
        if self.installs is not None:  # the install makes the library importable
            sys.modules.update(self.installs)


def _run_setup_cell(shell: _Shell) -> dict[str, object]:
    code = TransformerManager().transform_cell(setup_source(SPEC))
    namespace: dict[str, object] = {"get_ipython": lambda: shell}
    exec(compile(code, "setup-cell", "exec"), namespace)
    return namespace


def test_the_setup_cell_does_nothing_where_the_library_is_installed():
    shell = _Shell()
    namespace = _run_setup_cell(shell)
    assert shell.magics == [] and namespace["course_lib"] is sys.modules["course_lib"]
    assert namespace["COURSE_LIB"] == SPEC


def test_the_setup_cell_installs_the_pinned_library_where_it_is_missing(monkeypatch):
    installed = sys.modules["course_lib"]
    monkeypatch.setitem(sys.modules, "course_lib", None)  # not importable
    shell = _Shell(installs={"course_lib": installed})
    namespace = _run_setup_cell(shell)
    # IPython expands {COURSE_LIB} in a magic's line from the cell's names.
    assert shell.magics == [("pip", 'install --quiet "{COURSE_LIB}"')]
    assert namespace["COURSE_LIB"] == SPEC and namespace["course_lib"] is installed


def test_the_setup_cell_says_when_it_changed_a_package_already_imported(
    monkeypatch, capsys
):
    import importlib.metadata

    import numpy  # noqa: F401 (the session has imported numpy)

    installed = sys.modules["course_lib"]
    monkeypatch.setitem(sys.modules, "course_lib", None)
    real = importlib.metadata.version
    after_install = {
        "numpy": "9.0.0"
    }  # what pip would leave, for each package it changed
    shell = _Shell(installs={"course_lib": installed})
    monkeypatch.setattr(
        importlib.metadata,
        "version",
        lambda name: (
            after_install.get(name, real(name)) if shell.magics else real(name)
        ),
    )
    _run_setup_cell(shell)
    out = capsys.readouterr().out
    assert f"numpy {real('numpy')} to 9.0.0" in out and "restart the kernel" in out
    assert "pandas" not in out  # unchanged: not named
    # A package the session has not imported yet may change without a word.
    monkeypatch.delitem(sys.modules, "numpy")
    monkeypatch.setitem(sys.modules, "course_lib", None)
    _run_setup_cell(_Shell(installs={"course_lib": installed}))
    assert capsys.readouterr().out == ""


def test_the_setup_cell_watches_every_package_the_library_brings():
    assert set(book.STACK) == declared(ROOT / "pyproject.toml")


def test_the_setup_cell_reads_without_scrolling():
    assert max(map(len, setup_source(SPEC).splitlines())) <= 88


def test_the_setup_cell_names_its_requirement_on_one_line():
    lines = setup_source(SPEC).splitlines()
    assert [line for line in lines if SPEC in line] == [f'COURSE_LIB = "{SPEC}"']


def test_add_setup_cell_puts_one_setup_cell_first():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_markdown_cell("# Title"), nbformat.v4.new_code_cell("1")]
    )
    add_setup_cell(nb, "course_lib @ git+https://example.org/old@v0.0.1")
    add_setup_cell(nb, SPEC)  # renewed, not added twice
    assert [c.id for c in nb.cells].count(SETUP_CELL_ID) == 1
    first = nb.cells[0]
    assert first.id == SETUP_CELL_ID and first.cell_type == "code"
    assert first.source == setup_source(SPEC) and first.metadata.tags == ["setup"]
    assert [c.source for c in nb.cells[1:]] == ["# Title", "1"]
    nbformat.validate(nb)


def test_add_setup_cell_brings_an_old_notebook_to_cell_ids():
    nb = nbformat.v4.new_notebook(
        cells=[nbformat.v4.new_code_cell(str(i)) for i in range(3)]
    )
    nb.nbformat_minor = 4
    for cell in nb.cells:
        del cell["id"]
    nb.cells[1]["id"] = "cell-0"  # an id of its own, which must be kept
    nb.cells.append(nbformat.v4.new_code_cell("3"))
    nb.cells[3]["id"] = "cell-0"  # a duplicate, which must not be
    add_setup_cell(nb, SPEC)
    ids = [c["id"] for c in nb.cells]
    assert len(set(ids)) == len(ids) == 5 and ids[2] == "cell-0"
    assert nb.nbformat_minor == 5
    nbformat.validate(nb)


def test_add_setup_cell_works_on_plain_json():
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    assert add_setup_cell(nb, SPEC)["cells"][0]["id"] == SETUP_CELL_ID
    assert type(nb["cells"][0]["metadata"]) is dict


@pytest.mark.parametrize("notebook", [[], {"nbformat": 3, "cells": []}, "x"])
def test_add_setup_cell_refuses_what_is_not_a_v4_notebook(notebook):
    with pytest.raises(ValueError, match="notebook must be a notebook in nbformat 4"):
        add_setup_cell(notebook, SPEC)


# every chapter runs where only the student library is installed ---------------


def _chapters() -> list[Path]:
    """The book's notebook pages: the chapters and their worked answers."""
    return sorted((ROOT / "chapters").glob("*.md")) + sorted(
        (ROOT / "answers").glob("*.md")
    )


def _imports(code: str) -> set[str]:
    """Top-level modules a cell imports (magics and shell lines left out)."""
    return imports_in(TransformerManager().transform_cell(code))


def _student_modules() -> set[str]:
    """What a student's environment holds: the library, its dependencies, the stdlib."""
    import_names = {"scikit-learn": "sklearn"}
    return {"course_lib", *sys.stdlib_module_names} | {
        import_names.get(n, n) for n in declared(ROOT / "pyproject.toml")
    }


def test_chapters_import_only_what_the_student_library_brings():
    allowed = _student_modules()
    assert {"numpy", "sklearn", "course_lib", "itertools"} <= allowed
    assert not {"myst_nb", "IPython", "jupyter_book"} & allowed
    for page in _chapters():
        notebook = jupytext.read(page)
        code = [c.source for c in notebook.cells if c.cell_type == "code"]
        assert code, page
        extra = set().union(*map(_imports, code)) - allowed
        assert not extra, f"{page.name} imports {sorted(extra)}, which students lack"


def test_the_import_check_sees_what_students_lack():
    assert _imports("from myst_nb import glue\n%matplotlib inline") == {"myst_nb"}
    assert _imports("import IPython.display as d\nfrom . import x") == {"IPython"}


def test_module_docstring_names_both_halves():
    assert "glue" in book.__doc__ and "setup cell" in book.__doc__
