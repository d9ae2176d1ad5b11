"""The SQL purge store: permanent deletion of soft-deleted experiments, runs and logged models.

It spans aggregates (a run's traces live in ``traces``, the model versions that keep a run
alive in ``registry``), so it sits beside ``backend.py`` rather than in one of them.

Each purge is one :meth:`Database.write`: the ids are re-checked (still deleted, not used by
a model version), then deleting the parent rows lets the foreign keys' ``ON DELETE CASCADE``
remove the rest: a run's tags, params, metric series and points, latest metrics, inputs and
outputs; an experiment's runs, logged models, traces (spans, tags, metadata, assessments),
datasets and tags; a logged model's tags and params. Traces point at their run without a
foreign key, so the traces of purged runs are deleted explicitly, in the same transaction, as
are the permission grants naming a purged experiment (users' and roles'), so that no grant
outlives its experiment.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlparse

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ardea._core.errors import FailedPreconditionError, NotFoundError
from ardea.entities import LifecycleStage
from ardea.store.purge import Purgeable, PurgePlan, PurgeStore
from ardea.store.sql._db.common import chunked
from ardea.store.sql._db.engine import Database
from ardea.store.sql.auth.tables import role_grants, user_grants
from ardea.store.sql.registry import tables as rt
from ardea.store.sql.traces import tables as tr
from ardea.store.sql.traces.info import ARTIFACT_LOCATION_TAG
from ardea.store.sql.tracking import tables as t
from ardea.store.sql.tracking.common import parse_experiment_id

__all__ = ["SqlPurgeStore"]

DELETED = LifecycleStage.DELETED.value
_LABELS = {"experiment": "Experiment", "run": "Run", "logged_model": "Logged model"}


def _folder_of(uri: str, entity_id: str) -> str:
    """``<...>/<id>`` for an ``<...>/<id>/artifacts`` URI (the entity's own folder), else it."""
    stripped = uri.rstrip("/")
    if stripped.endswith(f"/{entity_id}/artifacts"):
        return stripped[: -len("/artifacts")]
    return stripped


def _under(uri: str, folder: str) -> bool:
    return uri == folder or uri.startswith(folder.rstrip("/") + "/")


@dataclass
class _Usage:
    """Which runs and logged models registered model versions use, and by which version."""

    runs: dict[str, str] = field(default_factory=dict)
    models: dict[str, str] = field(default_factory=dict)

    @classmethod
    def load(cls, conn: Connection) -> _Usage:
        mv = rt.model_versions
        usage = cls()
        rows = conn.execute(
            sa.select(mv.c.name, mv.c.version, mv.c.run_id, mv.c.model_id).where(
                sa.or_(mv.c.run_id.is_not(None), mv.c.model_id.is_not(None))
            )
        )
        for name, version, run_id, model_id in rows:
            what = f"registered model {name!r} version {version} uses it"
            if run_id:
                usage.runs.setdefault(run_id, what)
            if model_id:
                usage.models.setdefault(model_id, what)
        return usage


def _select_in(conn: Connection, query: Any, column: Any, ids: Sequence[Any]) -> list[Any]:
    """``query`` restricted to ``column IN ids``, run in chunks."""
    out: list[Any] = []
    for chunk in chunked(list(ids)):
        out.extend(conn.execute(query.where(column.in_(chunk))).all())
    return out


def _check_named(
    kind: str, named: Sequence[str], rows: dict[str, Any], deleted_before: int | None
) -> None:
    """Named entities must exist, be deleted, and be deleted before ``deleted_before``."""
    label = _LABELS[kind]
    for entity_id in named:
        row = rows.get(entity_id)
        if row is None:
            raise NotFoundError(f"{label} {entity_id} does not exist")
        if row.stage != DELETED:
            raise FailedPreconditionError(
                f"{label} {entity_id} is {row.stage}: only deleted entities can be purged "
                "(delete it first)"
            )
        if deleted_before is not None and (row.deleted is None or row.deleted >= deleted_before):
            raise FailedPreconditionError(
                f"{label} {entity_id} was deleted too recently for the age limit given"
            )


class _Planner:
    """One plan, computed on one read connection."""

    def __init__(self, conn: Connection, deleted_before: int | None) -> None:
        self.conn = conn
        self.before = deleted_before
        self.usage = _Usage.load(conn)

    def _age_ok(self, deleted: int | None) -> bool:
        return self.before is None or (deleted is not None and deleted < self.before)

    # -- experiments ---------------------------------------------------------------------
    def experiments(self, named: Sequence[str] | None) -> tuple[list[Purgeable], set[int]]:
        ex = t.experiments
        query = sa.select(
            ex.c.experiment_id.label("id"),
            ex.c.name,
            ex.c.artifact_location.label("location"),
            ex.c.lifecycle_stage.label("stage"),
            ex.c.last_update_time.label("deleted"),
        )
        if named is not None:
            ids = [parse_experiment_id(e) for e in named]
            found = {str(r.id): r for r in _select_in(self.conn, query, ex.c.experiment_id, ids)}
            _check_named("experiment", [str(i) for i in ids], found, self.before)
            rows = list(found.values())
        else:
            rows = [
                r
                for r in self.conn.execute(query.where(ex.c.lifecycle_stage == DELETED))
                if self._age_ok(r.deleted)
            ]
        rows = [r for r in rows if r.id != 0]
        if not rows:
            return [], set()
        contents = self._experiment_contents([r.id for r in rows])
        planned: list[Purgeable] = []
        for r in rows:
            kept = contents.kept_because.get(r.id)
            planned.append(
                Purgeable(
                    kind="experiment",
                    entity_id=str(r.id),
                    name=r.name,
                    experiment_id=str(r.id),
                    deleted_time=r.deleted,
                    runs=contents.runs[r.id],
                    logged_models=contents.models[r.id],
                    traces=contents.traces[r.id],
                    kept_because=kept,
                )
            )
        purged = {int(p.entity_id) for p in planned if p.kept_because is None}
        ex = t.experiments
        locations: dict[int, str] = {
            int(eid): loc
            for eid, loc in self.conn.execute(sa.select(ex.c.experiment_id, ex.c.artifact_location))
        }
        staying = [loc for eid, loc in locations.items() if eid not in purged]
        out = []
        for p in planned:
            if p.kept_because is None:
                eid = int(p.entity_id)
                uris = _experiment_uris(locations.get(eid, ""), contents.folders[eid], staying)
                p = replace(p, artifact_uris=uris)
            out.append(p)
        return out, purged

    def _experiment_contents(self, ids: Sequence[int]) -> _Contents:
        c = _Contents()
        runs, lm, trs, tags = t.runs, t.logged_models, tr.traces, tr.trace_tags
        q = sa.select(runs.c.experiment_id, runs.c.run_id, runs.c.artifact_uri)
        for eid, run_id, uri in _select_in(self.conn, q, runs.c.experiment_id, ids):
            c.runs[eid] += 1
            c.folders[eid].append(_folder_of(uri, run_id))
            if run_id in self.usage.runs:
                c.kept_because.setdefault(eid, f"its run {run_id}: {self.usage.runs[run_id]}")
        q = sa.select(lm.c.experiment_id, lm.c.model_id, lm.c.artifact_location)
        for eid, model_id, uri in _select_in(self.conn, q, lm.c.experiment_id, ids):
            c.models[eid] += 1
            c.folders[eid].append(_folder_of(uri, model_id))
            if model_id in self.usage.models:
                why = self.usage.models[model_id]
                c.kept_because.setdefault(eid, f"its logged model {model_id}: {why}")
        q = sa.select(trs.c.experiment_id, sa.func.count()).group_by(trs.c.experiment_id)
        for eid, count in _select_in(self.conn, q, trs.c.experiment_id, ids):
            c.traces[eid] = int(count)
        q = (
            sa.select(trs.c.experiment_id, trs.c.trace_id, tags.c.value)
            .select_from(trs.join(tags, tags.c.trace_id == trs.c.trace_id))
            .where(tags.c.key == ARTIFACT_LOCATION_TAG)
        )
        for eid, trace_id, uri in _select_in(self.conn, q, trs.c.experiment_id, ids):
            c.folders[eid].append(_folder_of(uri, trace_id))
        return c

    # -- runs -----------------------------------------------------------------------------
    def runs(self, named: Sequence[str] | None, purged_experiments: set[int]) -> list[Purgeable]:
        runs = t.runs
        query = sa.select(
            runs.c.run_id.label("id"),
            runs.c.run_name.label("name"),
            runs.c.experiment_id,
            runs.c.artifact_uri,
            runs.c.lifecycle_stage.label("stage"),
            runs.c.deleted_time.label("deleted"),
        )
        if named is not None:
            found = {r.id: r for r in _select_in(self.conn, query, runs.c.run_id, named)}
            _check_named("run", named, found, self.before)
            rows = list(found.values())
        else:
            rows = [
                r
                for r in self.conn.execute(query.where(runs.c.lifecycle_stage == DELETED))
                if self._age_ok(r.deleted)
            ]
        rows = [r for r in rows if r.experiment_id not in purged_experiments]
        traces = self._run_traces([r.id for r in rows])
        return [
            Purgeable(
                kind="run",
                entity_id=r.id,
                name=r.name,
                experiment_id=str(r.experiment_id),
                deleted_time=r.deleted,
                artifact_uris=tuple(
                    dict.fromkeys([_folder_of(r.artifact_uri, r.id), *traces[r.id][1]])
                ),
                traces=traces[r.id][0],
                kept_because=self.usage.runs.get(r.id),
            )
            for r in rows
        ]

    def _run_traces(self, run_ids: Sequence[str]) -> dict[str, tuple[int, list[str]]]:
        """Per run: how many traces are linked to it, and their artifact folders."""
        trs, tags = tr.traces, tr.trace_tags
        counts: dict[str, int] = defaultdict(int)
        folders: dict[str, list[str]] = defaultdict(list)
        q = sa.select(trs.c.run_id, trs.c.trace_id, tags.c.value).select_from(
            trs.outerjoin(
                tags,
                sa.and_(tags.c.trace_id == trs.c.trace_id, tags.c.key == ARTIFACT_LOCATION_TAG),
            )
        )
        for run_id, trace_id, uri in _select_in(self.conn, q, trs.c.run_id, run_ids):
            counts[run_id] += 1
            if uri:
                folders[run_id].append(_folder_of(uri, trace_id))
        return {r: (counts[r], folders[r]) for r in run_ids}

    # -- logged models ------------------------------------------------------------------------
    def logged_models(
        self, named: Sequence[str] | None, purged_experiments: set[int]
    ) -> list[Purgeable]:
        lm = t.logged_models
        query = sa.select(
            lm.c.model_id.label("id"),
            lm.c.name,
            lm.c.experiment_id,
            lm.c.artifact_location,
            lm.c.lifecycle_stage.label("stage"),
            lm.c.last_updated_timestamp.label("deleted"),
        )
        if named is not None:
            found = {r.id: r for r in _select_in(self.conn, query, lm.c.model_id, named)}
            _check_named("logged_model", named, found, self.before)
            rows = list(found.values())
        else:
            rows = [
                r
                for r in self.conn.execute(query.where(lm.c.lifecycle_stage == DELETED))
                if self._age_ok(r.deleted)
            ]
        return [
            Purgeable(
                kind="logged_model",
                entity_id=r.id,
                name=r.name,
                experiment_id=str(r.experiment_id),
                deleted_time=r.deleted,
                artifact_uris=(_folder_of(r.artifact_location, r.id),),
                kept_because=self.usage.models.get(r.id),
            )
            for r in rows
            if r.experiment_id not in purged_experiments
        ]


@dataclass
class _Contents:
    """What the planned experiments hold, by experiment id."""

    runs: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    models: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    traces: dict[int, int] = field(default_factory=lambda: defaultdict(int))
    folders: dict[int, list[str]] = field(default_factory=lambda: defaultdict(list))
    kept_because: dict[int, str] = field(default_factory=dict)


def _is_store_root(location: str) -> bool:
    """Whether ``location`` is a whole store: ``mlflow-artifacts:/``, a bare bucket, ``/``."""
    parsed = urlparse(location)
    if len(parsed.scheme) > 1:
        return not parsed.path.strip("/")
    return not location.strip("/")


def _experiment_uris(
    location: str, folders: Sequence[str], staying: Sequence[str]
) -> tuple[str, ...]:
    """The artifact roots to delete with an experiment.

    Its own folder when no experiment that stays keeps artifacts in it (plus the folders of
    its runs, models and traces that lie outside it); else only those folders.
    """
    location = location.rstrip("/")
    if not _is_store_root(location) and not any(_under(o, location) for o in staying):
        outside = [f for f in folders if not _under(f, location)]
        return tuple(dict.fromkeys([location, *outside]))
    return tuple(dict.fromkeys(folders))


def _split(items: Iterable[Purgeable]) -> tuple[tuple[Purgeable, ...], list[Purgeable]]:
    go: list[Purgeable] = []
    kept: list[Purgeable] = []
    for p in items:
        (kept if p.kept_because else go).append(p)
    return tuple(go), kept


def _unique(ids: Sequence[str]) -> list[str]:
    return list(dict.fromkeys(str(i) for i in ids))


class SqlPurgeStore(PurgeStore):
    """Purges in a SQL database (SQLite, PostgreSQL, MySQL).

    Args:
        database: The open database the backend's other stores share.
    """

    def __init__(self, database: Database) -> None:
        self._db = database

    def plan_purge(
        self,
        *,
        deleted_before: int | None = None,
        experiment_ids: Sequence[str] | None = None,
        run_ids: Sequence[str] | None = None,
        logged_model_ids: Sequence[str] | None = None,
    ) -> PurgePlan:
        """What a purge would remove (see :meth:`PurgeStore.plan_purge`)."""
        named = any(ids is not None for ids in (experiment_ids, run_ids, logged_model_ids))

        def scope(ids: Sequence[str] | None) -> Sequence[str] | None:
            if ids is not None:
                return _unique(ids)
            return [] if named else None

        def op(conn: Connection) -> PurgePlan:
            planner = _Planner(conn, deleted_before)
            experiments, purged = planner.experiments(scope(experiment_ids))
            runs = planner.runs(scope(run_ids), purged)
            models = planner.logged_models(scope(logged_model_ids), purged)
            exp_go, exp_kept = _split(experiments)
            run_go, run_kept = _split(runs)
            model_go, model_kept = _split(models)
            return PurgePlan(exp_go, run_go, model_go, (*exp_kept, *run_kept, *model_kept))

        return self._db.read(op)

    def purge_runs(self, run_ids: Sequence[str]) -> list[str]:
        """Remove these runs and what they logged, and their traces, in one transaction."""
        ids = _unique(run_ids)
        if not ids:
            return []
        runs, mv, trs = t.runs, rt.model_versions, tr.traces
        used = sa.select(mv.c.run_id).where(mv.c.run_id.is_not(None))

        def op(conn: Connection) -> list[str]:
            ok = [
                row[0]
                for row in conn.execute(
                    sa.select(runs.c.run_id).where(
                        runs.c.run_id.in_(ids),
                        runs.c.lifecycle_stage == DELETED,
                        runs.c.run_id.not_in(used),
                    )
                )
            ]
            if ok:
                conn.execute(trs.delete().where(trs.c.run_id.in_(ok)))
                conn.execute(runs.delete().where(runs.c.run_id.in_(ok)))
            return [str(i) for i in ok]

        return self._db.write(op)

    def purge_experiments(self, experiment_ids: Sequence[str]) -> list[str]:
        """Remove these experiments and everything in them, in one transaction."""
        ids = [i for i in (parse_experiment_id(e) for e in _unique(experiment_ids)) if i != 0]
        if not ids:
            return []
        ex, runs, lm, mv, trs = t.experiments, t.runs, t.logged_models, rt.model_versions, tr.traces
        used_run = sa.exists().where(
            runs.c.experiment_id == ex.c.experiment_id,
            runs.c.run_id.in_(sa.select(mv.c.run_id).where(mv.c.run_id.is_not(None))),
        )
        used_model = sa.exists().where(
            lm.c.experiment_id == ex.c.experiment_id,
            lm.c.model_id.in_(sa.select(mv.c.model_id).where(mv.c.model_id.is_not(None))),
        )

        def op(conn: Connection) -> list[str]:
            ok = [
                int(row[0])
                for row in conn.execute(
                    sa.select(ex.c.experiment_id).where(
                        ex.c.experiment_id.in_(ids),
                        ex.c.lifecycle_stage == DELETED,
                        ~used_run,
                        ~used_model,
                    )
                )
            ]
            if ok:
                their_runs = sa.select(runs.c.run_id).where(runs.c.experiment_id.in_(ok))
                run_ids = [r[0] for r in conn.execute(their_runs)]
                for chunk in chunked(run_ids):
                    conn.execute(trs.delete().where(trs.c.run_id.in_(chunk)))
                conn.execute(ex.delete().where(ex.c.experiment_id.in_(ok)))
                named = [str(i) for i in ok]
                ug, rg = user_grants, role_grants
                conn.execute(
                    ug.delete().where(
                        ug.c.resource_type == "experiment", ug.c.resource_id.in_(named)
                    )
                )
                conn.execute(
                    rg.delete().where(
                        rg.c.resource_type == "experiment", rg.c.resource_pattern.in_(named)
                    )
                )
            return [str(i) for i in ok]

        return self._db.write(op)

    def purge_logged_models(self, model_ids: Sequence[str]) -> list[str]:
        """Remove these logged models with their tags and params, in one transaction."""
        ids = _unique(model_ids)
        if not ids:
            return []
        lm, mv = t.logged_models, rt.model_versions
        used = sa.select(mv.c.model_id).where(mv.c.model_id.is_not(None))

        def op(conn: Connection) -> list[str]:
            ok = [
                row[0]
                for row in conn.execute(
                    sa.select(lm.c.model_id).where(
                        lm.c.model_id.in_(ids),
                        lm.c.lifecycle_stage == DELETED,
                        lm.c.model_id.not_in(used),
                    )
                )
            ]
            if ok:
                conn.execute(lm.delete().where(lm.c.model_id.in_(ok)))
            return [str(i) for i in ok]

        return self._db.write(op)
