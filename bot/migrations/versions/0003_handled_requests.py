"""handled requests: the replay guard (a Slack event, command or action handled once)

Revision ID: 0003_handled_requests
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_handled_requests"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "handled_requests",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("seen", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key"),
    )
    op.create_index("ix_handled_requests_seen", "handled_requests", ["seen"])


def downgrade() -> None:
    op.drop_index("ix_handled_requests_seen", table_name="handled_requests")
    op.drop_table("handled_requests")
