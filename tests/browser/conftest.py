"""A real browser over the built site: Debian's Chromium driven by Playwright.

The site (``_build/html``, or the folder named by the environment variable
``COURSE_SITE``) is served by a local ``http.server`` on a free port, so that
pages load over HTTP as on a real host (the search page fetches its index with
JavaScript). Playwright drives the system Chromium; no browser is ever
downloaded. Requests that leave the local server (MathJax from a CDN, for
instance) are answered with an empty body, so the tests never use the network.

Every page is visited once per session at a desktop's width (:func:`visits`)
and once at a phone's (:func:`phone_visits`), each by a first-time visitor; the
tests assert on what was recorded there. Each visit runs axe-core, the
accessibility checker, on the page as loaded: its script comes with the Python
package axe-playwright-python (a development dependency), never from the network.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("COURSE_SITE", ROOT / "_build" / "html")).resolve()
SCREENSHOTS = SITE.parent / "screenshots"
HOST = "127.0.0.1"
# Debian's Chromium (the /usr/bin/chromium wrapper script misbehaves).
CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/lib/chromium/chromium"))
VIEWPORT = {"width": 1280, "height": 800}
# A phone held upright (an iPhone 12 to 15 is 390 CSS pixels wide).
PHONE = {"width": 390, "height": 844}
# The column a phone gives a figure: images in a window 390 px wide are
# shown at most 342 px wide (measured in Chromium, pydata-sphinx-theme 0.15).
PHONE_FIGURE_WIDTH = 342
# Folders of the built site that hold assets and downloads, not pages.
INTERNALS = {"_static", "_sources", "_downloads", "_images"}
# Milliseconds a page may take to load.
TIMEOUT = 30_000


def _missing(message: str) -> None:
    """Fail in CI, where the browser must be present; skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


def site_pages(site: Path) -> list[str]:
    """Every HTML page of the built site, as a path relative to the site root."""
    return sorted(
        path.relative_to(site).as_posix()
        for path in site.rglob("*.html")
        if not INTERNALS & set(path.relative_to(site).parts[:-1])
    )


@dataclass
class Visit:
    """What the browser saw on one page of the site."""

    page: str
    url: str = ""
    status: int | None = None
    errors: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)
    links: list[dict] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    images: list[dict] = field(default_factory=list)
    error_outputs: list[str] = field(default_factory=list)
    cell_outputs: int = 0
    text: str = ""
    title: str = ""
    toc: list[str] = field(default_factory=list)
    math: int = 0
    untypeset_math: list[str] = field(default_factory=list)
    math_errors: list[str] = field(default_factory=list)
    # axe-core's violations of the WCAG A and AA rules (see :func:`run_axe`).
    axe: list[dict] = field(default_factory=list)
    # Content past the edges of the window that no box scrolls to (phone only).
    cut_off: list[str] = field(default_factory=list)
    # The width of the document and of the window (phone only).
    scroll_width: int = 0
    client_width: int = 0
    # Each figure's image: its URL and the width it is shown at (phone only).
    figures: list[dict] = field(default_factory=list)
    # Each table: its width, whether it fits the window, and whether a box
    # around it scrolls sideways inside the window (phone only).
    tables: list[dict] = field(default_factory=list)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # The browser may drop a connection it no longer needs; that is no error
        # of the site's.
        pass


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site's folder; fails when it has not been built."""
    if not (SITE / "index.html").is_file():
        pytest.fail(
            f"the site is not built: run `make book` (no {SITE / 'index.html'})"
        )
    return SITE


