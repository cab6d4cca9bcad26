"""Run homework notebooks through real nbgrader, the way an instructor does.

The helpers here build a throw-away nbgrader course from the project's own
``nbgrader_config.py`` and ``solutions/``, write submissions made from the
released student version, autograde them with the ``nbgrader`` command and read
the scores back from the gradebook. Nothing is mocked.
"""

from __future__ import annotations

import copy
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from course_tools.grading.release import add_setup_cell, install_spec

ROOT = Path(__file__).resolve().parents[2]
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
BANK = Path(__file__).resolve().parent / "bank"
BIN = Path(sys.executable).parent

_MARKER = re.compile(r"^\s*(###|<!--)?\s*(BEGIN|END) (SOLUTION|HIDDEN TESTS)\b.*$")


def homework_ids() -> list[str]:
    """Assignment ids: every folder of ``solutions/`` that holds a notebook."""
    return sorted(p.parent.name for p in SOLUTIONS.glob("*/*.ipynb"))


def source_notebook(assignment: str) -> Path:
    """The instructor notebook of ``assignment`` (one notebook per homework)."""
    notebooks = sorted((SOLUTIONS / assignment).glob("*.ipynb"))
    if len(notebooks) != 1:
        raise ValueError(
            f"solutions/{assignment} must hold exactly one notebook; got {notebooks}"
        )
    return notebooks[0]


def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


@dataclass
class Parts:
    """How a homework's cells map to graded parts."""

    answers: dict[str, str] = field(default_factory=dict)  # grade_id -> solution code
    tests: dict[str, list[str]] = field(default_factory=dict)  # part -> test cell ids
    points: dict[str, float] = field(default_factory=dict)  # part -> points
    manual: dict[str, float] = field(default_factory=dict)  # written answer -> points
    manual_answers: dict[str, str] = field(default_factory=dict)


def strip_markers(source: str) -> str:
    """The solution as a student would write it: the marker lines removed."""
    return "\n".join(line for line in source.split("\n") if not _MARKER.match(line))


def parts_of(notebook_path: Path) -> Parts:
    """Read the graded parts of an instructor notebook.

    An autograded part is an answer cell (``solution`` and not ``grade``) whose
    grade id is the part's name; its test cells are the ``grade`` code cells whose
    grade id starts with ``test_<part>``. A written answer is a ``solution`` and
    ``grade`` cell, graded by hand.
    """
    nb = nbformat.read(notebook_path, as_version=4)
    parts = Parts()
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        gid = meta.get("grade_id")
        if meta.get("solution") and not meta.get("grade"):
            parts.answers[gid] = strip_markers(cell.source)
        elif meta.get("solution") and meta.get("grade"):
            parts.manual[gid] = float(meta["points"])
            parts.manual_answers[gid] = strip_markers(cell.source)
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if meta.get("grade") and not meta.get("solution"):
            gid = meta["grade_id"]
            owner = [p for p in parts.answers if gid.startswith(f"test_{p}")]
            if len(owner) != 1:
                raise ValueError(
                    f"test cell {gid!r} must be named test_<part> for exactly one "
                    f"answer cell of {sorted(parts.answers)}"
                )
            parts.tests.setdefault(owner[0], []).append(gid)
            parts.points[owner[0]] = parts.points.get(owner[0], 0.0) + float(
                meta["points"]
            )
    return parts


def make_submission(
    released: nbformat.NotebookNode,
    answers: dict[str, str],
    *,
    drop: tuple[str, ...] = (),
) -> nbformat.NotebookNode:
    """A student's notebook: the released one with answer cells filled in.

    ``answers`` maps grade ids to new cell sources; cells whose grade id is in
    ``drop`` are deleted, as a student might delete a test cell.
    """
    nb = copy.deepcopy(released)
    kept = []
    for cell in nb.cells:
        gid = nbgrader_meta(cell).get("grade_id")
        if gid in drop:
            continue
        if gid in answers:
            cell.source = answers[gid]
        kept.append(cell)
    nb.cells = kept
    return nb


