"""Spans keep their OpenTelemetry kind and links.

Revision ID: 0009_span_kind_links
Revises: 0008_pending_trace_links
"""

import sqlalchemy as sa
from alembic import op

revision = "0009_span_kind_links"
down_revision = "0008_pending_trace_links"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: existing rows are INTERNAL spans without links, and adding such
    # columns rewrites no table on SQLite, PostgreSQL or MySQL 8 / MariaDB.
    op.add_column("spans", sa.Column("kind", sa.String(length=16), nullable=True))
    op.add_column("spans", sa.Column("links", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("spans") as batch:
        batch.drop_column("links")
        batch.drop_column("kind")
