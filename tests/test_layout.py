"""The shape of the student library: public subpackages over private modules.

fairlearn's layout: each subpackage (``course_lib.fairness``) is the public
surface, and its modules are private (``_metrics.py``), one concept each, so a
module can be split or renamed without breaking a chapter. These tests hold
that shape in place:

- everything students see (chapters, worked answers, homework notebooks,
  hidden tests, the answer banks) imports from ``course_lib`` or one of its
  public subpackages, never from a module inside one;
- every module inside a subpackage is private;
- no module imports another module's private names (what two modules share
  lives, under a public name, in a private module of its own);
- the concepts that used to share a file now live in separate modules.
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import pytest

from .sources import code_cells

ROOT = Path(__file__).resolve().parents[1]
LIB = ROOT / "course_lib"
FIRST_PARTY = ("course_lib", "course_tools")

# The public surface: the package, its subpackages, and its public modules.
PUBLIC = {"course_lib"} | {
    f"course_lib.{p.parent.name if p.name == '__init__.py' else p.stem}"
    for p in [*LIB.glob("*/__init__.py"), *LIB.glob("*.py")]
    if not (p.parent.name if p.name == "__init__.py" else p.stem).startswith("_")
}


def _code_cells_of_notebook(path: Path) -> list[str]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    return ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]


def _student_facing_code() -> list[tuple[str, str]]:
    """(where, source) for every piece of code a student reads or runs."""
    out: list[tuple[str, str]] = []
    for folder in ("chapters", "answers"):
        for path in sorted((ROOT / folder).glob("*.md")):
            for i, cell in enumerate(code_cells(path.read_text("utf-8"))):
                out.append(
                    (f"{folder}/{path.name} cell {i}", "\n".join(t for _, t in cell))
                )
    for path in sorted((ROOT / "solutions").glob("*/*.ipynb")):
        for i, src in enumerate(_code_cells_of_notebook(path)):
            out.append((f"{path.relative_to(ROOT)} cell {i}", src))
    for pattern in ("solutions/*/*.py", "tests/homework/bank/**/*.py"):
        for path in sorted(ROOT.glob(pattern)):
            out.append((str(path.relative_to(ROOT)), path.read_text("utf-8")))
    return out


def _imported_modules(source: str) -> list[str]:
    """Modules named by import statements (IPython magics and options dropped)."""
    lines = [ln for ln in source.splitlines() if not ln.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:  # a student's unfinished cell in a bank, say
        return re.findall(r"^\s*(?:from|import)\s+([\w.]+)", source, re.M)
    found: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            found.append(node.module)
    return found


def test_the_public_surface_is_what_the_book_documents():
    assert {
        "course_lib.fairness",
        "course_lib.privacy",
        "course_lib.games",
        "course_lib.interpret",
        "course_lib.adaptive",
        "course_lib.pipeline",
        "course_lib.datasets",
        "course_lib.book",
    } <= PUBLIC
    assert not any(name.split(".")[-1].startswith("_") for name in PUBLIC)


def test_students_import_from_subpackages_only():
    wrong = [
        f"{where}: {module}"
        for where, source in _student_facing_code()
        for module in _imported_modules(source)
        if module.split(".")[0] == "course_lib" and module not in PUBLIC
    ]
    assert not wrong, (
        "import these names from the subpackage (e.g. `from course_lib.privacy "
        "import loss_threshold_attack`), not from a module inside it:\n"
        + "\n".join(wrong)
    )


def test_every_module_inside_a_subpackage_is_private():
    public_modules = [
        str(path.relative_to(ROOT))
        for init in LIB.glob("*/__init__.py")
        for path in init.parent.glob("*.py")
        if path.name != "__init__.py" and not path.name.startswith("_")
    ]
    assert not public_modules, (
        "a subpackage's public surface is its __init__; rename these _name.py "
        "and export their public names from the subpackage:\n"
        + "\n".join(public_modules)
    )


def _python_files() -> list[Path]:
    return sorted(
        [*LIB.rglob("*.py"), *(ROOT / "tools" / "course_tools").rglob("*.py")]
    )


def _module_name(path: Path) -> str:
    base = ROOT / "tools" if "course_tools" in path.parts else ROOT
    parts = list(path.relative_to(base).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_module(name: str) -> bool:
    base = ROOT / "tools" if name.startswith("course_tools") else ROOT
    path = base.joinpath(*name.split("."))
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def test_no_module_imports_another_modules_private_names():
    wrong = []
    for path in _python_files():
        here = _module_name(path)
        package = here if path.name == "__init__.py" else here.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if not isinstance(node, ast.ImportFrom):
                continue
            if node.level:
                base = (
                    package.rsplit(".", node.level - 1)[0]
                    if node.level > 1
                    else package
                )
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            if not module.startswith(FIRST_PARTY):
                continue
            for alias in node.names:
                name = alias.name
                if name.startswith("_") and not _is_module(f"{module}.{name}"):
                    wrong.append(
                        f"{path.relative_to(ROOT)}:{node.lineno}: {module}.{name}"
                    )
    assert not wrong, (
        "a private name belongs to its module; move what two modules share into a "
        "private module of its own under a public name:\n" + "\n".join(wrong)
    )


def _defined_in(qualname: str) -> str:
    module, _, name = qualname.rpartition(".")
    return getattr(importlib.import_module(module), name).__module__


# Each row lists objects of different concepts: no two may share a module.
CONCEPTS = {
    "the reductions approach (fairlearn keeps these apart)": [
        "course_lib.fairness.DemographicParity",
        "course_lib.fairness.ExponentiatedGradient",
        "course_lib.fairness.GridSearch",
    ],
    "post-processing": [
        "course_lib.fairness.group_thresholds",
        "course_lib.fairness.ThresholdOptimizer",
        "course_lib.fairness.bolt_on_randomization",
    ],
    "the four families of privacy attacks": [
        "course_lib.privacy.linkage_attack",
        "course_lib.privacy.dinur_nissim_reconstruct",
        "course_lib.privacy.reconstruct_block",
        "course_lib.privacy.loss_threshold_attack",
    ],
    "grading: configuration, hidden tests, dispatch, gradebook, ledger, feedback": [
        "course_tools.grading.grade.Course",
        "course_tools.grading._hidden.hidden_tests",
        "course_tools.grading.grade.score_records",
        "course_tools.grading._gradebook.check_released",
        "course_tools.grading.grade.read_ledger",
        "course_tools.grading._feedback_writer.write_feedback",
    ],
    "intervals, which fairness audits and interpretability share": [
        "course_lib.fairness.wilson_interval",
        "course_lib.fairness.audit_outputs",
    ],
}


@pytest.mark.parametrize("concept", sorted(CONCEPTS))
def test_concepts_live_in_modules_of_their_own(concept):
    modules = [_defined_in(q) for q in CONCEPTS[concept]]
    assert len(set(modules)) == len(modules), (concept, modules)


def test_shared_machinery_has_private_modules_of_its_own():
    # The counting engine six fairness modules share, apart from the metrics.
    assert (LIB / "fairness" / "_counting.py").exists()
    # fairlearn's _Lagrangian, apart from the reductions that use it.
    assert (LIB / "fairness" / "_lagrangian.py").exists()
    # Binomial intervals, shared by fairness audits and interpretability.
    assert _defined_in("course_lib.fairness.wilson_interval") == "course_lib._intervals"
