"""Publishing: the student-facing copy of the course.

:func:`publish` writes the repository that students get: the book's sources,
the student versions of the homework (``exercises/``), ``course_lib`` (the
student library; the instructor tools are another package, ``course_tools``,
never copied), a ``pyproject.toml`` and a README for students, and
optionally the built site. It never copies the solutions, the hidden tests,
the answer bank, the benchmarks or nbgrader's files, and it refuses to finish
if any solution or hidden-test text reached the copy.

The leak scanner lives here too, so that it works in a published copy. The
secrets of a homework are the lines inside the solution, hidden-test and
mark-scheme regions of its nbgrader source notebook, every line of its
``hidden_tests.py`` and of the answer bank (except import lines). A line
counts as secret only if it is long enough to be distinctive and appears
nowhere students see by design: outside those regions in the notebooks, in
the book's pages, or in the published ``course_lib``. Files are searched as
text with JSON string escapes undone, HTML tags removed, entities decoded and
all whitespace dropped, so a line split into syntax-highlighting spans on a
web page, or stored as a JSON string in a notebook, is still found.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from course_tools.grading.release import install_spec

__all__ = [
    "MARKERS",
    "PublishError",
    "PublishReport",
    "course_secrets",
    "find_leaks",
    "normalise",
    "publish",
    "secret_lines",
]

# Built from parts so that this file, which is published, holds no marker.
_KINDS = ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME")
MARKERS = tuple(f"{edge} {kind}" for kind in _KINDS for edge in ("BEGIN", "END"))
_BEGIN = re.compile("BEGIN " + f"({'|'.join(_KINDS)})")
_END = re.compile("END " + f"({'|'.join(_KINDS)})")
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")
_IMPORT = re.compile(r"\s*(import|from)\s")
MIN_LENGTH = 16

# What a published copy must never mention: the instructor tools' package and
# the function that hidden-test regions call. (This module is one of those
# tools: it is never published, so it may spell them out.)
_GRADING_NAMES = ("course_tools", "run_hidden_tests")
# The name of the file that marks a folder as a `course publish` output.
MANIFEST = ".course-publish.json"
_IGNORE = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".ipynb_checkpoints", ".pytest_cache", "_build"
)


class PublishError(ValueError):
    """The published copy is not fit for students.

    Raised when solution or hidden-test text reached the copy, when a
    published page or notebook refers to the instructor tools, when the
    published ``course_lib`` does not import, or when the site does not build.
    ``leaks`` lists the ``(file, secret)`` pairs found, if any.
    """

    def __init__(self, message: str, leaks: list[tuple[Path, str]] | None = None):
        super().__init__(message)
        self.leaks = leaks or []


@dataclass(frozen=True)
class PublishReport:
    """What :func:`publish` wrote and checked.

    Attributes
    ----------
    destination : Path
        The published folder.
    files : int
        Files written (before the build).
    built : bool
        Whether the site was built into ``destination/_build/html``.
    secrets : int
        Distinctive secret lines searched for.
    scanned : int
        Files searched for them (sources and built site), none of which held
        one.
    """

    destination: Path
    files: int
    built: bool
    secrets: int
    scanned: int

    def summary(self) -> str:
        """One line for the terminal."""
        site = ", site built in _build/html" if self.built else ""
        return (
            f"published {self.files} files to {self.destination}{site}; "
            f"searched {self.scanned} files for {self.secrets} secret lines: none found"
        )


def normalise(text: str) -> str:
    """Text reduced to what a reader sees, without any whitespace.

    Parameters
    ----------
    text : str
        Source, JSON or HTML text.

    Returns
    -------
    str
        The text with JSON string escapes undone, HTML tags removed, entities
        decoded and every whitespace character dropped.

    Examples
    --------
    >>> normalise("<b>a</b>&gt;=\\n   b")
    'a>=b'
    """
    text = text.replace("\\\\", "\\").replace('\\"', '"').replace("\\n", "\n")
    return _SPACE.sub("", html.unescape(_TAG.sub("", text)))


def _cells(path: Path) -> list[str]:
    cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    return [
        "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
        for c in cells
    ]


def secret_lines(
    notebooks: Iterable[Path],
    regions: tuple[str, ...] = _KINDS,
    modules: Iterable[Path] = (),
    published: Iterable[Path] = (),
) -> set[str]:
    """Distinctive lines that appear only inside the given kinds of region.

    Parameters
    ----------
    notebooks : iterable of Path
        nbgrader source notebooks (with solutions and hidden tests).
    regions : tuple of str, default ("SOLUTION", "HIDDEN TESTS", "MARK SCHEME")
        The kinds of region whose lines are secret.
    modules : iterable of Path
        Files all of whose lines are secret, except import lines: the hidden
        tests' Python files and the answer bank.
    published : iterable of Path
        Files students get by design (the book's pages, the published
        ``course_lib``): a line that also appears in one gives nothing away.

    Returns
    -------
    set of str
        Normalised secret lines at least ``MIN_LENGTH`` characters long, with a
        letter, that are not part of any line outside the regions or in a
        published file.

    Raises
    ------
    FileNotFoundError
        If a file does not exist.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     module = Path(tmp) / "hidden_tests.py"
    ...     _ = module.write_text("import numpy\\nEXPECTED = [0, 1, 8, 9, 10]\\n")
    ...     sorted(secret_lines([], modules=[module]))
    ['EXPECTED=[0,1,8,9,10]']
    """
    secret: set[str] = set()
    public: set[str] = set()
    for path in published:
        public.update(normalise(line) for line in path.read_text().split("\n"))
    for path in modules:
        for line in path.read_text().split("\n"):
            if not _IMPORT.match(line):
                secret.add(normalise(line))
    for path in notebooks:
        for source in _cells(path):
            inside = False
            for line in source.split("\n"):
                begin = _BEGIN.search(line)
                if begin:
                    inside = begin.group(1) in regions
                    continue
                if _END.search(line):
                    inside = False
                    continue
                (secret if inside else public).add(normalise(line))
    public_text = "\n".join(public)
    return {
        line
        for line in secret
        if len(line) >= MIN_LENGTH
        and re.search(r"[A-Za-z]", line)
        and line not in public_text
    }


def readable_files(root: Path, exclude: tuple[str, ...] = (".git",)) -> list[Path]:
    """Every file below ``root``, sorted, skipping folders named in ``exclude``."""
    return [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and not exclude_match(p.relative_to(root), exclude)
    ]


def exclude_match(relative: Path, exclude: tuple[str, ...]) -> bool:
    """Whether a path lies in a folder whose name is in ``exclude``."""
    return any(part in exclude for part in relative.parts[:-1])


def find_leaks(
    root: Path, secrets: set[str], *, exclude: tuple[str, ...] = (".git",)
) -> list[tuple[Path, str]]:
    """Every (file, secret line or marker) found below ``root``.

    Parameters
    ----------
    root : Path
        Folder to search (every file, as text).
    secrets : set of str
        Normalised secret lines, from :func:`secret_lines`.
    exclude : tuple of str, default (".git",)
        Names of folders not to search.

    Returns
    -------
    list of (Path, str)
        Each file with each secret line or region marker found in it.

    Raises
    ------
    FileNotFoundError
        If ``root`` does not exist.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "page.html").write_text("<i>EXPECTED</i> = [0, 1, 8, 9, 10]")
    ...     [(p.name, s) for p, s in find_leaks(Path(tmp), {"EXPECTED=[0,1,8,9,10]"})]
    [('page.html', 'EXPECTED=[0,1,8,9,10]')]
    """
    if not root.is_dir():
        raise FileNotFoundError(f"root must be an existing folder; got {root}")
    markers = [(m, normalise(m)) for m in MARKERS]
    found = []
    for path in readable_files(root, exclude):
        text = normalise(path.read_bytes().decode("utf-8", errors="ignore"))
        found.extend((path, marker) for marker, norm in markers if norm in text)
        found.extend((path, line) for line in secrets if line in text)
    return found


def _book_pages(source: Path) -> list[Path]:
    """The pages listed in ``_toc.yml`` (its root and every ``file:``)."""
    import yaml

    toc = yaml.safe_load((source / "_toc.yml").read_text())
    names: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            for key in ("root", "file"):
                if isinstance(node.get(key), str):
                    names.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(toc)
    pages = []
    for name in names:
        matches = [
            source / f"{name}{suffix}"
            for suffix in ("", ".md", ".ipynb", ".rst")
            if (source / f"{name}{suffix}").is_file()
        ]
        if not matches:
            raise PublishError(
                f"_toc.yml must list existing pages; got {name!r}, which matches no file"
            )
        pages.append(matches[0])
    return pages


#: A page whose text holds this is for instructors: left out of the students' site.
INSTRUCTORS_PAGE = "<!-- audience: instructors"
_INSTRUCTORS_ONLY = re.compile(
    r"^<!-- instructors-only:start -->\n.*?^<!-- instructors-only:end -->\n?",
    re.S | re.M,
)


def _for_instructors(page: Path) -> bool:
    return page.suffix == ".md" and INSTRUCTORS_PAGE in page.read_text(encoding="utf-8")


def _students_toc(text: str, left_out: set[str]) -> str:
    """``_toc.yml`` without the entries of the pages in ``left_out``."""
    import yaml

    def keep(node: object) -> object:
        if isinstance(node, dict):
            return {k: keep(v) for k, v in node.items()}
        if isinstance(node, list):
            return [
                keep(v)
                for v in node
                if not (isinstance(v, dict) and v.get("file") in left_out)
            ]
        return node

    return yaml.safe_dump(keep(yaml.safe_load(text)), sort_keys=False)


def _students_page(path: Path) -> None:
    """Drop the page's instructors-only blocks (``<!-- instructors-only:start -->``)."""
    text = path.read_text(encoding="utf-8")
    kept = _INSTRUCTORS_ONLY.sub("", text)
    if kept != text:
        path.write_text(kept, encoding="utf-8")


