"""What ``evaluate`` takes as ``data``, as a list of :class:`EvalItem`.

Accepted (as ``mlflow.genai.evaluate``): a list of dicts with ``inputs`` / ``outputs`` /
``expectations`` / ``tags`` / ``trace`` keys; a pandas DataFrame with those columns (a
``search_traces`` result has a ``trace`` column); a list of traces (Ardea's or MLflow's); a
managed evaluation dataset (:mod:`ardea.evaluation.datasets`, read at its current version, or
``mlflow.genai.datasets``' ``EvaluationDataset``, read with ``to_df()``). Ardea adds simulated
conversations (:mod:`ardea.evaluation.simulation`): a ``SimulationResult`` or a list of
``Conversation``, scored as their traces (one session each).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Assessment, Feedback

__all__ = [
    "SESSION_METADATA",
    "EvalItem",
    "ManagedDataset",
    "is_trace",
    "to_items",
    "trace_session",
]


@dataclass
class EvalItem:
    """One row of an evaluation while it runs, then as it was logged.

    Attributes:
        index: Position in ``data``.
        inputs: The row's inputs (``predict_fn`` is called with ``**inputs``).
        outputs: The given or predicted outputs.
        expectations: Ground truth, logged as HUMAN expectations.
        tags: Tags set on the row's trace.
        record_id: The dataset record the row came from, when known.
        trace: The row's trace (given, or fetched when a scorer needs it).
        trace_id: The id of the row's trace.
        root_span_id: The id of its root span (assessments point at it, as MLflow).
        error: Why ``predict_fn`` failed on this row, if it did.
        feedbacks: What the scorers returned.
        done: The row finished (scored) before the evaluation ended.
        existing_expectations: Expectations the given trace already has (not logged again).
        session_id: The conversation the row belongs to (``mlflow.trace.session``): from the
            trace's metadata, the row's ``session_id``, or its dataset record's source.
    """

    index: int
    inputs: Any = None
    outputs: Any = None
    expectations: dict[str, Any] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)
    record_id: str | None = None
    trace: Any = None
    trace_id: str | None = None
    root_span_id: str | None = None
    error: str | None = None
    feedbacks: list[Feedback] = field(default_factory=list)
    done: bool = False
    existing_expectations: frozenset[str] = frozenset()
    session_id: str | None = None

    def scores(self) -> dict[str, Any]:
        """``{feedback name: value}`` (``None`` for an error)."""
        return {f.name: (None if f.error is not None else f.value) for f in self.feedbacks}


@dataclass(frozen=True)
class ManagedDataset:
    """A managed dataset's identity (pinned on the run): id, name, version and digest."""

    dataset_id: str
    name: str
    digest: str
    version: int | None
    source: Any = None


def is_trace(value: Any) -> bool:
    """Whether ``value`` looks like a trace (Ardea's ``Trace`` or MLflow's)."""
    info = getattr(value, "info", None)
    return info is not None and hasattr(info, "trace_id") and not isinstance(value, Mapping)


def _json_field(value: Any, what: str, index: int) -> Any:
    if isinstance(value, str) and what != "outputs":
        try:
            return json.loads(value)
        except ValueError:
            if what == "inputs":  # predict_fn fails on that row only (inputs must be a dict)
                return value
            raise InvalidArgumentError(
                f"row {index}: {what} must be a dict (or its JSON), got {value[:80]!r}"
            ) from None
    return value


def _missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN from a DataFrame
    except Exception:
        return False


def _root(trace: Any) -> Any:
    spans = getattr(trace, "spans", None)
    if spans is None:
        spans = getattr(getattr(trace, "data", None), "spans", None) or []
    for span in spans:
        if getattr(span, "parent_span_id", getattr(span, "parent_id", None)) is None:
            return span
    return None


def _expectations_of(trace: Any) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for a in getattr(trace.info, "assessments", None) or []:
        if isinstance(a, Assessment):
            if a.kind == "expectation" and a.valid:
                found[a.name] = a.value
        elif getattr(a, "expectation", None) is not None:
            found[a.name] = a.expectation.value
    return found


SESSION_METADATA = "mlflow.trace.session"
"""Trace metadata naming the session (conversation) a trace belongs to."""


def trace_session(trace: Any) -> str | None:
    """The session id in ``trace``'s metadata (Ardea's or MLflow's trace), if any."""
    info = getattr(trace, "info", None)
    metadata = getattr(info, "trace_metadata", None) or {}
    value = metadata.get(SESSION_METADATA) if isinstance(metadata, Mapping) else None
    return str(value) if value else None


def _source_session(source: Any) -> str | None:
    """``session_id`` in a dataset record's source (``{"source_data": {...}}``, or its JSON)."""
    if isinstance(source, str):
        try:
            source = json.loads(source)
        except ValueError:
            return None
    data = source.get("source_data") if isinstance(source, Mapping) else None
    value = data.get("session_id") if isinstance(data, Mapping) else None
    return str(value) if value else None


def item_from_trace(trace: Any, index: int, expectations: Any = None) -> EvalItem:
    """An item for an existing trace: inputs/outputs of its root span, its expectations."""
    root = _root(trace)
    item = EvalItem(
        index=index,
        trace=trace,
        trace_id=str(trace.info.trace_id),
        session_id=trace_session(trace),
    )
    if root is not None:
        item.inputs = root.inputs
        item.outputs = root.outputs
        item.root_span_id = getattr(root, "span_id", None)
    item.expectations = dict(_expectations_of(trace))
    item.existing_expectations = frozenset(item.expectations)
    if isinstance(expectations, Mapping):
        item.expectations.update(expectations)
    return item


