"""Custom simulated users: MLflow's ``BaseSimulatedUserAgent`` and ``SimulatorContext``.

Subclass :class:`BaseSimulatedUserAgent`, write :meth:`~BaseSimulatedUserAgent.generate_message`,
and pass the class as ``ConversationSimulator(user_agent_class=...)``: one instance is made per
conversation (``model`` and the simulator's ``user_llm_params``). Returning ``None`` or an
empty text gives up (outcome ``abandoned``; Ardea's addition). The goal check stays the
simulator's.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any

from ardea.evaluation.simulation.prompts import format_history

__all__ = ["BaseSimulatedUserAgent", "SimulatorContext"]


@dataclass(frozen=True)
class SimulatorContext:
    """What a simulated user knows when it writes its next message.

    Attributes:
        goal: What the user wants to achieve.
        persona: Who the user is.
        conversation_history: The messages so far (``role``, ``content``).
        turn: The turn about to be written (0-based).
        simulation_guidelines: How the user conducts the conversation, if the case says.
    """

    goal: str
    persona: str
    conversation_history: list[dict[str, Any]]
    turn: int
    simulation_guidelines: str | list[str] | None = None

    @property
    def is_first_turn(self) -> bool:
        """Whether no message was written yet."""
        return self.turn == 0

    @property
    def formatted_history(self) -> str | None:
        """``user: ...`` / ``assistant: ...`` lines (``None`` before the first turn)."""
        return format_history(self.conversation_history) if self.conversation_history else None

    @property
    def last_assistant_response(self) -> str | None:
        """The app's last answer, if any."""
        for message in reversed(self.conversation_history):
            if message.get("role") == "assistant":
                return str(message.get("content") or "")
        return None


class BaseSimulatedUserAgent(ABC):
    """A simulated user of your own (MLflow's class of the same name).

    Args:
        model: The model URI :meth:`invoke_llm` calls (default ``openai:/gpt-4.1-mini``).
        **inference_params: ``temperature``, ``max_tokens`` for :meth:`invoke_llm`.
    """

    def __init__(self, model: str | None = None, **inference_params: Any) -> None:
        from ardea.evaluation.simulation.prompts import DEFAULT_USER_MODEL

        self.model = model or DEFAULT_USER_MODEL
        self.inference_params = inference_params

    @abstractmethod
    def generate_message(self, context: SimulatorContext) -> str | None:
        """The user's next message (``None`` or ``""``: the user gives up)."""

    def invoke_llm(self, prompt: str, system_prompt: str | None = None) -> str:
        """One chat call to :attr:`model` through ``ardea.llm``; its text."""
        from ardea.llm import get_client

        messages = [{"role": "system", "content": system_prompt}] if system_prompt else []
        messages.append({"role": "user", "content": prompt})
        result = get_client(self.model).chat(
            messages,
            temperature=self.inference_params.get("temperature"),
            max_tokens=self.inference_params.get("max_tokens"),
        )
        return result.text
