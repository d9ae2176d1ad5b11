"""Judge alignment answers (``/ardea/judges/alignments/*``): lineage and held-out agreement."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64
from ardea.api.schemas.judges import JudgeAgreement

__all__ = ["JudgeAlignmentJson", "JudgeAlignmentResponse", "JudgeAlignmentsResponse"]


class JudgeAlignmentJson(TypedDict):
    """One alignment run of a judge: optimizer, label set, versions, agreement, decision.

    ``before`` and ``after`` are the base and aligned judges' agreement with people on the
    held-out rows (``{}`` when not measured); ``labels`` holds ``count``, ``train``,
    ``holdout``, ``trace_ids`` and ``assessment_ids``.
    """

    alignment_id: str
    experiment_id: str
    name: str
    optimizer: str
    params: dict[str, Any]
    base_version: int | None
    new_version: int | None
    promoted: bool
    reason: str
    labels: dict[str, Any]
    before: JudgeAgreement | dict[str, Any]
    after: JudgeAgreement | dict[str, Any]
    creation_time: Int64


class JudgeAlignmentResponse(TypedDict):
    """One alignment run."""

    alignment: JudgeAlignmentJson


class JudgeAlignmentsResponse(TypedDict):
    """Alignment runs, oldest first."""

    alignments: list[JudgeAlignmentJson]