def _is_notebook_page(page: Path) -> bool:
    """Whether ``page`` is a MyST Markdown notebook: a kernelspec in its front matter."""
    import yaml

    if page.suffix != ".md":
        return False
    text = page.read_text(encoding="utf-8")
    match = re.match(r"---\n(.*?)\n---\n", text, re.S)
    try:
        front = yaml.safe_load(match.group(1)) if match else None
    except yaml.YAMLError:
        return False
    return isinstance(front, dict) and "kernelspec" in front


def _write_runnable_copy(page: Path, spec: str) -> Path:
    """Write the notebook page's runnable copy, ``<page>.ipynb``, beside it.

    The copy holds the page's cells, without outputs, after the setup cell
    that installs ``spec`` where the library is missing: it is what the
    site's launch buttons open (Colab opens only ``.ipynb`` files). Cell ids
    come from the cells' text, so publishing an unchanged page again writes
    the same file.
    """
    import hashlib

    import jupytext
    import nbformat

    from course_lib.book import add_setup_cell

    notebook = jupytext.read(page, fmt="md:myst")
    notebook.metadata.pop("jupytext", None)
    taken: set[str] = set()
    for cell in notebook.cells:
        text = f"{cell.cell_type}\n{cell.source}".encode()
        base = hashlib.sha256(text).hexdigest()[:12]
        cell.id, n = base, 1
        while cell.id in taken:
            cell.id, n = f"{base}-{n}", n + 1
        taken.add(cell.id)
    add_setup_cell(notebook, spec)
    copy = page.with_suffix(".ipynb")
    nbformat.write(notebook, copy)
    return copy


