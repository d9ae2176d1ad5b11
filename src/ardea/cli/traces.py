"""``ardea traces export`` and ``ardea traces query``.

``ardea traces retention ...`` (policies and the sweep) lives in ``traces_retention.py``.

``export -o FILE`` writes a JSON file, the recordings ``ardea test`` replays: one trace id
writes one trace (MLflow's ``Trace.to_json()`` form); several ids, or ``--session-id``, write a
session, a JSON list of traces in time order. ``export --out DIR`` writes experiments' traces
(a time range, a filter) as a Parquet dataset; ``query`` runs SQL over one (docs/tracing.md).
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from ardea.cli._common import (
    CONTEXT,
    ArdeaGroup,
    client_for,
    output_option,
    render,
    tracking_uri_option,
)
from ardea.cli.traces_retention import retention

__all__ = ["traces"]


@click.group("traces", cls=ArdeaGroup, context_settings=CONTEXT)
def traces() -> None:
    """Export traces as files (JSON for `ardea test`, Parquet for SQL), query them; retention."""


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
    default=None,
    type=click.Path(dir_okay=False, path_type=Path),
    help="The JSON file to write.",
)
@click.option(
    "--out",
    "out",
    default=None,
    help="Write the experiments' traces as Parquet into this folder or object-store URI.",
)
@click.option("--since", default=None, help="With --out: traces started at or after (ISO time).")
@click.option("--until", default=None, help="With --out: traces started before (ISO time).")
@click.option("--filter", "filter_string", default=None, help="With --out: a trace search filter.")
@tracking_uri_option
def export(trace_ids: tuple[str, ...], session_id: str | None, experiment_ids: tuple[str, ...],
           output: Path | None, out: str | None, since: str | None, until: str | None,
           filter_string: str | None, tracking_uri: str | None) -> None:  # fmt: skip
    r"""Write TRACE_IDS (or a session) to a JSON file, or experiments' traces to Parquet.

    \b
    ardea traces export TRACE_ID -o trace.json
    ardea traces export -x 1 --since 2026-12-01 --filter "status = 'ERROR'" --out exports/
    """
    from ardea._core.errors import InvalidArgumentError
    from ardea.evaluation.replay import trace_to_doc

    if out is not None:
        if trace_ids or session_id or output is not None:
            raise InvalidArgumentError("--out exports whole experiments: give no trace ids, "
                                       "--session-id or --output with it")  # fmt: skip
        if not experiment_ids:
            raise InvalidArgumentError("--out needs --experiment-id (one or more)")
        _export_parquet(tracking_uri, experiment_ids, out, since, until, filter_string)
        return
    if since or until or filter_string:
        raise InvalidArgumentError("--since, --until and --filter go with --out")
    if output is None:
        raise InvalidArgumentError("give --output FILE (JSON) or --out DIR (Parquet)")
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


def _export_parquet(tracking_uri: str | None, experiment_ids: tuple[str, ...], out: str,
                    since: str | None, until: str | None,
                    filter_string: str | None) -> None:  # fmt: skip
    from ardea.cli._parquet import export_progress, iso_ms
    from ardea.tracing.parquet.export import export_traces

    since_ms, until_ms = iso_ms(since, "--since"), iso_ms(until, "--until")
    with client_for(tracking_uri) as client:
        stats = export_traces(client.trace_store, list(experiment_ids), out,
                              filter_string=filter_string, since_ms=since_ms, until_ms=until_ms,
                              on_progress=export_progress())  # fmt: skip
    click.echo(f"wrote {stats.traces} trace(s), {stats.spans} span(s) to {out} "
               f"({len(stats.files)} file(s))")  # fmt: skip


@traces.command("query")
@click.argument("sql")
@click.option("--source", "-s", required=True, help="The Parquet dataset: a folder or URI.")
@output_option("table", "json", "csv")
def query(sql: str, source: str, output: str) -> None:
    r"""Run a SQL SELECT over exported traces (views traces, spans, assessments).

    \b
    ardea traces query "SELECT name, count(*) FROM spans GROUP BY name" --source exports/
    """
    from ardea.cli._parquet import plain_rows
    from ardea.tracing.parquet.query import query_traces

    table = query_traces(sql, source, output="arrow")
    click.echo(render(plain_rows(table.to_pylist()), table.column_names, output))
