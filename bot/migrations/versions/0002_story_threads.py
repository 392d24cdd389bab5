"""stories: a story per digest, and each story's first post per channel (its thread)

Revision ID: 0002
Revises: 0001
Create Date: issue 10, stories
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stories",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("headline", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.DateTime(), nullable=False),
        sa.Column("last_seen", sa.DateTime(), nullable=False),
        sa.Column("articles", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    # Plain ADD COLUMN, never a batch copy of ``digests``: on SQLite the copy would DROP the old
    # table with foreign keys on, and the implicit delete would cascade into deliveries.
    op.add_column("digests", sa.Column("story_id", sa.Integer(), nullable=True))
    op.add_column("digests", sa.Column("features", sa.Text(), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.create_foreign_key("fk_digests_story", "digests", "stories", ["story_id"], ["id"], ondelete="SET NULL")
    op.create_index("ix_digests_story", "digests", ["story_id", "id"])
    op.create_table(
        "story_posts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("story_id", sa.Integer(), nullable=False),
        sa.Column("platform", sa.String(length=32), nullable=False),
        sa.Column("workspace", sa.String(length=128), nullable=False),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("delivery_id", sa.Integer(), nullable=True),
        sa.Column("message_id", sa.String(length=128), nullable=True),
        sa.Column("posted_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(["story_id"], ["stories.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("story_id", "platform", "workspace", "channel", name="uq_story_posts_channel"),
    )


def downgrade() -> None:
    op.drop_table("story_posts")
    op.drop_index("ix_digests_story", table_name="digests")
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint("fk_digests_story", "digests", type_="foreignkey")
    op.drop_column("digests", "features")
    op.drop_column("digests", "story_id")
    op.drop_table("stories")
