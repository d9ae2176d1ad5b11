"""Scorers as MLflow's ``serialized_scorer`` JSON (what ``scorers/register`` stores).

The dict has MLflow's ``SerializedScorer`` fields: ``name``, ``aggregations``,
``description``, ``is_session_level_scorer``, ``timeout``, ``mlflow_version``,
``serialization_version`` (1) and exactly one payload:

- a built-in: ``builtin_scorer_class`` (the class name) and ``builtin_scorer_pydantic_data``
  (its constructor arguments: ``name``, ``model``, ``guidelines``, ``pattern``, ...);
- a ``make_judge`` judge: ``instructions_judge_pydantic_data`` =
  ``{instructions, model, feedback_value_type: <JSON schema>}``;
- an aligned (MemAlign) judge: ``memory_augmented_judge_data`` (see
  :mod:`ardea.evaluation.scorers.memory_judge`);
- an ``@scorer`` function: ``call_source``, ``call_signature``, ``original_func_name`` (its
  source, for display: Ardea never executes code read from JSON).

``extra_headers`` and ``base_url`` are never written (they may hold secrets).
"""

from __future__ import annotations

import inspect
import json
import textwrap
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.evaluation.scorers import base
from ardea.evaluation.scorers._builtin_classes import BUILTINS
from ardea.evaluation.scorers.base import DecoratorScorer, Scorer

__all__ = ["MLFLOW_VERSION", "scorer_from_json", "scorer_to_dict"]

MLFLOW_VERSION = "3.18.0"
"""The MLflow version whose serialization format Ardea writes."""


def _aggregations(scorer: Scorer) -> list[str] | None:
    if scorer.aggregations is None:
        return None
    return [
        a if isinstance(a, str) else getattr(a, "__name__", "callable") for a in scorer.aggregations
    ]


def _base(scorer: Scorer) -> dict[str, Any]:
    return {
        "name": scorer.name,
        "aggregations": _aggregations(scorer),
        "description": scorer.description,
        "is_session_level_scorer": bool(scorer.session_level),
        "timeout": scorer.timeout or 0,
        "session_level": None,
        "mlflow_version": MLFLOW_VERSION,
        "serialization_version": 1,
        "builtin_scorer_class": None,
        "builtin_scorer_pydantic_data": None,
        "call_source": None,
        "call_signature": None,
        "original_func_name": None,
        "instructions_judge_pydantic_data": None,
        "memory_augmented_judge_data": None,
        "third_party_scorer_data": None,
        "ensemble_scorer_data": None,
    }


def _source(func: Any) -> tuple[str | None, str | None]:
    """The body of ``func``'s source (dedented) and its signature; None when unavailable."""
    import ast

    try:
        text = textwrap.dedent(inspect.getsource(func))
        tree = ast.parse(text)
    except (OSError, TypeError, SyntaxError):
        return None, None
    node = next(
        (n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))),
        None,
    )
    if node is None or not node.body:
        return None, str(inspect.signature(func))
    lines = text.splitlines()
    body = lines[node.body[0].lineno - 1 : node.body[-1].end_lineno]
    return textwrap.dedent("\n".join(body)), str(inspect.signature(func))


def scorer_to_dict(scorer: Scorer) -> dict[str, Any]:
    """``scorer`` as MLflow's serialized-scorer dict (see the module docstring).

    Raises:
        InvalidArgumentError: A scorer class that is neither built-in, a judge nor ``@scorer``.
    """
    data = _base(scorer)
    cls = type(scorer)
    if BUILTINS.get(cls.__name__) is cls:
        data["builtin_scorer_class"] = cls.__name__
        fields = {
            "name": scorer.name,
            "aggregations": data["aggregations"],
            "description": scorer.description,
            "timeout": scorer.timeout,
            "session_level": None,
        }
        fields.update(scorer.serialized_fields())
        data["builtin_scorer_pydantic_data"] = fields
        return data
    to_memory = getattr(scorer, "memory_augmented_judge_data", None)
    if callable(to_memory):
        data["memory_augmented_judge_data"] = to_memory()
        return data
    to_instructions = getattr(scorer, "instructions_judge_data", None)
    if callable(to_instructions):
        data["instructions_judge_pydantic_data"] = to_instructions()
        return data
    if isinstance(scorer, DecoratorScorer):
        source, signature = _source(scorer.func)
        data["call_source"] = source
        data["call_signature"] = signature
        data["original_func_name"] = scorer.func.__name__
        return data
    raise InvalidArgumentError(
        f"Cannot serialize {cls.__name__}: only built-in scorers, make_judge judges and "
        "@scorer functions can be serialized"
    )


def scorer_from_json(data: str | dict[str, Any]) -> Scorer:
    """The scorer a serialized-scorer JSON (Ardea's or MLflow's) describes.

    Raises:
        InvalidArgumentError: Invalid JSON, an unknown built-in, or custom ``@scorer`` code
            (never executed from JSON).
    """
    if isinstance(data, str):
        try:
            data = json.loads(data)
        except ValueError as exc:
            raise InvalidArgumentError(f"Invalid JSON in serialized scorer: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        raise InvalidArgumentError("A serialized scorer must be a JSON object with a 'name'")
    name = data["name"]
    if data.get("builtin_scorer_class"):
        cls: type[Scorer] | None = BUILTINS.get(str(data["builtin_scorer_class"]))
        if cls is None:
            raise InvalidArgumentError(
                f"Unknown built-in scorer class {data['builtin_scorer_class']!r} (scorer {name!r})"
            )
        fields = dict(data.get("builtin_scorer_pydantic_data") or {})
        return cls.from_serialized_fields(fields)
    memory = data.get("memory_augmented_judge_data")
    if isinstance(memory, dict):
        from ardea.evaluation.scorers.memory_judge import MemoryJudge

        return MemoryJudge.from_memory_data(memory)
    judge = data.get("instructions_judge_pydantic_data")
    if isinstance(judge, dict):
        from ardea.evaluation.scorers.judge import make_judge
        from ardea.evaluation.scorers.value_types import type_from_schema

        return make_judge(
            name=name,
            instructions=judge.get("instructions", ""),
            model=judge.get("model"),
            description=data.get("description"),
            feedback_value_type=type_from_schema(judge.get("feedback_value_type")),
            inference_params=judge.get("inference_params"),
            aggregations=data.get("aggregations"),
        )
    if data.get("call_source") is not None:
        raise InvalidArgumentError(
            f"Scorer {name!r} is custom @scorer code; Ardea does not execute code read from "
            "JSON. Import the function and decorate it instead."
        )
    raise InvalidArgumentError(
        f"Scorer {name!r} is serialized in a format Ardea cannot rebuild "
        f"(mlflow_version {data.get('mlflow_version') or 'unknown'})"
    )


base.CODEC.update(to_dict=scorer_to_dict, from_json=scorer_from_json)
