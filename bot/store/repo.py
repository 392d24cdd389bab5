"""The repository the services use: one object, its parts in one module each."""

from __future__ import annotations

from bot.store.db import make_engine, migrate
from bot.store.deliveries import DeliveryStore
from bot.store.ingest import IngestStore
from bot.store.requests import RequestStore
from bot.store.subscriptions import MetaStore, SubscriptionStore


class Store(SubscriptionStore, IngestStore, DeliveryStore, MetaStore, RequestStore):
    """Sources, items, digests, subscriptions, deliveries and handled requests on SQLite or PostgreSQL."""

    @classmethod
    def open(cls, url: str, *, upgrade: bool = True) -> Store:
        engine = make_engine(url)
        if upgrade:
            migrate(engine)
        return cls(engine)
