"""The judge builder's routes under ``/ardea/judges/`` (preview a draft judge; the models)."""

from __future__ import annotations

from typing import Any

from typing_extensions import TypedDict

from ardea.api.schemas.common import Int64
from ardea.api.schemas.evaluations import EvaluationEstimate

__all__ = [
    "JudgeAgreement",
    "JudgeModelsResponse",
    "JudgePreviewHuman",
    "JudgePreviewResponse",
    "JudgePreviewRow",
    "JudgePreviewTotals",
]


class JudgeModelsResponse(TypedDict):
    """The providers the server holds credentials for (names only) and the default model."""

    providers: list[str]
    default_model: str


class JudgePreviewHuman(TypedDict):
    """The trace's latest HUMAN feedback of the judge's name."""

    value: Any
    source_id: str


class JudgePreviewRow(TypedDict):
    """One trace judged: verdict or error, usage, and the human label beside it."""

    trace_id: str
    value: Any
    rationale: str | None
    error: str | None
    cost: float | None
    tokens: Int64 | None
    human: JudgePreviewHuman | None
    request_preview: str | None


class JudgeAgreement(TypedDict):
    """Agreement of the judge with the human labels (``ardea.evaluation.stats``)."""

    labels: list[str]
    confusion: list[list[Int64]]
    n: Int64
    n_missing: Int64
    estimates: list[EvaluationEstimate]
    positive: str | None


class JudgePreviewTotals(TypedDict):
    """Rows judged and failed, and the tokens and cost (USD, null when unpriced) spent."""

    judged: Int64
    errors: Int64
    tokens: Int64
    cost: float | None


class JudgePreviewResponse(TypedDict):
    """A draft judge run on chosen traces; nothing was stored."""

    name: str
    model: str
    rows: list[JudgePreviewRow]
    agreement: JudgeAgreement | None
    totals: JudgePreviewTotals
