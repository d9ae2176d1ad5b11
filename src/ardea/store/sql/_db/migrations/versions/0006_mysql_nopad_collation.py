"""MySQL/MariaDB: every table to a binary NO PAD collation, so "lr" and "lr " are two keys.

``utf8mb4_bin`` (revisions 0001 to 0005) is PAD SPACE: strings that differ only by trailing
spaces compare equal in ``=``, primary and unique keys, unlike SQLite and PostgreSQL. This
revision converts each table to ``utf8mb4_nopad_bin`` (MariaDB 10.2+) or ``utf8mb4_0900_bin``
(MySQL 8.0.17+). PAD SPACE never considers more strings distinct than NO PAD does, so the
conversion cannot create duplicate keys. Each ``ALTER TABLE`` rebuilds its table, and MySQL
DDL commits implicitly: tables already converted are skipped, so an interrupted upgrade can be
rerun. SQLite and PostgreSQL: nothing to do.

Revision ID: 0006_mysql_nopad_collation
Revises: 0005_version_stage_index
"""

import time

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.engine.interfaces import ReflectedForeignKeyConstraint

from ardea.store.sql._db.collation import mysql_collation

revision = "0006_mysql_nopad_collation"
down_revision = "0005_version_stage_index"
branch_labels = None
depends_on = None

# Every table of revision 0005 (frozen here: later revisions create theirs NO PAD directly).
_TABLES = (
    "experiments",
    "experiment_tags",
    "runs",
    "params",
    "run_tags",
    "metric_series",
    "metrics",
    "latest_metrics",
    "datasets",
    "run_inputs",
    "run_model_inputs",
    "run_outputs",
    "logged_models",
    "logged_model_params",
    "logged_model_tags",
    "traces",
    "trace_tags",
    "trace_metadata",
    "spans",
    "assessments",
    "registered_models",
    "registered_model_tags",
    "registered_model_aliases",
    "model_versions",
    "model_version_tags",
    "webhooks",
    "webhook_events",
)
_PAD_COLLATION = "utf8mb4_bin"


def _tables_not_in(conn: sa.Connection, collation: str) -> list[str]:
    """The tables of ``_TABLES`` whose default or any text column is not ``collation``."""
    rows = conn.execute(
        sa.text(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() "
            "AND table_collation <> :c UNION SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = DATABASE() AND collation_name <> :c"
        ),
        {"c": collation},
    )
    stale = {str(row[0]) for row in rows}
    return [name for name in _TABLES if name in stale]


def _foreign_keys(
    conn: sa.Connection, names: list[str]
) -> list[tuple[str, ReflectedForeignKeyConstraint]]:
    """The foreign keys from or to the tables ``names``, as (table, reflected key) pairs."""
    inspector = sa.inspect(conn)
    return [
        (table, fk)
        for table in _TABLES
        for fk in inspector.get_foreign_keys(table)
        if table in names or fk["referred_table"] in names
    ]


def _convert(collation: str) -> None:
    """Convert the stale tables; their foreign keys are dropped around it and recreated.

    MariaDB refuses to change the collation of a column in a foreign key even with
    ``FOREIGN_KEY_CHECKS=0``; recreating the keys with the checks off skips their validation
    scan (the rows already satisfy them).
    """
    conn = op.get_bind()
    names = _tables_not_in(conn, collation)
    if not names:
        return
    fks = _foreign_keys(conn, names)
    conn.execute(sa.text("SET @ardea_fk_checks = @@FOREIGN_KEY_CHECKS, FOREIGN_KEY_CHECKS = 0"))
    try:
        for table, fk in fks:
            conn.execute(sa.text(f"ALTER TABLE {table} DROP FOREIGN KEY {fk['name']}"))
        try:
            report = context.config.attributes.get("progress") or (lambda line: None)
            for i, name in enumerate(names, 1):
                started = time.perf_counter()
                conn.execute(
                    sa.text(
                        f"ALTER TABLE {name} CONVERT TO CHARACTER SET utf8mb4 COLLATE {collation}"
                    )
                )  # rebuilds the table: long for big metric tables, hence the report
                took = time.perf_counter() - started
                report(f"    {name}: {collation} ({i}/{len(names)}) in {took:.2f} s")
        finally:  # an SQL error above still leaves every key in place
            for table, fk in fks:
                op.create_foreign_key(
                    fk["name"],
                    table,
                    fk["referred_table"],
                    fk["constrained_columns"],
                    fk["referred_columns"],
                    **fk["options"],
                )
    finally:
        conn.execute(sa.text("SET FOREIGN_KEY_CHECKS = @ardea_fk_checks"))


def upgrade() -> None:
    dialect = op.get_bind().dialect
    if dialect.name not in ("mysql", "mariadb"):
        return
    _convert(mysql_collation(dialect))


def downgrade() -> None:
    """Back to ``utf8mb4_bin``: fails on keys that differ only by trailing spaces."""
    if op.get_bind().dialect.name not in ("mysql", "mariadb"):
        return
    _convert(_PAD_COLLATION)
