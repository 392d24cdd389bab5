"""One schedule language for every surface: words and crontab in, crontab stored, words out."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.errors import UserInputError
from bot.schedules import describe_schedule, format_local, next_fire, normalise_schedule


@pytest.mark.parametrize(
    ("text", "cron", "words"),
    [
        (None, None, "on arrival"),
        ("On arrival", None, "on arrival"),
        ("hourly", "0 * * * *", "hourly (Europe/Kyiv)"),
        ("daily 08:00", "0 8 * * *", "daily at 08:00 (Europe/Kyiv)"),
        ("daily 08:00,18:00", "0 8,18 * * *", "daily at 08:00, 18:00 (Europe/Kyiv)"),
        ("weekdays 7:30", "30 7 * * 1-5", "weekdays at 07:30 (Europe/Kyiv)"),
        ("weekdays at 6pm", "0 18 * * 1-5", "weekdays at 18:00 (Europe/Kyiv)"),
        ("weekends 10:00", "0 10 * * 0,6", "weekends at 10:00 (Europe/Kyiv)"),
        ("mon,thu 09:30", "30 9 * * 1,4", "Mon, Thu at 09:30 (Europe/Kyiv)"),
        ('cron "0 8 * * 1-5"', "0 8 * * 1-5", "weekdays at 08:00 (Europe/Kyiv)"),
        ("*/15 6-20 * * *", "*/15 6-20 * * *", "cron */15 6-20 * * * (Europe/Kyiv)"),
    ],
)
def test_words_and_cron_mean_one_schedule(text: str | None, cron: str | None, words: str) -> None:
    assert normalise_schedule(text) == cron
    assert describe_schedule(cron, "Europe/Kyiv") == words


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("daily 25:00", "'25:00' is not a time like 08:00"),
        ("sometimes", "is not one I know: use on arrival, hourly, daily 08:00"),
        ("0 8 * *", "is not one I know"),
        ("daily 08:15,18:45", "must share their minutes"),
    ],
)
def test_bad_schedules_say_why_in_one_line(text: str, message: str) -> None:
    with pytest.raises(UserInputError) as caught:
        normalise_schedule(text)
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_crontab_weekdays_mean_monday_to_friday_not_apschedulers_tuesday_to_saturday() -> None:
    saturday = datetime(2024, 6, 1, 9, tzinfo=UTC)
    fires, at = [], saturday
    for _ in range(6):
        fire = next_fire("0 8 * * 1-5", "UTC", at)
        assert fire is not None
        fires.append(fire.strftime("%a"))
        at = fire.replace(minute=1)
    assert fires == ["Mon", "Tue", "Wed", "Thu", "Fri", "Mon"]
    assert next_fire("0 8 * * 0", "UTC", saturday).strftime("%a") == "Sun"  # type: ignore[union-attr]
    assert next_fire("0 8 * * 7", "UTC", saturday).strftime("%a") == "Sun"  # type: ignore[union-attr]
    assert next_fire("0 8 * * sat", "UTC", saturday).strftime("%a %d") == "Sat 08"  # type: ignore[union-attr]


def test_next_post_is_shown_in_the_subscriptions_zone() -> None:
    fire = next_fire("0 8 * * 1-5", "Europe/Kyiv", datetime(2024, 6, 1, 9, tzinfo=UTC))
    assert fire == datetime(2024, 6, 3, 5, tzinfo=UTC)  # 08:00 in Kyiv (UTC+3)
    assert format_local(fire, "Europe/Kyiv") == "Mon 3 Jun 08:00 Europe/Kyiv"
