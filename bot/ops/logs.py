"""Log lines for people (the console format) or for a log collector (one JSON object a line).

The JSON form comes from python-json-logger: ``timestamp`` (ISO 8601, UTC), ``level``,
``logger``, ``message``, the record's context (``source``, ``channel``, ``error`` ... as passed
in ``extra``) as fields of their own, and ``exception`` with the traceback text when there is one.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter

#: Record attributes renamed to the names log collectors expect.
RENAMED = {"levelname": "level", "name": "logger", "exc_info": "exception"}


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "{levelname}{name}{message}",
        style="{",
        timestamp=True,  # datetime.fromtimestamp(record.created, tz=UTC).isoformat()
        rename_fields=RENAMED,
        json_ensure_ascii=False,
    )
