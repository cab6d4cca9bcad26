"""Execute the book's notebooks in parallel into Jupyter Book's jupyter-cache.

Run before ``jupyter-book build`` (``make book`` does): every page listed in
``_toc.yml`` that is a notebook (a MyST Markdown notebook or an ``.ipynb``) and
has no valid entry in the cache is executed, one notebook per worker process,
and the executed notebook is stored in the jupyter-cache that the build reads
(``_build/.jupyter_cache``, or ``execute.cache`` in ``_config.yml``). The build
then finds every notebook in the cache and executes nothing.

This does exactly what myst-nb 1.4 does in ``execute_notebooks: cache`` mode
(``myst_nb.core.execute.cache.NotebookClientCache``), only in parallel:

- the configuration is Jupyter Book's own (``jupyter_book.config.get_final_config``
  on ``_config.yml``), turned into myst-parser's and myst-nb's configuration
  objects as Sphinx would;
- each page is read with myst-nb's reader (``create_nb_reader``), kernel name
  aliases and notebook-level ``mystnb`` overrides are applied, and the notebook
  is matched against the cache (``cache.match_cache_notebook``), so the hash is
  the one the build computes: only the notebooks whose code changed execute;
- a notebook executes with ``jupyter_cache.executors.utils.single_nb_execution``
  (nbclient) in its own folder (or a temporary one if ``execute.run_in_temp``),
  with ``execute.timeout`` and ``execute.allow_errors``; it is registered with
  ``cache.add_nb_to_project`` and stored with ``cache.cache_notebook_bundle``,
  as myst-nb does. Workers only execute; the parent process alone writes the
  cache's SQLite database.

An error in a cell (with ``allow_errors: false``) or a timeout fails the script
(exit code 1) with a message naming the page, the cell and the error; the other
notebooks are still executed and cached. Whether stderr output is allowed
(``execute.stderr_output``) is checked by the Sphinx build itself.

Usage::

    python scripts/execute_parallel.py [--book DIR] [--workers N]
"""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import copy
import dataclasses
import multiprocessing
import os
import re
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path, PurePosixPath
from typing import Any

import zmq
from traitlets.config import Config

ROOT = Path(__file__).resolve().parent.parent

# Suffixes myst-nb reads as notebooks, in the order they are looked for.
SUFFIXES = (".ipynb", ".md", ".myst")
# Colour codes in kernel tracebacks.
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class ExecutionFailed(RuntimeError):
    """One or more notebooks raised an error or timed out while executing."""


@dataclasses.dataclass
class Page:
    """A notebook page of the book, read the way myst-nb reads it."""

    docname: str
    path: Path
    notebook: Any
    read_fmt: dict | None
    timeout: int | None
    allow_errors: bool
    in_temp: bool


@dataclasses.dataclass
class Summary:
    """What :func:`execute_book` did: page paths relative to the book."""

    cached: list[str] = dataclasses.field(default_factory=list)
    executed: list[str] = dataclasses.field(default_factory=list)
    skipped: list[str] = dataclasses.field(default_factory=list)
    failed: list[str] = dataclasses.field(default_factory=list)
    seconds: float = 0.0


def _configs(book: Path) -> tuple[Any, Any, list[str]]:
    """myst-parser's and myst-nb's configuration, and the TOC's page names."""
    from jupyter_book.config import get_final_config
    from myst_nb.core.config import NbParserConfig
    from myst_parser.config.main import MdParserConfig
    from sphinx_external_toc.parsing import parse_toc_yaml

    config_path = book / "_config.yml"
    toc_path = book / "_toc.yml"
    for path in (config_path, toc_path):
        if not path.is_file():
            raise FileNotFoundError(
                f"book must be a Jupyter Book folder with _config.yml and _toc.yml; "
                f"got no {path}"
            )
    sphinx_config, _ = get_final_config(
        user_yaml=config_path,
        cli_config={"latex_individualpages": False},
        sourcedir=book,
    )

    def fields(cls: type, prefix: str) -> dict[str, Any]:
        names = {f.name for f in dataclasses.fields(cls)}
        return {
            key.removeprefix(prefix): value
            for key, value in sphinx_config.items()
            if key.startswith(prefix) and key.removeprefix(prefix) in names
        }

    md_config = MdParserConfig(**fields(MdParserConfig, "myst_"))
    nb_config = NbParserConfig(**fields(NbParserConfig, "nb_"))
    if nb_config.execution_mode != "cache":
        raise ValueError(
            "execute.execute_notebooks in _config.yml must be 'cache' for the "
            f"notebooks to be executed ahead of the build; got "
            f"{nb_config.execution_mode!r}"
        )
    if not nb_config.execution_cache_path:
        # What myst-nb sets: the parent of the html output folder, _build/.
        cache_path = book / "_build" / ".jupyter_cache"
        nb_config = nb_config.copy(execution_cache_path=str(cache_path))
    docnames = list(parse_toc_yaml(toc_path))
    return md_config, nb_config, docnames


