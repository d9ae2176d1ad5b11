"""``ardea experiments``: search, create, get, delete, restore, rename, csv (as in MLflow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ardea.cli._common import (
    CONTEXT,
    VIEW_TYPES,
    ArdeaGroup,
    client_for,
    format_time,
    output_option,
    parse_key_values,
    render,
    tracking_uri_option,
)
from ardea.cli.runs import run_rows, search_all_runs

if TYPE_CHECKING:
    from ardea.entities import Experiment

__all__ = ["experiments"]

_CSV_COLUMNS = (
    "experiment_id",
    "name",
    "artifact_location",
    "lifecycle_stage",
    "creation_time",
    "last_update_time",
)
_EXPERIMENT_ID = click.option("--experiment-id", "-x", required=True, help="The experiment's id.")


def _row(e: Experiment) -> dict[str, Any]:
    return {
        "experiment_id": e.experiment_id,
        "name": e.name,
        "artifact_location": e.artifact_location,
        "lifecycle_stage": e.lifecycle_stage,
        "creation_time": e.creation_time,
        "last_update_time": e.last_update_time,
        "tags": dict(e.tags),
    }


@click.group("experiments", cls=ArdeaGroup, context_settings=CONTEXT)
def experiments() -> None:
    """Search, create, rename, delete and restore experiments; export their runs as CSV.

    Works on a data folder, a database or a server alike (--tracking-uri).
    """


@experiments.command("search")
@click.option(
    "--view", "-v", type=click.Choice(VIEW_TYPES), default="active_only", show_default=True
)
@click.option("--filter", "-f", "filter_string", default=None, help="e.g. \"name LIKE 'fraud%'\".")
@click.option("--order-by", multiple=True, help='e.g. "last_update_time DESC" (repeatable).')
@click.option("--max-results", type=click.IntRange(min=1), default=None, help="Default: all.")
@output_option("table", "json", "csv")
@tracking_uri_option
def search_experiments(
    view: str,
    filter_string: str | None,
    order_by: tuple[str, ...],
    max_results: int | None,
    output: str,
    tracking_uri: str | None,
) -> None:
    """List experiments (all of them, or those matching --filter)."""
    from ardea.entities import ViewType

    found: list[Experiment] = []
    token: str | None = None
    with client_for(tracking_uri) as client:
        while max_results is None or len(found) < max_results:
            size = 1000 if max_results is None else min(1000, max_results - len(found))
            page = client.search_experiments(
                ViewType(view.upper()), size, filter_string, list(order_by) or None, token
            )
            found.extend(page)
            token = page.token
            if not token:
                break
    rows = [_row(e) for e in found]
    if output == "json":
        click.echo(render(rows, [], "json"))
        return
    if output == "csv":
        columns = [*_CSV_COLUMNS]
    else:
        columns = ["experiment_id", "name", "artifact_location", "creation_time"]
        if view != "active_only":
            columns.insert(3, "lifecycle_stage")
        for row in rows:
            row["creation_time"] = format_time(row["creation_time"])
    click.echo(render(rows, columns, output))


experiments.add_command(search_experiments, "list")


@experiments.command("create")
@click.option("--experiment-name", "-n", required=True, help="A new, unique name.")
@click.option(
    "--artifact-location",
    "-l",
    default=None,
    help="Where its runs' artifacts go (default: chosen by the server or store).",
)
@click.option("--tag", "-t", "tags", multiple=True, metavar="KEY=VALUE", help="Repeatable.")
@tracking_uri_option
def create_experiment(
    experiment_name: str,
    artifact_location: str | None,
    tags: tuple[str, ...],
    tracking_uri: str | None,
) -> None:
    """Create an experiment and print its id."""
    pairs = parse_key_values(tags)
    with client_for(tracking_uri) as client:
        experiment_id = client.create_experiment(experiment_name, artifact_location, pairs)
    click.echo(f"Created experiment '{experiment_name}' with id {experiment_id}")


@experiments.command("get")
@click.option("--experiment-id", "-x", default=None, help="The experiment's id.")
@click.option("--experiment-name", "-n", default=None, help="Or its name.")
@output_option("table", "json")
@tracking_uri_option
def get_experiment(
    experiment_id: str | None, experiment_name: str | None, output: str, tracking_uri: str | None
) -> None:
    """Show one experiment, by id or by name."""
    from ardea._core.errors import NotFoundError

    if (experiment_id is None) == (experiment_name is None):
        raise click.UsageError("Give exactly one of --experiment-id and --experiment-name.")
    with client_for(tracking_uri) as client:
        if experiment_id is not None:
            experiment = client.get_experiment(experiment_id)
        else:
            found = client.get_experiment_by_name(str(experiment_name))
            if found is None:
                raise NotFoundError(f"Experiment with name '{experiment_name}' does not exist.")
            experiment = found
    row = _row(experiment)
    if output == "json":
        click.echo(json.dumps(row, indent=2))
        return
    row["creation_time"] = format_time(row["creation_time"])
    row["last_update_time"] = format_time(row["last_update_time"])
    row["tags"] = ", ".join(f"{k}={v}" for k, v in sorted(experiment.tags.items()))
    click.echo(
        render([{"field": k, "value": v} for k, v in row.items()], ["field", "value"], "table")
    )


experiments.add_command(get_experiment, "describe")


@experiments.command("delete")
@click.option(
    "--experiment-id", "-x", "experiment_ids", multiple=True, required=True, help="Repeatable."
)
@tracking_uri_option
def delete_experiments(experiment_ids: tuple[str, ...], tracking_uri: str | None) -> None:
    """Mark experiments (and their runs) as deleted; ``ardea gc`` removes them for good."""
    with client_for(tracking_uri) as client:
        for experiment_id in experiment_ids:
            client.delete_experiment(experiment_id)
            click.echo(f"Experiment with ID {experiment_id} has been deleted.")


@experiments.command("restore")
@click.option(
    "--experiment-id", "-x", "experiment_ids", multiple=True, required=True, help="Repeatable."
)
@tracking_uri_option
def restore_experiments(experiment_ids: tuple[str, ...], tracking_uri: str | None) -> None:
    """Restore deleted experiments, with the runs deleted along with them."""
    with client_for(tracking_uri) as client:
        for experiment_id in experiment_ids:
            client.restore_experiment(experiment_id)
            click.echo(f"Experiment with ID {experiment_id} has been restored.")


@experiments.command("rename")
@_EXPERIMENT_ID
@click.option("--new-name", required=True, help="The new, unique name.")
@tracking_uri_option
def rename_experiment(experiment_id: str, new_name: str, tracking_uri: str | None) -> None:
    """Rename an active experiment."""
    with client_for(tracking_uri) as client:
        client.rename_experiment(experiment_id, new_name)
    click.echo(f"Experiment with ID {experiment_id} has been renamed to '{new_name}'.")


@experiments.command("csv")
@_EXPERIMENT_ID
@click.option("--filename", "-o", default=None, help="Write here instead of to stdout.")
@click.option(
    "--view", "-v", type=click.Choice(VIEW_TYPES), default="active_only", show_default=True
)
@tracking_uri_option
def experiment_csv(
    experiment_id: str, filename: str | None, view: str, tracking_uri: str | None
) -> None:
    """Export every run of an experiment as CSV (MLflow's columns).

    run_id, experiment_id, status, artifact_uri, start_time, end_time, then one column per
    metric (latest value), param and tag: metrics.<key>, params.<key>, tags.<key>.
    """
    with client_for(tracking_uri) as client:
        client.get_experiment(experiment_id)  # a clear error for an unknown id
        found = search_all_runs(client, [experiment_id], view)
    rows, columns = run_rows(found)
    text = render(rows, columns, "csv") + "\n"
    if filename:
        Path(filename).write_text(text, encoding="utf-8", newline="")
        click.echo(
            f"Experiment with ID {experiment_id} has been exported as a CSV to file: {filename}."
        )
    else:
        click.echo(text, nl=False)
