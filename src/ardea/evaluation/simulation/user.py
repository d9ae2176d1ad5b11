"""The simulated user and the goal check: LLM calls through :mod:`ardea.llm`.

Both run outside the app's traces, so they add no span to them. With a ``seed``, each call
sends a seed derived from it, the conversation and the turn (to providers that take one:
OpenAI-wire providers), so a deterministic provider makes a run reproducible.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from ardea.evaluation.simulation import prompts
from ardea.evaluation.simulation.cases import TestCase

__all__ = ["GoalVerdict", "SimulatedUser", "UserMessage", "derive_seed"]

_SEEDED_WIRES = frozenset({"openai", "azure"})


def derive_seed(seed: int | None, *parts: object) -> int | None:
    """A 31-bit seed from ``seed`` and ``parts`` (``None`` when ``seed`` is)."""
    if seed is None:
        return None
    text = ":".join(str(p) for p in (seed, *parts))
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big") >> 1


@dataclass(frozen=True)
class UserMessage:
    """The simulated user's next message, or its giving up (``abandon`` with a ``reason``)."""

    text: str
    abandon: bool = False
    reason: str = ""


@dataclass(frozen=True)
class GoalVerdict:
    """Whether the goal was reached, and why (the goal check's structured answer)."""

    reached: bool
    rationale: str


class SimulatedUser:
    """An LLM playing a test case's persona in pursuit of its goal.

    Args:
        model: The model URI (``openai:/gpt-4.1-mini``, ...), through :mod:`ardea.llm`.
        seed: The simulation's seed (``None``: unseeded).
        agent_class: A :class:`~ardea.evaluation.simulation.agents.BaseSimulatedUserAgent`
            subclass that writes the user's messages instead (one per conversation).
        params: Extra chat parameters for the user's calls (``temperature``, ``max_tokens``).
    """

    def __init__(
        self, model: str, seed: int | None = None, agent_class: type | None = None, **params: Any
    ) -> None:
        from ardea.llm import get_client

        self.model = model
        self.client = get_client(model)
        self.seed = seed
        self.agent_class = agent_class
        self.params = params

    def for_conversation(self) -> Any:
        """The custom user agent of one conversation (``None``: this LLM user)."""
        if self.agent_class is None:
            return None
        return self.agent_class(model=self.model, **self.params)

    def custom_message(
        self, agent: Any, case: TestCase, history: list[dict[str, Any]], turn: int
    ) -> UserMessage:
        """The custom agent's message; ``None`` or ``""`` gives up."""
        from ardea.evaluation.simulation.agents import SimulatorContext

        context = SimulatorContext(case.goal, case.persona, [dict(m) for m in history], turn,
                                   case.guidelines)  # fmt: skip
        text = agent.generate_message(context)
        if not text or not str(text).strip():
            return UserMessage("", True, f"{type(agent).__name__} wrote no message")
        return UserMessage(str(text).strip())

    def _extra(self, *parts: object) -> dict[str, Any] | None:
        seed = derive_seed(self.seed, *parts)
        extra = dict(self.params.get("extra_body") or {})
        if seed is not None and self.client.config.wire in _SEEDED_WIRES:
            extra["seed"] = seed
        return extra or None

    def _chat(self, messages: list[dict[str, str]], schema: dict[str, Any], name: str,
              extra: dict[str, Any] | None, temperature: float | None) -> Any:  # fmt: skip
        result = self.client.chat(
            messages,
            response_schema=schema,
            schema_name=name,
            temperature=temperature,
            max_tokens=self.params.get("max_tokens"),
            extra_body=extra,
        )
        return result.parsed if isinstance(result.parsed, dict) else {}

    def next_message(
        self, case: TestCase, history: list[dict[str, Any]], index: int, turn: int
    ) -> UserMessage:
        """The user's message for turn ``turn`` (0-based) of conversation ``index``."""
        messages = prompts.user_messages(case.goal, case.persona, history, case.guidelines)
        found = self._chat(
            messages,
            prompts.USER_SCHEMA,
            "simulated_user",
            self._extra("user", index, turn),
            self.params.get("temperature"),
        )
        text = str(found.get("message") or "").strip()
        if found.get("action") == "abandon":
            return UserMessage(text, True, str(found.get("reason") or "the user gave up"))
        return UserMessage(text)

    def check_goal(
        self, case: TestCase, history: list[dict[str, Any]], index: int, turn: int
    ) -> GoalVerdict:
        """The goal check after the app's answer of turn ``turn`` (temperature 0)."""
        found = self._chat(
            prompts.goal_messages(case.goal, history),
            prompts.GOAL_SCHEMA,
            "goal_check",
            self._extra("goal", index, turn),
            0.0,
        )
        reached = str(found.get("result") or "").strip().lower() == "yes"
        return GoalVerdict(reached, str(found.get("rationale") or ""))
