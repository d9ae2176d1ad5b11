"""``ardea traces export``: write traces to a JSON file, the recordings ``ardea test`` replays.

``ardea traces retention ...`` (policies and the sweep) lives in ``traces_retention.py``.

One trace id writes one trace (MLflow's ``Trace.to_json()`` form); several ids, or
``--session-id``, write a session: a JSON list of traces in time order.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ardea.cli._common import CONTEXT, ArdeaGroup, client_for, tracking_uri_option
from ardea.cli.traces_retention import retention

__all__ = ["traces"]


@click.group("traces", cls=ArdeaGroup, context_settings=CONTEXT)
def traces() -> None:
    """Export traces as files (for `ardea test` and `ardea.replay`); retention policies."""


traces.add_command(retention)


@traces.command("export")
@click.argument("trace_ids", nargs=-1)
@click.option("--session-id", default=None, help="Export this session's traces, oldest first.")
@click.option(
    "--experiment-id",
    "-x",
    "experiment_ids",
    multiple=True,
    help="Experiments to look for --session-id in (default: 0).",
)
@click.option(
    "--output",
    "-o",
    "output",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON file to write.",
)
@tracking_uri_option
def export(trace_ids: tuple[str, ...], session_id: str | None, experiment_ids: tuple[str, ...],
           output: Path, tracking_uri: str | None) -> None:  # fmt: skip
    """Write TRACE_IDS (or a session) to a JSON trace file."""
    from ardea._core.errors import InvalidArgumentError
    from ardea.evaluation.replay import trace_to_doc

    if bool(trace_ids) == bool(session_id):
        raise InvalidArgumentError("give trace ids or --session-id (one of them)")
    with client_for(tracking_uri) as client:
        store = client.trace_store
        if session_id:
            quoted = session_id.replace("'", "\\'")
            page = store.search_traces(list(experiment_ids) or ["0"], f"session = '{quoted}'",
                                       500, ["timestamp_ms ASC"], None)  # fmt: skip
            if not page:
                raise InvalidArgumentError(f"no traces in session {session_id!r}")
            trace_ids = tuple(info.trace_id for info in page)
        found = [store.get_trace(t) for t in trace_ids]
    docs = [trace_to_doc(t) for t in found]
    body = docs if (session_id or len(docs) > 1) else docs[0]
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(body, indent=1), encoding="utf-8")
    click.echo(f"wrote {len(docs)} trace(s) to {output}")
