"""One class with every kind of hostile submission, graded as an instructor would.

Honest students sit in the same class as students whose notebooks carry
script for the instructor's browser, lone surrogates, expressions nested too
deep to compile, malformed nbgrader metadata, forged frames on the grader's
channel, links and pipes in their working folder, a cell that disables its
alarm, and errors that try to carry pages of text into feedback. Everyone is
graded, recorded and given feedback; the honest students get exactly what
they would alone; nobody gets more than their honest work; nothing a student
wrote reaches the instructor's browser or terminal live.
"""

from __future__ import annotations

import copy
import json
import sqlite3

import nbformat
import pytest

from ..homework.harness import Course, parts_of, source_notebook

# One xdist worker grades the module's class once for all of its tests.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("sealed")]

HW = "hw01"
PARTS = parts_of(source_notebook(HW))
SOLVED = {**PARTS.answers, **PARTS.manual_answers}
FULL = sum(PARTS.points.values())
XSS = (
    "My answer.\n"
    "<script>window.__pwned = 1</script>\n"
    '<img src=x onerror="window.__pwned = 2">\n'
    "[read more](javascript:window.__pwned=3)\n"
    '<iframe src="http://attacker.invalid/"></iframe>\n'
    "$\\href{javascript:window.__pwned=4}{x}$\n"
)
LIVE = ("<script>window", "<img src=x", 'href="javascript', "<iframe src=")


def _added(nb, source: str, metadata: dict | None = None, *, at: int | None = None):
    cell = nbformat.v4.new_code_cell(source)
    if metadata is not None:
        cell.metadata.update(metadata)
    nb.cells.insert(len(nb.cells) if at is None else at, cell)
    return nb


def _class(course: Course) -> tuple[dict, dict[str, float]]:
    """Submissions (student -> notebook as a JSON-ready dict) and expected scores."""
    solved = course.make(SOLVED)
    subs: dict = {"honest-a": solved, "honest-b": copy.deepcopy(solved)}
    expected = {"honest-a": FULL, "honest-b": FULL}

    subs["xss"] = course.make({**SOLVED, "written_answer": XSS})
    expected["xss"] = FULL

    lone = course.make(
        {
            **SOLVED,
            "propublica_filter": "# a lone surrogate: \ud800\n"
            + SOLVED["propublica_filter"],
            "written_answer": "An answer \udfff with a lone surrogate.",
        }
    )
    subs["surrogate"] = _added(lone, "raise ValueError('\\ud800 in a message')")
    expected["surrogate"] = FULL

    subs["nested"] = _added(
        course.make(SOLVED), "x = " + "(" * 100_000 + "1" + ")" * 100_000
    )
    expected["nested"] = FULL

    bad = _added(course.make(SOLVED), "y = 1", {"nbgrader": "not a dict"})
    subs["bad-metadata"] = _added(bad, "z = 2", {"nbgrader": {"grade_id": ["x"]}})
    expected["bad-metadata"] = FULL

    subs["links"] = _added(
        course.make(SOLVED),
        "import os\n"
        "os.makedirs('out', exist_ok=True)\n"
        "for name in ('out/test_propublica_filter.json', 'log.txt', 'calls.pkl'):\n"
        "    os.symlink('../../../autograded/honest-a/hw01/.course-grade.json', name)\n"
        "os.mkfifo('out/done')\n",
    )
    expected["links"] = FULL

    subs["no-alarm"] = _added(
        course.make(SOLVED),
        "import signal, time\n"
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(100)\n"
        "    except BaseException:\n"
        "        pass\n",
        at=1,
    )
    expected["no-alarm"] = FULL

    leak = SOLVED["chouldechova_fpr"].replace(
        '"""\n',
        '"""\n    raise ValueError("first line\\n" + "SECRET-LEAK " * 5000)\n',
        1,
    )
    subs["leak"] = course.make({**SOLVED, "chouldechova_fpr": leak})
    expected["leak"] = FULL - PARTS.points["chouldechova_fpr"]

    subs["forge"] = _added(
        course.make(SOLVED),
        "import os\n"
        "for fd in range(3, 256):\n"
        "    try:\n"
        "        os.write(fd, (1).to_bytes(4, 'big') + b'Y' + b'\\xff' * 64)\n"
        "    except OSError:\n"
        "        pass\n",
    )
    expected["forge"] = 0.0  # it broke its own channel: nothing after that is graded
    return subs, expected


def _write_raw(course: Course, student: str, nb) -> None:
    """Write the notebook's JSON as a student's file would hold it (\\u escapes too)."""
    path = course.root / "submitted" / student / HW / course.notebook_name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(nb))


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = Course(tmp_path_factory.mktemp("sealed"), HW)
    subs, expected = _class(course)
    for student, nb in subs.items():
        _write_raw(course, student, nb)
    deep = course.make(SOLVED)
    deep.metadata["deep"] = json.loads("[" * 100_000 + "]" * 100_000)[0] if False else 0
    text = json.dumps(deep).replace(
        '"deep": 0', '"deep": ' + "[" * 50_000 + "]" * 50_000
    )
    path = course.root / "submitted" / "deep-json" / HW / course.notebook_name
    path.parent.mkdir(parents=True)
    path.write_text(text)
    first = course.course(
        "grade", HW, "--workers", "2", "--quiet", "--cell-timeout", "5", check=False
    )
    return course, expected, first


