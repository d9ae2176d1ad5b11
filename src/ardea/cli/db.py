"""``ardea db``: database maintenance (``ardea db upgrade``)."""

from __future__ import annotations

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
