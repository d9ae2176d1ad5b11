"""Quality over time: each judge's verdicts per time bucket and group, counted in SQL.

One ``GROUP BY name, bucket, group, value`` over the valid feedback of the range's traces
(the ``(experiment_id, request_time)`` index picks the traces, the assessments' ``trace_id``
index their feedback); only the distinct stored values come back, each with its count, and
are read as verdicts in Python (:func:`~ardea.store.sql.traces.metrics.assessment_verdict`).

Groups: ``prompt`` is the trace's ``mlflow.linkedPrompts`` tag (its ``name`` and ``version``
entries, shown as ``name v3``; several linked prompts are one group, ``a v1, b v2``);
``model`` is the trace's LLM model (the smallest model name among its spans when it called
several); ``tag:<key>`` the value of a trace tag. Traces without one are the group None.
Past :data:`~ardea.entities.quality.MAX_GROUPS` groups per judge, the rest are merged.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea.entities.quality import MAX_GROUPS, OTHER_GROUP, QualityMetrics, QualitySeries
from ardea.store.sql.traces import tables as t
from ardea.store.sql.traces.metrics import assessment_verdict, bucket_count

__all__ = ["LINKED_PROMPTS_TAG", "prompt_label", "quality_metrics"]

LINKED_PROMPTS_TAG = "mlflow.linkedPrompts"
"""The trace tag listing the prompt versions a trace used (a JSON list)."""

_T, _A, _S = t.traces.c, t.assessments.c, t.spans.c


def prompt_label(raw: str | None) -> str | None:
    """A ``mlflow.linkedPrompts`` value as a group label (``name v1, other v2``), or None."""
    if not raw:
        return None
    try:
        entries = json.loads(raw)
    except ValueError:
        return raw
    if not isinstance(entries, list):
        return raw
    names = sorted(f"{e.get('name')} v{e.get('version')}" for e in entries if isinstance(e, dict))
    return ", ".join(names) or None


def _grouped(ranged: Any, kind: str, key: str | None) -> tuple[Any, Any]:
    """The group column and the FROM clause that outer-joins it to ``ranged`` (None: ungrouped).

    A tag is one row per trace (``trace_tags``' key is ``(trace_id, key)``); a model is the
    smallest model of the trace's spans, a correlated subquery (a hash join over an aggregate
    of spans planned without statistics, right after a bulk load, turned into nested loops).
    """
    r = ranged.c
    if kind in ("tag", "prompt"):
        wanted = key if kind == "tag" else LINKED_PROMPTS_TAG
        tags = t.trace_tags.alias("grp")
        on = sa.and_(tags.c.trace_id == r.trace_id, tags.c.key == wanted)
        return tags.c.value, ranged.outerjoin(tags, on)
    if kind == "model":  # one probe of spans' trace_id index per trace, whatever the statistics
        model = (
            sa.select(sa.func.min(_S.model))
            .where(_S.trace_id == r.trace_id, _S.model.is_not(None))
            .scalar_subquery()
        )
        return model, ranged
    return None, ranged


def quality_metrics(
    conn: Connection,
    experiment_id: int,
    start_ms: int,
    end_ms: int,
    buckets: int,
    group_by: tuple[str, str | None],
    label: str,
) -> QualityMetrics:
    """Verdicts per judge, group and bucket of the traces with ``start <= request_time < end``.

    Raises:
        InvalidArgumentError: An empty or negative range, or a bucket count out of bounds.
    """
    n = bucket_count(start_ms, end_ms, buckets)
    width = max(1, -(-(end_ms - start_ms) // n))
    n = -(-(end_ms - start_ms) // width)

    def window(c: Any) -> list[Any]:
        return [
            c.experiment_id == experiment_id,
            c.request_time >= start_ms,
            c.request_time < end_ms,
        ]

    ranged = (
        sa.select(((_T.request_time - start_ms) // width).label("bucket"), _T.trace_id)
        .where(*window(_T))
        .subquery("ranged")
    )
    kind, key = group_by
    group, joined = _grouped(ranged, kind, key)
    r = ranged.c
    keys: list[Any] = [_A.name, r.bucket, _A.value] + ([] if group is None else [group])
    query = (
        sa.select(_A.name, r.bucket, _A.value, sa.func.count(), *keys[3:])
        .select_from(joined.join(t.assessments, _A.trace_id == r.trace_id))
        .where(_A.kind == "feedback", _A.valid == sa.true())
        .group_by(*keys)
    )
    series: dict[tuple[str, str | None], QualitySeries] = {}
    for name, idx, raw, count, *grouped in conn.execute(query):
        raw_group = grouped[0] if grouped else None
        verdict = assessment_verdict(raw)
        if not isinstance(verdict, bool):
            continue
        value = prompt_label(raw_group) if kind == "prompt" else raw_group
        s = series.get((name, value))
        if s is None:
            s = series[(name, value)] = QualitySeries(name, value, [0] * n, [0] * n)
        s.total[int(idx)] += int(count)
        if verdict:
            s.passed[int(idx)] += int(count)
    return QualityMetrics(start_ms, end_ms, width, label, _capped(series, n))


def _capped(series: dict[tuple[str, str | None], QualitySeries], n: int) -> list[QualitySeries]:
    """By judge; per judge the :data:`MAX_GROUPS` biggest groups, then ``(other)``."""
    out: list[QualitySeries] = []
    for judge in sorted({j for j, _ in series}):
        mine = sorted(
            (s for (j, _), s in series.items() if j == judge),
            key=lambda s: (-s.verdict_count, s.group is None, s.group or ""),
        )
        out += mine[:MAX_GROUPS]
        if len(mine) > MAX_GROUPS:
            other = QualitySeries(judge, OTHER_GROUP, [0] * n, [0] * n)
            for s in mine[MAX_GROUPS:]:
                other.passed = [a + b for a, b in zip(other.passed, s.passed, strict=True)]
                other.total = [a + b for a, b in zip(other.total, s.total, strict=True)]
            out.append(other)
    return out
