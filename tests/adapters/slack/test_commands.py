"""`/digest` text parsing: every subcommand, Slack's link markup, and what gets the usage line."""

from __future__ import annotations

import pytest

from adapters.slack.commands import (
    Help,
    Latest,
    ListSubs,
    Preview,
    SetTimezone,
    Status,
    Subscribe,
    Unsubscribe,
    UsageError,
    parse,
)
from adapters.slack.mentions import extract_links
from bot.subscription_grammar import SubscribeWords as W


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", Latest()),
        ("  ", Latest()),
        ("help", Help()),
        ("list", ListSubs()),
        ("status", Status()),
        ("unsubscribe 2", Unsubscribe("2")),
        ("preview <https://news.example/a?b=1&amp;c=2|news.example>", Preview("https://news.example/a?b=1&c=2")),
        ("subscribe sample", Subscribe("sample")),
        (
            "subscribe <https://f.example/rss> on arrival backfill 3",
            Subscribe("https://f.example/rss", W("on arrival", backfill="3")),
        ),
        ("subscribe sample daily 08:00 tz Europe/Kyiv", Subscribe("sample", W("daily 08:00", "Europe/Kyiv"))),
        ("subscribe sample weekdays 7:30", Subscribe("sample", W("weekdays 7:30"))),
        ('subscribe sample cron "0 8 * * 1-5" backfill 0', Subscribe("sample", W("cron 0 8 * * 1-5", backfill="0"))),
        ("subscribe sample cron “0 8 * * 1-5”", Subscribe("sample", W("cron 0 8 * * 1-5"))),
        ("subscribe sample cron 0 8 * * 1-5 tz UTC", Subscribe("sample", W("cron 0 8 * * 1-5", "UTC"))),
        (
            'subscribe sample filter "strike, -sport" max 5 per hour',
            Subscribe("sample", W(filters="strike, -sport", max_per_hour="5")),
        ),
        (
            'subscribe sample mention <!subteam^S0BREAK|@breaking> when "breaking, urgent"',
            Subscribe("sample", W(mention="<!subteam^S0BREAK|@breaking>", mention_when="breaking, urgent")),
        ),
        ("timezone Europe/Kyiv", SetTimezone("Europe/Kyiv")),
        ("timezone Europe/Kyiv workspace", SetTimezone("Europe/Kyiv", True)),
    ],
)
def test_parses(text: str, expected: object) -> None:
    assert parse(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "frobnicate",
        "subscribe",
        "subscribe /etc/passwd",
        "subscribe file:///etc/passwd",
        "subscribe ../wire",
        "subscribe sample daily",
        'subscribe sample cron "0 8',
        "subscribe sample cron 0 8",
        "subscribe sample tz",
        "subscribe sample whenever",
        "unsubscribe",
        "unsubscribe 1 2",
        "timezone",
        "timezone Europe/Kyiv everywhere-else",
        "preview",
        "preview ftp://x.example/",
        "list everything",
        "x" * 2000,
    ],
)
def test_malformed_commands_raise_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse(text)


def test_mention_links_in_both_slack_forms_at_most_three() -> None:
    text = (
        "<@UBOT> read <https://a.example/x?q=1&amp;r=2|a.example/x> and <https://b.example> <!here> <@U2>"
        " <https://b.example> <https://c.example/> <http://d.example/> plain https://e.example"
    )
    links, extra = extract_links(text)
    assert links == ["https://a.example/x?q=1&r=2", "https://b.example", "https://c.example/"]
    assert extra == 1


def test_mention_without_links() -> None:
    assert extract_links("<@UBOT> hello <!channel> <mailto:a@b.c|a@b.c>") == ([], 0)
