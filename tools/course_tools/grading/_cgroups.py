"""Per-sandbox control groups: memory (tmpfs included), processes and CPU share.

Resource limits of a single process (``setrlimit``) cannot bound what a
sandbox holds in total: files written to its in-memory ``/tmp``, the sum of
its processes' memory, how many processes it forks, how much of the machine's
CPU it takes from the other submissions. Linux control groups can, and this
module applies them wherever the host allows:

``v2``
    The unified hierarchy (most current distributions), written directly:
    ``memory.max`` and ``memory.swap.max``, ``pids.max`` and ``cpu.max`` in a
    child of ``course-sandbox/`` (as root, or in a subtree delegated to the
    grader's user).
``systemd``
    cgroup v2 through a transient systemd scope (``systemd-run --scope``),
    where the tree cannot be written directly but systemd delegates it (an
    ordinary user's session on most distributions).
``v1``
    The legacy hierarchies, one per controller (``memory``, ``pids``, ``cpu``),
    where they can be written (as root).

A sandbox joins its groups before anything runs in it, without ``preexec_fn``
(which is unsafe in a threaded process such as a Dask worker): the command is
prefixed by a tiny ``/bin/sh`` that writes its own process id into each
group's ``cgroup.procs`` and then ``exec``s bubblewrap, so every process of
the sandbox is born inside.

:func:`detect` says what the host supports, once; :meth:`Support.missing`
names the limits that cannot be applied, for the grader to say so.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Cgroup", "Support", "detect"]

ROOT = Path("/sys/fs/cgroup")
PARENT = "course-sandbox"
_CONTROLLERS = ("memory", "pids", "cpu")
_PERIOD_US = 100_000


@dataclass(frozen=True)
class Support:
    """How this host can confine a sandbox.

    Attributes
    ----------
    kind : str or None
        ``"v2"``, ``"systemd"``, ``"v1"``, or None where no control group can
        be made.
    controllers : tuple of str
        The controllers that will be applied, among memory, pids and cpu.
    root : Path
        The cgroup file system.
    why : str
        Why nothing (or not everything) can be applied, when that is so.
    """

    kind: str | None
    controllers: tuple[str, ...] = ()
    root: Path = ROOT
    why: str = ""

    def missing(self) -> list[str]:
        """The limits this host cannot apply, in words."""
        words = {
            "memory": "total memory (with files in the sandbox's tmpfs)",
            "pids": "number of processes",
            "cpu": "CPU share",
        }
        return [words[c] for c in _CONTROLLERS if c not in self.controllers]

    def create(
        self, name: str, *, memory_mb: int, max_processes: int, cpus: float
    ) -> Cgroup | None:
        """Make the groups of one sandbox; None if this host has none."""
        if self.kind == "v2":
            return _create_v2(self, name, memory_mb, max_processes, cpus)
        if self.kind == "v1":
            return _create_v1(self, name, memory_mb, max_processes, cpus)
        if self.kind == "systemd":
            props = ["-p", "CollectMode=inactive-or-failed"]
            if "memory" in self.controllers:
                props += ["-p", f"MemoryMax={memory_mb}M", "-p", "MemorySwapMax=0"]
            if "pids" in self.controllers:
                props += ["-p", f"TasksMax={max_processes}"]
            if "cpu" in self.controllers:
                props += ["-p", f"CPUQuota={round(cpus * 100)}%"]
            user = ["--user"] if os.geteuid() != 0 else []
            prefix = [
                shutil.which("systemd-run") or "systemd-run",
                *user,
                "--scope",
                "--quiet",
                *props,
                "--",
            ]
            return Cgroup(folders=[], prefix=prefix)
        return None


@dataclass
class Cgroup:
    """The control groups of one sandbox: how to join, kill and remove them."""

    folders: list[Path] = field(default_factory=list)
    prefix: list[str] = field(default_factory=list)

    def wrap(self, command: list[str]) -> list[str]:
        """``command`` prefixed so that it starts inside the groups."""
        if self.prefix:
            return [*self.prefix, *command]
        if not self.folders:
            return command
        # Write "0" (this process) into each group, then become the command.
        script = (
            'n=$1; shift; while [ "$n" -gt 0 ]; do '
            'echo 0 > "$1" || exit 125; shift; n=$((n - 1)); done; exec "$@"'
        )
        procs = [str(f / "cgroup.procs") for f in self.folders]
        return ["/bin/sh", "-c", script, "sh", str(len(procs)), *procs, *command]

    def kill(self) -> None:
        """SIGKILL every process still in the groups."""
        for folder in self.folders:
            kill_file = folder / "cgroup.kill"
            if kill_file.exists():
                with contextlib.suppress(OSError):
                    kill_file.write_text("1")
                continue
            with contextlib.suppress(OSError):
                for line in (folder / "cgroup.procs").read_text().split():
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(int(line), signal.SIGKILL)

    def remove(self) -> None:
        """Remove the groups once their last process is gone (waits up to 5 s)."""
        deadline = time.monotonic() + 5
        for folder in self.folders:
            while True:
                try:
                    folder.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:  # still busy: the namespace is being torn down
                    if time.monotonic() > deadline:
                        break
                    self.kill()
                    time.sleep(0.02)


def _write(path: Path, value: str) -> None:
    path.write_text(value)


def _remove_stale(parent: Path) -> None:
    """Empty groups that a killed grader left behind.

    A group is named ``<grader pid>-<clock>``: one whose grader still runs may
    be about to be joined, and is left alone.
    """
    with contextlib.suppress(OSError):
        for stale in parent.iterdir():
            owner = stale.name.split("-", 1)[0]
            if not stale.is_dir() or (
                owner.isdigit() and Path(f"/proc/{owner}").exists()
            ):
                continue
            with contextlib.suppress(OSError):
                stale.rmdir()


def _create_v2(
    support: Support, name: str, memory_mb: int, max_processes: int, cpus: float
) -> Cgroup | None:
    folder = support.root / PARENT / name
    try:
        folder.mkdir()
        if "memory" in support.controllers:
            _write(folder / "memory.max", str(memory_mb * 2**20))
            with contextlib.suppress(OSError):
                _write(folder / "memory.swap.max", "0")
        if "pids" in support.controllers:
            _write(folder / "pids.max", str(max_processes))
        if "cpu" in support.controllers:
            _write(folder / "cpu.max", f"{round(_PERIOD_US * cpus)} {_PERIOD_US}")
    except OSError:
        Cgroup([folder]).remove()
        return None
    return Cgroup([folder])


def _create_v1(
    support: Support, name: str, memory_mb: int, max_processes: int, cpus: float
) -> Cgroup | None:
    made: list[Path] = []
    settings: dict[str, list[tuple[str, str]]] = {
        "memory": [
            ("memory.limit_in_bytes", str(memory_mb * 2**20)),
            # With swap accounting, swap counts too (written after the limit).
            ("memory.memsw.limit_in_bytes", str(memory_mb * 2**20)),
        ],
        "pids": [("pids.max", str(max_processes))],
        "cpu": [
            ("cpu.cfs_period_us", str(_PERIOD_US)),
            ("cpu.cfs_quota_us", str(round(_PERIOD_US * cpus))),
        ],
    }
    try:
        for controller in support.controllers:
            folder = support.root / controller / PARENT / name
            folder.mkdir()
            made.append(folder)
            for key, value in settings[controller]:
                if key == "memory.memsw.limit_in_bytes" and not (folder / key).exists():
                    continue
                _write(folder / key, value)
    except OSError:
        Cgroup(made).remove()
        return None
    return Cgroup(made)


def _own_cgroup_v2(root: Path) -> Path | None:
    try:
        for line in Path("/proc/self/cgroup").read_text().splitlines():
            if line.startswith("0::"):
                return root / line[3:].lstrip("/")
    except OSError:
        pass
    return None


def _detect_v2(root: Path) -> Support:
    available = set((root / "cgroup.controllers").read_text().split())
    wanted = tuple(c for c in _CONTROLLERS if c in available)
    parent = root / PARENT
    try:
        parent.mkdir(exist_ok=True)
        _remove_stale(parent)
        enable = " ".join(f"+{c}" for c in wanted)
        if enable:
            # The root group may enable controllers for its children whatever
            # processes it holds; course-sandbox/ holds none of its own.
            with contextlib.suppress(OSError):
                _write(root / "cgroup.subtree_control", enable)
            _write(parent / "cgroup.subtree_control", enable)
        enabled = {
            name.lstrip("+")
            for name in (parent / "cgroup.subtree_control").read_text().split()
        }
        controllers = tuple(c for c in wanted if c in enabled)
        probe = parent / f"probe-{os.getpid()}"
        probe.mkdir()
        probe.rmdir()
        return Support("v2", controllers, root)
    except OSError as error:
        why = f"cannot write {parent} ({error.strerror or error})"
    systemd = _detect_systemd()
    if systemd is not None:
        return systemd
    return Support(None, (), root, why)


def _detect_systemd() -> Support | None:
    exe = shutil.which("systemd-run")
    if exe is None:
        return None
    user = ["--user"] if os.geteuid() != 0 else []
    try:
        proc = subprocess.run(
            [exe, *user, "--scope", "--quiet", "-p", "TasksMax=16", "--", "true"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    if proc.returncode != 0:
        return None
    return Support("systemd", _CONTROLLERS)


def _detect_v1(root: Path) -> Support:
    controllers = []
    why = ""
    for controller in _CONTROLLERS:
        parent = root / controller / PARENT
        if not (root / controller).is_dir():
            why = why or f"no {controller} controller at {root / controller}"
            continue
        try:
            parent.mkdir(exist_ok=True)
            _remove_stale(parent)
            probe = parent / f"probe-{os.getpid()}"
            probe.mkdir()
            probe.rmdir()
        except OSError as error:
            why = why or f"cannot write {parent} ({error.strerror or error})"
            continue
        controllers.append(controller)
    return Support("v1" if controllers else None, tuple(controllers), root, why)


def detect(root: str | os.PathLike[str] = ROOT) -> Support:
    """What this host supports (creates ``course-sandbox/`` where it can).

    Examples
    --------
    >>> support = detect("/nonexistent")
    >>> support.kind is None and support.missing()[0].startswith("total memory")
    True
    """
    root = Path(root)
    try:
        if (root / "cgroup.controllers").is_file():
            return _detect_v2(root)
        if any((root / c).is_dir() for c in _CONTROLLERS):
            return _detect_v1(root)
    except OSError as error:
        return Support(None, (), root, f"cannot read {root} ({error})")
    systemd = _detect_systemd() if root == ROOT else None
    return systemd or Support(None, (), root, f"no cgroup file system at {root}")
