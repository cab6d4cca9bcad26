"""Start a throw-away PostgreSQL server for tests that need a real one.

nbgrader keeps its gradebook in SQLite unless ``db_url`` names another
database; the tests that exercise the PostgreSQL path use
:func:`postgres_server`, which runs Debian's server binaries (package
``postgresql``, installed by ``scripts/system_deps.sh``) on a private data
directory. The server listens on a Unix socket only, in a directory of its
own, on a port no other process holds, so a system cluster on port 5432 (the
one Debian's package may create) neither helps nor gets in the way.

PostgreSQL refuses to run as root. When the tests run as root, ``initdb`` and
``pg_ctl`` run as the ``postgres`` system user (created by the Debian package),
or as ``nobody`` where there is none, in a directory under ``/tmp`` that this
user owns: pytest's own temporary folders are private to root.
"""

from __future__ import annotations

import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

PG_LIB = Path("/usr/lib/postgresql")
USER = "grader"
DBNAME = "gradebook"
SERVER_BINARIES = ("initdb", "pg_ctl", "postgres")

# A Unix socket path ("<dir>/.s.PGSQL.<port>") must fit in sun_path (108 bytes
# with the final NUL). Directories longer than this, or with characters that a
# URL, libpq's comma-separated host list or pg_ctl's shell command line would
# read differently, are replaced by a fresh directory under /tmp.
_MAX_DIR = 107 - len("/.s.PGSQL.65535") - len("/pgsock")
_SAFE_PATH = re.compile(r"[A-Za-z0-9_./-]+")
_RUN_AS = ("postgres", "nobody")
_TIMEOUT = 120


class PostgresError(RuntimeError):
    """The PostgreSQL test server could not be found, started or stopped."""


def find_pg_bin(root: Path = PG_LIB) -> Path:
    """The newest ``<root>/<version>/bin`` that holds the server binaries.

    Parameters
    ----------
    root : Path
        Where Debian installs PostgreSQL, one folder per major version.

    Returns
    -------
    Path
        The ``bin`` folder of the highest version in which ``initdb``,
        ``pg_ctl`` and ``postgres`` are all executable files.

    Raises
    ------
    PostgresError
        If no version folder holds all three.
    """
    found = []
    for bindir in root.glob("*/bin"):
        version = tuple(int(n) for n in re.findall(r"\d+", bindir.parent.name))
        if all(os.access(bindir / name, os.X_OK) for name in SERVER_BINARIES):
            found.append((version, bindir))
    if not found:
        raise PostgresError(
            "PostgreSQL server binaries not found: no "
            f"{root}/<version>/bin holds {', '.join(SERVER_BINARIES)}; "
            "run `bash scripts/system_deps.sh` (as root, or install the Debian "
            "package `postgresql`)"
        )
    return max(found)[1]


def _free_port() -> int:
    """A TCP port that no process holds now.

    With ``listen_addresses = ''`` the port only names the socket file in our
    private socket directory, so any port would do; a free one keeps the server
    usable should TCP ever be switched on. Where the loopback interface cannot
    be bound (a network namespace without ``lo``), PostgreSQL's default is
    just as good.
    """
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            return sock.getsockname()[1]
    except OSError:
        return 5432


def _clean_env() -> dict[str, str]:
    # PGDATA, PGPORT, PGHOST, PGOPTIONS... from the caller must not redirect
    # the server or the client tools; LC_ALL=C keeps messages in English.
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _run(cmd: list[str], *, as_user: pwd.struct_passwd | None, cwd: Path) -> None:
    """Run ``cmd``, as ``as_user`` when given; raise with its output if it fails."""
    kwargs = {}
    if as_user is not None:
        kwargs = {
            "user": as_user.pw_uid,
            "group": as_user.pw_gid,
            "extra_groups": os.getgrouplist(as_user.pw_name, as_user.pw_gid),
        }
    try:
        done = subprocess.run(
            cmd,
            cwd=cwd,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=_TIMEOUT,
            check=False,
            **kwargs,
        )
    except subprocess.TimeoutExpired as exc:
        raise PostgresError(f"{cmd[0]} did not finish in {_TIMEOUT} s") from exc
    if done.returncode != 0:
        who = f" (as user {as_user.pw_name})" if as_user else ""
        raise PostgresError(
            f"{' '.join(cmd)}{who} failed with exit code {done.returncode}:\n"
            f"{done.stdout}{done.stderr}"
        )


def _run_as() -> pwd.struct_passwd | None:
    """The unprivileged user to run the server as, or None when not root."""
    if os.geteuid() != 0:
        return None
    for name in _RUN_AS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise PostgresError(
        "PostgreSQL cannot run as root and neither the `postgres` nor the "
        "`nobody` user exists; run the tests as an ordinary user or create one"
    )


