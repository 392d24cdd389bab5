"""The ``wirebrief`` command line. Each sub-module registers its commands on ``app``."""

from __future__ import annotations

import sys

from bot.cli import digest as _digest  # noqa: F401  (registers `digest`)
from bot.cli import engine as _engine  # noqa: F401  (registers run, subscribe, status, db ...)
from bot.cli import stories as _stories  # noqa: F401  (registers `stories`)
from bot.cli.app import app


def main() -> None:
    """Console-script entry point; never shows a traceback for errors meant for the user."""
    from bot.errors import WirebriefError

    try:
        app()
    except WirebriefError as exc:
        print(f"wirebrief: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except KeyboardInterrupt:
        print("wirebrief: interrupted", file=sys.stderr)
        sys.exit(130)
