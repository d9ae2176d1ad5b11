"""A small context-driven scanner for the MLflow filter grammar (no sqlparse).

The parser asks for what it expects next (an identifier, a comparator, a value), so a
double-quoted text is a key in identifier position (``params."my param"``) and a string in
value position (``= "abc"``). Every failure is an :class:`InvalidArgumentError` that quotes
the offending text.

Lexical rules:
    * whitespace separates tokens and is otherwise ignored;
    * bare words are ``[A-Za-z0-9_-:/]`` runs (keys may hold ``-``, ``/`` and ``:``);
    * identifier parts are bare words, ```backticked``` or ``"double-quoted"`` texts, joined
      by ``.`` without spaces;
    * strings are single- or double-quoted; a doubled quote inside (``'it''s'``) is one quote
      character, backslashes are literal;
    * numbers are ``[+-]digits[.digits][e[+-]digits]`` (also ``.5``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from ardea._core.errors import InvalidArgumentError

_WS = re.compile(r"\s*")
_BARE = re.compile(r"[A-Za-z0-9_\-:/]+")
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?![A-Za-z0-9_.])")
_UNQUOTED = re.compile(r"[^\s()'\"`]+")
_OPERATOR = re.compile(r"!=|>=|<=|<>|==|=|>|<")

ValueKind = Literal["string", "number", "list", "bare"]


@dataclass(frozen=True, slots=True)
class Identifier:
    """An identifier as written: its unquoted parts and its source text.

    Attributes:
        parts: ``tags.`mlflow.user``` gives ("tags", "mlflow.user").
        text: The identifier exactly as written, for error messages.
    """

    parts: tuple[str, ...]
    text: str


@dataclass(frozen=True, slots=True)
class Value:
    """A value as written.

    Attributes:
        kind: ``string`` (quoted), ``number``, ``list`` (parenthesised strings) or ``bare``
            (unquoted non-number text up to the next space, always an error later on,
            reported with context).
        value: The unquoted string, the number's text, a tuple of strings, or the bare word.
        text: The value exactly as written.
    """

    kind: ValueKind
    value: str | tuple[str, ...]
    text: str


class Scanner:
    """Reads one filter or order-by string from left to right.

    Args:
        source: The text to scan.
        what: What the text is ("filter" or "order_by clause"), used in error messages.
    """

    def __init__(self, source: str, what: str = "filter") -> None:
        self.source = source
        self.what = what
        self.pos = 0

    def error(self, message: str) -> InvalidArgumentError:
        """An error about the text at the current position, quoting the whole input."""
        source = self.source if len(self.source) <= 300 else self.source[:300] + "..."
        return InvalidArgumentError(f"{message} (in {self.what} {source!r})")

    def skip_ws(self) -> None:
        """Skip whitespace."""
        match = _WS.match(self.source, self.pos)
        if match:
            self.pos = match.end()

    def at_end(self) -> bool:
        """Whether only whitespace is left."""
        self.skip_ws()
        return self.pos >= len(self.source)

    def rest(self, limit: int = 40) -> str:
        """The unread text (shortened), for error messages."""
        text = self.source[self.pos :]
        return text if len(text) <= limit else text[:limit] + "..."

    def peek_word(self) -> str | None:
        """The next keyword-like word in upper case, without consuming it."""
        self.skip_ws()
        match = _WORD.match(self.source, self.pos)
        if match is None:
            return None
        end = match.end()
        if _BARE.match(self.source, end) or self.source[end : end + 1] in ("`", '"', "'", "."):
            return None
        return match.group().upper()

    def take_word(self) -> str:
        """Consume the word that :meth:`peek_word` returned; returns it in upper case."""
        word = self.peek_word()
        if word is None:
            raise self.error(f"Expected a keyword at {self.rest()!r}")
        self.pos += len(word)
        return word

    def peek_char(self) -> str:
        """The next non-space character ('' at the end)."""
        self.skip_ws()
        return self.source[self.pos : self.pos + 1]

    def _quoted(self, quote: str) -> str:
        """Read a quoted text starting at the current quote; a doubled quote is a quote."""
        start = self.pos
        out: list[str] = []
        i = self.pos + 1
        while True:
            end = self.source.find(quote, i)
            if end < 0:
                self.pos = start
                raise self.error(f"Unterminated quoted text starting at {self.rest()!r}")
            out.append(self.source[i:end])
            if self.source.startswith(quote * 2, end):
                out.append(quote)
                i = end + 2
                continue
            self.pos = end + 1
            return "".join(out)

    def identifier(self) -> Identifier:
        """Read ``part(.part)*`` where a part is bare, backticked or double-quoted."""
        self.skip_ws()
        start = self.pos
        parts: list[str] = []
        while True:
            char = self.source[self.pos : self.pos + 1]
            if char in ("`", '"'):
                parts.append(self._quoted(char))
            else:
                match = _BARE.match(self.source, self.pos)
                if match is None:
                    found = self.rest() or "the end"
                    raise self.error(f"Expected an identifier such as 'metrics.acc' at {found!r}")
                parts.append(match.group())
                self.pos = match.end()
            if self.source.startswith(".", self.pos):
                self.pos += 1
                continue
            return Identifier(tuple(parts), self.source[start : self.pos])

    def operator(self) -> str | None:
        """Read a symbolic comparator (``=``, ``!=``, ...) if one is next."""
        self.skip_ws()
        match = _OPERATOR.match(self.source, self.pos)
        if match is None:
            return None
        self.pos = match.end()
        return match.group()

    def value(self) -> Value:
        """Read a quoted string, a number, a parenthesised list of strings or a bare word."""
        self.skip_ws()
        start = self.pos
        char = self.source[self.pos : self.pos + 1]
        if char in ("'", '"'):
            text = self._quoted(char)
            return Value("string", text, self.source[start : self.pos])
        if char == "(":
            items = self._string_list()
            return Value("list", items, self.source[start : self.pos])
        number = _NUMBER.match(self.source, self.pos)
        if number is not None:
            self.pos = number.end()
            return Value("number", number.group(), number.group())
        bare = _UNQUOTED.match(self.source, self.pos)
        if bare is not None:
            self.pos = bare.end()
            return Value("bare", bare.group(), bare.group())
        raise self.error(f"Expected a value at {self.rest() or 'the end'!r}")

    def _string_list(self) -> tuple[str, ...]:
        """Read ``('a', "b", ...)``: at least one quoted string, comma separated."""
        self.pos += 1  # the "("
        items: list[str] = []
        while True:
            self.skip_ws()
            char = self.source[self.pos : self.pos + 1]
            if char not in ("'", '"'):
                raise self.error(
                    f"Expected a quoted string in the value list at {self.rest() or 'the end'!r}"
                )
            items.append(self._quoted(char))
            self.skip_ws()
            char = self.source[self.pos : self.pos + 1]
            self.pos += 1
            if char == ")":
                return tuple(items)
            if char != ",":
                self.pos -= 1
                raise self.error(
                    f"Expected ',' or ')' in the value list at {self.rest() or 'the end'!r}"
                )
