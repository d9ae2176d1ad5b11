"""The import ledger of ``ardea import mlflow`` (source, kind, source id -> destination id).

Revision ID: 0007_import_ledger
Revises: 0006_mysql_nopad_collation
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0007_import_ledger"
down_revision = "0006_mysql_nopad_collation"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "import_ledger",
        sa.Column("source", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("source_id", sa.String(length=250), nullable=False),
        sa.Column("dest_id", sa.String(length=250), nullable=False),
        sa.Column("imported_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("source", "kind", "source_id", name=op.f("pk_import_ledger")),
        **options,
    )


def downgrade() -> None:
    op.drop_table("import_ledger")
