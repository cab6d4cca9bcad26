"""The package loads its subpackages on first use (PEP 562)."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            f"{code}\nimport sys\nprint(' '.join(k for k, v in sys.modules.items() if v is not None))",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return set(out.stdout.split())


def test_importing_the_datasets_does_not_import_scikit_learn_or_scipy():
    loaded = _modules_after("import course_lib.datasets")
    assert "sklearn" not in loaded and "scipy" not in loaded
    assert "course_lib.fairness" not in loaded


def test_the_sandbox_runner_starts_on_the_standard_library_alone():
    loaded = _modules_after("import course_tools.grading.runner")
    assert not {f"course_lib.{n}" for n in ("fairness", "privacy", "datasets")} & loaded
    assert not {"sklearn", "numpy", "pandas", "nbgrader"} & loaded


def test_names_still_resolve_as_before():
    import course_lib
    from course_lib import DatasetIntegrityError, fairness, load_compas

    assert fairness is course_lib.fairness
    assert load_compas is course_lib.datasets.load_compas
    assert issubclass(DatasetIntegrityError, Exception)
    assert set(course_lib.__all__) <= set(dir(course_lib))
    try:
        course_lib.not_a_name  # noqa: B018
    except AttributeError as error:
        assert "no attribute 'not_a_name'" in str(error)
    else:
        raise AssertionError("an unknown name must raise AttributeError")


def test_the_pipeline_subpackage_loads_on_first_use():
    assert "course_lib.pipeline" not in _modules_after("import course_lib")
    loaded = _modules_after("import course_lib\ncourse_lib.pipeline.lending_policies")
    assert {"course_lib.pipeline", "course_lib.pipeline._delayed_impact"} <= loaded
    import course_lib
    from course_lib import pipeline

    assert pipeline is course_lib.pipeline
    assert "pipeline" in course_lib.__all__
    assert all(hasattr(pipeline, name) for name in pipeline.__all__)


def test_the_course_command_skips_jsonschemas_slow_optional_import():
    """rfc3987_syntax costs every `course` command 0.8 s and checks nothing we validate."""
    import json
    from pathlib import Path

    import nbformat

    loaded = _modules_after(
        "import course_tools.grading.cli\nimport course_tools.grading.grade\n"
        "import nbformat\nnbformat.validate(nbformat.v4.new_notebook())"
    )
    assert "nbformat.validator" in loaded and "rfc3987_syntax" not in loaded
    # Why that is safe: nbformat's schemas use no string "format" to check.
    schemas = sorted(Path(nbformat.__file__).parent.glob("v4/*.schema.json"))
    assert schemas
    formats = [
        node["format"]
        for path in schemas
        for node in _objects(json.loads(path.read_text()))
        if isinstance(node.get("format"), str)
    ]
    assert formats == []


def _objects(node):
    """Every JSON object in ``node``, itself included."""
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


# --- two products: the student library and the instructor tools --------------------

ROOT = __import__("pathlib").Path(__file__).resolve().parents[1]
STUDENT_STACK = {"numpy", "pandas", "scipy", "sklearn", "matplotlib"}
# Python 3.11+ names a 3.10 interpreter does not have.
NEWER_THAN_310 = ("tomllib", "datetime.UTC", "dt.UTC", "typing.Self", "StrEnum")


def _imports(path) -> set[str]:
    """Top-level names of the packages the module at ``path`` needs."""
    return imports_in(path.read_text(encoding="utf-8"))


def imports_in(source: str) -> set[str]:
    """Top-level names of the packages Python ``source`` needs (absolute imports only).

    An import inside ``try: ... except ImportError`` (or ModuleNotFoundError)
    is optional: the code works without it, so it is left out.
    """
    import ast

    tree = ast.parse(source)
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try) and any(
            isinstance(h.type, ast.Name)
            and h.type.id in {"ImportError", "ModuleNotFoundError"}
            for h in node.handlers
        ):
            optional |= {id(n) for stmt in node.body for n in ast.walk(stmt)}
    found = set()
    for node in ast.walk(tree):
        if id(node) in optional:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.add(node.module.split(".")[0])
    return found


def declared(pyproject) -> set[str]:
    """The distribution names ``pyproject``'s project depends on, lower-cased."""
    import re
    import tomllib

    deps = tomllib.loads(pyproject.read_text())["project"]["dependencies"]
    return {re.split(r"[<>=!~\[ ;]", d, maxsplit=1)[0].lower() for d in deps}


def test_the_student_library_needs_only_the_scientific_stack():
    import sys

    stdlib = set(sys.stdlib_module_names)
    used = set()
    for path in (ROOT / "course_lib").rglob("*.py"):
        used |= _imports(path)
    # threadpoolctl comes with scikit-learn (its own declared dependency).
    assert used - stdlib - {"course_lib", "__future__"} == STUDENT_STACK | {
        "threadpoolctl"
    }
    # Optional: MyST-NB's glue and IPython's display, where they are installed;
    # matplotlib only for the figures' style.
    assert _imports(ROOT / "course_lib" / "book.py") == {"__future__"} | {
        "json",
        "matplotlib",
        "re",
        "typing",
    }
    deps = declared(ROOT / "pyproject.toml")
    # jinja2: pandas' DataFrame.style, which the chapters' tables use.
    assert deps == {
        "numpy",
        "pandas",
        "scipy",
        "scikit-learn",
        "matplotlib",
        "jinja2",
    }
    assert not (ROOT / "course_lib" / "grading").exists()
    assert not (ROOT / "course_lib" / "publish.py").exists()


def test_the_student_library_reads_as_python_3_10():
    import ast

    for path in (ROOT / "course_lib").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        ast.parse(text, filename=str(path), feature_version=(3, 10))
        for name in NEWER_THAN_310:
            assert name not in text, f"{path.relative_to(ROOT)} uses {name} (3.11+)"


def test_the_instructor_tools_declare_what_they_import():
    import sys

    stdlib = set(sys.stdlib_module_names)
    used = set()
    for path in (ROOT / "tools" / "course_tools").rglob("*.py"):
        used |= _imports(path)
    third_party = used - stdlib - {"course_lib", "course_tools", "__future__"}
    deps = declared(ROOT / "tools" / "pyproject.toml")
    # Import names that differ from distribution names, and what the declared
    # packages bring with them by their own declared dependencies.
    provided = {
        "yaml": "pyyaml",
        "distributed": "distributed",
        "dask": "distributed",
        "nbformat": "nbgrader",
        "nbconvert": "nbgrader",
        "traitlets": "nbgrader",
        "jupyter_client": "nbgrader",
        "IPython": "ipykernel",
        "numpy": "course_lib",
        "pandas": "course_lib",
        "matplotlib": "course_lib",
        "sklearn": "course_lib",
        "scipy": "course_lib",
    }
    missing = {
        name
        for name in third_party
        if provided.get(name, name).lower().replace("_", "-") not in deps
        and provided.get(name, name).lower() not in deps
    }
    assert missing == set(), (
        f"imported but not declared in tools/pyproject.toml: {missing}"
    )
