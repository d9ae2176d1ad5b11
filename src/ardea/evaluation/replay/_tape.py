"""A recorded trace as a tape of calls, and the cassette that plays it back in order.

The tape is the trace's LLM spans (``CHAT_MODEL``, ``LLM``) and ``TOOL`` spans in start
order, leaving out those nested in another tape span (a tool's own model call is part of
the tool's answer). The cassette matches each new call against the next entry by kind, span
name and inputs (compared as key-sorted JSON): a match is served the recorded outputs, or
runs live when its kind is not replayed in the chosen mode. The first mismatch is kept as
the run's divergence; a call that should have been served and cannot be raises
:class:`~ardea.tracing.cassette.ReplayDivergenceError`, so the app never reaches a provider.
Calls made while a recorded call runs live (a live tool's own model calls) belong to it:
they run live and are not matched, as the tape leaves nested calls out.
"""

from __future__ import annotations

import copy
import json
import threading
from dataclasses import dataclass
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Span, Trace
from ardea.evaluation.replay import _result as r
from ardea.tracing import cassette
from ardea.tracing.cassette import ReplayDivergenceError

__all__ = ["MODES", "Entry", "Tape", "TapeCassette"]

MODES = {"all": (cassette.LLM, cassette.TOOL), "tools": (cassette.TOOL,), "model": (cassette.LLM,)}
"""Replay mode -> the call kinds answered from the recording (the others run live)."""

_KINDS = {"CHAT_MODEL": cassette.LLM, "LLM": cassette.LLM, "TOOL": cassette.TOOL}
_OUTPUTS = "mlflow.spanOutputs"
_INPUTS = "mlflow.spanInputs"


_IDS = frozenset({"id", "tool_call_id"})
"""Keys below the top level that are not compared: a live model makes new tool call ids."""


def _blank_ids(value: Any, depth: int) -> Any:
    if isinstance(value, dict):
        return {
            k: ("<id>" if depth > 0 and k in _IDS else _blank_ids(v, depth + 1))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_blank_ids(v, depth + 1) for v in value]
    return value


def request_key(value: Any) -> str:
    """The normalized form requests are compared in: key-sorted compact JSON.

    The ``id`` and ``tool_call_id`` values below the top level are left out (message and tool
    call ids differ between a recording and a live model); top-level arguments always count.
    """
    return json.dumps(_blank_ids(value, 0), sort_keys=True, separators=(",", ":"), default=repr)


@dataclass(slots=True)
class Entry:
    """One recorded call."""

    kind: str
    name: str
    span_id: str
    inputs: Any
    outputs: Any
    key: str

    def describe(self) -> dict[str, Any]:
        """What the divergence report shows of this call."""
        return {"kind": self.kind, "name": self.name, "inputs": self.inputs}


class Tape:
    """The recorded calls of a trace, checked for what a replay needs.

    Args:
        trace: The recorded trace.
        served: The kinds that will be answered from the recording (their outputs must exist).

    Raises:
        InvalidArgumentError: The trace has no spans, no single root, spans whose parent is
            missing, no root inputs or outputs, or a served call without a recorded output.
    """

    def __init__(self, trace: Trace, served: tuple[str, ...]) -> None:
        tid = trace.info.trace_id
        spans = sorted(trace.spans, key=lambda s: (s.start_time_ns, s.span_id))
        if not spans:
            raise InvalidArgumentError(f"trace {tid} has no spans to replay")
        by_id = {s.span_id: s for s in spans}
        orphans = [s for s in spans if s.parent_span_id and s.parent_span_id not in by_id]
        if orphans:
            named = ", ".join(f"'{s.name}' (parent {s.parent_span_id})" for s in orphans[:5])
            raise InvalidArgumentError(
                f"trace {tid} has missing spans: the parents of {named} are not in the trace"
            )
        roots = [s for s in spans if not s.parent_span_id]
        if len(roots) != 1:
            raise InvalidArgumentError(f"trace {tid} has {len(roots)} root spans, not one")
        self.trace_id = tid
        self.root: Span = roots[0]
        if _INPUTS not in self.root.attributes:
            raise InvalidArgumentError(
                f"trace {tid}: the root span '{self.root.name}' has no recorded inputs"
            )
        if _OUTPUTS not in self.root.attributes:
            raise InvalidArgumentError(
                f"trace {tid}: the root span '{self.root.name}' has no recorded output "
                "(the run did not finish)"
            )
        self.entries: list[Entry] = []
        taped: set[str] = set()
        for span in spans:
            kind = _KINDS.get(span.span_type)
            if kind is None or span is self.root or _under(span, taped, by_id):
                continue
            taped.add(span.span_id)
            if kind in served and (_OUTPUTS not in span.attributes or span.status_code == "ERROR"):
                raise InvalidArgumentError(
                    f"trace {tid}: step {len(self.entries)} ({kind} span '{span.name}', "
                    f"id {span.span_id}) has no recorded output to replay"
                )
            inputs = span.attributes.get(_INPUTS)
            self.entries.append(
                Entry(
                    kind,
                    span.name,
                    span.span_id,
                    inputs,
                    span.attributes.get(_OUTPUTS),
                    request_key(inputs),
                )
            )


