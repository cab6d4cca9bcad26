import pytest

from course_tools.grading.scan import scan_source


@pytest.mark.parametrize(
    ("source", "idiom"),
    [
        ("get_ipython().set_custom_exc((Exception,), h)", "ipython-hooks"),
        ("ip.input_transformers_cleanup.append(f)", "ipython-hooks"),
        ("class A:\n    def __eq__(self, o):\n        return True", "eq-override"),
        ("import numpy as np\nnp.allclose = lambda *a: True", "monkeypatch"),
        (
            "import course_tools.grading.spec as s\nsetattr(s, 'verdict', f)",
            "monkeypatch",
        ),
        ("import builtins\nbuiltins.print = f", "builtins"),
        ("import os\nos.kill(1, 9)", "process"),
        ("import sys\nsys.modules['numpy'] = fake", "sys-modules"),
        ("open('../../../gradebook.db', 'wb')", "files"),
        ("exec(code)", "dynamic-code"),
        ("import socket", "network"),
        ("import os\nos.write(5, b'x')", "descriptors"),
        ("open('/proc/self/fd/3', 'wb')", "descriptors"),
    ],
)
def test_tampering_idioms_are_flagged(source, idiom):
    assert idiom in {f.idiom for f in scan_source(source, "cell")}


def test_ordinary_answers_are_not_flagged():
    source = (
        "import numpy as np\nimport pandas as pd\n\n"
        "def confusion_rates(y_true, y_pred, groups):\n"
        "    frame = pd.DataFrame({'y': np.asarray(y_true), 'g': groups})\n"
        "    # equal opportunity: compare TPRs\n"
        "    return frame.groupby('g').mean()\n"
    )
    assert scan_source(source) == []


def test_findings_say_where_and_why():
    (finding,) = scan_source("x = 1\nimport os\nos._exit(0)", "part1")
    assert (finding.cell, finding.line, finding.code) == ("part1", 3, "os._exit(0)")
    assert "processes" in finding.why


def test_unparsable_code_is_still_scanned_as_text():
    findings = scan_source("%%bash\nkill -9 1\nget_ipython(", "c")
    assert any(f.idiom == "get_ipython" for f in findings)


def test_a_huge_cell_is_scanned_as_text_with_bounded_findings():
    huge = "x = 1\n" * 100_000 + "exec(code)\n" * 1000
    findings = scan_source(huge, "c")
    assert 0 < len(findings) <= 200
    assert {f.idiom for f in findings} == {"dynamic-code"}


@pytest.mark.parametrize(
    "source",
    ["x = " + "(" * 100_000 + ")" * 100_000, "a = 1\x00", "def f(:\n", "[" * 10**6],
)
def test_code_that_does_not_parse_never_breaks_the_scan(source):
    assert isinstance(scan_source(source, "c"), list)


def test_only_what_the_student_wrote_is_scanned():
    """The released setup cell uses sys.modules and importlib: never the student's."""
    import copy

    import nbformat

    from course_tools.grading.grade import Assignment

    from ..homework.harness import EXERCISES

    release = nbformat.read(EXERCISES / "hw01" / "hw01.ipynb", as_version=4)
    setup = release.cells[0].source
    assert {f.idiom for f in scan_source(setup)} >= {"sys-modules"}
    assignment = Assignment.__new__(Assignment)
    assignment.release = release
    honest = assignment.cells_to_run(release)
    assert setup in {c["source"] for c in honest}
    assert all(setup != c["source"] for c in assignment.to_scan(honest))
    # The same idioms in a cell of the student's own are still scanned.
    tricked = copy.deepcopy(release)
    tricked.cells.insert(1, nbformat.v4.new_code_cell(setup + "\nsys.modules['x'] = 1"))
    scanned = assignment.to_scan(assignment.cells_to_run(tricked))
    assert any("sys.modules['x']" in c["source"] for c in scanned)
