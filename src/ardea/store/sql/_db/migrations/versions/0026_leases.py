"""Named leases: once-only periodic work across server replicas.

Revision ID: 0026_leases
Revises: 0023_alert_rules
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

from ardea.store.sql._db.collation import mysql_table_options

revision = "0026_leases"
down_revision = "0025_trace_retention"
branch_labels = None
depends_on = None


def upgrade() -> None:
    options: dict[str, Any] = dict(mysql_table_options(op.get_bind().dialect))
    op.create_table(
        "leases",
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("holder", sa.String(length=255), nullable=False),
        sa.Column("expires", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_leases")),
        **options,
    )


def downgrade() -> None:
    if "leases" in set(sa.inspect(op.get_bind()).get_table_names()):
        op.drop_table("leases")
