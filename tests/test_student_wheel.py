"""A student's machine: the student library's wheel in a fresh environment, with Jupyter.

In a new virtual environment that has only pip, the wheel built from this
repository (installed from a local file) and, after it, Jupyter's kernel and
runner, every released homework runs top to bottom: with the solution's
answers it raises nothing (its public checks pass), and untouched it fails
only where an answer is still ``raise NotImplementedError()``. Nothing is
downloaded: packages come from the wheelhouse that ``make`` fills at set-up.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_tools.publish import publish

from .homework.harness import EXERCISES, make_submission, parts_of, source_notebook
from .test_package import declared

ROOT = Path(__file__).resolve().parents[1]
WHEELHOUSE = ROOT / ".wheelhouse"
HOMEWORK = sorted(p.name for p in (ROOT / "solutions").glob("hw*"))
# What a student's environment must never hold: the instructor tools' stack.
NEVER = {
    "nbgrader",
    "distributed",
    "dask",
    "jupyter-book",
    "playwright",
    "course-tools",
}

# One xdist worker builds the wheel once: setuptools builds in the checkout's
# build/ folder, where two builds at the same time collide.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("student_wheel")]


def _run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None):
    proc = subprocess.run(
        list(args), capture_output=True, text=True, env=env, cwd=cwd, timeout=1800
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    return proc


@pytest.fixture(scope="module")
def student(tmp_path_factory) -> Path:
    if not (WHEELHOUSE / ".complete").is_file():
        pytest.fail("the wheelhouse is missing: run `make test` (it fills .wheelhouse)")
    work = tmp_path_factory.mktemp("student")
    # The wheel, built from this checkout as pip builds it (an isolated build
    # environment), its build requirements taken from the wheelhouse.
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--quiet",
        "--no-index",
        "--find-links",
        str(WHEELHOUSE),
        "-w",
        str(work / "dist"),
        str(ROOT),
    )
    (wheel,) = (work / "dist").glob("course_lib-*.whl")
    venv = work / "venv"
    _run(sys.executable, "-m", "venv", str(venv))
    _install(venv, str(wheel))
    return venv


def _install(venv: Path, *packages: str) -> None:
    """pip install into ``venv`` from the wheelhouse only (never an index)."""
    _run(
        str(venv / "bin" / "python"),
        "-m",
        "pip",
        "install",
        "--quiet",
        "--no-index",
        "--find-links",
        str(WHEELHOUSE),
        *packages,
    )


def _kernel_env(venv: Path) -> dict[str, str]:
    """The environment of a student's Jupyter in ``venv``: its kernel, its pip, offline.

    Nothing of the course's own environment leaks in (no JUPYTER_PATH or
    PYTHONPATH of ours), and pip reads only the wheelhouse.
    """
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("JUPYTER", "PYTHON", "VIRTUAL_ENV", "PIP_"))
    }
    env.update(
        PATH=f"{venv / 'bin'}{os.pathsep}/usr/bin:/bin",
        JUPYTER_PATH=str(venv / "share" / "jupyter"),
        MPLBACKEND="Agg",
        PIP_NO_INDEX="1",
        PIP_FIND_LINKS=str(WHEELHOUSE),
    )
    return env


def _installed(venv: Path) -> set[str]:
    proc = _run(str(venv / "bin" / "python"), "-m", "pip", "list", "--format=json")
    # Names as PEP 503 normalises them (course_lib is course-lib).
    return {re.sub(r"[-_.]+", "-", p["name"]).lower() for p in json.loads(proc.stdout)}


def test_the_student_library_brings_only_the_scientific_stack(student):
    installed = _installed(student)
    print("student environment:", sorted(installed))
    assert {"course-lib", *declared(ROOT / "pyproject.toml")} <= installed
    assert not installed & NEVER
    assert not any(
        name.startswith(("jupyter", "nbgrader", "sphinx")) for name in installed
    )
    # The datasets are inside the wheel: load one, outside the repository.
    proc = _run(
        str(student / "bin" / "python"),
        "-c",
        "import course_lib; print(course_lib.load_compas().shape[0])",
        cwd=student,
    )
    assert proc.stdout.strip() == "6172"


DRIVER = """
import json, sys
import nbformat
from nbclient import NotebookClient

