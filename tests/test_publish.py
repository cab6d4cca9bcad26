"""`course publish`: the students' copy holds the book and nothing graded."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.book import SETUP_CELL_ID, setup_source
from course_tools.grading.release import install_spec
from course_tools.publish import (
    MANIFEST,
    MARKERS,
    PublishError,
    _book_extras,
    _book_pages,
    course_secrets,
    find_leaks,
    normalise,
    publish,
)

from .test_package import declared

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HOMEWORK = sorted(p.name for p in (ROOT / "solutions").glob("hw*"))
# The notebook pages: the chapters and their worked answers, as paths in the book.
PAGES = [
    p.relative_to(ROOT).as_posix()
    for folder in ("chapters", "answers")
    for p in sorted((ROOT / folder).glob("*.md"))
]
NEVER = [
    "tools",
    "course_lib/publish.py",
    "course_lib/grading",
    "solutions",
    "tests",
    "bench",
    "nbgrader_config.py",
    "gradebook.db",
    "submitted",
    "autograded",
    "feedback",
    ".ci",
    ".git",
    "scripts",
    "Makefile",
]


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("published") / "student"
    return out, publish(ROOT, out, build=False)


@pytest.fixture
def source(tmp_path) -> Path:
    """A copy of what publish reads, plus instructor files it must leave out."""
    src = tmp_path / "course"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info", ".ipynb_checkpoints")
    for name in [
        "_config.yml",
        "_toc.yml",
        "intro.md",
        "chapters",
        "exercises",
        "course_lib",
        "solutions",
        "pyproject.toml",
        "constraints.txt",
        "nbgrader_config.py",
        "tests/homework/bank",
    ]:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, src / name, ignore=ignore)
        else:
            (src / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / name)
    # Front matter, and what _config.yml names (extensions, static files,
    # bibliography), so that the copy builds.
    for path in [*_book_pages(ROOT), *_book_extras(ROOT)]:
        rel = path.relative_to(ROOT)
        if path.is_dir():
            shutil.copytree(path, src / rel, ignore=ignore, dirs_exist_ok=True)
        else:
            (src / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, src / rel)
    (src / "gradebook.db").write_bytes(b"")
    (src / "submitted" / "alice" / "hw01").mkdir(parents=True)
    return src


@pytest.fixture(scope="module")
def secrets() -> set[str]:
    return course_secrets(ROOT)


def _hidden_test_line(hw: str = "hw01") -> str:
    """A distinctive line of a hidden_tests.py, as written there."""
    lines = (ROOT / "solutions" / hw / "hidden_tests.py").read_text().split("\n")
    return max(lines, key=len).strip()


def test_published_copy_holds_the_book_exercises_and_library(published):
    out, report = published
    assert report.destination == out and not report.built
    for name in [
        "intro.md",
        "_config.yml",
        "_toc.yml",
        "pyproject.toml",
        "requirements.txt",
        "runtime.txt",
        "constraints.txt",
        "README.md",
        ".gitignore",
        MANIFEST,
        "course_lib/__init__.py",
        "course_lib/datasets.py",
        "course_lib/data/SHA256SUMS",
        # What the site needs to pass its accessibility checks.
        "_ext/a11y.py",
        "_templates/search-button-field.html",
        "_templates/theme-switcher.html",
        "_assets/a11y.css",
        *PAGES,
        *(f"exercises/{hw}/{hw}.ipynb" for hw in HOMEWORK),
    ]:
        assert (out / name).is_file(), f"{name} is missing from the published copy"
    assert (out / "course_lib" / "fairness").is_dir()
    assert (out / "course_lib" / "privacy").is_dir()
    assert report.files == sum(1 for p in out.rglob("*") if p.is_file())


def test_published_copy_leaves_out_everything_graded(published):
    out, _ = published
    for name in [*NEVER, "_build", "exercises/.ipynb"]:
        assert not (out / name).exists(), f"{name} must not be published"
    names = {p.name for p in out.rglob("*")}
    assert not names & {"hidden_tests.py", "nbgrader_config.py", "grading"}
    assert not any(p.suffix == ".pyc" for p in out.rglob("*"))
    pyproject = (out / "pyproject.toml").read_text()
    assert "nbgrader" not in pyproject and "course_tools" not in pyproject
    # The library's own dependencies (test_package pins them to the scientific
    # stack); building the site is an extra.
    import tomllib

    project = tomllib.loads(pyproject)["project"]
    assert declared(out / "pyproject.toml") == declared(ROOT / "pyproject.toml")
    assert any("jupyter-book" in d for d in project["optional-dependencies"]["book"])
    readme = (out / "README.md").read_text()
    assert "exercises/hw01/hw01.ipynb" in readme and "jupyter-book build" in readme
    for word in ["nbgrader", "solutions/", "course grade", "gradebook", "instructor"]:
        assert word not in readme.lower(), word


def test_published_library_imports_without_grading(published):
    out, _ = published
    # The instructor's editable install would find course_tools.grading in the
    # source tree; a student's environment has no such finder.
    code = (
        "import sys\n"
        "sys.meta_path[:] = [f for f in sys.meta_path\n"
        "    if 'editable' not in getattr(f, '__module__', '')]\n"
        "import course_lib, course_lib.fairness, course_lib.privacy, course_lib.datasets\n"
        "print(course_lib.__file__)\n"
        "try:\n    import course_tools.grading\nexcept ModuleNotFoundError:\n"
        "    print('no grading')\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code],
        cwd=out,
        env=dict(os.environ, PYTHONPATH=str(out)),
        capture_output=True,
        text=True,
        check=True,
    )
    path, grading = proc.stdout.split("\n")[:2]
    assert Path(path) == out / "course_lib" / "__init__.py"
    assert grading == "no grading"


def test_no_secret_in_the_published_sources(published, secrets):
    out, report = published
    assert report.secrets == len(course_secrets(ROOT, out / "course_lib")) > 1000
    assert find_leaks(out, secrets) == []
    for path in out.rglob("*.*"):
        if path.suffix in {".md", ".ipynb", ".py", ".toml", ".yml", ".txt"}:
            text = path.read_text()
            assert not any(m in text for m in MARKERS), path
            assert "run_hidden_tests" not in text and "course_tools.grading" not in text


def test_scanner_finds_the_secrets_where_they_are(secrets):
    """Power: each homework's solution notebook and hidden tests are found."""
    leaks = find_leaks(ROOT / "solutions", secrets)
    hit = {p.relative_to(ROOT / "solutions") for p, _ in leaks}
    for hw in HOMEWORK:
        assert Path(hw, "hidden_tests.py") in hit and Path(hw, f"{hw}.ipynb") in hit
    assert normalise(_hidden_test_line()) in secrets
    bank = find_leaks(ROOT / "tests" / "homework" / "bank", secrets)
    assert len({p.parent for p, _ in bank}) >= len(HOMEWORK) - 1


