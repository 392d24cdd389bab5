"""subscription settings: per-subscription options, channel time zones, failing-since

Revision ID: 0004
Revises: 0003_handled_requests
Create Date: issue 12 (a newsroom's first week)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003_handled_requests"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Plain ADD COLUMN (no batch table copy on SQLite, which would cascade into deliveries).
    # Filters, mention, post cap, target: one JSON document per subscription, so new settings
    # (editions' among them) sit beside the schedule without a migration each.
    op.add_column("subscriptions", sa.Column("options", sa.Text(), nullable=True))
    # When the current run of failures began: a pause notice comes after a bounded time.
    op.add_column("sources", sa.Column("failing_since", sa.DateTime(), nullable=True))
    op.create_table(
        "channel_settings",
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=True),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("platform", "workspace", "channel"),
    )


def downgrade() -> None:
    op.drop_table("channel_settings")
    with op.batch_alter_table("sources") as batch:
        batch.drop_column("failing_since")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("options")
