"""The engine's commands: run, subscribe, unsubscribe, subscriptions, status, db upgrade."""

from __future__ import annotations
