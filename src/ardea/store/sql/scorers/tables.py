"""The scorer registry schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``scorers``: one row per registered name in an experiment (its ``scorer_id``); the
  experiment owns it (and its workspace is the experiment's): deleting the experiment's row
  deletes its scorers.
- ``scorer_versions``: one row per registration of that name (``serialized_scorer`` is the
  scorer's JSON text: MEDIUMTEXT on MySQL, whose TEXT stops at 64 KiB).
- ``online_scoring_configs``: at most one per scorer (``sample_rate``, ``filter_string``),
  stored as MLflow's routes set it; online scoring (``services.online_scoring``) reads the
  active ones of an experiment by ``experiment_id`` (indexed).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["online_scoring_configs", "scorer_versions", "scorers"]

_JSON = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")


def _scorer_fk() -> sa.ForeignKey:
    return sa.ForeignKey("scorers.scorer_id", ondelete="CASCADE")


scorers = sa.Table(
    "scorers",
    metadata,
    sa.Column("scorer_id", sa.String(36), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.UniqueConstraint("experiment_id", "name"),
    **_MYSQL,
)

scorer_versions = sa.Table(
    "scorer_versions",
    metadata,
    sa.Column("scorer_id", sa.String(36), _scorer_fk(), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("serialized_scorer", _JSON, nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    **_MYSQL,
)

online_scoring_configs = sa.Table(
    "online_scoring_configs",
    metadata,
    sa.Column("online_scoring_config_id", sa.String(36), primary_key=True),
    sa.Column("scorer_id", sa.String(36), _scorer_fk(), nullable=False, unique=True),
    sa.Column("experiment_id", sa.Integer, nullable=False),
    sa.Column("sample_rate", sa.Float, nullable=False),
    sa.Column("filter_string", sa.Text, nullable=True),
    sa.Index("ix_online_scoring_configs_experiment_id", "experiment_id"),
    **_MYSQL,
)
