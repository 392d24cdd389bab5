"""delivery cursors: subscriptions.settled_through

Revision ID: 0008_delivery_cursors
Revises: 0007_poll_leases
Create Date: issue 13, due() bounded by what is new

Existing subscriptions start at 0: the engine's first pass over each one moves its cursor
past everything already settled (a read, then one small write; see bot/store/cursors.py),
so upgrading a large store is quick and its first catch-up never holds the write lock long.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008_delivery_cursors"
down_revision = "0007_poll_leases"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.add_column(sa.Column("settled_through", sa.Integer(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("settled_through")
