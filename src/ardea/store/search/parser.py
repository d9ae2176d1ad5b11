"""Parse MLflow filter strings and order-by clauses into :mod:`ardea.store.search.ast`.

Grammar (MLFLOW-WIRE.md section 4.1), keywords in any case::

    filter     := clause ("AND" clause)*          (empty or blank string: no clauses)
    clause     := ident op value | ident ["NOT"] "IN" "(" string ("," string)* ")"
                | ident "IS" ["NOT"] "NULL"
    op         := "=" | "!=" | ">" | ">=" | "<" | "<=" | "LIKE" | "ILIKE"
    ident      := [entity "."] key          (bare key: attribute)
    value      := 'string' | "string" | number
    order_by   := ident ["ASC" | "DESC"]

Which entities, keys and comparators are allowed comes from a
:class:`~ardea.store.search.vocabulary.Vocabulary` per API. Every error is an
:class:`~ardea._core.errors.InvalidArgumentError` naming the bad part.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from typing import cast

from ardea._core.errors import InvalidArgumentError
from ardea.store.search._scanner import Identifier, Scanner, Value
from ardea.store.search.ast import Clause, Comparator, EntityType, OrderBy
from ardea.store.search.limits import (
    check_clause_count,
    check_filter_text,
    check_order_by,
)
from ardea.store.search.vocabulary import (
    ENTITY_ALIASES,
    EXPERIMENTS,
    LISTS,
    LOGGED_MODELS,
    NULLS,
    RUNS,
    Vocabulary,
)

__all__ = [
    "parse_experiment_filter",
    "parse_experiment_order_by",
    "parse_filter",
    "parse_logged_model_filter",
    "parse_logged_model_order_by",
    "parse_order_by",
    "parse_run_filter",
    "parse_run_order_by",
]

_INTEGER = re.compile(r"[+-]?\d+")
_INT64 = 2**63 - 1
_WORD_COMPARATORS = {"LIKE", "ILIKE", "IN", "NOT", "IS"}


def parse_run_filter(filter_string: str | None) -> list[Clause]:
    """Parse a ``search_runs`` filter (metrics, params, tags, attributes, datasets)."""
    return parse_filter(filter_string, RUNS)


def parse_run_order_by(order_by: Sequence[str] | None) -> list[OrderBy]:
    """Parse ``search_runs`` order-by strings such as ``"metrics.acc DESC"``."""
    return parse_order_by(order_by, RUNS)


def parse_experiment_filter(filter_string: str | None) -> list[Clause]:
    """Parse a ``search_experiments`` filter (name, experiment_id, times, tags)."""
    return parse_filter(filter_string, EXPERIMENTS)


def parse_experiment_order_by(order_by: Sequence[str] | None) -> list[OrderBy]:
    """Parse ``search_experiments`` order-by strings (name, experiment_id, times)."""
    return parse_order_by(order_by, EXPERIMENTS)


def parse_logged_model_filter(filter_string: str | None) -> list[Clause]:
    """Parse a ``search_logged_models`` filter (attributes, metrics, params, tags)."""
    return parse_filter(filter_string, LOGGED_MODELS)


def parse_filter(filter_string: str | None, vocabulary: Vocabulary) -> list[Clause]:
    """Parse an AND-only filter string against one API's vocabulary.

    Args:
        filter_string: The filter; ``None``, empty or blank means no clauses.
        vocabulary: What the API accepts.

    Returns:
        The clauses, in the order written.

    Raises:
        InvalidArgumentError: The filter is malformed, uses something the API rejects, holds a
            NUL character, or is bigger than :mod:`ardea.store.search.limits` allows.
    """
    if filter_string is None:
        return []
    if not isinstance(filter_string, str):
        raise InvalidArgumentError(f"The filter must be a string, got {filter_string!r}")
    check_filter_text(filter_string)
    scanner = Scanner(filter_string, "filter")
    clauses: list[Clause] = []
    if scanner.at_end():
        return clauses
    values = 0
    while True:
        clause = _clause(scanner, vocabulary)
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


def _clause(scanner: Scanner, vocabulary: Vocabulary) -> Clause:
    if scanner.peek_char() == "(":
        raise scanner.error(
            "Parentheses are not supported around clauses; join clauses with AND only"
        )
    identifier = scanner.identifier()
    entity, key = _resolve(identifier, vocabulary, scanner)
    comparator = _comparator(scanner, identifier)
    _check_comparator(entity, key, comparator, vocabulary, scanner)
    if comparator in NULLS:
        return Clause(entity, key, cast(Comparator, comparator), None)
    value = scanner.value()
    converted = _convert(entity, key, comparator, value, vocabulary, scanner)
    return Clause(entity, key, cast(Comparator, comparator), converted)


def _resolve(
    identifier: Identifier, vocabulary: Vocabulary, scanner: Scanner, *, order: bool = False
) -> tuple[EntityType, str]:
    """The (entity, canonical key) of an identifier, validated against the vocabulary."""
    parts = identifier.parts
    allowed = vocabulary.order_entities if order else vocabulary.entities | {"attribute"}
    if len(parts) == 1:
        entity: EntityType = "attribute"
        key = parts[0]
    else:
        found = ENTITY_ALIASES.get(parts[0].lower())
        if found is None or found not in allowed:
            valid = sorted(a for a, e in ENTITY_ALIASES.items() if e in allowed)
            raise scanner.error(
                f"Invalid entity type {_short(parts[0])!r} in {_short(identifier.text)!r}; "
                f"{vocabulary.api} accepts {valid}"
            )
        entity = found
        key = ".".join(parts[1:])
    if not key:
        raise scanner.error(f"Empty key in identifier {_short(identifier.text)!r}")
    if entity == "attribute":
        key = vocabulary.canonical_attribute(key)
        valid_keys = (
            vocabulary.order_attributes if order else vocabulary.attribute_comparators.keys()
        )
        if key not in valid_keys:
            if len(parts) == 1 and not order:
                hint = "; prefix metrics., params. or tags. to search those"
            else:
                hint = ""
            raise scanner.error(
                f"Invalid attribute key {_short(key)!r} specified; {vocabulary.api} accepts "
                f"{sorted(valid_keys)}{hint}"
            )
    elif entity == "dataset" and key not in vocabulary.dataset_keys:
        raise scanner.error(
            f"Invalid dataset key {_short(key)!r} specified; valid keys are "
            f"{sorted(vocabulary.dataset_keys)}"
        )
    return entity, key


def _comparator(scanner: Scanner, identifier: Identifier) -> str:
    """Read the comparator after an identifier, normalised to upper case."""
    symbol = scanner.operator()
    if symbol is not None:
        if symbol in ("<>", "=="):
            raise scanner.error(f"Invalid comparator {symbol!r}; use '=' or '!='")
        return symbol
    word = scanner.peek_word()
    if word not in _WORD_COMPARATORS:
        if word == "RLIKE":
            raise scanner.error("The RLIKE comparator is only supported when searching traces")
        found = scanner.rest() or "the end"
        raise scanner.error(
            f"Expected a comparator after {_short(identifier.text)!r}, found {found!r}"
        )
    scanner.take_word()
    if word == "NOT":
        following = scanner.peek_word()
        if following != "IN":
            raise scanner.error(f"Invalid comparator 'NOT {following or scanner.rest()}'")
        scanner.take_word()
        return "NOT IN"
    if word == "IS":
        negated = scanner.peek_word() == "NOT"
        if negated:
            scanner.take_word()
        if scanner.peek_word() != "NULL":
            raise scanner.error(f"Expected NULL after 'IS{' NOT' if negated else ''}'")
        scanner.take_word()
        return "IS NOT NULL" if negated else "IS NULL"
    return str(word)


def _short(text: str, limit: int = 80) -> str:
    """Text for an error message, shortened if long."""
    return text if len(text) <= limit else text[:limit] + "..."


def _describe(entity: EntityType, key: str) -> str:
    return f"{entity} {_short(key)!r}"


def _check_comparator(
    entity: EntityType, key: str, comparator: str, vocabulary: Vocabulary, scanner: Scanner
) -> None:
    if entity == "attribute":
        allowed = vocabulary.attribute_comparators[key]
    else:
        allowed = vocabulary.entity_comparators[entity]
    if comparator not in allowed:
        raise scanner.error(
            f"Invalid comparator {comparator!r} for {_describe(entity, key)}; "
            f"{vocabulary.api} accepts {sorted(allowed)}"
        )


def _is_numeric(entity: EntityType, key: str, vocabulary: Vocabulary) -> bool:
    return entity == "metric" or (entity == "attribute" and key in vocabulary.numeric_attributes)


def _convert(
    entity: EntityType,
    key: str,
    comparator: str,
    value: Value,
    vocabulary: Vocabulary,
    scanner: Scanner,
) -> float | str | tuple[str, ...]:
    """Check a value's kind against the target and convert it to the Clause's value type."""
    what = _describe(entity, key)
    if comparator in LISTS:
        if value.kind != "list":
            raise scanner.error(
                f"Expected a parenthesised list of quoted strings after {comparator} for "
                f"{what}, got {_short(value.text)!r}"
            )
        return cast(tuple[str, ...], value.value)
    if value.kind == "list":
        raise scanner.error(f"A list of values is only allowed with IN / NOT IN, not {comparator}")
    if _is_numeric(entity, key, vocabulary):
        if value.kind != "number":
            raise scanner.error(f"Expected a numeric value for {what}, got {_short(value.text)!r}")
        return _number(entity, key, str(value.value), vocabulary, scanner)
    if value.kind != "string":
        raise scanner.error(
            f"Expected a quoted string value for {what} (e.g. 'my-value'), "
            f"got {_short(value.text)!r}"
        )
    return str(value.value)


def _number(
    entity: EntityType, key: str, text: str, vocabulary: Vocabulary, scanner: Scanner
) -> float:
    if entity == "metric":
        return float(text)
    if _INTEGER.fullmatch(text):
        number = int(text) if len(text) <= 20 else _INT64 + 1  # no 4300-digit int parsing
        if abs(number) > _INT64:
            raise scanner.error(f"Value {text[:30]} for attribute {key!r} is out of range")
        return number
    if vocabulary.integer_attributes:
        raise scanner.error(f"Expected an integer value for attribute {key!r}, got {text!r}")
    result = float(text)
    if not math.isfinite(result) or abs(result) > _INT64:
        raise scanner.error(f"Value {text[:30]} for attribute {key!r} is out of range")
    return result


def parse_order_by(order_by: Sequence[str] | None, vocabulary: Vocabulary) -> list[OrderBy]:
    """Parse order-by strings ``"<identifier> [ASC|DESC]"`` against a vocabulary.

    Args:
        order_by: The clauses, most significant first; ``None`` or empty means none.
        vocabulary: What the API accepts.

    Returns:
        One :class:`OrderBy` per string.

    Raises:
        InvalidArgumentError: A clause is malformed, names a key the API cannot order by,
            or repeats a key.
    """
    if order_by is None:
        return []
    if isinstance(order_by, str):
        order_by = [order_by]
    check_order_by(order_by)
    result: list[OrderBy] = []
    seen: set[tuple[EntityType, str]] = set()
    for item in order_by:
        if not isinstance(item, str):
            raise InvalidArgumentError(f"Invalid order_by clause {item!r}: expected a string")
        scanner = Scanner(item, "order_by clause")
        if scanner.at_end():
            raise InvalidArgumentError("Invalid order_by clause '': it is empty")
        identifier = _split_quoted_entity(scanner.identifier())
        entity, key = _resolve(identifier, vocabulary, scanner, order=True)
        ascending = True
        if not scanner.at_end():
            word = scanner.peek_word()
            if word not in ("ASC", "DESC"):
                raise scanner.error(
                    f"Invalid ordering {scanner.rest()!r} after {_short(identifier.text)!r}; "
                    "expected ASC or DESC"
                )
            scanner.take_word()
            ascending = word == "ASC"
            if not scanner.at_end():
                raise scanner.error(f"Unexpected text {scanner.rest()!r} after {word}")
        if (entity, key) in seen:
            raise InvalidArgumentError(
                f"order_by contains duplicate fields: {entity} {key!r} (in {list(order_by)!r})"
            )
        seen.add((entity, key))
        result.append(OrderBy(entity, key, ascending))
    return result


def _split_quoted_entity(identifier: Identifier) -> Identifier:
    """Treat a fully quoted ```metrics.acc``` as ``metrics.acc`` (MLflow does in order-by)."""
    if len(identifier.parts) == 1 and "." in identifier.parts[0]:
        head, _, tail = identifier.parts[0].partition(".")
        if head.lower() in ENTITY_ALIASES:
            return Identifier((head, tail), identifier.text)
    return identifier


def parse_logged_model_order_by(
    order_by: Sequence[Mapping[str, object]] | None,
) -> list[OrderBy]:
    """Parse ``search_logged_models`` order-by objects.

    Each item is ``{"field_name": str, "ascending": bool = True, "dataset_name": str?,
    "dataset_digest": str?}``; ``field_name`` is an attribute or ``metrics.<key>``.

    Raises:
        InvalidArgumentError: An item is malformed or names an unknown field.
    """
    check_order_by(order_by or ())
    result: list[OrderBy] = []
    for item in order_by or ():
        if not isinstance(item, Mapping):
            raise InvalidArgumentError("order_by must be a list of objects with a field_name")
        field_name = item.get("field_name")
        if not isinstance(field_name, str) or not field_name.strip():
            raise InvalidArgumentError(
                f"field_name in the order_by clause must be a non-empty string, got {item!r}"
            )
        ascending = item.get("ascending", True)
        if ascending is None:
            ascending = True
        if not isinstance(ascending, bool):
            raise InvalidArgumentError(
                f"ascending in the order_by clause must be a boolean, got {ascending!r}"
            )
        dataset_name = _optional_str(item, "dataset_name")
        dataset_digest = _optional_str(item, "dataset_digest")
        if dataset_digest and not dataset_name:
            raise InvalidArgumentError(
                "dataset_digest can only be specified if dataset_name is also specified"
            )
        scanner = Scanner(field_name.strip(), "order_by field_name")
        identifier = scanner.identifier()
        if not scanner.at_end():
            raise scanner.error(f"Unexpected text {scanner.rest()!r} in field_name")
        entity, key = _resolve(identifier, LOGGED_MODELS, scanner, order=True)
        result.append(OrderBy(entity, key, ascending, dataset_name, dataset_digest))
    return result


def _optional_str(item: Mapping[str, object], name: str) -> str | None:
    value = item.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} in the order_by clause must be a string, got {value!r}")
    return value
