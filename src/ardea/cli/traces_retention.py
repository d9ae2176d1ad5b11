"""``ardea traces retention set|show|apply``: trace retention policies and the sweep.

``set`` and ``show`` work on a server URL or a database; ``apply`` needs the database (a
server sweeps itself, every ``ARDEA_RETENTION_INTERVAL_SECONDS``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from ardea.cli._common import CONTEXT, ArdeaGroup, client_for, tracking_uri_option

if TYPE_CHECKING:
    from ardea.entities.retention import RetentionPolicy
    from ardea.store.backend import Backend
    from ardea.store.retention import RetentionTarget

__all__ = ["retention"]

_INHERIT = "inherit"


def _limit(value: str | None, name: str) -> tuple[bool, int | None]:
    """(given, value): ``inherit`` unsets the field; else a whole number (checked later)."""
    if value is None:
        return False, None
    if value.strip().lower() == _INHERIT:
        return True, None
    try:
        return True, int(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a whole number (or {_INHERIT!r})", param_hint=name
        ) from None


def _describe(policy: RetentionPolicy) -> str:
    parts = []
    if policy.max_age_days is not None:
        days = policy.max_age_days
        parts.append(f"max_age_days={days}" + (" (no limit)" if days == 0 else ""))
    if policy.max_traces is not None:
        count = policy.max_traces
        parts.append(f"max_traces={count}" + (" (no limit)" if count == 0 else ""))
    if policy.archive is not None:
        parts.append(f"archive={str(policy.archive).lower()}")
    return ", ".join(parts) or "(none)"


def _scoped(backend: Backend, workspace: str | None) -> Backend:
    return backend.scoped(workspace) if workspace else backend


@click.group("retention", cls=ArdeaGroup, context_settings=CONTEXT)
def retention() -> None:
    """Trace retention: limits by age and count, per experiment and per workspace."""


_experiment_option = click.option(
    "--experiment-id",
    "-x",
    default=None,
    help="The experiment (default: the workspace's own policy).",
)
_workspace_option = click.option(
    "--workspace", default=None, help="The workspace (default: the client's, `default`)."
)


@retention.command("show")
@_experiment_option
@_workspace_option
@tracking_uri_option
def show(experiment_id: str | None, workspace: str | None, tracking_uri: str | None) -> None:
    """Show an experiment's policy (own, workspace's, in force) or the workspace's."""
    with client_for(tracking_uri) as client:
        store = _scoped(client.backend, workspace).retention
        if experiment_id is None:
            click.echo(f"workspace: {_describe(store.get_workspace_retention())}")
            return
        found = store.get_experiment_retention(experiment_id)
    click.echo(f"experiment {found.experiment_id}: {_describe(found.policy)}")
    click.echo(f"workspace: {_describe(found.workspace_policy)}")
    click.echo(f"in force: {_describe(found.effective)}")


@retention.command("set")
@_experiment_option
@_workspace_option
@click.option(
    "--max-age-days",
    default=None,
    metavar="DAYS",
    help=f"Delete traces older than DAYS days (0: no limit; {_INHERIT!r}: unset).",
)
@click.option(
    "--max-traces",
    default=None,
    metavar="N",
    help=f"Keep only the newest N traces per experiment (0: no limit; {_INHERIT!r}: unset).",
)
@click.option(
    "--archive",
    type=click.Choice(["true", "false", _INHERIT]),
    default=None,
    help="Write traces to Parquet before deleting them (true), or not (false).",
)
@click.option("--clear", is_flag=True, help="Remove the policy at this level first.")
@tracking_uri_option
def set_policy(experiment_id: str | None, workspace: str | None, max_age_days: str | None,
               max_traces: str | None, archive: str | None, clear: bool,
               tracking_uri: str | None) -> None:  # fmt: skip
    """Change the limits given (the others stay) on an experiment, or on the workspace."""
    from ardea.entities.retention import RetentionPolicy, check_policy

    age = _limit(max_age_days, "--max-age-days")
    count = _limit(max_traces, "--max-traces")
    if not (age[0] or count[0] or archive or clear):
        raise click.UsageError("Give --max-age-days, --max-traces, --archive or --clear.")
    with client_for(tracking_uri) as client:
        store = _scoped(client.backend, workspace).retention
        if experiment_id is None:
            current = RetentionPolicy() if clear else store.get_workspace_retention()
        else:
            current = (
                RetentionPolicy() if clear else store.get_experiment_retention(experiment_id).policy
            )
        policy = check_policy(
            age[1] if age[0] else current.max_age_days,
            count[1] if count[0] else current.max_traces,
            current.archive if archive is None else (None if archive == _INHERIT else archive),
        )
        if experiment_id is None:
            click.echo(f"workspace: {_describe(store.set_workspace_retention(policy))}")
            return
        found = store.set_experiment_retention(experiment_id, policy)
    click.echo(f"experiment {found.experiment_id}: {_describe(found.policy)}")
    click.echo(f"in force: {_describe(found.effective)}")


@retention.command("apply")
@click.option("--dry-run", is_flag=True, help="Count what is due, and delete nothing.")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=1000,
    show_default=True,
    help="Traces per transaction.",
)
@tracking_uri_option
def apply(dry_run: bool, batch_size: int, tracking_uri: str | None) -> None:
    """Apply every workspace's policies now (needs the database, not a server URL)."""
    from ardea.services.retention import sweep
    from ardea.tracing.archive import write_archive

    def progress(target: RetentionTarget, done: int, left: int) -> None:
        click.echo(
            f"experiment {target.experiment_id} ({target.workspace}): "
            f"{done} deleted, {left} remaining",
            err=True,
        )

    with client_for(tracking_uri) as client:
        result = sweep(
            client.backend,
            dry_run=dry_run,
            batch_size=batch_size,
            on_batch=progress,
            archiver=write_archive,
        )
    for target in result.targets:
        deleted = result.deleted.get(target.experiment_id, 0)
        what = f"{target.due} due" if dry_run else f"{deleted} deleted of {target.due} due"
        click.echo(
            f"experiment {target.experiment_id} ({target.workspace}): {what} "
            f"[{_describe(target.policy)}]"
        )
    verb = "would delete" if dry_run else "deleted"
    total = result.due if dry_run else result.total_deleted
    click.echo(f"{verb} {total} trace{'' if total == 1 else 's'}")
