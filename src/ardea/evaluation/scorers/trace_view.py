"""What a judge is shown of a trace: a compact view to a budget, never the whole trace.

A trace may hold 100,000 spans; a judge gets (see docs/scorers.md, "What a judge sees"):

- the root span's inputs and outputs (each cut to :data:`FIELD_BUDGET` characters);
- a span tree summary: one line per span (depth, name, type, status, duration), depth first,
  at most :data:`MAX_SPANS` lines, then ``... N more spans``;
- the retrieved documents of RETRIEVER spans (:func:`retrieved_documents`) and the tool
  calls of TOOL spans (:func:`tool_calls`), each list cut to a budget.

Works on Ardea's :class:`~ardea.entities.Trace` and on ``mlflow.entities.Trace`` (duck
typed: ``trace.data.spans`` with ``span_type``, ``inputs``, ``outputs``, ``parent_id``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = [
    "FIELD_BUDGET",
    "MAX_SPANS",
    "SpanView",
    "clip",
    "conversation",
    "render_trace",
    "retrieved_documents",
    "root_span",
    "spans_of",
    "to_text",
    "tool_calls",
]

FIELD_BUDGET = 4_000
"""Characters kept of one span input/output/document in a trace view."""

MAX_SPANS = 200
"""Span lines in a trace view's tree summary."""

TOTAL_BUDGET = 60_000
"""Characters of a whole rendered trace view."""


@dataclass(frozen=True, slots=True)
class SpanView:
    """One span, the fields a judge needs, whatever the trace's class."""

    span_id: str
    parent_id: str | None
    name: str
    span_type: str
    status: str
    start_ns: int
    end_ns: int | None
    inputs: Any
    outputs: Any
    attributes: Mapping[str, Any]


