"""The built site in a real browser: pages, links, images, cell output, search,
accessibility (WCAG 2.1 AA, checked by axe-core), and looks on a desktop and a phone.

Run against another build with ``COURSE_SITE=/path/to/_build/html pytest tests/browser``.
"""

from __future__ import annotations

import re
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote

import pytest

from course_lib.book import MIN_TEXT_PX

from .conftest import (
    PHONE,
    SCREENSHOTS,
    SETTLE_IMAGES,
    TIMEOUT,
    VIEWPORT,
    Visit,
    local_target,
    phone_visit,
    serve,
    settle,
    site_pages,
    svg_text_sizes,
    visit,
)

# The browser tier reads the built site: make test, never make check.
# One xdist worker visits the site once for every test (a session fixture
# would otherwise be built again in each worker that runs one of them).
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("browser")]

TRACEBACK = "Traceback (most recent call last)"
# The impacts of axe-core's violations that the site must not have.
BLOCKING = ("serious", "critical")


class _Ids(HTMLParser):
    """The ids (and <a name>s) of an HTML file, for pages the browser did not visit."""

    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()

    def handle_starttag(self, tag, attrs):
        for key, value in attrs:
            if key == "id" or (tag == "a" and key == "name"):
                self.ids.add(value or "")


def broken_links(visits: dict[str, Visit], base_url: str, site: Path) -> list[str]:
    """Every internal link whose file or #anchor does not exist, as readable lines."""
    ids: dict[Path, set[str]] = {site / page: v.ids for page, v in visits.items()}
    broken = []
    for page, record in visits.items():
        for link in record.links:
            target = local_target(link["href"], base_url, site)
            if target is None:
                continue  # another host, mailto:, javascript: ...
            path, anchor = target
            if not path.is_file():
                broken.append(f"{page}: {link['raw']!r} -> no file {path}")
                continue
            if not anchor or path.suffix != ".html":
                continue
            if path not in ids:
                parser = _Ids()
                parser.feed(path.read_text(encoding="utf-8"))
                ids[path] = parser.ids
            if anchor not in ids[path]:
                rel = path.relative_to(site).as_posix()
                broken.append(f"{page}: {link['raw']!r} -> no id {anchor!r} in {rel}")
    return broken


def broken_images(visits: dict[str, Visit]) -> list[str]:
    """Every <img> that the browser could not show."""
    return [
        f"{page}: <img src={image['src']!r}> did not load"
        for page, record in visits.items()
        for image in record.images
        if not image["loaded"]
    ]


def error_outputs(visits: dict[str, Visit]) -> list[str]:
    """Every stderr or traceback output of an executed cell."""
    found = [f"{page}: {out}" for page, v in visits.items() for out in v.error_outputs]
    found += [
        f"{page}: {TRACEBACK!r} in the text"
        for page, v in visits.items()
        if TRACEBACK in v.text
    ]
    return found


def math_problems(visits: dict[str, Visit]) -> list[str]:
    """Every formula MathJax did not typeset, and every TeX error it showed."""
    found = [
        f"{page}: not typeset: {tex!r}"
        for page, v in visits.items()
        for tex in v.untypeset_math
    ]
    found += [
        f"{page}: TeX error: {error!r}"
        for page, v in visits.items()
        for error in v.math_errors
    ]
    return found


def accessibility_violations(visits: dict[str, Visit]) -> list[str]:
    """Every serious or critical WCAG violation axe-core found, one line a rule and page."""
    return [
        f"{page}: {v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']}; "
        f"first at {v['nodes'][0]['target']}: {v['nodes'][0]['html']}"
        for page, record in visits.items()
        for v in record.axe
        if v["impact"] in BLOCKING
    ]


def overflow(visits: dict[str, Visit]) -> list[str]:
    """Every page wider than its window, and all content cut off at its edges."""
    found = [
        f"{page}: the document is {v.scroll_width} px wide in a {v.client_width} px window"
        for page, v in visits.items()
        if v.scroll_width > v.client_width
    ]
    found += [
        f"{page}: cut off: {cut}" for page, v in visits.items() for cut in v.cut_off
    ]
    return found


