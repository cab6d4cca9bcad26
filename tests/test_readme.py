"""The README's instructor walk-through works as written."""

from __future__ import annotations

import csv
import os
import re
import shutil
import subprocess
import sys
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


def _run(tmp_path, name: str) -> None:
    for file in ("nbgrader_config.py", "README.md"):
        shutil.copy(ROOT / file, tmp_path / file)
    for folder in ("solutions", "exercises"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    venv = Path(sys.prefix)
    (tmp_path / ".venv").symlink_to(venv, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k != "VIRTUAL_ENV"}
    proc = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", walkthrough(name)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


@pytest.mark.slow
def test_instructor_walkthrough_runs_as_written(tmp_path):
    _run(tmp_path, "instructor-walkthrough")
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_id"], float(r["total_score"])) for r in rows] == [
        ("alice", 0.0)
    ]
    assert (tmp_path / "submitted" / "alice" / "hw01" / "hw01.ipynb").is_file()
    assert (tmp_path / "autograded" / "alice" / "hw01" / "hw01.ipynb").is_file()
    feedback = (tmp_path / "feedback" / "alice" / "hw01" / "hw01.html").read_text()
    assert "NotImplementedError" in feedback
    assert (tmp_path / "grades_report.html").is_file()


@pytest.mark.slow
def test_stock_nbgrader_walkthrough_runs_as_written(tmp_path):
    _run(tmp_path, "nbgrader-walkthrough")
    with open(tmp_path / "grades.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["student_id"], float(r["raw_score"])) for r in rows] == [("bob", 0.0)]
    feedback = (tmp_path / "feedback" / "bob" / "hw01" / "hw01.html").read_text()
    assert "Hidden tests ran here" in feedback
