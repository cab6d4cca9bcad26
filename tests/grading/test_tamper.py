"""Adversarial submissions earn no more than their honest work deserves.

Each submission below is homework 1 with the honest part of its work (often
none) plus a trick that fools a grader running in the student's kernel. The
same class is graded by ``course grade`` and by stock ``nbgrader autograde``:
the tricks must not raise a single score with ``course grade``, and, as a
check that they are real threats, several of them do fool stock nbgrader.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from ..homework.harness import Course, parts_of, source_notebook

# One xdist worker grades the module's class once for all of its tests.
pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("tamper")]

HW = "hw01"
PARTS = parts_of(source_notebook(HW))
FIRST = "propublica_filter"
# What a submission earns whose every part but the first is the model answer.
REST = sum(points for part, points in PARTS.points.items() if part != FIRST)
STUBS = {
    "propublica_filter": "def propublica_filter(df):\n    return df\n",
    "confusion_rates": "def confusion_rates(y_true, y_pred, groups):\n    return None\n",
    "calibration_table": "def calibration_table(scores, y_true, groups):\n    return None\n",
    "chouldechova_fpr": "def chouldechova_fpr(base_rate, ppv, fnr):\n    return 0.0\n",
}

BANK = Path(__file__).resolve().parents[1] / "homework" / "bank" / HW
WRONG_THAT_PASS_PUBLIC = {
    FIRST: (BANK / FIRST / "wrong_days_only.py").read_text(),
    "chouldechova_fpr": (
        BANK / "chouldechova_fpr" / "wrong_scalar_only.py"
    ).read_text(),
}

# name -> (answer cells, the points its honest work deserves)
ATTACKS: dict[str, tuple[dict[str, str], float]] = {
    "custom-exception-handler": (
        {
            FIRST: STUBS[FIRST]
            + "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n",
            **{k: v for k, v in STUBS.items() if k != FIRST},
        },
        0,
    ),
    "input-transformer": (
        {
            FIRST: STUBS[FIRST]
            + "def _neuter(lines):\n"
            + "    text = ''.join(lines)\n"
            + "    return ['pass\\n'] if 'assert' in text or 'run_hidden_tests' in text else lines\n"
            + "get_ipython().input_transformers_cleanup.append(_neuter)\n",
            **{k: v for k, v in STUBS.items() if k != FIRST},
        },
        0,
    ),
    "always-equal": (
        {
            **STUBS,
            "chouldechova_fpr": "class Anything(float):\n"
            "    def __eq__(self, other):\n        return True\n"
            "    def __ne__(self, other):\n        return False\n"
            "    __hash__ = float.__hash__\n"
            "def chouldechova_fpr(base_rate, ppv, fnr):\n    return Anything(0.0)\n",
        },
        0,
    ),
    "monkeypatch-numpy": (
        {
            **STUBS,
            FIRST: STUBS[FIRST]
            + "import numpy as np\n"
            + "np.allclose = lambda *a, **k: True\n"
            + "np.isclose = lambda *a, **k: True\n"
            + "np.array_equal = lambda *a, **k: True\n",
            # Right shapes, wrong values: only a patched numpy would pass them.
            "chouldechova_fpr": "import numpy as np\n"
            "def chouldechova_fpr(base_rate, ppv, fnr):\n"
            "    return np.zeros_like(np.asarray(base_rate, dtype=float))\n",
        },
        0,
    ),
    "monkeypatch-grader": (
        {
            **STUBS,
            # Wrong answers that pass the public checks ...
            FIRST: WRONG_THAT_PASS_PUBLIC[FIRST]
            # ... and a grader that no longer runs the hidden ones.
            + "import course_tools.grading.spec as spec\n"
            + "spec.verdict = lambda test, outcomes: (True, None)\n"
            + "import course_tools.grading as grading\n"
            + "grading.run_hidden_tests = lambda *a, **k: None\n",
            "chouldechova_fpr": WRONG_THAT_PASS_PUBLIC["chouldechova_fpr"],
        },
        0,
    ),
    "write-gradebook": (
        {
            **PARTS.answers,
            FIRST: STUBS[FIRST]
            + "import sqlite3\n"
            + "for path in ['../gradebook.db', '../../gradebook.db', '../../../gradebook.db', '{root}/gradebook.db']:\n"
            + "    try:\n"
            + "        db = sqlite3.connect(path)\n"
            + "        db.execute('update grade set auto_score = 100')\n"
            + "        db.commit()\n"
            + "    except Exception:\n"
            + "        pass\n",
        },
        REST,  # the other parts are correct
    ),
    "kill-everything": (
        {
            **PARTS.answers,
            FIRST: STUBS[FIRST]
            + "import os, signal\n"
            + "for target in (os.getppid(), 1, -1):\n"
            + "    try:\n"
            + "        os.kill(target, signal.SIGKILL)\n"
            + "    except Exception:\n"
            + "        pass\n",
        },
        REST,
    ),
    "exit-and-hog": (
        {
            **PARTS.answers,
            FIRST: "import numpy as np\n"
            + "try:\n    _hog = np.ones(10**10)\nexcept MemoryError:\n    pass\n"
            + "import os\nos._exit(0)\n",
        },
        REST,
    ),
    "ignore-alarms-and-spin": (
        {
            **PARTS.answers,
            FIRST: "import signal\nsignal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
            + "while True:\n    pass\n",
        },
        REST,
    ),
    "flood-output": (
        {**PARTS.answers, FIRST: STUBS[FIRST] + "print('x' * 10**6 * 200)\n"},
        REST,
    ),
}


# Stock nbgrader runs student code unsandboxed, as the grader's own user: only
# tricks that harm nothing but the grade may be tried on it (kill(-1) as root
# would kill every process on the machine).
STOCK_SAFE = {
    "custom-exception-handler",
    "input-transformer",
    "always-equal",
    "monkeypatch-numpy",
    "monkeypatch-grader",
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    ours = Course(tmp_path_factory.mktemp("tamper-course"), HW)
    stock = Course(tmp_path_factory.mktemp("tamper-stock"), HW)
    honest = ours.make(PARTS.answers)
    for course in (ours, stock):
        course.submit("honest", honest)
    for name, (answers, _) in ATTACKS.items():
        answers = {k: v.replace("{root}", str(ours.root)) for k, v in answers.items()}
        ours.submit(name, ours.make(answers))
        if name in STOCK_SAFE:
            stock.submit(name, stock.make(answers))
    proc = ours.course("grade", HW, "--workers", "2", "--quiet", "--cell-timeout", "10")
    stock.autograde("--Execute.timeout=20")
    return ours, stock, proc


def total(grades: dict) -> float:
    tests = [t for ids in PARTS.tests.values() for t in ids]
    return sum(grades[t][0] or 0 for t in tests)


@pytest.mark.parametrize("name", sorted(ATTACKS))
def test_course_grade_gives_an_attack_only_what_its_honest_work_earns(graded, name):
    ours, _, _ = graded
    assert total(ours.scores()[name]) == ATTACKS[name][1]


def test_honest_work_is_unaffected_by_the_attackers(graded):
    ours, _, _ = graded
    assert total(ours.scores()["honest"]) == sum(PARTS.points.values())


def test_the_attacks_are_real_threats_to_stock_nbgrader(graded):
    _, stock, _ = graded
    scores = stock.scores()
    inflated = {n for n in scores if n in ATTACKS and total(scores[n]) > ATTACKS[n][1]}
    assert inflated >= {"input-transformer", "monkeypatch-numpy", "monkeypatch-grader"}


def test_the_gradebook_was_not_written_by_student_code(graded):
    ours, _, _ = graded
    with sqlite3.connect(ours.root / "gradebook.db") as db:
        (top,) = db.execute("select max(auto_score) from grade").fetchone()
    assert top <= max(PARTS.points.values())


def test_the_scan_flags_the_tricks(graded):
    ours, _, _ = graded
    out = ours.course("scan", HW).stdout
    flagged = {line.split("\t")[0] for line in out.splitlines() if "\t" in line}
    expected = set(ATTACKS) - {"flood-output"}
    assert expected <= flagged, expected - flagged
    assert "honest" not in flagged
