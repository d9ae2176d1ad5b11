"""``ardea runs``: list, describe, delete and restore runs (as ``mlflow runs`` does)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

import click

from ardea._core.env import ARDEA_EXPERIMENT_ID, MLFLOW_EXPERIMENT_ID
from ardea.cli._common import (
    CONTEXT,
    VIEW_TYPES,
    ArdeaGroup,
    client_for,
    format_time,
    output_option,
    render,
    tracking_uri_option,
)

if TYPE_CHECKING:
    from ardea.client import ArdeaClient
    from ardea.entities import Run

__all__ = ["INFO_COLUMNS", "run_rows", "runs", "search_all_runs"]

INFO_COLUMNS = ("run_id", "experiment_id", "status", "artifact_uri", "start_time", "end_time")
"""The first columns of a run CSV, as MLflow's ``experiments csv`` writes them."""


def _iso(ms: int | None) -> str:
    """Epoch ms as pandas writes a UTC timestamp in CSV (``2026-01-02 03:04:05.678000+00:00``)."""
    if ms is None:
        return ""
    return datetime.fromtimestamp(ms / 1000, tz=timezone.utc).isoformat(sep=" ")


def run_rows(found: Sequence[Run]) -> tuple[list[dict[str, Any]], list[str]]:
    """Runs flattened as MLflow's run CSV: info columns, then metrics.*, params.*, tags.*."""
    metric_keys = sorted({m.key for r in found for m in r.data.metrics})
    param_keys = sorted({k for r in found for k in r.data.params})
    tag_keys = sorted({k for r in found for k in r.data.tags})
    columns = [
        *INFO_COLUMNS,
        *(f"metrics.{k}" for k in metric_keys),
        *(f"params.{k}" for k in param_keys),
        *(f"tags.{k}" for k in tag_keys),
    ]
    rows = []
    for r in found:
        row: dict[str, Any] = {
            "run_id": r.info.run_id,
            "experiment_id": r.info.experiment_id,
            "status": r.info.status,
            "artifact_uri": r.info.artifact_uri,
            "start_time": _iso(r.info.start_time),
            "end_time": _iso(r.info.end_time),
        }
        row.update({f"metrics.{k}": v for k, v in r.data.metric_values.items()})
        row.update({f"params.{k}": v for k, v in r.data.params.items()})
        row.update({f"tags.{k}": v for k, v in r.data.tags.items()})
        rows.append(row)
    return rows, columns


def run_dict(run: Run) -> dict[str, Any]:
    """A run as MLflow's ``Run.to_dictionary()``: info, data (dicts), inputs, outputs."""
    from ardea.api.mlflow_json import run_info_to_json, run_to_json

    wire = run_to_json(run)
    return {
        "info": run_info_to_json(run.info),
        "data": {
            "metrics": run.data.metric_values,
            "params": dict(run.data.params),
            "tags": dict(run.data.tags),
        },
        "inputs": wire["inputs"],
        "outputs": wire["outputs"],
    }


def search_all_runs(
    client: ArdeaClient,
    experiment_ids: Sequence[str],
    view: str = "active_only",
    filter_string: str | None = None,
    order_by: Sequence[str] = (),
    max_results: int | None = None,
) -> list[Run]:
    """Every run matching (or the first ``max_results``), across pages."""
    from ardea.entities import ViewType

    found: list[Run] = []
    token: str | None = None
    while max_results is None or len(found) < max_results:
        size = 1000 if max_results is None else min(1000, max_results - len(found))
        page = client.search_runs(
            list(experiment_ids),
            filter_string or "",
            ViewType(view.upper()),
            size,
            list(order_by) or None,
            token,
        )
        found.extend(page)
        token = page.token
        if not token:
            break
    return found


@click.group("runs", cls=ArdeaGroup, context_settings=CONTEXT)
def runs() -> None:
    """List, describe, delete and restore runs.

    Works on a data folder, a database or a server alike (--tracking-uri).
    """


