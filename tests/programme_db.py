"""Databases for the programme tests: a SQLite file, and a throwaway PostgreSQL server when one can be started.

The server is a fresh cluster in a temporary folder on a free port, run by an
unprivileged user (PostgreSQL refuses to run as root); its binaries are looked up
where Debian puts them and installed with apt-get when missing and allowed (root).
When none of that is possible the PostgreSQL tests are skipped with the reason.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

BACKENDS = ("sqlite", "postgresql")


def _pg_bin() -> Path | None:
    """The folder with ``initdb`` and ``pg_ctl``: the newest Debian install, or on PATH."""
    for folder in sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: p.parent.name, reverse=True):
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(os.path.realpath(initdb)).parent
    return None


def _install_postgresql() -> None:
    if shutil.which("apt-get") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-qq"], check=False, env=env, capture_output=True, timeout=600)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"], check=False, env=env, capture_output=True, timeout=900
        )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _runner() -> tuple[list[str], int | None]:
    """The command prefix that runs as an unprivileged user, and that user's uid (None: ourselves)."""
    if os.geteuid() != 0:
        return [], None
    for name in ("postgres", "nobody"):
        try:
            uid = pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
        tool = shutil.which("runuser") or shutil.which("su")
        if tool and tool.endswith("runuser"):
            return [tool, "-u", name, "--"], uid
        if tool:
            return [tool, name, "-s", "/bin/sh", "-c"], uid  # pragma: no cover - su fallback joins the command
    raise RuntimeError("running as root with no unprivileged user to run PostgreSQL as")


@contextlib.contextmanager
def postgresql_server() -> Iterator[str]:
    """Start a throwaway PostgreSQL cluster; yields an admin URL. Raises RuntimeError saying why it cannot."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        raise RuntimeError("psycopg (v3) is not installed: pip install 'psycopg[binary]'") from None
    folder = _pg_bin()
    if folder is None:
        _install_postgresql()
        folder = _pg_bin()
    if folder is None:
        raise RuntimeError("PostgreSQL is not installed and cannot be installed here (needs root and apt-get)")
    prefix, uid = _runner()
    if prefix and prefix[0].endswith("su"):  # pragma: no cover - no runuser on this machine
        raise RuntimeError("only su is available to drop root privileges; the tests need runuser")
    tmp = Path(tempfile.mkdtemp(prefix="matchwork-pg-"))
    if uid is not None:
        os.chown(tmp, uid, -1)
    data, log, port = tmp / "data", tmp / "server.log", _free_port()
    try:
        init = subprocess.run(
            [*prefix, str(folder / "initdb"), "-D", str(data), "-A", "trust", "-U", "postgres", "-E", "UTF8",
             "--locale=C", "--no-sync"],
            capture_output=True, text=True, timeout=120, cwd=tmp,
        )  # fmt: skip
        if init.returncode != 0:
            raise RuntimeError(f"initdb failed: {(init.stderr or init.stdout).strip().splitlines()[-1:]}")
        options = f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off"
        start = subprocess.run(
            [*prefix, str(folder / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "-t", "60",
             "start"],
            capture_output=True, text=True, timeout=120, cwd=tmp,
        )  # fmt: skip
        if start.returncode != 0:
            tail = log.read_text(errors="replace").strip().splitlines()[-3:] if log.exists() else []
            raise RuntimeError(f"PostgreSQL did not start: {tail}")
        try:
            yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                [*prefix, str(folder / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"],
                capture_output=True, timeout=120, cwd=tmp,
            )  # fmt: skip
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def fresh_database(admin_url: str) -> str:
    """A new empty database on the server; returns its URL."""
    name = f"programme_{uuid.uuid4().hex[:12]}"
    engine = sa.create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + f"/{name}"


_SERVER: list[str | RuntimeError] = []
_STACK = contextlib.ExitStack()


def shared_server() -> str:
    """One PostgreSQL server for the whole test session, stopped at exit; RuntimeError (cached) if none."""
    if not _SERVER:
        try:
            _SERVER.append(_STACK.enter_context(postgresql_server()))
            atexit.register(_STACK.close)
        except RuntimeError as exc:
            _SERVER.append(exc)
    found = _SERVER[0]
    if isinstance(found, RuntimeError):
        raise found
    return found


def database_url(backend: str, tmp_path: Path) -> str:
    """A fresh empty programme database of ``backend``; skips (with the reason) when PostgreSQL cannot run."""
    if backend == "sqlite":
        return f"sqlite:///{tmp_path / 'programme.db'}"
    try:
        admin = shared_server()
    except RuntimeError as exc:
        pytest.skip(f"PostgreSQL tests skipped: {exc}")
    return fresh_database(admin)


def snapshot(engine: sa.Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every programme table, sorted: to compare a database before and after."""
    from matchwork.programme.tables import metadata

    with engine.connect() as conn:
        return {
            name: sorted((tuple(map(repr, row)) for row in conn.execute(sa.select(table))), key=repr)
            for name, table in metadata.tables.items()
        }


def apply_grants(conn: sa.Connection, script: str) -> None:
    """Run the SQL of the docs' grants; a role already made on the shared server (by another test) is kept."""
    for statement in script.split(";"):
        words = [w for line in statement.splitlines() if not line.strip().startswith("--") for w in line.split()]
        if not words:
            continue
        if words[:2] == ["CREATE", "ROLE"]:
            name = words[2]
            if conn.execute(sa.text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first():
                continue
        conn.exec_driver_sql(statement)
