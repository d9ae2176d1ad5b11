"""The SQL alert store: :class:`SqlAlertStore` on a tracking :class:`Database`.

Rules belong to an experiment, so the workspace reaches them through it: a rule is found only
when its experiment is in the store's :class:`WorkspaceScope` (NotFoundError otherwise).

:meth:`SqlAlertStore.evaluate` reads the enabled rules of live experiments, measures each
over its window (:mod:`.measure`) and, where the state changes, runs one transaction:
``UPDATE alert_rules SET state = new, sequence = n + 1 ... WHERE rule_id = ? AND state = old
AND sequence = n`` and, only when that changed a row, inserts the event numbered ``n + 1``.
Two evaluators that read the same state race on that UPDATE; the loser changes nothing (on
PostgreSQL and MySQL its UPDATE waits for the winner's commit and then no longer matches),
and ``UNIQUE (rule_id, sequence)`` backs it up.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms as _clock
from ardea.entities.alerts import (
    EVENT_FIRED,
    EVENT_RESOLVED,
    STATE_FIRING,
    STATE_OK,
    AlertEvent,
    AlertRule,
    AlertTransition,
    check_rule_fields,
    next_state,
)
from ardea.entities.page import PagedList
from ardea.store.alerts import EVENTS_MAX_RESULTS, AlertStore
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.alerts.due import due_rules
from ardea.store.sql.alerts.measure import measure
from ardea.store.sql.alerts.tables import alert_events, alert_rules

__all__ = ["SqlAlertStore"]

_R, _E = alert_rules, alert_events
_SETTINGS = (
    "name", "kind", "threshold", "window_seconds", "judge", "recovery_threshold",
    "min_samples", "enabled", "description",
)  # fmt: skip


def _experiment_number(experiment_id: object) -> int:
    text = str(experiment_id) if experiment_id is not None else ""
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgumentError(f"Invalid experiment id {text[:80]!r}")
    return int(text)


def _rule_of(row: Any) -> AlertRule:
    return AlertRule(
        rule_id=row.rule_id,
        experiment_id=str(row.experiment_id),
        name=row.name,
        kind=row.kind,
        threshold=float(row.threshold),
        window_seconds=int(row.window_seconds),
        judge=row.judge,
        recovery_threshold=None
        if row.recovery_threshold is None
        else float(row.recovery_threshold),
        min_samples=int(row.min_samples),
        enabled=bool(row.enabled),
        description=row.description,
        state=row.state,
        state_since=int(row.state_since),
        last_value=None if row.last_value is None else float(row.last_value),
        last_samples=int(row.last_samples),
        last_evaluated=None if row.last_evaluated is None else int(row.last_evaluated),
        created_by=row.created_by,
        creation_time=int(row.creation_time),
        last_update_time=int(row.last_update_time),
    )


def _event_of(row: Any) -> AlertEvent:
    return AlertEvent(
        event_id=row.event_id,
        rule_id=row.rule_id,
        experiment_id=str(row.experiment_id),
        rule_name=row.rule_name,
        kind=row.kind,
        value=None if row.value is None else float(row.value),
        threshold=float(row.threshold),
        samples=int(row.samples),
        time=int(row.time),
        sequence=int(row.sequence),
    )


def _offset(page_token: str | None) -> int:
    if not page_token:
        return 0
    if not page_token.isdigit() or len(page_token) > 12:
        raise InvalidArgumentError(f"Invalid page_token {page_token[:40]!r}")
    return int(page_token)


class SqlAlertStore(AlertStore):
    """Alert rules in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    def _rule_row(self, conn: Connection, rule_id: str) -> Any:
        row = conn.execute(
            sa.select(_R).where(
                _R.c.rule_id == str(rule_id), self._scope.owns_experiment(_R.c.experiment_id)
            )
        ).first()
        if row is None:
            raise NotFoundError(f"Alert rule '{rule_id}' not found")
        return row

    @staticmethod
    def _check_name_free(conn: Connection, number: int, name: str, rule_id: str) -> None:
        taken = conn.execute(
            sa.select(_R.c.rule_id).where(
                _R.c.experiment_id == number, _R.c.name == name, _R.c.rule_id != rule_id
            )
        ).first()
        if taken is not None:
            raise AlreadyExistsError(
                f"Experiment {number} already has an alert rule named {name!r}"
            )

    # -- rules -------------------------------------------------------------------------------

    def create_rule(
        self, experiment_id: str, fields: Mapping[str, Any], created_by: str | None = None
    ) -> AlertRule:
        """A new rule on the experiment, in state OK."""
        number = _experiment_number(experiment_id)
        settings = check_rule_fields(fields)

        def op(conn: Connection) -> AlertRule:
            self._scope.experiment_row(conn, number)
            rule_id, now = str(uuid.uuid4()), _clock()
            self._check_name_free(conn, number, settings["name"], rule_id)
            values = {
                **settings,
                "rule_id": rule_id,
                "experiment_id": number,
                "state": STATE_OK,
                "state_since": now,
                "sequence": 0,
                "last_value": None,
                "last_samples": 0,
                "last_evaluated": None,
                "created_by": created_by or None,
                "creation_time": now,
                "last_update_time": now,
            }
            conn.execute(_R.insert().values(**values))
            return _rule_of(self._rule_row(conn, rule_id))

        return self._db.write(op)

    def get_rule(self, rule_id: str) -> AlertRule:
        """One rule."""
        return self._db.read(lambda conn: _rule_of(self._rule_row(conn, rule_id)))

    def experiment_of_rule(self, rule_id: str) -> str:
        """The experiment of a rule."""
        return self._db.read(lambda conn: str(self._rule_row(conn, rule_id).experiment_id))

    def _live_readable(self, column: Any) -> list[sa.ColumnElement[bool]]:
        ex = self._scope.experiments
        live = sa.select(ex.c.experiment_id).where(ex.c.lifecycle_stage == "active")
        out: list[sa.ColumnElement[bool]] = [column.in_(live)]
        readable = visibility_condition("experiment", column, as_text=True)
        if readable is not None:
            out.append(readable)
        return out

    def list_rules(self, experiment_id: str | None = None) -> list[AlertRule]:
        """The rules of one experiment, or of every readable live one in the workspace."""
        number = None if experiment_id is None else _experiment_number(experiment_id)

        def op(conn: Connection) -> list[AlertRule]:
            query = sa.select(_R).where(self._scope.owns_experiment(_R.c.experiment_id))
            if number is not None:
                self._scope.experiment_row(conn, number)
                query = query.where(_R.c.experiment_id == number)
            else:
                query = query.where(*self._live_readable(_R.c.experiment_id))
            found = conn.execute(query.order_by(_R.c.experiment_id, _R.c.name))
            return [_rule_of(r) for r in found]

        return self._db.read(op)

    def update_rule(self, rule_id: str, changes: Mapping[str, Any]) -> AlertRule:
        """Change the named settings (state and history are kept)."""
        unknown = sorted(set(changes) - set(_SETTINGS))
        if unknown:
            raise InvalidArgumentError(f"Unknown alert rule field(s): {unknown}")

        def op(conn: Connection) -> AlertRule:
            row = self._rule_row(conn, rule_id)
            merged = {name: getattr(row, name) for name in _SETTINGS}
            merged["enabled"] = bool(merged["enabled"])
            merged["window_seconds"] = int(merged["window_seconds"])
            merged.update(changes)
            settings = check_rule_fields(merged)
            self._check_name_free(conn, row.experiment_id, settings["name"], row.rule_id)
            conn.execute(
                _R.update()
                .where(_R.c.rule_id == row.rule_id)
                .values(**settings, last_update_time=_clock())
            )
            return _rule_of(self._rule_row(conn, rule_id))

        return self._db.write(op)

    def delete_rule(self, rule_id: str) -> None:
        """Delete a rule and its events."""

        def op(conn: Connection) -> None:
            row = self._rule_row(conn, rule_id)
            conn.execute(_E.delete().where(_E.c.rule_id == row.rule_id))
            conn.execute(_R.delete().where(_R.c.rule_id == row.rule_id))

        self._db.write(op)

    # -- events ------------------------------------------------------------------------------

    def list_events(
        self,
        experiment_id: str | None = None,
        rule_id: str | None = None,
        max_results: int = 100,
        page_token: str | None = None,
    ) -> PagedList[AlertEvent]:
        """Events, newest first."""
        if isinstance(max_results, bool) or not 1 <= max_results <= EVENTS_MAX_RESULTS:
            raise InvalidArgumentError(
                f"Invalid value {max_results} for parameter 'max_results': it must be between "
                f"1 and {EVENTS_MAX_RESULTS}."
            )
        offset = _offset(page_token)
        number = None if experiment_id is None else _experiment_number(experiment_id)

        def op(conn: Connection) -> PagedList[AlertEvent]:
            query = sa.select(_E).where(self._scope.owns_experiment(_E.c.experiment_id))
            if rule_id is not None:
                self._rule_row(conn, rule_id)
                query = query.where(_E.c.rule_id == str(rule_id))
            if number is not None:
                self._scope.experiment_row(conn, number)
                query = query.where(_E.c.experiment_id == number)
            elif rule_id is None:
                query = query.where(*self._live_readable(_E.c.experiment_id))
            query = query.order_by(_E.c.time.desc(), _E.c.sequence.desc(), _E.c.event_id)
            rows = list(conn.execute(query.offset(offset).limit(max_results + 1)))
            token = str(offset + max_results) if len(rows) > max_results else None
            return PagedList([_event_of(r) for r in rows[:max_results]], token)

        return self._db.read(op)

    # -- evaluation --------------------------------------------------------------------------

    def evaluate(
        self, now_ms: int | None = None, *, all_workspaces: bool = False
    ) -> list[AlertTransition]:
        """Measure every enabled rule and record the changes of state (see module doc)."""
        now = _clock() if now_ms is None else int(now_ms)
        workspace = None if all_workspaces else self._scope.name
        rows = self._db.read(lambda conn: due_rules(conn, workspace))
        out: list[AlertTransition] = []
        for row in rows:
            found = self._evaluate_one(row, now)
            if found is not None:
                out.append(found)
        return out

    def _evaluate_one(self, row: Any, now: int) -> AlertTransition | None:
        rule = _rule_of(row)
        since = now - rule.window_seconds * 1000
        value, samples = self._db.read(
            lambda conn: measure(conn, rule.kind, int(row.experiment_id), since, now, rule.judge)
        )
        state = next_state(rule, value, samples)
        seen = {"last_value": value, "last_samples": samples, "last_evaluated": now}

        def op(conn: Connection) -> AlertTransition | None:
            if state == rule.state:
                conn.execute(_R.update().where(_R.c.rule_id == rule.rule_id).values(**seen))
                return None
            sequence = int(row.sequence) + 1
            moved = conn.execute(
                _R.update()
                .where(
                    _R.c.rule_id == rule.rule_id,
                    _R.c.state == rule.state,
                    _R.c.sequence == int(row.sequence),
                )
                .values(state=state, state_since=now, sequence=sequence, **seen)
            )
            if moved.rowcount != 1:
                return None  # another evaluator recorded this change first
            fired = state == STATE_FIRING
            recovery = (
                rule.threshold if rule.recovery_threshold is None else rule.recovery_threshold
            )
            event = AlertEvent(
                event_id=str(uuid.uuid4()),
                rule_id=rule.rule_id,
                experiment_id=rule.experiment_id,
                rule_name=rule.name,
                kind=EVENT_FIRED if fired else EVENT_RESOLVED,
                value=value,
                threshold=rule.threshold if fired else recovery,
                samples=samples,
                time=now,
                sequence=sequence,
            )
            conn.execute(
                _E.insert().values(
                    event_id=event.event_id,
                    rule_id=event.rule_id,
                    experiment_id=int(row.experiment_id),
                    rule_name=event.rule_name,
                    kind=event.kind,
                    value=event.value,
                    threshold=event.threshold,
                    samples=event.samples,
                    time=event.time,
                    sequence=event.sequence,
                )
            )
            changed = conn.execute(sa.select(_R).where(_R.c.rule_id == rule.rule_id)).one()
            return AlertTransition(event, _rule_of(changed), str(row.workspace))

        return self._db.write(op)
