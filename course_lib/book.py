"""The book's notebooks, runnable wherever students are.

A chapter or a homework is a notebook that imports ``course_lib``. In the
course's own build everything is installed; in Colab, on Binder, on a
JupyterHub or in a student's own Jupyter, two things may be missing, and this
module supplies both:

- :func:`glue`: chapters name the numbers their text quotes with MyST-NB's
  ``glue``. Where MyST-NB is installed (the book's build) this is that
  function; elsewhere it shows the value as a cell's last line would, and the
  page's text keeps its ``{glue:text}`` roles unrendered. :func:`glue_numbers`
  names several numbers at once, as plain floats, without showing them.
- :func:`use_book_style`: the figures' style, the same in every chapter:
  vector images (SVG) that stay sharp on any screen, text that stays legible
  when a phone shrinks a figure to its width, and colours that colour-blind
  readers tell apart, each line also drawn in its own style.
- The setup cell (:func:`setup_source`, :func:`add_setup_cell`): the first
  cell of every notebook students run (each released homework, each chapter's
  runnable copy and download). It imports the library and only where that
  fails installs it, pinned to the course's version, from the course's
  published repository (:func:`requirement`); where the library is installed
  it does nothing.

Examples
--------
>>> from course_lib.book import requirement, setup_source
>>> spec = requirement("https://github.com/org/course", "1.2.0")
>>> spec
'course_lib @ git+https://github.com/org/course@v1.2.0'
>>> print(setup_source(spec).splitlines()[2])
COURSE_LIB = "course_lib @ git+https://github.com/org/course@v1.2.0"
"""

from __future__ import annotations

import json
import re
from typing import Any

__all__ = [
    "FIGURE_WIDTH",
    "LINE_STYLES",
    "MIN_TEXT_PX",
    "PALETTE",
    "SETUP_CELL_ID",
    "add_setup_cell",
    "glue",
    "glue_numbers",
    "requirement",
    "setup_source",
    "use_book_style",
]

#: The id of the setup cell, first in every notebook students run.
SETUP_CELL_ID = "course-setup"

#: The packages the library brings: the setup cell reports a change to any
#: that the session has already imported.
STACK = ("numpy", "pandas", "scipy", "scikit-learn", "matplotlib", "jinja2")

