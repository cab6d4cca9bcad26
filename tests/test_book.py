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
    FIGURE_WIDTH,
    LINE_STYLES,
    MIN_TEXT_PX,
    PALETTE,
    SETUP_CELL_ID,
    add_setup_cell,
    glue,
    glue_numbers,
    requirement,
    setup_source,
    use_book_style,
)

from .browser.conftest import PHONE_FIGURE_WIDTH, svg_text_sizes
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


# use_book_style ----------------------------------------------------------------


@pytest.fixture
def rc():
    """matplotlib's settings, restored after the test."""
    import matplotlib as mpl

    with mpl.rc_context():
        yield mpl.rcParams


def _figure(legend_size: float | None = None, **subplots):
    """A figure with every kind of text a chapter's figure has."""
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(**subplots)
    for k in range(3):
        ax.plot([0, 1, 2], [k, k + 1, k], label=f"group {k}")
    ax.set(title="A title", xlabel="round", ylabel=r"$\varepsilon$ spent")
    ax.annotate("a note", (1, 2))
    ax.legend(fontsize=legend_size)
    return fig


def _smallest_text_on_a_phone(fig) -> float:
    """The smallest text of ``fig`` in CSS px, shown as the book shows it on a phone."""
    import io

    import matplotlib.pyplot as plt

    out = io.StringIO()
    fig.savefig(out, format="svg", bbox_inches="tight")  # as IPython shows it
    plt.close(fig)
    width, sizes = svg_text_sizes(out.getvalue())
    assert len(sizes) >= 10, sizes  # title, labels, ticks, note and legend
    # 72 points an inch, 96 CSS px an inch; no wider than the phone's column.
    shown = min(width * 96 / 72, PHONE_FIGURE_WIDTH)
    return min(sizes) * shown / width


def test_the_book_style_keeps_a_default_figure_legible_on_a_phone(rc):
    # A page's first cell ends with the call: it must show nothing.
    assert use_book_style() is None
    assert tuple(rc["figure.figsize"]) == (FIGURE_WIDTH, 3.4)
    assert rc["svg.fonttype"] == "path" and not rc["axes.grid"]
    assert _smallest_text_on_a_phone(_figure()) >= MIN_TEXT_PX


def test_the_legibility_measure_fails_the_books_old_figures(rc):
    # The style every chapter had before: a figure 7 inches wide, 11 pt text,
    # shrunk to a phone's column; smaller still with a legend in 8 pt.
    rc.update({"figure.dpi": 110, "font.size": 11})
    old = _smallest_text_on_a_phone(_figure(figsize=(7, 4)))
    assert 6 < old < MIN_TEXT_PX
    assert _smallest_text_on_a_phone(_figure(8, figsize=(7, 4))) < old
    # and the book's style with too wide a figure fails too
    use_book_style()
    assert _smallest_text_on_a_phone(_figure(figsize=(10, 4))) < MIN_TEXT_PX


def test_the_book_style_tells_lines_apart_without_colour(rc):
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgb

    use_book_style(grid=True)
    assert rc["axes.grid"]
    cycle = rc["axes.prop_cycle"].by_key()
    # Each line of a plot has a colour and a line style of its own.
    assert cycle["color"] == list(PALETTE)
    assert cycle["linestyle"] == list(LINE_STYLES)
    assert len(set(map(str, LINE_STYLES))) == len(LINE_STYLES) == len(PALETTE)
    fig, ax = plt.subplots()
    lines = [ax.plot([0, 1], [k, k])[0] for k in range(len(PALETTE))]
    plt.close(fig)
    assert [line.get_color() for line in lines] == list(PALETTE)
    assert [line.get_linestyle() for line in lines[:4]] == ["-", "--", "-.", ":"]

    def contrast_with_white(colour: str) -> float:
        linear = [
            c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4
            for c in to_rgb(colour)
        ]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        return 1.05 / (luminance + 0.05)

    # The first five colours, those most figures use, meet WCAG 2.1's 3:1
    # for graphics.
    assert all(contrast_with_white(c) >= 3 for c in PALETTE[:5])
    assert contrast_with_white("#F0E442") < 3  # the yellow left out would not


def test_the_book_style_shows_svg_in_ipython(rc, monkeypatch):
    import IPython
    import matplotlib_inline.backend_inline as inline

    formats = []
    monkeypatch.setattr(inline, "set_matplotlib_formats", formats.append)
    monkeypatch.setattr(IPython, "get_ipython", lambda: None)  # plain Python
    use_book_style()
    assert formats == []
    monkeypatch.setattr(IPython, "get_ipython", lambda: object())  # a kernel
    use_book_style()
    assert formats == ["svg"]


def test_the_book_style_works_without_ipython(rc, monkeypatch):
    monkeypatch.setitem(sys.modules, "IPython", None)  # not installed
    monkeypatch.setitem(sys.modules, "matplotlib_inline", None)
    monkeypatch.setitem(sys.modules, "matplotlib_inline.backend_inline", None)
    use_book_style()
    assert rc["font.size"] == 11 and rc["svg.fonttype"] == "path"


@pytest.mark.parametrize("grid", [1, "yes", None])
def test_the_book_style_needs_a_bool(grid):
    with pytest.raises(TypeError, match="grid must be a bool; got"):
        use_book_style(grid=grid)


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
    assert "use_book_style" in book.__doc__
