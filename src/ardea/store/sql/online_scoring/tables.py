"""The online scoring work table, on the one :data:`ardea.store.sql._db.metadata.metadata`.

``online_scoring_work`` holds one row per (trace, scorer, scorer version) that was sampled:
its primary key is that triple, so enqueuing a trace twice stores one row. ``state`` is
``pending`` -> ``claimed`` (``claimed_by`` holds a lease until ``lease_until``, epoch ms) ->
``done`` or ``failed``; a claimed row whose lease has expired may be claimed again (its
``attempts`` counts the claims). ``kind`` says who may run it: ``judge`` rows run in the server
or in a scorer-worker, ``code`` rows only in a scorer-worker. ``workspace`` names the
workspace of the trace's experiment (a plain column: the table is reached through its
store's workspace filter, never through the scope's owned tables). The trace or scorer going
away deletes its rows.
"""

from __future__ import annotations

import sqlalchemy as sa

from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql._db.metadata import metadata
from ardea.store.sql.scorers import tables as _scorers  # noqa: F401 - scorers, for the FK
from ardea.store.sql.traces import tables as _traces  # noqa: F401 - traces, for the FK

__all__ = ["online_scoring_work"]

online_scoring_work = sa.Table(
    "online_scoring_work",
    metadata,
    sa.Column(
        "trace_id",
        sa.String(64),
        sa.ForeignKey("traces.trace_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column(
        "scorer_id",
        sa.String(36),
        sa.ForeignKey("scorers.scorer_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Column("scorer_version", sa.Integer, primary_key=True),
    sa.Column("experiment_id", sa.Integer, nullable=False),
    sa.Column("workspace", sa.String(63), nullable=False),
    sa.Column("kind", sa.String(8), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("claimed_by", sa.String(128), nullable=True),
    sa.Column("lease_until", sa.BigInteger, nullable=True),
    sa.Column("not_before", sa.BigInteger, nullable=False),
    sa.Column("attempts", sa.Integer, nullable=False),
    sa.Column("error", sa.Text, nullable=True),
    sa.Column("enqueued_time", sa.BigInteger, nullable=False),
    sa.Column("done_time", sa.BigInteger, nullable=True),
    sa.Index("ix_online_scoring_work_state_not_before", "state", "not_before"),
    sa.Index("ix_online_scoring_work_scorer_id", "scorer_id"),
    **_MYSQL,
)
"""Sampled (trace, scorer version) pairs and how far their scoring got."""