#: The GitHub Actions workflow that builds the students' site and serves it on
#: GitHub Pages, written beside it by :func:`publish`.
PAGES_WORKFLOW = """# Build the book and publish it on GitHub Pages (Settings > Pages > Source:
# GitHub Actions). Written by `course publish`; publishing again rewrites it.
name: book
on:
  push:
    branches: [main]
  workflow_dispatch:
permissions:
  contents: read
  pages: write
  id-token: write
concurrency:
  group: pages
  cancel-in-progress: true
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: python -m pip install -c constraints.txt -e ".[book]"
      - run: jupyter-book build . --builder html
      - uses: actions/upload-pages-artifact@v3
        with:
          path: _build/html
  deploy:
    needs: build
    runs-on: ubuntu-latest
    environment:
      name: github-pages
      url: ${{ steps.deployment.outputs.page_url }}
    steps:
      - id: deployment
        uses: actions/deploy-pages@v4
"""


def _book_extras(source: Path) -> list[Path]:
    """Files ``_config.yml`` names: bibliography, logo, favicon, extensions, templates."""
    import yaml

    config = yaml.safe_load((source / "_config.yml").read_text()) or {}
    names = list(config.get("bibtex_bibfiles") or [])
    names += [config.get("logo") or "", (config.get("html") or {}).get("favicon") or ""]
    # Local Sphinx extensions: {name: folder}.
    names += list(((config.get("sphinx") or {}).get("local_extensions") or {}).values())
    # Folders of static files (e.g. a vendored MathJax) and of templates.
    sphinx_config = (config.get("sphinx") or {}).get("config") or {}
    names += list(sphinx_config.get("html_static_path") or [])
    names += list(sphinx_config.get("templates_path") or [])
    names += ["_static", "references.bib"]
    return [source / n for n in names if n and (source / n).exists()]