def _source(book: Path, docname: str, suffixes: Sequence[str]) -> Path | None:
    for suffix in suffixes:
        path = book / f"{docname}{suffix}"
        if path.is_file():
            return path
    return None


def read_pages(book: Path) -> tuple[Any, list[Page], list[str]]:
    """Read every notebook page of the TOC as myst-nb does.

    Parameters
    ----------
    book : pathlib.Path
        The book's folder (holding ``_config.yml`` and ``_toc.yml``).

    Returns
    -------
    nb_config : myst_nb.core.config.NbParserConfig
        myst-nb's configuration, with the cache path the build uses.
    pages : list of Page
        The notebook pages to be executed under ``execute_notebooks: cache``.
    skipped : list of str
        Pages of the TOC that are not executed (not notebooks, excluded by
        ``execute.exclude_patterns``, or set to another execution mode).

    Raises
    ------
    FileNotFoundError
        If the book has no ``_config.yml`` or ``_toc.yml``, or a TOC entry has
        no source file.
    ValueError
        If ``execute.execute_notebooks`` is not ``cache``.
    """
    from myst_nb.core.nb_to_tokens import nb_node_to_dict
    from myst_nb.core.read import create_nb_reader

    md_config, nb_config, docnames = _configs(book)
    suffixes = (*SUFFIXES, *nb_config.custom_formats)
    pages, skipped = [], []
    for docname in docnames:
        path = _source(book, docname, suffixes)
        if path is None:
            raise FileNotFoundError(
                f"every page of _toc.yml must have a source file; got none for "
                f"{docname!r} (looked for {', '.join(suffixes)})"
            )
        rel = path.relative_to(book).as_posix()
        text = path.read_text(encoding="utf8")
        reader = create_nb_reader(str(path), md_config, nb_config, text)
        if reader is None:
            skipped.append(rel)
            continue
        notebook = reader.read(text)
        # As myst_nb.sphinx_.Parser.parse: kernel aliases, then notebook overrides.
        kernel = notebook.metadata.get("kernelspec", {}).get("name", None)
        if kernel is not None:
            for rgx, alias in nb_config.kernel_rgx_aliases.items():
                if re.fullmatch(rgx, kernel):
                    notebook.metadata["kernelspec"]["name"] = alias
                    break
        page_config = nb_config
        if nb_config.metadata_key in notebook.metadata:
            overrides = nb_node_to_dict(notebook.metadata[nb_config.metadata_key])
            overrides.pop("output_folder", None)
            try:
                page_config = nb_config.copy(**overrides)
            except Exception:  # myst-nb warns (the build fails on -W) and goes on
                page_config = nb_config
        # As myst_nb.core.execute.create_client.
        excluded = any(
            PurePosixPath(path.as_posix()).match(pattern)
            for pattern in page_config.execution_excludepatterns
        )
        if excluded or page_config.execution_mode != "cache":
            skipped.append(rel)
            continue
        pages.append(
            Page(
                docname=docname,
                path=path,
                notebook=notebook,
                read_fmt=reader.read_fmt,
                timeout=page_config.execution_timeout,
                allow_errors=page_config.execution_allow_errors,
                in_temp=page_config.execution_in_temp,
            )
        )
    return nb_config, pages, skipped


# Thread pools of numpy's BLAS, OpenMP and numexpr, which kernels inherit.
THREAD_VARIABLES = (
    "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS",
    "MKL_NUM_THREADS",
    "BLIS_NUM_THREADS",
    "NUMEXPR_NUM_THREADS",
)


def _limit_threads(threads: int) -> None:
    """Worker initialiser: kernels share the cores instead of oversubscribing.

    Each kernel would otherwise start one BLAS thread per core, so that two
    workers on two cores run four busy threads that slow each other down (as
    joblib's loky backend does for its workers). A variable the user set is
    kept.
    """
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, str(threads))


def _last_execution_seconds(cache: Any) -> dict[str, float]:
    """Seconds each page's newest cached execution took, by absolute path."""
    seconds = {}
    for record in sorted(cache.list_cache_records(), key=lambda r: r.pk):
        value = (record.data or {}).get("execution_seconds")
        if isinstance(value, int | float):
            seconds[str(Path(record.uri))] = float(value)
    return seconds


def _longest_first(paths: list[str], seconds: dict[str, float]) -> list[str]:
    """``paths`` by decreasing last execution time; unknown ones first, in order."""
    return sorted(paths, key=lambda path: -seconds.get(path, float("inf")))


