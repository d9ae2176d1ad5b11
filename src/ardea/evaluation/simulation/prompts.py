"""The prompts and JSON schemas of the simulated user, the goal check and test-case extraction.

Each prompt opens its system message with a fixed sentence (:data:`USER_MARKER`,
:data:`GOAL_MARKER`, :data:`EXTRACT_MARKER`), so a scripted fake provider can tell them apart.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "DEFAULT_USER_MODEL",
    "EXTRACT_MARKER",
    "EXTRACT_SCHEMA",
    "GOAL_MARKER",
    "GOAL_SCHEMA",
    "USER_MARKER",
    "USER_SCHEMA",
    "extract_messages",
    "format_history",
    "goal_messages",
    "user_messages",
]

DEFAULT_USER_MODEL = "openai:/gpt-4.1-mini"
"""The simulated user's model when none is given (MLflow's default outside Databricks)."""

USER_MARKER = "You are role-playing a user talking to an AI assistant."
GOAL_MARKER = "You judge whether a user reached their goal in a conversation."
EXTRACT_MARKER = "You read a conversation and describe the user in it."

USER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "message": {"type": "string", "description": "Your next message to the assistant"},
        "action": {
            "type": "string",
            "enum": ["continue", "abandon"],
            "description": "'abandon' if you give up on your goal (then message may be a goodbye)",
        },
        "reason": {"type": "string", "description": "Why you abandon, if you do"},
    },
    "required": ["message", "action", "reason"],
    "additionalProperties": False,
}
"""The simulated user's answer: its next message, or giving up."""

GOAL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "rationale": {"type": "string", "description": "Why the goal is or is not reached"},
        "result": {"type": "string", "enum": ["no", "yes"]},
    },
    "required": ["rationale", "result"],
    "additionalProperties": False,
}
"""The goal check's verdict (MLflow's ``GoalCheckResult``)."""

EXTRACT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "goal": {"type": "string", "description": "The user's underlying goal"},
        "persona": {"type": "string", "description": "The user's communication style"},
    },
    "required": ["goal", "persona"],
    "additionalProperties": False,
}
"""A test case extracted from a recorded conversation."""


def format_history(messages: Sequence[dict[str, Any]]) -> str:
    """``user: ...`` / ``assistant: ...`` lines."""
    return "\n".join(f"{m.get('role', 'user')}: {m.get('content') or ''}" for m in messages)


def _guidelines(guidelines: str | list[str] | None) -> str:
    if not guidelines:
        return ""
    lines = guidelines if isinstance(guidelines, list) else [guidelines]
    return "\nHow you conduct the conversation:\n" + "\n".join(f"- {g}" for g in lines)


def user_messages(
    goal: str,
    persona: str,
    history: Sequence[dict[str, Any]],
    guidelines: str | list[str] | None = None,
) -> list[dict[str, str]]:
    """The simulated user's request: its persona and goal, and the conversation so far."""
    system = (
        f"{USER_MARKER} You are the USER, never the assistant.\n"
        f"Persona: {persona}\nGoal: {goal}\n"
        "Write as this persona: one short message at a time, pursuing the goal. Do not "
        "reveal that you are simulated. If the assistant keeps failing you and you would give "
        "up, set action to 'abandon'." + _guidelines(guidelines)
    )
    if history:
        user = (
            f"The conversation so far:\n{format_history(history)}\n\n"
            "Write your next message to the assistant."
        )
    else:
        user = "Start the conversation: write your first message to the assistant."
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def goal_messages(goal: str, history: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The goal check's request: has the user's goal been reached by the last answer?"""
    system = (
        f"{GOAL_MARKER} Answer 'yes' only when the assistant has fully given the user what "
        "the goal asks for; otherwise 'no'."
    )
    user = f"Goal: {goal}\n\nConversation:\n{format_history(history)}"
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]


def extract_messages(conversation: str) -> list[dict[str, str]]:
    """The request that extracts a goal and a persona from a recorded conversation."""
    system = (
        f"{EXTRACT_MARKER} State the user's underlying goal (what they wanted to achieve, in "
        "one sentence, without the answer) and their persona (how they write and who they "
        "seem to be)."
    )
    return [
        {"role": "system", "content": system},
        {"role": "user", "content": f"Conversation:\n{conversation}"},
    ]
