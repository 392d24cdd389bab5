"""The ``wirebrief`` command line. Each sub-module registers its commands on ``app``."""

from __future__ import annotations

import sys

from bot.cli import deliveries as _deliveries  # noqa: F401  (registers `deliveries`)
from bot.cli import digest as _digest  # noqa: F401  (registers `digest`)
from bot.cli import engine as _engine  # noqa: F401  (registers run, subscribe, status, db ...)
from bot.cli import exchange as _exchange  # noqa: F401  (registers preview, export, import)
from bot.cli import prune as _prune  # noqa: F401  (registers `db prune`)
from bot.cli import stories as _stories  # noqa: F401  (registers `stories`)
from bot.cli.app import app


def _fail(message: str) -> None:
    print(f"wirebrief: error: {' '.join(message.split())}", file=sys.stderr)
    sys.exit(2)


def main() -> None:
    """Console-script entry point; never shows a traceback for errors meant for the user.

    The store (SQLAlchemy, Alembic) is imported only by the commands that use it, so the
    commands that never touch it (`digest`, `stories`) start without paying for it."""
    from bot.errors import WirebriefError

    try:
        app()
    except WirebriefError as exc:
        _fail(str(exc))
    except OSError as exc:  # a file the command needed: one line, not a traceback
        name = f"{exc.filename}: " if exc.filename else ""
        _fail(f"{name}{exc.strerror or exc}")
    except KeyboardInterrupt:
        print("wirebrief: interrupted", file=sys.stderr)
        sys.exit(130)
    except Exception as exc:
        if not _store_failure(exc):
            raise
        from bot.store.health import store_error

        _fail(str(store_error(exc)))  # a store failure past opening (a table gone, a disk error)


def _store_failure(exc: BaseException) -> bool:
    """An SQLAlchemy error (only possible once a command has imported SQLAlchemy)."""
    module = sys.modules.get("sqlalchemy.exc")
    return module is not None and isinstance(exc, module.SQLAlchemyError)