def course_secrets(source: Path, published_lib: Path | None = None) -> set[str]:
    """The secret lines of a course: what must never reach students.

    Parameters
    ----------
    source : Path
        The course's root folder, with ``solutions/`` (nbgrader source
        notebooks and ``hidden_tests.py``) and the answer bank in
        ``tests/homework/bank/``.
    published_lib : Path, optional
        The ``course_lib`` folder as published; its code is public by design.
        Default: ``source/course_lib``.

    Returns
    -------
    set of str
        Normalised secret lines (see :func:`secret_lines`); the book's pages
        and the published ``course_lib`` are public.

    Raises
    ------
    PublishError
        If ``solutions/`` holds no notebook.

    Examples
    --------
    >>> root = Path(__file__).resolve().parents[1]
    >>> if (root / "solutions").is_dir():
    ...     assert len(course_secrets(root)) > 100
    """
    notebooks = sorted(source.glob("solutions/*/*.ipynb"))
    if not notebooks:
        raise PublishError(
            f"source must hold the homework's nbgrader notebooks in solutions/*/; got none in {source}"
        )
    modules = [
        *sorted(source.glob("solutions/*/hidden_tests.py")),
        *sorted(source.glob("tests/homework/bank/**/*.py")),
    ]
    lib = published_lib or source / "course_lib"
    code = [
        p
        for p in sorted(lib.rglob("*.py"))
        if "grading" not in p.relative_to(lib).parts
    ]
    return secret_lines(
        notebooks, modules=modules, published=[*_book_pages(source), *code]
    )


def _check_destination(source: Path, destination: Path) -> list[str]:
    """The entries a previous publish wrote, or raise if DIR is not ours."""
    if destination == source or destination in source.parents:
        raise ValueError(
            f"DIR must not be the course's folder or contain it; got {destination}"
        )
    if destination.exists() and not destination.is_dir():
        raise ValueError(
            f"DIR must be empty or a previous `course publish` output; got the file {destination}"
        )
    if not destination.exists() or not any(destination.iterdir()):
        return []
    manifest = destination / MANIFEST
    try:
        entries = json.loads(manifest.read_text())["entries"]
    except (OSError, ValueError, KeyError, TypeError):
        entries = None
    if not isinstance(entries, list) or not all(
        isinstance(e, str) and e and "/" not in e and e not in {".", ".."}
        for e in entries
    ):
        content = sorted(p.name for p in destination.iterdir())
        raise ValueError(
            f"DIR must be empty or a previous `course publish` output; got {destination}, "
            f"which holds {content[:5]}{' ...' if len(content) > 5 else ''} and no valid {MANIFEST}"
        )
    return entries


def _remove(path: Path) -> None:
    if path.is_symlink() or path.is_file():
        path.unlink()
    elif path.is_dir():
        shutil.rmtree(path)


def _copy(src: Path, dst: Path, ignore=_IGNORE) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    if src.is_dir():
        shutil.copytree(src, dst, ignore=ignore, dirs_exist_ok=True)
    else:
        shutil.copy2(src, dst)


def _student_pyproject(source: Path) -> str:
    # The student library's own declaration, as it is: its dependencies are
    # the library's, and the instructor tools declare theirs apart
    # (tools/pyproject.toml), so nothing has to be filtered out here.
    project = tomllib.loads((source / "pyproject.toml").read_text())["project"]
    deps = list(project.get("dependencies", []))
    lines = "".join(f"    {json.dumps(d)},\n" for d in deps)
    return f"""[build-system]
requires = ["setuptools>=68", "wheel"]
build-backend = "setuptools.build_meta"

[project]
name = "course_lib"
version = {json.dumps(project.get("version", "0.1.0"))}
description = {json.dumps(project.get("description", ""))}
readme = "README.md"
requires-python = {json.dumps(project.get("requires-python", ">=3.11"))}
dependencies = [
{lines}]

[project.optional-dependencies]
# What it takes to build the book's site yourself (`pip install -e ".[book]"`).
book = ["jupyter-book>=1.0.4,<2", "jupyterlab>=4,<5"]

[tool.setuptools.packages.find]
include = ["course_lib*"]

[tool.setuptools.package-data]
course_lib = ["data/*/*.gz", "data/SHA256SUMS", "data/README.md"]
"""


