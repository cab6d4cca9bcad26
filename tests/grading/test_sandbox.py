"""What student code can and cannot do inside the sandbox.

Every test runs twice: in a sandbox started for the submission (cold), and
in a submission forked by a warm sandbox's zygote, which must confine it
exactly as well.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from course_tools.grading.sandbox import Limits, host_support, run_sandboxed
from course_tools.grading.spec import Call, Read

ROOT = Path(__file__).resolve().parents[2]
MEMORY_CGROUP = "memory" in host_support().controllers
_RUN_SANDBOXED = run_sandboxed


@pytest.fixture(autouse=True, params=["cold", "warm"])
def mode(request, monkeypatch):
    """Run the test's submissions cold, or warm in this thread's zygote."""
    if request.param == "warm":
        import functools

        from course_tools.grading import sandbox

        warm = functools.partial(_RUN_SANDBOXED, preload=("numpy",))
        monkeypatch.setitem(globals(), "run_sandboxed", warm)
        yield "warm"
        assert not sandbox._WARM_OFF, sandbox._WARM_OFF  # it really ran warm
        sandbox.close_warm_sandboxes()
    else:
        yield "cold"


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


def test_of_the_instructor_tools_only_the_runner_is_inside():
    import course_tools
    from course_tools.grading import sandbox as grader_sandbox

    tools = Path(course_tools.__file__).resolve().parent
    source = (
        "import importlib, os\n"
        f"grader_files = [p for p in {[str(tools / 'grading' / 'grade.py'), str(tools / 'publish.py')]!r} if os.path.exists(p)]\n"
        "found = []\n"
        "for name in ('course_tools.grading.grade', 'course_tools.grading.roster', "
        "'course_tools.grading.lms', 'course_tools.publish'):\n"
        "    try:\n"
        "        importlib.import_module(name)\n"
        "        found.append(name)\n"
        "    except ImportError:\n"
        "        pass\n"
        "inside = sorted(os.listdir(os.path.dirname(importlib.import_module("
        "'course_tools.grading.runner').__file__)))\n"
    )
    grader_files, found, inside = values(run(source, "grader_files", "found", "inside"))
    assert grader_files == []
    assert found == []
    assert inside == sorted(grader_sandbox.RUNNER_MODULES)


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


def test_a_crashing_test_cell_costs_only_itself_and_arguments_are_fresh():
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
    from course_tools.grading import sandbox

    sandbox.close_warm_sandboxes()  # a warm sandbox's groups last as long as it
    assert mine() == [], "the sandbox's cgroups must be removed after it"


# --- nothing crosses the wall but bounded frames, in order ----------------------


def _cells(*sources: str) -> list[dict]:
    return [{"id": f"c{i}", "source": s} for i, s in enumerate(sources)]


def test_nothing_the_sandbox_writes_reaches_the_grader(tmp_path, monkeypatch):
    """Links, pipes and files left in the sandbox's folders are never opened."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    source = (
        "import os\n"
        "os.makedirs('out', exist_ok=True)\n"
        "for name in ('out/t.json', 'out/cells.json', 'log.txt', 'out/progress.txt'):\n"
        "    os.symlink('/etc/shadow', name)\n"
        "os.mkfifo('out/done')\n"
        "os.mkfifo('/tmp/result')\n"
        "open('big.bin', 'wb').write(b'x' * 10**6)\n"
        "x = 41 + 1\n"
    )
    result = run_sandboxed(_cells(source), {"t": [Read("x")]})
    assert values(result) == [42]
    assert result.error is None
    assert list(tmp_path.iterdir()) == []  # the sandbox had no folder on this disk


def test_a_cell_that_ignores_its_alarm_is_stopped_from_outside():
    spin = (
        "import signal, time\n"
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "signal.setitimer(signal.ITIMER_REAL, 0)\n"
        "while True:\n"
        "    try:\n"
        "        time.sleep(100)\n"
        "    except BaseException:\n"
        "        pass\n"
    )
    limits = Limits(cell_timeout=2, submission_timeout=300)
    result = run_sandboxed(_cells(spin, "after = 1"), {"t": [Read("after")]}, limits)
    assert result.skipped_cells == ["c0: ran out of time"]
    assert values(result) == [1]
    assert result.error is None  # stopped at the cell's limit, not the submission's


