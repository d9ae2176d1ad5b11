"""The online scoring half of ArdeaClient: backfill a time range, read the work's status.

Against a server the calls go to its ``/api/3.0/ardea/online-scoring`` API (the server's
loop then scores the rows); on an embedded database the rows are stored directly and are
scored once an ``ardea server`` runs on that database.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from ardea.client._base import ClientBase

__all__ = ["OnlineScoringMixin"]

_PATH = "/api/3.0/ardea/online-scoring"


class OnlineScoringMixin(ClientBase):
    """Online scoring methods of :class:`ArdeaClient`."""

    def _online_rest(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        from ardea.store.rest.http import RestClient

        rest = RestClient(self.tracking_uri)
        try:
            return rest.call(method, f"{_PATH}/{path}", **kwargs)
        finally:
            rest.close()

    def backfill_online_scoring(
        self,
        experiment_id: str,
        start_time_ms: int,
        end_time_ms: int,
        scorer_names: Sequence[str] | None = None,
    ) -> dict[str, int]:
        """Enqueue the experiment's ended traces that started in ``[start, end]`` (epoch ms).

        Each active scorer (or only those named) samples and filters them as it does new
        traces; traces it already has are left alone.

        Returns:
            ``{"traces": looked at, "enqueued": new work rows}``.

        Example::

            client.backfill_online_scoring(exp_id, 0, int(time.time() * 1000))
        """
        if self.backend.remote:
            body = {
                "experiment_id": str(experiment_id),
                "start_time_ms": int(start_time_ms),
                "end_time_ms": int(end_time_ms),
                "scorer_names": list(scorer_names or []),
            }
            doc = self._online_rest("POST", "backfill", json=body)
            return {"traces": int(doc.get("traces", 0)), "enqueued": int(doc.get("enqueued", 0))}
        from ardea.services.online_scoring import backfill

        self.backend.tracking.get_experiment(str(experiment_id))
        seen, added = backfill(
            self.backend,
            str(experiment_id),
            int(start_time_ms),
            int(end_time_ms),
            list(scorer_names or []),
        )
        return {"traces": seen, "enqueued": added}

    def online_scoring_status(self, experiment_id: str) -> dict[str, Any]:
        """The experiment's online scoring rows by state, under ``counts``.

        States: ``pending``, ``claimed``, ``done``, ``failed``. A server adds its backlog and
        the factor its sample rates are degraded by (``degrade_factor``, 1.0: not degraded).
        """
        if self.backend.remote:
            return self._online_rest("GET", "status", params={"experiment_id": experiment_id})
        return {"counts": self.backend.online_scoring.counts(str(experiment_id))}
