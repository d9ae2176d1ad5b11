"""Turn span inputs and outputs into JSON strings, cheaply and without ever failing."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import orjson

__all__ = ["dumps"]

_OPTS = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY


def _fallback(value: Any) -> Any:
    """What orjson calls for a type it does not know: pydantic, dataclass, sets, repr."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump()
        except Exception:  # a broken model_dump must not break the traced call
            pass
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        try:
            return dataclasses.asdict(value)
        except Exception:
            pass
    if isinstance(value, set | frozenset):
        return list(value)
    to_dict = getattr(value, "to_dict", None)
    if callable(to_dict) and not isinstance(value, type):
        try:
            return to_dict()
        except Exception:
            pass
    return repr(value)


def dumps(value: Any) -> str:
    """``value`` as a JSON string; objects JSON cannot hold become their ``repr``.

    Args:
        value: Any Python object.

    Returns:
        A JSON document (never raises).
    """
    try:
        return orjson.dumps(value, default=_fallback, option=_OPTS).decode()
    except Exception:  # e.g. ints beyond 64 bits, recursion
        try:
            return json.dumps(value, default=repr)
        except Exception:
            return json.dumps(repr(value))
