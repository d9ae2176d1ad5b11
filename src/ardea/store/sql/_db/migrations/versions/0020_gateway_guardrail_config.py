"""A stored guardrail's own check: ``gateway_guardrails.config_json`` (a pattern guardrail's
RE2 patterns and PII detectors, set over REST).

Revision ID: 0020_gateway_guardrail_config
Revises: 0019_review_queues
"""

import sqlalchemy as sa
from alembic import op

revision = "0020_gateway_guardrail_config"
down_revision = "0019_review_queues"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nullable, no default: existing guardrails are scorer guardrails (no config), and adding
    # such a column rewrites no table on SQLite, PostgreSQL or MySQL 8 / MariaDB.
    op.add_column("gateway_guardrails", sa.Column("config_json", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("gateway_guardrails") as batch:
        batch.drop_column("config_json")
