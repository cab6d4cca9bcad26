"""What student code can and cannot do inside the sandbox."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course_lib.grading.sandbox import Limits, run_sandboxed
from course_lib.grading.spec import Call, Read

ROOT = Path(__file__).resolve().parents[2]


def run(source: str, *reads: str, limits: Limits | None = None, calls=None):
    cells = [{"id": "cell", "source": source}]
    result = run_sandboxed(
        cells, calls or {"t": [Read(name) for name in reads]}, limits
    )
    return result


def values(result) -> list:
    return [o.get("value", o.get("error")) for o in result.records["t"]["outcomes"]]


def test_the_course_files_do_not_exist_inside():
    probes = [
        str(ROOT / "solutions" / "hw01" / "hidden_tests.py"),
        str(ROOT / "nbgrader_config.py"),
        str(ROOT / "gradebook.db"),
        "/etc/shadow",
        str(ROOT / ".git"),
    ]
    source = f"import os\nseen = [p for p in {probes!r} if os.path.exists(p)]"
    assert values(run(source, "seen")) == [[]]


def test_course_lib_and_numpy_are_there_read_only():
    source = (
        "import course_lib, numpy, os\n"
        "ok = course_lib.load_compas().shape[0]\n"
        "try:\n"
        "    open(os.path.join(os.path.dirname(course_lib.__file__), 'x.py'), 'w')\n"
        "    wrote = True\n"
        "except OSError:\n"
        "    wrote = False\n"
    )
    assert values(run(source, "ok", "wrote")) == [6172, False]


def test_there_is_no_network():
    source = (
        "import socket\n"
        "try:\n"
        "    socket.create_connection(('127.0.0.1', 22), timeout=2)\n"
        "    net = 'connected'\n"
        "except OSError as e:\n"
        "    net = type(e).__name__\n"
        "interfaces = [name for _, name in socket.if_nameindex()]\n"
    )
    net, interfaces = values(run(source, "net", "interfaces"))
    assert net != "connected"
    assert interfaces == ["lo"]


def test_only_the_sandbox_processes_are_visible():
    source = (
        "import os\npids = sorted(int(p) for p in os.listdir('/proc') if p.isdigit())"
    )
    (pids,) = values(run(source, "pids"))
    assert max(pids) < 10


def test_memory_limit_raises_memory_error():
    source = (
        "import numpy as np\n"
        "try:\n"
        "    np.ones(2 * 10**9)\n"
        "    outcome = 'allocated'\n"
        "except MemoryError:\n"
        "    outcome = 'MemoryError'\n"
    )
    assert values(run(source, "outcome", limits=Limits(memory_mb=2048))) == [
        "MemoryError"
    ]


def test_a_cell_past_its_time_limit_is_interrupted_and_the_rest_runs():
    cells = [
        {"id": "slow", "source": "import time\ntime.sleep(30)"},
        {"id": "after", "source": "after = 1"},
    ]
    result = run_sandboxed(cells, {"t": [Read("after")]}, Limits(cell_timeout=1))
    assert values(result) == [1]
    assert "CellTimeout" in result.cell_errors["slow"]


def test_a_cell_that_kills_the_process_is_skipped_and_the_rest_runs():
    cells = [
        {"id": "before", "source": "before = 1"},
        {"id": "crash", "source": "import os\nos._exit(3)"},
        {"id": "after", "source": "after = 2"},
    ]
    result = run_sandboxed(cells, {"t": [Read("before"), Read("after")]})
    assert values(result) == [1, 2]
    assert result.skipped_cells == ["crash: ended the process"]


def test_each_test_cell_gets_its_own_process_and_fresh_arguments():
    source = (
        "import os\n"
        "def mutate(xs):\n    xs.append(1)\n    return len(xs)\n"
        "def crash():\n    os._exit(1)\n"
    )
    calls = {
        "a": [Call("mutate", ([],)), Call("mutate", ([],), observe_args=True)],
        "b": [Call("crash")],
        "c": [Call("mutate", ([0],))],
    }
    result = run_sandboxed([{"id": "cell", "source": source}], calls)
    assert result.records["a"]["outcomes"] == [
        {"value": 1},
        {"value": 1, "args": [[1]]},
    ]
    assert "ended without returning" in result.records["b"]["error"]
    assert result.records["c"]["outcomes"] == [{"value": 2}]


@pytest.mark.parametrize("missing", ["nope"])
def test_an_undefined_name_is_an_error_for_that_call_only(missing):
    result = run("x = 1", "x", missing)
    assert values(result) == [1, f"NameError: name '{missing}' is not defined"]


@pytest.mark.skipif(
    not os.access("/sys/fs/cgroup/pids", os.W_OK), reason="needs writable cgroup v1"
)
def test_a_fork_bomb_stops_at_the_process_limit():
    source = (
        "import os, time\n"
        "started = 0\n"
        "for _ in range(400):\n"
        "    try:\n"
        "        pid = os.fork()\n"
        "    except OSError:\n"
        "        break\n"
        "    if pid == 0:\n"
        "        time.sleep(2)\n"
        "        os._exit(0)\n"
        "    started += 1\n"
        "while True:\n"
        "    try:\n"
        "        os.wait()\n"
        "    except ChildProcessError:\n"
        "        break\n"
    )
    cgroups = Path("/sys/fs/cgroup/pids/course-sandbox")

    def mine() -> list[Path]:
        # Cgroups are named after the grading process: ignore other graders'.
        return [p for p in cgroups.glob(f"{os.getpid()}-*") if p.is_dir()]

    (started,) = values(run(source, "started", limits=Limits(max_processes=64)))
    assert 10 < started < 64
    assert mine() == [], "the sandbox's cgroups must be removed after it"