def test_a_hidden_test_line_in_an_exercise_is_caught(source, tmp_path):
    line = _hidden_test_line()
    notebook = source / "exercises" / "hw02" / "hw02.ipynb"
    nb = json.loads(notebook.read_text())
    nb["cells"][-1]["source"] = f"{line}\n"
    notebook.write_text(json.dumps(nb, indent=1))
    with pytest.raises(PublishError, match=r"no solution or hidden-test text") as info:
        publish(source, tmp_path / "out", build=False)
    assert (
        tmp_path / "out" / "exercises" / "hw02" / "hw02.ipynb",
        normalise(line),
    ) in info.value.leaks


def test_a_hidden_test_region_line_in_a_chapter_is_caught(source, tmp_path):
    chapter = sorted((source / "chapters").glob("*.md"))[0]
    nb = json.loads((source / "solutions" / "hw01" / "hw01.ipynb").read_text())
    region = next(
        "".join(c["source"])
        for c in nb["cells"]
        if "run_hidden_tests" in "".join(c["source"])
    )
    call = next(x for x in region.split("\n") if x.startswith("run_hidden_tests("))
    chapter.write_text(chapter.read_text() + f"\n```python\n{call}\n```\n")
    with pytest.raises(PublishError, match="must not use the instructor tools"):
        publish(source, tmp_path / "out", build=False)


