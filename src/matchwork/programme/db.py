"""Opening the programme database: engines, SQLite settings, and Alembic migrations run from the package.

The schema is made only by the migrations in ``migrations/versions``; they run
programmatically (no ``alembic.ini`` on disk) on a connection this module opens.

Examples
--------
>>> engine = make_engine("sqlite://")
>>> upgrade(engine)
'0003'
>>> revisions(engine)
('0003', '0003')
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.pool import StaticPool

__all__ = ["MIGRATIONS", "VERSION_TABLE", "alembic_config", "make_engine", "revisions", "upgrade", "url_of"]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
"""The Alembic script folder shipped inside the package."""
VERSION_TABLE = "matchwork_programme_version"
"""Alembic's bookkeeping table, named so that it can live beside other applications' migrations."""
LOGGING_NAME = "matchwork.programme"
"""The engines' logger is ``sqlalchemy.engine.Engine.matchwork.programme``; it never logs rows (DEBUG)."""


def url_of(target: str | os.PathLike[str]) -> sa.URL:
    """A SQLAlchemy URL from a URL string or a path to a SQLite file.

    >>> url_of("history.db").render_as_string()
    'sqlite:///history.db'
    >>> url_of("postgresql+psycopg://office:secret@db/programme").render_as_string(hide_password=True)
    'postgresql+psycopg://office:***@db/programme'
    """
    text = os.fspath(target)
    if "://" not in text:
        return sa.make_url(f"sqlite:///{text}")
    return sa.make_url(text)


def make_engine(target: str | os.PathLike[str] | sa.URL, **kwargs: Any) -> sa.Engine:
    """An engine for the programme database.

    Statement parameters are never shown in SQLAlchemy's logs and errors
    (``hide_parameters``), and the engine's logger drops the rows SQLAlchemy logs
    when ``sqlalchemy.engine`` is set to DEBUG: both may
    be health or referral data (the round documents). SQLite gets foreign
    keys and real transactions (``BEGIN`` emitted by SQLAlchemy, DDL included);
    an in-memory SQLite database keeps one connection so that it lives as long as
    the engine.
    """
    url = target if isinstance(target, sa.URL) else url_of(target)
    options: dict[str, Any] = {"hide_parameters": True, "logging_name": LOGGING_NAME, **kwargs}
    logger = logging.getLogger(f"sqlalchemy.engine.Engine.{options['logging_name']}")
    if _no_rows not in logger.filters:
        logger.addFilter(_no_rows)
    sqlite = url.get_backend_name() == "sqlite"
    if sqlite and url.database in (None, "", ":memory:"):
        options.setdefault("poolclass", StaticPool)
        options.setdefault("connect_args", {"check_same_thread": False})
    engine = sa.create_engine(url, **options)
    if sqlite:

        @sa.event.listens_for(engine, "connect")
        def _connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None  # let SQLAlchemy emit BEGIN, so DDL is transactional too
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys = ON")
            cursor.close()

        @sa.event.listens_for(engine, "begin")
        def _begin(connection: sa.Connection) -> None:
            connection.exec_driver_sql("BEGIN")

    return engine


def _no_rows(record: logging.LogRecord) -> bool:
    """Drop SQLAlchemy's DEBUG records (the rows read, which may be round documents); keep the statements."""
    return record.levelno >= logging.INFO


def alembic_config(connection: sa.Connection | None = None) -> Config:
    """An Alembic configuration pointing at the shipped migrations, optionally bound to ``connection``."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def upgrade(engine: sa.Engine, revision: str = "head") -> str:
    """Migrate the database to ``revision`` (default: the newest) in one transaction; returns the revision."""
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), revision)
        current = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
    return current or ""


def revisions(engine: sa.Engine) -> tuple[str | None, str]:
    """``(current, head)``: the database's schema revision (None if never migrated) and the package's newest."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head() or ""
    with engine.connect() as connection:
        current = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE}).get_current_revision()
    return current, head
