"""The scorer registry schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``scorers``: one row per registered name in an experiment (its ``scorer_id``); the
  experiment owns it (and its workspace is the experiment's): deleting the experiment's row
  deletes its scorers.
- ``scorer_versions``: one row per registration of that name (``serialized_scorer`` is the
  scorer's JSON text: MEDIUMTEXT on MySQL, whose TEXT stops at 64 KiB).
- ``online_scoring_configs``: at most one per scorer (``sample_rate``, ``filter_string``),
  stored as MLflow's routes set it; online scoring (``services.online_scoring``) reads the
  active ones of an experiment by ``experiment_id`` (indexed).
- ``judge_alignments``: one row per alignment run of a judge name in an experiment (the
  lineage and held-out agreement, as JSON text), promoted or rejected; kept by experiment and
  name (not by scorer id: a rejected run of a judge never registered still has a history).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["judge_alignments", "online_scoring_configs", "scorer_versions", "scorers"]

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

judge_alignments = sa.Table(
    "judge_alignments",
    metadata,
    sa.Column("alignment_id", sa.String(36), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("optimizer", sa.String(64), nullable=False),
    sa.Column("base_version", sa.Integer, nullable=True),
    sa.Column("new_version", sa.Integer, nullable=True),
    sa.Column("promoted", sa.Boolean, nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("params_json", _JSON, nullable=False),
    sa.Column("labels_json", _JSON, nullable=False),
    sa.Column("before_json", _JSON, nullable=False),
    sa.Column("after_json", _JSON, nullable=False),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Index("ix_judge_alignments_experiment_name", "experiment_id", "name", "creation_time"),
    **_MYSQL,
)
