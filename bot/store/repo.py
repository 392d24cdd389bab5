"""The repository the services use: one object, its parts in one module each."""

from __future__ import annotations

from bot.store.channels import ChannelStore
from bot.store.cursors import CursorStore
from bot.store.db import make_engine, migrate
from bot.store.deliveries import DeliveryStore
from bot.store.editions import EditionStore
from bot.store.ingest import IngestStore
from bot.store.leases import LeaseStore
from bot.store.recovery import RecoveryStore
from bot.store.requests import RequestStore
from bot.store.retention import RetentionStore
from bot.store.rules import RulesStore
from bot.store.subscriptions import MetaStore, SubscriptionStore


class Store(
    SubscriptionStore,
    IngestStore,
    LeaseStore,
    DeliveryStore,
    RecoveryStore,
    CursorStore,
    EditionStore,
    MetaStore,
    RequestStore,
    RetentionStore,
    ChannelStore,
    RulesStore,
):
    """Sources, items, digests, subscriptions, deliveries, editions, handled requests and
    channel settings on SQLite or PostgreSQL."""

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        engine = make_engine(url)
        if upgrade:
            migrate(engine)
        return cls(engine)