def _student_readme(title: str, constraints: bool) -> str:
    pin = " -c constraints.txt" if constraints else ""
    return f"""# {title}

The book and the homework of the course, for students.
The chapters are MyST Markdown notebooks in `chapters/`, each with its runnable copy beside it (`chapters/<name>.ipynb`, which the launch buttons open and any Jupyter runs); `course_lib/` is the small library they import, with the course's datasets.

## Set up

With Python 3.11 (nothing is downloaded at run time but the Python packages):

```bash
python3.11 -m venv .venv
.venv/bin/python -m pip install{pin} -e ".[book]"
```

## Read the book

Read it online, or build it yourself (this runs every chapter's code):

```bash
.venv/bin/jupyter-book build . --builder html
```

then open `_build/html/index.html`.
Each chapter page also has buttons to run it on Binder, Colab or your JupyterHub.

## Do the homework

Each chapter ends with its homework: download it from the chapter's Exercises section, or open it from `exercises/` (for example `exercises/hw01/hw01.ipynb`) with `.venv/bin/jupyter lab`.
Write your code where it says `# YOUR CODE HERE` and remove the `raise NotImplementedError()` line.
Each graded part is followed by a cell of public checks: run it, and if it raises nothing your answer passes those checks.
After you submit, further tests check the same functions more thoroughly, on other inputs too, so a function that passes the public checks can still lose points: make it correct in general.
Written answers are graded by hand.
Before you submit, restart the kernel and run all cells, then hand in the notebook where the course tells you to.
"""


_GITIGNORE = """_build/
.venv/
__pycache__/
*.egg-info/
.ipynb_checkpoints/
"""


def _check_grading_references(destination: Path, entries: Iterable[str]) -> None:
    """No published page, notebook or module outside grading names the grader."""
    bad = []
    for entry in entries:
        root = destination / entry
        for path in [root] if root.is_file() else readable_files(root):
            if path.suffix not in {".md", ".ipynb", ".py", ".yml", ".toml", ".txt"}:
                continue
            text = path.read_text(encoding="utf-8", errors="ignore")
            bad += [
                f"{path.relative_to(destination)} ({name})"
                for name in _GRADING_NAMES
                if name in text
            ]
    if bad:
        raise PublishError(
            "published pages, notebooks and code must not use the instructor tools; "
            f"got {bad}: remove the reference from the course's sources"
        )


def _check_imports(destination: Path) -> None:
    """Every published module of course_lib imports from the published copy."""
    code = (
        "import importlib, pkgutil, pathlib, course_lib\n"
        "here = pathlib.Path(course_lib.__file__).resolve().parent\n"
        f"assert here == pathlib.Path({str(destination / 'course_lib')!r}), here\n"
        "for m in pkgutil.walk_packages(course_lib.__path__, 'course_lib.'):\n"
        "    importlib.import_module(m.name)\n"
    )
    env = dict(os.environ, PYTHONPATH=str(destination))
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=destination,
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise PublishError(
            "the published course_lib must import without the instructor tools; "
            f"got:\n{proc.stderr[-2000:]}"
        )


def _seed_cache(source: Path, destination: Path) -> None:
    """Start the copy's jupyter-cache from the course's, so unchanged pages do not run again."""
    cache = source / "_build" / ".jupyter_cache"
    if cache.is_dir() and not cache.is_symlink():
        shutil.copytree(cache, destination / "_build" / ".jupyter_cache", symlinks=True)


def _build(destination: Path) -> None:
    """``jupyter-book build`` with ``make book``'s flags, of the published copy."""
    bin_dir = Path(sys.executable).parent
    exe = bin_dir / "jupyter-book"
    env = dict(
        os.environ,
        PATH=f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
        JUPYTER_PATH=os.pathsep.join(
            p
            for p in (
                str(Path(sys.prefix) / "share" / "jupyter"),
                os.environ.get("JUPYTER_PATH"),
            )
            if p
        ),
        PYDEVD_DISABLE_FILE_VALIDATION="1",
        # The chapters' kernels import the published course_lib, not the
        # instructor's installed one.
        PYTHONPATH=str(destination),
    )
    command = [
        str(exe) if exe.exists() else "jupyter-book",
        "build",
        str(destination),
        "--all",
        "--warningiserror",
        "--nitpick",
        "--keep-going",
        "--builder",
        "html",
    ]
    proc = subprocess.run(
        command, cwd=destination, env=env, capture_output=True, text=True
    )
    if proc.returncode != 0:
        raise PublishError(
            f"the published book must build with -W; `{' '.join(command)}` failed:\n"
            f"{(proc.stdout + proc.stderr)[-4000:]}"
        )