@contextmanager
def serve(folder: Path) -> Iterator[str]:
    """Serve a folder over HTTP on a free local port; yields the root URL."""
    server = _Server((HOST, 0), partial(_QuietHandler, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{HOST}:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def base_url(site: Path) -> Iterator[str]:
    """URL of a local HTTP server serving the site."""
    with serve(site) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium, shared by the whole session."""
    hint = "install it with `bash scripts/system_deps.sh` (as root)"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("the Python package playwright is missing: pip install -e '.[dev]'")
    if not os.access(CHROMIUM, os.X_OK):
        _missing(f"Chromium is missing ({CHROMIUM} is not executable): {hint}")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"], headless=True
        )
        try:
            yield chromium
        finally:
            chromium.close()


def _offline(route) -> None:
    """Let requests to this machine through; answer any other with an empty body."""
    if urlsplit(route.request.url).hostname == HOST:
        route.continue_()
    else:
        route.fulfill(status=200, body="")


@pytest.fixture(scope="session")
def fresh_tab(browser):
    """Open a tab in a new browser context, as a first-time visitor with no storage.

    Use as ``with fresh_tab() as tab: ...``; the context is closed afterwards.
    """

    @contextmanager
    def open_tab(viewport: dict = VIEWPORT):
        context = browser.new_context(viewport=viewport)
        try:
            context.set_default_timeout(TIMEOUT)
            context.route("**/*", _offline)
            yield context.new_page()
        finally:
            context.close()

    return open_tab


# What the browser reads from a page once it has loaded.
_COLLECT = """() => {
    const images = [...document.images].map((img) => ({
        src: img.getAttribute("src"),
        loaded: img.complete && img.naturalWidth > 0,
        figure: img.closest(".cell_output, figure, .figure") !== null,
    }));
    const links = [...document.querySelectorAll("a[href]")].map((a) => ({
        raw: a.getAttribute("href"),
        href: a.href,
    }));
    const ids = [...document.querySelectorAll("[id]")].map((e) => e.id);
    const names = [...document.querySelectorAll("a[name]")].map((e) => e.name);
    const errors = [...document.querySelectorAll(
        ".output.stderr, .output.traceback, .output.error, .cell_output .stderr"
    )].map((e) => e.className + ": " + e.innerText.slice(0, 300));
    const toc = [...document.querySelectorAll(
        "nav.bd-links a.reference.internal, .bd-sidebar-primary a.reference.internal"
    )].map((a) => a.href);
    const h1 = document.querySelector("main h1, article h1, h1");
    // Sphinx writes TeX into .math elements; MathJax replaces it by an
    // <mjx-container>, and shows a TeX error as <mjx-merror>.
    const math = [...document.querySelectorAll(".math")];
    const untypesetMath = math.filter((e) => !e.querySelector("mjx-container"))
        .map((e) => e.textContent.trim().slice(0, 120));
    const mathErrors = [...document.querySelectorAll("mjx-merror")].map(
        (e) => (e.getAttribute("data-mjx-error") || e.textContent).slice(0, 200));
    return {
        images, links, ids: ids.concat(names), errors, toc,
        math: math.length, untypesetMath, mathErrors,
        cellOutputs: document.querySelectorAll(".cell_output").length,
        text: document.body ? document.body.innerText : "",
        title: h1 ? h1.innerText : "",
    };
}"""

# Wait until MathJax has typeset the page (it loads deferred, then typesets
# asynchronously); a page without maths, or without MathJax, returns at once.
SETTLE_MATH = """async () => {
    if (!document.querySelector(".math")) return;
    for (let i = 0; i < 100 && !(window.MathJax && MathJax.startup
            && MathJax.startup.promise); i++) {
        await new Promise((done) => setTimeout(done, 100));
    }
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
    }
}"""

# Make lazy images load and wait until every image has loaded or failed.
SETTLE_IMAGES = """async () => {
    const images = [...document.images];
    images.forEach((img) => { img.loading = "eager"; });
    await Promise.all(images.map((img) => img.complete ? null : new Promise(
        (done) => { img.addEventListener("load", done); img.addEventListener("error", done); }
    )));
}"""


# The rule tags of WCAG 2.0 and 2.1, levels A and AA: what public universities'
# course web content must meet in the US from 2026.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Every axe rule with one of those tags, experimental ones included (axe leaves
# those out when asked for tags, and label-in-name, WCAG 2.5.3, is one of them).
_AXE = """async (tags) => {
    const rules = axe.getRules(tags).map((rule) => rule.ruleId);
    const results = await axe.run(document, {
        runOnly: {type: "rule", values: rules},
        resultTypes: ["violations"],
    });
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help,
        nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200)})),
    }));
}"""


# axe-core 4.12 fetches a stylesheet's @import at its URL as written, relative to
# the page instead of to the stylesheet (dequelabs/axe-core#5268): the theme's
# `@import "../basic.css"` becomes a request for a missing file, and
# css-orientation-lock reads the wrong CSS. Until axe resolves the URL itself,
# CSSImportRule.href answers the resolved URL on the page under test.
_RESOLVE_IMPORTS = """() => {
    const href = Object.getOwnPropertyDescriptor(CSSImportRule.prototype, "href").get;
    Object.defineProperty(CSSImportRule.prototype, "href", {
        configurable: true,
        get() {
            const sheet = this.parentStyleSheet;
            return new URL(href.call(this), (sheet && sheet.href) || document.baseURI).href;
        },
    });
}"""


def run_axe(tab) -> list[dict]:
    """axe-core's violations of the WCAG 2.0 and 2.1 A and AA rules on a loaded page.

    Each is a dict with the rule's ``id``, its ``impact`` ("minor", "moderate",
    "serious" or "critical"), ``help`` and the offending ``nodes``.
    """
    try:
        from axe_playwright_python.base import AXE_SCRIPT
    except ImportError:
        _missing(
            "the Python package axe-playwright-python is missing: "
            "pip install -e '.[dev]'"
        )
    tab.evaluate(_RESOLVE_IMPORTS)
    tab.evaluate(AXE_SCRIPT)
    return tab.evaluate(_AXE, WCAG_TAGS)


# Visible content that reaches past the left or right edge of the window where
# no box scrolls sideways to show it: cut off (by an ancestor that hides its
# overflow) or only reachable by scrolling the whole page. Text hidden on
# purpose (clipped to nothing for screen readers) does not count; each
# offender is reported once, at its outermost element.
CUT_OFF = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = (e) => {
        const style = getComputedStyle(e);
        return style.clip !== "auto" || style.clipPath !== "none";
    };
    const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
    const inside = (r) => r.left >= -1 && r.right <= width + 1;
    // Whether e is hidden on purpose or shown by a box that scrolls sideways.
    const reachable = (e) => {
        for (let a = e; a && a !== document.body; a = a.parentElement) {
            if (clipped(a)) return true;
            if (a !== e && scrolls(a) && inside(a.getBoundingClientRect())) return true;
        }
        return false;
    };
    const outside = (e) => {
        const r = e.getBoundingClientRect();
        return r.width > 0 && r.height > 0 && !inside(r)
            && e.checkVisibility({visibilityProperty: true, opacityProperty: true});
    };
    const found = [];
    for (const e of document.body.querySelectorAll("*")) {
        if (!outside(e) || reachable(e)) continue;
        const parent = e.parentElement;
        if (parent !== document.body && outside(parent) && !reachable(parent)) continue;
        const r = e.getBoundingClientRect();
        const name = [e.tagName.toLowerCase(), ...e.classList].join(".");
        const text = e.textContent.trim().replace(/\\s+/g, " ").slice(0, 60);
        found.push(`${name} from x=${Math.round(r.left)} to ${Math.round(r.right)}: ${text}`);
    }
    const root = document.documentElement;
    return {cutOff: found, scrollWidth: root.scrollWidth, clientWidth: width};
}"""