def illegible_figures(visits: dict[str, Visit], base_url: str, site: Path) -> list[str]:
    """Figures that are not sharp on every screen or whose text is too small on a phone.

    Legible at a phone's width means: every text of the figure is at least
    :data:`course_lib.book.MIN_TEXT_PX` CSS px tall (its font size) as the
    page shows it in a window 390 px wide, whether the figure is narrow enough
    or its box scrolls. A figure must be an SVG (sharp at any density), which
    is also what lets the test read each text's size.
    """
    found = []
    for page, record in visits.items():
        for figure in record.figures:
            target = local_target(figure["src"], base_url, site)
            name = figure["name"] or figure["src"].rsplit("/", 1)[-1]
            if target is None or target[0].suffix != ".svg":
                found.append(
                    f"{page}: {name} is not an SVG: blurred on a high-density "
                    "screen (call course_lib.book.use_book_style() first)"
                )
                continue
            width, sizes = svg_text_sizes(target[0].read_text(encoding="utf-8"))
            if not sizes:
                continue
            smallest = min(sizes) * figure["width"] / width
            if smallest < MIN_TEXT_PX:
                found.append(
                    f"{page}: {name}: text of {smallest:.1f} CSS px at a phone's "
                    f"width (at least {MIN_TEXT_PX:g}): {min(sizes):g} pt in a figure "
                    f"{width / 72:.1f} inches wide shown {figure['width']:.0f} px "
                    "wide; narrow it, stack its panels, or enlarge its text"
                )
    return found


def unscrolled_tables(visits: dict[str, Visit]) -> list[str]:
    """Tables wider than a phone's window that no box inside the window scrolls."""
    return [
        f"{page}: a table {table['width']} px wide is in no box that scrolls "
        f"sideways: {table['text']}"
        for page, record in visits.items()
        for table in record.tables
        if not (table["fits"] or table["scrolls"])
    ]


def png_size(path: Path) -> tuple[int, int]:
    """Width and height of a PNG file, from its header."""
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", header[16:24])


def chapters(visits: dict[str, Visit], base_url: str) -> list[str]:
    """The chapter pages in the order of the sidebar of the landing page."""
    landing = visits.get("intro.html") or visits["index.html"]
    order = []
    for href in landing.toc:
        page = href.removeprefix(base_url).split("#")[0].split("?")[0]
        if page.startswith("chapters/") and page not in order:
            order.append(page)
    return order


# --- the checks can fail: a small broken site ---------------------------------

BROKEN_PAGE = """<!DOCTYPE html><html><head><title>broken</title></head><body>
<h1 id="top">A broken page</h1>
<a href="missing.html">no such page</a>
<a href="#nowhere">no such anchor</a>
<a href="#top">fine</a>
<a href="https://example.org/">external, ignored</a>
<a href="mailto:a@example.org">mail, ignored</a>
<img src="missing.png" alt="gone">
<div class="cell_output docutils container">
<div class="output stderr highlight-myst-ansi notranslate"><pre>UserWarning: oops</pre></div>
</div>
<pre>Traceback (most recent call last):
  File "x.py", line 1</pre>
<p><span class="math notranslate nohighlight">\\(x^2\\)</span></p>
<div role="list"><div role="doc-biblioentry">An entry that is no list item</div></div>
<button aria-label="Colour mode">Search</button>
<div style="width: 1000px">A paragraph wider than a phone</div>
<div style="overflow: hidden; width: 200px"><p style="width: 1000px">cut off</p></div>
<figure><img src="small.svg" alt="a figure too wide for its text" style="max-width: 100%"></figure>
<figure><img src="fine.svg" alt="a narrow figure" style="max-width: 100%"></figure>
<div class="cell_output"><img src="blurred.png" alt="a bitmap figure"></div>
<table><tr><th>too wide</th><td style="min-width: 600px">and in no scrolling box</td></tr></table>
<div style="overflow-x: auto"><table><tr><th>wide</th><td style="min-width: 600px">in a box that scrolls</td></tr></table></div>
<pre style="overflow-x: auto">a line that scrolls in its own box, as it should """
BROKEN_PAGE += (
    "x" * 300
    + """</pre>
<script>undefinedFunction();</script>
</body></html>
"""
)


# A figure as matplotlib writes it: a text of 10 pt is a group scaled by 0.1.
SVG_FIGURE = """<svg xmlns="http://www.w3.org/2000/svg" width="{width}pt" height="144pt"
 viewBox="0 0 {width} 144"><g transform="translate(9 20) scale(0.1 -0.1)">
<path d="M 0 0 L 600 0 L 600 700 z"/></g></svg>"""
# A PNG of 1 x 1 pixel.
PNG_FIGURE = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c63f8ffff3f0005fe02fea7d6a4e60000000049454e44ae426082"
)


