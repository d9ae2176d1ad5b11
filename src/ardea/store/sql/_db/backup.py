"""Backups of a tracking database: SQLite's online backup API, PostgreSQL's ``pg_dump``.

SQLite (:func:`backup_sqlite`): ``sqlite3.Connection.backup`` copies the database page by
page into a temporary file beside the target, which is renamed into place once complete, so
a target never holds half a backup. It is safe while a server writes: the copy is a snapshot
of committed transactions. When another connection writes between two steps, SQLite restarts
the copy; after :data:`MAX_RESTARTS` restarts the rest is copied in one step (one read
transaction, which in WAL mode does not block the writer), so a busy server cannot starve a
backup. :func:`restore_sqlite` copies a backup into a database file the same way.

PostgreSQL (:func:`pg_dump_command`): ``pg_dump -Fc`` (the custom format ``pg_restore``
reads), connection details passed through libpq's environment variables, never on the
command line, where other users could read the password.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote

import sqlalchemy as sa

__all__ = [
    "MAX_RESTARTS",
    "PAGES_PER_STEP",
    "BackupError",
    "backup_sqlite",
    "check_sqlite_backup",
    "pg_dump_command",
    "restore_sqlite",
]

PAGES_PER_STEP = 1024
"""Pages copied per backup step (4 MiB with SQLite's default page size)."""
MAX_RESTARTS = 3
"""Restarts of a paged SQLite backup (a write came between two steps) before the rest is
copied in one step."""

Progress = Callable[[int, int], None]
"""Called with ``(pages copied, pages in total)`` after each step."""


class BackupError(Exception):
    """A backup or restore that cannot be made; the message says why and what to do."""


class _Restarted(Exception):
    """The paged copy restarted too often."""


def _copy(
    source: sqlite3.Connection,
    target: sqlite3.Connection,
    pages: int,
    progress: Progress | None,
) -> None:
    """Copy ``source`` into ``target``; falls back to one step after too many restarts."""
    state = {"remaining": -1, "restarts": 0}

    def step(_status: int, remaining: int, total: int) -> None:
        # A step that copied pages leaves fewer to copy; one that did not was a restart.
        if state["remaining"] >= 0 and remaining >= state["remaining"]:
            state["restarts"] += 1
            if state["restarts"] > MAX_RESTARTS:
                raise _Restarted
        state["remaining"] = remaining
        if progress is not None:
            progress(total - remaining, total)

    try:
        source.backup(target, pages=pages, progress=step)
    except _Restarted:
        source.backup(target, pages=-1)
        if progress is not None:
            progress(1, 1)


def backup_sqlite(
    database: Path, target: Path, *, pages: int = PAGES_PER_STEP, progress: Progress | None = None
) -> None:
    """Copy the SQLite database file ``database`` to ``target`` (replaced when complete).

    Raises:
        BackupError: ``database`` is no SQLite database.
    """
    if not database.is_file():
        raise BackupError(f"There is no database file at {database}")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            _copy(source, copy, pages, progress)
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        finally:
            copy.close()
    except sqlite3.DatabaseError as exc:
        partial.unlink(missing_ok=True)
        raise BackupError(f"Cannot back up {database}: {exc}") from None
    finally:
        source.close()
    os.replace(partial, target)


def check_sqlite_backup(path: Path) -> None:
    """Raise :class:`BackupError` unless ``path`` is a sound SQLite file of a tracking store."""
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path} is not a SQLite database: {exc}") from None
    if result != "ok":
        raise BackupError(f"{path} is damaged: {result}")
    versioned = "ardea_alembic_version" in tables or "alembic_version" in tables  # or MLflow's
    if not versioned or "experiments" not in tables:
        raise BackupError(f"{path} is not a backup of an Ardea (or MLflow) tracking database")


def restore_sqlite(
    backup: Path, database: Path, *, pages: int = PAGES_PER_STEP, progress: Progress | None = None
) -> None:
    """Copy the backup file ``backup`` over the SQLite database ``database``.

    The copy goes through SQLite (the backup API, under the database's own lock), so a
    database left with a write-ahead log is replaced whole, log included. Whether the target
    may be overwritten is the caller's to decide.

    Raises:
        BackupError: ``backup`` is not a sound backup (:func:`check_sqlite_backup`).
    """
    check_sqlite_backup(backup)
    database.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        target = sqlite3.connect(database)
        try:
            _copy(source, target, pages, progress)
            target.execute("PRAGMA journal_mode=WAL")  # as the server opens it
        finally:
            target.close()
    finally:
        source.close()


def pg_dump_command(uri: str, target: Path) -> tuple[list[str], dict[str, str]]:
    """The ``pg_dump -Fc`` argv for a PostgreSQL URI, and the libpq variables it needs.

    The password (and every other connection detail) goes into ``PG*`` environment
    variables; the argv holds only the options and the output file.
    """
    url = sa.engine.make_url(uri)
    env: dict[str, str] = {}
    for var, part in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if part not in (None, ""):
            env[var] = unquote(str(part))
    query = dict(url.query)
    options = query.get("options")
    if isinstance(options, str):
        env["PGOPTIONS"] = options
    with contextlib.suppress(KeyError):
        env["PGSSLMODE"] = str(query["sslmode"])
    argv = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}"]
    return argv, env
