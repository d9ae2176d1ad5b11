"""Indexes for searches at scale (issue 19): model versions by last update, per workspace.

A version search's default order (MLflow's) is ``last_updated_timestamp DESC``; without an
index PostgreSQL sorted every version of the workspace for each page (180-210 ms for 100,000
versions, with or without a tag filter). With it, a page is an index scan that stops at the
page's end. Measured with ``bench/seed.py`` and ``bench/scale_data.py`` (docs/server.md,
"At scale").

Revision ID: 0024_scale_indexes
Revises: 0023_alert_rules
"""

from alembic import op

revision = "0024_scale_indexes"
down_revision = "0023_alert_rules"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_model_versions_workspace_last_updated_timestamp",
        "model_versions",
        ["workspace", "last_updated_timestamp"],
    )


def downgrade() -> None:
    op.drop_index("ix_model_versions_workspace_last_updated_timestamp", table_name="model_versions")
