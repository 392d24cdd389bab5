"""The store's tables. Timestamps are naive UTC (SQLite has no time zones; PostgreSQL agrees).

The deliveries table is the exactly-once mechanism: a row keyed UNIQUE by
(digest, platform, workspace, channel, slot) is claimed with INSERT ... ON CONFLICT DO NOTHING
before anything is posted, so of any number of processes only one posts a digest to a channel.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class SourceRow(Base):
    """One unique feed URL, wire folder or feed file, fetched once for all its subscribers."""

    __tablename__ = "sources"
    __table_args__ = (Index("ix_sources_next_poll", "next_poll"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # "feed", "wire", "file"
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    etag: Mapped[str | None] = mapped_column(String(512), nullable=True)
    last_modified: Mapped[str | None] = mapped_column(String(128), nullable=True)
    last_fetch: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    next_poll: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    paused_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    #: Start of the current run of failed fetches (NULL when the last fetch worked).
    failing_since: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    #: host:port of a feed ("" for wire folders and files): polls per host are capped.
    host: Mapped[str] = mapped_column(String(255), default="", server_default="")
    #: A poll in progress holds the source until then (one poller across all processes).
    lease_until: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)


class ItemRow(Base):
    """One story of a source; an edit (same guid or link, new content) bumps ``revisions``."""

    __tablename__ = "items"
    __table_args__ = (
        UniqueConstraint("source_id", "guid", name="uq_items_source_guid"),
        Index("ix_items_source_link", "source_id", "link"),
        Index("ix_items_source_hash", "source_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    guid: Mapped[str] = mapped_column(String(600))
    link: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    published: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    updated: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    revisions: Mapped[int] = mapped_column(Integer, default=0)


class StoryRow(Base):
    """One story across sources: its id is the id of its first digest (so the clusterer, which
    names a story after its first article, and the store agree without a lookup)."""

    __tablename__ = "stories"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    headline: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime)
    last_seen: Mapped[datetime] = mapped_column(DateTime)
    articles: Mapped[int] = mapped_column(Integer, default=1)


class DigestRow(Base):
    """A digest as ``Digest.to_json`` wrote it; ``kind`` "notice" is a message about the source.
    ``story_id``: the story it reports (NULL for notices and digests from before stories);
    ``features``: what the story clusterer saw (JSON), kept so a restarted or second process
    rebuilds the same open stories."""

    __tablename__ = "digests"
    __table_args__ = (Index("ix_digests_source", "source_id", "id"), Index("ix_digests_story", "story_id", "id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("items.id", ondelete="CASCADE"), nullable=True, unique=True)
    kind: Mapped[str] = mapped_column(String(16), default="item")
    data: Mapped[str] = mapped_column(Text)
    headline: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(2048), nullable=True)
    published: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    created: Mapped[datetime] = mapped_column(DateTime)
    story_id: Mapped[int | None] = mapped_column(ForeignKey("stories.id", ondelete="SET NULL"), nullable=True)
    features: Mapped[str | None] = mapped_column(Text, nullable=True)


class StoryPostRow(Base):
    """A story's first post in a channel, with the platform's message id: the thread that
    later outlets, edits and follow-ups of the story reply in."""

    __tablename__ = "story_posts"
    __table_args__ = (UniqueConstraint("story_id", "platform", "workspace", "channel", name="uq_story_posts_channel"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("stories.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(128))
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    delivery_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    posted_at: Mapped[datetime] = mapped_column(DateTime)


class DigestEditRow(Base):
    """An edit of an item after its digest was recorded: ``changes`` (JSON of
    ``digests.changes.Changes``) is what the story's thread is told, once per channel."""

    __tablename__ = "digest_edits"
    __table_args__ = (
        UniqueConstraint("digest_id", "revision", name="uq_digest_edits_revision"),
        Index("ix_digest_edits_created", "created"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column(Integer)
    created: Mapped[datetime] = mapped_column(DateTime)
    changes: Mapped[str] = mapped_column(Text)


class SubscriptionRow(Base):
    """A channel's subscription. ``cursor``: digests of the source with a greater id are this
    subscription's to post; NULL until the source's first poll after subscribing (then set so
    exactly ``backfill`` of the latest are included — never a flood)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel", "source_id", name="uq_subscriptions_channel_source"),
        Index("ix_subscriptions_source", "source_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(128))
    source_id: Mapped[int] = mapped_column(ForeignKey("sources.id", ondelete="CASCADE"))
    cron: Mapped[str | None] = mapped_column(String(120), nullable=True)
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    backfill: Mapped[int] = mapped_column(Integer, default=1)
    cursor: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: Digests of the source with an id at or below this need nothing more here (bot.store.cursors).
    settled_through: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created: Mapped[datetime] = mapped_column(DateTime)
    paused_reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: :class:`bot.domain.SubscriptionOptions` as JSON (filters, mention, cap, target); NULL: none.
    options: Mapped[str | None] = mapped_column(Text, nullable=True)


class ChannelSettingsRow(Base):
    """A channel's defaults (its time zone); ``channel`` "*" holds the workspace's."""

    __tablename__ = "channel_settings"

    platform: Mapped[str] = mapped_column(String(32), primary_key=True)
    workspace: Mapped[str] = mapped_column(String(128), primary_key=True)
    channel: Mapped[str] = mapped_column(String(128), primary_key=True)
    timezone: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated: Mapped[datetime] = mapped_column(DateTime)


class DeliveryRow(Base):
    """One digest to one channel in one slot: claimed -> sent, or failed (retried, bounded).
    Slots: "arrival" or a cron fire (a post), "reply" (a later article of a story the channel
    has, in the story's thread), "edit:<revision>" (what an edit changed, in the thread)."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("digest_id", "platform", "workspace", "channel", "slot", name="uq_deliveries_key"),
        Index("ix_deliveries_channel", "platform", "workspace", "channel", "status"),
        Index("ix_deliveries_edition", "edition_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    digest_id: Mapped[int] = mapped_column(ForeignKey("digests.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(128))
    slot: Mapped[str] = mapped_column(String(40))
    #: claimed, sent, failed, dropped; merged: another outlet's telling of a story the
    #: channel already has, recorded in its thread without a message (it added nothing)
    status: Mapped[str] = mapped_column(String(10))
    claim_token: Mapped[str] = mapped_column(String(36))
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: The edition that carried this digest (status "edition" until the edition is sent).
    edition_id: Mapped[int | None] = mapped_column(Integer, nullable=True)


class EditionRow(Base):
    """One edition: a scheduled subscription's round-up for one channel and one fire time of
    its schedule ("cron|timezone"). Claimed like a delivery (INSERT ... ON CONFLICT DO NOTHING
    on the UNIQUE key) before it is posted; the digests it carries are deliveries pointing here."""

    __tablename__ = "editions"
    __table_args__ = (
        UniqueConstraint("platform", "workspace", "channel", "schedule", "fire", name="uq_editions_fire"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    platform: Mapped[str] = mapped_column(String(32))
    workspace: Mapped[str] = mapped_column(String(128), default="")
    channel: Mapped[str] = mapped_column(String(128))
    schedule: Mapped[str] = mapped_column(String(200))
    fire: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(10))  # claimed, sent, failed, dropped
    claim_token: Mapped[str] = mapped_column(String(36))
    claimed_at: Mapped[datetime] = mapped_column(DateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    next_attempt: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    message_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    stories: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, nullable=True)


class MetaRow(Base):
    """Small facts about the store itself, e.g. that the console samples were seeded once."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class HandledRequestRow(Base):
    """A platform request already handled (a Slack event_id, trigger_id or signature): a
    replay or a platform retry of it is acknowledged and ignored, by every instance alike."""

    __tablename__ = "handled_requests"
    __table_args__ = (Index("ix_handled_requests_seen", "seen"),)

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    seen: Mapped[datetime] = mapped_column(DateTime)
