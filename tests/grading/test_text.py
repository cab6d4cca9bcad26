"""Student-written text reaches terminals, pages and spreadsheets inert."""

from __future__ import annotations

import json

import nbformat
import pytest
from nbconvert import HTMLExporter

from course_tools.grading._text import (
    csv_cell,
    first_line,
    inert_markdown,
    printable,
    scrub,
    scrub_notebook,
)

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    "[click me](javascript:window.__pwned=3)",
    "<javascript:alert(4)>",
    '<iframe src="http://attacker.invalid/"></iframe>',
    "$\\href{javascript:alert(5)}{x}$",
    "```\n</code></pre><script>alert(6)</script>\n```",
    "~~~~\n<svg onload=alert(7)>\n~~~~",
]


@pytest.mark.parametrize(
    "text",
    [
        "\x1b[2J\x1b]0;title\x07",
        "a\rb",
        "x\u202ey",
        "\ud800",
        "\x00",
        "tab\there",
        "\u2028",
    ],
)
def test_printable_shows_unsafe_characters_as_escapes(text):
    out = printable(text)
    assert out.isprintable()
    assert not any(ch in out for ch in "\x1b\x07\r\u202e\ud800\x00\t\u2028")
    out.encode("utf-8")  # never a lone surrogate


def test_printable_keeps_ordinary_text_and_caps_it():
    assert printable("Zoë Ångström, 学生 (ok)") == "Zoë Ångström, 学生 (ok)"
    assert printable("x" * 1000, 10) == "x" * 7 + "..."
    assert printable("a\nb", keep_newlines=True) == "a\nb"


def test_printable_survives_a_hostile_str():
    class Hostile:
        def __str__(self):
            raise RuntimeError("no")

    assert printable(Hostile()) == "<unprintable RuntimeError>"


def test_first_line_is_one_capped_line():
    assert first_line("ValueError: first\nSECRET second line") == "ValueError: first"
    assert first_line("\n\n  only later  \n") == "only later"
    assert first_line("a\u2028SECRET") == "a"
    assert len(first_line("y" * 10_000, 200)) == 200


def test_scrub_replaces_lone_surrogates_everywhere():
    nb = {"cells": [{"source": "# \ud800", "metadata": {"\udcff": ["\ud83d"]}}]}
    clean = scrub_notebook(nb)
    json.dumps(clean, ensure_ascii=False).encode("utf-8")
    assert scrub("\ud83d\ude00") == "\ufffd\ufffd"  # a pair written as escapes is two


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_csv_cell_never_starts_a_formula(value):
    assert csv_cell(value).startswith("'")


def test_csv_cell_leaves_other_values_alone():
    assert [csv_cell(v) for v in ("ada", 3.0, None, "a=b")] == ["ada", 3.0, None, "a=b"]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_inert_markdown_renders_as_text(payload):
    cell = nbformat.v4.new_markdown_cell(inert_markdown(payload, "*answer:*"))
    html, _ = HTMLExporter().from_notebook_node(nbformat.v4.new_notebook(cells=[cell]))
    body = html[html.index("<body") :]
    for live in ("<script>window", "<img src=x", 'href="javascript', "<iframe", "<svg"):
        assert live not in body
    assert "<script>alert" not in body and "href='javascript" not in body
