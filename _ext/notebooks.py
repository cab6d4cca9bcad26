"""Chapters that run where students are: launch buttons and downloads open runnable notebooks.

A chapter is a MyST Markdown notebook (``chapters/compas_audit.md``). Colab opens
only ``.ipynb`` files, so ``course publish`` writes beside each notebook page
its runnable copy, ``compas_audit.ipynb``, which begins with the setup cell of
:mod:`course_lib.book`. This extension makes the site use those copies:

- every launch button (Binder, JupyterHub, Colab) of a notebook page opens
  ``<page>.ipynb`` in the course's published repository (``repository.url``),
  where ``course publish`` wrote it; sphinx-book-theme itself links the
  ``.md`` unless the ``.ipynb`` is on the building machine;
- the page's ``.ipynb`` download (the page as a notebook, which the theme
  copies into ``_sources/`` from myst-nb's ``jupyter_execute/``) begins with
  the same setup cell, so that it runs in any Jupyter;
- the runnable copies are never read as pages (Sphinx would find two sources
  for one page).

The setup cell installs ``course_lib @ git+<repository.url>@v<version>``, the
version being ``pyproject.toml``'s, as ``course release`` does for homework.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from urllib.parse import quote

from course_lib.book import add_setup_cell, requirement


def _exclude_runnable_copies(app, config) -> None:
    """Leave out each ``X.ipynb`` that has an ``X.md`` beside it."""
    srcdir = Path(app.srcdir)
    copies = []
    for folder, dirs, files in os.walk(srcdir):
        # Not hidden folders (.venv, .git) nor the build's own.
        dirs[:] = [d for d in dirs if not d.startswith(".") and d != "_build"]
        for name in files:
            path = Path(folder, name)
            if path.suffix == ".ipynb" and path.with_suffix(".md").is_file():
                copies.append(path.relative_to(srcdir).as_posix())
    config.exclude_patterns = [*config.exclude_patterns, *sorted(copies)]


def _requirement(app) -> None:
    """The setup cell's requirement, from ``repository.url`` and the library's version."""
    url = app.config.html_theme_options.get("repository_url")
    pyproject = (Path(app.srcdir) / "pyproject.toml").read_text(encoding="utf-8")
    version = tomllib.loads(pyproject)["project"]["version"]
    app.course_requirement = requirement(url, str(version))


def _runnable(app, pagename, templatename, context, doctree) -> None:
    """Point the launch buttons at ``<page>.ipynb``; put the setup cell in its download."""
    if doctree is None or "ipynb_source" not in context:
        return  # not a notebook page (sphinx-book-theme sets ipynb_source for them)
    suffix = Path(app.env.doc2path(pagename)).suffix
    if suffix != ".ipynb":
        old, new = f"{pagename}{suffix}", f"{pagename}.ipynb"
        for group in context.get("header_buttons", []):
            if group.get("label") != "launch-buttons":
                continue
            for button in group.get("buttons", []):
                if "url" in button:
                    url = button["url"].replace(old, new)
                    button["url"] = url.replace(
                        quote(old, safe="/"), quote(new, safe="/")
                    )
    download = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    if download.is_file():
        notebook = json.loads(download.read_text(encoding="utf-8"))
        add_setup_cell(notebook, app.course_requirement)
        download.write_text(json.dumps(notebook, indent=1, ensure_ascii=False) + "\n")


def setup(app):
    app.connect("config-inited", _exclude_runnable_copies)
    app.connect("builder-inited", _requirement)
    # After sphinx-book-theme's add_launch_buttons (priority 501), which
    # builds the buttons and copies the executed notebook into _sources/.
    app.connect("html-page-context", _runnable, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