errors = {}
for path in sys.argv[1:]:
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": "."}}).execute()
    errors[path] = [
        out.get("ename") for cell in nb.cells if cell.cell_type == "code"
        for out in cell.get("outputs", []) if out.get("output_type") == "error"
    ]
print(json.dumps(errors))
"""


def _errors(venv: Path, paths: list[Path], cwd: Path) -> dict[str, list[str]]:
    """Run each notebook top to bottom in ``venv``'s Jupyter: its errors' names, by path."""
    proc = _run(
        str(venv / "bin" / "python"),
        "-c",
        DRIVER,
        *(str(p) for p in paths),
        env=_kernel_env(venv),
        cwd=cwd,
    )
    return json.loads(proc.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def jupyter(student) -> Path:
    _install(student, "ipykernel", "nbclient")
    return student


def test_every_homework_runs_in_the_students_jupyter(jupyter, tmp_path):
    paths = {}
    for hw in HOMEWORK:
        release = nbformat.read(EXERCISES / hw / source_notebook(hw).name, as_version=4)
        done = make_submission(release, parts_of(source_notebook(hw)).answers)
        for kind, nb in (("solved", done), ("untouched", release)):
            path = tmp_path / f"{hw}-{kind}.ipynb"
            nbformat.write(nb, path)
            paths[hw, kind] = path
    errors = _errors(jupyter, list(paths.values()), tmp_path)
    for (hw, kind), path in paths.items():
        found = errors[str(path)]
        if kind == "solved":
            assert found == [], f"{hw} with the solution's answers raised {found}"
        else:
            assert found and set(found) == {"NotImplementedError"}, (hw, found)


def test_every_chapter_runs_in_the_students_jupyter(jupyter, tmp_path):
    """The runnable copies that the launch buttons open, without the book's tools.

    The chapters and their worked answers. A student's Jupyter has no
    MyST-NB: ``course_lib.book.glue`` stands in.
    """
    out = publish(ROOT, tmp_path / "published", build=False).destination
    copies = sorted(out.glob("chapters/*.ipynb")) + sorted(out.glob("answers/*.ipynb"))
    pages = [*(ROOT / "chapters").glob("*.md"), *(ROOT / "answers").glob("*.md")]
    assert len(copies) == len(pages) and (ROOT / "answers").is_dir()
    assert _errors(jupyter, copies, tmp_path) == {str(p): [] for p in copies}
    assert "myst-nb" not in _installed(jupyter)


def test_the_setup_cell_installs_the_library_where_it_is_missing(student, tmp_path):
    """A Colab-like kernel without course_lib: the first cell installs it.

    The one line a course changes for its own repository, COURSE_LIB, is set
    to the wheel here, and pip is kept offline (the wheelhouse only).
    """
    venv = tmp_path / "colab"
    _run(sys.executable, "-m", "venv", str(venv))
    _install(venv, "ipykernel", "nbclient")
    assert "course-lib" not in _installed(venv)
    (wheel,) = (student.parent / "dist").glob("course_lib-*.whl")
    nb = nbformat.read(EXERCISES / "hw01" / "hw01.ipynb", as_version=4)
    setup = nb.cells[0]
    assert setup.id == "course-setup"
    lines = setup.source.split("\n")
    (line,) = [i for i, text in enumerate(lines) if text.startswith("COURSE_LIB = ")]
    lines[line] = f"COURSE_LIB = {str(wheel)!r}"
    setup.source = "\n".join(lines)
    path = tmp_path / "hw01.ipynb"
    nbformat.write(nb, path)
    errors = _errors(venv, [path], tmp_path)[str(path)]
    assert errors and set(errors) == {"NotImplementedError"}, errors
    assert "course-lib" in _installed(venv)
