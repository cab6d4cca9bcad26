"""The README's instructor walk-through works as written."""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def walkthrough(name: str) -> str:
    block = re.compile(
        rf"<!-- {name}:start -->\s*```bash\n(.*?)```\s*<!-- {name}:end -->", re.S
    )
    found = block.findall((ROOT / "README.md").read_text())
    assert len(found) == 1, f"README.md must hold one {name} block"
    return found[0]


def test_readme_names_the_two_commands_and_ci_runs_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make book" in readme and "make test" in readme
    assert re.search(r"^make test$", (ROOT / ".ci" / "run").read_text(), re.M)


def _autograded_points(hw: str) -> float:
    """The points of a homework's autograded cells (its code cells)."""
    cells = json.loads((ROOT / "solutions" / hw / f"{hw}.ipynb").read_text())["cells"]
    return sum(
        c.get("metadata", {}).get("nbgrader", {}).get("points", 0)
        for c in cells
        if c["cell_type"] == "code"
    )


def _run(tmp_path, name: str, script: str | None = None) -> subprocess.CompletedProcess:
    for file in ("nbgrader_config.py", "README.md", "_config.yml", "pyproject.toml"):
        shutil.copy(ROOT / file, tmp_path / file)
    for folder in ("solutions", "exercises", "examples"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    venv = Path(sys.prefix)
    (tmp_path / ".venv").symlink_to(venv, target_is_directory=True)
    scratch = tmp_path / ".scratch"
    scratch.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    env["TMPDIR"] = str(scratch)
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script or walkthrough(name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _round_trip(tmp_path, name: str) -> tuple[Path, str]:
    """Run a walk-through, keeping a copy of its scratch course before clean-up."""
    script = walkthrough(name)
    lines = script.rstrip("\n").split("\n")
    cleanup = 'cd - >/dev/null && rm -rf "$demo"'
    assert lines[-1] == cleanup, f"the {name} must end by removing its scratch copy"
    kept = tmp_path / "kept"
    script = "\n".join([*lines[:-1], f'cp -r "$demo" "{kept}"', cleanup]) + "\n"
    proc = _run(tmp_path, name, script)
    # The walk-through cleaned up: nothing left in its scratch folder or the course.
    assert list((tmp_path / ".scratch").iterdir()) == []
    for left in ("submitted", "autograded", "feedback", "gradebook.db", "lms"):
        assert not (tmp_path / left).exists(), left
    return kept, proc.stdout + proc.stderr


def _csv(path: Path) -> list[dict[str, str]]:
    with open(path, newline="", encoding="utf-8-sig") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.slow
def test_canvas_round_trip_runs_as_written(tmp_path):
    kept, said = _round_trip(tmp_path, "canvas-walkthrough")
    assert "5 added" in said and "Test Student" in said
    # Grades as Canvas imports them: one row per roster student, keyed on the
    # Canvas user id, the column Canvas knows, the two Ann Lees apart, Chidi
    # missing after the due date (0), Zoë's late resubmission penalised 10%.
    rows = _csv(kept / "grades-canvas.csv")
    assert list(rows[0]) == [
        "Student",
        "ID",
        "SIS User ID",
        "SIS Login ID",
        "Section",
        "Homework 1 (48213)",
    ]
    assert rows[0]["Student"].strip() == "Points Possible"
    scores = {r["ID"]: r["Homework 1 (48213)"] for r in rows[1:]}
    auto = _autograded_points("hw01")  # the written answer waits for a hand grade
    assert scores == {
        "101": "0",
        "102": f"{auto * 0.9:g}",
        "103": f"{auto:g}",
        "104": "0",
        "105": "0",
    }
    assert {r["Student"] for r in rows[1:]} >= {"Ångström, Zoë", "Lee, Ann"}
    tidy = {r["student_id"]: r for r in _csv(kept / "grades.csv")}
    assert (
        tidy["zangstrom"]["late"] == "True" and tidy["zangstrom"]["first_name"] == "Zoë"
    )
    penalty = float(tidy["zangstrom"]["late_penalty"])  # points lost
    assert penalty == pytest.approx(auto * 0.1)
    assert tidy["cokafor"]["submitted"] == "False"
    # Feedback for Canvas's Re-Upload Submissions: the first two all-digit
    # tokens of each name are the user id and the file graded.
    names = zipfile.ZipFile(kept / "feedback" / "hw01-canvas-feedback.zip").namelist()
    ids = sorted(tuple(t for t in n.split("_") if t.isdigit())[:2] for n in names)
    assert ids == [("101", "5001"), ("102", "5003"), ("103", "5004"), ("104", "5005")]
    page = (kept / "feedback" / "zangstrom" / "hw01" / "hw01.html").read_text()
    assert "late" in page and "10% per day" in page
    assert (kept / "grades_report.html").is_file()


@pytest.mark.slow
def test_moodle_round_trip_runs_as_written(tmp_path):
    kept, said = _round_trip(tmp_path, "moodle-walkthrough")
    assert "4 collected" in said and "0 errors" in said
    rows = _csv(kept / "grades-moodle.csv")
    assert list(rows[0]) == [
        "First name",
        "Last name",
        "Email address",
        "Assignment: hw01 (Real)",
    ]
    scores = {r["Email address"]: r["Assignment: hw01 (Real)"] for r in rows}
    # Zoë submitted 1 day 9 hours late (two started days: 20%); Chidi nothing.
    auto = _autograded_points("hw01")
    assert scores == {
        "jane.smith@example.edu": f"{auto:g}",
        "zoe.angstrom@example.edu": f"{auto * 0.8:g}",
        "ann.lee@example.edu": f"{auto:g}",
        "ann.lee2@example.edu": f"{auto:g}",
        "chidi.okafor@example.edu": "0",
    }
    names = zipfile.ZipFile(kept / "feedback" / "hw01-moodle-feedback.zip").namelist()
    # Moodle's importer: name_participant_plugintype_pluginname per folder.
    assert sorted(n.split("/")[0].split("_")[1] for n in names) == [
        "3101",
        "3102",
        "3103",
        "3104",
    ]
    assert all(
        n.split("/")[0].split("_")[2:4] == ["assignsubmission", "file"] for n in names
    )
    stamp = kept / "submitted" / "zoe.angstrom@example.edu" / "hw01" / "timestamp.txt"
    assert stamp.read_text().startswith("2026-09-16 13:15:00")


@pytest.mark.slow
def test_stock_nbgrader_walkthrough_runs_as_written(tmp_path):
    _run(tmp_path, "nbgrader-walkthrough")
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_id"], float(r["raw_score"])) for r in rows] == [("bob", 0.0)]
    feedback = (tmp_path / "feedback" / "bob" / "hw01" / "hw01.html").read_text()
    assert "Hidden tests ran here" in feedback


@pytest.mark.parametrize(
    "name",
    [
        "gradebook.db",
        "grades.csv",
        "grades-canvas.csv",
        "grades-moodle.csv",
        "grades_report.html",
        "submitted/jsmith/hw01/hw01.ipynb",
        "feedback/hw01-canvas-feedback.zip",
        "lms/smithjane_101_5001_hw01.ipynb",
        "DE101-hw01 submissions.zip",
        "2027-01-10T1200_Grades-DE101.csv",
        "Grades-DE101-hw01-42.csv",
        "courseid_5_participants.csv",
        "roster.csv",
    ],
)
def test_student_data_and_lms_exports_are_git_ignored(name):
    proc = subprocess.run(
        ["git", "check-ignore", "--no-index", "-q", name], cwd=ROOT, check=False
    )
    assert proc.returncode == 0, f"{name} is not git-ignored"


def test_the_sample_lms_files_are_not_ignored():
    for path in (ROOT / "examples" / "lms").iterdir():
        proc = subprocess.run(
            ["git", "check-ignore", "--no-index", "-q", str(path.relative_to(ROOT))],
            cwd=ROOT,
            check=False,
        )
        assert proc.returncode == 1, f"{path.name} would be git-ignored"


def test_the_student_install_command_is_the_course_configs():
    """README and the student guide give the pip command the setup cells use."""
    from course_tools.grading.release import install_spec

    command = f'pip install "{install_spec(ROOT)}"'
    for page in ("README.md", "front/student_guide.md"):
        assert command in (ROOT / page).read_text(), f"{page}: update to {command}"


HOMEWORK_ROW = re.compile(
    r"^\| (hw\d\d) \| \{?[^|]*?\*([^*|]+)\*[^|]* \| (\d+) \| about ([\d.]+) hours \|$",
    re.M,
)
EXPECTED = re.compile(r"Expected time: about ([\d.]+) hours\.")


def _homework_facts() -> dict[str, tuple[str, int, str]]:
    """Each homework's chapter title, total points and expected time, from its notebook."""
    facts = {}
    for notebook in sorted((ROOT / "solutions").glob("hw*/hw*.ipynb")):
        cells = json.loads(notebook.read_text())["cells"]
        intro = "".join(cells[0]["source"])
        chapter = re.search(r"chapter \*([^*]+)\*", intro)
        hours = EXPECTED.search(intro)
        assert chapter and hours, (
            f"{notebook.name}: the intro must name its chapter and 'Expected time: about N hours.'"
        )
        points = sum(
            cell.get("metadata", {}).get("nbgrader", {}).get("points", 0)
            for cell in cells
        )
        facts[notebook.stem] = (chapter.group(1), int(points), hours.group(1))
    return facts


def test_readme_lists_every_homework_with_its_points_and_expected_time():
    readme = (ROOT / "README.md").read_text()
    rows = {
        hw: (title, int(points), hours)
        for hw, title, points, hours in HOMEWORK_ROW.findall(readme)
    }
    assert rows == _homework_facts()


def test_every_homework_is_a_week_of_work():
    for hw, (_, _, hours) in _homework_facts().items():
        assert 3 <= float(hours) <= 4, (
            f"{hw}: expected time {hours} hours; a homework is 3 to 4 hours"
        )