def _item_from_mapping(row: Mapping[str, Any], index: int) -> EvalItem:
    unknown = set(row) - {
        "inputs",
        "outputs",
        "expectations",
        "tags",
        "trace",
        "dataset_record_id",
        "record_id",
        "request",
        "response",
        "source",
        "source_type",
        "source_id",
        "created_time",
        "last_update_time",
        "created_by",
        "last_updated_by",
        "trace_id",
        "client_request_id",
        "state",
        "request_time",
        "execution_duration",
        "request_preview",
        "response_preview",
        "trace_metadata",
        "spans",
        "assessments",
        "session_id",
    }
    if unknown:
        raise InvalidArgumentError(
            f"row {index} has unknown key(s) {sorted(unknown)}; a row has 'inputs', 'outputs', "
            "'expectations', 'tags' or 'trace'"
        )
    expectations = _json_field(row.get("expectations"), "expectations", index)
    trace = row.get("trace")
    if isinstance(trace, str):
        trace = _trace_from_json(trace)
    if not _missing(trace):
        item = item_from_trace(trace, index, expectations)
    else:
        inputs = row.get("inputs", row.get("request"))
        item = EvalItem(index=index, inputs=_json_field(inputs, "inputs", index))
        outputs = row.get("outputs", row.get("response"))
        item.outputs = None if _missing(outputs) else outputs
        if not _missing(expectations):
            if not isinstance(expectations, Mapping):
                raise InvalidArgumentError(
                    f"row {index}: expectations must be a dict, got {type(expectations).__name__}"
                )
            item.expectations = dict(expectations)
    tags = _json_field(row.get("tags"), "tags", index)
    if isinstance(tags, Mapping):
        item.tags = {str(k): str(v) for k, v in tags.items()}
    record = row.get("dataset_record_id", row.get("record_id"))
    if not _missing(record):
        item.record_id = str(record)
    if item.session_id is None:
        session = row.get("session_id")
        if _missing(session) or session == "":
            session = _source_session(row.get("source"))
        item.session_id = None if _missing(session) else str(session)
    return item


def _trace_from_json(text: str) -> Any:
    """A trace from MLflow's JSON (``Trace.to_json()``).

    That is what ``mlflow.search_traces``'s DataFrame holds in its ``trace`` column.
    """
    from ardea.api.mlflow_trace_json import span_from_traces_json, trace_info_from_json
    from ardea.entities.trace import Trace

    try:
        doc = json.loads(text)
        info = trace_info_from_json(doc["info"])
        spans = [span_from_traces_json(s) for s in (doc.get("data") or {}).get("spans") or []]
    except Exception as exc:
        raise InvalidArgumentError(
            f"a 'trace' value is not a trace's JSON ({type(exc).__name__}: {exc})"
        ) from None
    return Trace(info=info, spans=spans)


def _dataframe_rows(df: Any) -> list[dict[str, Any]]:
    return [dict(r) for r in df.to_dict(orient="records")]


def to_items(data: Any) -> tuple[list[EvalItem], ManagedDataset | None]:
    """``data`` as items, and the managed dataset it came from (None for plain data).

    Raises:
        InvalidArgumentError: Empty data, or data of a shape ``evaluate`` does not take.
    """
    managed: ManagedDataset | None = None
    rows: Sequence[Any]
    if callable(getattr(data, "eval_traces", None)):  # a simulation's result
        data = data.eval_traces()
    elif isinstance(data, Sequence) and any(
        callable(getattr(r, "eval_traces", None)) for r in data
    ):
        data = [t for r in data for t in (r.eval_traces() if hasattr(r, "eval_traces") else [r])]
    if callable(getattr(data, "records", None)) and callable(getattr(data, "pin", None)):
        if callable(getattr(data, "refresh", None)):
            data = data.refresh()  # the version evaluated is the latest, and the one pinned
        version = getattr(data, "version", None)
        managed = ManagedDataset(
            str(data.dataset_id), str(data.name), str(data.digest), version, data
        )
        rows = [
            {
                "inputs": r.inputs,
                "expectations": r.expectations,
                "tags": r.tags or None,
                "dataset_record_id": r.dataset_record_id,
                "source": r.source,
            }
            for r in data.records(version=version)
        ]
    elif callable(getattr(data, "to_df", None)) and hasattr(data, "dataset_id"):
        managed = ManagedDataset(
            str(data.dataset_id),
            str(getattr(data, "name", "dataset")),
            str(getattr(data, "digest", "")),
            None,
            data,
        )
        rows = _dataframe_rows(data.to_df())
        for r in rows:
            if r.get("outputs") in ({}, None):  # MLflow's records default to {} outputs
                r.pop("outputs", None)
    elif hasattr(data, "to_dict") and hasattr(data, "columns"):
        rows = _dataframe_rows(data)
    elif isinstance(data, (str, bytes, Mapping)) or not isinstance(data, Sequence):
        raise InvalidArgumentError(
            "data must be a list of dicts, a pandas DataFrame, a list of traces or an "
            f"evaluation dataset, got {type(data).__name__}"
        )
    else:
        rows = data
    if len(rows) == 0:
        raise InvalidArgumentError("data is empty: there is nothing to evaluate")
    items = []
    for i, row in enumerate(rows):
        if is_trace(row):
            items.append(item_from_trace(row, i))
        elif isinstance(row, Mapping):
            items.append(_item_from_mapping(row, i))
        else:
            raise InvalidArgumentError(
                f"row {i} must be a dict or a trace, got {type(row).__name__}"
            )
    return items, managed
