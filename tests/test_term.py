"""A term from the LMS and back, as an instructor runs it with the ``course`` command.

Two classes, one exported from Canvas and one from Moodle, each with what real
classes hold: accented and non-Latin names, two students with one name, a
notebook pasted into a fresh one (no grading metadata), answers moved around,
a late resubmission, a student who handed nothing in, Canvas's test student,
Moodle's participant numbers drawn anew for the second homework, and a
gradebook restored from a backup. Every grade that goes back to the LMS is
checked against what each student wrote.
"""

from __future__ import annotations

import csv
import io
import shutil
import zipfile
from pathlib import Path

import nbformat
import pytest

from .homework.harness import Course, parts_of, source_notebook

HW1, HW2 = "hw01", "hw02"
P1, P2 = parts_of(source_notebook(HW1)), parts_of(source_notebook(HW2))
AUTO1, AUTO2 = sum(P1.points.values()), sum(P2.points.values())
WRONG = "def propublica_filter(df):\n    return df\n"

TERM = """
c.Term.due_dates = {"hw01": "2026-09-14 23:59", "hw02": "2026-09-21 23:59"}
c.Term.timezone = "America/New_York"
c.Term.late_policy = "10% per day, at most 50%"
c.Term.lms_columns = {"canvas": {"hw01": "HW 1: Fairness audit (48213)"}}
"""

CANVAS_ROSTER = """\ufeffStudent,ID,SIS User ID,SIS Login ID,Section,HW 1: Fairness audit (48213),Current Score
    Points Possible,,,,,12.00,(read only)
"Smith, Jane",201,,jsmith,S1,,
"Ångström, Zoë",202,,zangstrom,S1,,
"Lee, Ann",203,,alee,S2,,
"Lee, Ann",204,,alee2,S2,,
"李, 雷",205,,lilei,S2,,
"Núñez, José",206,,jnunez,S1,,
"Okafor, Chidi",207,,cokafor,S1,,
"Student, Test",299,,,S1,,
"""

MOODLE_ROSTER = """First name,Last name,Email address,Groups
Jane,Smith,jane@x.edu,A
Zoë,Ångström,zoe@x.edu,A
Ann,Lee,ann@x.edu,B
Ann,Lee,ann2@x.edu,B
Chidi,Okafor,chidi@x.edu,B
"""


def _notebook(nb: nbformat.NotebookNode) -> bytes:
    return nbformat.writes(nb).encode()


