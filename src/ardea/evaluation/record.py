"""Logging an evaluation exactly as ``mlflow.genai.evaluate`` does (MLFLOW-WIRE.md 11.3).

On the run: the dataset as a run input (``name`` "dataset", digest of the rows), tags
``mlflow.runType=genai_evaluate``, ``mlflow.genaiEvaluate.agent.function`` / ``.agent.digest``
/ ``.scorersDigest``; per row, every feedback as an assessment on the row's trace (metadata
``mlflow.assessment.sourceRunId``, ``span_id`` = the root span) and each expectation as a
HUMAN expectation (unless the trace has it already); the traces linked to the run; metrics
``<scorer>/<aggregation>`` (``mean`` unless the scorer names others) at step 0. Ardea adds
``<scorer>/ci_low`` and ``<scorer>/ci_high``: the 95% interval of the mean (Wilson for
pass/fail values, bootstrap otherwise; :mod:`ardea.evaluation.stats`).

Sessions (:mod:`ardea.evaluation.sessions`): each session's feedbacks go on its anchor trace
(the first turn; ``span_id`` = its root span), with metadata ``mlflow.assessment.sourceRunId``
and ``mlflow.trace.session``; their metrics are ``<scorer>/<aggregation>`` over the sessions
(one value per session), as MLflow's.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import math
import statistics
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, Literal

from ardea.entities import AssessmentSource, Expectation
from ardea.entities.run import Dataset, DatasetInput, Metric, RunTag
from ardea.evaluation.rows import EvalItem, ManagedDataset
from ardea.evaluation.scorers import Scorer
from ardea.evaluation.sessions import EvalSession

if TYPE_CHECKING:
    from ardea.client import ArdeaClient
    from ardea.evaluation.stats import ScorerSummary

__all__ = [
    "SOURCE_RUN_ID",
    "aggregate",
    "dataset_input",
    "lineage_tags",
    "log_assessments",
    "log_metrics",
    "log_session_assessments",
    "summaries",
]

SOURCE_RUN_ID = "mlflow.assessment.sourceRunId"
RUN_TYPE = "mlflow.runType"
RUN_TYPE_EVALUATE = "genai_evaluate"
AGENT_FUNCTION = "mlflow.genaiEvaluate.agent.function"
AGENT_DIGEST = "mlflow.genaiEvaluate.agent.digest"
SCORERS_DIGEST = "mlflow.genaiEvaluate.scorersDigest"
_MAX_TAG = 8000


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def lineage_tags(predict_fn: Callable[..., Any] | None, scorers: Sequence[Scorer]) -> list[RunTag]:
    """MLflow's lineage tags: the evaluated function and a digest of the scorers."""
    tags: dict[str, str] = {RUN_TYPE: RUN_TYPE_EVALUATE}
    if predict_fn is not None:
        target: Any = predict_fn
        if not (inspect.isroutine(target) or inspect.isclass(target)):
            target = type(target)
        module, qualname = (
            getattr(target, "__module__", None),
            getattr(target, "__qualname__", None),
        )
        if module and qualname:
            tags[AGENT_FUNCTION] = f"{module}.{qualname}"
        try:
            tags[AGENT_DIGEST] = _sha256(inspect.getsource(inspect.unwrap(target)))
        except (OSError, TypeError):
            pass
    if scorers:
        digests = []
        for s in scorers:
            try:
                digests.append(_sha256(s.to_json()))
            except Exception:
                continue
        value: dict[str, Any] = {}
        if digests:
            value["digest"] = _sha256("\n".join(sorted(digests)))
        value["hashed"] = len(digests)
        value["total"] = len(scorers)
        tags[SCORERS_DIGEST] = json.dumps(value)
    return [RunTag(k, v) for k, v in tags.items() if len(v) <= _MAX_TAG]


def _row_json(item: EvalItem) -> dict[str, Any]:
    return {"inputs": item.inputs, "expectations": item.expectations or None}


