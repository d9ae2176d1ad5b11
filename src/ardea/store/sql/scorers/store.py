"""The SQL scorer registry: :class:`SqlScorerStore` on a tracking :class:`Database`.

Scorers belong to an experiment, so the workspace reaches them through it: every call first
finds the experiment in the store's :class:`WorkspaceScope` (NotFoundError otherwise), then
reads or writes the rows under it. A registration locks the name's row (``FOR UPDATE`` on
PostgreSQL and MySQL; SQLite has one writer), so two concurrent registrations of a name make
two versions.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from typing import Any

import orjson
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import InvalidArgumentError, NotFoundError
from ardea._core.ids import now_ms
from ardea.entities.scorer import SERIALIZED_SCORER_MAX_BYTES, OnlineScoringConfig, ScorerVersion
from ardea.store.scorers import ScorerStore
from ardea.store.search.traces import parse_trace_filter
from ardea.store.sql._db.engine import Database
from ardea.store.sql._db.scope import DEFAULT_SCOPE, WorkspaceScope
from ardea.store.sql._db.visibility import visibility_condition
from ardea.store.sql.scorers.tables import online_scoring_configs, scorer_versions, scorers

__all__ = ["NAME_MAX", "SqlScorerStore"]

NAME_MAX = 255
"""Longest scorer name (characters)."""

_S, _V, _C = scorers, scorer_versions, online_scoring_configs


def _experiment_number(experiment_id: object) -> int:
    text = str(experiment_id) if experiment_id is not None else ""
    if not text.isdigit() or len(text) > 10:
        raise InvalidArgumentError(f"Invalid experiment id {text[:80]!r}")
    return int(text)


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not name.strip():
        raise InvalidArgumentError("Scorer name must be a non-empty string")
    if len(name) > NAME_MAX or "\x00" in name:
        raise InvalidArgumentError(
            f"Scorer name must be at most {NAME_MAX} characters, without NUL characters"
        )
    return name


def _check_serialized(serialized: object) -> str:
    if not isinstance(serialized, str):
        raise InvalidArgumentError("'serialized_scorer' must be a JSON string")
    size = len(serialized.encode("utf-8", "surrogatepass"))
    if size > SERIALIZED_SCORER_MAX_BYTES:
        raise InvalidArgumentError(
            f"'serialized_scorer' is {size} bytes; at most {SERIALIZED_SCORER_MAX_BYTES} allowed"
        )
    try:
        found = orjson.loads(serialized)
    except orjson.JSONDecodeError as exc:
        raise InvalidArgumentError(f"'serialized_scorer' is not valid JSON: {exc}") from None
    if not isinstance(found, dict):
        raise InvalidArgumentError("'serialized_scorer' must be a JSON object")
    return serialized


def _check_version(version: int | None) -> int | None:
    if version is None:
        return None
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise InvalidArgumentError(f"Invalid scorer version {version!r}: a positive integer")
    return version


def _check_rate(sample_rate: object) -> float:
    if isinstance(sample_rate, bool) or not isinstance(sample_rate, (int, float)):
        raise InvalidArgumentError("'sample_rate' must be a number")
    rate = float(sample_rate)
    if math.isnan(rate) or not 0.0 <= rate <= 1.0:
        raise InvalidArgumentError(f"'sample_rate' must be between 0 and 1, not {sample_rate}")
    return rate


def _missing(name: str, experiment: int, version: int | None = None) -> NotFoundError:
    which = f"Scorer '{name}'" if version is None else f"Scorer '{name}' version {version}"
    return NotFoundError(f"{which} not found in experiment {experiment}")


def _version(row: Any, experiment: int, name: str) -> ScorerVersion:
    return ScorerVersion(
        scorer_id=row.scorer_id,
        experiment_id=str(experiment),
        name=name,
        version=int(row.version),
        serialized_scorer=row.serialized_scorer,
        creation_time=int(row.creation_time),
    )


def _config(row: Any) -> OnlineScoringConfig:
    return OnlineScoringConfig(
        online_scoring_config_id=row.online_scoring_config_id,
        scorer_id=row.scorer_id,
        experiment_id=str(row.experiment_id),
        sample_rate=float(row.sample_rate),
        filter_string=row.filter_string,
    )


class SqlScorerStore(ScorerStore):
    """Registered scorers in a SQL database.

    Args:
        database: An open database at the current schema, shared with the backend's other
            SQL stores; the backend closes it.
        scope: The workspace the store sees and writes to (``default`` when omitted).
    """

    def __init__(self, database: Database, scope: WorkspaceScope = DEFAULT_SCOPE) -> None:
        self._db = database
        self._scope = scope

    def _forget(self) -> None:
        hook = self._db.trace_end_hook
        if hook is not None:
            hook.forget()

    def _experiment(self, conn: Connection, experiment_id: str) -> int:
        number = _experiment_number(experiment_id)
        self._scope.experiment_row(conn, number)
        return number

    @staticmethod
    def _scorer_id(conn: Connection, experiment: int, name: str, *, lock: bool = False) -> Any:
        query = sa.select(_S.c.scorer_id).where(_S.c.experiment_id == experiment, _S.c.name == name)
        if lock:
            query = query.with_for_update()
        return conn.execute(query).scalar_one_or_none()

    def register_scorer(
        self, experiment_id: str, name: str, serialized_scorer: str
    ) -> ScorerVersion:
        """Store the next version of ``name`` in the experiment."""
        _check_name(name)
        _check_serialized(serialized_scorer)

        def op(conn: Connection) -> ScorerVersion:
            experiment = self._experiment(conn, experiment_id)
            scorer_id = self._scorer_id(conn, experiment, name, lock=True)
            if scorer_id is None:
                scorer_id = str(uuid.uuid4())
                conn.execute(
                    _S.insert().values(scorer_id=scorer_id, experiment_id=experiment, name=name)
                )
                version = 1
            else:
                last = conn.execute(
                    sa.select(sa.func.max(_V.c.version)).where(_V.c.scorer_id == scorer_id)
                ).scalar_one_or_none()
                version = int(last or 0) + 1
            row = {
                "scorer_id": scorer_id,
                "version": version,
                "serialized_scorer": serialized_scorer,
                "creation_time": now_ms(),
            }
            conn.execute(_V.insert().values(**row))
            return _version(_Obj(row), experiment, name)

        try:
            return self._db.write(op)
        finally:
            self._forget()  # new work runs the new version at once

    def list_scorers(self, experiment_id: str) -> list[ScorerVersion]:
        """The latest version of each name registered in the experiment, by name."""

        def op(conn: Connection) -> list[ScorerVersion]:
            experiment = self._experiment(conn, experiment_id)
            latest = (
                sa.select(_V.c.scorer_id, sa.func.max(_V.c.version).label("version"))
                .group_by(_V.c.scorer_id)
                .subquery()
            )
            query = (
                sa.select(_S.c.name, _V)
                .join(_V, _V.c.scorer_id == _S.c.scorer_id)
                .join(
                    latest,
                    sa.and_(latest.c.scorer_id == _V.c.scorer_id, latest.c.version == _V.c.version),
                )
                .where(_S.c.experiment_id == experiment)
                .order_by(_S.c.name)
            )
            return [_version(r, experiment, r.name) for r in conn.execute(query)]

        return self._db.read(op)

    def _versions(
        self, conn: Connection, experiment_id: str, name: str, version: int | None
    ) -> tuple[int, list[Any]]:
        experiment = self._experiment(conn, experiment_id)
        query = (
            sa.select(_V)
            .join(_S, _S.c.scorer_id == _V.c.scorer_id)
            .where(_S.c.experiment_id == experiment, _S.c.name == name)
            .order_by(_V.c.version)
        )
        if version is not None:
            query = query.where(_V.c.version == version)
        found = list(conn.execute(query))
        if not found:
            raise _missing(name, experiment, version)
        return experiment, found

    def list_scorer_versions(self, experiment_id: str, name: str) -> list[ScorerVersion]:
        """Every version of ``name``, oldest first."""
        _check_name(name)

        def op(conn: Connection) -> list[ScorerVersion]:
            experiment, found = self._versions(conn, experiment_id, name, None)
            return [_version(r, experiment, name) for r in found]

        return self._db.read(op)

    def get_scorer(
        self, experiment_id: str, name: str, version: int | None = None
    ) -> ScorerVersion:
        """One version of ``name`` (the latest when ``version`` is None)."""
        _check_name(name)
        _check_version(version)

        def op(conn: Connection) -> ScorerVersion:
            experiment, found = self._versions(conn, experiment_id, name, version)
            return _version(found[-1], experiment, name)

        return self._db.read(op)

    def get_scorer_by_id(self, scorer_id: str, version: int | None = None) -> ScorerVersion:
        """One version of the scorer ``scorer_id`` (the latest when ``version`` is None)."""
        _check_version(version)

        def op(conn: Connection) -> ScorerVersion:
            query = (
                sa.select(_V, _S.c.experiment_id.label("exp"), _S.c.name.label("scorer_name"))
                .join(_S, _S.c.scorer_id == _V.c.scorer_id)
                .where(_V.c.scorer_id == scorer_id)
                .order_by(_V.c.version)
            )
            if version is not None:
                query = query.where(_V.c.version == version)
            for row in reversed(list(conn.execute(query))):
                try:
                    self._scope.experiment_row(conn, int(row.exp))
                except NotFoundError:
                    break
                return _version(row, int(row.exp), row.scorer_name)
            which = "" if version is None else f" version {version}"
            raise NotFoundError(f"Scorer {scorer_id!r}{which} not found")

        return self._db.read(op)

    def delete_scorer(self, experiment_id: str, name: str, version: int | None = None) -> None:
        """Delete one version, or the name with all its versions and its config."""
        _check_name(name)
        _check_version(version)

        def op(conn: Connection) -> None:
            _, found = self._versions(conn, experiment_id, name, version)
            scorer_id = found[0].scorer_id
            if version is not None:
                conn.execute(
                    _V.delete().where(_V.c.scorer_id == scorer_id, _V.c.version == version)
                )
                left = conn.execute(
                    sa.select(sa.func.count()).where(_V.c.scorer_id == scorer_id)
                ).scalar_one()
                if left:
                    return
            conn.execute(_C.delete().where(_C.c.scorer_id == scorer_id))
            conn.execute(_V.delete().where(_V.c.scorer_id == scorer_id))
            conn.execute(_S.delete().where(_S.c.scorer_id == scorer_id))

        try:
            self._db.write(op)
        finally:
            self._forget()

    def upsert_online_scoring_config(
        self,
        experiment_id: str,
        name: str,
        sample_rate: float | None,
        filter_string: str | None = None,
    ) -> OnlineScoringConfig:
        """Set the online config of ``name`` (replacing the one there)."""
        _check_name(name)
        rate = None if sample_rate is None else _check_rate(sample_rate)
        if filter_string is not None and not isinstance(filter_string, str):
            raise InvalidArgumentError("'filter_string' must be a string")
        text = filter_string or None
        if text is not None:
            try:
                parse_trace_filter(text)  # refused now, not silently at every trace
            except InvalidArgumentError as exc:
                raise InvalidArgumentError(f"Invalid 'filter_string': {exc}") from None

        def op(conn: Connection) -> OnlineScoringConfig:
            experiment = self._experiment(conn, experiment_id)
            scorer_id = self._scorer_id(conn, experiment, name, lock=True)
            if scorer_id is None:
                raise _missing(name, experiment)
            old = conn.execute(
                sa.select(_C.c.online_scoring_config_id, _C.c.sample_rate).where(
                    _C.c.scorer_id == scorer_id
                )
            ).first()
            there = None if old is None else old.online_scoring_config_id
            kept = rate if rate is not None else float(old.sample_rate) if old else 0.0
            values = {"experiment_id": experiment, "sample_rate": kept, "filter_string": text}
            if there is None:
                there = str(uuid.uuid4())
                conn.execute(
                    _C.insert().values(
                        online_scoring_config_id=there, scorer_id=scorer_id, **values
                    )
                )
            else:
                conn.execute(
                    _C.update().where(_C.c.online_scoring_config_id == there).values(**values)
                )
            return OnlineScoringConfig(there, scorer_id, str(experiment), kept, text)

        try:
            return self._db.write(op)
        finally:
            self._forget()  # this process samples with the new config at once

    def get_online_scoring_configs(self, scorer_ids: Sequence[str]) -> list[OnlineScoringConfig]:
        """The configs of these scorers whose experiment is in this workspace (and readable)."""
        ids = [str(s) for s in dict.fromkeys(scorer_ids) if s]
        if not ids:
            return []

        def op(conn: Connection) -> list[OnlineScoringConfig]:
            query = (
                sa.select(_C)
                .join(_S, _S.c.scorer_id == _C.c.scorer_id)
                .where(_C.c.scorer_id.in_(ids), self._scope.owns_experiment(_S.c.experiment_id))
                .order_by(_C.c.scorer_id)
            )
            readable = visibility_condition("experiment", _S.c.experiment_id, as_text=True)
            if readable is not None:
                query = query.where(readable)
            return [_config(r) for r in conn.execute(query)]

        return self._db.read(op)


class _Obj:
    """Attribute access over a dict (a just-written row)."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)