def total(grades: dict) -> float:
    tests = [t for ids in PARTS.tests.values() for t in ids]
    return sum(grades[t][0] or 0 for t in tests)


def test_every_student_is_graded_and_the_broken_file_is_one_error(graded):
    course, expected, proc = graded
    assert proc.returncode == 1, proc.stderr
    errors = [line for line in proc.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1 and "deep-json" in errors[0], proc.stderr
    assert "not a valid notebook" in errors[0]
    assert f"graded {len(expected)}," in proc.stdout
    scores = course.scores()
    assert {s: total(scores[s]) for s in expected} == expected


def test_honest_students_are_scored_as_if_alone(graded):
    course, _, _ = graded
    scores = course.scores()
    for student in ("honest-a", "honest-b"):
        assert total(scores[student]) == FULL


def test_a_rerun_continues_and_a_regrade_draws_the_same_inputs(graded):
    course, expected, _ = graded
    again = course.course("grade", HW, "--quiet", check=False)
    assert f"graded 0, unchanged {len(expected)}" in again.stdout
    ledgers = course.root / "autograded"
    seeds = {
        s: json.loads((ledgers / s / HW / ".course-grade.json").read_text())["seed"]
        for s in expected
    }
    assert len(set(seeds.values())) == len(seeds)  # one draw per submission
    course.course("grade", HW, "--student", "honest-a", "--quiet")
    ledger = json.loads((ledgers / "honest-a" / HW / ".course-grade.json").read_text())
    assert ledger["seed"] == seeds["honest-a"]


def test_feedback_is_written_for_everyone_and_carries_one_line_of_an_error(graded):
    course, expected, _ = graded
    proc = course.course("feedback", HW)
    for student in expected:
        assert f"{student}: feedback/{student}/{HW}/hw01.html" in proc.stdout
    page = (course.root / "feedback/leak/hw01/hw01.html").read_text()
    assert "first line" in page and "SECRET-LEAK" not in page
    forged = (course.root / "feedback/forge/hw01/hw01.html").read_text()
    assert "interfered with the grader" in forged
    for student in expected:
        (course.root / "feedback" / student / HW / "hw01.html").read_text().encode()


def test_formgrader_shows_a_students_markup_as_text(graded):
    from nbconvert import HTMLExporter
    from nbgrader.server_extensions.formgrader import handlers

    course, _, _ = graded
    exporter = HTMLExporter(
        template_name="formgrade", extra_template_basedirs=[handlers.template_path]
    )
    resources = {
        "assignment_id": HW,
        "notebook_id": "hw01",
        "submission_id": "x",
        "index": 0,
        "total": 1,
        "base_url": "",
        "student": "xss",
        "last_name": "",
        "first_name": "",
        "notebook_path": "",
    }
    graded_nb = course.root / "autograded" / "xss" / HW / "hw01.ipynb"
    html, _ = exporter.from_filename(str(graded_nb), resources=resources)
    assert "window.__pwned" in html  # the answer is there, as text
    for live in LIVE:
        assert live not in html


def test_scan_and_grades_survive_every_submission(graded):
    course, _, _ = graded
    scan = course.course("scan", HW, check=False)
    assert scan.returncode == 0, scan.stderr
    assert "\x1b" not in scan.stdout and "\ud800" not in scan.stdout
    assert any(line.startswith("forge\t") for line in scan.stdout.splitlines())
    course.course("grades")
    assert (course.root / "grades.csv").read_text().count("\n") == 11


def test_student_code_never_wrote_the_gradebook_or_another_ledger(graded):
    course, _, _ = graded
    with sqlite3.connect(course.root / "gradebook.db") as db:
        (top,) = db.execute("select max(auto_score) from grade").fetchone()
    assert top <= max(PARTS.points.values())
    ledger = json.loads(
        (course.root / "autograded/links/hw01/.course-grade.json").read_text()
    )
    assert ledger["result"]["student"] == "links"


def test_stock_nbgrader_writes_inert_answers_too(tmp_path):
    """Formgrader reads what stock autograde wrote: InertAnswers makes it text."""
    course = Course(tmp_path / "stock", HW)
    course.submit("xss", course.make({**SOLVED, "written_answer": XSS}))
    course.autograde()
    graded_nb = nbformat.read(
        course.root / "autograded" / "xss" / HW / "hw01.ipynb", as_version=4
    )
    markdown = "\n".join(c.source for c in graded_nb.cells if c.cell_type == "markdown")
    assert "window.__pwned" in markdown
    from nbconvert import HTMLExporter

    html, _ = HTMLExporter().from_notebook_node(graded_nb)
    body = html[html.index("<body") :]
    for live in LIVE:
        assert live not in body
    # The written answer still counts as answered: it waits for a human grade.
    assert course.scores()["xss"]["written_answer"][1] is True
