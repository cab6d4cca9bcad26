"""Student-written text made safe for terminals, web pages, spreadsheets and files.

Everything a student sends is hostile bytes: a name, a message, a line of code
or a markdown answer can hold control characters (terminal escape codes, a
carriage return that overwrites what the instructor reads), Unicode format
characters (a right-to-left override), lone surrogates (which cannot be
written as UTF-8 and crash whatever prints them), HTML, or a leading ``=``
that a spreadsheet runs as a formula. The helpers here turn such text into
something inert before it reaches any of those places.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

__all__ = [
    "csv_cell",
    "first_line",
    "inert_markdown",
    "printable",
    "scrub",
    "scrub_notebook",
]

# Control (Cc), format (Cf), surrogate (Cs), private-use (Co), unassigned
# (Cn) and line/paragraph separators (Zl, Zp) never reach an instructor as
# themselves.
_UNSAFE_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}
_SURROGATE = re.compile("[\ud800-\udfff]")


def scrub(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD.

    Such a string cannot be encoded as UTF-8, so printing or writing it fails;
    JSON allows it (``"\\ud800"``), so a notebook can carry one.

    Examples
    --------
    >>> scrub("a\\ud800b")
    'a\\ufffdb'
    """
    return _SURROGATE.sub("\ufffd", text)


def _escape(ch: str) -> str:
    code = ord(ch)
    if ch == "\n":
        return "\\n"
    if ch == "\t":
        return "\\t"
    if ch == "\r":
        return "\\r"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(
    value: Any, limit: int | None = 300, *, keep_newlines: bool = False
) -> str:
    """``str(value)`` safe to print: unsafe characters shown as escapes, cut to ``limit``.

    Control and format characters, lone surrogates and separators are written
    as ``\\x1b``, ``\\u202e`` and so on (newlines too, unless
    ``keep_newlines``), so that nothing a student wrote can move the cursor,
    recolour a terminal or reorder the text around it. Text longer than
    ``limit`` characters is cut and ends with ``...``.

    Examples
    --------
    >>> printable("ok\\x1b[2Jgone")
    'ok\\\\x1b[2Jgone'
    >>> printable("x" * 10, limit=4)
    'x...'
    """
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception as error:  # a hostile __str__
        text = f"<unprintable {type(error).__name__}>"
    if limit is not None and len(text) > 4 * limit:
        text = text[: 4 * limit]  # bound the work before escaping
    out = []
    for ch in text:
        if ch == "\n" and keep_newlines:
            out.append(ch)
        elif ch.isascii() and (ch.isprintable() or ch == " "):
            out.append(ch)
        elif unicodedata.category(ch) in _UNSAFE_CATEGORIES:
            out.append(_escape(ch))
        else:
            out.append(ch)
    result = "".join(out)
    if limit is not None and len(result) > limit:
        result = result[: max(0, limit - 3)] + "..."
    return result


def first_line(value: Any, limit: int = 200) -> str:
    """The first non-empty line of ``value``, printable and cut to ``limit``.

    What reaches a student's feedback of an error their own code raised: one
    line, so that it cannot carry a page of hidden inputs.

    Examples
    --------
    >>> first_line("ValueError: bad\\nsecond line")
    'ValueError: bad'
    """
    try:
        text = value if isinstance(value, str) else str(value)
    except Exception as error:
        text = f"<unprintable {type(error).__name__}>"
    text = text[: 8 * limit]
    for line in re.split(r"[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", text):
        if line.strip():
            return printable(line.strip(), limit)
    return ""


def csv_cell(value: Any) -> Any:
    """A string that a spreadsheet would run as a formula, made into text.

    A cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return is prefixed with ``'`` (OWASP's advice for CSV injection); other
    values are returned unchanged.

    Examples
    --------
    >>> csv_cell("=HYPERLINK(\\"http://x\\")")
    '\\'=HYPERLINK("http://x")'
    >>> csv_cell(2.5)
    2.5
    """
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def inert_markdown(source: str, heading: str = "") -> str:
    """A markdown cell's source that renders as plain text, never as HTML.

    The student's text goes into a fenced code block whose fence is longer
    than any run of fence characters inside it, so that no HTML, link, image
    or formula in it is rendered (MathJax does not typeset code blocks), and
    unsafe characters are shown as escapes.

    Examples
    --------
    >>> print(inert_markdown("<script>alert(1)</script>"))
    ````text
    <script>alert(1)</script>
    ````
    """
    text = printable(scrub(source), None, keep_newlines=True)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(4, longest + 1)
    block = f"{fence}text\n{text}\n{fence}"
    return f"{heading}\n\n{block}" if heading else block


def scrub_notebook(node: Any, _depth: int = 0) -> Any:
    """A copy of a parsed notebook (dicts, lists, strings) without lone surrogates.

    Keys and values alike are scrubbed; deeper than 64 levels, a value is
    replaced by None (no real notebook nests that deep).
    """
    if _depth > 64:
        return None
    if isinstance(node, str):
        return scrub(node)
    if isinstance(node, dict):
        return {scrub(str(k)): scrub_notebook(v, _depth + 1) for k, v in node.items()}
    if isinstance(node, list):
        return [scrub_notebook(v, _depth + 1) for v in node]
    return node
