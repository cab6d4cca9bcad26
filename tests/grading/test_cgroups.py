"""Per-sandbox control groups on cgroup v2, v1 and systemd, and hosts with none.

A real cgroup file system is not needed to check what is written where: the
kernel's interface is files, so a folder laid out like one shows it.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from course_tools.grading import _cgroups, sandbox
from course_tools.grading._cgroups import Cgroup, Support, detect


def _fake_v2(root: Path, controllers="cpuset cpu io memory hugetlb pids rdma") -> Path:
    root.mkdir()
    (root / "cgroup.controllers").write_text(controllers + "\n")
    (root / "cgroup.subtree_control").write_text("")
    return root


class _FakeKernel:
    """Make folders under a fake cgroup root behave like cgroups.

    mkdir gives a new folder the interface files; rmdir removes a folder with
    only those files in it.
    """

    def __init__(self, monkeypatch, root: Path, files: list[str]):
        real_mkdir, real_rmdir = Path.mkdir, Path.rmdir

        def mkdir(path, *args, **kwargs):
            existed = Path(path).exists()
            real_mkdir(path, *args, **kwargs)
            if Path(path).is_relative_to(root) and not existed:
                for name in files:
                    (Path(path) / name).write_text("")

        def rmdir(path):
            if Path(path).is_relative_to(root):
                for child in Path(path).iterdir():
                    if child.is_file():
                        child.unlink()
            real_rmdir(path)

        monkeypatch.setattr(Path, "mkdir", mkdir)
        monkeypatch.setattr(Path, "rmdir", rmdir)


def test_v2_limits_are_written_in_a_child_of_course_sandbox(tmp_path, monkeypatch):
    root = _fake_v2(tmp_path / "cg")
    _FakeKernel(
        monkeypatch,
        root,
        ["cgroup.procs", "cgroup.subtree_control", "memory.max", "memory.swap.max"],
    )
    support = detect(root)
    assert (support.kind, support.controllers) == ("v2", ("memory", "pids", "cpu"))
    assert support.missing() == []
    assert (root / "course-sandbox" / "cgroup.subtree_control").read_text() == (
        "+memory +pids +cpu"
    )
    group = support.create("123-456", memory_mb=512, max_processes=64, cpus=0.5)
    folder = root / "course-sandbox" / "123-456"
    assert group.folders == [folder]
    assert (folder / "memory.max").read_text() == str(512 * 2**20)
    assert (folder / "memory.swap.max").read_text() == "0"
    assert (folder / "pids.max").read_text() == "64"
    assert (folder / "cpu.max").read_text() == "50000 100000"


def test_v1_limits_are_written_per_controller(tmp_path, monkeypatch):
    root = tmp_path / "cg"
    for controller in ("memory", "pids", "cpu"):
        (root / controller).mkdir(parents=True)
    _FakeKernel(monkeypatch, root, ["cgroup.procs", "memory.memsw.limit_in_bytes"])
    support = detect(root)
    assert (support.kind, support.controllers) == ("v1", ("memory", "pids", "cpu"))
    group = support.create("1-2", memory_mb=256, max_processes=32, cpus=1.0)
    memory = root / "memory" / "course-sandbox" / "1-2"
    assert (memory / "memory.limit_in_bytes").read_text() == str(256 * 2**20)
    assert (memory / "memory.memsw.limit_in_bytes").read_text() == str(256 * 2**20)
    assert (root / "pids/course-sandbox/1-2/pids.max").read_text() == "32"
    assert (root / "cpu/course-sandbox/1-2/cpu.cfs_quota_us").read_text() == "100000"
    assert len(group.folders) == 3


def test_a_host_without_cgroups_says_what_it_cannot_limit(tmp_path):
    support = detect(tmp_path / "nothing")
    assert support.kind is None
    assert support.create("x", memory_mb=1, max_processes=1, cpus=1) is None
    assert support.missing() == [
        "total memory (with files in the sandbox's tmpfs)",
        "number of processes",
        "CPU share",
    ]


def test_unwritable_v2_without_systemd_is_no_support(tmp_path, monkeypatch):
    root = _fake_v2(tmp_path / "cg")
    real_mkdir = Path.mkdir

    def refuse(path, *args, **kwargs):
        if Path(path).is_relative_to(root):
            raise PermissionError(13, "Permission denied")
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    monkeypatch.setattr(_cgroups, "_detect_systemd", lambda: None)
    support = detect(root)
    assert support.kind is None and "cannot write" in support.why
    assert support.missing()[0].startswith("total memory")


def test_unwritable_v2_with_systemd_uses_scopes(tmp_path, monkeypatch):
    root = _fake_v2(tmp_path / "cg")
    real_mkdir = Path.mkdir

    def refuse(path, *args, **kwargs):
        if Path(path).is_relative_to(root):
            raise PermissionError(13, "Permission denied")
        real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(Path, "mkdir", refuse)
    monkeypatch.setattr(
        _cgroups,
        "_detect_systemd",
        lambda: Support("systemd", ("memory", "pids", "cpu")),
    )
    assert detect(root).kind == "systemd"


def test_systemd_scope_prefix_sets_every_limit():
    support = Support("systemd", ("memory", "pids", "cpu"))
    group = support.create("x", memory_mb=100, max_processes=10, cpus=2.0)
    command = group.wrap(["bwrap", "--version"])
    assert command[-3:] == ["--", "bwrap", "--version"]
    assert "--scope" in command
    for prop in ("MemoryMax=100M", "MemorySwapMax=0", "TasksMax=10", "CPUQuota=200%"):
        assert prop in command


def test_the_wrapper_joins_each_group_then_becomes_the_command(tmp_path):
    procs = [tmp_path / "a", tmp_path / "b"]
    for folder in procs:
        folder.mkdir()
    command = Cgroup(procs).wrap(["/bin/sh", "-c", "echo $$"])
    out = subprocess.run(command, capture_output=True, text=True, check=True)
    pid = out.stdout.strip()
    # The shell wrote "0" (itself) to each group, then exec'd: same process.
    assert [(f / "cgroup.procs").read_text() for f in procs] == ["0\n", "0\n"]
    assert pid.isdigit()


def test_the_wrapper_refuses_to_run_outside_its_groups(tmp_path):
    command = Cgroup([tmp_path / "missing"]).wrap(["/bin/echo", "ran"])
    out = subprocess.run(command, capture_output=True, text=True)
    assert out.returncode == 125 and "ran" not in out.stdout


def test_sandboxes_start_without_preexec_fn(monkeypatch):
    """preexec_fn is unsafe in a threaded process such as a Dask worker."""
    seen = []
    real = subprocess.Popen

    def spy(*args, **kwargs):
        seen.append(kwargs)
        return real(*args, **kwargs)

    monkeypatch.setattr(sandbox.subprocess, "Popen", spy)
    sandbox.run_sandboxed([{"id": "c", "source": "x = 1"}], {})
    assert seen and all(kw.get("preexec_fn") is None for kw in seen)
    assert all(kw.get("start_new_session") for kw in seen)
