"""Flag code that looks like an attempt to tamper with grading, for review.

``course grade`` decides every score outside the student's process, so these
idioms cannot raise a grade there; the scan exists so that an instructor sees
who tried (an academic-integrity matter) and can read the cell in question.
It reads the code without running it: Python's ``ast`` where the cell parses,
plain text otherwise.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

__all__ = ["Finding", "scan_source"]

# (name, regular expression on the source, why it is suspicious)
_PATTERNS: list[tuple[str, re.Pattern[str], str]] = [
    (name, re.compile(pattern), why)
    for name, pattern, why in [
        (
            "ipython-hooks",
            r"input_transformers|ast_transformers|set_custom_exc|events\.register|register_magic",
            "changes how later cells run",
        ),
        ("get_ipython", r"\bget_ipython\s*\(", "reaches into the notebook kernel"),
        (
            "eq-override",
            r"def\s+__(eq|ne|bool|float|array|len)__",
            "defines comparison or conversion methods",
        ),
        ("builtins", r"\b__builtins__\b|\bbuiltins\b", "touches Python's built-ins"),
        (
            "sys-modules",
            r"\bsys\.modules\b|\bimportlib\b|__import__\s*\(",
            "loads or replaces modules by hand",
        ),
        (
            "tracing",
            r"sys\.(settrace|setprofile|_getframe)|\binspect\b|\bgc\.get_objects",
            "inspects or traces the running program",
        ),
        (
            "process",
            r"\bos\.(kill|killpg|_exit|fork|exec\w*|system|popen)\b|\bsubprocess\b|\bsignal\.|\bctypes\b|\bmultiprocessing\b",
            "starts, signals or ends processes",
        ),
        (
            "descriptors",
            r"\bos\.(write|writev|dup2?|close|closerange|fdopen)\s*\(|/proc/self/fd|/dev/fd",
            "writes to or closes raw file descriptors (the grader's channel)",
        ),
        (
            "network",
            r"\bsocket\b|\burllib\b|\brequests\b|\bhttp\.client\b",
            "uses the network",
        ),
        (
            "files",
            r"gradebook|nbgrader|solutions/|\.\./|hidden_tests|/proc/",
            "reaches for grading files",
        ),
        (
            "exit",
            r"\bsys\.exit\b|\bexit\s*\(|\bquit\s*\(|\batexit\b",
            "ends the program early",
        ),
        (
            "dynamic-code",
            r"\bexec\s*\(|\beval\s*\(|\bcompile\s*\(",
            "runs code built at run time",
        ),
        (
            "resources",
            r"\bresource\.setrlimit\b|\bthreading\b",
            "changes limits or starts threads",
        ),
    ]
]


@dataclass(frozen=True)
class Finding:
    """One suspicious line: where, which idiom, and the line itself."""

    cell: str
    line: int
    idiom: str
    why: str
    code: str


def _patched_modules(tree: ast.AST) -> list[tuple[int, str]]:
    """Assignments to attributes of imported modules (monkeypatching)."""
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.update(a.asname or a.name for a in node.names)
    found = []
    for node in ast.walk(tree):
        targets: list[ast.AST] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id in {"setattr", "delattr"}
        ):
            targets = node.args[:1]
        for target in targets:
            base = target
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(target, ast.Attribute) or (
                isinstance(node, ast.Call) and targets
            ):
                if isinstance(base, ast.Name) and base.id in modules:
                    found.append((node.lineno, base.id))
    return found


#: Cells longer than this (characters) are scanned as text only: building the
#: syntax tree of a huge cell would cost the grader more memory than the cell.
MAX_PARSE = 200_000
#: At most this many findings are reported per cell.
MAX_FINDINGS = 200


def scan_source(source: str, cell: str = "") -> list[Finding]:
    """Every suspicious idiom in one cell's source (at most ``MAX_FINDINGS``).

    Examples
    --------
    >>> [f.idiom for f in scan_source("import numpy as np\\nnp.allclose = lambda *a: True")]
    ['monkeypatch']
    """
    lines = source.split("\n")
    findings = []
    for number, text in enumerate(lines, start=1):
        stripped = text.strip()
        if not stripped or stripped.startswith("#"):
            continue
        for name, pattern, why in _PATTERNS:
            if pattern.search(text):
                findings.append(Finding(cell, number, name, why, stripped[:200]))
        if len(findings) >= MAX_FINDINGS:
            return findings[:MAX_FINDINGS]
    if len(source) > MAX_PARSE:
        return findings
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        # Not Python (a magic, a NUL byte) or nested too deep to parse here:
        # the text scan above is all there is.
        return findings
    for number, module in _patched_modules(tree)[: MAX_FINDINGS - len(findings)]:
        text = lines[number - 1].strip() if number <= len(lines) else ""
        findings.append(
            Finding(
                cell,
                number,
                "monkeypatch",
                f"assigns to an attribute of the module {module}",
                text[:200],
            )
        )
    return findings
