"""Feedback that never shows hidden tests, and graded notebooks that render nothing live.

Stock ``nbgrader generate_feedback`` renders the autograded notebook as it is:
test cells carry the full source of their hidden tests (restored from the
gradebook during autograding) and tracebacks that quote them. The
:class:`HideHiddenTests` preprocessor, enabled in ``nbgrader_config.py``,
removes both before the feedback page is written.

nbgrader's formgrader renders each autograded notebook on the instructor's
Jupyter server, HTML and all: a ``<script>`` in a student's markdown answer
would run with the instructor's rights. ``course grade`` writes its graded
notebooks with every student-written markdown answer as a plain-text block;
:class:`InertAnswers`, last of stock ``nbgrader autograde``'s preprocessors in
``nbgrader_config.py``, does the same for notebooks graded the stock way.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

from course_tools.grading._text import inert_markdown, printable

__all__ = ["HideHiddenTests", "InertAnswers", "feedback_html"]

ANSWER_HEADING = "*The student's answer, shown as plain text:*"


class InertAnswers(NbGraderPreprocessor):
    """Show every markdown cell a student could have written as plain text.

    Stock nbgrader restores only locked cells from the gradebook: every other
    markdown cell of a submission (answers, and any cell a student edited or
    added) holds the student's bytes. Each becomes a fenced text block (see
    :func:`~course_tools.grading._text.inert_markdown`), so that no HTML, script,
    link, image or formula in it is rendered where the notebook is viewed,
    and loses its attachments; a raw cell loses its MIME type, so that it is
    shown as text. Locked cells are left as they are.

    Examples
    --------
    >>> from nbformat.v4 import new_markdown_cell, new_notebook
    >>> cell = new_markdown_cell("<img src=x onerror=alert(1)>")
    >>> cell.metadata["nbgrader"] = {"solution": True, "grade": True}
    >>> nb, _ = InertAnswers().preprocess(new_notebook(cells=[cell]), {})
    >>> "<img" in nb.cells[0].source and nb.cells[0].source.count("````") == 2
    True
    """

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        meta = meta if isinstance(meta, dict) else {}
        locked = bool(meta.get("locked")) and not meta.get("solution")
        if cell.cell_type == "markdown" and not locked:
            if not str(cell.source).startswith(ANSWER_HEADING):
                cell.source = inert_markdown(str(cell.source), ANSWER_HEADING)
            cell.pop("attachments", None)
        elif cell.cell_type == "raw":
            cell.metadata.pop("format", None)
            cell.metadata.pop("raw_mimetype", None)
        return cell, resources


class HideHiddenTests(NbGraderPreprocessor):
    """Strip hidden tests and their tracebacks from autograded test cells.

    In every autograder test cell (``grade`` and not ``solution``), the lines
    between ``BEGIN HIDDEN TESTS`` and ``END HIDDEN TESTS`` are replaced by a
    one-line note, and every error output is cut down to its exception name
    and message, since an IPython traceback quotes the lines around the one
    that failed. Answer cells keep their tracebacks: they show the student's
    own code.

    Parameters
    ----------
    note : str
        The line that stands in for a removed hidden region.
    max_message : int
        Error messages longer than this are truncated.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_notebook
    >>> source = ["assert f(1) == 2", "### BEGIN HIDDEN TESTS", "assert f(2) == 4",
    ...           "### END HIDDEN TESTS"]
    >>> cell = new_code_cell("\\n".join(source))
    >>> cell.metadata["nbgrader"] = {"grade": True, "solution": False}
    >>> nb, _ = HideHiddenTests().preprocess(new_notebook(cells=[cell]), {})
    >>> print(nb.cells[0].source)
    assert f(1) == 2
    # Hidden tests ran here; they are not shown.
    """

    note = Unicode("# Hidden tests ran here; they are not shown.").tag(config=True)
    max_message = Integer(500).tag(config=True)
    begin = Unicode("BEGIN HIDDEN TESTS").tag(config=True)
    end = Unicode("END HIDDEN TESTS").tag(config=True)

    def preprocess_cell(
        self, cell: NotebookNode, resources: dict[str, Any], index: int
    ) -> tuple[NotebookNode, dict[str, Any]]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.cell_type != "code" or not meta.get("grade") or meta.get("solution"):
            return cell, resources
        cell.source = self._strip(cell.source)
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                message = str(output.get("evalue", ""))[: self.max_message]
                ename = output.get("ename", "Error")
                output["evalue"] = message
                output["traceback"] = [f"{ename}: {message}" if message else ename]
        return cell, resources

    def _strip(self, source: str) -> str:
        kept: list[str] = []
        inside = False
        for line in source.split("\n"):
            if self.begin in line:
                inside = True
                kept.append(self.note)
            elif self.end in line:
                inside = False
            elif not inside:
                kept.append(line)
        return "\n".join(kept)


_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }}
th, td {{ border-bottom: 1px solid #ddd; padding: .4rem .6rem; text-align: left; vertical-align: top; }}
.pass {{ color: #1a7f37; font-weight: bold; }} .fail {{ color: #cf222e; font-weight: bold; }}
.pending {{ color: #9a6700; }} .late {{ color: #9a6700; }}
</style></head>
<body>
<h1>{title}</h1>
<p>Student: <strong>{student}</strong>. Score so far: <strong>{score:g} of {max_score:g}</strong>{pending}.</p>
{late}<table>
<thead><tr><th>Part</th><th>Result</th><th>Points</th><th>Feedback</th></tr></thead>
<tbody>
{rows}
</tbody></table>
{notes}
<p><small>Hidden tests ran your functions on inputs of their own; this page shows
what they found, never the tests themselves.</small></p>
</body></html>
"""


