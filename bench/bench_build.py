"""Book build time: parallel execution into jupyter-cache against Jupyter Book's serial build.

Two copies of the book (the repository's files without ``.git``, the virtual
environments and ``_build``, so that local extensions, the bibliography and
every page of the TOC come along; ``course_lib`` is imported from the virtual
environment) are made in a temporary folder, each with an empty cache. The cold row times
``scripts/execute_parallel.py`` followed by ``jupyter-book build . --all -W -n
--keep-going`` on one copy, against the same ``jupyter-book build`` alone on
the other (Jupyter Book's default: myst-nb executes the notebooks one after
the other while Sphinx reads the pages). The warm row then adds a comment line
to the first code cell of the first chapter of the parallel copy (which
changes that notebook's cache hash) and times the same two commands again,
against the cold parallel time. Every build must pass with ``-W``; the rows
check from the build logs that the parallel builds executed no notebook in
Sphinx, and compare every page's executed outputs (from the two caches) and
built HTML between the parallel and the serial builds: ``max_abs_diff`` is the
number of pages that differ. Nothing is written into the repository.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Collection
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SCRIPT = ROOT / "scripts" / "execute_parallel.py"
BUILD = ["--all", "-W", "-n", "--keep-going", "--builder", "html"]


def _env() -> dict[str, str]:
    """The environment ``make book`` gives the build (see the Makefile)."""
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_PATH"] = str(BIN.parent / "share" / "jupyter")
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    return env


def _pages(book: Path) -> list[Path]:
    """The source file of every page of the TOC, relative to the book."""
    from sphinx_external_toc.parsing import parse_toc_yaml

    pages = []
    for docname in parse_toc_yaml(book / "_toc.yml"):
        for suffix in (".ipynb", ".md", ".myst", ".rst"):
            if (book / f"{docname}{suffix}").is_file():
                pages.append(Path(f"{docname}{suffix}"))
                break
        else:
            raise FileNotFoundError(f"no source file for TOC entry {docname!r}")
    return pages


# Not needed by the build (or rebuilt by it): left out of the copies.
SKIP = [".git", ".venv", ".venv-dp", "_build", ".pytest_cache", ".ruff_cache"]
SKIP += ["__pycache__", "*.egg-info", "gradebook.db"]


def _copy_book(dst: Path) -> list[Path]:
    """Copy the book's sources (everything the build may read) to ``dst``."""
    shutil.copytree(ROOT, dst, ignore=shutil.ignore_patterns(*SKIP), symlinks=True)
    return _pages(dst)


def _run(cmd: list[str], cwd: Path) -> tuple[float, str]:
    """Run a command in ``cwd``; return (wall seconds, combined output)."""
    start = time.perf_counter()
    done = subprocess.run(
        cmd, cwd=cwd, env=_env(), capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - start
    output = done.stdout + done.stderr
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(cmd)} in {cwd} must succeed; got exit code "
            f"{done.returncode}:\n{output[-4000:]}"
        )
    return seconds, output


def _parallel_build(book: Path, n_notebooks: int) -> tuple[float, str]:
    script_s, script_log = _run([sys.executable, str(SCRIPT), "--book", "."], book)
    build_s, build_log = _run([str(BIN / "jupyter-book"), "build", ".", *BUILD], book)
    executing = build_log.count("Executing notebook")
    loaded = build_log.count("Using cached notebook")
    if executing or loaded != n_notebooks:
        raise RuntimeError(
            f"after execute_parallel.py the build must load all {n_notebooks} "
            f"notebooks from the cache; got {loaded} loaded, {executing} executed"
        )
    return script_s + build_s, script_log


def _outputs(book: Path) -> dict[str, str]:
    """Executed outputs of every cached notebook, by page, as canonical JSON."""
    from jupyter_cache import get_cache

    cache = get_cache(book / "_build" / ".jupyter_cache")
    result = {}
    # Oldest first, so that a page's newest entry (after an edit) wins.
    for record in sorted(cache.list_cache_records(), key=lambda r: r.pk):
        nb = cache.get_cache_bundle(record.pk).nb
        page = Path(record.uri).resolve().relative_to(book.resolve()).as_posix()
        cells = [
            {"count": c.get("execution_count"), "outputs": c.get("outputs", [])}
            for c in nb.cells
            if c.cell_type == "code"
        ]
        result[page] = json.dumps(cells, sort_keys=True)
    return result


def _html(book: Path, pages: list[Path]) -> dict[str, str]:
    """The built HTML of every page, by page."""
    html = book / "_build" / "html"
    return {
        page.as_posix(): (html / page.with_suffix(".html")).read_text(encoding="utf8")
        for page in pages
    }