def _execute(page: Page) -> dict[str, Any]:
    """Execute one notebook (in a worker process); never raises for a cell error."""
    from jupyter_cache.executors.utils import single_nb_execution

    current = {"index": None}

    def on_cell_execute(cell: Any, cell_index: int) -> None:
        current["index"] = cell_index

    folder = (
        tempfile.TemporaryDirectory()
        if page.in_temp
        else contextlib.nullcontext(str(page.path.parent))
    )
    with folder as cwd, tempfile.TemporaryDirectory() as sockets:
        # Kernels started at the same moment in two workers raced for the same
        # free TCP port ("Address already in use", then "Kernel didn't
        # respond"). Each worker's kernel talks over IPC sockets in a folder
        # of its own instead; should a start-up still fail (no cell has run
        # then), start the kernel again.
        config = Config()
        config.KernelManager.transport = "ipc"
        config.KernelManager.ip = os.path.join(sockets, "kernel")
        for attempt in range(3):
            try:
                result = single_nb_execution(
                    copy.deepcopy(page.notebook),
                    cwd=os.path.abspath(cwd),
                    allow_errors=page.allow_errors,
                    timeout=page.timeout,
                    meta_override=True,
                    on_cell_execute=on_cell_execute,
                    config=config,
                )
                break
            except (RuntimeError, zmq.ZMQError) as exc:
                started = "Kernel didn't respond" not in str(exc)
                if attempt == 2 or (started and not isinstance(exc, zmq.ZMQError)):
                    raise
    error = None
    if result.err is not None:
        error = {
            "type": type(result.err).__name__,
            "ename": getattr(result.err, "ename", type(result.err).__name__),
            "evalue": getattr(result.err, "evalue", str(result.err)),
            "exc_string": result.exc_string,
            "message": ANSI.sub("", str(result.err)).strip(),
            "cell_index": current["index"],
        }
    return {"notebook": result.nb, "seconds": result.time, "error": error}


def _describe_failure(page: Page, rel: str, error: dict[str, Any]) -> str:
    index = error["cell_index"]
    where = "a cell"
    if index is not None:
        cells = page.notebook.cells
        code_number = sum(c.cell_type == "code" for c in cells[: index + 1])
        source_map = page.notebook.metadata.get("source_map")
        line = f", line {source_map[index]}" if source_map else ""
        where = f"code cell {code_number} (notebook cell {index}{line})"
    if error["type"] == "CellTimeoutError":
        what = (
            f"timed out after {page.timeout} s (execute.timeout in _config.yml); "
            "make the cell faster or raise the timeout"
        )
    else:
        what = f"raised {error['ename']}: {error['evalue']}"
    return f"{rel}: {where} {what}\n{error['message']}"


def _uncached(
    pages: list[Page],
    book: Path,
    cache: Any,
    summary: Summary,
    log: Callable[[str], None],
) -> list[tuple[Page, str]]:
    """(page, path in the book) of every page the cache has no valid entry for.

    The cached ones are added to ``summary`` and logged.
    """
    pending: list[tuple[Page, str]] = []
    for page in pages:
        rel = page.path.relative_to(book).as_posix()
        try:
            record = cache.match_cache_notebook(page.notebook)
        except KeyError:
            pending.append((page, rel))
        else:
            summary.cached.append(rel)
            log(f"cached      {rel} (ID={record.pk})")
    return pending


def _register(cache: Any, pending: list[tuple[Page, str]]) -> dict[str, Any]:
    """Each pending page's project record, without old tracebacks, by path."""
    from jupyter_cache.cache.db import NbProjectRecord

    records = {}
    for page, rel in pending:
        if page.read_fmt is not None:
            record = cache.add_nb_to_project(str(page.path), read_data=page.read_fmt)
        else:
            record = cache.add_nb_to_project(str(page.path))
        NbProjectRecord.remove_tracebacks([record.pk], cache.db)
        records[rel] = record
    return records


def _store(
    cache: Any,
    page: Page,
    rel: str,
    record: Any,
    result: dict[str, Any],
    summary: Summary,
    log: Callable[[str], None],
) -> str | None:
    """Cache one executed notebook, or record its traceback.

    Returns the failure's description, or None if it executed.
    """
    from jupyter_cache.base import CacheBundleIn
    from jupyter_cache.cache.db import NbProjectRecord

    if result["error"] is not None:
        message = _describe_failure(page, rel, result["error"])
        NbProjectRecord.set_traceback(
            record.uri, result["error"]["exc_string"], cache.db
        )
        summary.failed.append(rel)
        log(f"FAILED      {rel}")
        return message
    cached = cache.cache_notebook_bundle(
        CacheBundleIn(
            result["notebook"],
            record.uri,
            data={"execution_seconds": result["seconds"]},
        ),
        check_validity=False,
        overwrite=True,
    )
    summary.executed.append(rel)
    log(f"executed    {rel} in {result['seconds']:.1f} s (ID={cached.pk})")
    return None


