"""Indexes for searches at scale (issue 19): model versions by last update, tags by key.

A version search's default order (MLflow's) is ``last_updated_timestamp DESC``; without an
index PostgreSQL sorted every version of the workspace for each page (180-210 ms for 100,000
versions, with or without a tag filter). With it, a page is an index scan that stops at the
page's end; ``(workspace, name, last_updated_timestamp)`` does the same for the versions of
one model (else PostgreSQL may walk the first index looking for that model's rows: 186 ms
instead of 7). Every version search also leaves prompts out (``NOT EXISTS`` a tag
``mlflow.prompt.is_prompt = 'true'``), which read every version tag of the workspace (30-50 ms
for 100,000); ``(workspace, key)`` finds the few prompt tags directly. Measured with
``bench/seed.py`` and ``bench/scale_data.py`` (docs/server.md, "At scale").

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
    op.create_index(
        "ix_model_versions_workspace_name_last_updated_timestamp",
        "model_versions",
        ["workspace", "name", "last_updated_timestamp"],
    )
    op.create_index(
        "ix_model_version_tags_workspace_key", "model_version_tags", ["workspace", "key"]
    )


def downgrade() -> None:
    op.drop_index("ix_model_version_tags_workspace_key", table_name="model_version_tags")
    op.drop_index(
        "ix_model_versions_workspace_name_last_updated_timestamp", table_name="model_versions"
    )
    op.drop_index("ix_model_versions_workspace_last_updated_timestamp", table_name="model_versions")
