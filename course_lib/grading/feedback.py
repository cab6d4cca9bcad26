"""Feedback that never shows hidden tests.

Stock ``nbgrader generate_feedback`` renders the autograded notebook as it is:
test cells carry the full source of their hidden tests (restored from the
gradebook during autograding) and tracebacks that quote them. The
:class:`HideHiddenTests` preprocessor, enabled in ``nbgrader_config.py``,
removes both before the feedback page is written.
"""

from __future__ import annotations

from typing import Any

from nbformat.notebooknode import NotebookNode
from nbgrader.preprocessors import NbGraderPreprocessor
from traitlets import Integer, Unicode

__all__ = ["HideHiddenTests"]


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