# The images of figures (a cell's output, a figure) and the width each is
# shown at, in CSS px, named by the figure's id where it has one.
FIGURES = """() => [...document.querySelectorAll(".cell_output img, figure img")].map(
    (img) => ({
        src: img.currentSrc || img.src,
        width: img.getBoundingClientRect().width,
        name: (img.closest("figure[id]") || {id: ""}).id,
    }))"""


# Each visible table, its width and where it sits: inside the window, or in a
# box that scrolls sideways and is itself inside the window.
TABLES = """() => {
    const width = document.documentElement.clientWidth;
    const inside = (r) => r.left >= -1 && r.right <= width + 1;
    const scrolls = (e) => ["auto", "scroll"].includes(getComputedStyle(e).overflowX);
    return [...document.querySelectorAll("table")].filter((t) => t.checkVisibility())
        .map((t) => {
            let box = null;
            for (let a = t.parentElement; a && a !== document.body; a = a.parentElement) {
                if (scrolls(a)) { box = a; break; }
            }
            const r = t.getBoundingClientRect();
            return {
                width: Math.round(r.width),
                fits: inside(r),
                scrolls: box !== null && inside(box.getBoundingClientRect()),
                text: t.textContent.trim().replace(/\\s+/g, " ").slice(0, 60),
            };
        });
}"""


def settle(tab) -> None:
    """Wait until the page's scripts, images and mathematics have finished."""
    tab.wait_for_load_state("networkidle")
    tab.evaluate(SETTLE_IMAGES)
    tab.evaluate(SETTLE_MATH)