# What differs between any two builds of the same sources: pandas' Styler
# draws a random id for every table it renders ("T_4067e"), an object's plain
# text repr shows its memory address ("<...Styler at 0x7fb926544c50>", never
# shown on a page that has an HTML repr), and Sphinx adds a cache-busting
# checksum ("?v=8cd3d715") to an asset's link only when the asset existed
# before the page was written.
UNSTABLE = [
    (re.compile(r"\bT_[0-9a-f]{5}(?![0-9a-zA-Z])"), "T_xxxxx"),
    (re.compile(r" at 0x[0-9a-f]+>"), " at 0x...>"),
    (re.compile(r"\?v=[0-9a-f]{8}(?=\")"), ""),
]


def _canonical(text: str | None) -> str | None:
    if text is None:
        return None
    for pattern, replacement in UNSTABLE:
        text = pattern.sub(replacement, text)
    return text


LONG_FLOAT = re.compile(r"-?\d+\.\d{10,}(?:e[-+]?\d+)?")


def _rounded(text: str) -> str:
    """``text`` with every float of ten or more decimals rounded to 10 digits."""
    return LONG_FLOAT.sub(lambda m: f"{float(m.group()):.10g}", text)


def _pages_differing(
    ours: Path, theirs: Path, pages: list[Path], skip_html: Collection[Path] = ()
) -> dict[str, list[str]]:
    """Pages whose built HTML or executed outputs differ between two builds.

    Returns the pages by kind of difference: ``"html"`` (what a reader sees),
    ``"outputs"`` (the cached outputs differ beyond the last digits of a
    float) and ``"digits"`` (the outputs differ only there, as sums computed
    in another order do).
    """
    outputs = (_outputs(ours), _outputs(theirs))
    html = (_html(ours, pages), _html(theirs, pages))
    found: dict[str, list[str]] = {"html": [], "outputs": [], "digits": []}
    for p in pages:
        key = p.as_posix()
        for kind, a, b in (
            ("outputs", outputs[0].get(key), outputs[1].get(key)),
            ("html", html[0][key], None if p in skip_html else html[1][key]),
        ):
            a, b = _canonical(a), _canonical(b)
            if b is None or a == b:
                continue
            if kind == "outputs" and a is not None and _rounded(a) == _rounded(b):
                kind = "digits"
            found[kind].append(key)
            if os.environ.get("BENCH_BUILD_DEBUG"):
                pairs = enumerate(zip(a or "", b, strict=False))
                at = next((i for i, (x, y) in pairs if x != y), 0)
                print(f"{key} {kind} differ at {at}:", file=sys.stderr)
                lo = max(0, at - 150)
                print(f"  ours:   {(a or '')[lo : at + 150]!r}", file=sys.stderr)
                print(f"  theirs: {b[lo : at + 150]!r}", file=sys.stderr)
    return found


def _describe(found: dict[str, list[str]]) -> str:
    """One sentence on how the parallel build's pages differ from the serial one's."""
    said = [
        f"built HTML differs on {len(found['html'])} page(s)"
        + (f" ({', '.join(found['html'])})" if found["html"] else "")
    ]
    if found["outputs"]:
        said.append(f"cached outputs differ on {', '.join(found['outputs'])}")
    if found["digits"]:
        said.append(
            "cached outputs differ only beyond the tenth significant digit of a "
            f"float on {', '.join(found['digits'])} (sums in another order: each "
            "parallel kernel runs BLAS on one thread)"
        )
    return "; ".join(said) + "."


def _edit_first_code_cell(path: Path) -> None:
    """Append ``# edited`` to the first code cell (changes the cache hash only)."""
    lines = path.read_text(encoding="utf8").split("\n")
    start = next(i for i, line in enumerate(lines) if line.startswith("```{code-cell"))
    fence = re.match(r"`+", lines[start]).group(0)
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == fence)
    lines.insert(end, "# edited")
    path.write_text("\n".join(lines), encoding="utf8")


def _execution_seconds(book: Path) -> dict[str, float]:
    from jupyter_cache import get_cache

    cache = get_cache(book / "_build" / ".jupyter_cache")
    return {
        Path(r.uri).name: r.data.get("execution_seconds", 0.0)
        for r in cache.list_cache_records()
    }


