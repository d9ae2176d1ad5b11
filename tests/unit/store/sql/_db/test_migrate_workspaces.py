"""Revision 0012 (workspaces) on a database with data: SQLite, PostgreSQL and MySQL/MariaDB.

A database is built at revision 0011 and filled through the pre-0012 schema (raw SQL: the
tables as they were, no ``workspace`` column): experiments (one deleted, one with a high id),
runs with params, metrics and tags, a logged model, a trace with a span, tag and assessment,
registered models with tags, versions, version tags and aliases, a webhook with its events.
Opening it upgrades it; then nothing is lost and everything is in workspace ``default``, the
schema is exactly ``tables.py``'s, names are unique per workspace, keys still cascade, the
experiment sequence does not hand out an id again, and the downgrade works back (refused while
another workspace holds anything).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from ardea._core.errors import AlreadyExistsError
from ardea.store.sql._db import migrate
from ardea.store.sql._db.engine import normalize_uri
from ardea.store.sql.backend import open_sql_backend
from ardea.store.sql.schema import metadata

BEFORE = "0011_auth"

# Rows as the 0011 schema takes them: (table, [rows]); every table a test counts after.
ROWS: list[tuple[str, list[dict[str, object]]]] = [
    (
        "experiments",
        [
            {"experiment_id": 0, "name": "Default", "artifact_location": "mlflow-artifacts:/0",
             "lifecycle_stage": "active", "creation_time": 1, "last_update_time": 1},
            {"experiment_id": 1, "name": "fraud", "artifact_location": "mlflow-artifacts:/1",
             "lifecycle_stage": "active", "creation_time": 2, "last_update_time": 2},
            {"experiment_id": 40, "name": "old", "artifact_location": "s3://b/40",
             "lifecycle_stage": "deleted", "creation_time": 3, "last_update_time": 3},
        ],
    ),
    ("experiment_tags", [{"experiment_id": 1, "key": "team", "value": "risk"}]),
    (
        "runs",
        [
            {"run_id": "r1", "experiment_id": 1, "run_name": "n", "user_id": "u",
             "status": "FINISHED", "start_time": 1, "end_time": 2, "deleted_time": None,
             "artifact_uri": "mlflow-artifacts:/1/r1/artifacts", "lifecycle_stage": "active"},
        ],
    ),
    ("params", [{"run_id": "r1", "key": "lr", "value": "0.1"}]),
    ("run_tags", [{"run_id": "r1", "key": "mlflow.runName", "value": "n"}]),
    ("metric_series", [{"series_id": 1, "run_id": "r1", "key": "loss"}]),
    (
        "metrics",
        [{"series_id": 1, "step": 0, "timestamp": 5, "value": 0.5, "is_nan": False}],
    ),
    (
        "latest_metrics",
        [{"run_id": "r1", "key": "loss", "value": 0.5, "timestamp": 5, "step": 0,
          "is_nan": False}],
    ),
    (
        "logged_models",
        [{"model_id": "m-1", "experiment_id": 1, "name": "lm",
          "artifact_location": "mlflow-artifacts:/1/models/m-1/artifacts",
          "creation_timestamp": 1, "last_updated_timestamp": 1,
          "status": "LOGGED_MODEL_READY", "lifecycle_stage": "active", "model_type": None,
          "source_run_id": "r1", "status_message": None}],
    ),
    (
        "traces",
        [{"trace_id": "tr-1", "experiment_id": 1, "request_time": 1, "state": "OK",
          "span_count": 1, "info_finalized": True, "run_id": "r1"}],
    ),
    ("trace_tags", [{"trace_id": "tr-1", "key": "k", "value": "v"}]),
    (
        "spans",
        [{"trace_id": "tr-1", "span_id": "s1", "name": "root", "span_type": "CHAIN",
          "status_code": "OK", "start_time_ns": 1, "attributes": "{}", "events": "[]"}],
    ),
    (
        "assessments",
        [{"assessment_id": "a-1", "trace_id": "tr-1", "name": "ok", "kind": "feedback",
          "value": "true", "source_type": "HUMAN", "source_id": "me", "create_time": 1,
          "last_update_time": 1, "valid": True}],
    ),
    (
        "registered_models",
        [{"name": "fraud", "creation_timestamp": 1, "last_updated_timestamp": 1},
         {"name": "prompt", "creation_timestamp": 1, "last_updated_timestamp": 1}],
    ),
    (
        "registered_model_tags",
        [{"name": "prompt", "key": "mlflow.prompt.is_prompt", "value": "true"}],
    ),
    (
        "model_versions",
        [{"name": "fraud", "version": v, "creation_timestamp": 1, "last_updated_timestamp": 1,
          "current_stage": "None", "source": "models:/m-1", "run_id": "r1", "model_id": "m-1",
          "status": "READY"} for v in (1, 2)],
    ),
    ("model_version_tags", [{"name": "fraud", "version": 2, "key": "k", "value": "v"}]),
    ("registered_model_aliases", [{"name": "fraud", "alias": "champion", "version": 2}]),
    (
        "webhooks",
        [{"webhook_id": "w-1", "name": "h", "url": "https://example.com/h", "status": "ACTIVE",
          "creation_timestamp": 1, "last_updated_timestamp": 1}],
    ),
    (
        "webhook_events",
        [{"webhook_id": "w-1", "entity": "MODEL_VERSION", "action": "CREATED", "position": 0}],
    ),
]  # fmt: skip
OWNED = ("experiments", "webhooks", "registered_models", "registered_model_tags",
         "model_versions", "model_version_tags", "registered_model_aliases")  # fmt: skip


def _alembic(engine: sa.Engine, command: str, revision: str) -> None:
    from alembic import command as commands
    from alembic.config import Config

    with engine.begin() as conn:
        cfg = Config()
        cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
        cfg.attributes["connection"] = conn
        getattr(commands, command)(cfg, revision)


def _fill(engine: sa.Engine) -> None:
    """The rows of :data:`ROWS`, through the schema the database has (0011)."""
    with engine.begin() as conn:
        if conn.dialect.name == "mysql":
            conn.execute(sa.text("SET SESSION sql_mode = 'NO_AUTO_VALUE_ON_ZERO'"))
        for table, rows in ROWS:
            reflected = sa.Table(table, sa.MetaData(), autoload_with=conn)
            assert "workspace" not in reflected.c
            conn.execute(reflected.insert(), rows)
        if conn.dialect.name == "postgresql":
            conn.execute(sa.text("SELECT setval('experiments_experiment_id_seq', 40)"))


def _counts(engine: sa.Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            table: int(conn.execute(sa.text(f"SELECT COUNT(*) FROM {table}")).scalar_one())
            for table, _ in ROWS
        }


def _schema_diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn, opts={"compare_type": True, "version_table": migrate.VERSION_TABLE}
        )
        return list(compare_metadata(ctx, metadata))


def _check_upgrade(uri: str, engine: sa.Engine) -> None:
    expected = {table: len(rows) for table, rows in ROWS}
    assert _counts(engine) == expected
    backend = open_sql_backend(uri)  # upgrades (SQLite with its foreign keys off)
    try:
        assert _counts(engine) == expected, "rows were lost"
        with engine.connect() as conn:
            assert migrate.current_revision(conn) == migrate.HEAD_REVISION
            for table in OWNED:
                spaces = conn.execute(sa.text(f"SELECT DISTINCT workspace FROM {table}"))
                assert [r[0] for r in spaces] == ["default"], table
            names = conn.execute(sa.text("SELECT name FROM workspaces")).scalars().all()
            assert names == ["default"]
        assert _schema_diff(engine) == []
        store, reg = backend.tracking, backend.registry
        assert store.get_experiment("1").name == "fraud"
        assert store.get_experiment("1").tags == {"team": "risk"}
        assert store.get_run("r1").data.params == {"lr": "0.1"}
        assert store.get_logged_model("m-1").source_run_id == "r1"
        assert backend.traces.get_trace_info("tr-1").assessments[0].name == "ok"
        assert [v.version for v in reg.search_model_versions("name='fraud'")] == [2, 1]
        assert reg.get_model_version_by_alias("fraud", "champion").tags == {"k": "v"}
        assert [w.webhook_id for w in backend.webhooks.list_webhooks()] == ["w-1"]
        assert int(store.create_experiment("after")) > 40  # no id handed out again
        with pytest.raises(AlreadyExistsError):
            store.create_experiment("fraud")
        reg.rename_registered_model("fraud", "fraud2")  # the composite keys cascade
        assert reg.get_model_version_by_alias("fraud2", "champion").version == 2
        backend.workspaces.create_workspace("team-a")
        team = backend.scoped("team-a")
        assert team.tracking.create_experiment("fraud")  # a name per workspace
        team.registry.create_registered_model("fraud2")
        team.registry.create_model_version("fraud2", "s3://b/x")
    finally:
        backend.close()
    with pytest.raises(RuntimeError, match="outside the default workspace"):
        _alembic(engine, "downgrade", BEFORE)
    with engine.begin() as conn:  # empty team-a (children first), then the downgrade goes
        for table in reversed(OWNED):
            conn.execute(sa.text(f"DELETE FROM {table} WHERE workspace = 'team-a'"))
    _alembic(engine, "downgrade", BEFORE)
    with engine.connect() as conn:
        assert migrate.current_revision(conn) == BEFORE
        assert "workspace" not in {c["name"] for c in sa.inspect(conn).get_columns("experiments")}
    after = _counts(engine)
    assert after["model_versions"] == 2 and after["runs"] == 1
    _alembic(engine, "upgrade", "head")


def test_sqlite_upgrade_keeps_everything(tmp_path: Path) -> None:
    uri = f"sqlite:///{tmp_path / 'old.db'}"
    engine = sa.create_engine(uri, poolclass=sa.pool.NullPool)
    migrate._transactional_sqlite(engine)  # foreign keys off, as Ardea upgrades SQLite
    _alembic(engine, "upgrade", BEFORE)
    _fill(engine)
    _check_upgrade(uri, engine)
    engine.dispose()


@pytest.fixture
def postgres_schema_uri(postgres_uri: str) -> Iterator[tuple[str, sa.Engine]]:
    schema = "ardea_migrate_workspaces"
    admin = sa.create_engine(normalize_uri(postgres_uri), poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in postgres_uri else "?"
    uri = f"{postgres_uri}{sep}options=-csearch_path%3D{schema}"
    engine = sa.create_engine(normalize_uri(uri), poolclass=sa.pool.NullPool)
    yield uri, engine
    engine.dispose()
    with admin.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.mark.postgres
def test_postgres_upgrade_keeps_everything(postgres_schema_uri: tuple[str, sa.Engine]) -> None:
    uri, engine = postgres_schema_uri
    _alembic(engine, "upgrade", BEFORE)
    _fill(engine)
    _check_upgrade(uri, engine)


@pytest.mark.mysql
def test_mysql_upgrade_keeps_everything(mysql_uri: str) -> None:
    engine = sa.create_engine(normalize_uri(mysql_uri), poolclass=sa.pool.NullPool)
    with engine.begin() as conn:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS=0"))
        for table in [*metadata.sorted_tables, sa.table(migrate.VERSION_TABLE)]:
            conn.execute(sa.text(f"DROP TABLE IF EXISTS {table.name}"))
    _alembic(engine, "upgrade", BEFORE)
    _fill(engine)
    _check_upgrade(mysql_uri, engine)  # ends at head: the shared database stays usable
    engine.dispose()
