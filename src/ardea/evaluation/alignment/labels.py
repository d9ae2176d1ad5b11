"""The labelled rows an alignment learns from, and their seeded, stratified split.

:func:`labelled_rows` reads either traces (a ``search_traces`` result, as a list or its
DataFrame, or a list of :class:`~ardea.entities.Trace`) that carry a HUMAN feedback named like
the judge (what the review queues write; the latest valid one counts), or plain rows:
mappings with ``inputs``, ``outputs``, optional ``expectations`` and a ``label``. Rows without
a label are left out.

Labels are compared as text (``judge_agreement``'s convention); for a boolean judge MLflow's
yes/no words count as booleans (``"yes"``, ``"pass"`` are ``True``).

:func:`split` keeps, for every label, ``round(holdout_fraction * n)`` of its rows (at least one
when the label has two or more rows) in the held-out part, chosen by a
``numpy.random.default_rng(seed)`` shuffle: the same rows and seed always give the same split.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Assessment
from ardea.entities.assessment import AssessmentSourceType

__all__ = ["LabelledRow", "label_text", "labelled_rows", "split"]


@dataclass(frozen=True)
class LabelledRow:
    """One row with a human label.

    Attributes:
        key: The trace id, or for a plain row ``row-`` and a hash of its inputs and outputs.
        label: The human label (as given; see :func:`label_text`).
        inputs: The row's inputs (a trace's root span inputs).
        outputs: The row's outputs.
        expectations: Its expectations, if any.
        trace: The trace, for judges that read ``{{ trace }}``.
        trace_id: The trace's id (None for a plain row).
        assessment_id: The id of the HUMAN feedback that gave the label.
    """

    key: str
    label: Any
    inputs: Any = None
    outputs: Any = None
    expectations: dict[str, Any] | None = None
    trace: Any = field(default=None, repr=False, compare=False)
    trace_id: str | None = None
    assessment_id: str | None = None


def label_text(value: Any, binary: bool) -> str | None:
    """``value`` as the text agreement compares (None for a missing one)."""
    from ardea.evaluation.stats._common import _binary_word, is_missing

    if is_missing(value):
        return None
    if binary:
        word = _binary_word(value)
        if word is not None:
            return str(word)
    return str(value)


def _human_feedback(trace: Any, name: str) -> Assessment | None:
    best: Assessment | None = None
    for a in getattr(trace.info, "assessments", None) or []:
        if (
            isinstance(a, Assessment)
            and a.kind == "feedback"
            and a.name == name
            and a.valid
            and a.error is None
            and a.source_type == AssessmentSourceType.HUMAN.value
            and a.value is not None
            and (best is None or a.create_time >= best.create_time)
        ):
            best = a
    return best


def _from_trace(trace: Any, index: int, name: str) -> LabelledRow | None:
    from ardea.evaluation.rows import item_from_trace

    feedback = _human_feedback(trace, name)
    if feedback is None:
        return None
    item = item_from_trace(trace, index)
    trace_id = str(trace.info.trace_id)
    return LabelledRow(
        key=trace_id,
        label=feedback.value,
        inputs=item.inputs,
        outputs=item.outputs,
        expectations=item.expectations or None,
        trace=trace,
        trace_id=trace_id,
        assessment_id=feedback.assessment_id,
    )


def _row_key(row: Mapping[str, Any]) -> str:
    """``row-`` and a hash of the row's inputs and outputs: the same row, the same key."""
    import hashlib
    import json

    material = json.dumps([row.get("inputs"), row.get("outputs")], sort_keys=True, default=str)
    return "row-" + hashlib.sha256(material.encode()).hexdigest()[:16]


def _from_mapping(row: Mapping[str, Any], index: int) -> LabelledRow | None:
    unknown = set(row) - {"inputs", "outputs", "expectations", "label", "trace_id"}
    if unknown:
        raise InvalidArgumentError(
            f"row {index}: unknown keys {sorted(unknown)} (a labelled row has inputs, "
            "outputs, expectations, label, trace_id)"
        )
    if row.get("label") is None:
        return None
    expectations = row.get("expectations")
    if expectations is not None and not isinstance(expectations, Mapping):
        raise InvalidArgumentError(f"row {index}: expectations must be a dictionary")
    trace_id = row.get("trace_id")
    return LabelledRow(
        key=str(trace_id) if trace_id else _row_key(row),
        label=row["label"],
        inputs=row.get("inputs"),
        outputs=row.get("outputs"),
        expectations=dict(expectations) if expectations else None,
        trace_id=str(trace_id) if trace_id else None,
    )


def _records(data: Any) -> Iterable[Any]:
    to_dict = getattr(data, "to_dict", None)
    if callable(to_dict) and hasattr(data, "columns"):  # a pandas DataFrame
        if "trace" in data.columns:  # search_traces' DataFrame: its Trace objects
            return list(data["trace"])
        return list(to_dict(orient="records"))
    if isinstance(data, (str, bytes)) or not isinstance(data, Iterable):
        raise InvalidArgumentError(
            "traces_with_human_labels must be a list of traces (a search_traces result) or "
            f"of labelled rows, got {type(data).__name__}"
        )
    return data


def labelled_rows(judge_name: str, data: Any) -> list[LabelledRow]:
    """The rows of ``data`` that carry a human label for ``judge_name`` (see the module).

    Raises:
        InvalidArgumentError: ``data`` is neither traces nor labelled rows.
    """
    out: list[LabelledRow] = []
    for index, record in enumerate(_records(data)):
        if isinstance(record, Mapping):
            row = _from_mapping(record, index)
        elif hasattr(record, "info") and hasattr(record.info, "trace_id"):
            row = _from_trace(record, index, judge_name)
        else:
            raise InvalidArgumentError(
                f"item {index} is a {type(record).__name__}, neither a trace nor a mapping"
            )
        if row is not None:
            out.append(row)
    return out


def split(
    rows: Sequence[LabelledRow],
    *,
    holdout_fraction: float,
    seed: int,
    binary: bool = False,
) -> tuple[list[LabelledRow], list[LabelledRow]]:
    """``(train, holdout)``: a seeded split stratified by label (see the module).

    Raises:
        InvalidArgumentError: ``holdout_fraction`` outside (0, 1).
    """
    import numpy as np

    if not 0.0 < holdout_fraction < 1.0:
        raise InvalidArgumentError(f"holdout_fraction must be in (0, 1), got {holdout_fraction}")
    rng = np.random.default_rng(seed)
    by_label: dict[str, list[int]] = {}
    for i, row in enumerate(rows):
        by_label.setdefault(label_text(row.label, binary) or "", []).append(i)
    held: set[int] = set()
    for label in sorted(by_label):
        members = by_label[label]
        order = [members[int(j)] for j in rng.permutation(len(members))]
        take = round(holdout_fraction * len(members))
        if len(members) >= 2:
            take = min(max(take, 1), len(members) - 1)
        held.update(order[:take])
    train = [r for i, r in enumerate(rows) if i not in held]
    holdout = [r for i, r in enumerate(rows) if i in held]
    return train, holdout