def dataset_input(items: Sequence[EvalItem], managed: ManagedDataset | None) -> DatasetInput:
    """The run input MLflow's evaluate logs: the rows as a dataset named ``dataset``.

    A managed dataset is logged under its own name and digest (source type
    ``mlflow_evaluation_dataset``, as MLflow).
    """
    columns = ["inputs", "expectations"]
    schema = {"mlflow_colspec": [{"type": "object", "name": c, "required": True} for c in columns]}
    if managed is not None:
        return DatasetInput(
            Dataset(
                name=managed.name,
                digest=managed.digest,
                source_type="mlflow_evaluation_dataset",
                source=json.dumps({"dataset_id": managed.dataset_id}),
                schema=json.dumps(schema),
                profile=json.dumps({"num_records": len(items)}),
            ),
            {"mlflow.data.context": "eval"},
        )
    md5 = hashlib.md5(usedforsecurity=False)
    for item in items[:10_000]:
        md5.update(json.dumps(_row_json(item), sort_keys=True, default=str).encode("utf-8"))
    md5.update(f"{len(items)}".encode())
    profile = {"num_rows": len(items), "num_elements": len(items) * len(columns)}
    return DatasetInput(
        Dataset(
            name="dataset",
            digest=md5.hexdigest()[:8],
            source_type="code",
            source=json.dumps({"tags": {"mlflow.source.type": "LOCAL"}}),
            schema=json.dumps(schema),
            profile=json.dumps(profile),
        ),
        {},
    )


def _assessments_of(item: EvalItem, run_id: str) -> list[Any]:
    out: list[Any] = []
    for f in item.feedbacks:
        f.trace_id = item.trace_id  # type: ignore[assignment]
        f.metadata = {**(f.metadata or {}), SOURCE_RUN_ID: run_id}
        if item.root_span_id:
            f.span_id = item.root_span_id
        out.append(f)
    existing = item.existing_expectations
    for name, value in item.expectations.items():
        if name in existing or value is None:
            continue
        try:
            e = Expectation(
                name=name,
                value=value,
                source=AssessmentSource("HUMAN", "default"),
                trace_id=item.trace_id,
                span_id=item.root_span_id,
                metadata={SOURCE_RUN_ID: run_id},
            )
        except Exception:  # a value that is not JSON stays off the trace, not fatal
            continue
        out.append(e)
    return out


def _session_assessments(session: EvalSession, run_id: str) -> list[Any]:
    anchor = session.anchor
    out: list[Any] = []
    for f in session.feedbacks:
        f.trace_id = session.trace_id  # type: ignore[assignment]
        f.metadata = {**(f.metadata or {}), SOURCE_RUN_ID: run_id}
        if anchor is not None and anchor.root_span_id:
            f.span_id = anchor.root_span_id
        out.append(f)
    return out


def log_session_assessments(
    client: ArdeaClient, sessions: Iterable[EvalSession], run_id: str, workers: int = 16
) -> tuple[int, list[str]]:
    """Log every scored session's feedbacks on its anchor trace; (how many, errors met)."""
    work = [
        (s.trace_id, a)
        for s in sessions
        if s.done and s.trace_id
        for a in _session_assessments(s, run_id)
    ]
    return _log_work(client, work, workers)


def log_assessments(
    client: ArdeaClient, items: Iterable[EvalItem], run_id: str, workers: int = 16
) -> tuple[int, list[str]]:
    """Log every finished row's feedbacks and expectations; (how many, errors met).

    On a database, in one transaction per 1,000 (a batch the store refuses is retried one by
    one, so one bad value costs only itself); on a server, ``workers`` calls at a time.
    """
    work = [
        (item.trace_id, a)
        for item in items
        if item.done and item.trace_id
        for a in _assessments_of(item, run_id)
    ]
    return _log_work(client, work, workers)


def _log_work(
    client: ArdeaClient, work: list[tuple[Any, Any]], workers: int
) -> tuple[int, list[str]]:
    errors: list[str] = []

    def one(job: tuple[Any, Any]) -> bool:
        trace_id, assessment = job
        try:
            client.log_assessment(trace_id, assessment)
            return True
        except Exception as exc:
            errors.append(f"{trace_id} {getattr(assessment, 'name', '?')}: {exc}")
            return False

    if not work:
        return 0, errors
    if client.trace_store.bulk_assessments:
        logged = 0
        for start in range(0, len(work), 1000):
            batch = work[start : start + 1000]
            try:
                logged += len(client.log_assessments(batch))
            except Exception:
                logged += sum(one(job) for job in batch)
        return logged, errors
    with ThreadPoolExecutor(max(1, min(workers, len(work))), "ardea-eval-log") as pool:
        logged = sum(pool.map(one, work))
    return logged, errors