def _plain(value: Any, depth: int = 0) -> bool:
    """Whether orjson writes ``value`` with 2-space indents exactly as ``json.dumps`` does.

    Strings, bools, None, ints, floats written without an exponent, and lists and
    str-keyed dicts of those (a float such as 1e16 is written differently).
    """
    if value is None or isinstance(value, (str, bool, int)):
        return True
    if isinstance(value, float):
        return value == 0 or 1e-4 <= abs(value) < 1e15
    if depth > 64:
        return False
    if isinstance(value, list):
        return all(_plain(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return all(isinstance(k, str) and _plain(v, depth + 1) for k, v in value.items())
    return False


def to_text(value: Any) -> str:
    """A value as a judge reads it: strings as they are, the rest as indented JSON.

    The text is ``json.dumps(value, indent=2, ensure_ascii=False, default=str)``; orjson
    writes it where its output is the same (:func:`_plain`): the stdlib's indenting encoder
    runs in Python and was most of a cached row's time.
    """
    if isinstance(value, str):
        return value
    if _plain(value):
        import orjson

        try:
            return orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
        except orjson.JSONEncodeError:  # e.g. an int past 64 bits, a lone surrogate
            pass
    try:
        return json.dumps(value, indent=2, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(value)


def clip(text: str, budget: int) -> str:
    """``text`` cut to ``budget`` characters, saying how much was cut."""
    if len(text) <= budget:
        return text
    return f"{text[:budget]}... [{len(text) - budget:,} more characters cut]"


def _status(span: Any) -> str:
    status = getattr(span, "status_code", None)
    if status is None:
        raw = getattr(span, "status", None)
        status = getattr(raw, "status_code", raw)
    return str(getattr(status, "value", status) or "UNSET")


def _decoded(value: Any) -> Any:
    """A span attribute as stored (often JSON text) as the value it encodes."""
    if isinstance(value, str) and value[:1] in ('"', "{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _view(span: Any) -> SpanView:
    attributes = getattr(span, "attributes", None) or {}
    span_type = getattr(span, "span_type", None) or attributes.get("mlflow.spanType") or "UNKNOWN"
    parent = getattr(span, "parent_span_id", None)
    if parent is None:
        parent = getattr(span, "parent_id", None)
    start = getattr(span, "start_time_ns", 0) or 0
    end = getattr(span, "end_time_ns", None)
    return SpanView(
        span_id=str(getattr(span, "span_id", "")),
        parent_id=parent or None,
        name=str(getattr(span, "name", "")),
        span_type=str(getattr(span_type, "value", span_type)).strip('"'),
        status=_status(span),
        start_ns=int(start),
        end_ns=int(end) if end is not None else None,
        inputs=_decoded(getattr(span, "inputs", None)),
        outputs=_decoded(getattr(span, "outputs", None)),
        attributes=attributes,
    )


def spans_of(trace: Any) -> list[SpanView]:
    """The spans of an Ardea or MLflow trace (empty for None)."""
    if trace is None:
        return []
    spans = getattr(trace, "spans", None)
    if spans is None:
        data = getattr(trace, "data", None)
        spans = getattr(data, "spans", None) or []
    return [_view(s) for s in spans]


def root_span(trace: Any) -> SpanView | None:
    """The trace's root span (the first span without a parent in the trace)."""
    spans = spans_of(trace)
    ids = {s.span_id for s in spans}
    for span in spans:
        if span.parent_id is None or span.parent_id not in ids:
            return span
    return None


def retrieved_documents(trace: Any, budget: int = TOTAL_BUDGET // 2) -> list[dict[str, Any]]:
    """The documents RETRIEVER spans returned: ``[{"span", "content", "doc_uri"?}]``, to a budget.

    A retriever's outputs are MLflow's document list (``page_content``/``content`` and
    ``metadata.doc_uri``) or plain strings.
    """
    docs: list[dict[str, Any]] = []
    used = 0
    for span in spans_of(trace):
        if span.span_type != "RETRIEVER":
            continue
        outputs = span.outputs
        if isinstance(outputs, Mapping) and isinstance(outputs.get("documents"), list):
            outputs = outputs["documents"]
        items = outputs if isinstance(outputs, list) else [outputs] if outputs else []
        for item in items:
            if isinstance(item, Mapping):
                content = item.get("page_content", item.get("content", item.get("text")))
                meta = item.get("metadata") if isinstance(item.get("metadata"), Mapping) else {}
                uri = meta.get("doc_uri") if meta else None
            else:
                content, uri = item, None
            text = clip(to_text(content), FIELD_BUDGET)
            used += len(text)
            if used > budget:
                docs.append({"span": span.name, "content": "[further documents cut]"})
                return docs
            doc: dict[str, Any] = {"span": span.name, "content": text}
            if uri:
                doc["doc_uri"] = str(uri)
            docs.append(doc)
    return docs


def tool_calls(trace: Any, budget: int = TOTAL_BUDGET // 2) -> list[dict[str, Any]]:
    """The calls of TOOL spans in order: ``[{"name", "arguments", "result", "status"}]``."""
    calls: list[dict[str, Any]] = []
    used = 0
    for span in sorted(spans_of(trace), key=lambda s: s.start_ns):
        if span.span_type != "TOOL":
            continue
        call = {
            "name": span.name,
            "arguments": span.inputs,
            "result": clip(to_text(span.outputs), FIELD_BUDGET // 4),
            "status": span.status,
        }
        used += len(to_text(call))
        if used > budget:
            calls.append({"name": "...", "result": "[further tool calls cut]"})
            break
        calls.append(call)
    return calls


def _tree_lines(spans: list[SpanView]) -> list[str]:
    children: dict[str | None, list[SpanView]] = {}
    ids = {s.span_id for s in spans}
    for span in sorted(spans, key=lambda s: s.start_ns):
        parent = span.parent_id if span.parent_id in ids else None
        children.setdefault(parent, []).append(span)
    lines: list[str] = []
    stack = [(s, 0) for s in reversed(children.get(None, []))]
    while stack and len(lines) < MAX_SPANS:
        span, depth = stack.pop()
        ms = f"{(span.end_ns - span.start_ns) / 1e6:.0f} ms" if span.end_ns else "open"
        lines.append(f"{'  ' * depth}- {span.name} [{span.span_type}] {span.status} {ms}")
        stack.extend((c, depth + 1) for c in reversed(children.get(span.span_id, [])))
    if len(spans) > len(lines):
        lines.append(f"... {len(spans) - len(lines):,} more spans")
    return lines


def render_trace(trace: Any) -> str:
    """The compact view of ``trace`` a judge is sent (see the module docstring)."""
    spans = spans_of(trace)
    root = root_span(trace)
    parts = [f"Spans: {len(spans):,}"]
    if root is not None:
        parts.append("Request (root span inputs):\n" + clip(to_text(root.inputs), FIELD_BUDGET))
        parts.append("Response (root span outputs):\n" + clip(to_text(root.outputs), FIELD_BUDGET))
    parts.append("Span tree:\n" + "\n".join(_tree_lines(spans)))
    docs = retrieved_documents(trace, TOTAL_BUDGET // 4)
    if docs:
        parts.append("Retrieved documents:\n" + to_text(docs))
    calls = tool_calls(trace, TOTAL_BUDGET // 4)
    if calls:
        parts.append("Tool calls:\n" + to_text(calls))
    return clip("\n\n".join(parts), TOTAL_BUDGET)


def _user_text(inputs: Any) -> str:
    if isinstance(inputs, Mapping):
        messages = inputs.get("messages")
        if isinstance(messages, list):
            users = [m for m in messages if isinstance(m, Mapping) and m.get("role") == "user"]
            if users:
                return to_text(users[-1].get("content"))
        if len(inputs) == 1:
            return to_text(next(iter(inputs.values())))
    return to_text(inputs)


def _assistant_text(outputs: Any) -> str:
    if isinstance(outputs, Mapping):
        choices = outputs.get("choices")
        if isinstance(choices, list) and choices and isinstance(choices[0], Mapping):
            message = choices[0].get("message")
            if isinstance(message, Mapping):
                return to_text(message.get("content"))
    return to_text(outputs)


def _timing(trace: Any, root: SpanView) -> str:
    """``[Response duration: 1.23s, slowest spans: a (0.80s), b (0.20s)]`` (MLflow's note)."""
    if root.end_ns is None:
        return ""
    parts = [f"[Response duration: {(root.end_ns - root.start_ns) / 1e9:.2f}s"]
    done = [s for s in spans_of(trace) if s.end_ns is not None]  # the root too, as MLflow
    done.sort(key=lambda s: s.start_ns - (s.end_ns or s.start_ns))
    if done:
        slowest = ", ".join(
            f"{s.name} ({((s.end_ns or s.start_ns) - s.start_ns) / 1e9:.2f}s)" for s in done[:3]
        )
        parts.append(f", slowest spans: {slowest}")
    return "".join(parts) + "]"


def conversation(
    session: list[Any], budget: int = TOTAL_BUDGET, include_timing: bool = False
) -> str:
    """The turns of a session (traces ordered by start): ``user: ...`` / ``assistant: ...``.

    ``include_timing``: each answer is followed by its trace's duration and slowest spans
    (``make_judge(include_timing_in_conversation=True)``).
    """
    turns: list[tuple[int, str, str]] = []
    for trace in session or []:
        root = root_span(trace)
        if root is not None:
            answer = clip(_assistant_text(root.outputs), FIELD_BUDGET)
            if include_timing and (note := _timing(trace, root)):
                answer = f"{answer}\n{note}"
            turns.append((root.start_ns, _user_text(root.inputs), answer))
    turns.sort(key=lambda t: t[0])
    lines = []
    for _, user, assistant in turns:
        lines.append(f"user: {clip(user, FIELD_BUDGET)}")
        lines.append(f"assistant: {assistant}")
    return clip("\n".join(lines), budget)
