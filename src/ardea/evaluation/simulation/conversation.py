"""What a simulation returns: conversations of turns, each with its outcome and reason."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ardea.evaluation.simulation.cases import TestCase

__all__ = [
    "ABANDONED",
    "ERROR",
    "GOAL_REACHED",
    "MAX_TURNS",
    "OUTCOMES",
    "STOPPED",
    "Conversation",
    "SimulationResult",
    "Turn",
]

GOAL_REACHED = "goal_reached"
"""The goal check said the user's goal was reached."""
ABANDONED = "abandoned"
"""The simulated user gave up."""
MAX_TURNS = "max_turns"
"""The case's turn limit was reached first."""
STOPPED = "stopped"
"""The custom ``stop_condition`` stopped it (or the app answered nothing)."""
ERROR = "error"
"""``predict_fn`` or the simulated user failed (Ardea's addition: MLflow just stops)."""
OUTCOMES = (GOAL_REACHED, ABANDONED, MAX_TURNS, STOPPED, ERROR)


@dataclass
class Turn:
    """One exchange: the simulated user's message and the app's answer.

    Attributes:
        user: What the simulated user wrote.
        assistant: The text of the app's answer (``None`` when it failed).
        response: What ``predict_fn`` returned, as it returned it.
        trace_id: The turn's trace.
    """

    user: str
    assistant: str | None = None
    response: Any = None
    trace_id: str | None = None


@dataclass
class Conversation:
    """One simulated conversation (one session of traces).

    Attributes:
        index: The test case's position.
        case: The test case.
        session_id: ``mlflow.trace.session`` of its traces.
        turns: The exchanges, in order.
        outcome: One of :data:`OUTCOMES`.
        reason: Why it ended (the goal check's rationale, the user's reason, the error...).
        traces: The turns' traces, read back from the store after the simulation.
    """

    index: int
    case: TestCase
    session_id: str
    turns: list[Turn] = field(default_factory=list)
    outcome: str = MAX_TURNS
    reason: str = ""
    traces: list[Any] = field(default_factory=list)

    @property
    def goal(self) -> str:
        """The test case's goal."""
        return self.case.goal

    @property
    def persona(self) -> str:
        """The test case's persona."""
        return self.case.persona

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The conversation as chat messages (``role``, ``content``)."""
        out: list[dict[str, Any]] = []
        for t in self.turns:
            out.append({"role": "user", "content": t.user})
            if t.assistant is not None:
                out.append({"role": "assistant", "content": t.assistant})
        return out

    @property
    def trace_ids(self) -> list[str]:
        """The turns' trace ids, in order."""
        return [t.trace_id for t in self.turns if t.trace_id]

    def eval_traces(self) -> list[Any]:
        """The traces ``ardea.evaluate`` scores for this conversation (one session)."""
        return list(self.traces)

    def transcript(self) -> str:
        """``user: ...`` / ``assistant: ...`` lines."""
        return "\n".join(f"{m['role']}: {m['content']}" for m in self.messages)


@dataclass
class SimulationResult:
    """The conversations of one :meth:`ConversationSimulator.simulate` call, in case order.

    Iterating yields the :class:`Conversation` objects; ``evaluate(data=result)`` scores
    their traces, one session per conversation.

    Attributes:
        conversations: One per test case.
        run_id: The run that groups the traces (tag ``ardea.simulation`` on it).
    """

    conversations: list[Conversation]
    run_id: str | None = None

    def __iter__(self) -> Iterator[Conversation]:
        return iter(self.conversations)

    def __len__(self) -> int:
        return len(self.conversations)

    def __getitem__(self, index: int) -> Conversation:
        return self.conversations[index]

    @property
    def traces(self) -> list[list[Any]]:
        """The traces per conversation: what MLflow's ``simulate`` returns."""
        return [c.eval_traces() for c in self.conversations]

    def eval_traces(self) -> list[Any]:
        """Every conversation's traces, flattened (what ``ardea.evaluate`` scores)."""
        return [t for c in self.conversations for t in c.eval_traces()]

    def outcomes(self) -> dict[str, int]:
        """``{outcome: count}`` over the conversations."""
        counts: dict[str, int] = {}
        for c in self.conversations:
            counts[c.outcome] = counts.get(c.outcome, 0) + 1
        return counts

    def failed(self) -> list[Conversation]:
        """The conversations that did not reach their goal."""
        return [c for c in self.conversations if c.outcome != GOAL_REACHED]
