import dataclasses
import datetime as dt
import html
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pandas as pd
import pytest
from nbgrader.api import Gradebook

from course_tools.grading.grade import Course
from course_tools.grading.report import BASE_COLUMNS, export_grades

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SCRIPT_ID = "<script>alert(1)</script>"
PNG = re.compile(r'<img alt="[^"]*" src="data:image/png;base64,[A-Za-z0-9+/=]+">')


@pytest.fixture(scope="module")
def empty_gradebook(tmp_path_factory) -> Path:
    """A gradebook with nbgrader's tables and nothing in them."""
    path = tmp_path_factory.mktemp("template") / "gradebook.db"
    # Creating a gradebook runs the `alembic` executable of the environment.
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
        with Gradebook(f"sqlite:///{path}", course_id="data-ethics"):
            pass
    return path


def _copy(template: Path, folder: Path) -> str:
    path = folder / "gradebook.db"
    shutil.copy(template, path)
    return f"sqlite:///{path}"


def _submit(gb: Gradebook, assignment: str, student: str) -> None:
    # nbgrader's add_submission autoflushes half-built objects: SQLAlchemy 2 warns.
    with gb.db.no_autoflush:
        gb.update_or_create_submission(assignment, student)


def _grade(
    gb, cell, notebook, assignment, student, *, auto=None, manual=None, extra=None
):
    grade = gb.find_grade(cell, notebook, assignment, student)
    grade.auto_score, grade.manual_score, grade.extra_credit = auto, manual, extra
    grade.needs_manual_grade = False


@pytest.fixture
def class_gradebook(empty_gradebook, tmp_path) -> str:
    """Two assignments, four students, every case the table must handle.

    hw01 (max 8): autograded test_a (2) and test_b (3), a written essay (3).
    hw02 (max 2): two notebooks that both have a cell named test_x.
    """
    url = _copy(empty_gradebook, tmp_path)
    with Gradebook(url, course_id="data-ethics") as gb:
        gb.add_assignment("hw01")
        gb.add_notebook("hw01", "hw01")
        gb.add_grade_cell("test_a", "hw01", "hw01", max_score=2, cell_type="code")
        gb.add_grade_cell("test_b", "hw01", "hw01", max_score=3, cell_type="code")
        gb.add_grade_cell("essay", "hw01", "hw01", max_score=3, cell_type="markdown")
        gb.add_solution_cell("essay", "hw01", "hw01")
        gb.add_assignment("hw02")
        for nb in ("part1", "part2"):
            gb.add_notebook(nb, "hw02")
            gb.add_grade_cell("test_x", nb, "hw02", max_score=1, cell_type="code")
        for student in ("ada", "bo", SCRIPT_ID, "cy"):
            gb.add_student(student)
        for student in ("ada", "bo", SCRIPT_ID):
            _submit(gb, "hw01", student)
        _grade(gb, "test_a", "hw01", "hw01", "ada", auto=2.0)
        _grade(gb, "test_b", "hw01", "hw01", "ada", auto=3.0)
        _grade(gb, "essay", "hw01", "hw01", "ada", manual=2.0)
        _grade(gb, "test_a", "hw01", "hw01", "bo", auto=2.0)
        _grade(gb, "test_b", "hw01", "hw01", "bo", auto=0.0)
        # bo's essay is still waiting for a grader.
        _grade(gb, "test_a", "hw01", "hw01", SCRIPT_ID, auto=0.0)
        _grade(gb, "test_b", "hw01", "hw01", SCRIPT_ID, auto=1.0)
        _grade(gb, "essay", "hw01", "hw01", SCRIPT_ID, auto=None, manual=3.0, extra=1.0)
        _submit(gb, "hw02", "ada")
        _grade(gb, "test_x", "part1", "hw02", "ada", auto=1.0)
        _grade(gb, "test_x", "part2", "hw02", "ada", auto=0.0)
        gb.db.commit()
    return url


def _sections(page: str) -> dict[str, str]:
    return {
        re.search(r"<h2>(.*?)</h2>", part).group(1): part
        for part in page.split("<section>")[1:]
    }


# --- the table -------------------------------------------------------------------