def publish(source: Path, destination: Path, *, build: bool = True) -> PublishReport:
    """Write the student-facing repository of the course, and check it leaks nothing.

    ``destination`` receives the book's sources (``_config.yml``,
    ``_toc.yml``, every page of the table of contents, ``chapters/`` and the
    files the configuration names), beside each notebook page its runnable
    copy (``<page>.ipynb``, with the setup cell first: what the launch buttons
    open), ``exercises/``, ``course_lib`` (the student library), a
    ``pyproject.toml`` for students (the library's own, with a ``book``
    extra to build the site), ``constraints.txt``,
    ``requirements.txt`` and ``runtime.txt`` for Binder, a README for
    students, a ``.gitignore``, the LICENSE if there is one,
    and a manifest that marks the folder as this function's output. It never
    holds ``solutions/``, hidden tests, ``tests/`` (the answer bank),
    ``bench/``, nbgrader's configuration, gradebook or student folders.
    Then the published ``course_lib`` must import, no page, notebook or module
    may name the instructor tools, the site is built if asked, and every file
    is searched for secret lines (:func:`course_secrets`).

    Parameters
    ----------
    source : Path
        The course's root folder (with ``_config.yml``, ``_toc.yml`` and
        ``solutions/``).
    destination : Path
        An empty or missing folder, or a previous output of this function,
        whose entries it replaces (anything else in it, such as ``.git``, is
        left alone). Nothing outside it is written or deleted.
    build : bool, default True
        Build the site into ``destination/_build/html`` with ``make book``'s
        flags (``--all --warningiserror --nitpick --keep-going``). A page
        whose code ``make book`` already executed is taken from the course's
        jupyter-cache (``_build/.jupyter_cache``, matched by the hash of the
        page's code, as Jupyter Book matches it); any other page is executed
        against the published ``course_lib``.

    Returns
    -------
    PublishReport
        What was written and searched.

    Raises
    ------
    ValueError
        If ``source`` is not a course folder, or ``destination`` is neither
        empty nor a previous output (or is or contains ``source``).
    PublishError
        If secret text or a reference to the instructor tools reached the
        copy, the published ``course_lib`` does not import, or the book does
        not build. The copy is left in place for inspection: do not hand it
        out.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     _ = (Path(tmp) / "notes.txt").write_text("mine")
    ...     publish(Path(tmp), Path(tmp) / "out")
    Traceback (most recent call last):
    ...
    ValueError: source must be the course's root folder, with _config.yml, _toc.yml and solutions/; got ...
    """
    source = Path(source).resolve()
    destination = Path(destination).resolve()
    _check_source(source)
    previous = _check_destination(source, destination)

    # Plan everything before touching the destination.
    every_page = _book_pages(source)
    pages = [p for p in every_page if not _for_instructors(p)]
    left_out = {
        p.relative_to(source).with_suffix("").as_posix()
        for p in every_page
        if p not in pages
    }
    plan = _plan(source, pages)
    title = _book_title(source)
    # Each notebook page gets its runnable copy beside it (the launch buttons' target).
    runnable = [p for p in pages if _is_notebook_page(p)]
    spec = install_spec(source) if runnable else ""
    written = {
        *(p.with_suffix(".ipynb").relative_to(source).parts[0] for p in runnable),
        "pyproject.toml",
        "requirements.txt",
        "runtime.txt",
        "README.md",
        ".gitignore",
        MANIFEST,
    }
    entries = sorted({rel.split("/")[0] for rel in plan} | written | {"_build"})

    _start_destination(destination, previous, entries)
    _copy_plan(plan, destination)
    _write_students_pages(source, destination, plan, pages, left_out)
    for page in runnable:
        _write_runnable_copy(destination / page.relative_to(source), spec)
    _write_repository_files(source, destination, title)
    files = len(readable_files(destination))

    _check_grading_references(destination, [e for e in entries if e != "_build"])
    _check_imports(destination)
    secrets = course_secrets(source, destination / "course_lib")
    if build:
        _seed_cache(source, destination)
        _build(destination)
    scanned = readable_files(destination)
    _check_no_leaks(destination, secrets)
    return PublishReport(destination, files, build, len(secrets), len(scanned))


