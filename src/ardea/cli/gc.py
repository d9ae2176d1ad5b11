"""``ardea gc``: permanently remove deleted experiments, runs and logged models.

Modelled on ``mlflow gc`` (``--older-than``, ``--experiment-ids``, ``--run-ids``,
``--logged-model-ids``, ``--backend-store-uri``, ``--artifacts-destination``), with
``--dry-run``. The work is :func:`ardea.services.gc.collect` over the backend's purge store;
it needs the database, so a server URL is refused with the way to do it instead.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

import click

from ardea._core.env import (
    ARDEA_ARTIFACTS_DESTINATION,
    ARDEA_TRACKING_URI,
    DEFAULT_DATA_DIR,
    MLFLOW_TRACKING_URI,
)
from ardea.cli._common import format_time, render

if TYPE_CHECKING:
    from ardea.store.backend import Backend
    from ardea.store.purge import Purgeable, PurgePlan

__all__ = ["gc", "parse_age"]

_AGE = re.compile(
    r"^((?P<days>[.\d]+)d)?((?P<hours>[.\d]+)h)?((?P<minutes>[.\d]+)m)?((?P<seconds>[.\d]+)s)?$"
)
_KINDS = (("experiment", "experiment"), ("run", "run"), ("logged_model", "logged model"))


def parse_age(text: str) -> int:
    """``1d2h3m4s`` (each part optional, decimals allowed) in milliseconds.

    Raises:
        click.BadParameter: Not of that form, or zero.
    """
    match = _AGE.match(text.strip())
    parts = {k: v for k, v in (match.groupdict() if match else {}).items() if v}
    try:
        delta = timedelta(**{k: float(v) for k, v in parts.items()})
    except ValueError:
        parts = {}
    if not parts:
        raise click.BadParameter(
            f"{text!r} is not an age: use #d#h#m#s, e.g. 30d, 12h, 1d2h30m, 1.5d",
            param_hint="--older-than",
        )
    return int(delta.total_seconds() * 1000)


def _ids(value: str | None) -> list[str] | None:
    if value is None:
        return None
    ids = [v.strip() for v in value.split(",") if v.strip()]
    if not ids:
        raise click.UsageError("An id list must name at least one id.")
    return ids


def _what(p: Purgeable) -> str:
    counts = {"run": p.runs, "logged model": p.logged_models, "trace": p.traces}
    if p.kind == "run":
        counts = {"trace": p.traces}
    elif p.kind != "experiment":
        return ""
    return ", ".join(f"{n} {what}{'' if n == 1 else 's'}" for what, n in counts.items() if n)


def _plan_table(plan: PurgePlan) -> str:
    rows = [
        {
            "kind": p.kind,
            "id": p.entity_id,
            "name": p.name,
            "experiment_id": p.experiment_id,
            "deleted": format_time(p.deleted_time),
            "with": _what(p),
            "artifacts": ", ".join(p.artifact_uris),
        }
        for p in (*plan.experiments, *plan.runs, *plan.logged_models)
    ]
    columns = ["kind", "id", "name", "experiment_id", "deleted", "with", "artifacts"]
    return render(rows, columns, "table")


def _summary(counts: dict[str, int]) -> str:
    parts = []
    for kind, label in _KINDS:
        n = counts.get(kind, 0)
        parts.append(f"{n} {label}{'' if n == 1 else 's'}")
    return ", ".join(parts)


def _label(p: Purgeable) -> str:
    name = f" ({p.name})" if p.name else ""
    return f"{p.kind.replace('_', ' ').capitalize()} {p.entity_id}{name}"


@contextmanager
def _progress(total: int, visible: bool) -> Iterator[Any]:
    """A bar on stderr (only on a terminal) advanced once per entity."""
    if not visible:
        yield None
        return
    with click.progressbar(length=total, label="Purging", file=sys.stderr) as bar:
        yield bar


GC_HELP = """Permanently remove deleted experiments, runs and logged models, artifacts included.

\b
Without ids: everything in the deleted stage (deleted before --older-than ago, if given).
With ids: exactly those (each must be deleted), and nothing of a kind not named.
A run goes with its metrics, params, tags, inputs and linked traces; an experiment with
its runs, logged models, traces and datasets. Runs and logged models that a registered
model version uses are kept (and so is an experiment holding one).

Needs the database itself (not a server URL): give --backend-store-uri and the server's
--artifacts-destination when they are not the defaults.

\b
Examples:
  ardea gc --dry-run
  ardea gc --older-than 30d
  ardea gc --run-ids 4f2a...,9c1b...
  ardea gc --backend-store-uri postgresql://u:p@db/ardea --artifacts-destination s3://b/ardea