def test_the_source_copy_publishes_cleanly_without_instructor_files(source, tmp_path):
    out = tmp_path / "out"
    report = publish(source, out, build=False)
    assert report.scanned == report.files
    assert not any((out / name).exists() for name in NEVER)


def test_refuses_a_folder_that_is_not_a_publish_output(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "thesis.tex").write_text("precious")
    with pytest.raises(
        ValueError,
        match=r"DIR must be empty or a previous `course publish` output; got .*thesis\.tex",
    ):
        publish(ROOT, out, build=False)
    assert (out / "thesis.tex").read_text() == "precious"
    assert [p.name for p in out.iterdir()] == ["thesis.tex"]
    (out / "thesis.tex").unlink()
    (out / MANIFEST).write_text('{"entries": ["../escape"]}')
    with pytest.raises(ValueError, match="DIR must be empty or a previous"):
        publish(ROOT, out, build=False)
    file = tmp_path / "file"
    file.write_text("x")
    with pytest.raises(ValueError, match="got the file"):
        publish(ROOT, file, build=False)
    with pytest.raises(
        ValueError, match="must not be the course's folder or contain it"
    ):
        publish(ROOT, ROOT.parent, build=False)
    with pytest.raises(ValueError, match="source must be the course's root folder"):
        publish(tmp_path, tmp_path / "x", build=False)


