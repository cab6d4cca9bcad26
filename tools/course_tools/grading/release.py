"""The setup cell every released homework begins with: the student library, wherever students are.

A homework imports ``course_lib``. In the course's own environment it is
there; in Colab, on Binder or in a student's own Jupyter it may not be. So
``course release`` puts one cell first in each released notebook: it imports
the library, and only where that fails installs it, pinned to the course's
version, from the course's published repository::

    # Setup: where the course's library is missing (Colab, Binder, your own
    # Jupyter), this installs it once; where it is installed, it does nothing.
    COURSE_LIB = "course_lib @ git+https://github.com/ORG/REPO@v0.1.0"
    try:
        import course_lib
    except ModuleNotFoundError:
        %pip install --quiet "{COURSE_LIB}"
        import course_lib

The repository is set once, as ``repository.url`` in ``_config.yml`` (which
the book's launch buttons read too), and the version is the library's, from
``pyproject.toml``: tag the published repository ``v<version>``. A course
that hosts the library elsewhere changes the one ``COURSE_LIB`` line.

The cell itself is :mod:`course_lib.book`'s: the book's extension
(``_ext/notebooks.py``) and ``course publish`` put the same cell first in each
chapter's download and runnable copy.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

import nbformat

from course_lib.book import SETUP_CELL_ID, requirement, setup_source
from course_lib.book import add_setup_cell as _add_setup_cell

__all__ = ["SETUP_CELL_ID", "add_setup_cell", "install_spec", "setup_source"]


def install_spec(root: str | os.PathLike[str]) -> str:
    """The pip requirement that installs the student library, from the course config.

    Parameters
    ----------
    root : str or path-like
        The course repository: ``_config.yml`` (``repository.url``) and
        ``pyproject.toml`` (the library's version).

    Returns
    -------
    str
        ``"course_lib @ git+<url>@v<version>"`` (:func:`course_lib.book.requirement`).

    Raises
    ------
    ValueError
        If either file is missing, or the URL is not an https URL.

    Examples
    --------
    >>> from pathlib import Path
    >>> root = Path(__file__).resolve().parents[3]
    >>> install_spec(root).startswith("course_lib @ git+https://")
    True
    """
    import yaml

    root = Path(root)
    try:
        config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
        project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ValueError(
            f"the course config must hold _config.yml and pyproject.toml; got {error}"
        ) from None
    url = ((config or {}).get("repository") or {}).get("url")
    return requirement(url, str(project["project"]["version"]))


def add_setup_cell(path: str | os.PathLike[str], spec: str) -> None:
    """Put the setup cell first in the released notebook at ``path`` (or renew it).

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> path = Path(tempfile.mkdtemp()) / "hw.ipynb"
    >>> nbformat.write(nbformat.v4.new_notebook(), path)
    >>> add_setup_cell(path, "course_lib @ git+https://example.org/c@v1")
    >>> add_setup_cell(path, "course_lib @ git+https://example.org/c@v1")
    >>> cells = nbformat.read(path, as_version=4).cells
    >>> len(cells), cells[0].id
    (1, 'course-setup')
    """
    nb = nbformat.read(path, as_version=4)
    nbformat.write(_add_setup_cell(nb, spec), path)
