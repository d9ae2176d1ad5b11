"""Conversation simulation: simulated users test a conversational app (docs/simulation.md).

- :class:`ConversationSimulator`: one LLM-played user per test case (goal, persona, context,
  turn limit) talks to ``predict_fn``; each conversation is a session of traces with an
  outcome (``goal_reached``, ``abandoned``, ``max_turns``, ``stopped``, ``error``);
- :func:`generate_test_cases`: test cases (goal, persona) extracted from recorded sessions;
- :func:`distill`: a conversation as an evaluation dataset record;
- :class:`BaseSimulatedUserAgent`, :class:`SimulatorContext`: simulated users of your own.

Names load on first use (PEP 562).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ardea.evaluation.simulation.agents import BaseSimulatedUserAgent, SimulatorContext
    from ardea.evaluation.simulation.cases import TestCase
    from ardea.evaluation.simulation.conversation import Conversation, SimulationResult, Turn
    from ardea.evaluation.simulation.generate import distill, generate_test_cases
    from ardea.evaluation.simulation.simulator import ConversationSimulator

_EXPORTS = {
    "BaseSimulatedUserAgent": "ardea.evaluation.simulation.agents",
    "SimulatorContext": "ardea.evaluation.simulation.agents",
    "Conversation": "ardea.evaluation.simulation.conversation",
    "ConversationSimulator": "ardea.evaluation.simulation.simulator",
    "SimulationResult": "ardea.evaluation.simulation.conversation",
    "TestCase": "ardea.evaluation.simulation.cases",
    "Turn": "ardea.evaluation.simulation.conversation",
    "distill": "ardea.evaluation.simulation.generate",
    "generate_test_cases": "ardea.evaluation.simulation.generate",
}

__all__ = [
    "BaseSimulatedUserAgent",
    "Conversation",
    "ConversationSimulator",
    "SimulationResult",
    "SimulatorContext",
    "TestCase",
    "Turn",
    "distill",
    "generate_test_cases",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted([*globals(), *_EXPORTS])
