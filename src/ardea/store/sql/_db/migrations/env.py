"""Alembic environment for the tracking schema, driven programmatically by ``migrate.py``.

``migrate.upgrade`` passes an open connection in ``config.attributes["connection"]`` and a
progress callback in ``config.attributes["on_step"]`` (called with each applied revision);
without a connection (the ``alembic`` command line), an engine is built from
``sqlalchemy.url``.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import context

from ardea.store.sql._db.migrate import VERSION_TABLE
from ardea.store.sql.schema import metadata

config = context.config


def _run(connection: sa.Connection) -> None:
    on_step = config.attributes.get("on_step")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        version_table=VERSION_TABLE,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        on_version_apply=(
            (lambda ctx, step, heads, run_args: on_step(step.up_revision_id)) if on_step else None
        ),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = sa.create_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise RuntimeError("Offline (SQL script) migrations are not supported")
run_migrations_online()