def _check_source(source: Path) -> None:
    """Refuse a ``source`` that is not the course's root folder."""
    missing = [
        n for n in ("_config.yml", "_toc.yml", "solutions") if not (source / n).exists()
    ]
    if missing:
        raise ValueError(
            "source must be the course's root folder, with _config.yml, _toc.yml "
            f"and solutions/; got {source}, without {missing}"
        )


def _plan(source: Path, pages: list[Path]) -> dict[str, Path]:
    """What is copied: path in the copy -> path in the course (never solutions/, tests/ or bench/)."""
    plan: dict[str, Path] = {}
    for path in [
        source / "_config.yml",
        source / "_toc.yml",
        *pages,
        *_book_extras(source),
        source / "chapters",
        source / "exercises",
        source / "course_lib",
        source / "constraints.txt",
        *sorted(source.glob("LICENSE*")),
    ]:
        if path.exists():
            rel = path.relative_to(source)
            if rel.parts[0] in {"solutions", "tests", "bench"}:
                raise PublishError(
                    f"the book must not use files from solutions/, tests/ or bench/; got {rel}"
                )
            plan[rel.as_posix()] = path
    return plan


def _book_title(source: Path) -> str:
    """The book's title from ``_config.yml``, or "The course"."""
    title = "The course"
    try:
        import yaml

        title = yaml.safe_load((source / "_config.yml").read_text()).get("title", title)
    except (OSError, AttributeError):
        pass
    return title


def _start_destination(
    destination: Path, previous: list[str], entries: list[str]
) -> None:
    """Empty the previous output's entries, and write the manifest of the new ones."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in sorted(set(previous) | {"_build"}):
        _remove(destination / name)
    (destination / MANIFEST).write_text(
        json.dumps({"written_by": "course publish", "entries": entries}, indent=1)
        + "\n"
    )


def _copy_plan(plan: dict[str, Path], destination: Path) -> None:
    lib_ignore = shutil.ignore_patterns(
        "__pycache__", "*.pyc", "*.egg-info", ".ipynb_checkpoints"
    )
    for rel, path in plan.items():
        _copy(path, destination / rel, lib_ignore if rel == "course_lib" else _IGNORE)


def _write_students_pages(
    source: Path,
    destination: Path,
    plan: dict[str, Path],
    pages: list[Path],
    left_out: set[str],
) -> None:
    """The students' site: no page for instructors, nor any block marked so."""
    toc = destination / "_toc.yml"
    toc.write_text(_students_toc(toc.read_text(encoding="utf-8"), left_out))
    for page in pages:
        _students_page(destination / page.relative_to(source))
    for rel in plan:
        if rel.startswith("chapters"):
            for page in (destination / rel).rglob("*.md"):
                _students_page(page)


def _write_repository_files(source: Path, destination: Path, title: str) -> None:
    """The students' repository around the book: workflow, pyproject, README, Binder files."""
    # Not in the manifest: a .github folder of the students' repository (other
    # workflows) stays; this one file is written again each time.
    workflow = destination / ".github" / "workflows" / "book.yml"
    workflow.parent.mkdir(parents=True, exist_ok=True)
    workflow.write_text(PAGES_WORKFLOW)
    (destination / "pyproject.toml").write_text(_student_pyproject(source))
    (destination / "README.md").write_text(
        _student_readme(title, (destination / "constraints.txt").exists())
    )
    (destination / ".gitignore").write_text(_GITIGNORE)
    # Binder (repo2docker) reads these two: the pinned packages and Python 3.11.
    pins = "-c constraints.txt\n" if (destination / "constraints.txt").exists() else ""
    (destination / "requirements.txt").write_text(f"{pins}-e .\n")
    (destination / "runtime.txt").write_text("python-3.11\n")


def _check_no_leaks(destination: Path, secrets: set[str]) -> None:
    leaks = find_leaks(destination, secrets)
    if leaks:
        shown = "\n".join(
            f"  {p.relative_to(destination)}: {s[:80]}" for p, s in leaks[:20]
        )
        raise PublishError(
            f"the published copy must hold no solution or hidden-test text; got "
            f"{len(leaks)} leak(s) in {destination} (left for inspection: do not "
            f"hand it out):\n{shown}",
            leaks,
        )
