"""story replies: each edit of a digest, with what changed, so the story's thread can say it

Revision ID: 0005_story_replies
Revises: 0004
Create Date: issue 10, follow-ups in the story's thread
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_story_replies"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "digest_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["digest_id"], ["digests.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("digest_id", "revision", name="uq_digest_edits_revision"),
    )
    op.create_index("ix_digest_edits_created", "digest_edits", ["created"])


def downgrade() -> None:
    op.drop_index("ix_digest_edits_created", table_name="digest_edits")
    op.drop_table("digest_edits")
