"""No solution or hidden-test text reaches students: not in exercises/ nor the site."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .leaks import MARKERS, find_leaks, normalise, secret_lines

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted((ROOT / "solutions").glob("*/*.ipynb"))
MODULES = sorted((ROOT / "solutions").glob("*/hidden_tests.py"))
SITE = ROOT / "_build" / "html"
PAGES = [
    *sorted((ROOT / "chapters").glob("*.md")),
    *sorted((ROOT / "front").glob("*.md")),
    ROOT / "intro.md",
]


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    found = secret_lines(SOURCES, modules=MODULES, published=PAGES)
    assert SOURCES and len(found) >= 10 * len(SOURCES), "too few secret lines found"
    return found


def test_secrets_are_read_from_every_region(secrets):
    # A line from a solution, a hidden-test region, hidden_tests.py and a rubric.
    assert '&(df["is_recid"]!=-1)' in secrets
    assert 'run_hidden_tests("test_propublica_filter",globals())' in secrets
    assert "EDGE_KEPT=[0,1,8,9,10,11]" in secrets
    assert len(MODULES) == len(SOURCES), "every homework needs a hidden_tests.py"
    assert any("Rubric" in line for line in secrets)


def test_scanner_finds_a_leak_hidden_in_markup_or_json(tmp_path, secrets):
    line = 'days = raw["days_b_screening_arrest"]'
    assert normalise(line) in secrets
    spans = "".join(f"<span class='n'>{ch}</span>\n" for ch in line)
    escaped = spans.replace('"', "&quot;")
    (tmp_path / "page.html").write_text(f"<pre>{escaped}</pre>")
    (tmp_path / "nb.ipynb").write_text(json.dumps({"source": [f"    {line}\n"]}))
    (tmp_path / "clean.html").write_text("<p>nothing to see</p>")
    leaks = {(p.name, s) for p, s in find_leaks(tmp_path, secrets)}
    assert leaks == {("page.html", normalise(line)), ("nb.ipynb", normalise(line))}


def test_normalise_undoes_markup():
    assert normalise("<b>a</b>&gt;=\n   b") == "a>=b"


def test_no_secret_in_exercises(secrets):
    released = ROOT / "exercises"
    assert any(released.rglob("*.ipynb")), "exercises/ holds no student notebook"
    assert find_leaks(released, secrets) == []


@pytest.mark.slow
def test_no_secret_on_the_built_site(secrets):
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run `make book` (make test does it first)")
    assert find_leaks(SITE, secrets) == []


@pytest.mark.slow
def test_site_offers_only_the_pages_of_the_book():
    """Graded notebooks never enter the build; downloads are the pages' own sources."""
    if not (SITE / "index.html").is_file():
        pytest.fail("the site is not built: run `make book` (make test does it first)")
    pages = {p.relative_to(SITE).with_suffix("") for p in SITE.rglob("*.html")}
    sources = sorted((SITE / "_sources").rglob("*.*"))
    assert sources, "the download button needs _sources/"
    for source in sources:
        rel = source.relative_to(SITE / "_sources")
        assert Path(rel.stem).with_suffix("") in {Path(p.name) for p in pages}, (
            f"_sources/{rel} matches no page of the book"
        )
        assert rel.parts[0] not in {"solutions", "exercises"}, rel
    # The only homework notebooks on the site are the chapters' downloads of
    # the student versions, byte for byte.
    released = {p.read_bytes() for p in (ROOT / "exercises").glob("*/*.ipynb")}
    graded = {p.name for p in SOURCES}
    for notebook in SITE.rglob("*.ipynb"):
        if notebook.name in graded:
            assert notebook.relative_to(SITE).parts[0] == "_downloads", notebook
            assert notebook.read_bytes() in released, f"{notebook} is not released"
    assert not any(m in p.read_text() for p in SITE.rglob("*.html") for m in MARKERS)
