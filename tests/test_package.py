"""The package loads its subpackages on first use (PEP 562)."""

import subprocess
import sys


def _modules_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint(' '.join(sys.modules))"],
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