def test_republishing_replaces_only_what_it_wrote(source, tmp_path):
    out = tmp_path / "out"
    publish(source, out, build=False)
    (out / ".git").mkdir()
    (out / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    (out / "chapters" / "stale.md").write_text("old page")
    shutil.rmtree(source / "exercises" / "hw09")
    publish(source, out, build=False)
    assert (out / ".git" / "HEAD").is_file()
    assert not (out / "chapters" / "stale.md").exists()
    assert not (out / "exercises" / "hw09").exists()
    assert (out / "exercises" / "hw01" / "hw01.ipynb").is_file()


def test_course_publish_command(tmp_path):
    out = tmp_path / "student"
    command = [str(BIN / "course"), "--root", str(ROOT), "publish"]
    proc = subprocess.run(
        [*command, str(out), "--no-build"], capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert f"to {out};" in proc.stdout and "none found" in proc.stdout
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "notes.txt").write_text("x")
    proc = subprocess.run(
        [*command, str(tmp_path / "other"), "--no-build"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "DIR must be empty or a previous `course publish` output" in proc.stderr


def _launch_targets(site: Path) -> list[tuple[str, str, str, str, str]]:
    """Every launch button of the site: (page, button, repository URL, branch, path).

    The repository, branch and file each button opens, read from its URL as
    Binder (``/v2/gh/ORG/REPO/BRANCH?urlpath=lab/tree/PATH``), nbgitpuller
    (``git-pull?repo=URL&branch=B&urlpath=lab/tree/REPO/PATH``) and Colab
    (``/github/ORG/REPO/blob/BRANCH/PATH``) read it.
    """
    from html.parser import HTMLParser
    from urllib.parse import parse_qs, unquote, urlsplit

    class Buttons(HTMLParser):
        def __init__(self):
            super().__init__()
            self.found: list[tuple[str, str]] = []

        def handle_starttag(self, tag, attrs):
            attrs = dict(attrs)
            title = attrs.get("title") or ""
            if tag == "a" and title.startswith("Launch on "):
                self.found.append((title.removeprefix("Launch on "), attrs["href"]))

    targets = []
    for page in sorted(site.rglob("*.html")):
        parser = Buttons()
        parser.feed(page.read_text(encoding="utf-8"))
        for button, href in parser.found:
            url = urlsplit(href)
            query = {k: v[0] for k, v in parse_qs(url.query).items()}
            parts = unquote(url.path).strip("/").split("/")
            if button == "Binder":
                assert parts[:2] == ["v2", "gh"], href
                org, repo, branch = parts[2:5]
                repo_url = f"https://github.com/{org}/{repo}"
                path = query["urlpath"].removeprefix("lab/tree/")
            elif button == "JupyterHub":
                assert url.path == "/hub/user-redirect/git-pull", href
                repo_url, branch = query["repo"], query["branch"]
                name = repo_url.rstrip("/").rsplit("/", 1)[-1]
                path = query["urlpath"].removeprefix(f"lab/tree/{name}/")
            elif button == "Colab":
                assert parts[0] == "github" and parts[3] == "blob", href
                org, repo, branch = parts[1], parts[2], parts[4]
                repo_url = f"https://github.com/{org}/{repo}"
                path = "/".join(parts[5:])
            else:
                raise AssertionError(f"unexpected launch button {button}: {href}")
            targets.append(
                (page.relative_to(site).as_posix(), button, repo_url, branch, path)
            )
    return targets


def _check_launch_targets(site: Path, published: Path, buttons: set[str]) -> None:
    """Every launch button opens an existing ``.ipynb`` of the published repository."""
    import yaml

    repository = yaml.safe_load((published / "_config.yml").read_text())["repository"]
    targets = _launch_targets(site)
    pages = {page for page, *_ in targets}
    # Each chapter page has every configured button, and only notebook pages have any.
    assert pages == {p.replace(".md", ".html") for p in PAGES}
    for page in pages:
        assert {b for p, b, *_ in targets if p == page} == buttons, page
    for page, button, repo_url, branch, path in targets:
        assert repo_url == repository["url"] and branch == repository["branch"]
        assert path == page.replace(".html", ".ipynb"), (button, path)
        assert (published / path).is_file(), f"{button} on {page} opens missing {path}"


@pytest.mark.slow
def test_published_site_builds_and_holds_no_secret(source, tmp_path, secrets):
    # A course with a JupyterHub too, so that every kind of launch button is
    # checked; its jupyter-cache is the course's, so pages are only rendered.
    config = source / "_config.yml"
    text = config.read_text()
    assert 'jupyterhub_url: ""' in text
    config.write_text(
        text.replace('jupyterhub_url: ""', 'jupyterhub_url: "https://hub.example.edu"')
    )
    cache = ROOT / "_build" / ".jupyter_cache"
    if cache.is_dir():
        shutil.copytree(cache, source / "_build" / ".jupyter_cache")
    out = tmp_path / "student"
    report = publish(source, out, build=True)
    site = out / "_build" / "html"
    assert report.built and (site / "index.html").is_file()
    for page in PAGES:
        assert (site / page).with_suffix(".html").is_file(), page
    # Power: the same scanner finds the secrets where they live.
    assert len(find_leaks(ROOT / "solutions", secrets)) >= len(HOMEWORK)
    assert find_leaks(out, secrets) == []
    assert find_leaks(site, secrets) == []
    text = "".join(p.read_text(errors="ignore") for p in site.rglob("*.html"))
    assert not any(m in text for m in MARKERS)
    assert "run_hidden_tests" not in text
    # The launch buttons open the runnable copies; the downloads run anywhere.
    _check_launch_targets(site, out, {"Binder", "JupyterHub", "Colab"})
    spec = install_spec(ROOT)
    for page in PAGES:
        download = site / "_sources" / page.replace(".md", ".ipynb")
        cells = nbformat.read(download, as_version=4).cells
        assert cells[0].id == SETUP_CELL_ID and cells[0].source == setup_source(spec)
        # The page's own cells follow (myst-nb's cache mode copies them without outputs).
        assert len(cells) > 3 and "glue" in "".join(c.source for c in cells), download


@pytest.mark.slow
def test_the_course_sites_launch_buttons_open_the_published_notebooks(published):
    """The course's own build (make book) links the copies that publish writes."""
    out, _ = published
    site = ROOT / "_build" / "html"
    if not (site / "index.html").is_file():
        pytest.fail("the site is not built: run `make book` (make test does it first)")
    _check_launch_targets(site, out, {"Binder", "Colab"})


def test_the_launch_check_sees_a_button_that_opens_a_markdown_page(tmp_path):
    site = tmp_path / "site" / "chapters"
    site.mkdir(parents=True)
    (site / "01.html").write_text(
        '<a href="https://colab.research.google.com/github/o/r/blob/main/chapters/01.md"'
        ' title="Launch on Colab">Colab</a>'
    )
    assert _launch_targets(tmp_path / "site") == [
        (
            "chapters/01.html",
            "Colab",
            "https://github.com/o/r",
            "main",
            "chapters/01.md",
        )
    ]


def test_each_chapter_has_a_runnable_copy_with_the_setup_cell(published):
    import jupytext

    out, _ = published
    spec = install_spec(ROOT)
    for page in PAGES:
        copy = nbformat.read(out / page.replace(".md", ".ipynb"), 4)
        nbformat.validate(copy)
        setup, *cells = copy.cells
        assert setup.id == SETUP_CELL_ID and setup.source == setup_source(spec)
        source = jupytext.read(out / page)
        assert [(c.cell_type, c.source) for c in cells] == [
            (c.cell_type, c.source) for c in source.cells
        ], page
        assert not any(c.get("outputs") for c in copy.cells)
        assert "jupytext" not in copy.metadata
        assert copy.metadata.kernelspec.name == "python3"
    # Only notebook pages get one; the manifest covers every copy.
    assert not (out / "intro.ipynb").exists()
    assert not list((out / "front").glob("*.ipynb"))
    entries = json.loads((out / MANIFEST).read_text())["entries"]
    assert {p.relative_to(out).parts[0] for p in out.rglob("*.ipynb")} <= set(entries)


def test_runnable_copies_are_the_same_when_published_again(source, tmp_path):
    first = publish(source, tmp_path / "a", build=False).destination
    second = publish(source, tmp_path / "b", build=False).destination
    for copy in sorted(first.glob("chapters/*.ipynb")):
        assert copy.read_bytes() == (second / "chapters" / copy.name).read_bytes()


def test_binder_gets_the_student_library_and_python(published):
    out, _ = published
    assert (out / "requirements.txt").read_text().split("\n") == [
        "-c constraints.txt",
        "-e .",
        "",
    ]
    runtime = (out / "runtime.txt").read_text().strip()
    assert re.fullmatch(r"python-3\.1[0-3]", runtime), runtime


def test_the_students_site_has_the_student_guide_but_not_the_instructors(published):
    import yaml

    out, _ = published
    assert (out / "front" / "student_guide.md").is_file()
    assert not (out / "front" / "instructor_guide.md").exists()
    toc = (out / "_toc.yml").read_text()
    assert "front/student_guide" in toc and "instructor_guide" not in toc
    assert yaml.safe_load(toc)["root"] == "intro"
    for page in out.rglob("*.md"):
        text = page.read_text()
        assert "instructor_guide" not in text, page
        assert "instructors-only" not in text, page
    # Only the marked blocks went: the rest of the page is still there.
    assert "**As a student**" in (out / "intro.md").read_text()
    assert (
        "explains this from the student's side."
        in (out / "front" / "syllabus.md").read_text()
    )


def test_publish_writes_a_ready_github_pages_workflow(published):
    import yaml

    out, _ = published
    workflow = yaml.safe_load((out / ".github" / "workflows" / "book.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [s.get("run", "") for s in steps]
    uses = [s.get("uses", "") for s in steps + workflow["jobs"]["deploy"]["steps"]]
    assert any('-e ".[book]"' in r for r in runs)
    assert any(r.startswith("jupyter-book build .") for r in runs)
    assert any(u.startswith("actions/upload-pages-artifact") for u in uses)
    assert any(u.startswith("actions/deploy-pages") for u in uses)
    assert workflow["permissions"]["pages"] == "write"
