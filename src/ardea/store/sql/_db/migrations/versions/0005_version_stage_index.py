"""Index model versions by (name, current_stage, version) for "latest version per stage".

Revision ID: 0005_version_stage_index
Revises: 0004_webhooks
"""

from alembic import op

revision = "0005_version_stage_index"
down_revision = "0004_webhooks"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_model_versions_name_stage_version",
        "model_versions",
        ["name", "current_stage", "version"],
    )


def downgrade() -> None:
    op.drop_index("ix_model_versions_name_stage_version", table_name="model_versions")
