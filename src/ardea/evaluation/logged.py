"""Logged evaluations read back from the stores: one run's rows, its summary, two runs compared.

An evaluation is logged as MLflow's ``genai.evaluate`` logs it (``MLFLOW-WIRE.md`` 11.3): a run
tagged ``mlflow.runType=genai_evaluate``, one trace per row linked to the run, and on each trace
one feedback per scorer (source ``CODE`` or ``LLM_JUDGE``, metadata
``mlflow.assessment.sourceRunId``) plus the HUMAN expectations. This module turns that back into
rows (:class:`LoggedRow`) for the web UI and hands them to :mod:`ardea.evaluation.stats`.

Which feedback counts for a row: the valid (not overridden) feedback of the trace whose
``mlflow.assessment.sourceRunId`` is the run; when none of the trace's feedback carries that
metadata (scores logged by hand), every valid feedback that is not HUMAN. Several feedbacks of
one name: the latest. A feedback with an error is a missing value (the row failed there).

Pairing two evaluations: by dataset record id (trace metadata or tag
:data:`RECORD_ID_KEYS`, first found), else by the SHA-256 of the trace's request preview (the
row's inputs as the trace recorded them; both runs stored on one server preview alike).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Assessment, TraceInfo
from ardea.store.traces import SEARCH_TRACES_LIMIT, TraceStore
from ardea.store.tracking import TrackingStore

__all__ = [
    "EVALUATION_RUN_TYPE",
    "MAX_ROWS",
    "RECORD_ID_KEYS",
    "LoggedEvaluation",
    "LoggedRow",
    "RowScore",
    "compare_logged",
    "load_evaluation",
    "summarize_logged",
]

EVALUATION_RUN_TYPE = "genai_evaluate"
"""The ``mlflow.runType`` tag of an evaluation run."""
SOURCE_RUN_KEY = "mlflow.assessment.sourceRunId"
"""Feedback metadata naming the evaluation run that produced it."""
RECORD_ID_KEYS = ("ardea.eval.datasetRecordId", "mlflow.eval.datasetRecordId", "dataset_record_id")
"""Trace metadata (then tag) keys read, in order, for a row's dataset record id."""
INPUTS_DIGEST_KEY = "ardea.eval.inputsDigest"
"""Trace tag ``ardea.evaluate`` sets: the SHA-256 of the row's full inputs (pairs rows exactly;
runs without it, such as ``mlflow.genai.evaluate``'s, pair by their request preview)."""
MAX_ROWS = 50_000
"""Rows read per evaluation; a larger one is refused with a clear error."""


@dataclass(frozen=True)
class RowScore:
    """One scorer's verdict on one row.

    Attributes:
        value: The feedback's value (``None`` when the scorer failed).
        rationale: The judge's or scorer's explanation.
        error: The error message when the scorer failed.
        source_type: ``CODE``, ``LLM_JUDGE`` or ``HUMAN``.
    """

    value: Any
    rationale: str | None = None
    error: str | None = None
    source_type: str = "CODE"

    def to_dict(self) -> dict[str, Any]:
        """The score as JSON (keys without a value left out)."""
        data: dict[str, Any] = {"value": self.value, "source_type": self.source_type}
        if self.rationale is not None:
            data["rationale"] = self.rationale
        if self.error is not None:
            data["error"] = self.error
        return data


@dataclass(frozen=True)
class LoggedRow:
    """One row of a logged evaluation (one trace).

    Attributes:
        trace_id: The row's trace.
        state: The trace's state (``OK``, ``ERROR``, ...).
        request_preview: The row's inputs as the trace previewed them.
        response_preview: The row's outputs, likewise.
        record_id: The dataset record the row came from, when the trace names it.
        inputs_digest: The digest of the row's full inputs, when the trace names it.
        scores: ``{scorer: RowScore}``.
        expectations: ``{name: value}`` of the trace's expectations.
    """

    trace_id: str
    state: str
    request_preview: str | None
    response_preview: str | None
    record_id: str | None
    scores: Mapping[str, RowScore]
    inputs_digest: str | None = None
    expectations: Mapping[str, Any] = field(default_factory=dict)

    def stats_row(self) -> dict[str, Any]:
        """The row as :mod:`ardea.evaluation.stats` reads it (scores, record id, inputs, id)."""
        row: dict[str, Any] = {
            "id": self.trace_id,
            "scores": {name: s.value for name, s in self.scores.items()},
        }
        if self.record_id is not None:
            row["record_id"] = self.record_id
        identity = self.inputs_digest or _preview_digest(self.request_preview)
        if identity is not None:
            row["inputs"] = identity
        return row

    def to_dict(self) -> dict[str, Any]:
        """The row as JSON."""
        data: dict[str, Any] = {
            "trace_id": self.trace_id,
            "state": self.state,
            "scores": {name: s.to_dict() for name, s in self.scores.items()},
            "expectations": {k: _jsonable(v) for k, v in self.expectations.items()},
        }
        for key in ("request_preview", "response_preview", "record_id"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True)