def visit(tab, base_url: str, page_path: str) -> Visit:
    """Load one page in a tab and record what it shows and what went wrong."""
    record = Visit(page=page_path)

    def on_console(message) -> None:
        if message.type == "error":
            where = message.location.get("url", "")
            record.errors.append(f"console error: {message.text} ({where})")

    def on_response(response) -> None:
        if response.url.startswith(base_url) and response.status >= 400:
            record.failed_requests.append(f"{response.status} {response.url}")

    def on_failed(request) -> None:
        if request.url.startswith(base_url):
            record.failed_requests.append(f"{request.failure} {request.url}")

    tab.on("console", on_console)
    tab.on("pageerror", lambda error: record.errors.append(f"page error: {error}"))
    tab.on("response", on_response)
    tab.on("requestfailed", on_failed)
    response = tab.goto(base_url + page_path, wait_until="load")
    record.status = response.status if response is not None else None
    # Give scripts that run after load (and redirects) time to finish.
    settle(tab)
    record.url = tab.url
    seen = tab.evaluate(_COLLECT)
    record.links = seen["links"]
    record.ids = set(seen["ids"])
    record.images = seen["images"]
    record.error_outputs = seen["errors"]
    record.cell_outputs = seen["cellOutputs"]
    record.text = seen["text"]
    record.title = seen["title"]
    record.toc = seen["toc"]
    record.math = seen["math"]
    record.untypeset_math = seen["untypesetMath"]
    record.math_errors = seen["mathErrors"]
    record.axe = run_axe(tab)
    return record


def phone_visit(tab, base_url: str, page_path: str) -> Visit:
    """Load one page in a tab as narrow as a phone; record axe and the overflow."""
    record = Visit(page=page_path)
    response = tab.goto(base_url + page_path, wait_until="load")
    record.status = response.status if response is not None else None
    settle(tab)
    record.url = tab.url
    seen = tab.evaluate(CUT_OFF)
    record.cut_off = seen["cutOff"]
    record.scroll_width = seen["scrollWidth"]
    record.client_width = seen["clientWidth"]
    record.figures = tab.evaluate(FIGURES)
    record.tables = tab.evaluate(TABLES)
    record.axe = run_axe(tab)
    return record


@pytest.fixture(scope="session")
def visits(site: Path, fresh_tab, base_url: str) -> dict[str, Visit]:
    """Every page of the site, visited once, by path relative to the site root.

    Each page is opened by a first-time visitor (no local storage), so that an
    error on a first visit shows on every page, not only on the first one.
    """
    pages = site_pages(site)
    assert "intro.html" in pages or "index.html" in pages, pages
    found = {}
    for page in pages:
        with fresh_tab() as tab:
            found[page] = visit(tab, base_url, page)
    return found


@pytest.fixture(scope="session")
def phone_visits(site: Path, fresh_tab, base_url: str) -> dict[str, Visit]:
    """Every page of the site, visited once at a phone's width (:data:`PHONE`)."""
    found = {}
    for page in site_pages(site):
        with fresh_tab(PHONE) as tab:
            found[page] = phone_visit(tab, base_url, page)
    return found


# matplotlib writes each text of an SVG (with svg.fonttype "path") as glyph
# outlines in a group scaled by its font size in points over 100:
# <g transform="translate(x y) [rotate(a)] scale(0.1 -0.1)"> is 10 pt.
_SVG_TEXT = re.compile(r'<g transform="[^"]*scale\(([0-9.]+) -\1\)"')
_SVG_VIEWBOX = re.compile(r'<svg[^>]*\sviewBox="[-0-9.]+ [-0-9.]+ ([0-9.]+) [0-9.]+"')


def svg_text_sizes(svg: str) -> tuple[float, list[float]]:
    """The width of a matplotlib SVG's viewBox, and the font size of each text in it.

    Both are in the SVG's user units (points, for matplotlib), so that a text
    shown in an image ``w`` CSS px wide is ``size * w / width`` CSS px tall
    (its font size; a sub- or superscript in mathematics is 0.7 of it).
    """
    found = _SVG_VIEWBOX.search(svg)
    if found is None:
        raise ValueError("svg must be an SVG with a viewBox; got none")
    sizes = [100 * float(scale) for scale in _SVG_TEXT.findall(svg)]
    return float(found.group(1)), sizes


def local_target(href: str, base_url: str, site: Path) -> tuple[Path, str] | None:
    """The file a link on the local server points to, and its fragment.

    Returns None for a link that leaves the site (another host, mailto: ...).
    """
    if not href.startswith(base_url):
        return None
    parts = urlsplit(href)
    path = site / unquote(parts.path).lstrip("/")
    if path.is_dir():
        path = path / "index.html"
    return path, unquote(parts.fragment)