@runs.command("list")
@click.option(
    "--experiment-id",
    "-x",
    "experiment_ids",
    multiple=True,
    required=True,
    envvar=[ARDEA_EXPERIMENT_ID, MLFLOW_EXPERIMENT_ID],
    help="Experiment whose runs to list (repeatable).",
)
@click.option(
    "--view", "-v", type=click.Choice(VIEW_TYPES), default="active_only", show_default=True
)
@click.option(
    "--filter", "-f", "filter_string", default=None, help='MLflow filter, e.g. "metrics.acc > 0.9".'
)
@click.option("--order-by", multiple=True, help='e.g. "metrics.acc DESC" (repeatable).')
@click.option("--max-results", type=click.IntRange(min=1), default=None, help="Default: all.")
@output_option("table", "json", "csv")
@tracking_uri_option
def list_runs(
    experiment_ids: tuple[str, ...],
    view: str,
    filter_string: str | None,
    order_by: tuple[str, ...],
    max_results: int | None,
    output: str,
    tracking_uri: str | None,
) -> None:
    """List the runs of an experiment (newest first), or export them as CSV or JSON.

    CSV has MLflow's run columns (run_id, experiment_id, status, artifact_uri, start_time,
    end_time, then metrics.*, params.* and tags.*); JSON has each run in full.
    """
    with client_for(tracking_uri) as client:
        found = search_all_runs(client, experiment_ids, view, filter_string, order_by, max_results)
    if output == "csv":
        rows, columns = run_rows(found)
        click.echo(render(rows, columns, "csv"))
    elif output == "json":
        click.echo(json.dumps([run_dict(r) for r in found], indent=2))
    else:
        table = [
            {
                "start_time": format_time(r.info.start_time),
                "run_name": r.info.run_name,
                "run_id": r.info.run_id,
                "status": r.info.status,
                "lifecycle_stage": r.info.lifecycle_stage,
            }
            for r in found
        ]
        columns = ["start_time", "run_name", "run_id", "status"]
        if view != "active_only":
            columns.append("lifecycle_stage")
        click.echo(render(table, columns, "table"))


@runs.command("describe")
@click.option("--run-id", "-r", required=True, help="The run.")
@output_option("json", "table", default="json")
@tracking_uri_option
def describe_run(run_id: str, output: str, tracking_uri: str | None) -> None:
    """Print a run's info, latest metrics, params, tags, inputs and outputs."""
    with client_for(tracking_uri) as client:
        run = client.get_run(run_id)
    data = run_dict(run)
    if output == "json":
        click.echo(json.dumps(data, indent=2))
        return
    rows: list[dict[str, Any]] = [{"field": k, "value": v} for k, v in data["info"].items()]
    for section in ("metrics", "params", "tags"):
        rows.extend(
            {"field": f"{section}.{k}", "value": v}
            for k, v in sorted(data["data"][section].items())
        )
    for field in ("start_time", "end_time"):
        for row in rows:
            if row["field"] == field and row["value"]:
                row["value"] = format_time(int(row["value"]))
    click.echo(render(rows, ["field", "value"], "table"))


@runs.command("delete")
@click.option("--run-id", "-r", "run_ids", multiple=True, required=True, help="Repeatable.")
@tracking_uri_option
def delete_runs(run_ids: tuple[str, ...], tracking_uri: str | None) -> None:
    """Mark runs as deleted (restorable until ``ardea gc`` removes them for good)."""
    with client_for(tracking_uri) as client:
        for run_id in run_ids:
            client.delete_run(run_id)
            click.echo(f"Run with ID {run_id} has been deleted.")


@runs.command("restore")
@click.option("--run-id", "-r", "run_ids", multiple=True, required=True, help="Repeatable.")
@tracking_uri_option
def restore_runs(run_ids: tuple[str, ...], tracking_uri: str | None) -> None:
    """Restore deleted runs."""
    with client_for(tracking_uri) as client:
        for run_id in run_ids:
            client.restore_run(run_id)
            click.echo(f"Run with ID {run_id} has been restored.")
