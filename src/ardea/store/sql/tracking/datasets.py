"""Which datasets the runs of experiments used (MLflow's search-datasets summary)."""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa

from ardea._core.errors import InvalidArgumentError
from ardea.entities import DatasetSummary
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import WorkspaceScope
from ardea.store.sql.tracking import tables as t
from ardea.store.tracking import DATASET_SUMMARIES_MAX_RESULTS
from ardea.store.validation import check_no_nul

__all__ = ["SqlDatasetSummaries"]

_INT32_MAX = 2**31 - 1


def _experiment_ids(experiment_ids: Sequence[str]) -> list[int]:
    """Integer ids; one that is not an integer is refused, as MLflow refuses it."""
    out = []
    for experiment_id in experiment_ids:
        check_no_nul("experiment_ids", experiment_id)
        try:
            number = int(experiment_id)
        except (TypeError, ValueError):
            raise InvalidArgumentError(
                f"Invalid experiment ID '{experiment_id}'. Experiment ID must be a valid integer."
            ) from None
        if 0 <= number <= _INT32_MAX:  # others name no experiment
            out.append(number)
    return out


class SqlDatasetSummaries:
    """The dataset summaries part of :class:`SqlTrackingStore`."""

    _db: Database
    _scope: WorkspaceScope

    def search_dataset_summaries(self, experiment_ids: Sequence[str]) -> list[DatasetSummary]:
        """The datasets the runs of these experiments used, once per (name, digest, context).

        At most :data:`~ardea.store.tracking.DATASET_SUMMARIES_MAX_RESULTS`, ordered by
        experiment, name, digest and context (none first). Runs of every lifecycle stage
        count, as in MLflow.
        """
        ids = _experiment_ids(experiment_ids)
        if not ids:
            return []
        ds, ri = t.datasets, t.run_inputs
        context = sa.func.coalesce(ri.c.context, "").label("context")  # sorts alike everywhere
        query = (
            sa.select(ds.c.experiment_id, ds.c.name, ds.c.digest, context)
            .distinct()
            .select_from(ds.join(ri, ri.c.dataset_id == ds.c.dataset_id))
            .where(self._scope.in_experiments(ds.c.experiment_id, ids))
            .order_by(ds.c.experiment_id, ds.c.name, ds.c.digest, context)
            .limit(DATASET_SUMMARIES_MAX_RESULTS)
        )
        rows = self._db.read(lambda conn: list(conn.execute(query)))
        return [
            DatasetSummary(str(r.experiment_id), r.name, r.digest, r.context or None) for r in rows
        ]
