"""Trace retention (part of :class:`~ardea.client.ArdeaClient`).

A policy limits an experiment's traces by age (``max_age_days``) and/or count
(``max_traces``); a workspace's policy applies to each of its experiments, and an
experiment's own limits override it field by field (0: no limit). A server applies them on a
timer; :meth:`RetentionMixin.apply_trace_retention` does it now on a database.

Example::

    client = ArdeaClient("http://localhost:5000")
    client.set_trace_retention(experiment_id, max_age_days=30, max_traces=100_000)
    client.get_trace_retention(experiment_id).effective
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ardea.client._base import ClientBase

if TYPE_CHECKING:
    from ardea.entities.retention import ExperimentRetention, RetentionPolicy
    from ardea.services.retention import SweepResult

__all__ = ["RetentionMixin"]


class RetentionMixin(ClientBase):
    """Trace retention policies and the sweep."""

    def get_trace_retention(self, experiment_id: str) -> ExperimentRetention:
        """The experiment's own policy, its workspace's, and the limits in force."""
        return self.backend.retention.get_experiment_retention(experiment_id)

    def set_trace_retention(
        self,
        experiment_id: str,
        *,
        max_age_days: int | None = None,
        max_traces: int | None = None,
        archive: bool | None = None,
    ) -> ExperimentRetention:
        """Replace the experiment's own policy (needs MANAGE on it, on a server with auth).

        Args:
            experiment_id: The experiment.
            max_age_days: Delete traces older than this many days (None: inherit the
                workspace's; 0: no limit).
            max_traces: Keep only the newest this many traces (None: inherit; 0: no limit).
            archive: Write the traces to Parquet (the experiment's artifact location, under
                ``traces-archive/``) before deleting them; GetTrace still finds them.
        """
        from ardea.entities.retention import check_policy

        policy = check_policy(max_age_days, max_traces, archive)
        return self.backend.retention.set_experiment_retention(experiment_id, policy)

    def get_workspace_trace_retention(self) -> RetentionPolicy:
        """The policy of the client's workspace."""
        return self.backend.retention.get_workspace_retention()

    def set_workspace_trace_retention(
        self,
        *,
        max_age_days: int | None = None,
        max_traces: int | None = None,
        archive: bool | None = None,
    ) -> RetentionPolicy:
        """Replace the policy of the client's workspace (an admin's, on a server with auth)."""
        from ardea.entities.retention import check_policy

        policy = check_policy(max_age_days, max_traces, archive)
        return self.backend.retention.set_workspace_retention(policy)

    def apply_trace_retention(
        self, *, dry_run: bool = False, batch_size: int = 1000
    ) -> SweepResult:
        """Apply every workspace's policies now (a database backend; a server sweeps itself)."""
        from ardea.services.retention import sweep
        from ardea.tracing.archive import write_archive

        return sweep(self.backend, dry_run=dry_run, batch_size=batch_size, archiver=write_archive)
