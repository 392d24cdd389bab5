"""poll leases: sources.host, sources.lease_until, an index on next_poll

Revision ID: 0007_poll_leases
Revises: 0006_editions
Create Date: issue 13, polling that scales
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from alembic import op

revision = "0007_poll_leases"
down_revision = "0006_editions"
branch_labels = None
depends_on = None


def _host(kind: str, url: str) -> str:
    if kind != "feed":
        return ""
    parts = urlsplit(url)
    return (parts.netloc or "").lower()[:255]


def upgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.add_column(sa.Column("host", sa.String(length=255), nullable=False, server_default=""))
        batch.add_column(sa.Column("lease_until", sa.DateTime(), nullable=True))
        batch.create_index("ix_sources_next_poll", ["next_poll"])
    conn = op.get_bind()
    sources = sa.table("sources", sa.column("id"), sa.column("kind"), sa.column("url"), sa.column("host"))
    rows = conn.execute(sa.select(sources.c.id, sources.c.kind, sources.c.url)).all()
    for source_id, kind, url in rows:
        host = _host(kind, url)
        if host:
            conn.execute(sa.update(sources).where(sources.c.id == source_id).values(host=host))


def downgrade() -> None:
    with op.batch_alter_table("sources") as batch:
        batch.drop_index("ix_sources_next_poll")
        batch.drop_column("lease_until")
        batch.drop_column("host")