def _conf_str(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


@contextmanager
def postgres_server(tmp_path: Path) -> Iterator[str]:
    """Run a private PostgreSQL server for the duration of a ``with`` block.

    Parameters
    ----------
    tmp_path : Path
        A writable folder for the data directory (``pgdata``), the socket
        directory (``pgsock``) and the server log (``pgserver.log``). When the
        caller is root, or the path is too long for a Unix socket, a folder
        made with :func:`tempfile.mkdtemp` under ``/tmp`` is used instead and
        removed afterwards.

    Yields
    ------
    str
        A SQLAlchemy URL for the empty database ``gradebook``, owned by the
        superuser ``grader`` (no password: the server trusts local users),
        such as ``postgresql+psycopg2://grader@/gradebook?host=/tmp/pgx/pgsock&port=5433``.

    Raises
    ------
    PostgresError
        If the server binaries are missing, or ``initdb``, ``pg_ctl`` or
        ``createdb`` fail (the message holds their output and the server log).

    Notes
    -----
    The server runs with ``fsync=off``: it is fast and loses data on a crash,
    which a test does not care about. On leaving the block it is stopped with
    ``pg_ctl stop -m immediate`` and its folders are deleted. Use it as::

        with postgres_server(tmp_path) as url:
            with Gradebook(url, course_id="data-ethics") as gb:
                ...
    """
    bindir = find_pg_bin()
    as_user = _run_as()
    tmp_path = Path(tmp_path).resolve()
    own_dir = None
    if (
        as_user is None
        and len(str(tmp_path)) <= _MAX_DIR
        and _SAFE_PATH.fullmatch(str(tmp_path))
    ):
        base = tmp_path
    else:
        base = own_dir = Path(tempfile.mkdtemp(prefix="pg", dir="/tmp"))
    data, sockdir, log = base / "pgdata", base / "pgsock", base / "pgserver.log"
    port = _free_port()
    started = False
    try:
        sockdir.mkdir()
        if as_user is not None:
            os.chown(base, as_user.pw_uid, as_user.pw_gid)
            os.chown(sockdir, as_user.pw_uid, as_user.pw_gid)
        _run(
            [
                str(bindir / "initdb"),
                "--pgdata",
                str(data),
                "--auth=trust",
                f"--username={USER}",
                "--encoding=UTF8",
                "--no-locale",
                "--no-sync",
            ],
            as_user=as_user,
            cwd=base,
        )
        # Settings go in postgresql.conf rather than `pg_ctl -o`, which pg_ctl
        # passes through a shell.
        settings = {
            "listen_addresses": _conf_str(""),
            "port": str(port),
            "unix_socket_directories": _conf_str(str(sockdir)),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with open(data / "postgresql.conf", "a", encoding="utf-8") as conf:
            conf.write("\n# tests/postgres.py\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        try:
            started = True
            _run(
                [
                    str(bindir / "pg_ctl"),
                    "start",
                    "--pgdata",
                    str(data),
                    "--log",
                    str(log),
                    "--wait",
                    f"--timeout={_TIMEOUT}",
                    "--silent",
                ],
                as_user=as_user,
                cwd=base,
            )
        except PostgresError as exc:
            tail = log.read_text(errors="replace")[-4000:] if log.exists() else ""
            raise PostgresError(f"{exc}\nserver log {log}:\n{tail}") from None
        _run(
            [
                str(bindir / "createdb"),
                f"--host={sockdir}",
                f"--port={port}",
                f"--username={USER}",
                DBNAME,
            ],
            as_user=None,
            cwd=base,
        )
        yield (
            f"postgresql+psycopg2://{USER}@/{DBNAME}"
            f"?host={quote(str(sockdir), safe='/')}&port={port}"
        )
    finally:
        try:
            if started:
                _stop(bindir, data, as_user=as_user, cwd=base)
        finally:
            if own_dir is not None:
                shutil.rmtree(own_dir)
            else:
                for folder in (data, sockdir):
                    if folder.exists():
                        shutil.rmtree(folder)


def _stop(bindir: Path, data: Path, *, as_user: pwd.struct_passwd | None, cwd: Path):
    """Stop the server at once; a server that is not running is not an error."""
    try:
        _run(
            [
                str(bindir / "pg_ctl"),
                "stop",
                "--pgdata",
                str(data),
                "--mode=immediate",
                "--wait",
                "--silent",
            ],
            as_user=as_user,
            cwd=cwd,
        )
    except PostgresError:
        if (data / "postmaster.pid").exists():
            raise