def _under(span: Span, taped: set[str], by_id: dict[str, Span]) -> bool:
    parent = span.parent_span_id
    while parent:
        if parent in taped:
            return True
        up = by_id.get(parent)
        parent = up.parent_span_id if up is not None else None
    return False


class TapeCassette:
    """Plays a :class:`Tape` back, call by call (thread-safe).

    Args:
        tape: The recording.
        served: The kinds answered from it.
    """

    def __init__(self, tape: Tape, served: tuple[str, ...]) -> None:
        self.tape = tape
        self.served_kinds = served
        self.steps = [r.Step(i, e.kind, e.name, e.span_id) for i, e in enumerate(tape.entries)]
        self.position = 0
        self.served = 0
        self.divergence: r.Divergence | None = None
        self._lock = threading.Lock()
        self._live: list[Any] = []

    def _diverge(self, divergence: r.Divergence) -> None:
        if self.divergence is None:
            self.divergence = divergence

    def _inside_live_call(self) -> bool:
        """Whether a recorded call that runs live is still open (this call is part of it)."""
        self._live = [s for s in self._live if getattr(s, "end_time", 0) is None]
        return bool(self._live)

    def _ran_live(self, kind: str) -> Any:
        """``LIVE``; a live tool's span is remembered: calls made inside it are not matched.

        (A model call's span may stay open while its stream is read: it contains nothing.)
        """
        if kind == cassette.TOOL:
            from opentelemetry import trace

            span = trace.get_current_span()
            self._live.append(getattr(span, "target", span))
        return cassette.LIVE

    def serve(self, kind: str, name: str, inputs: Any) -> Any:
        """The recorded outputs for the next call, or ``LIVE`` (see the module docstring)."""
        got = {"kind": kind, "name": name, "inputs": inputs}
        serving = kind in self.served_kinds
        with self._lock:
            if self._inside_live_call():
                return cassette.LIVE
            step = self.position
            self.position += 1
            if step >= len(self.tape.entries):
                message = f"a new {kind} call '{name}' after the recording's {step} calls"
                self._diverge(r.Divergence(r.NEW_CALL, step, name, None, got, message))
                return _refuse(message) if serving else self._ran_live(kind)
            entry = self.tape.entries[step]
            if entry.kind != kind or entry.name != name or entry.key != request_key(inputs):
                same = (entry.kind, entry.name) == (kind, name)
                what = "with different inputs" if same else f"instead of '{entry.name}'"
                message = f"{kind} call '{name}' {what}"
                div = r.Divergence(
                    r.DIFFERENT_CALL, step, entry.name, entry.describe(), got, message
                )
                self._diverge(div)
                return _refuse(message) if serving else self._ran_live(kind)
            self.steps[step].matched = True
            if not serving:
                return self._ran_live(kind)
            self.steps[step].served = True
            self.served += 1
        return copy.deepcopy(entry.outputs)

    def finish(self) -> None:
        """Report the first recorded call the run never made, if any."""
        with self._lock:
            if self.position < len(self.tape.entries):
                entry = self.tape.entries[self.position]
                message = f"the run ended before the recorded {entry.kind} call '{entry.name}'"
                self._diverge(
                    r.Divergence(
                        r.MISSING_CALL, self.position, entry.name, entry.describe(), None, message
                    )
                )


def _refuse(message: str) -> Any:
    raise ReplayDivergenceError(f"replay diverged from the recording: {message}")
