"""editions: one round-up per (channel, schedule, fire), and which digests each carried

Revision ID: 0006_editions
Revises: 0005_story_replies
Create Date: issue 10, editions
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006_editions"
down_revision = "0005_story_replies"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "editions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("schedule", sa.String(length=200), nullable=False),
        sa.Column("fire", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("claim_token", sa.String(length=36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt", sa.DateTime(), nullable=True),
        sa.Column("sent_at", sa.DateTime(), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("stories", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("platform", "workspace", "channel", "schedule", "fire", name="uq_editions_fire"),
    )
    # Plain ADD COLUMN (no batch copy of deliveries on SQLite): the edition a digest went out in.
    op.add_column("deliveries", sa.Column("edition_id", sa.Integer(), nullable=True))
    op.create_index("ix_deliveries_edition", "deliveries", ["edition_id"])


def downgrade() -> None:
    op.drop_index("ix_deliveries_edition", table_name="deliveries")
    op.drop_column("deliveries", "edition_id")
    op.drop_table("editions")
