"""Tests for scripts/execute_parallel.py on a tiny two-chapter book."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from jupyter_cache import get_cache

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import execute_parallel as ep  # noqa: E402

HEADER = """\
---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""


def _chapter(title: str, *cells: str) -> str:
    body = "".join(f"\n```{{code-cell}} ipython3\n{cell}\n```\n" for cell in cells)
    return f"{HEADER}\n# {title}\n\nSome text.\n{body}"


def _book(root: Path, ch2: tuple[str, ...] = ("y = 20\nprint(y + 2)",)) -> Path:
    (root / "_config.yml").write_text(
        textwrap.dedent(
            """\
            title: Tiny
            only_build_toc_files: true
            execute:
              execute_notebooks: cache
              timeout: 60
              allow_errors: false
            """
        )
    )
    (root / "_toc.yml").write_text(
        "format: jb-book\nroot: intro\nchapters:\n"
        "  - file: chapters/ch1\n  - file: chapters/ch2\n"
    )
    (root / "intro.md").write_text("# Tiny\n\nA plain Markdown page.\n")
    (root / "chapters").mkdir()
    (root / "chapters" / "ch1.md").write_text(
        _chapter("One", "x = 1\nprint(x + 1)", "import os\nprint(os.getcwd())")
    )
    (root / "chapters" / "ch2.md").write_text(_chapter("Two", *ch2))
    return root


def _outputs(book: Path) -> dict[str, list[str]]:
    cache = get_cache(book / "_build" / ".jupyter_cache")
    result = {}
    for record in cache.list_cache_records():
        nb = cache.get_cache_bundle(record.pk).nb
        result[Path(record.uri).name] = [
            "".join(o.get("text", "") for o in c.outputs)
            for c in nb.cells
            if c.cell_type == "code"
        ]
    return result


def test_executes_once_then_only_the_edited_chapter(tmp_path):
    book = _book(tmp_path)
    lines: list[str] = []
    first = ep.execute_book(book, workers=2, log=lines.append)
    assert sorted(first.executed) == ["chapters/ch1.md", "chapters/ch2.md"]
    assert first.cached == [] and first.failed == []
    assert first.skipped == ["intro.md"]
    outputs = _outputs(book)
    # Each notebook ran in its chapter's folder, as myst-nb runs it.
    chapters = os.path.realpath(book / "chapters")
    assert outputs["ch1.md"] == ["2\n", f"{chapters}\n"]
    assert outputs["ch2.md"] == ["22\n"]

    second = ep.execute_book(book, workers=2, log=lines.append)
    assert second.executed == []
    assert sorted(second.cached) == ["chapters/ch1.md", "chapters/ch2.md"]

    # A Markdown-only edit keeps the hash; a code edit re-executes that page only.
    ch2 = book / "chapters" / "ch2.md"
    ch2.write_text(ch2.read_text() + "\nMore text.\n")
    assert ep.execute_book(book, workers=2, log=lines.append).executed == []
    ch2.write_text(ch2.read_text().replace("print(y + 2)", "print(y + 3)"))
    third = ep.execute_book(book, workers=2, log=lines.append)
    assert third.executed == ["chapters/ch2.md"]
    assert third.cached == ["chapters/ch1.md"]
    assert _outputs(book)["ch2.md"] == ["23\n"]


def test_jupyter_book_build_executes_nothing_after_the_script(tmp_path):
    book = _book(tmp_path)
    assert ep.main(["--book", str(book), "--workers", "2"]) == 0
    bin_dir = Path(sys.executable).parent
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}"}
    done = subprocess.run(
        [str(bin_dir / "jupyter-book"), "build", ".", "--all", "-W", "-n"],
        cwd=book,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert log.count("Using cached notebook") == 2
    assert "Executing notebook" not in log
    assert "22" in (book / "_build" / "html" / "chapters" / "ch2.html").read_text()


def test_an_error_names_the_chapter_and_cell_and_the_rest_is_cached(tmp_path, capsys):
    book = _book(tmp_path, ch2=("y = 1", "raise ValueError('boom')"))
    with pytest.raises(ep.ExecutionFailed, match=r"chapters/ch2\.md") as info:
        ep.execute_book(book, workers=2, log=lambda line: None)
    message = str(info.value)
    assert "1 of 2 notebooks failed" in message
    assert "chapters/ch2.md: code cell 2 (notebook cell 2, line 20)" in message
    assert "raised ValueError: boom" in message
    # The source line named is the cell's fence in the Markdown file.
    lines = (book / "chapters" / "ch2.md").read_text().splitlines()
    assert lines[20 - 1].startswith("```{code-cell}")
    assert lines[20] == "raise ValueError('boom')"
    assert set(_outputs(book)) == {"ch1.md"}

    assert ep.main(["--book", str(book)]) == 1
    err = capsys.readouterr().err
    assert "chapters/ch2.md: code cell 2" in err and "ValueError" in err


def test_bad_arguments_and_books(tmp_path, capsys):
    (tmp_path / "book").mkdir()
    book = _book(tmp_path / "book")
    with pytest.raises(ValueError, match="workers must be a positive integer; got 0"):
        ep.execute_book(book, workers=0)
    with pytest.raises(FileNotFoundError, match=r"_config\.yml and _toc\.yml"):
        ep.execute_book(tmp_path / "nowhere")
    config = book / "_config.yml"
    config.write_text(config.read_text().replace("cache", "force"))
    with pytest.raises(ValueError, match=r"must be 'cache'.*got 'force'"):
        ep.execute_book(book)
    assert ep.main(["--book", str(book)]) == 2
    assert "must be 'cache'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        ep.main(["--workers", "0"])


def test_kernels_share_the_cores(tmp_path, monkeypatch):
    for name in ep.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NUMEXPR_NUM_THREADS", "7")  # a user's setting is kept
    show = "import os\nprint(os.environ['OPENBLAS_NUM_THREADS'], os.environ['NUMEXPR_NUM_THREADS'])"
    book = _book(tmp_path, ch2=(show,))
    ep.execute_book(book, workers=2, log=lambda line: None)
    threads = max(1, (os.cpu_count() or 1) // 2)
    assert _outputs(book)["ch2.md"] == [f"{threads} 7\n"]
    assert "OPENBLAS_NUM_THREADS" not in os.environ, "only the workers are limited"


def test_pages_that_took_longest_start_first(tmp_path):
    book = _book(tmp_path)
    ep.execute_book(book, workers=2, log=lambda line: None)
    cache = get_cache(book / "_build" / ".jupyter_cache")
    seconds = ep._last_execution_seconds(cache)
    ch1, ch2 = (str(book / "chapters" / f"ch{i}.md") for i in (1, 2))
    assert set(seconds) == {ch1, ch2}
    assert all(value > 0 for value in seconds.values())
    order = ep._longest_first(["new.md", ch1, ch2], {ch1: 1.0, ch2: 3.0})
    assert order == ["new.md", ch2, ch1], "unknown pages first, then the slowest"
