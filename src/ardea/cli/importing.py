"""``ardea import mlflow``: bring an MLflow server's data into Ardea."""

from __future__ import annotations

import sys

import click

__all__ = ["import_group"]


@click.group("import")
def import_group() -> None:
    """Import data from other systems."""


def _experiment_ids(value: str | None) -> set[str] | None:
    if not value:
        return None
    return {x.strip() for x in value.split(",") if x.strip()}


@import_group.command("mlflow")
@click.option(
    "--from",
    "source_uri",
    required=True,
    help="MLflow's database URI (sqlite:///mlflow.db, postgresql://..., mysql://...) or a "
    "running MLflow server (http(s)://host:port).",
)
@click.option(
    "--artifacts",
    "artifacts_root",
    default=None,
    help="Database source: the MLflow server's artifact root (its --artifacts-destination, "
    "e.g. ./mlartifacts or s3://bucket/path), where mlflow-artifacts:/ URIs point.",
)
@click.option(
    "--to",
    "dest_uri",
    default=None,
    help="Ardea tracking URI to import into: a data folder, sqlite:///..., postgresql://..., "
    "mysql://... (default: the default tracking URI, ./ardea-data).",
)
@click.option(
    "--to-artifacts",
    "dest_artifacts",
    default=None,
    help="Where the destination keeps mlflow-artifacts:/ files (its server's "
    "--artifacts-destination; default: beside the SQLite file, or ./ardea-data/artifacts).",
)
@click.option("--dry-run", is_flag=True, help="Read and count the source; write nothing.")
@click.option(
    "--report-json",
    "report_json",
    default=None,
    type=click.Path(dir_okay=False, writable=True),
    help="Also write the per-entity report as JSON to this file.",
)
@click.option(
    "--experiments",
    default=None,
    help="Comma-separated source experiment ids to import (default: all). The registry, "
    "prompts and webhooks are always imported.",
)
def import_mlflow(
    source_uri: str,
    artifacts_root: str | None,
    dest_uri: str | None,
    dest_artifacts: str | None,
    dry_run: bool,
    report_json: str | None,
    experiments: str | None,
) -> None:
    """Import experiments, runs, metrics, models, traces, registry and webhooks from MLflow.

    Ids, times and states are kept. Resumable: run it again after an interruption, and it
    continues; run it twice, and the second run imports nothing. Progress goes to stderr,
    the per-entity report to stdout; the exit code is 1 when the destination does not hold
    everything the source has.
    """
    from ardea._core.errors import ArdeaError
    from ardea.importers.mlflow.importer import MlflowImporter
    from ardea.importers.mlflow.open import open_source
    from ardea.store.resolve import open_backend

    try:
        source = open_source(source_uri, artifacts_root)
    except ArdeaError as e:
        raise click.ClickException(str(e)) from e
    try:
        dest = open_backend(dest_uri, artifacts_destination=dest_artifacts)
    except BaseException:
        source.close()
        raise
    try:
        click.echo(f"Importing {source.label} into {dest.uri}", err=True)
        importer = MlflowImporter(
            source, dest, experiment_ids=_experiment_ids(experiments), dry_run=dry_run
        )
        report = importer.run()
    except ArdeaError as e:
        raise click.ClickException(str(e)) from e
    except KeyboardInterrupt:
        click.echo(
            "Interrupted. What was imported is kept; run the same command again to continue.",
            err=True,
        )
        sys.exit(130)
    finally:
        source.close()
        dest.close()
    click.echo(report.format())
    if report_json:
        import json
        from pathlib import Path

        Path(report_json).write_text(json.dumps(report.to_dict(), indent=2))
    if not report.ok:
        click.echo("The destination does not hold everything the source has.", err=True)
        sys.exit(1)
