"""What a replay found: passed or diverged, the steps, and the first divergence."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Divergence",
    "ReplayResult",
    "SessionReplayResult",
    "Step",
    "diff",
    "pretty",
    "tag_value",
]

NEW_CALL = "new_call"
"""The run made a call after the recording had ended."""
DIFFERENT_CALL = "different_call"
"""The run made a call the recording has a different call for at that step."""
MISSING_CALL = "missing_call"
"""The run ended before making a call the recording has."""
DIFFERENT_OUTPUT = "different_output"
"""The run returned something else than the recording."""
ERROR = "error"
"""The app raised an error of its own."""


def pretty(value: Any) -> str:
    """``value`` as indented, key-sorted JSON (its ``repr`` when JSON cannot hold it)."""
    try:
        return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
    except (TypeError, ValueError):
        return repr(value)


def diff(expected: Any, got: Any) -> str:
    """A unified diff of two values as pretty JSON (empty when they are equal)."""
    lines = difflib.unified_diff(
        pretty(expected).splitlines(), pretty(got).splitlines(), "recorded", "replay", lineterm=""
    )
    return "\n".join(lines)


@dataclass(slots=True)
class Step:
    """One recorded call (an LLM or tool span) and what the replay did with it.

    Attributes:
        index: Position in the recording, from 0.
        kind: ``"llm"`` or ``"tool"``.
        name: The span name.
        span_id: The recorded span's id.
        served: Whether the recorded answer was served (False: the call ran live).
        matched: Whether the replay made the same call at this step.
    """

    index: int
    kind: str
    name: str
    span_id: str
    served: bool = False
    matched: bool = False


@dataclass(slots=True)
class Divergence:
    """The first point where the new run left the recording.

    Attributes:
        kind: ``new_call``, ``different_call``, ``missing_call``, ``different_output`` or
            ``error``.
        step: The step index (the number of steps for ``different_output``).
        span_name: The span name at that step (recorded, else the new one).
        expected: What the recording has there (kind, name, inputs; or the output).
        got: What the new run did (None for a missing call).
        message: One line saying what happened.
    """

    kind: str
    step: int
    span_name: str
    expected: Any
    got: Any
    message: str

    @property
    def diff(self) -> str:
        """Recorded vs new, as a unified diff of pretty JSON."""
        return diff(self.expected, self.got)

    def to_dict(self) -> dict[str, Any]:
        """The divergence as JSON-able data (with its diff)."""
        return {
            "kind": self.kind,
            "step": self.step,
            "span_name": self.span_name,
            "expected": self.expected,
            "got": self.got,
            "message": self.message,
            "diff": self.diff,
        }


@dataclass(slots=True)
class ReplayResult:
    """The replay of one recorded trace.

    Attributes:
        source_trace_id: The recorded trace.
        trace_id: The new run's trace (None when tracing made none).
        mode: ``all``, ``tools`` or ``model``.
        steps: The recorded calls, in order.
        divergence: The first divergence, or None.
        outputs: What the new run returned.
        served: How many calls were answered from the recording.
    """

    source_trace_id: str
    trace_id: str | None
    mode: str
    steps: list[Step] = field(default_factory=list)
    divergence: Divergence | None = None
    outputs: Any = None
    served: int = 0

    @property
    def passed(self) -> bool:
        """Whether the run followed the recording to the end."""
        return self.divergence is None

    @property
    def diverged(self) -> bool:
        """Whether the run left the recording."""
        return self.divergence is not None

    def summary(self) -> str:
        """One paragraph for people: passed, or where and how the run diverged."""
        head = f"{self.source_trace_id}: "
        if self.divergence is None:
            return head + f"passed ({len(self.steps)} steps, {self.served} served)"
        d = self.divergence
        text = head + f"diverged at step {d.step} ({d.span_name}): {d.message}"
        return text + ("\n" + d.diff if d.diff else "")

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-able data."""
        return {
            "source_trace_id": self.source_trace_id,
            "trace_id": self.trace_id,
            "mode": self.mode,
            "passed": self.passed,
            "served": self.served,
            "steps": [
                {
                    "index": s.index,
                    "kind": s.kind,
                    "name": s.name,
                    "span_id": s.span_id,
                    "served": s.served,
                    "matched": s.matched,
                }
                for s in self.steps
            ],
            "divergence": self.divergence.to_dict() if self.divergence else None,
        }


def tag_value(result: ReplayResult, limit: int = 7900) -> str:
    """The result as the compact JSON a trace tag holds (at most ``limit`` characters).

    Steps are ``[kind, name, served, matched]``; the divergence keeps its recorded and new
    call as pretty JSON, each cut to a share of the limit; steps are left out (and
    ``steps_left_out`` set) when they would not fit. The UI's replay report reads it.
    """
    doc: dict[str, Any] = {
        "source_trace_id": result.source_trace_id,
        "mode": result.mode,
        "passed": result.passed,
        "served": result.served,
        "steps": [[s.kind, s.name, s.served, s.matched] for s in result.steps],
    }
    d = result.divergence
    if d is not None:
        share = limit // 4
        doc["divergence"] = {
            "kind": d.kind, "step": d.step, "span_name": d.span_name, "message": d.message[:500],
            "expected": pretty(d.expected)[:share], "got": pretty(d.got)[:share],
        }  # fmt: skip
    text = json.dumps(doc, ensure_ascii=False)
    if len(text) > limit:
        doc["steps"] = []
        doc["steps_left_out"] = len(result.steps)
        text = json.dumps(doc, ensure_ascii=False)
    return text


@dataclass(slots=True)
class SessionReplayResult:
    """The replay of a recorded session: one :class:`ReplayResult` per trace (turn).

    Attributes:
        results: The turns, in order.
    """

    results: list[ReplayResult]

    @property
    def passed(self) -> bool:
        """Whether every turn passed."""
        return all(r.passed for r in self.results)

    @property
    def divergence(self) -> Divergence | None:
        """The first divergence of the first turn that diverged."""
        return next((r.divergence for r in self.results if r.divergence), None)