#: Okabe and Ito's colours for colour-blind readers, in the order lines take
#: them: the first five stand out from white by 3:1 or more (WCAG 2.1's
#: contrast for graphics); orange and sky blue, paler, come last, and yellow,
#: too pale, is left out.
PALETTE = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#000000",  # black
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
)
#: A line style for each colour, so that no line is told from another by its
#: colour alone.
LINE_STYLES = ("-", "--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3)), (0, (8, 3)))
#: The default figure's width in inches: at 96 CSS px an inch, 480 px, which a
#: phone's column (342 px in a window 390 px wide) shrinks to 0.71 of its size.
FIGURE_WIDTH = 5.0
#: The smallest text a figure may show, in CSS px, in a window 390 px wide
#: (``tests/browser`` measures it): the smallest font (10 pt, tick labels and
#: legends) of a figure :data:`FIGURE_WIDTH` wide is 13.3 px at full size and
#: 9.5 px on a phone.
MIN_TEXT_PX = 9.0

_URL = re.compile(r"https://[^\s\"'{}\\]+")
_VERSION = re.compile(r"[0-9]+(\.[0-9]+)*([a-z0-9.+-]*)")
_CELL_ID = re.compile(r"[a-zA-Z0-9-_]{1,64}")


def glue(name: str, variable: Any, display: bool = True) -> None:
    """Name a value for the page's text: MyST-NB's ``glue`` where it is installed.

    Parameters
    ----------
    name : str
        The name the page's text refers to (``{glue:text}`name```).
    variable : object
        The value.
    display : bool, default True
        Also show the value in the cell's output.

    Examples
    --------
    >>> from course_lib.book import glue
    >>> glue("accuracy", 0.66, display=False)
    """
    if not isinstance(name, str) or not name:
        raise TypeError(f"name must be a non-empty str; got {name!r}")
    try:
        from myst_nb import glue as myst_glue
    except ImportError:
        myst_glue = None
    if myst_glue is not None:
        myst_glue(name, variable, display=display)
    elif display:
        try:
            from IPython.display import display as show
        except ImportError:
            show = print
        show(variable)


def glue_numbers(**values: float) -> None:
    """Name several numbers for the page's text at once, without showing them.

    Each keyword is a name the text refers to (``{glue:text}`name:.1%```) and
    its value, a real number, is glued as a Python ``float`` (a numpy or pandas
    scalar formats the same way, and a page's text never sees its type).

    Parameters
    ----------
    **values : float
        The names and their values: Python or numpy numbers.

    Raises
    ------
    TypeError
        If a value is not a real number (a bool, an array or a string).

    Examples
    --------
    >>> import numpy as np
    >>> from course_lib.book import glue_numbers
    >>> glue_numbers(accuracy=np.float64(0.66), people=32_561)
    """
    numbers = {}
    for name, value in values.items():
        try:
            if isinstance(value, bool | str | bytes):
                raise TypeError
            numbers[name] = float(value)
        except (TypeError, ValueError):
            raise TypeError(f"{name} must be a real number; got {value!r}") from None
    for name, number in numbers.items():
        glue(name, number, display=False)


def use_book_style(*, grid: bool = False) -> None:
    """Set matplotlib's style for the book's figures, once, in a page's first cell.

    Figures come out as SVG where IPython shows them (the book's build,
    Jupyter, Colab): vector images, sharp on any screen at any zoom. They are
    :data:`FIGURE_WIDTH` inches wide by default, with text of at least 10 pt,
    so that a phone that shrinks a figure to its column still shows every
    label at :data:`MIN_TEXT_PX` CSS px or more. Lines take Okabe and Ito's
    colours (:data:`PALETTE`), each with its own line style.

    Parameters
    ----------
    grid : bool, default False
        Draw a light grid behind every plot.

    Notes
    -----
    In plain Python, or where IPython is missing, only matplotlib's settings
    change; saving a figure (``fig.savefig("plot.svg")``) gives the same SVG.

    Examples
    --------
    >>> import matplotlib.pyplot as plt
    >>> from course_lib.book import use_book_style
    >>> use_book_style()
    >>> plt.rcParams["figure.figsize"], plt.rcParams["xtick.labelsize"]
    ([5.0, 3.4], 10.0)
    """
    if not isinstance(grid, bool):
        raise TypeError(f"grid must be a bool; got {grid!r}")
    import matplotlib as mpl

    settings: dict[str, Any] = {
        "figure.figsize": (FIGURE_WIDTH, 3.4),
        "figure.dpi": 96,
        "font.size": 11.0,
        "axes.titlesize": 12.0,
        "axes.labelsize": 11.0,
        "xtick.labelsize": 10.0,
        "ytick.labelsize": 10.0,
        "legend.fontsize": 10.0,
        "legend.title_fontsize": 10.0,
        "figure.titlesize": 12.0,
        "lines.linewidth": 1.8,
        "axes.prop_cycle": mpl.cycler(color=list(PALETTE))
        + mpl.cycler(linestyle=list(LINE_STYLES)),
        "axes.grid": grid,
        "grid.alpha": 0.3,
        # Text as outlines: the same glyphs on every screen, and each text's
        # size can be read from the file (as the browser tests do).
        "svg.fonttype": "path",
        # The same figure gives the same file, build after build.
        "svg.hashsalt": "course_lib",
    }
    mpl.rcParams.update(settings)
    try:
        from IPython import get_ipython
        from matplotlib_inline.backend_inline import set_matplotlib_formats
    except ImportError:
        return
    if get_ipython() is not None:
        set_matplotlib_formats("svg")


def requirement(url: str, version: str) -> str:
    """The pip requirement that installs the student library from the course's repository.

    Parameters
    ----------
    url : str
        The https URL of the published student repository (``repository.url``
        in the book's ``_config.yml``).
    version : str
        The library's version; the repository is tagged ``v<version>``.

    Returns
    -------
    str
        ``"course_lib @ git+<url>@v<version>"``.

    Examples
    --------
    >>> requirement("https://github.com/org/course/", "0.1.0")
    'course_lib @ git+https://github.com/org/course@v0.1.0'
    >>> requirement("github.com/org/course", "0.1.0")
    Traceback (most recent call last):
    ...
    ValueError: repository.url in _config.yml must be the https URL of the published student repository; got 'github.com/org/course'
    """
    url = str(url or "").rstrip("/")
    if not _URL.fullmatch(url):
        raise ValueError(
            "repository.url in _config.yml must be the https URL of the published "
            f"student repository; got {url!r}"
        )
    if not isinstance(version, str) or not _VERSION.fullmatch(version):
        raise ValueError(
            f"version must be the library's version, such as '0.1.0'; got {version!r}"
        )
    return f"course_lib @ git+{url}@v{version}"


def setup_source(spec: str) -> str:
    """The setup cell's code, installing the requirement ``spec`` where it is missing.

    Parameters
    ----------
    spec : str
        A pip requirement (see :func:`requirement`), or a wheel's path.

    Returns
    -------
    str
        The cell's source; its third line, ``COURSE_LIB = ...``, is the one a
        course changes to install the library from elsewhere.

    Notes
    -----
    pip keeps every package already installed whose version is inside the
    library's ranges (Colab's are). Where it must change one that the session
    has already imported, the running kernel still holds the old one, so the
    cell says which, and to restart the kernel.
    """
    return (
        "# Setup: where the course's library is missing (Colab, Binder, your own\n"
        "# Jupyter), this installs it once; where it is installed, it does nothing.\n"
        f"COURSE_LIB = {json.dumps(spec)}\n"
        "try:\n"
        "    import course_lib\n"
        "except ModuleNotFoundError:\n"
        "    import sys\n"
        "    from importlib.metadata import version\n"
        "\n"
        "    # pip keeps the versions you have where they suit the library; if it\n"
        "    # changes one this session has imported, the kernel must restart.\n"
        f"    packages = {json.dumps(list(STACK))}\n"
        '    names = {p: p.replace("scikit-learn", "sklearn") for p in packages}\n'
        "    before = {p: version(p) for p in packages if names[p] in sys.modules}\n"
        '    %pip install --quiet "{COURSE_LIB}"\n'
        "    changed = [\n"
        '        f"{p} {v} to {version(p)}" for p, v in before.items() if version(p) != v\n'
        "    ]\n"
        "    if changed:\n"
        '        print("The setup changed", ", ".join(changed) + ": restart the kernel",\n'
        '              "(in Colab: Runtime > Restart session), then run the notebook again.")\n'
        "    import course_lib"
    )


def add_setup_cell(notebook: dict[str, Any], spec: str) -> dict[str, Any]:
    """Put the setup cell first in ``notebook`` (or renew it), in place.

    Parameters
    ----------
    notebook : dict
        A notebook in nbformat 4 (a parsed ``.ipynb``, or nbformat's
        ``NotebookNode``). A notebook older than nbformat 4.5 is brought to
        4.5: cells without an id get one.
    spec : str
        The requirement the cell installs (see :func:`requirement`).

    Returns
    -------
    dict
        ``notebook``, whose first cell is the setup cell (id
        :data:`SETUP_CELL_ID`) and which holds no other.

    Examples
    --------
    >>> nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}
    >>> nb = add_setup_cell(nb, "course_lib @ git+https://example.org/c@v1")
    >>> nb = add_setup_cell(nb, "course_lib @ git+https://example.org/c@v1")
    >>> [cell["id"] for cell in nb["cells"]]
    ['course-setup']
    """
    if not isinstance(notebook, dict) or notebook.get("nbformat") != 4:
        found = notebook.get("nbformat") if isinstance(notebook, dict) else notebook
        raise ValueError(
            f"notebook must be a notebook in nbformat 4; got {found!r:.60}"
        )
    cells = [c for c in notebook.get("cells", []) if c.get("id") != SETUP_CELL_ID]
    if notebook.get("nbformat_minor", 0) < 5:
        # nbformat 4.5 gives every cell an id: keep the valid unique ones,
        # number the others.
        taken: set[str] = set()
        kept = []
        for cell in cells:
            cell_id = str(cell.get("id", ""))
            kept.append(bool(_CELL_ID.fullmatch(cell_id)) and cell_id not in taken)
            if kept[-1]:
                taken.add(cell_id)
        number = 0
        for cell, keep in zip(cells, kept, strict=True):
            if not keep:
                while f"cell-{number}" in taken:
                    number += 1
                cell["id"] = f"cell-{number}"
                taken.add(cell["id"])
        notebook["nbformat_minor"] = 5
    setup = {
        "cell_type": "code",
        "execution_count": None,
        "id": SETUP_CELL_ID,
        "metadata": {"tags": ["setup"]},
        "outputs": [],
        "source": setup_source(spec),
    }
    notebook["cells"] = [_like(notebook, setup), *cells]
    return notebook


def _like(notebook: dict[str, Any], value: Any) -> Any:
    """``value`` with its dicts of ``notebook``'s type (nbformat's ``NotebookNode``)."""
    if isinstance(value, dict):
        return type(notebook)({k: _like(notebook, v) for k, v in value.items()})
    if isinstance(value, list):
        return [_like(notebook, v) for v in value]
    return value
