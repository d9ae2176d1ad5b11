"""``ardea issues``: group failing judge verdicts into proposed issues, and list issues.

Works on a data folder, a database or a server alike (--tracking-uri)::

    ardea issues propose -x 1 --judge correctness --since-hours 24
    ardea issues propose -x 1 --create-top 3      # the three largest become issues
    ardea issues list -x 1 --status pending
"""

from __future__ import annotations

import time
from typing import Any

import click

from ardea.cli._common import (
    CONTEXT,
    ArdeaGroup,
    client_for,
    output_option,
    render,
    tracking_uri_option,
)

__all__ = ["issues"]

_EXPERIMENT_ID = click.option("--experiment-id", "-x", required=True, help="The experiment's id.")


@click.group("issues", cls=ArdeaGroup, context_settings=CONTEXT)
def issues() -> None:
    """Propose issues from failing judge verdicts; list an experiment's issues."""


@issues.command("propose")
@_EXPERIMENT_ID
@click.option("--judge", default=None, help="One judge (assessment name); default: all.")
@click.option("--since-hours", type=click.FloatRange(min=0), default=None, help="Default: all.")
@click.option("--embedding-model", default=None, help="e.g. openai:/text-embedding-3-small.")
@click.option("--threshold", type=click.FloatRange(0, 2, min_open=True), default=None)
@click.option("--min-size", type=click.IntRange(min=1), default=2, show_default=True)
@click.option(
    "--create-top", type=click.IntRange(min=0), default=0, help="Make the N largest issues."
)
@output_option("table", "json")
@tracking_uri_option
def propose(
    experiment_id: str,
    judge: str | None,
    since_hours: float | None,
    embedding_model: str | None,
    threshold: float | None,
    min_size: int,
    create_top: int,
    output: str,
    tracking_uri: str | None,
) -> None:
    """Group the experiment's failing judge verdicts by their rationales (steps on stderr)."""
    start = None if since_hours is None else int((time.time() - since_hours * 3600) * 1000)
    with client_for(tracking_uri) as client:
        found = client.propose_issues(
            experiment_id,
            start_ms=start,
            judge=judge,
            embedding_model=embedding_model,
            threshold=threshold,
            min_size=min_size,
            progress=lambda step: click.echo(f"{step}…", err=True),
        )
        rows: list[dict[str, Any]] = [
            {"size": p.size, "traces": len(p.trace_ids), "judges": p.judges, "name": p.name}
            for p in found.proposals
        ]
        for p, row in zip(found.proposals[:create_top], rows, strict=False):
            row["issue_id"] = client.accept_issue_proposal(
                experiment_id, p.name, p.trace_ids
            ).issue_id
    click.echo(f"{found.failures} failing verdicts ({found.embedding} embedding)", err=True)
    columns = ["size", "traces", "name"] + (["issue_id"] if create_top else [])
    click.echo(render(rows, columns, output))


@issues.command("list")
@_EXPERIMENT_ID
@click.option("--status", "statuses", multiple=True, help="pending, resolved, rejected.")
@output_option("table", "json")
@tracking_uri_option
def list_issues(
    experiment_id: str, statuses: tuple[str, ...], output: str, tracking_uri: str | None
) -> None:
    """The experiment's issues (newest first) with their trace counts."""
    with client_for(tracking_uri) as client:
        found = client.search_issues(experiment_id, list(statuses), max_results=1000)
    rows = [
        {
            "issue_id": i.issue_id,
            "status": i.status,
            "traces": i.trace_count,
            "name": i.name,
        }
        for i in found
    ]
    click.echo(render(rows, ["issue_id", "status", "traces", "name"], output))
