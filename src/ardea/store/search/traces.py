"""The MLflow trace filter grammar (MLFLOW-WIRE.md section 4.3) plus Ardea's additions.

Same lexical rules and AND-only structure as the run grammar (:mod:`._scanner`), with more
namespaces and the ``RLIKE`` (regular expression) comparator::

    request_id | trace_id | client_request_id | status | name | run_id   strings
    session | user                                                         strings (Ardea)
    timestamp(_ms) | execution_time(_ms) | end_time(_ms)                  numbers (ms)
    input_tokens | output_tokens | total_tokens | cost                     numbers (Ardea)
    tags.<k> | metadata.<k>                                                strings, IS [NOT] NULL
    span.name | span.type | span.status | span.attributes.<k>             strings
    text | span.content                                                    LIKE / ILIKE over spans
    feedback.<name> | expectation.<name>                                   JSON value text / numbers

Attribute prefixes ``attributes.``, ``attribute.`` and ``trace.`` are optional. Every error is
an :class:`~ardea._core.errors.InvalidArgumentError`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from ardea._core.errors import InvalidArgumentError
from ardea.store.search._scanner import Identifier, Scanner, Value
from ardea.store.search.ast import OrderBy
from ardea.store.search.limits import (
    check_clause_count,
    check_filter_text,
    check_order_by,
)

__all__ = [
    "TRACE_ORDER_KEYS",
    "TRACE_STATES",
    "TraceClause",
    "parse_trace_filter",
    "parse_trace_order_by",
]

TraceEntity = Literal[
    "attribute", "tag", "metadata", "span", "span_attribute", "assessment", "issue"
]

NUMERIC = frozenset({"=", "!=", ">", ">=", "<", "<="})
_STRING = frozenset({"=", "!=", "LIKE", "ILIKE", "RLIKE"})
_LISTS = frozenset({"IN", "NOT IN"})
_NULLS = frozenset({"IS NULL", "IS NOT NULL"})

TRACE_STATES = frozenset({"OK", "ERROR", "IN_PROGRESS", "STATE_UNSPECIFIED"})
"""Values ``status`` may be compared with (``=``, ``!=``, ``IN``)."""

_SPAN_STATUSES = frozenset({"OK", "ERROR", "UNSET"})

_ATTRIBUTE_ALIASES: Mapping[str, str] = MappingProxyType(
    {
        "trace_id": "request_id",
        "state": "status",
        "timestamp": "timestamp_ms",
        "execution_time": "execution_time_ms",
        "end_time": "end_time_ms",
        "session_id": "session",
        "user_id": "user",
        "experiment": "experiment_id",
    }
)

_NUMERIC_ATTRIBUTES = frozenset(
    {
        "timestamp_ms",
        "execution_time_ms",
        "end_time_ms",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost",
    }
)

_ATTRIBUTE_COMPARATORS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "request_id": _STRING | _LISTS,
        "client_request_id": _STRING | _LISTS | _NULLS,
        "status": _STRING | _LISTS,
        "name": _STRING | _LISTS | _NULLS,
        "run_id": _STRING | _LISTS | _NULLS,
        "session": _STRING | _LISTS | _NULLS,
        "user": _STRING | _LISTS | _NULLS,
        "text": frozenset({"LIKE", "ILIKE"}),
        **{key: NUMERIC for key in _NUMERIC_ATTRIBUTES},
    }
)

TRACE_ORDER_KEYS = frozenset(
    {
        "experiment_id",
        "timestamp_ms",
        "execution_time_ms",
        "end_time_ms",
        "status",
        "request_id",
        "client_request_id",
        "name",
        "run_id",
        "session",
        "user",
        "input_tokens",
        "output_tokens",
        "total_tokens",
        "cost",
    }
)
"""Canonical attribute keys ``search_traces`` can order by."""

_ENTITY_PREFIXES: Mapping[str, TraceEntity] = MappingProxyType(
    {
        "attributes": "attribute",
        "attribute": "attribute",
        "attr": "attribute",
        "trace": "attribute",
        "tags": "tag",
        "tag": "tag",
        "metadata": "metadata",
        "request_metadata": "metadata",
        "span": "span",
        "spans": "span",
        "feedback": "assessment",
        "expectation": "assessment",
        "issue": "issue",
    }
)

_COMPARATORS: Mapping[TraceEntity, frozenset[str]] = MappingProxyType(
    {
        "tag": _STRING | _LISTS | _NULLS,
        "metadata": _STRING | _LISTS | _NULLS,
        "span": _STRING | _LISTS,
        "span_attribute": _STRING | _LISTS,
        "assessment": _STRING | NUMERIC | _NULLS,
        "issue": frozenset({"="}),
    }
)

_INTEGER = re.compile(r"[+-]?\d+")
_INT64 = 2**63 - 1
_SYMBOLS = re.compile(r"!=|>=|<=|<>|==|=|>|<")


@dataclass(frozen=True, slots=True)
class TraceClause:
    """One comparison of an AND-only trace filter.

    Attributes:
        entity: ``attribute``, ``tag``, ``metadata``, ``span`` (key ``name``/``type``/
            ``status``), ``span_attribute`` (key = attribute name) or ``assessment``.
        key: Canonical key (aliases resolved, quotes removed).
        comparator: Upper-case comparator (``RLIKE`` included).
        value: int/float for numeric comparisons; str for string ones; tuple[str, ...] for
            IN / NOT IN; None for IS [NOT] NULL.
        kind: For assessments, ``feedback``, ``expectation`` or ``issue`` (``issue.id = x``
            is the assessment clause ``x IS NOT NULL`` of kind ``issue``); else None.
    """

    entity: TraceEntity
    key: str
    comparator: str
    value: float | str | tuple[str, ...] | None
    kind: str | None = None


def parse_trace_filter(filter_string: str | None) -> list[TraceClause]:
    """Parse a ``search_traces`` filter string.

    Args:
        filter_string: The filter; ``None``, empty or blank means no clauses.

    Returns:
        The clauses in the order written.

    Raises:
        InvalidArgumentError: The filter is malformed, names something unsupported, holds a
            NUL character, or is bigger than :mod:`ardea.store.search.limits` allows.
    """
    if filter_string is None:
        return []
    if not isinstance(filter_string, str):
        raise InvalidArgumentError(f"The filter must be a string, got {filter_string!r}")
    check_filter_text(filter_string)
    scanner = Scanner(filter_string, "filter")
    clauses: list[TraceClause] = []
    if scanner.at_end():
        return clauses
    values = 0
    while True:
        clause = _clause(scanner)
        clauses.append(clause)
        values += len(clause.value) if isinstance(clause.value, tuple) else 0
        check_clause_count(len(clauses), values)
        if scanner.at_end():
            return clauses
        word = scanner.peek_word()
        if word != "AND":
            bad = "OR" if word == "OR" else scanner.rest()
            raise InvalidArgumentError(
                f"Invalid clause(s) in filter string: {bad!r}. Clauses can only be joined "
                f"with AND (in filter {filter_string!r})"
            )
        scanner.take_word()


def _clause(scanner: Scanner) -> TraceClause:
    if scanner.peek_char() == "(":
        raise scanner.error("Parentheses are not supported around clauses; join with AND only")
    identifier = scanner.identifier()
    entity, key, kind = _resolve(identifier, scanner)
    comparator = _comparator(scanner, identifier)
    if entity == "attribute":
        allowed = _ATTRIBUTE_COMPARATORS[key]
    elif entity == "span" and key == "content":
        allowed = _ATTRIBUTE_COMPARATORS["text"]
    else:
        allowed = _COMPARATORS[entity]
    if comparator not in allowed:
        raise scanner.error(
            f"Invalid comparator {comparator!r} for {identifier.text!r}; "
            f"search_traces accepts {sorted(allowed)} there"
        )
    if comparator in _NULLS:
        return TraceClause(entity, key, comparator, None, kind)
    if entity == "issue":  # a trace linked to the issue: an assessment of kind issue
        issue = scanner.value()
        if issue.kind != "string":
            raise scanner.error(
                f"Expected a quoted issue id after 'issue.id =', got {issue.text!r}"
            )
        return TraceClause("assessment", str(issue.value), "IS NOT NULL", None, "issue")
    value = _convert(entity, key, comparator, scanner.value(), scanner)
    return TraceClause(entity, key, comparator, value, kind)


def _resolve(identifier: Identifier, scanner: Scanner) -> tuple[TraceEntity, str, str | None]:
    parts = identifier.parts
    if len(parts) == 1:
        return "attribute", _attribute(parts[0], scanner, order=False), None
    prefix = parts[0].lower()
    entity = _ENTITY_PREFIXES.get(prefix)
    if entity is None:
        raise scanner.error(
            f"Invalid entity {parts[0]!r} in {identifier.text!r}; search_traces accepts "
            "attributes., tags., metadata., span., feedback., expectation. and issue.id"
        )
    rest = ".".join(parts[1:])
    if not rest:
        raise scanner.error(f"Empty key in identifier {identifier.text!r}")
    if entity == "attribute":
        return entity, _attribute(rest, scanner, order=False), None
    if entity == "assessment":
        return entity, rest, prefix
    if entity == "issue":
        if rest.lower() != "id":
            raise scanner.error(f"Invalid issue key {rest!r}; use issue.id")
        return entity, "id", None
    if entity == "span":
        field = parts[1].lower()
        if field in ("attributes", "attribute") and len(parts) > 2:
            return "span_attribute", ".".join(parts[2:]), None
        if field in ("name", "type", "status", "content") and len(parts) == 2:
            return "span", field, None
        raise scanner.error(
            f"Invalid span key {rest!r}; use span.name, span.type, span.status, span.content "
            "or span.attributes.<key>"
        )
    return entity, rest, None


def _attribute(key: str, scanner: Scanner, *, order: bool) -> str:
    canonical = _ATTRIBUTE_ALIASES.get(key, key)
    valid = TRACE_ORDER_KEYS if order else _ATTRIBUTE_COMPARATORS.keys()
    if canonical not in valid:
        raise scanner.error(
            f"Invalid attribute key {key!r}; search_traces accepts {sorted(valid)} "
            "(prefix tags., metadata., span. to search those)"
        )
    return canonical


def _comparator(scanner: Scanner, identifier: Identifier) -> str:
    scanner.skip_ws()
    match = _SYMBOLS.match(scanner.source, scanner.pos)
    if match is not None:
        scanner.pos = match.end()
        if match.group() in ("<>", "=="):
            raise scanner.error(f"Invalid comparator {match.group()!r}; use '=' or '!='")
        return match.group()
    word = scanner.peek_word()
    if word in ("LIKE", "ILIKE", "RLIKE"):
        scanner.take_word()
        return word
    if word == "IN":
        scanner.take_word()
        return "IN"
    if word == "NOT":
        scanner.take_word()
        if scanner.peek_word() != "IN":
            raise scanner.error(f"Invalid comparator 'NOT {scanner.rest()}'")
        scanner.take_word()
        return "NOT IN"
    if word == "IS":
        scanner.take_word()
        negated = scanner.peek_word() == "NOT"
        if negated:
            scanner.take_word()
        if scanner.peek_word() != "NULL":
            raise scanner.error(f"Expected NULL after 'IS{' NOT' if negated else ''}'")
        scanner.take_word()
        return "IS NOT NULL" if negated else "IS NULL"
    raise scanner.error(
        f"Expected a comparator after {identifier.text!r}, found {scanner.rest() or 'the end'!r}"
    )


def _convert(
    entity: TraceEntity, key: str, comparator: str, value: Value, scanner: Scanner
) -> float | str | tuple[str, ...]:
    what = f"{key!r}"
    if comparator in _LISTS:
        if value.kind != "list":
            raise scanner.error(
                f"Expected a parenthesised list of quoted strings after {comparator} for {what}"
            )
        items = tuple(str(v) for v in value.value)
        for item in items:
            _check_enum(entity, key, item, scanner)
        return items
    if value.kind == "list":
        raise scanner.error(f"A list of values is only allowed with IN / NOT IN, not {comparator}")
    numeric = (entity == "attribute" and key in _NUMERIC_ATTRIBUTES) or (
        entity == "assessment" and comparator in NUMERIC - {"=", "!="}
    )
    if numeric:
        if value.kind != "number":
            raise scanner.error(f"Expected a numeric value for {what}, got {value.text!r}")
        if entity == "assessment":  # compared as a double: any finite number
            return _double(str(value.value), key, scanner)
        return _number(str(value.value), key, scanner)
    if entity == "assessment" and value.kind == "number":
        return str(value.value)  # feedback.score = 5 compares the JSON text "5"
    if value.kind != "string":
        raise scanner.error(
            f"Expected a quoted string value for {what} (e.g. 'my-value'), got {value.text!r}"
        )
    text = str(value.value)
    if comparator in ("=", "!="):
        text = _check_enum(entity, key, text, scanner)
    elif comparator == "RLIKE":
        try:
            re.compile(text)
        except re.error as exc:
            raise scanner.error(f"Invalid regular expression {text!r}: {exc}") from None
    return text


def _check_enum(entity: TraceEntity, key: str, text: str, scanner: Scanner) -> str:
    if entity == "attribute" and key == "status" and text not in TRACE_STATES:
        raise scanner.error(
            f"Invalid trace status {text!r}; expected one of {sorted(TRACE_STATES)}"
        )
    if entity == "span" and key == "status":
        text = text.removeprefix("STATUS_CODE_")
        if text not in _SPAN_STATUSES:
            raise scanner.error(f"Invalid span status {text!r}; expected OK, ERROR or UNSET")
    return text


def _double(text: str, key: str, scanner: Scanner) -> float:
    result = float(text)
    if not math.isfinite(result):
        raise scanner.error(f"Value {text[:30]} for {key!r} is out of range")
    return result


def _number(text: str, key: str, scanner: Scanner) -> float:
    if _INTEGER.fullmatch(text):
        number = int(text) if len(text) <= 20 else _INT64 + 1
        if abs(number) > _INT64:
            raise scanner.error(f"Value {text[:30]} for {key!r} is out of range")
        return number
    result = float(text)
    if not math.isfinite(result) or abs(result) > _INT64:
        raise scanner.error(f"Value {text[:30]} for {key!r} is out of range")
    return result


def parse_trace_order_by(order_by: Sequence[str] | None) -> list[OrderBy]:
    """Parse ``search_traces`` order-by strings such as ``"timestamp_ms DESC"``.

    Returns:
        One attribute :class:`OrderBy` per string, keys canonical (see :data:`TRACE_ORDER_KEYS`).

    Raises:
        InvalidArgumentError: A clause is malformed, unknown or repeated.
    """
    if order_by is None:
        return []
    if isinstance(order_by, str):
        order_by = [order_by]
    check_order_by(order_by)
    result: list[OrderBy] = []
    seen: set[str] = set()
    for item in order_by:
        if not isinstance(item, str):
            raise InvalidArgumentError(f"Invalid order_by clause {item!r}: expected a string")
        scanner = Scanner(item, "order_by clause")
        if scanner.at_end():
            raise InvalidArgumentError("Invalid order_by clause '': empty")
        identifier = scanner.identifier()
        parts = identifier.parts
        if len(parts) > 1 and _ENTITY_PREFIXES.get(parts[0].lower()) == "attribute":
            parts = parts[1:]
        key = _attribute(".".join(parts), scanner, order=True)
        ascending = True
        if not scanner.at_end():
            word = scanner.peek_word()
            if word not in ("ASC", "DESC"):
                raise scanner.error(f"Expected ASC or DESC at {scanner.rest()!r}")
            scanner.take_word()
            ascending = word == "ASC"
        if not scanner.at_end():
            raise scanner.error(f"Unexpected text {scanner.rest()!r}")
        if key in seen:
            raise InvalidArgumentError(f"order_by contains {key!r} more than once")
        seen.add(key)
        result.append(OrderBy("attribute", key, ascending))
    return result