class LoggedEvaluation:
    """A logged evaluation: its run and rows.

    Attributes:
        run_id: The evaluation run.
        experiment_id: Its experiment.
        run_name: Its name.
        is_evaluation: Whether the run carries ``mlflow.runType=genai_evaluate``.
        rows: One per linked trace, oldest first.
    """

    run_id: str
    experiment_id: str
    run_name: str
    is_evaluation: bool
    rows: tuple[LoggedRow, ...]

    @property
    def scorers(self) -> list[str]:
        """Every scorer name present on some row, sorted."""
        return sorted({name for row in self.rows for name in row.scores})


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return str(value)
    return value


def _preview_digest(preview: str | None) -> str | None:
    """The inputs digest of a row without the tag (``mlflow.genai.evaluate``'s), from its preview.

    A preview that is whole JSON gives the digest ``ardea.evaluate`` tags, so runs of both
    pair; a cut-off one (over 1,000 characters) can only match itself.
    """
    from ardea.evaluation.stats.pairing import inputs_digest

    if preview is None:
        return None
    try:
        return inputs_digest(json.loads(preview))
    except ValueError:
        return preview


def _record_id(info: TraceInfo) -> str | None:
    for source in (info.trace_metadata, info.tags):
        for key in RECORD_ID_KEYS:
            if source.get(key):
                return source[key]
    return None


def _score(a: Assessment) -> RowScore:
    error = None
    if a.error is not None:
        error = a.error.error_message or a.error.error_code or "error"
    return RowScore(
        value=None if error is not None else _jsonable(a.value),
        rationale=a.rationale,
        error=error,
        source_type=a.source_type,
    )


def _row(info: TraceInfo, run_id: str) -> LoggedRow:
    valid = [a for a in info.assessments if a.valid]
    feedback = [a for a in valid if a.kind == "feedback"]
    own = [a for a in feedback if a.metadata.get(SOURCE_RUN_KEY) == run_id]
    if not own and not any(SOURCE_RUN_KEY in a.metadata for a in feedback):
        own = [a for a in feedback if a.source_type != "HUMAN"]
    scores: dict[str, RowScore] = {}
    for a in sorted(own, key=lambda a: (a.create_time, a.assessment_id)):
        scores[a.name] = _score(a)
    expectations = {a.name: _jsonable(a.value) for a in valid if a.kind == "expectation"}
    return LoggedRow(
        trace_id=info.trace_id,
        state=info.state,
        request_preview=info.request_preview,
        response_preview=info.response_preview,
        record_id=_record_id(info),
        scores=scores,
        expectations=expectations,
        inputs_digest=info.tags.get(INPUTS_DIGEST_KEY),
    )


def load_evaluation(tracking: TrackingStore, traces: TraceStore, run_id: str) -> LoggedEvaluation:
    """The run ``run_id`` and the rows of its linked traces.

    Raises:
        NotFoundError: no such run.
        InvalidArgumentError: the run has more than :data:`MAX_ROWS` traces.
    """
    run = tracking.get_run(run_id)
    experiment_id = run.info.experiment_id
    infos: list[TraceInfo] = []
    token: str | None = None
    quoted = run_id.replace("'", "")
    while True:
        page = traces.search_traces(
            [experiment_id],
            f"attribute.run_id = '{quoted}'",
            max_results=SEARCH_TRACES_LIMIT,
            order_by=["timestamp_ms ASC"],
            page_token=token,
        )
        infos.extend(page)
        if len(infos) > MAX_ROWS:
            raise InvalidArgumentError(
                f"run {run_id} has more than {MAX_ROWS} traces; read it with the SDK instead"
            )
        token = page.token
        if not token:
            break
    tags = run.data.tags
    return LoggedEvaluation(
        run_id=run_id,
        experiment_id=experiment_id,
        run_name=run.info.run_name or "",
        is_evaluation=tags.get("mlflow.runType") == EVALUATION_RUN_TYPE,
        rows=tuple(_row(i, run_id) for i in infos),
    )


