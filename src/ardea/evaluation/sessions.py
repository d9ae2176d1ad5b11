"""Sessions (conversations) in ``evaluate``: grouping rows, ordering turns, the anchor trace.

A session-level scorer (``scorer.session_level``: the 7 session judges, ``make_judge`` with
``{{ conversation }}``, ``@scorer`` taking ``session``) runs once per session, after every row
is done, over the session's traces in time order (as ``mlflow.genai.evaluate``). A row's
session is ``mlflow.trace.session`` in its trace's metadata, else the row's ``session_id``
(Ardea's addition), else its dataset record's ``source.source_data.session_id`` (as MLflow).
The session's feedbacks are logged on its *anchor*: the trace that started first (its root
span), with metadata ``mlflow.trace.session`` = the session id, as MLflow logs them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ardea.entities import Feedback
from ardea.evaluation.rows import SESSION_METADATA, EvalItem, trace_session

__all__ = ["EvalSession", "group_sessions", "request_time"]


@dataclass
class EvalSession:
    """One conversation of an evaluation while it is scored, then as it was logged.

    Attributes:
        session_id: The session id (``mlflow.trace.session``).
        items: Its rows, in data order.
        anchor: The row whose trace started first (the session's feedbacks go on its trace).
        traces: The turns' traces in time order (what session scorers receive).
        feedbacks: What the session scorers returned (metadata ``mlflow.trace.session`` set).
        error: Why the session could not be scored, if it could not.
        done: Scored before the evaluation ended.
    """

    session_id: str
    items: list[EvalItem] = field(default_factory=list)
    anchor: EvalItem | None = None
    traces: list[Any] = field(default_factory=list)
    feedbacks: list[Feedback] = field(default_factory=list)
    error: str | None = None
    done: bool = False

    @property
    def trace_id(self) -> str | None:
        """The anchor's trace id (where the session's feedbacks are logged)."""
        return self.anchor.trace_id if self.anchor is not None else None

    def tag(self, feedbacks: Iterable[Feedback]) -> list[Feedback]:
        """``feedbacks`` with ``mlflow.trace.session`` in their metadata."""
        out = list(feedbacks)
        for f in out:
            f.metadata = {**(f.metadata or {}), SESSION_METADATA: self.session_id}
        return out

    def scores(self) -> dict[str, Any]:
        """``{feedback name: value}`` (``None`` for an error)."""
        return {f.name: (None if f.error is not None else f.value) for f in self.feedbacks}


def request_time(trace: Any) -> int:
    """When ``trace`` started (ms; ``info.request_time``, else its root span's start)."""
    info = getattr(trace, "info", None)
    value = getattr(info, "request_time", None)
    if value is None:
        value = getattr(info, "timestamp_ms", None)
    return int(value) if value is not None else 0


def session_of(item: EvalItem) -> str | None:
    """The row's session: its trace's ``mlflow.trace.session``, else the row's own id."""
    if item.trace is not None:
        found = trace_session(item.trace)
        if found:
            return found
    return item.session_id


def group_sessions(items: Iterable[EvalItem]) -> list[EvalSession]:
    """The sessions of ``items`` (finished rows with a session), in order of first row."""
    sessions: dict[str, EvalSession] = {}
    for item in items:
        if not item.done:
            continue
        sid = session_of(item)
        if sid is None:
            continue
        item.session_id = sid
        sessions.setdefault(sid, EvalSession(sid)).items.append(item)
    return list(sessions.values())