def pasted(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The work copied into a fresh notebook: no nbgrader metadata, new ids."""
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
    for i, cell in enumerate(nb.cells):
        cell.metadata = {}
        cell.id = f"fresh-{i}"
    return nb


def reordered(
    nb: nbformat.NotebookNode, first: str, second: str
) -> nbformat.NotebookNode:
    """The answer cells of two parts swapped."""
    nb = nbformat.from_dict(nbformat.reads(nbformat.writes(nb), as_version=4))
    where = {
        c.metadata.get("nbgrader", {}).get("grade_id"): i
        for i, c in enumerate(nb.cells)
    }
    i, j = where[first], where[second]
    nb.cells[i], nb.cells[j] = nb.cells[j], nb.cells[i]
    return nb


def _csv(path: Path) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


@pytest.fixture(scope="module")
def released(tmp_path_factory) -> Course:
    course = Course(tmp_path_factory.mktemp("term"), [HW1, HW2])
    with open(course.root / "nbgrader_config.py", "a") as handle:
        handle.write(TERM)
    return course


@pytest.mark.slow
def test_a_canvas_term_round_trips(released, tmp_path):
    course = released.copy(tmp_path / "canvas")
    (course.root / "export.csv").write_text(CANVAS_ROSTER, encoding="utf-8")
    said = course.course("roster", "export.csv").stdout
    assert "7 students: 7 added" in said and "Test Student" in said

    right = course.make(P1.answers)
    names = list(P1.answers)
    submissions = {
        "smithjane_201_7001_hw01.ipynb": right,
        "ångströmzoë_LATE_202_7002_hw01.ipynb": course.released,
        "ångströmzoë_LATE_202_7003_hw01-1.ipynb": right,
        "leeann_203_7004_hw01.ipynb": pasted(right),
        "leeann_204_7005_Homework1 (final).ipynb": reordered(right, names[0], names[2]),
        "李雷_205_7006_hw01.ipynb": course.make(
            {**P1.answers, "propublica_filter": WRONG}
        ),
        "núñezjosé_206_7007_hw01.ipynb": course.released,
        "teststudent_299_7008_hw01.ipynb": right,
    }
    archive = _zip(
        course.root / "DE-hw01 submissions.zip",
        {name: _notebook(nb) for name, nb in submissions.items()},
    )
    proc = course.course("collect", str(archive), HW1, check=False)
    assert proc.returncode == 1  # the test student is not on the roster
    assert "Canvas user 299" in proc.stdout and "not on the roster" in proc.stdout
    assert "6 collected" in proc.stdout

    db = course.root / "gradebook.db"
    backup = tmp_path / "backup.db"
    shutil.copy(db, backup)
    graded = course.course("grade", HW1, "--quiet").stdout
    assert "graded 6" in graded and "lost their grading metadata" in graded
    shutil.copy(backup, db)  # restored from last night's backup: graded again
    assert "graded 6, unchanged 0" in course.course("grade", HW1, "--quiet").stdout

    course.course("feedback", HW1)
    course.course("grades", "--format", "canvas", "--format", "nbgrader")
    rows = _csv(course.root / "grades-canvas.csv")
    assert list(rows[0])[:6] == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "HW 1: Fairness audit (48213)",
    ]
    got = {r["ID"]: r["HW 1: Fairness audit (48213)"] for r in rows[1:]}
    wrong = AUTO1 - P1.points["propublica_filter"]
    assert got == {
        "201": f"{AUTO1:g}",
        "202": f"{AUTO1 * 0.9:g}",  # late (Canvas's flag): one day, 10%
        "203": f"{AUTO1:g}",  # pasted into a fresh notebook
        "204": f"{AUTO1:g}",  # answers moved, file renamed
        "205": f"{wrong:g}",
        "206": "0",
        "207": "0",  # handed in nothing; the due date has passed
    }
    names_back = {r["ID"]: r["Student"] for r in rows[1:]}
    assert names_back["202"] == "Ångström, Zoë" and names_back["205"] == "李, 雷"
    stock = {
        (r["student_id"], r["assignment"]): r
        for r in _csv(course.root / "grades-nbgrader.csv")
    }
    assert len(stock) == 7 * 2  # nbgrader's export: every student and homework
    late = stock["zangstrom", HW1]
    assert float(late["late_submission_penalty"]) == pytest.approx(AUTO1 * 0.1)
    assert float(late["score"]) == pytest.approx(AUTO1 * 0.9)
    assert stock["cokafor", HW1]["timestamp"] == ""
    assert stock["cokafor", HW1]["duedate"].startswith("2026-09-15T03:59")

    # Feedback: one zip Canvas's re-upload matches to each submission's file.
    listed = zipfile.ZipFile(
        course.root / "feedback" / "hw01-canvas-feedback.zip"
    ).namelist()
    ids = sorted([t for t in n.split("_") if t.isdigit()][:2] for n in listed)
    assert ids == [[str(201 + i), str(7001 + i + (i > 0))] for i in range(6)]
    page = (course.root / "feedback" / "alee" / HW1 / "hw01.html").read_text()
    assert "lost its grading metadata" in page


@pytest.mark.slow
def test_a_moodle_term_maps_new_numbers_to_the_same_students(released, tmp_path):
    course = released.copy(tmp_path / "moodle")
    (course.root / "participants.csv").write_text(MOODLE_ROSTER, encoding="utf-8")
    course.course("roster", "participants.csv")
    plan = {
        HW1: {
            "3101": "Jane Smith",
            "3102": "Zoë Ångström",
            "3103": "Ann Lee",
            "3104": "Ann Lee",
        },
        HW2: {"8810": "Ann Lee", "8802": "Jane Smith", "8857": "Ann Lee"},
    }
    emails = {
        HW1: {
            "3101": "jane@x.edu",
            "3102": "zoe@x.edu",
            "3103": "ann@x.edu",
            "3104": "ann2@x.edu",
        },
        HW2: {"8810": "ann2@x.edu", "8802": "jane@x.edu", "8857": "ann@x.edu"},
    }
    times = {"3102": "Wednesday, 16 September 2026, 9:15 AM"}
    answers = {HW1: P1.answers, HW2: P2.answers}
    for hw, people in plan.items():
        nb = _notebook(course.make(answers[hw], hw=hw))
        archive = _zip(
            course.root / f"DE-{hw}-1.zip",
            {
                f"{name}_{n}_assignsubmission_file_/{hw}.ipynb": nb
                for n, name in people.items()
            },
        )
        sheet = course.root / f"Grades-DE-{hw}.csv"
        with open(sheet, "w", newline="", encoding="utf-8") as handle:
            out = csv.writer(handle)
            out.writerow(
                [
                    "Identifier",
                    "Full name",
                    "Email address",
                    "Status",
                    "Grade",
                    "Last modified (submission)",
                    "Last modified (grade)",
                ]
            )
            for n, name in people.items():
                when = times.get(n, "Monday, 14 September 2026, 10:00 PM")
                out.writerow(
                    [
                        f"Participant {n}",
                        name,
                        emails[hw][n],
                        "Submitted",
                        "",
                        when,
                        "-",
                    ]
                )
        said = course.course(
            "collect", str(archive), hw, "--worksheet", str(sheet)
        ).stdout
        assert f"{len(people)} collected" in said
    course.course("grade", HW1, HW2, "--quiet")
    course.course("feedback", HW1, HW2)
    course.course("grades", "--format", "moodle")
    rows = {r["Email address"]: r for r in _csv(course.root / "grades-moodle.csv")}
    h1, h2 = "Assignment: hw01 (Real)", "Assignment: hw02 (Real)"
    assert {e: (r[h1], r[h2]) for e, r in rows.items()} == {
        "jane@x.edu": (f"{AUTO1:g}", f"{AUTO2:g}"),
        "zoe@x.edu": (f"{AUTO1 * 0.8:g}", "0"),  # 1 day 9 hours late; no hw02
        "ann@x.edu": (f"{AUTO1:g}", f"{AUTO2:g}"),
        "ann2@x.edu": (f"{AUTO1:g}", f"{AUTO2:g}"),
        "chidi@x.edu": ("0", "0"),
    }
    for hw, numbers in ((HW1, "3101 3102 3103 3104"), (HW2, "8802 8810 8857")):
        zipped = zipfile.ZipFile(course.root / "feedback" / f"{hw}-moodle-feedback.zip")
        assert sorted(n.split("_")[1] for n in zipped.namelist()) == numbers.split()
