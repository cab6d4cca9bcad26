"""Fresh Linux namespaces for one submission, made inside a warm sandbox.

A warm sandbox (see :mod:`course_tools.grading.runner`) is a bubblewrap sandbox
whose first process, the zygote, has imported the heavy modules once and then
forks a process per submission. Before any student code runs, that process
calls :func:`isolate`: a mount, process-id and IPC namespace of its own, new
size-limited in-memory ``/sandbox``, ``/tmp`` and ``/dev/shm``, ``/dev`` read
only, and (in the grandchild that becomes process 1 of the new namespace) a
``/proc`` that shows only its own processes. :func:`drop_privileges` then
drops every capability for good (bounding set, ambient set, effective,
permitted and inheritable sets) and forbids gaining new ones, as
``bwrap --cap-drop ALL`` does. Two submissions therefore never share a file,
a process or a segment of memory: each is a copy-on-write fork of a process
that never ran student code.

Only the standard library is used (ctypes on glibc); every call that fails
raises :class:`OSError`, and the zygote then refuses to run the submission.
"""

from __future__ import annotations

import ctypes
import os

__all__ = ["drop_privileges", "isolate", "mount_proc", "set_no_dump"]

CLONE_NEWNS = 0x00020000
CLONE_NEWIPC = 0x08000000
CLONE_NEWPID = 0x20000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 16384
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_SET_DUMPABLE = 4
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
_CAP_VERSION_3 = 0x20080522

_libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        errno = ctypes.get_errno()
        raise OSError(errno, f"{what}: {os.strerror(errno)}")


def _mount(
    source: str | None, target: str, fstype: str | None, flags: int, data: str | None
) -> None:
    _check(
        _libc.mount(
            None if source is None else source.encode(),
            target.encode(),
            None if fstype is None else fstype.encode(),
            ctypes.c_ulong(flags),
            None if data is None else data.encode(),
        ),
        f"mount {target}",
    )


def _prctl(option: int, arg: int = 0) -> None:
    _check(
        _libc.prctl(
            option,
            ctypes.c_ulong(arg),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        ),
        f"prctl {option}",
    )


def isolate(tmpfs_mb: int) -> None:
    """New mount, PID and IPC namespaces; fresh writable folders of ``tmpfs_mb``.

    The next process this one forks is process 1 of the new PID namespace.
    """
    _check(_libc.unshare(CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC), "unshare")
    _mount(None, "/", None, MS_REC | MS_PRIVATE, None)
    for path, size in (("/sandbox", tmpfs_mb), ("/tmp", tmpfs_mb), ("/dev/shm", 64)):
        if os.path.isdir(path):
            _mount(
                "tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, f"size={size}m,mode=1777"
            )
    _mount(None, "/dev", None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID, None)


def mount_proc() -> None:
    """A ``/proc`` for the current PID namespace (call as its process 1)."""
    _mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, None)


def set_no_dump() -> None:
    """Nobody without privileges may trace this process or read its memory."""
    _prctl(PR_SET_DUMPABLE, 0)


def die_with_parent() -> None:
    """Be killed when the parent process dies."""
    import signal

    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


def drop_privileges() -> None:
    """Drop every capability of this process for good, and forbid new privileges."""
    with open("/proc/sys/kernel/cap_last_cap") as handle:
        last = int(handle.read())
    for cap in range(last + 1):
        _prctl(PR_CAPBSET_DROP, cap)
    _check(
        _libc.prctl(
            PR_CAP_AMBIENT,
            ctypes.c_ulong(PR_CAP_AMBIENT_CLEAR_ALL),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
            ctypes.c_ulong(0),
        ),
        "prctl ambient",
    )
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")
    _prctl(PR_SET_NO_NEW_PRIVS, 1)
    with open("/proc/self/status") as handle:
        status = dict(line.split(":", 1) for line in handle if ":" in line)
    for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
        if int(status.get(key, "0").strip() or "0", 16) != 0:
            raise OSError(1, f"capabilities remain after dropping them ({key})")