def execute_book(
    book: Path | str = ROOT,
    workers: int | None = None,
    log: Callable[[str], None] = print,
) -> Summary:
    """Execute the book's uncached notebooks in parallel and cache the results.

    Parameters
    ----------
    book : pathlib.Path or str, default the repository's root
        The book's folder (holding ``_config.yml`` and ``_toc.yml``).
    workers : int, optional
        Number of worker processes; default ``os.cpu_count()``.
    log : callable, default print
        Receives one line per notebook (cached, executed or failed).

    Returns
    -------
    Summary
        The pages found cached, executed, skipped (not notebooks or not executed
        in cache mode) and failed, and the wall time.

    Raises
    ------
    ValueError
        If ``workers`` is not a positive integer, or ``_config.yml`` does not
        use ``execute_notebooks: cache``.
    FileNotFoundError
        If the book has no ``_config.yml``/``_toc.yml`` or a page has no source.
    ExecutionFailed
        If a notebook raised an error in a cell or timed out; the message names
        the page, the cell, its line in the source and the error. The other
        notebooks are executed and cached first.

    Examples
    --------
    >>> summary = execute_book("path/to/book")  # doctest: +SKIP
    >>> summary.failed  # doctest: +SKIP
    []
    """
    from jupyter_cache import get_cache

    if workers is None:
        workers = os.cpu_count() or 1
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 1:
        raise ValueError(f"workers must be a positive integer; got {workers!r}")
    start = time.perf_counter()
    book = Path(os.path.abspath(book))
    nb_config, pages, skipped = read_pages(book)
    cache = get_cache(nb_config.execution_cache_path)
    summary = Summary(skipped=skipped)
    pending = _uncached(pages, book, cache, summary, log)
    if not pending:
        summary.seconds = time.perf_counter() - start
        log(f"all {len(pages)} notebooks were already cached")
        return summary
    # Register the project records before the workers start, as myst-nb does
    # just before executing (the database is only ever written from here).
    records = _register(cache, pending)
    n_workers = min(workers, len(pending))
    # Longest first (by the time the page took when it was last executed, if
    # the cache remembers one; unknown pages first, in TOC order), so that no
    # long notebook starts last while the other workers sit idle.
    paths = [str(page.path) for page, _ in pending]
    order = _longest_first(paths, _last_execution_seconds(cache))
    pending.sort(key=lambda item: order.index(str(item[0].path)))
    threads = max(1, (os.cpu_count() or 1) // n_workers)
    log(
        f"executing {len(pending)} notebooks with {n_workers} workers, "
        f"{threads} BLAS/OpenMP thread{'s' if threads > 1 else ''} per kernel"
    )
    failures = []
    # Fork: callers need no ``if __name__ == "__main__"`` guard. Workers never
    # touch the cache's database connection they inherit; only this process
    # writes it, and it has started no thread before the workers are forked.
    context = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(
        n_workers, mp_context=context, initializer=_limit_threads, initargs=(threads,)
    ) as pool:
        futures = {pool.submit(_execute, page): (page, rel) for page, rel in pending}
        for future in concurrent.futures.as_completed(futures):
            page, rel = futures[future]
            result = future.result()
            message = _store(cache, page, rel, records[rel], result, summary, log)
            if message is not None:
                failures.append(message)
    summary.seconds = time.perf_counter() - start
    if failures:
        raise ExecutionFailed(
            f"{len(failures)} of {len(pages)} notebooks failed to execute "
            f"({', '.join(summary.failed)}); fix the cell named below and run "
            "again (the others are cached):\n\n" + "\n\n".join(failures)
        )
    return summary


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (1 if a notebook failed)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--book",
        type=Path,
        default=ROOT,
        help="the book's folder, holding _config.yml and _toc.yml (default: %(default)s)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=os.cpu_count() or 1,
        help="worker processes, one notebook each (default: %(default)s, the cores)",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers must be a positive integer; got {args.workers}")
    try:
        summary = execute_book(args.book, workers=args.workers)
    except ExecutionFailed as error:
        print(f"execute_parallel: {error}", file=sys.stderr)
        return 1
    except (FileNotFoundError, ValueError) as error:
        print(f"execute_parallel: {error}", file=sys.stderr)
        return 2
    print(
        f"execute_parallel: {len(summary.executed)} executed, "
        f"{len(summary.cached)} already cached, {len(summary.skipped)} not notebooks "
        f"or not executed, in {summary.seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
