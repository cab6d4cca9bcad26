"""tests/postgres.py starts a real PostgreSQL server that nbgrader can use."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa
from nbgrader.api import Gradebook

from tests.postgres import PostgresError, find_pg_bin, postgres_server

ROOT = Path(__file__).resolve().parents[1]
SYSTEM_DEPS = ROOT / "scripts" / "system_deps.sh"
BIN = Path(sys.executable).parent


def _socket(url: str) -> Path:
    """The socket file that ``url`` connects to."""
    query = parse_qs(urlsplit(url).query)
    return Path(query["host"][0]) / f".s.PGSQL.{query['port'][0]}"


def _make_bin(root: Path, version: str, names: tuple[str, ...]) -> Path:
    bindir = root / version / "bin"
    bindir.mkdir(parents=True)
    for name in names:
        (bindir / name).write_text("#!/bin/sh\n")
        (bindir / name).chmod(0o755)
    return bindir


def test_find_pg_bin_takes_the_newest_complete_version(tmp_path):
    _make_bin(tmp_path, "9.6", ("initdb", "pg_ctl", "postgres"))
    newest_complete = _make_bin(tmp_path, "15", ("initdb", "pg_ctl", "postgres"))
    _make_bin(tmp_path, "16", ("pg_ctl", "psql"))  # a client-only install
    assert find_pg_bin(tmp_path) == newest_complete


def test_find_pg_bin_says_how_to_install(tmp_path):
    _make_bin(tmp_path, "15", ("initdb", "pg_ctl"))
    (tmp_path / "15" / "bin" / "postgres").write_text("not executable")
    with pytest.raises(PostgresError, match=r"server binaries not found.*system_deps"):
        find_pg_bin(tmp_path)


def test_system_deps_is_silent_when_everything_is_installed():
    done = subprocess.run(
        ["bash", str(SYSTEM_DEPS)], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "", "")


def test_system_deps_tells_a_non_root_user_what_to_install():
    # With an empty PATH bwrap cannot be found; as a non-root user the script
    # must not try apt-get but print the command. The script goes in on stdin:
    # `nobody` may not be able to read the checkout.
    as_nobody = {"user": "nobody"} if os.geteuid() == 0 else {}
    done = subprocess.run(
        ["/bin/bash", "-s"],
        input=SYSTEM_DEPS.read_text(),
        env={"PATH": "/nonexistent"},
        cwd="/",
        capture_output=True,
        text=True,
        check=False,
        **as_nobody,
    )
    assert done.returncode == 1
    assert "missing Debian packages: bubblewrap" in done.stderr
    assert "sudo apt-get install" in done.stderr
    assert done.stdout == ""


@pytest.mark.slow
def test_server_stores_and_returns_rows(tmp_path):
    with postgres_server(tmp_path) as url:
        assert url.startswith("postgresql+psycopg2://grader@/gradebook?host=/")
        engine = sa.create_engine(url)
        try:
            with engine.begin() as conn:
                conn.execute(sa.text("CREATE TABLE grade (student text, score int)"))
                conn.execute(
                    sa.text("INSERT INTO grade VALUES (:s, :p)"),
                    [{"s": "alice", "p": 7}, {"s": "bob", "p": 9}],
                )
            with engine.connect() as conn:
                rows = conn.execute(
                    sa.text("SELECT student, score FROM grade ORDER BY student")
                ).all()
                settings = conn.execute(
                    sa.text(
                        "SELECT current_setting('listen_addresses'),"
                        " current_setting('fsync'), current_user"
                    )
                ).one()
            assert engine.dialect.name == "postgresql"
        finally:
            engine.dispose()
        assert [tuple(r) for r in rows] == [("alice", 7), ("bob", 9)]
        assert tuple(settings) == ("", "off", "grader")


@pytest.mark.slow
def test_server_is_stopped_and_removed_even_when_the_block_fails(tmp_path):
    with pytest.raises(ZeroDivisionError):
        with postgres_server(tmp_path) as url:
            assert _socket(url).is_socket()
            1 / 0  # noqa: B018
    assert not _socket(url).parent.exists()
    assert not (tmp_path / "pgdata").exists()
    engine = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.OperationalError):
            engine.connect()
    finally:
        engine.dispose()


@pytest.mark.slow
def test_nbgrader_gradebook_runs_on_postgres(tmp_path, monkeypatch):
    # A new gradebook asks the `alembic` command for its schema version; `make`
    # puts the virtual environment's bin/ on PATH, a bare `pytest` may not.
    monkeypatch.setenv("PATH", f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    with postgres_server(tmp_path) as url:
        with Gradebook(url, course_id="data-ethics") as gb:
            gb.add_student("alice")
            assert [s.id for s in gb.students] == ["alice"]
        # Reopening finds the same rows: they are in PostgreSQL, not in memory.
        with Gradebook(url, course_id="data-ethics") as gb:
            assert [s.id for s in gb.students] == ["alice"]
        engine = sa.create_engine(url)
        try:
            tables = set(sa.inspect(engine).get_table_names())
        finally:
            engine.dispose()
        assert {"student", "assignment", "alembic_version"} <= tables