def test_forged_frames_are_the_submissions_error_not_more_time():
    forge = (
        "import os, signal, struct, time\n"
        "signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "def frame(body):\n"
        "    return struct.pack('>I', len(body)) + body\n"
        "for i in range(1000):\n"
        "    for fd in range(3, 64):\n"
        "        try:\n"
        "            os.write(fd, frame(b'E{\"i\": 0, \"error\": null}') + frame(b'C1'))\n"
        "        except OSError:\n"
        "            pass\n"
        "    time.sleep(0.2)\n"
    )
    limits = Limits(cell_timeout=2, submission_timeout=300)
    result = run_sandboxed(_cells(forge, "after = 1"), {"t": [Read("after")]}, limits)
    assert "interfered with the grader's channel" in result.error
    assert "interfered" in result.records["t"]["error"]


def test_garbage_on_the_channel_is_the_submissions_error():
    source = (
        "import os\n"
        "for fd in range(3, 64):\n"
        "    try:\n"
        "        os.write(fd, b'\\xff' * 64)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    result = run_sandboxed(_cells(source, "x = 1"), {"t": [Read("x")]})
    assert "interfered" in result.error
    assert result.records["t"]["error"].startswith("not graded")


def test_a_result_over_the_size_limit_is_not_read():
    source = "import numpy as np\nbig = np.zeros(2 * 10**6)\nsmall = 1\n"
    result = run_sandboxed(
        _cells(source), {"a": [Read("big")], "b": [Read("small")]}, Limits(result_mb=1)
    )
    assert "larger than 1 MB" in result.records["a"]["error"]
    assert result.records["b"]["outcomes"] == [{"value": 1}]


def test_the_hidden_calls_are_not_in_the_sandbox_while_cells_run():
    source = (
        "import gc, os\n"
        "spec = 'course_tools.grading.spec'\n"
        "found = sum(type(o).__module__ == spec for o in gc.get_objects())\n"
        "files = []\n"
        "for folder in ('.', '/tmp'):\n"
        "    for base, _, names in os.walk(folder):\n"
        "        for name in names:\n"
        "            with open(os.path.join(base, name), 'rb') as handle:\n"
        "                if b'4f1c9e' in handle.read():\n"
        "                    files.append(name)\n"
    )
    secret = Call("len", ("a hidden input: 4f1c9e",))
    result = run_sandboxed(
        _cells(source), {"a": [Read("found"), Read("files")], "b": [secret]}
    )
    assert values_of(result, "a") == [0, []]


def values_of(result, grade_id: str) -> list:
    return [
        o.get("value", o.get("error")) for o in result.records[grade_id]["outcomes"]
    ]


def test_an_error_reaches_the_grader_as_one_capped_line():
    source = "def f():\n    raise ValueError('first line\\n' + 'SECRET ' * 10**5)\n"
    result = run_sandboxed(_cells(source), {"t": [Call("f")]})
    (error,) = values_of(result, "t")
    assert error.startswith("ValueError: first line") and "SECRET" not in error


@pytest.mark.skipif(not MEMORY_CGROUP, reason="needs a memory control group")
def test_files_in_the_sandbox_count_against_its_memory():
    flood = (
        "for i in range(64):\n"
        "    with open(f'/tmp/f{i}', 'wb') as handle:\n"
        "        handle.write(b'x' * 32 * 2**20)\n"
        "wrote = 'all of it'\n"
    )
    limits = Limits(memory_mb=512, output_mb=64)
    result = run_sandboxed(
        _cells(flood, "after = 1"), {"t": [Read("after"), Read("wrote")]}, limits
    )
    # Cold, the memory group ends the process; warm, the tmpfs is full first.
    assert result.skipped_cells in ([], ["c0: ended the process"])
    assert values(result) == [1, "NameError: name 'wrote' is not defined"]


def test_two_submissions_in_one_warm_sandbox_share_nothing(mode):
    """What one submission leaves behind, the next one in the same zygote never sees."""
    leave = (
        "import os, time\n"
        "for folder in ('.', '/tmp', '/dev/shm'):\n"
        "    try:\n"
        "        open(os.path.join(folder, 'left-behind'), 'w').write('secret')\n"
        "    except OSError:\n"
        "        pass\n"
        "os.environ['LEFT'] = 'behind'\n"
        "import numpy\n"
        "numpy.LEFT_BEHIND = True\n"
        "if os.fork() == 0:\n"
        "    os.setsid()\n"
        "    time.sleep(600)\n"
        "    os._exit(0)\n"
        "for target in {1, os.getppid()} - {0}:\n"
        "    try:\n"
        "        os.kill(target, 9)\n"
        "    except OSError:\n"
        "        pass\n"
        "done = True\n"
    )
    look = (
        "import os, numpy\n"
        "seen = []\n"
        "for folder in ('.', '/tmp', '/dev/shm'):\n"
        "    if os.path.exists(os.path.join(folder, 'left-behind')):\n"
        "        seen.append(folder)\n"
        "seen.append(os.environ.get('LEFT'))\n"
        "seen.append(getattr(numpy, 'LEFT_BEHIND', None))\n"
        "seen.append(sorted(int(p) for p in os.listdir('/proc') if p.isdigit()))\n"
    )
    kill_all = (
        "import os\n"
        "for target in (0, -1):\n"
        "    try:\n"
        "        os.kill(target, 9)\n"
        "    except OSError:\n"
        "        pass\n"
    )
    first = run_sandboxed(_cells(leave, kill_all), {"t": [Read("done")]})
    second = run_sandboxed(_cells(look), {"t": [Read("seen")]})
    assert values(first) == [True]
    (seen,) = values(second)
    assert seen[:-1] == [None, None]  # no file, variable or module state
    assert seen[-1][0] == 1 and len(seen[-1]) <= 3  # only its own processes


def test_notebook_magics_and_plots_run_as_in_a_kernel():
    """Cells written for Jupyter run: line magics, plots, and IPython's own folders."""
    cells = _cells(
        "%matplotlib inline\nimport matplotlib.pyplot as plt",
        "plt.plot([1, 2], [3, 4])\nplt.show()",
        "%time total = sum(range(10))",
        "import os\nprofile = os.path.isdir(get_ipython().profile_dir.location)",
        "x = 41\nx + 1",
    )
    result = run_sandboxed(cells, {"t": [Read("total"), Read("profile"), Read("x")]})
    assert result.cell_errors == {cell["id"]: None for cell in cells}
    assert values(result) == [45, True, 41]


def test_asking_for_input_fails_at_once_as_in_a_grading_kernel():
    source = (
        "import sys\n"
        "try:\n"
        "    input('your name? ')\n"
        "except Exception as error:\n"
        "    asked = type(error).__name__\n"
        "try:\n"
        "    sys.stdin.read()\n"
        "except Exception as error:\n"
        "    read = type(error).__name__\n"
    )
    # Waiting for an answer would end the cell at its time limit, unfinished.
    result = run(source, "asked", "read", limits=Limits(cell_timeout=5))
    assert values(result) == ["StdinNotImplementedError"] * 2


def test_a_hanging_test_cell_costs_only_itself():
    source = "def hang():\n    while True:\n        pass\n\ndef ok():\n    return 7\n"
    calls = {"a": [Call("ok")], "b": [Call("hang")], "c": [Call("ok")]}
    result = run_sandboxed(_cells(source), calls, Limits(call_timeout=2))
    assert result.records["a"]["outcomes"] == [{"value": 7}]
    assert "more than 2 s" in result.records["b"]["error"]
    assert result.records["c"]["outcomes"] == [{"value": 7}]


def test_the_calls_cannot_read_the_next_tests_inputs():
    source = (
        "import os\n"
        "def peek():\n    return os.read(0, 1 << 16).hex()\n"
        "def size(x):\n    return len(x)\n"
    )
    secret = Call("size", ("a hidden input: 4f1c9e",))
    calls = {"a": [Call("peek")], "b": [secret]}
    result = run_sandboxed(_cells(source), calls, Limits(call_timeout=2))
    # Nothing to read: the next test's calls are sent once this one is done.
    assert "more than 2 s" in result.records["a"]["error"]
    assert result.records["b"]["outcomes"] == [{"value": 22}]


def test_tests_after_one_that_will_not_stop_still_run():
    """A test that ignores its time limit ends the run; the tests after it still run."""
    source = (
        "import os, signal, time\n"
        "def stubborn():\n"
        "    signal.signal(signal.SIGALRM, signal.SIG_IGN)\n"
        "    while True:\n"
        "        time.sleep(0.05)\n"
        "def crash():\n"
        "    os._exit(3)\n"
        "def ok():\n"
        "    return 7\n"
    )
    calls = {
        "a": [Call("ok")],
        "b": [Call("stubborn")],
        "c": [Call("crash")],
        "d": [Call("ok")],
    }
    limits = Limits(call_timeout=1, grace=1)
    result = run_sandboxed(_cells(source), calls, limits)
    assert result.records["a"]["outcomes"] == [{"value": 7}]
    assert "more than 1 s" in result.records["b"]["error"]
    assert "ended without returning" in result.records["c"]["error"]
    assert result.records["d"]["outcomes"] == [{"value": 7}]
    assert result.error is None
