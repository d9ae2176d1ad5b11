"""The audit log in the SQL auth store: append-only, read newest first with filters."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError
from ardea._core.ids import now_ms
from ardea.entities import PagedList
from ardea.entities.auth import AuditEvent
from ardea.store.auth import AUDIT_MAX_RESULTS_DEFAULT, AUDIT_MAX_RESULTS_LIMIT
from ardea.store.search.paging import decode_page_token, encode_page_token
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.common import inserted_id
from ardea.store.sql.auth.tables import NAME_LENGTH, audit_events
from ardea.store.validation import validate_max_results

__all__ = ["SqlAudit"]

_ACTION_MAX = 64
_TARGET_MAX = 512
_IP_MAX = 64
_DETAIL_MAX = 16_000


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value else None


def _event(row: Any) -> AuditEvent:
    return AuditEvent(
        id=row.id,
        time=row.time,
        actor=row.actor,
        action=row.action,
        target=row.target,
        detail=json.loads(row.detail) if row.detail else {},
        ip=row.ip,
    )


def _before_id(page_token: str | None) -> int | None:
    """The id the next page starts below (keyset paging: appends do not shift pages)."""
    payload = decode_page_token(page_token)
    before = payload.get("before_id")
    if before is None:
        return None
    if isinstance(before, bool) or not isinstance(before, int) or before < 1:
        raise InvalidArgumentError(f"Invalid page token: {page_token!r}")
    return before


class SqlAudit:
    """Audit events: append and list."""

    _db: Database

    def append_audit(
        self,
        actor: str,
        action: str,
        *,
        target: str | None = None,
        detail: Mapping[str, Any] | None = None,
        ip: str | None = None,
        time: int | None = None,
    ) -> AuditEvent:
        """Append one event (long fields are cut to their column's size)."""
        if not isinstance(action, str) or not 1 <= len(action) <= _ACTION_MAX:
            raise InvalidArgumentError("Invalid audit action: 1 to 64 characters.")
        text = json.dumps(dict(detail), sort_keys=True, default=str) if detail else None
        if text is not None and len(text) > _DETAIL_MAX:
            text = json.dumps({"truncated": True, "size": len(text)})
        event = AuditEvent(
            id=0,
            time=now_ms() if time is None else int(time),
            actor=(actor or "-")[:NAME_LENGTH],
            action=action,
            target=_clip(target, _TARGET_MAX),
            detail=json.loads(text) if text else {},
            ip=_clip(ip, _IP_MAX),
        )

        def op(conn: Connection) -> AuditEvent:
            result = conn.execute(
                audit_events.insert().values(
                    time=event.time,
                    actor=event.actor,
                    action=event.action,
                    target=event.target,
                    detail=text,
                    ip=event.ip,
                )
            )
            return dataclasses.replace(event, id=inserted_id(result))

        return self._db.write(op)

    def list_audit(
        self,
        max_results: int = AUDIT_MAX_RESULTS_DEFAULT,
        page_token: str | None = None,
        *,
        actor: str | None = None,
        action: str | None = None,
        target: str | None = None,
        since: int | None = None,
        until: int | None = None,
    ) -> PagedList[AuditEvent]:
        """Events newest first; ``action`` ending in ``.`` matches every action it starts."""
        validate_max_results(max_results, AUDIT_MAX_RESULTS_LIMIT)
        a = audit_events
        query = sa.select(a).order_by(a.c.id.desc()).limit(max_results + 1)
        before = _before_id(page_token)
        if before is not None:
            query = query.where(a.c.id < before)
        if actor is not None:
            query = query.where(a.c.actor == actor)
        if action is not None and action.endswith("."):
            escaped = action.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(a.c.action.like(f"{escaped}%", escape="\\"))
        elif action is not None:
            query = query.where(a.c.action == action)
        if target is not None:
            query = query.where(a.c.target == target)
        if since is not None:
            query = query.where(a.c.time >= int(since))
        if until is not None:
            query = query.where(a.c.time < int(until))
        rows = self._db.read(lambda conn: conn.execute(query).all())
        more = len(rows) > max_results
        items = [_event(r) for r in rows[:max_results]]
        token = encode_page_token({"before_id": items[-1].id}) if more else None
        return PagedList(items, token)
