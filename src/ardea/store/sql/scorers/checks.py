"""Checks shared by the scorer registry's SQL modules."""

from __future__ import annotations

from ardea._core.errors import InvalidArgumentError

__all__ = ["NAME_MAX", "check_name"]

NAME_MAX = 255
"""Longest scorer name (characters)."""


def check_name(name: object) -> str:
    """``name`` if it is a valid scorer name.

    Raises:
        InvalidArgumentError: Empty, too long, or holding a NUL character.
    """
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("Scorer name must be a non-empty string")
    if len(name) > NAME_MAX or "\x00" in name:
        raise InvalidArgumentError(
            f"Scorer name must be at most {NAME_MAX} characters, without NUL characters"
        )
    return name