def run(repeats: int = 1) -> list[dict[str, Any]]:
    """Time one cold build each way and one warm rebuild (``repeats`` is ignored).

    Parameters
    ----------
    repeats : int, default 1
        Ignored: each build takes minutes, so each is run once.

    Returns
    -------
    list of dict
        The cold and warm rows, with keys ``benchmark``, ``dataset``, ``rows``,
        ``ours_s``, ``peer``, ``peer_s``, ``speedup``, ``max_abs_diff`` and
        ``note``.
    """
    import jupyter_book

    del repeats
    base = Path(tempfile.mkdtemp(prefix="bench-build-"))
    try:
        ours_book, peer_book = base / "parallel", base / "serial"
        pages = _copy_book(ours_book)
        _copy_book(peer_book)
        chapters = [p for p in pages if p.parts[0] == "chapters"]
        n = len(chapters)
        dataset = f"the book, {n} chapters"

        cold_s, _ = _parallel_build(ours_book, n)
        serial_s, serial_log = _run(
            [str(BIN / "jupyter-book"), "build", ".", *BUILD], peer_book
        )
        executed = serial_log.count("Executing notebook")
        if executed != n:
            raise RuntimeError(
                f"the serial build must execute all {n} notebooks; got {executed}"
            )
        cold_diff = _pages_differing(ours_book, peer_book, pages)
        serial_exec = _execution_seconds(peer_book)
        total_exec = sum(serial_exec.values())
        slowest = max(serial_exec, key=serial_exec.get)

        edited = chapters[0]
        _edit_first_code_cell(ours_book / edited)
        warm_s, warm_log = _parallel_build(ours_book, n)
        if not re.search(r"\b1 executed, ", warm_log):
            raise RuntimeError(
                f"after editing {edited} exactly one notebook must execute; got:\n"
                f"{warm_log[-2000:]}"
            )
        # The edited cell's source shows on its page: compare the others' HTML.
        warm_diff = _pages_differing(ours_book, peer_book, pages, skip_html={edited})
        cores = os.cpu_count()
        return [
            {
                "benchmark": f"cold build, parallel execution ({cores} workers)",
                "dataset": dataset,
                "rows": n,
                "ours_s": cold_s,
                "peer": f"jupyter-book {jupyter_book.__version__} serial",
                "peer_s": serial_s,
                "speedup": serial_s / cold_s,
                "max_abs_diff": float(
                    len(cold_diff["html"]) + len(cold_diff["outputs"])
                ),
                "note": (
                    f"cold build: `scripts/execute_parallel.py` then `jupyter-book "
                    f"build . {' '.join(BUILD)}` ({cold_s:.0f} s) against the same "
                    f"build executing serially ({serial_s:.0f} s), both from an "
                    f"empty cache, on {cores} cores; the serial build spent "
                    f"{total_exec:.0f} s executing notebooks (slowest: {slowest}, "
                    f"{serial_exec[slowest]:.0f} s), so the floor on {cores} cores "
                    f"is about {total_exec / cores:.0f} s plus Sphinx. "
                    "max abs diff counts the pages whose built HTML or executed "
                    "outputs (every code cell's outputs and execution count, from "
                    "the two caches, modulo random table ids and memory "
                    "addresses) differ: "
                    f"{_describe(cold_diff)} The parallel build's log loaded all "
                    f"{n} notebooks from the cache and executed none."
                ),
            },
            {
                "benchmark": "warm rebuild after editing one chapter",
                "dataset": dataset,
                "rows": n,
                "ours_s": warm_s,
                "peer": "cold parallel build",
                "peer_s": cold_s,
                "speedup": cold_s / warm_s,
                "max_abs_diff": float(
                    len(warm_diff["html"]) + len(warm_diff["outputs"])
                ),
                "note": (
                    f"warm rebuild: `# edited` appended to the first code cell of "
                    f"{edited.name} (its cache hash changes), then the same two "
                    f"commands ({warm_s:.0f} s, {warm_s / cold_s:.0%} of the cold "
                    f"build); the script executed only that chapter "
                    f"({serial_exec.get(edited.name, float('nan')):.0f} s serially) "
                    "and the build loaded every notebook from the cache. A chapter "
                    "costs its own execution plus about the Sphinx build. Against "
                    "the serial build (HTML of all but the edited page): "
                    f"{_describe(warm_diff)}"
                ),
            },
        ]
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    for row in run():
        print(
            f"{row['benchmark']:45} {row['ours_s']:8.1f} s  {row['peer']:30} "
            f"{row['peer_s']:8.1f} s  {row['speedup']:5.2f}x  "
            f"diff {row['max_abs_diff']:.0f}"
        )
        print(f"  {row['note']}")
