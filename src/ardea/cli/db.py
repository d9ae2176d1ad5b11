"""``ardea db``: database maintenance (``upgrade``, ``backup``, ``restore``)."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import click

from ardea._core.env import ARDEA_TRACKING_URI, DEFAULT_DATA_DIR, MLFLOW_TRACKING_URI
from ardea.cli._common import CONTEXT, ArdeaGroup

__all__ = ["db"]


@click.group("db", cls=ArdeaGroup, context_settings=CONTEXT)
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.argument("uri", required=False, envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI])
def db_upgrade(uri: str | None) -> None:
    """Migrate the tracking database at URI to the newest schema.

    URI: a database URI (sqlite:///, postgresql://, mysql://), a data folder or a .db file.
    Default: $ARDEA_TRACKING_URI, else $MLFLOW_TRACKING_URI, else ./ardea-data (the
    database `ardea server` and the SDK use when nothing is configured).
    """
    from ardea.store.sql._db.migrate import upgrade
    from ardea.store.uri import default_tracking_uri, is_server_uri, redact_uri

    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        raise click.UsageError(
            f"{redact_uri(uri)} is a server: give the database URI it runs on (its "
            f"--backend-store-uri), or a data folder (default ./{DEFAULT_DATA_DIR})."
        )
    upgrade(uri, progress=click.echo)
    click.echo(f"Database {redact_uri(uri)} is up to date.")


def _sql_uri(uri: str | None) -> str:
    """The database URI of ``uri`` (a URI, data folder or .db file; default: as db upgrade)."""
    from ardea.store.uri import default_tracking_uri, is_server_uri, redact_uri, sql_uri_for

    uri = uri or default_tracking_uri()
    found = None if is_server_uri(uri) else sql_uri_for(uri)
    if found is None:
        raise click.UsageError(
            f"{redact_uri(uri)} is a server: give the database URI it runs on (its "
            f"--backend-store-uri), or a data folder (default ./{DEFAULT_DATA_DIR})."
        )
    return found


def _sqlite_path(uri: str) -> Path | None:
    """The file of a ``sqlite:///`` URI (None for other databases and in-memory SQLite)."""
    import sqlalchemy as sa

    url = sa.engine.make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    if url.database in (None, "", ":memory:"):
        raise click.UsageError("An in-memory SQLite database has nothing to back up or restore.")
    return Path(url.database).expanduser()


def _progress(verb: str) -> Callable[[int, int], None]:
    """Prints ``verb`` and the percentage done, at every further tenth (long copies only)."""
    shown = [0]

    def report(done: int, total: int) -> None:
        tenth = 10 * done // total if total else 10
        if tenth > shown[0] and done < total:
            shown[0] = tenth
            click.echo(f"{verb}: {10 * tenth}% ({done} of {total} pages)", err=True)

    return report


@db.command("backup")
@click.option(
    "--to",
    "target",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The backup file to write (replaced once the backup is complete).",
)
@click.argument("uri", required=False, envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI])
def db_backup(target: Path, uri: str | None) -> None:
    """Back up the tracking database at URI into one file, while servers keep writing.

    SQLite: SQLite's online backup API, a consistent copy of what was committed. PostgreSQL:
    `pg_dump -Fc` (PostgreSQL's client tools must be installed; `pg_restore` reads the
    file). URI as for `ardea db upgrade`. Artifacts are not in the database: back up the
    artifact root too (docs/operations.md).
    """
    from ardea.store.sql._db.backup import BackupError, backup_sqlite
    from ardea.store.uri import redact_uri

    uri = _sql_uri(uri)
    path = _sqlite_path(uri)
    if path is not None:
        try:
            backup_sqlite(path, target, progress=_progress("Backing up"))
        except BackupError as exc:
            raise click.ClickException(str(exc)) from None
        click.echo(f"Backed up {path} to {target}.")
        return
    if not uri.startswith("postgresql"):
        raise click.ClickException(
            f"ardea db backup knows SQLite and PostgreSQL; back up {redact_uri(uri)} with "
            "your database's own tool (for MySQL or MariaDB: mysqldump --single-transaction)."
        )
    _pg_dump(uri, target)


def _pg_dump(uri: str, target: Path) -> None:
    from ardea.store.sql._db.backup import pg_dump_command
    from ardea.store.uri import redact_uri

    if shutil.which("pg_dump") is None:
        raise click.ClickException(
            "pg_dump was not found on PATH: install PostgreSQL's client tools (the same major "
            "version as the server or newer, e.g. apt-get install postgresql-client), or run "
            "`pg_dump -Fc` yourself as docs/operations.md shows."
        )
    argv, env = pg_dump_command(uri, target)
    target.parent.mkdir(parents=True, exist_ok=True)
    click.echo(f"Running pg_dump on {redact_uri(uri)} ...", err=True)
    done = subprocess.run(argv, env={**os.environ, **env}, check=False)
    if done.returncode != 0:
        raise click.ClickException(f"pg_dump failed (exit status {done.returncode}).")
    click.echo(f"Backed up {redact_uri(uri)} to {target} (pg_dump custom format).")


@db.command("restore")
@click.option(
    "--from",
    "source",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="A backup file written by `ardea db backup`.",
)
@click.option("--force", is_flag=True, help="Replace an existing database.")
@click.argument("uri", required=False, envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI])
def db_restore(source: Path, force: bool, uri: str | None) -> None:
    """Restore a SQLite backup into the database at URI (default: as `ardea db upgrade`).

    An existing database is replaced only with --force: stop every server using it first.
    PostgreSQL backups are restored with pg_restore (docs/operations.md).
    """
    from ardea.store.sql._db.backup import BackupError, check_sqlite_backup, restore_sqlite

    uri = _sql_uri(uri)
    path = _sqlite_path(uri)
    if path is None:
        raise click.ClickException(
            "ardea db restore restores SQLite backups; restore a PostgreSQL backup with "
            "pg_restore (docs/operations.md#postgresql)."
        )
    try:
        check_sqlite_backup(source)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    if path.exists() and path.stat().st_size > 0 and not force:
        raise click.ClickException(
            f"{path} exists and may be in use: stop every server using it, then pass --force "
            "to replace it with the backup."
        )
    try:
        restore_sqlite(source, path, progress=_progress("Restoring"))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored {source} into {path}. Run `ardea db upgrade` if it is an older backup.")
