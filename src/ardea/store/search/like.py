r"""One meaning of SQL LIKE patterns for every backend.

Ardea's LIKE patterns: ``%`` matches any run of characters, ``_`` exactly one character, and
a backslash makes the next character literal (``50\\%``); a trailing lone backslash is a
literal backslash. This is PostgreSQL's and MySQL's default, made explicit so SQLite (whose
LIKE has no default escape) and in-memory stores agree. The functions below render a pattern
for a SQL ``LIKE ... ESCAPE '\\'``, for SQLite ``GLOB`` (case-sensitive, which SQLite's LIKE
is not) and as a Python regular expression.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["like_to_glob", "like_to_regex", "like_to_sql", "like_tokens"]

LikeToken = tuple[Literal["any", "one", "char"], str]


def like_tokens(pattern: str) -> list[LikeToken]:
    """Split a LIKE pattern into ``("any", "%")``, ``("one", "_")`` and literal characters."""
    tokens: list[LikeToken] = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\" and i + 1 < len(pattern):
            tokens.append(("char", pattern[i + 1]))
            i += 2
            continue
        if char == "%":
            tokens.append(("any", char))
        elif char == "_":
            tokens.append(("one", char))
        else:
            tokens.append(("char", char))
        i += 1
    return tokens


def like_to_sql(pattern: str) -> str:
    r"""The pattern in canonical form for ``LIKE ... ESCAPE '\\'`` on any SQL database."""
    out: list[str] = []
    for kind, char in like_tokens(pattern):
        if kind == "char" and char in "%_\\":
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def like_to_glob(pattern: str) -> str:
    """The pattern as a SQLite GLOB pattern (``*``, ``?``; ``[*]`` etc. for literals)."""
    out: list[str] = []
    for kind, char in like_tokens(pattern):
        if kind == "any":
            out.append("*")
        elif kind == "one":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def like_to_regex(pattern: str, *, case_sensitive: bool = True) -> re.Pattern[str]:
    """The pattern as a regular expression; use ``fullmatch`` to test a whole string."""
    parts: list[str] = []
    for kind, char in like_tokens(pattern):
        if kind == "any":
            parts.append(".*")
        elif kind == "one":
            parts.append(".")
        else:
            parts.append(re.escape(char))
    flags = re.DOTALL | (0 if case_sensitive else re.IGNORECASE)
    return re.compile("".join(parts), flags)