@pytest.fixture(scope="module")
def broken_site(tmp_path_factory, fresh_tab):
    folder = tmp_path_factory.mktemp("broken_site")
    (folder / "index.html").write_text(BROKEN_PAGE, encoding="utf-8")
    # Text of 10 pt in a figure 10 inches wide, and in one 3 inches wide.
    for name, inches in (("small.svg", 10), ("fine.svg", 3)):
        (folder / name).write_text(
            SVG_FIGURE.format(width=72 * inches), encoding="utf-8"
        )
    (folder / "blurred.png").write_bytes(PNG_FIGURE)
    with serve(folder) as url:
        with fresh_tab() as tab:
            desktop = {"index.html": visit(tab, url, "index.html")}
        with fresh_tab(PHONE) as tab:
            phone = {"index.html": phone_visit(tab, url, "index.html")}
        yield folder, url, desktop, phone


def test_the_checks_catch_a_broken_site(broken_site):
    folder, url, visits, _ = broken_site
    assert site_pages(folder) == ["index.html"]
    record = visits["index.html"]
    assert any("undefinedFunction" in e for e in record.errors), record.errors
    assert any("missing.png" in r for r in record.failed_requests), (
        record.failed_requests
    )
    links = broken_links(visits, url, folder)
    assert len(links) == 2, links
    assert "'missing.html' -> no file" in links[0]
    assert "no id 'nowhere' in index.html" in links[1]
    assert broken_images(visits) == ["index.html: <img src='missing.png'> did not load"]
    errors = error_outputs(visits)
    assert len(errors) == 2, errors
    assert "UserWarning: oops" in errors[0]
    assert TRACEBACK in errors[1]
    assert math_problems(visits) == ["index.html: not typeset: '\\\\(x^2\\\\)'"]


def test_the_accessibility_and_phone_checks_catch_a_broken_page(broken_site):
    *_, desktop, phone = broken_site
    for visits in (desktop, phone):
        found = accessibility_violations(visits)
        # A list of deprecated list items (as docutils writes a bibliography),
        # and a button whose name leaves out its visible text (an experimental
        # rule, which the check turns on).
        for rule in ("aria-required-children", "label-content-name-mismatch"):
            assert any(f" {rule} (" in line for line in found), (rule, found)
    problems = overflow(phone)
    assert problems[0] == "index.html: the document is 1008 px wide in a 390 px window"
    assert len(problems) == 4, problems
    assert "div from x=8 to 1008: A paragraph wider than a phone" in problems[1]
    assert "p from x=8 to 1008: cut off" in problems[2]
    assert "table from x=8 to " in problems[3] and "too wide" in problems[3]
    # The <pre> is wider still, but it scrolls in its own box.
    assert not any("pre" in problem for problem in problems), problems
    # So does the second table; the first is in no scrolling box.
    tables = unscrolled_tables(phone)
    assert len(tables) == 1, tables
    assert tables[0].startswith("index.html: a table ") and "too wide" in tables[0]


def test_the_figure_check_catches_blurred_and_illegible_figures(broken_site):
    folder, url, _, phone = broken_site
    problems = illegible_figures(phone, url, folder)
    assert len(problems) == 2, problems
    # 10 pt in 720 pt, shown 294 px wide (the window less the margins of the
    # page and of the <figure>)
    assert problems[0].startswith("index.html: small.svg: text of 4.1 CSS px"), problems
    assert problems[1].startswith("index.html: blurred.png is not an SVG"), problems


# --- the real site -------------------------------------------------------------


def test_every_page_loads_without_errors(site, visits, base_url):
    chapter_pages = chapters(visits, base_url)
    assert chapter_pages, "the landing page's sidebar lists no chapter"
    assert set(chapter_pages) <= set(visits), "a chapter in the sidebar was not built"
    problems = []
    for page, record in visits.items():
        if record.status != 200:
            problems.append(f"{page}: HTTP status {record.status}")
        problems += [f"{page}: {error}" for error in record.errors]
        problems += [f"{page}: request failed: {r}" for r in record.failed_requests]
    assert not problems, "\n".join(problems)


def test_no_broken_link_or_image(site, visits, base_url):
    links = sum(len(v.links) for v in visits.values())
    images = sum(len(v.images) for v in visits.values())
    assert links > len(visits) and images > 0, (links, images)
    broken = broken_links(visits, base_url, site) + broken_images(visits)
    assert not broken, "\n".join(broken)


def test_no_error_output_from_an_executed_cell(visits):
    assert any(v.cell_outputs for v in visits.values()), "no page shows a cell output"
    errors = error_outputs(visits)
    assert not errors, "\n".join(errors)


def test_mathematics_is_typeset_without_tex_errors(visits):
    pages_with_math = [page for page, v in visits.items() if v.math]
    assert len(pages_with_math) >= 3, "hardly any page shows mathematics"
    problems = math_problems(visits)
    assert not problems, "\n".join(problems)


