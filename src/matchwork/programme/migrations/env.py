"""Alembic environment: migrate the connection :mod:`matchwork.programme.db` hands over.

Run only by :func:`matchwork.programme.db.upgrade` (``Config.attributes["connection"]``);
importing this module anywhere else does nothing.
"""

from __future__ import annotations

from alembic import context

from matchwork.programme.db import VERSION_TABLE
from matchwork.programme.tables import metadata


def run() -> None:
    """Run the migrations on the connection given in the config's attributes (online mode only)."""
    connection = context.config.attributes["connection"]
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if getattr(context, "config", None) is not None:  # inside an Alembic command, not a doctest collector
    run()
