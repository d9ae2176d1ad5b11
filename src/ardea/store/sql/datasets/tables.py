"""The evaluation dataset schema, on the one :data:`ardea.store.sql._db.metadata.metadata`.

- ``evaluation_datasets``: one row per dataset, owned by a workspace; it carries the current
  version, the records' content sum (the digest's source) and the live record count.
- ``eval_dataset_records``: one row per record *version*: a row is valid from version
  ``valid_from`` until ``valid_to`` (exclusive; NULL while it is the live row). A change closes
  the old row and writes a new one with the same ``dataset_record_id``, so every version can
  be read back. ``live_hash`` is the input hash of a live row and NULL on closed ones: the
  unique ``(dataset_id, live_hash)`` keeps one live record per inputs (NULLs never clash), and
  ``(dataset_id, valid_to, created_time, dataset_record_id)`` serves the live page reads as an
  unversioned table would.
- ``eval_dataset_versions``: what each version is (change, counts, digest, tags then).
- ``eval_dataset_tags``, ``eval_dataset_experiments``: the current tags and links.

JSON fields are text (MEDIUMTEXT on MySQL, whose TEXT stops at 64 KiB).
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

from ardea.store.sql._db.metadata import KEY_LENGTH, metadata
from ardea.store.sql._db.metadata import MYSQL_TABLE_ARGS as _MYSQL
from ardea.store.sql.workspaces.tables import workspace_column

__all__ = [
    "JsonText",
    "dataset_experiments",
    "dataset_records",
    "dataset_tags",
    "dataset_versions",
    "evaluation_datasets",
]

JsonText = sa.Text().with_variant(mysql.MEDIUMTEXT(), "mysql")
"""A JSON document column (up to 16 MiB on MySQL)."""


def _dataset_fk() -> sa.ForeignKey:
    return sa.ForeignKey("evaluation_datasets.dataset_id", ondelete="CASCADE")


evaluation_datasets = sa.Table(
    "evaluation_datasets",
    metadata,
    sa.Column("dataset_id", sa.String(36), primary_key=True),
    sa.Column("name", sa.String(255), nullable=False),
    sa.Column("schema", JsonText, nullable=True),
    sa.Column("profile", sa.Text, nullable=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("content_sum", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("num_records", sa.Integer, nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Column("last_updated_by", sa.String(255), nullable=True),
    workspace_column(),
    sa.Index(None, "workspace", "created_time"),
    sa.Index(None, "workspace", "name"),
    **_MYSQL,
)

dataset_tags = sa.Table(
    "eval_dataset_tags",
    metadata,
    sa.Column("dataset_id", sa.String(36), _dataset_fk(), primary_key=True),
    sa.Column("key", sa.String(KEY_LENGTH), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
    **_MYSQL,
)

dataset_experiments = sa.Table(
    "eval_dataset_experiments",
    metadata,
    sa.Column("dataset_id", sa.String(36), _dataset_fk(), primary_key=True),
    sa.Column(
        "experiment_id",
        sa.Integer,
        sa.ForeignKey("experiments.experiment_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    sa.Index(None, "experiment_id"),
    **_MYSQL,
)

dataset_versions = sa.Table(
    "eval_dataset_versions",
    metadata,
    sa.Column("dataset_id", sa.String(36), _dataset_fk(), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("num_records", sa.Integer, nullable=False),
    sa.Column("change", sa.String(32), nullable=False),
    sa.Column("inserted", sa.Integer, nullable=False),
    sa.Column("updated", sa.Integer, nullable=False),
    sa.Column("deleted", sa.Integer, nullable=False),
    sa.Column("tags", sa.Text, nullable=False),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=True),
    **_MYSQL,
)

dataset_records = sa.Table(
    "eval_dataset_records",
    metadata,
    sa.Column("dataset_record_id", sa.String(36), primary_key=True),
    sa.Column("valid_from", sa.Integer, primary_key=True),
    sa.Column("valid_to", sa.Integer, nullable=True),
    sa.Column("dataset_id", sa.String(36), _dataset_fk(), nullable=False),
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.Column("live_hash", sa.String(64), nullable=True),
    sa.Column("content_hash", sa.String(64), nullable=False),
    sa.Column("inputs", JsonText, nullable=False),
    sa.Column("outputs", JsonText, nullable=True),
    sa.Column("expectations", JsonText, nullable=True),
    sa.Column("tags", JsonText, nullable=True),
    sa.Column("source", JsonText, nullable=True),
    sa.Column("source_type", sa.String(32), nullable=True),
    sa.Column("source_id", sa.String(255), nullable=True),
    sa.Column("created_time", sa.BigInteger, nullable=False),
    sa.Column("last_update_time", sa.BigInteger, nullable=False),
    sa.Column("created_by", sa.String(255), nullable=True),
    sa.Column("last_updated_by", sa.String(255), nullable=True),
    sa.UniqueConstraint("dataset_id", "live_hash"),
    sa.Index(
        "ix_eval_dataset_records_live",
        "dataset_id",
        "valid_to",
        "created_time",
        "dataset_record_id",
    ),
    sa.Index(None, "dataset_id", "valid_from"),
    **_MYSQL,
)