def summarize_logged(
    evaluation: LoggedEvaluation, statistics: Sequence[str] = ("mean", "median", "p90")
) -> dict[str, Any]:
    """Per scorer: rows, missing, and pass rate or ``statistics`` with 95% intervals.

    ``statistics`` (numeric scorers; mean, median, min, max, std, pNN) cost a bootstrap each;
    median and quantiles grow as n² (BCa's jackknife), so a list of many evaluations asks for
    ``("mean",)`` only.

    Each scorer's entry: ``scorer``, ``kind``, ``n_rows``, ``n_missing`` (no value: the
    scorer failed or did not run on the row), ``n_valid``, ``errors`` (rows where the scorer
    reported an error), ``estimates`` (:class:`~ardea.evaluation.stats.Estimate` dicts) and
    ``counts`` (``{label, count}`` for binary and categorical scorers).
    """
    from ardea.evaluation.stats import summarize
    from ardea.evaluation.stats.aggregates import statistic_function

    for name in statistics:
        statistic_function(name)  # an unknown name is refused even with no numeric scorer
    scorers = []
    for name in evaluation.scorers:
        values = [r.scores[name].value if name in r.scores else None for r in evaluation.rows]
        result = summarize(values, scorer=name, statistics=statistics)
        scorers.append(
            {
                "scorer": name,
                "kind": result.kind,
                "n_rows": result.n_rows,
                "n_missing": result.n_missing,
                "n_valid": result.n_valid,
                "errors": sum(
                    1
                    for r in evaluation.rows
                    if name in r.scores and r.scores[name].error is not None
                ),
                "estimates": [e.to_dict() for e in result.estimates],
                "counts": [{"label": label, "count": count} for label, count in result.counts],
            }
        )
    return {
        "run_id": evaluation.run_id,
        "experiment_id": evaluation.experiment_id,
        "run_name": evaluation.run_name,
        "is_evaluation": evaluation.is_evaluation,
        "n_rows": len(evaluation.rows),
        "scorers": scorers,
    }


def _trace_of(rows: Sequence[LoggedRow]) -> dict[str, str]:
    """Row key (``record:...`` / ``inputs:...``) -> trace id, as the pairing names rows."""
    from ardea.evaluation.stats.pairing import EvalRow

    found: dict[str, str] = {}
    for row in rows:
        stats_row = row.stats_row()
        keys = EvalRow(
            scores={},
            record_id=stats_row.get("record_id"),
            inputs=stats_row.get("inputs"),
        ).pairing_keys()
        for key in keys:
            if key is not None:
                found.setdefault(key, row.trace_id)
    return found


def compare_logged(
    baseline: LoggedEvaluation,
    candidate: LoggedEvaluation,
    *,
    correction: str = "holm",
    alpha: float = 0.05,
) -> dict[str, Any]:
    """:func:`~ardea.evaluation.stats.compare_evaluations` of two logged evaluations.

    The answer is the comparison's ``to_dict()`` plus ``baseline_run_id``,
    ``candidate_run_id`` and ``rows``: for every row key named anywhere in the comparison,
    the trace ids on each side (``{"key": ..., "baseline_trace_id": ..., "candidate_trace_id":
    ...}``) so that the UI can open both traces.

    Raises:
        InvalidArgumentError: a bad ``correction`` or ``alpha``.
    """
    from ardea.evaluation.stats import compare_evaluations

    if correction not in ("holm", "bh", "none"):
        raise InvalidArgumentError(f"correction must be holm, bh or none, got {correction!r}")
    result = compare_evaluations(
        [r.stats_row() for r in baseline.rows],
        [r.stats_row() for r in candidate.rows],
        alpha=alpha,
        correction=correction,  # type: ignore[arg-type]
    ).to_dict()
    in_a, in_b = _trace_of(baseline.rows), _trace_of(candidate.rows)
    keys: dict[str, None] = {}
    for s in result["scorers"]:
        for group in ("regressed_rows", "improved_rows", "changed_rows"):
            keys.update(dict.fromkeys(s[group]))
    keys.update(dict.fromkeys(result["unpaired_a"]))
    keys.update(dict.fromkeys(result["unpaired_b"]))
    result["rows"] = [
        {
            "key": key,
            "baseline_trace_id": in_a.get(key),
            "candidate_trace_id": in_b.get(key),
        }
        for key in keys
    ]
    result["baseline_run_id"] = baseline.run_id
    result["candidate_run_id"] = candidate.run_id
    return result
