"""The store: SQLAlchemy models, Alembic migrations and the repository the services use."""

from bot.store.db import make_engine, migrate
from bot.store.repo import Store

__all__ = ["Store", "make_engine", "migrate"]