def _as_float(value: Any) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        return None if isinstance(value, float) and math.isnan(value) else float(value)
    if isinstance(value, str) and value.strip().lower() in ("yes", "no"):
        return float(value.strip().lower() == "yes")
    return None


def scorer_values(items: Iterable[EvalItem | EvalSession]) -> dict[str, list[float | None]]:
    """Per feedback name, its value on each finished row (or session) as MLflow casts it.

    None where the row has no value for that name.
    """
    names: list[str] = []
    rows = [i for i in items if i.done]
    for item in rows:
        for f in item.feedbacks:
            if f.name not in names:
                names.append(f.name)
    values: dict[str, list[float | None]] = {n: [] for n in names}
    for item in rows:
        found: dict[str, float | None] = {}
        for f in item.feedbacks:
            found[f.name] = None if f.error is not None else _as_float(f.value)
        for n in names:
            values[n].append(found.get(n))
    return values


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q
    low, high = math.floor(pos), math.ceil(pos)
    return ordered[low] + (ordered[high] - ordered[low]) * (pos - low)


_AGGREGATIONS: dict[str, Callable[[list[float]], float]] = {
    "min": min,
    "max": max,
    "mean": statistics.fmean,
    "median": statistics.median,
    "variance": lambda v: statistics.pvariance(v) if len(v) > 1 else 0.0,
    "p90": lambda v: _percentile(v, 0.9),
}


def aggregate(
    values: dict[str, list[float | None]],
    scorers: Sequence[Scorer],
    extra: dict[str, list[str]] | None = None,
) -> dict[str, float]:
    """MLflow's run metrics: ``<name>/<aggregation>`` of each feedback name's values.

    ``extra``: more aggregations by scorer name (those ``quality_criteria`` checks).
    """
    by_name = {s.name: list(s.aggregations) if s.aggregations else ["mean"] for s in scorers}
    for name, aggs in (extra or {}).items():
        if name in by_name:
            by_name[name] += [a for a in aggs if a not in by_name[name]]
    metrics: dict[str, float] = {}
    for name, column in values.items():
        present = [v for v in column if v is not None]
        if not present:
            continue
        scorer_name = name if name in by_name else name.split("/", 1)[-1]
        for agg in by_name.get(scorer_name, ["mean"]):
            if isinstance(agg, str):
                metrics[f"{name}/{agg}"] = float(_AGGREGATIONS[agg](present))
            else:
                try:
                    metrics[f"{name}/{agg.__name__}"] = float(agg(present))
                except Exception:
                    continue
    return metrics


def summaries(values: dict[str, list[float | None]]) -> dict[str, ScorerSummary]:
    """Ardea's summary (with a 95% interval) of each feedback name that has numbers."""
    from ardea.evaluation.stats import summarize

    out = {}
    for name, column in values.items():
        present = [v for v in column if v is not None]
        if not present:
            continue
        kind: Literal["binary", "numeric"] = (
            "binary" if all(v in (0.0, 1.0) for v in present) else "numeric"
        )
        out[name] = summarize(
            [bool(v) if kind == "binary" and v is not None else v for v in column],
            scorer=name,
            kind=kind,
            statistics=("mean",),
        )
    return out


def interval_metrics(found: dict[str, ScorerSummary]) -> dict[str, float]:
    """``<name>/ci_low`` and ``<name>/ci_high`` of each summary's first estimate."""
    metrics: dict[str, float] = {}
    for name, summary in found.items():
        est = summary.estimates[0]
        if est.low is not None and est.high is not None:
            metrics[f"{name}/ci_low"] = float(est.low)
            metrics[f"{name}/ci_high"] = float(est.high)
    return metrics


def log_metrics(client: ArdeaClient, run_id: str, metrics: dict[str, float]) -> None:
    """Log ``metrics`` at step 0 in batches."""
    from ardea._core.ids import now_ms

    now = now_ms()
    points = [Metric(k, v, now, 0) for k, v in metrics.items()]
    for start in range(0, len(points), 1000):
        client.log_batch(run_id, metrics=points[start : start + 1000])
