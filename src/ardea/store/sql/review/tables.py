"""The review queue schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``review_queues``: one row per queue; the experiment owns it (and its workspace is the
  experiment's): deleting the experiment's row deletes its queues. ``label_schemas`` is JSON.
- ``review_items``: the traces or sessions of a queue, in ``position`` order, with their
  state (``pending``, ``done``, ``skipped``) and assignee. A trace (or a session) is in a queue
  at most once.
- ``review_labels``: the HUMAN assessments a submission stored, per item and schema name
  (the assessments themselves live in the trace store's ``assessments`` table).
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata

__all__ = ["review_items", "review_labels", "review_queues"]

review_queues = sa.Table(
    "review_queues",
    metadata,
    sa.Column("queue_id", sa.String(36), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("description", sa.Text, nullable=True),
    sa.Column("label_schemas", sa.Text, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("experiment_id", "name"),
    **_MYSQL,
)

review_items = sa.Table(
    "review_items",
    metadata,
    sa.Column("item_id", sa.String(36), primary_key=True),
    sa.Column(
        "queue_id",
        sa.String(36),
        sa.ForeignKey("review_queues.queue_id", ondelete="CASCADE"),
        nullable=False,
    ),
    sa.Column("trace_id", sa.String(64), nullable=True),
    sa.Column("session_id", sa.String(250), nullable=True),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("assignee", sa.String(255), nullable=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("source", sa.String(16), nullable=False),
    sa.Column("reviewed_by", sa.String(255), nullable=True),
    sa.Column("creation_time", sa.BigInteger, nullable=False),
    sa.Column("completed_time", sa.BigInteger, nullable=True),
    sa.UniqueConstraint("queue_id", "position"),
    sa.UniqueConstraint("queue_id", "trace_id"),
    sa.UniqueConstraint("queue_id", "session_id"),
    sa.Index(None, "queue_id", "state", "assignee"),
    **_MYSQL,
)

review_labels = sa.Table(
    "review_labels",
    metadata,
    sa.Column(
        "item_id",
        sa.String(36),
        sa.ForeignKey("review_items.item_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("assessment_id", sa.String(64), primary_key=True),
    sa.Column("trace_id", sa.String(64), nullable=False),
    sa.Column("label_name", sa.String(250), nullable=False),
    **_MYSQL,
)
