"""Trace files: one trace (or a list of them, a session) as MLflow's ``Trace.to_json()`` JSON.

The document of one trace is ``{"info": <TraceInfoV3>, "data": {"spans": [...]}}``, the spans
in MLflow's ``Span.to_dict`` form; ``ardea traces export`` writes it and ``ardea test`` reads
it. A file holding a JSON list is a session: its traces in order.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ardea._core.errors import InvalidArgumentError
from ardea.entities import Trace

__all__ = ["load_traces", "trace_from_doc", "trace_to_doc"]


def trace_to_doc(trace: Trace) -> dict[str, Any]:
    """A trace as MLflow's ``Trace.to_json()`` document."""
    from ardea.api.mlflow_trace_json import span_to_traces_json, trace_info_to_json

    spans = [span_to_traces_json(s) for s in trace.spans]
    return {"info": trace_info_to_json(trace.info), "data": {"spans": spans}}


def trace_from_doc(doc: Any, where: str = "the document") -> Trace:
    """A trace from MLflow's ``Trace.to_json()`` document.

    Raises:
        InvalidArgumentError: ``doc`` is not a trace document.
    """
    from ardea.api.mlflow_trace_json import span_from_traces_json, trace_info_from_json

    if not isinstance(doc, dict) or not isinstance(doc.get("info"), dict):
        raise InvalidArgumentError(f"{where} is not a trace: it needs an 'info' object")
    data = doc.get("data")
    spans = data.get("spans") if isinstance(data, dict) else None
    if not isinstance(spans, list):
        raise InvalidArgumentError(f"{where} has no 'data.spans' list: the trace has no spans")
    try:
        info = trace_info_from_json(doc["info"])
        parsed = [span_from_traces_json(s) for s in spans]
    except InvalidArgumentError as exc:
        raise InvalidArgumentError(f"{where}: {exc.message}") from None
    except Exception as exc:
        raise InvalidArgumentError(f"{where} is not a valid trace ({exc})") from None
    return Trace(info=info, spans=parsed)


def load_traces(path: str | Path) -> list[Trace]:
    """The trace(s) in a file: one trace, or a session's traces in order.

    Raises:
        InvalidArgumentError: The file is missing, not JSON, or holds no trace.
    """
    p = Path(path)
    try:
        doc = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InvalidArgumentError(f"no trace file at {p}") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidArgumentError(f"{p} is not a JSON trace file ({exc})") from None
    if isinstance(doc, list):
        if not doc:
            raise InvalidArgumentError(f"{p} holds an empty list of traces")
        return [trace_from_doc(d, f"{p} item {i}") for i, d in enumerate(doc)]
    return [trace_from_doc(doc, str(p))]
