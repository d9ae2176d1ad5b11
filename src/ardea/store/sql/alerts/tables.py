"""The alert schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``alert_rules``: one row per rule; the experiment owns it (and its workspace is the
  experiment's): deleting the experiment's row deletes its rules. ``sequence`` counts the
  rule's state changes; the evaluator changes ``state`` only where ``state`` and ``sequence``
  are still what it read (compare-and-set), so one change is recorded once.
- ``alert_events``: one row per change of state, numbered by ``sequence`` (unique per rule).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["alert_events", "alert_rules"]

alert_rules = sa.Table(
    "alert_rules",
    metadata,
    sa.Column("rule_id", sa.String(36), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("judge", sa.String(250), nullable=True),
    sa.Column("threshold", sa.Double, nullable=False),
    sa.Column("recovery_threshold", sa.Double, nullable=True),
    sa.Column("window_seconds", sa.BigInteger, nullable=False),
    sa.Column("min_samples", sa.Integer, nullable=False),
    sa.Column("enabled", sa.Boolean, nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("state_since", sa.BigInteger, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.Column("last_value", sa.Double, nullable=True),
    sa.Column("last_samples", sa.Integer, nullable=False),
    sa.Column("last_evaluated", sa.BigInteger, nullable=True),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("experiment_id", "name"),
    **_MYSQL,
)

alert_events = sa.Table(
    "alert_events",
    metadata,
    sa.Column("event_id", sa.String(36), primary_key=True),
    sa.Column(
        "rule_id",
        sa.String(36),
        sa.ForeignKey("alert_rules.rule_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("experiment_id", sa.Integer, nullable=False),
    sa.Column("rule_name", sa.String(255), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.Double, nullable=True),
    sa.Column("threshold", sa.Double, nullable=False),
    sa.Column("samples", sa.Integer, nullable=False),
    sa.Column("time", sa.BigInteger, nullable=False),
    sa.Column("sequence", sa.Integer, nullable=False),
    sa.UniqueConstraint("rule_id", "sequence"),
    sa.Index(None, "experiment_id", "time"),
    **_MYSQL,
)
