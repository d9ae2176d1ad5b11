"""Schema migrations: bring a tracking database to :data:`HEAD_REVISION` with Alembic.

Alembic is imported only when a database actually needs upgrading, so opening an up-to-date
store costs one small query.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError
from ardea.store.sql._db.engine import normalize_uri

__all__ = [
    "HEAD_REVISION",
    "VERSION_TABLE",
    "current_revision",
    "pending_revisions",
    "upgrade",
    "upgrade_connection",
]

HEAD_REVISION = "0025_trace_retention"
"""The newest revision in ``migrations/versions`` (a test checks it against Alembic)."""

VERSION_TABLE = "ardea_alembic_version"
"""Alembic's version table; distinct from MLflow's ``alembic_version``."""

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_log = logging.getLogger(__name__)
_PG_LOCK_KEY = 0x41524445  # "ARDE": serializes concurrent upgrades of one database


def current_revision(conn: Connection) -> str | None:
    """The revision stored in the database, or None for a database Ardea never migrated."""
    if not sa.inspect(conn).has_table(VERSION_TABLE):
        return None
    rows = conn.execute(sa.text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars().all()
    return str(rows[0]) if rows else None


def _alembic_config(
    conn: Connection,
    on_step: Callable[[str], None] | None = None,
    progress: Callable[[str], None] | None = None,
) -> Any:
    """Alembic's config on ``conn``; revisions may report long steps through ``progress``."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.attributes["connection"] = conn
    cfg.attributes["on_step"] = on_step
    cfg.attributes["progress"] = progress
    return cfg


def pending_revisions(conn: Connection) -> list[str]:
    """The revisions an upgrade of the database behind ``conn`` would apply, oldest first."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(conn))
    current = current_revision(conn)
    steps = script.iterate_revisions(HEAD_REVISION, current)  # newest first
    return [rev.revision for rev in reversed(list(steps))]


def _reporter(pending: list[str], progress: Callable[[str], None]) -> Callable[[str], None]:
    """``on_step`` for Alembic: one line per applied revision, with its time and position."""
    started = [time.perf_counter()]
    total = len(pending)

    def on_step(revision: str) -> None:
        now = time.perf_counter()
        done = pending.index(revision) + 1 if revision in pending else "?"
        progress(f"  applied {revision} ({done}/{total}) in {now - started[0]:.2f} s")
        started[0] = now

    return on_step


def upgrade_connection(conn: Connection, progress: Callable[[str], None] | None = None) -> None:
    """Upgrade the database behind ``conn`` to head, inside the caller's transaction.

    Concurrent upgrades of one PostgreSQL or MySQL database are serialized with a lock, and
    the revision is re-read under it, so several servers may start at once.

    Args:
        conn: A connection in a transaction.
        progress: Called with a line of text before the upgrade (what it will apply) and
            after each revision (its time); by default the lines go to this module's logger.
    """
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
    elif conn.dialect.name == "mysql":
        conn.execute(sa.text("SELECT GET_LOCK('ardea_migrate', 120)"))
    try:
        if current_revision(conn) == HEAD_REVISION:
            return
        from alembic import command

        report = progress or _log.info
        pending = pending_revisions(conn)
        report(f"Upgrading the database schema: {len(pending)} to apply ({', '.join(pending)})")
        command.upgrade(_alembic_config(conn, _reporter(pending, report), report), "head")
    finally:
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SELECT RELEASE_LOCK('ardea_migrate')"))


def _transactional_sqlite(engine: sa.Engine) -> None:
    """Make ``engine``'s SQLite upgrades one transaction, with foreign key enforcement off.

    pysqlite commits DDL as it goes unless the transaction is begun explicitly (SQLAlchemy's
    recipe), and revisions that rebuild a table need foreign keys off (see
    :meth:`~ardea.store.sql._db.engine.Database.write_without_foreign_keys`).
    """

    @sa.event.listens_for(engine, "connect")
    def _connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        dbapi_conn.execute("PRAGMA foreign_keys=OFF")
        dbapi_conn.execute("PRAGMA busy_timeout=30000")

    @sa.event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def upgrade(uri: str, progress: Callable[[str], None] | None = None) -> None:
    """Upgrade the database at ``uri`` to :data:`HEAD_REVISION` (no-op when already there).

    Args:
        uri: A database URI, or a data folder / SQLite file path as tracking URIs allow.
        progress: Receives a line per step (see :func:`upgrade_connection`).

    Raises:
        InvalidArgumentError: ``uri`` is a server (``http(s)://``) or unsupported URI.
    """
    from ardea.store.uri import sql_uri_for

    sql_uri = sql_uri_for(uri)
    if sql_uri is None:
        raise InvalidArgumentError(f"{uri!r} is a server URI, not a database: nothing to upgrade")
    engine = sa.create_engine(normalize_uri(sql_uri), poolclass=sa.pool.NullPool)
    if engine.dialect.name == "sqlite":
        _transactional_sqlite(engine)
    try:
        with engine.begin() as conn:
            upgrade_connection(conn, progress)
    finally:
        engine.dispose()