def feedback_html(
    *,
    title: str,
    student: str,
    parts: list[dict[str, Any]],
    manual: list[dict[str, Any]],
    notes: list[str],
    late: str = "",
    late_fraction: float = 0.0,
) -> str:
    """A student's feedback page: per part, pass or fail, points and a hint.

    ``parts`` are the autograded results (``grade_id``, ``passed``, ``points``,
    ``max_points``, ``hint``); ``manual`` the hand-graded cells (``grade_id``,
    ``score`` or None while ungraded, ``max_points``, ``comment`` and
    ``unanswered``, true when the student left the answer as released); ``notes``
    other remarks, such as errors raised by the student's own cells; ``late``
    says how late the submission was and under which policy (empty when on
    time), and ``late_fraction`` is the fraction of the score it costs. All
    text is escaped.
    """
    import html

    def esc(value: Any, limit: int | None = 600) -> str:
        return html.escape(printable(value, limit))

    rows = []
    for part in parts:
        name = part["grade_id"].removeprefix("test_")
        status = (
            '<span class="pass">passed</span>'
            if part["passed"]
            else '<span class="fail">failed</span>'
        )
        hint = esc(
            part.get("hint")
            or ("" if part["passed"] else "The hidden tests found a wrong result.")
        )
        rows.append(
            f"<tr><td><code>{esc(name)}</code></td><td>{status}</td>"
            f"<td>{part['points']:g} / {part['max_points']:g}</td><td>{hint}</td></tr>"
        )
    pending = False
    for cell in manual:
        if cell.get("unanswered"):
            result, points = "no answer", f"0 / {cell['max_points']:g}"
        elif cell["score"] is None:
            pending = True
            result, points = (
                '<span class="pending">to be graded by hand</span>',
                f"– / {cell['max_points']:g}",
            )
        else:
            result, points = (
                "graded by hand",
                f"{cell['score']:g} / {cell['max_points']:g}",
            )
        comment = esc(cell.get("comment") or "", None)
        rows.append(
            f"<tr><td><code>{esc(cell['grade_id'])}</code></td><td>{result}</td>"
            f"<td>{points}</td><td>{comment}</td></tr>"
        )
    score = sum(p["points"] for p in parts) + sum(c["score"] or 0 for c in manual)
    max_score = sum(p["max_points"] for p in parts) + sum(
        c["max_points"] for c in manual
    )
    late_html = ""
    if late:
        lost = round(score * late_fraction, 4)
        late_html = (
            f'<p class="late">{esc(late)}'
            + (
                f": the late policy takes {lost:g} points, so your score is "
                f"<strong>{max(0.0, score - lost):g} of {max_score:g}</strong>"
                if late_fraction
                else ""
            )
            + ".</p>\n"
        )
    notes_html = ""
    if notes:
        items = "".join(f"<li>{esc(n)}</li>" for n in notes)
        notes_html = f"<h2>Notes</h2><ul>{items}</ul>"
    return _PAGE.format(
        title=esc(title),
        student=esc(student),
        score=score,
        max_score=max_score,
        pending=" (written answers still to be graded)" if pending else "",
        rows="\n".join(rows),
        notes=notes_html,
        late=late_html,
    )
