"""``ardea``: the command-line entry point (``server``, ``db upgrade``, ``import mlflow``)."""

from __future__ import annotations

import click

from ardea.cli.importing import import_group
from ardea.cli.server import server
from ardea.cli.version import ardea_version

__all__ = ["cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(ardea_version(), "--version", prog_name="ardea")
def cli() -> None:
    """Ardea: experiment tracking, tracing and more, wire-compatible with MLflow."""


@cli.group()
def db() -> None:
    """Database maintenance."""


@db.command("upgrade")
@click.argument("uri")
def db_upgrade(uri: str) -> None:
    """Migrate the tracking database at URI to the newest schema."""
    from ardea.store.sql._db.migrate import upgrade

    upgrade(uri, progress=click.echo)
    click.echo(f"Database {uri} is up to date.")


cli.add_command(server)
cli.add_command(import_group)


def main() -> None:
    """Run the ``ardea`` command line."""
    cli()


if __name__ == "__main__":  # pragma: no cover
    main()