def test_search_finds_a_word_from_the_first_chapter(fresh_tab, visits, base_url):
    first = chapters(visits, base_url)[0]
    title = re.sub(r"^[\d.\s]+", "", visits[first].title)
    words = sorted(re.findall(r"[A-Za-z]{5,}", title), key=len, reverse=True)
    assert words, f"no word of five letters or more in the title {title!r} of {first}"
    word = words[0]
    assert word.lower() in visits[first].text.lower()
    with fresh_tab() as tab:
        tab.goto(f"{base_url}search.html?q={quote(word)}", wait_until="load")
        # Sphinx writes its summary once the last result is shown.
        summary = tab.locator("#search-results .search-summary")
        tab.wait_for_function(
            "() => (document.querySelector('#search-results .search-summary')"
            " || {innerText: ''}).innerText.trim() !== ''",
            timeout=TIMEOUT,
        )
        said = summary.inner_text()
        results = tab.locator("#search-results ul.search li > a")
        hrefs = [a.get_attribute("href") or "" for a in results.all()]
    pages = {href.split("#")[0].split("?")[0] for href in hrefs}
    assert first in pages, f"searching {word!r} did not find {first}: {said} {hrefs}"


def test_every_page_meets_wcag_2_1_aa_at_a_desktops_width(site, visits):
    assert set(visits) == set(site_pages(site))
    assert all(record.status == 200 for record in visits.values())
    violations = accessibility_violations(visits)
    assert not violations, "\n".join(violations)


def test_every_page_meets_wcag_2_1_aa_at_a_phones_width(site, phone_visits):
    assert set(phone_visits) == set(site_pages(site))
    assert all(record.status == 200 for record in phone_visits.values())
    violations = accessibility_violations(phone_visits)
    assert not violations, "\n".join(violations)


def test_no_page_is_wider_than_a_phone(phone_visits):
    # Code blocks, wide tables and long formulas scroll inside their own box.
    assert all(v.client_width == PHONE["width"] for v in phone_visits.values())
    problems = overflow(phone_visits)
    assert not problems, "\n".join(problems)


def test_wide_tables_scroll_in_their_own_box_on_a_phone(phone_visits):
    # pandas' tables in cell outputs, and Markdown tables (the syllabus's).
    wide = [
        (page, table)
        for page, v in phone_visits.items()
        for table in v.tables
        if not table["fits"]
    ]
    assert len({page for page, _ in wide}) >= 5, (
        "hardly any table is wider than a phone"
    )
    problems = unscrolled_tables(phone_visits)
    assert not problems, "\n".join(problems)


def test_every_figure_is_sharp_and_legible_at_a_phones_width(
    site, phone_visits, base_url
):
    figures = sum(len(v.figures) for v in phone_visits.values())
    assert figures >= 30, f"only {figures} figures found on the site"
    problems = illegible_figures(phone_visits, base_url, site)
    assert not problems, "\n".join(problems)


def screenshot_name(page: str) -> str:
    """The file name of a page's screenshot: landing.png, or the chapter's name."""
    return (Path(page).stem if page else "landing") + ".png"


def test_screenshots_of_the_landing_page_and_every_chapter(fresh_tab, visits, base_url):
    chapter_pages = chapters(visits, base_url)
    # A chapter whose figures have loaded, to check that figures are drawn.
    with_figures = [
        page
        for page in chapter_pages
        if any(image["figure"] and image["loaded"] for image in visits[page].images)
    ]
    assert with_figures, "no chapter shows a figure"
    pages = ["", *chapter_pages]
    for viewport in (VIEWPORT, PHONE):
        folder = SCREENSHOTS / str(viewport["width"])
        folder.mkdir(parents=True, exist_ok=True)
        for page in pages:
            with fresh_tab(viewport) as tab:
                tab.goto(base_url + page, wait_until="load")
                settle(tab)
                if viewport is VIEWPORT:
                    # A window as tall as the page, so that the sticky sidebar
                    # is drawn whole, not cut at the height of the first screen.
                    height = tab.evaluate("document.documentElement.scrollHeight")
                    tab.set_viewport_size(
                        {"width": viewport["width"], "height": height}
                    )
                    tab.evaluate(SETTLE_IMAGES)
                tab.screenshot(path=folder / screenshot_name(page), full_page=True)
        for page in pages:
            path = folder / screenshot_name(page)
            assert path.stat().st_size > 20_000, f"{path} is too small to show a page"
            width, height = png_size(path)
            # The page is exactly as wide as the window: nothing sticks out.
            assert width == viewport["width"], (path, width)
            if page:
                assert height > viewport["height"], f"{path} is not the full page"
