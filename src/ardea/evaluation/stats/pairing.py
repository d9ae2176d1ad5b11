"""Rows of two evaluations, paired by dataset record id, else by a digest of their inputs.

An evaluation here is a sequence of rows; each row is an :class:`EvalRow` or a mapping with
``scores`` (``{scorer: value}``, a value being ``None``/NaN when the row failed, or a list of
values when the row was scored ``repeats=k`` times) and optionally ``record_id`` (also read from
``dataset_record_id``), ``inputs`` and ``id`` (a trace id, shown in reports). A mapping
``{record_id: {scorer: value}}`` is also accepted.

Pairing (the same rule as MLflow's ``compare_evaluations``, made explicit): rows are matched on
their dataset record id first; rows left over are matched on the SHA-256 of their inputs as
canonical JSON (sorted keys). A key that occurs twice in one evaluation is ambiguous: its rows
stay unpaired and are reported, never guessed.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Union

from ardea._core.errors import InvalidArgumentError

__all__ = ["EvalRow", "Evaluation", "Pairing", "inputs_digest", "pair_rows", "to_rows"]


@dataclass(frozen=True)
class EvalRow:
    """One row of an evaluation.

    Attributes:
        scores: ``{scorer: value}``; a list of values for repeated runs; ``None`` for failed.
        record_id: The dataset record the row came from, when known.
        inputs: The row's inputs (hashed for pairing when there is no record id).
        id: A display id (e.g. the trace id).
    """

    scores: Mapping[str, Any]
    record_id: str | None = None
    inputs: Any = None
    id: str | None = None

    def pairing_keys(self) -> tuple[str | None, str | None]:
        """The row's record key and inputs key (``None`` where it has neither)."""
        record = f"record:{self.record_id}" if self.record_id is not None else None
        digest = f"inputs:{inputs_digest(self.inputs)[:16]}" if self.inputs is not None else None
        return record, digest


Evaluation = Union[Sequence[Union[EvalRow, Mapping[str, Any]]], Mapping[str, Mapping[str, Any]]]  # noqa: UP007
"""What the comparison functions accept as one evaluation (see the module docstring)."""


def inputs_digest(inputs: Any) -> str:
    """SHA-256 hex digest of ``inputs`` as canonical JSON (sorted keys, ``str`` for the rest)."""
    text = json.dumps(inputs, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _row(obj: EvalRow | Mapping[str, Any], position: int) -> EvalRow:
    if isinstance(obj, EvalRow):
        return obj
    if not isinstance(obj, Mapping) or not isinstance(obj.get("scores"), Mapping):
        raise InvalidArgumentError(f"row {position} needs a 'scores' mapping, got {obj!r:.80}")
    record = obj.get("record_id", obj.get("dataset_record_id"))
    row_id = obj.get("id", obj.get("trace_id"))
    return EvalRow(
        scores=obj["scores"],
        record_id=None if record is None else str(record),
        inputs=obj.get("inputs"),
        id=None if row_id is None else str(row_id),
    )


def to_rows(evaluation: Evaluation) -> list[EvalRow]:
    """An evaluation as a list of :class:`EvalRow`."""
    if isinstance(evaluation, Mapping):
        return [
            EvalRow(scores=scores, record_id=str(key), id=str(key))
            for key, scores in evaluation.items()
        ]
    if isinstance(evaluation, (str, bytes)):
        raise InvalidArgumentError("an evaluation is a sequence of rows, not a string")
    return [_row(obj, i) for i, obj in enumerate(evaluation)]


@dataclass(frozen=True)
class Pairing:
    """How the rows of two evaluations were paired.

    Attributes:
        pairs: ``(key, row_a, row_b)``; the key is ``record:<id>`` or ``inputs:<digest16>``.
        unpaired_a: Keys (or positions ``#i``) of rows of ``a`` with no partner.
        unpaired_b: The same for ``b``.
        ambiguous: Keys shared by several rows of one evaluation (left unpaired).
    """

    pairs: tuple[tuple[str, EvalRow, EvalRow], ...]
    unpaired_a: tuple[str, ...]
    unpaired_b: tuple[str, ...]
    ambiguous: tuple[str, ...]


def _label(row: EvalRow, position: int) -> str:
    record, digest = row.pairing_keys()
    return record or digest or row.id or f"#{position}"


def pair_rows(a: Evaluation, b: Evaluation) -> Pairing:
    """Pair the rows of ``a`` and ``b`` (record id first, then inputs digest)."""
    left = list(enumerate(to_rows(a)))
    right = list(enumerate(to_rows(b)))
    pairs: list[tuple[str, EvalRow, EvalRow]] = []
    ambiguous: set[str] = set()
    for slot in (0, 1):

        def unique(
            rows: Iterable[tuple[int, EvalRow]], slot: int = slot
        ) -> dict[str, tuple[int, EvalRow]]:
            rows = list(rows)
            counts = Counter(k for _, r in rows if (k := r.pairing_keys()[slot]) is not None)
            ambiguous.update(k for k, c in counts.items() if c > 1)
            return {
                k: (i, r)
                for i, r in rows
                if (k := r.pairing_keys()[slot]) is not None and counts[k] == 1
            }

        by_key_a, by_key_b = unique(left), unique(right)
        matched_a: set[int] = set()
        matched_b: set[int] = set()
        for key, (i, row_b) in by_key_b.items():
            if key in by_key_a:
                j, row_a = by_key_a[key]
                pairs.append((key, row_a, row_b))
                matched_a.add(j)
                matched_b.add(i)
        left = [(i, r) for i, r in left if i not in matched_a]
        right = [(i, r) for i, r in right if i not in matched_b]
    return Pairing(
        pairs=tuple(pairs),
        unpaired_a=tuple(_label(r, i) for i, r in left),
        unpaired_b=tuple(_label(r, i) for i, r in right),
        ambiguous=tuple(sorted(ambiguous)),
    )
