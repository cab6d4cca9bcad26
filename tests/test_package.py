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
    loaded = _modules_after("import course_lib.grading.runner")
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


def test_the_course_command_skips_jsonschemas_slow_optional_import():
    """rfc3987_syntax costs every `course` command 0.8 s and checks nothing we validate."""
    import json
    from pathlib import Path

    import nbformat

    loaded = _modules_after(
        "import course_lib.grading.cli\nimport course_lib.grading.grade\n"
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