def test_table_has_one_row_per_student_and_assignment(class_gradebook, tmp_path):
    csv, report = tmp_path / "grades.csv", tmp_path / "report.html"
    table = export_grades(class_gradebook, csv_path=csv, html_path=report)
    assert list(table.columns) == [
        "student_id",
        "first_name",
        "last_name",
        "email",
        "lms_user_id",
        "assignment",
        "submitted",
        "timestamp",
        "late",
        "test_a",
        "test_b",
        "essay",
        "part1/test_x",
        "part2/test_x",
        "total_score",
        "late_penalty",
        "score",
        "max_score",
        "needs_manual_grade",
    ]
    text = ["first_name", "last_name", "email", "lms_user_id", "timestamp"]
    from_csv = pd.read_csv(
        csv, keep_default_na=False, na_values=[""], dtype=dict.fromkeys(text, str)
    )
    from_csv[text] = from_csv[text].fillna("")
    pd.testing.assert_frame_equal(from_csv, table, check_dtype=False)
    expected = pd.DataFrame(
        {
            "student_id": [SCRIPT_ID, "ada", "bo", "cy"] * 2,
            "assignment": ["hw01"] * 4 + ["hw02"] * 4,
            "submitted": [True, True, True, False, False, True, False, False],
            "test_a": [0.0, 2.0, 2.0, 0.0] + [np.nan] * 4,
            "test_b": [1.0, 3.0, 0.0, 0.0] + [np.nan] * 4,
            # manual score plus extra credit; a missing grade counts 0
            "essay": [4.0, 2.0, 0.0, 0.0] + [np.nan] * 4,
            "part1/test_x": [np.nan] * 4 + [0.0, 1.0, 0.0, 0.0],
            "part2/test_x": [np.nan] * 4 + [0.0, 0.0, 0.0, 0.0],
            "total_score": [5.0, 7.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            "late_penalty": [0.0] * 8,
            "score": [5.0, 7.0, 2.0, 0.0, 0.0, 1.0, 0.0, 0.0],
            "max_score": [8.0] * 4 + [2.0] * 4,
            "needs_manual_grade": [False, False, True, False] + [False] * 4,
        }
    )
    kept = [c for c in table.columns if c in expected.columns]
    pd.testing.assert_frame_equal(
        table[kept].astype({"student_id": object, "assignment": object}),
        expected.astype({"student_id": object, "assignment": object}),
    )
    assert not table["late"].any()
    assert (
        (table[["first_name", "last_name", "email", "lms_user_id"]] == "").all().all()
    )
    assert table["submitted"].dtype == bool
    assert table["needs_manual_grade"].dtype == bool


def test_one_assignment_and_a_plain_path(class_gradebook, tmp_path):
    path = class_gradebook.removeprefix("sqlite:///")
    table = export_grades(path, assignment="hw02", csv_path=None, html_path=None)
    assert list(table.columns) == [
        *BASE_COLUMNS[:9],
        "part1/test_x",
        "part2/test_x",
        *BASE_COLUMNS[9:],
    ]
    assert table["assignment"].unique().tolist() == ["hw02"]
    assert table.loc[table["student_id"] == "ada", "total_score"].tolist() == [1.0]
    assert list(tmp_path.glob("*.csv")) == [] and list(tmp_path.glob("*.html")) == []


# --- the HTML report -------------------------------------------------------------


def test_report_numbers_plots_and_escaping(class_gradebook, tmp_path):
    report = tmp_path / "report.html"
    export_grades(class_gradebook, csv_path=tmp_path / "g.csv", html_path=report)
    page = report.read_text(encoding="utf-8")
    # Self-contained, no script: the student id <script> is escaped.
    assert "<script" not in page.lower()
    assert html.escape(SCRIPT_ID) in page
    assert "src=" not in PNG.sub("", page) and "<link" not in page
    sections = _sections(page)
    assert list(sections) == ["hw01", "hw02"]
    hw01 = sections["hw01"]
    assert len(PNG.findall(hw01)) == 3
    for title in ("total scores", "pass rate per autograded part", "mean score"):
        assert f'alt="hw01: {title}' in hw01
    # students, submitted, missing, mean, median, max, needing manual grading
    assert (
        "<tr><td>4</td><td>3</td><td>1</td><td>4.67</td><td>5.00</td><td>8</td>"
        "<td>1</td></tr>" in hw01
    )
    # part, max, autograded, pass rate, mean fraction, graded answers
    assert "<tr><td>test_a</td><td>2</td><td>yes</td><td>67%</td><td>67%</td>" in hw01
    assert "<tr><td>test_b</td><td>3</td><td>yes</td><td>33%</td><td>44%</td>" in hw01
    # The essay is graded by hand; bo's ungraded one is left out of its mean.
    assert "<tr><td>essay</td><td>3</td><td>no</td><td>–</td><td>100%</td>" in hw01
    assert "<tr><td>cy</td><td>no</td><td>0</td><td>8</td><td></td></tr>" in hw01
    assert "<tr><td>bo</td><td>yes</td><td>2</td><td>8</td><td>yes</td></tr>" in hw01
    hw02 = sections["hw02"]
    assert len(PNG.findall(hw02)) == 3
    assert "<td>part1/test_x</td><td>1</td><td>yes</td><td>100%</td>" in hw02


def test_assignment_without_submissions(empty_gradebook, tmp_path):
    url = _copy(empty_gradebook, tmp_path)
    with Gradebook(url, course_id="data-ethics") as gb:
        gb.add_assignment("hw03")
        gb.add_notebook("hw03", "hw03")
        gb.add_grade_cell("test_a", "hw03", "hw03", max_score=1, cell_type="code")
        gb.add_student("ada")
    report = tmp_path / "r.html"
    table = export_grades(url, csv_path=tmp_path / "g.csv", html_path=report)
    assert table[["submitted", "test_a", "total_score"]].values.tolist() == [
        [False, 0.0, 0.0]
    ]
    page = report.read_text(encoding="utf-8")
    assert "No submissions for this assignment yet." in page
    assert PNG.search(page) is None


# --- empty and wrong gradebooks --------------------------------------------------


@pytest.mark.parametrize("kind", ["nbgrader tables", "zero-byte file"])
def test_empty_gradebook(empty_gradebook, tmp_path, caplog, kind):
    if kind == "nbgrader tables":
        url = _copy(empty_gradebook, tmp_path)
    else:
        (tmp_path / "gradebook.db").touch()
        url = f"sqlite:///{tmp_path / 'gradebook.db'}"
    csv, report = tmp_path / "grades.csv", tmp_path / "report.html"
    with caplog.at_level(logging.WARNING, logger="course_tools.grading.report"):
        table = export_grades(url, csv_path=csv, html_path=report)
    assert table.empty
    assert tuple(table.columns) == BASE_COLUMNS
    assert csv.read_text().strip() == ",".join(BASE_COLUMNS)
    message = "holds no assignment of course 'data-ethics' yet"
    assert html.escape(message) in report.read_text()
    assert "holds no assignment" in caplog.text


def test_bad_gradebooks(empty_gradebook, tmp_path):
    with pytest.raises(FileNotFoundError, match="existing nbgrader gradebook"):
        export_grades(tmp_path / "missing.db", csv_path=None, html_path=None)
    assert not (tmp_path / "missing.db").exists()
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    conn.close()
    with pytest.raises(ValueError, match="must point to an nbgrader gradebook"):
        export_grades(other, csv_path=None, html_path=None)
    url = _copy(empty_gradebook, tmp_path)
    with pytest.raises(ValueError, match=r"course_id must be a course.*'ds-101'"):
        export_grades(url, course_id="ds-101", csv_path=None, html_path=None)
    with pytest.raises(ValueError, match=r"assignment must be one of.*'hw09'"):
        export_grades(url, assignment="hw09", csv_path=None, html_path=None)
    assert list(tmp_path.glob("*.csv")) == []


# --- a real nbgrader course ------------------------------------------------------


@pytest.fixture(scope="module")
def real_course(tmp_path_factory) -> Path:
    """Homework 1 released by `nbgrader generate_assignment` in a fresh course."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
    shutil.copytree(ROOT / "solutions" / "hw01", course / "solutions" / "hw01")
    env = dict(os.environ)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(
        [str(BIN / "nbgrader"), "generate_assignment", "hw01", "--log-level=WARN"],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return course


@pytest.mark.slow
def test_real_homework_gradebook(real_course, tmp_path):
    url = _copy(real_course / "gradebook.db", tmp_path)
    with Gradebook(url, course_id="data-ethics") as gb:
        (nb,) = gb.find_assignment("hw01").notebooks
        answers = {c.name for c in nb.solution_cells}
        cells = {c.name: (c.max_score, c.cell_type) for c in nb.grade_cells}
        tests = [
            n for n, (_, kind) in cells.items() if kind == "code" and n not in answers
        ]
        written = [n for n in cells if n not in tests]
        assert tests and written
        for student in ("ada", "bo", SCRIPT_ID, "cy"):
            gb.add_student(student)
        for student in ("ada", "bo", SCRIPT_ID):
            _submit(gb, "hw01", student)
        for name in tests:
            full = cells[name][0]
            _grade(gb, name, nb.name, "hw01", "ada", auto=full)
            _grade(gb, name, nb.name, "hw01", "bo", auto=0.0)
        # <script> passes the first test only.
        _grade(gb, tests[0], nb.name, "hw01", SCRIPT_ID, auto=cells[tests[0]][0])
        for name in tests[1:]:
            _grade(gb, name, nb.name, "hw01", SCRIPT_ID, auto=0.0)
        for name in written:
            _grade(gb, name, nb.name, "hw01", "ada", manual=cells[name][0])
        gb.db.commit()
        max_score = gb.find_assignment("hw01").max_score

    csv, report = tmp_path / "grades.csv", tmp_path / "report.html"
    export_grades(url, csv_path=csv, html_path=report)
    table = pd.read_csv(csv, keep_default_na=False, na_values=[""]).set_index(
        "student_id"
    )
    assert list(table.columns) == [*BASE_COLUMNS[1:9], *cells, *BASE_COLUMNS[9:]]
    assert table["max_score"].tolist() == [max_score] * 4
    assert table.loc["ada", "total_score"] == max_score
    assert table.loc[SCRIPT_ID, "total_score"] == cells[tests[0]][0]
    assert table.loc["bo", "total_score"] == 0.0
    assert table.loc["cy", list(cells)].tolist() == [0.0] * len(cells)
    assert table["submitted"].tolist() == [True, True, True, False]  # <script> first
    # Written answers of bo and <script> still wait for a grader.
    assert table["needs_manual_grade"].tolist() == [True, False, True, False]
    page = report.read_text(encoding="utf-8")
    assert len(PNG.findall(page)) == 3
    assert "<script" not in page.lower() and html.escape(SCRIPT_ID) in page
    # Pass rates: ada passes everything, <script> the first test, bo nothing.
    assert (
        f"<tr><td>{tests[0]}</td><td>{cells[tests[0]][0]:g}</td><td>yes</td><td>67%"
        in page
    )
    for name in tests[1:]:
        assert (
            f"<tr><td>{name}</td><td>{cells[name][0]:g}</td><td>yes</td><td>33%" in page
        )


# --- who needs help: the sections that read the course directory ------------------

HINT = "<script>alert('hint')</script> check the sign of the rate"
RUBRIC = "Full marks: names <b>both</b> sides & the trade-off\n- 1 point: calibration"
METADATA_NOTE = (
    "This notebook had lost its grading metadata (copied to a new notebook?): "
    "the answers to f were found by the names they define and by their place."
)


def _ledger(course: Path, student: str, parts, **result) -> Path:
    folder = course / "autograded" / student / "hw01"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ".course-grade.json"
    ledger = {
        "result": {
            "student": student,
            "parts": [
                {"grade_id": gid, "passed": ok, "points": 0.0, "max_points": 1.0}
                | ({"hint": hint} if hint else {})
                for gid, ok, hint in parts
            ],
            "error": result.get("error"),
            "cell_errors": result.get("cell_errors", {}),
            "notes": result.get("notes", []),
        }
    }
    path.write_text(json.dumps(ledger), encoding="utf-8")
    return path


@pytest.fixture
def course_dir(class_gradebook, tmp_path) -> Path:
    """A course around ``class_gradebook``: config, source notebook and ledgers.

    hw01 is long past due (ada submitted 2 days 2 hours late); hw02 is due in
    the far future. dee, eve and fay also submit hw01; the essays of bo, dee
    and eve wait for a grader.
    """
    (tmp_path / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        'c.CourseDirectory.course_id = "data-ethics"\n'
        'c.CourseDirectory.source_directory = "solutions"\n'
        'c.Term.due_dates = {"hw01": "2020-01-10 23:59", "hw02": "2999-01-01 00:00"}\n'
        'c.Term.late_policy = "10% per day"\n',
        encoding="utf-8",
    )
    source = nbformat.v4.new_notebook()
    essay = nbformat.v4.new_markdown_cell(
        f"Write your answer here.\n### BEGIN SOLUTION\n{RUBRIC}\n### END SOLUTION"
    )
    essay.metadata["nbgrader"] = {
        "grade": True,
        "solution": True,
        "grade_id": "essay",
        "points": 3,
    }
    source.cells.append(essay)
    (tmp_path / "solutions" / "hw01").mkdir(parents=True)
    nbformat.write(source, tmp_path / "solutions" / "hw01" / "hw01.ipynb")

    with Gradebook(class_gradebook, course_id="data-ethics") as gb:
        gb.update_or_create_student("bo", first_name="Bo", last_name="<i>Li</i>")
        for student, a, b in [("dee", 0.0, 0.0), ("eve", 2.0, 0.0), ("fay", 2.0, 3.0)]:
            gb.add_student(student)
            _submit(gb, "hw01", student)
            _grade(gb, "test_a", "hw01", "hw01", student, auto=a)
            _grade(gb, "test_b", "hw01", "hw01", student, auto=b)
        _grade(gb, "essay", "hw01", "hw01", "fay", manual=3.0)
        gb.find_submission("hw01", "ada").timestamp = dt.datetime(2020, 1, 13, 1, 59)
        gb.find_submission("hw01", "dee").timestamp = dt.datetime(2020, 1, 10, 12, 0)
        gb.db.commit()

    _ledger(tmp_path, "ada", [("test_a", True, None), ("test_b", True, None)],
            notes=[METADATA_NOTE])  # fmt: skip
    _ledger(tmp_path, "bo", [("test_a", True, None), ("test_b", False, HINT)])
    _ledger(
        tmp_path,
        "dee",
        [("test_a", False, None), ("test_b", False, HINT)],
        error="The notebook ran out of time (60 s)",
        cell_errors={"cell-7": "NameError: name 'x' is not defined"},
    )
    _ledger(tmp_path, "eve", [("test_a", True, None), ("test_b", False, None)])
    # fay's ledger is a link to a file elsewhere: never followed.
    elsewhere = _ledger(tmp_path / "elsewhere", "fay", [("test_a", False, "linked")])
    (tmp_path / "autograded" / "fay" / "hw01").mkdir(parents=True)
    (tmp_path / "autograded" / "fay" / "hw01" / ".course-grade.json").symlink_to(
        elsewhere
    )
    # cy's hw02 is collected but not autograded yet.
    (tmp_path / "submitted" / "cy" / "hw02").mkdir(parents=True)
    return tmp_path


def _course_report(course_dir: Path, **changes) -> tuple[str, dict[str, str]]:
    course = Course.load(course_dir)
    if changes:
        course = dataclasses.replace(course, **changes)
    report = course_dir / "report.html"
    export_grades(
        course.db_url,
        course_id=course.course_id,
        csv_path=None,
        html_path=report,
        course=course,
    )
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page.lower()
    assert "src=" not in PNG.sub("", page) and "<link" not in page
    return page, _sections(page)


def _block(section: str, title: str) -> str:
    """The part of a section from its ``<h3>title`` to the next ``<h3>``."""
    return section.split(f"<h3>{title}</h3>", 1)[1].split("<h3>", 1)[0]


def test_student_by_part(course_dir):
    _, sections = _course_report(course_dir)
    block = _block(sections["hw01"], "Student by part")
    assert (
        "<th>student</th><th>name</th><th>test_a (2)</th><th>test_b (3)</th>"
        "<th>essay (3)</th><th>late</th><th>penalty</th><th>score</th>" in block
    )
    # ada: 2 days 2 hours late under 10% per day: 30% of 7 points.
    assert (
        "<tr><td>ada</td><td></td><td>2</td><td>3</td><td>2</td><td>late</td>"
        "<td>2.1</td><td>4.9 / 8</td></tr>" in block
    )
    assert (
        "<tr><td>bo</td><td>Bo &lt;i&gt;Li&lt;/i&gt;</td><td>2</td><td>0</td>"
        "<td>to grade</td><td></td><td></td><td>2 / 8</td></tr>" in block
    )
    assert (
        f"<tr><td>{html.escape(SCRIPT_ID)}</td><td></td><td>0</td><td>1</td>"
        "<td>4</td><td></td><td></td><td>5 / 8</td></tr>" in block
    )
    assert (
        "<tr><td>cy</td><td></td><td>–</td><td>–</td><td>–</td><td></td><td></td>"
        "<td>–</td></tr>" in block
    )
    hw02 = _block(sections["hw02"], "Student by part")
    assert "<th>part1/test_x (1)</th><th>part2/test_x (1)</th>" in hw02


def test_why_parts_failed(course_dir):
    page, sections = _course_report(course_dir)
    block = _block(sections["hw01"], "Why parts failed")
    assert "From the ledgers of 4 of 6 submissions" in block
    # <script> (no folder can have that name) and fay (a link) have no ledger.
    assert "No readable ledger (not graded by <code>course grade</code>, or " in block
    assert f"{html.escape(SCRIPT_ID)}, fay.</p>" in block
    assert "linked" not in page
    hint = html.escape(HINT)
    rows = re.findall(r"<tr><td>(test_[ab][^<]*)</td><td>([^<]*)</td>"
                      r"<td>(\d+)</td><td>([^<]*)</td></tr>", block)  # fmt: skip
    # Per part in the notebook's order, most common reason first.
    assert rows == [
        ("test_a (failed 1 of 4)", "wrong result", "1", "dee"),
        ("test_b (failed 3 of 4)", hint, "2", "bo, dee"),
        ("test_b (failed 3 of 4)", "wrong result", "1", "eve"),
    ]
    assert "Errors and notes on whole submissions" in block
    assert (
        "<tr><td>submission error</td><td>The notebook ran out of time (60 s)</td>"
        "<td>1</td><td>dee</td></tr>" in block
    )
    assert (
        "<tr><td>cell error</td><td>cell cell-7: NameError: name &#x27;x&#x27; is "
        "not defined</td><td>1</td><td>dee</td></tr>" in block
    )
    assert f"<tr><td>note</td><td>{html.escape(METADATA_NOTE)}</td><td>1</td>" in block
    # hw02 has no ledger at all.
    assert "From the ledgers of 0 of 1 submissions" in sections["hw02"]


def test_long_lists_of_students_are_cut(course_dir):
    for i in range(20):
        _ledger(course_dir, f"s{i:02d}", [("test_b", False, HINT)])
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        for i in range(20):
            gb.add_student(f"s{i:02d}")
            _submit(gb, "hw01", f"s{i:02d}")
        gb.db.commit()
    _, sections = _course_report(course_dir)
    block = _block(sections["hw01"], "Why parts failed")
    assert (
        f"<td>{html.escape(HINT)}</td><td>22</td><td>bo, dee, s00, s01, s02, s03, "
        "s04, s05, s06, s07, s08, s09 … and 10 more</td>" in block
    )


def test_not_collected(course_dir):
    _, sections = _course_report(course_dir)
    hw01 = _block(sections["hw01"], "Not collected")
    assert "Due 2020-01-10 23:59 UTC; passed" in hw01
    assert "score a roster student who submitted nothing 0" in hw01
    assert "1 of 7 students of the gradebook" in hw01
    assert "<tr><td>cy</td><td></td><td></td><td>no submission</td></tr>" in hw01
    hw02 = _block(sections["hw02"], "Not collected")
    assert "Due 2999-01-01 00:00 UTC; not yet passed" in hw02
    assert "blank (“no grade yet”)" in hw02
    assert "6 of 7 students" in hw02
    assert (
        "<tr><td>cy</td><td></td><td></td><td>collected, not graded yet "
        "(run course grade)</td></tr>" in hw02
    )
    assert "<tr><td>bo</td><td>Bo &lt;i&gt;Li&lt;/i&gt;</td><td></td><td>no " in hw02
    assert f"<tr><td>{html.escape(SCRIPT_ID)}</td>" in hw02


def test_late(course_dir):
    _, sections = _course_report(course_dir)
    block = _block(sections["hw01"], "Late")
    assert "late policy: 10% per day or part of one." in block
    assert (
        "<tr><td>ada</td><td></td><td>2020-01-13T01:59:00+00:00</td>"
        "<td>late by 2 days 2 hours</td><td>7</td><td>2.1</td><td>4.9</td></tr>"
        in block
    )
    # dee submitted before the due date; the others have no time and no LMS flag.
    assert block.count("<tr><td>") == 1
    assert "No submission is late." in _block(sections["hw02"], "Late")


def test_needs_hand_grading(course_dir):
    _, sections = _course_report(course_dir)
    block = _block(sections["hw01"], "Needs hand grading")
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        ids = {
            s: gb.find_submission_notebook("hw01", "hw01", s).id
            for s in ("bo", "dee", "eve")
        }
    base = "http://localhost:8888/formgrader"
    assert f'<a href="{base}/gradebook/hw01/hw01/">manual grading' in block
    assert "<h4>essay (3 points): 3 of 6 submissions waiting</h4>" in block
    links = re.findall(r'<li><a href="([^"]*)">([^<]*)</a></li>', block)
    assert links == [
        (f"{base}/submissions/{ids['bo']}/", "bo (Bo &lt;i&gt;Li&lt;/i&gt;)"),
        (f"{base}/submissions/{ids['dee']}/", "dee"),
        (f"{base}/submissions/{ids['eve']}/", "eve"),
    ]
    rubric = re.search(r'<pre class="rubric">(.*?)</pre>', block, re.S).group(1)
    assert rubric == html.escape(RUBRIC)
    assert "Write your answer here" not in block
    assert "Instructor only" in block
    # hw02 has only autograded parts.
    assert "No part of this assignment is graded by hand." in sections["hw02"]


def test_hand_grading_without_source_or_safe_url(course_dir):
    (course_dir / "solutions" / "hw01" / "hw01.ipynb").unlink()
    page, sections = _course_report(course_dir, formgrader_url="javascript:alert(1)")
    block = _block(sections["hw01"], "Needs hand grading")
    assert (
        "No rubric: the source notebook solutions/hw01/hw01.ipynb is missing." in block
    )
    assert "<a " not in page and "href" not in page
    assert "must be an http(s) URL; got javascript:alert(1).</p>" in block
    assert re.findall(r"<li>([^<]*)</li>", block) == [
        "bo (Bo &lt;i&gt;Li&lt;/i&gt;)",
        "dee",
        "eve",
    ]


def test_help_sections_without_course(class_gradebook, tmp_path):
    report = tmp_path / "report.html"
    export_grades(class_gradebook, csv_path=None, html_path=report)
    page = report.read_text(encoding="utf-8")
    assert "<script" not in page.lower() and "<a " not in page
    hw01 = _sections(page)["hw01"]
    for title in (
        "Student by part",
        "Why parts failed",
        "Not collected",
        "Late",
        "Needs hand grading",
    ):
        assert f"<h3>{title}</h3>" in hw01
    assert "run <code>course grades</code> there to see them" in hw01
    assert "the due date is unknown" in hw01
    assert "<tr><td>cy</td><td></td><td></td><td>no submission</td></tr>" in hw01
    assert "nothing counts as late" in hw01
    assert "no formgrader links and no rubrics" in hw01
    assert "<li>bo</li>" in hw01


def test_autograded_part_flagged_for_a_grader(course_dir):
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        gb.find_grade("test_a", "hw01", "hw01", "eve").needs_manual_grade = True
        sid = gb.find_submission_notebook("hw01", "hw01", "eve").id
        gb.db.commit()
    _, sections = _course_report(course_dir)
    by_part = _block(sections["hw01"], "Student by part")
    assert "<tr><td>eve</td><td></td><td>2 (to check)</td><td>0</td>" in by_part
    block = _block(sections["hw01"], "Needs hand grading")
    flagged = block.split(
        "<h4>test_a (2 points; autograded, flagged for a grader): "
        "1 of 6 submissions waiting</h4>"
    )[1].split("<h4>")[0]
    assert f'<li><a href="http://localhost:8888/formgrader/submissions/{sid}/">' in (
        flagged
    )
    assert "rubric" not in flagged
    assert block.count('<pre class="rubric">') == 1