"""


@click.command(
    "gc", help=GC_HELP, short_help="Permanently remove deleted experiments, runs and models."
)
@click.option(
    "--older-than",
    default=None,
    metavar="AGE",
    help="Only what was deleted at least this long ago: #d#h#m#s, e.g. 30d, 12h, 1d2h30m.",
)
@click.option(
    "--experiment-ids",
    default=None,
    metavar="IDS",
    help="Only these experiments (comma-separated), with everything in them.",
)
@click.option("--run-ids", default=None, metavar="IDS", help="Only these runs (comma-separated).")
@click.option(
    "--logged-model-ids",
    default=None,
    metavar="IDS",
    help="Only these logged models (comma-separated).",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed, and remove nothing.")
@click.option(
    "--backend-store-uri",
    "--tracking-uri",
    "uri",
    envvar=[ARDEA_TRACKING_URI, MLFLOW_TRACKING_URI],
    default=None,
    metavar="URI",
    help=f"The database: a data folder, sqlite:///, postgresql:// or mysql:// URI. Default: "
    f"$ARDEA_TRACKING_URI, else $MLFLOW_TRACKING_URI, else ./{DEFAULT_DATA_DIR}. Not a server URL.",
)
@click.option(
    "--artifacts-destination",
    envvar=ARDEA_ARTIFACTS_DESTINATION,
    default=None,
    metavar="URI",
    help="Where the server keeps proxied (mlflow-artifacts:/) artifacts, as its "
    "--artifacts-destination. Default: beside a SQLite database, else ./ardea-data/artifacts.",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Entities per transaction.",
)
@click.option(
    "--quiet", "-q", is_flag=True, help="No line per entity: a progress bar and the summary."
)
def gc(
    older_than: str | None,
    experiment_ids: str | None,
    run_ids: str | None,
    logged_model_ids: str | None,
    dry_run: bool,
    uri: str | None,
    artifacts_destination: str | None,
    batch_size: int,
    quiet: bool,
) -> None:
    """Permanently remove deleted experiments, runs and logged models (see GC_HELP)."""
    from ardea._core.ids import now_ms
    from ardea.store.resolve import open_backend
    from ardea.store.uri import (
        default_artifacts_destination,
        default_tracking_uri,
        is_server_uri,
        redact_uri,
    )

    uri = uri or default_tracking_uri()
    if is_server_uri(uri):
        raise click.ClickException(
            f"ardea gc needs the database, and {redact_uri(uri)} is a server. Run it where the "
            "server's database is reachable: ardea gc --backend-store-uri <the server's "
            "--backend-store-uri> --artifacts-destination <its --artifacts-destination>."
        )
    deleted_before = now_ms() - parse_age(older_than) if older_than else None
    named = {
        "experiment_ids": experiment_ids,
        "run_ids": run_ids,
        "logged_model_ids": logged_model_ids,
    }
    ids = {key: _ids(value) for key, value in named.items()}
    destination = artifacts_destination or default_artifacts_destination(uri)
    backend = open_backend(uri, artifacts_destination=destination)
    try:
        plan = backend.purge.plan_purge(deleted_before=deleted_before, **ids)
        for p in plan.kept:
            click.echo(f"Keeping {_label(p)}: {p.kept_because}", err=True)
        # A server database's default destination (./ardea-data/artifacts here) is a guess.
        guessed = artifacts_destination is None and not backend.uri.startswith("sqlite")
        missing = _missing_destination(plan, destination) if guessed else None
        if missing and dry_run:
            click.echo(f"Warning: {missing}", err=True)
        elif missing:
            raise click.ClickException(missing)
        counts = {
            "experiment": len(plan.experiments),
            "run": len(plan.runs),
            "logged_model": len(plan.logged_models),
        }
        if dry_run:
            if not plan.empty:
                click.echo(_plan_table(plan))
            click.echo(f"Dry run: would permanently delete {_summary(counts)}.")
            return
        if plan.empty:
            click.echo("Nothing to delete.")
            return
        _purge(backend, plan, batch_size, quiet)
    finally:
        backend.close()


def _missing_destination(plan: PurgePlan, destination: str) -> str | None:
    """Why the plan cannot run: proxied artifacts, and a local destination that is not there.

    For a PostgreSQL or MySQL database without --artifacts-destination: deleting the rows of
    entities whose ``mlflow-artifacts:/`` files live in the server's destination (not given
    here) would orphan those files.
    """
    from ardea.store.artifacts.resolve import is_local_uri, local_path

    proxied = sum(
        any(
            u.startswith("mlflow-artifacts:/") and not u.startswith("mlflow-artifacts://")
            for u in p.artifact_uris
        )
        for p in (*plan.experiments, *plan.runs, *plan.logged_models)
    )
    if not proxied or not is_local_uri(destination) or os.path.isdir(local_path(destination)):
        return None
    return (
        f"The artifacts of {proxied} of these are in the server's artifacts destination "
        f"(mlflow-artifacts:/), but {destination} does not exist: give the server's "
        "--artifacts-destination (or set ARDEA_ARTIFACTS_DESTINATION)."
    )


def _purge(backend: Backend, plan: PurgePlan, batch_size: int, quiet: bool) -> None:
    from ardea.services.gc import collect

    show_bar = sys.stderr.isatty() and (quiet or not sys.stdout.isatty())
    with _progress(plan.size, show_bar) as bar:

        def done(item: Purgeable, outcome: str) -> None:
            if bar is not None:
                bar.update(1)
            if outcome == "purged" and not quiet:
                click.echo(f"{_label(item)} has been permanently deleted.")

        result = collect(backend, plan, batch_size=batch_size, on_done=done)
    for warning in result.warnings:
        click.echo(f"Warning: {warning}", err=True)
    for item in result.skipped:
        click.echo(f"Skipped {_label(item)}: restored or put to use since the plan", err=True)
    for item, reason in result.failed:
        click.echo(f"Kept {_label(item)}: {reason}", err=True)
    counts: dict[str, int] = {}
    for item in result.purged:
        counts[item.kind] = counts.get(item.kind, 0) + 1
    click.echo(f"Permanently deleted {_summary(counts)}.")
    if result.failed:
        raise click.ClickException(
            f"{len(result.failed)} could not be deleted (their artifacts could not be removed); "
            "run ardea gc again once the cause is fixed."
        )
