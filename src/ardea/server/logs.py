"""Structured logs: ``ardea server --log-format json`` (``ARDEA_LOG_FORMAT=json``).

:class:`JsonFormatter` writes one JSON object a line: ``time`` (ISO 8601, UTC), ``level``,
``logger``, ``message``, and when known ``request_id``, ``workspace`` and ``user`` (from the
door's :class:`~ardea.server.door.RequestContext`, in whichever thread the request's work
runs), ``method``, ``path``, ``route``, ``status`` and ``duration_ms`` (the access log), and
``exception`` (the formatted traceback).

The access log (``--access-log``) is then the door's, not uvicorn's: one ``ardea.access``
record per answered request, with the route template, the status and the duration. It never
carries a header or the query string, so credentials sent there (``Authorization``, API
keys, a token in the URL) cannot reach the log.

:func:`log_config` is the ``logging.config.dictConfig`` mapping handed to uvicorn, which
applies it in every worker process.
"""

from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from typing import Any

import orjson

from ardea._core.env import ARDEA_LOG_FORMAT
from ardea.server.door import current_request

__all__ = ["ACCESS_LOGGER", "LOG_FORMATS", "JsonFormatter", "json_logs", "log_config"]

LOG_FORMATS = ("text", "json")
"""The values of ``--log-format`` / ``ARDEA_LOG_FORMAT``."""

ACCESS_LOGGER = "ardea.access"
"""The logger of the door's access log."""

_TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_EXTRA = ("method", "path", "route", "status", "duration_ms")


def json_logs() -> bool:
    """Whether ``ARDEA_LOG_FORMAT`` asks for JSON logs."""
    return os.environ.get(ARDEA_LOG_FORMAT, "").strip().lower() == "json"


class JsonFormatter(logging.Formatter):
    """A log record as one line of JSON (see the module docstring)."""

    def format(self, record: logging.LogRecord) -> str:
        """The record as a JSON object on one line."""
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = current_request()
        request_id = getattr(record, "request_id", None)
        if context is not None:
            request_id = request_id or context.request_id
            if context.workspace is not None:
                entry["workspace"] = context.workspace
            if context.caller is not None:
                entry["user"] = context.caller.user.username
        for key in ("workspace", "user"):
            given = getattr(record, key, None)
            if given is not None:
                entry[key] = given
        if request_id is not None:
            entry["request_id"] = request_id
        for key in _EXTRA:
            given = getattr(record, key, None)
            if given is not None:
                entry[key] = given
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        elif record.exc_text:
            entry["exception"] = record.exc_text
        return orjson.dumps(entry, default=str).decode()


def log_config(json: bool, level: str = "INFO") -> dict[str, Any]:
    """The ``dictConfig`` of the server's loggers: ``ardea`` and uvicorn's, on stderr.

    Args:
        json: One JSON object a line (:class:`JsonFormatter`); else plain text.
        level: The level of the ``ardea`` and ``uvicorn.error`` loggers.
    """
    formatter: dict[str, Any] = (
        {"()": f"{__name__}.JsonFormatter"} if json else {"format": _TEXT_FORMAT}
    )
    handler = {"class": "logging.StreamHandler", "formatter": "main", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"main": formatter},
        "handlers": {"main": handler},
        "loggers": {
            "ardea": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn": {"handlers": ["main"], "level": level, "propagate": False},
            "uvicorn.error": {"level": level},
            "uvicorn.access": {"handlers": ["main"], "level": "INFO", "propagate": False},
        },
    }
