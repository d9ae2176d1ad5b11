"""The judge alignment half of ArdeaClient: read a judge's alignment history.

``ardea.align`` records every run (promoted or rejected) in the scorer registry of the
client's backend; these read the records back, locally or from a server
(``/api/3.0/ardea/judges/alignments``).
"""

from __future__ import annotations

from ardea.client._base import ClientBase
from ardea.entities.scorer import JudgeAlignment

__all__ = ["AlignmentsMixin"]


class AlignmentsMixin(ClientBase):
    """Judge alignment methods of :class:`ArdeaClient`."""

    def list_judge_alignments(
        self, experiment_id: str, name: str | None = None
    ) -> list[JudgeAlignment]:
        """The alignment runs of judge ``name`` (of every judge when None), oldest first.

        Raises:
            NotFoundError: No such experiment.
        """
        return self.backend.scorers.list_judge_alignments(str(experiment_id), name)

    def get_judge_alignment(self, experiment_id: str, alignment_id: str) -> JudgeAlignment:
        """One alignment run (its lineage and before/after agreement).

        Raises:
            NotFoundError: No such experiment, or no such run in it.
        """
        return self.backend.scorers.get_judge_alignment(str(experiment_id), alignment_id)
