"""The JSON log format itself: the fields a collector expects, context fields, exception text."""

from __future__ import annotations

import io
import json
import logging
from datetime import UTC, datetime, timedelta

from bot.ops.logs import json_formatter


def _record_of(emit) -> dict:  # type: ignore[no-untyped-def]
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(json_formatter())
    log = logging.getLogger("wirebrief.test.json")
    log.addHandler(handler)
    log.propagate = False
    try:
        emit(log)
    finally:
        log.removeHandler(handler)
    (line,) = stream.getvalue().splitlines()
    return json.loads(line)


def test_a_line_has_utc_iso_time_level_logger_message_and_its_context() -> None:
    retry = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    before = datetime.now(UTC)
    record = _record_of(
        lambda log: log.warning("poll failed", extra={"source": "https://x.test/feed", "retry_at": retry, "n": 3})
    )
    stamp = datetime.fromisoformat(record.pop("timestamp"))
    assert stamp.utcoffset() == timedelta(0) and before <= stamp <= datetime.now(UTC)
    assert record == {
        "level": "WARNING",
        "logger": "wirebrief.test.json",
        "message": "poll failed",
        "source": "https://x.test/feed",
        "retry_at": "2026-11-27T12:00:00+00:00",
        "n": 3,
    }


def test_an_exception_is_its_traceback_text_and_non_ascii_stays_readable() -> None:
    def emit(log: logging.Logger) -> None:
        try:
            {}["missing"]
        except KeyError:
            log.exception("delivery crashed — retrying", extra={"channel": "console:main"})

    record = _record_of(emit)
    assert record["level"] == "ERROR" and record["message"] == "delivery crashed — retrying"
    assert record["exception"].startswith("Traceback (most recent call last):")
    assert record["exception"].endswith("KeyError: 'missing'")
    assert record["channel"] == "console:main"