class Course:
    """A throw-away nbgrader course folder with the project's configuration.

    ``assignment`` is one homework id or several: a course of a whole term
    is released once, and ``course grade`` grades all of it in one pool.
    Methods that concern one homework take ``hw`` (default: the first).
    """

    def __init__(
        self,
        root: Path,
        assignment: str | list[str],
        db_url: str | None = None,
        *,
        _copy_of: Course | None = None,
    ):
        root.mkdir(parents=True, exist_ok=True)
        self.root = root
        self.assignments = (
            [assignment] if isinstance(assignment, str) else list(assignment)
        )
        self.assignment = self.assignments[0]
        self.db_url = db_url or f"sqlite:///{root / 'gradebook.db'}"
        if _copy_of is None:
            shutil.copy(ROOT / "nbgrader_config.py", root / "nbgrader_config.py")
            for hw in self.assignments:
                shutil.copytree(SOLUTIONS / hw, root / "solutions" / hw)
            pattern = self.assignment if len(self.assignments) == 1 else "*"
            self.nbgrader("generate_assignment", pattern, "--force")
            # As `course release` does: the setup cell first, from the
            # repository's config (this throw-away course has none of its own).
            spec = install_spec(ROOT)
            for hw in self.assignments:
                for path in (root / "exercises" / hw).glob("*.ipynb"):
                    add_setup_cell(path, spec)
        self.notebook_names = {hw: source_notebook(hw).name for hw in self.assignments}
        self.releases = {
            hw: nbformat.read(
                root / "exercises" / hw / self.notebook_names[hw], as_version=4
            )
            for hw in self.assignments
        }
        self.notebook_name = self.notebook_names[self.assignment]
        self.released = self.releases[self.assignment]

    def copy(self, root: Path) -> Course:
        """A second course with the same releases and gradebook, and no submission."""
        root.mkdir(parents=True)
        for name in ("nbgrader_config.py", "gradebook.db"):
            shutil.copy(self.root / name, root / name)
        for folder in ("solutions", "exercises"):
            shutil.copytree(self.root / folder, root / folder)
        return Course(root, self.assignments, _copy_of=self)

    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
        env["JUPYTER_PATH"] = str(BIN.parent / "share" / "jupyter")
        for name in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
            env.setdefault(name, "1")
        return env

    def nbgrader(
        self, *args: str, timeout: float = 3600, check: bool = True
    ) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [
                str(BIN / "nbgrader"),
                *args,
                "--log-level=WARN",
                f"--CourseDirectory.db_url={self.db_url}",
            ],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def submit(
        self, student: str, nb: nbformat.NotebookNode, hw: str | None = None
    ) -> Path:
        hw = hw or self.assignment
        path = self.root / "submitted" / student / hw / self.notebook_names[hw]
        path.parent.mkdir(parents=True, exist_ok=True)
        nbformat.write(nb, path)
        return path

    def make(
        self,
        answers: dict[str, str],
        *,
        drop: tuple[str, ...] = (),
        hw: str | None = None,
    ) -> nbformat.NotebookNode:
        """A submission made from this course's released notebook."""
        return make_submission(self.releases[hw or self.assignment], answers, drop=drop)

    def autograde(self, *extra: str, hw: str | None = None) -> None:
        """Stock ``nbgrader autograde`` of every submission (of ``hw``, or all)."""
        pattern = hw or (self.assignment if len(self.assignments) == 1 else "*")
        self.nbgrader("autograde", pattern, *extra)

    def course(self, *args: str, timeout: float = 3600, check: bool = True):
        """Run the ``course`` command in this course."""
        proc = subprocess.run(
            [str(BIN / "course"), "--root", str(self.root), *args],
            cwd=self.root,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and proc.returncode != 0:
            raise AssertionError(
                f"course {' '.join(args)} failed ({proc.returncode}):\n"
                f"{proc.stdout}\n{proc.stderr}"
            )
        return proc

    def scores(
        self, hw: str | None = None
    ) -> dict[str, dict[str, tuple[float | None, bool]]]:
        """Per student, per grade id: (score, needs manual grade), for ``hw``."""
        return self._per_submission(
            hw,
            lambda nb: {
                g.name: (g.score, bool(g.needs_manual_grade)) for g in nb.grades
            },
        )

    def comments(self, hw: str | None = None) -> dict[str, dict[str, str | None]]:
        """Per student, per answer cell: the grader's comment ("No response." or None)."""
        return self._per_submission(
            hw, lambda nb: {c.name: c.auto_comment for c in nb.comments}
        )

    def _per_submission(self, hw: str | None, read: Any) -> dict[str, Any]:
        """``read(submitted notebook)`` for each student with a submission of ``hw``."""
        from nbgrader.api import Gradebook

        hw = hw or self.assignment
        out: dict[str, Any] = {}
        notebook_id = Path(self.notebook_names[hw]).stem
        with Gradebook(self.db_url) as gb:
            for student in gb.students:
                try:
                    nb = gb.find_submission_notebook(notebook_id, hw, student.id)
                except Exception:
                    continue
                out[student.id] = read(nb)
        return out


def answer_namespace(assignment: str, answers: dict[str, str]) -> dict:
    """Run the instructor notebook's code cells, with ``answers`` in place, here.

    Test cells are left out, as ``course grade`` leaves them out; no sandbox,
    no kernel: a fast way for course authors to try the hidden tests on many
    inputs. Never use it on a student's code.
    """
    nb = nbformat.read(source_notebook(assignment), as_version=4)
    namespace: dict = {"__name__": "__main__"}
    for cell in nb.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type != "code" or (meta.get("grade") and not meta.get("solution")):
            continue
        source = answers.get(meta.get("grade_id"), strip_markers(cell.source))
        exec(compile(source, f"<{meta.get('grade_id', 'cell')}>", "exec"), namespace)
    return namespace


def verdicts(
    assignment: str, answers: dict[str, str], seeds: range | list[int]
) -> dict[str, list[tuple[bool, str | None]]]:
    """Per test cell, (passed, hint) of the hidden test for each seed.

    The calls are drawn as ``course grade`` draws them for a submission whose
    seed is ``seed``, made in this process on the functions of
    :func:`answer_namespace`, passed through the plain-data encoding and
    checked.
    """
    from course_tools.grading.spec import (
        inputs_rng,
        load_hidden_tests,
        outcome_from_record,
        outcome_record,
        verdict,
    )

    tests = load_hidden_tests(SOLUTIONS / assignment / "hidden_tests.py")
    namespace = answer_namespace(assignment, answers)
    out: dict[str, list[tuple[bool, str | None]]] = {}
    for gid, test in tests.items():
        results = []
        for seed in seeds:
            calls = test.make_calls(inputs_rng(seed, gid))
            outcomes = [
                outcome_from_record(outcome_record(namespace, copy.deepcopy(c)))
                for c in calls
            ]
            results.append(verdict(test, outcomes, calls))
        out[gid] = results
    return out
