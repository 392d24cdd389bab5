"""The words Wirebrief says in Slack besides digests: help, lists, status, polite refusals.

All of it is mrkdwn; anything that came from a user or a source (names, URLs, error text)
goes through :func:`~adapters.slack.blocks.escape` so it cannot mention or link anyone.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from adapters.slack.blocks import CONTEXT_MAX, _mrkdwn, clip, escape
from adapters.slack.commands import usage
from adapters.slack.edition import edition_messages
from bot.domain import ChannelStatus, Edition, FeedPreview, Post, SubscriptionInfo
from bot.errors import FetchError
from bot.schedules import format_local
from bot.subscription_grammar import LINE_HELP

MENTION_HELP = (
    "Mention me with a link — `@Wirebrief https://example.com/story` — and I'll reply in the thread with its "
    "digest (up to 3 links)."
)
NOTHING_YET = (
    "Nothing to show yet: this channel has no subscriptions, or its sources have not published anything. "
    "Try `{cmd} subscribe <feed URL>`."
)
NOT_ALLOWED = (
    "Sorry, only workspace admins and this channel's creator can change its subscriptions here. "
    "Ask one of them, or use `{cmd} list` and `{cmd} status` to look around."
)
OOPS = "Sorry, something went wrong on my side. Please try again in a minute."

_REASONS = {
    "not_article": "it doesn't look like an article I can summarise",
    "too_big": "the page is too large for me to read",
    "timeout": "the site took too long to answer",
    "address_refused": "I'm not allowed to fetch that address",
    "empty": "the page has no text I can summarise",
    "http_status": "the site answered with an error",
    "bad_url": "that doesn't look like a web link I can open",
    "connection": "I couldn't connect to the site",
    "bad_content_type": "it isn't a web page I can read",
    "malformed": "I couldn't make sense of what the site sent",
}


def help_text(command: str) -> str:
    lines = [
        "*Wirebrief* turns news into digests: a headline and every key quote with who said it.",
        f"• `{command}` — the latest digest for this channel",
        f"• `{command} subscribe <feed URL or wire name> {LINE_HELP}` — post a source here",
        f"• `{command} list` — this channel's subscriptions, numbered",
        f"• `{command} unsubscribe <n>` — stop subscription number n",
        f"• `{command} status` — when each source was last read, and any trouble",
        f"• `{command} timezone Europe/Kyiv [workspace]` — the zone schedules here use when they name none",
        f'• `{command} preview <url> [filter "…"]` — a feed\'s latest items as they would post here (and '
        "which a filter lets through), or one page's digest, only for you",
        f"• `{command} edition` — what this channel's next edition would hold now, only for you",
        f"• `{command} export [opml|json]` — this channel's subscriptions as a file any feed reader imports; "
        f"`{command} import <url of an OPML or JSON file>` — subscribe to every feed in it",
        "• On arrival, each story is one post (other outlets and updates go in its thread); on a schedule, "
        "one edition per post time with every story from the channel's sources on that schedule",
        "• `@Wirebrief <link>` — a digest of up to 3 links, in the thread",
    ]
    return "\n".join(lines)


def usage_text(problem: str, command: str) -> str:
    return f"{escape(problem[:1].upper() + problem[1:])}.\n{usage(command)}"


def fetch_failure(url: str | None, exc: FetchError) -> str:
    """One polite sentence per failure reason; the raw error stays in the log."""
    reason = _REASONS.get(exc.reason, "I couldn't read it")
    what = escape(clip(url, 300), formatting=False) if url else "that source"
    return f"Sorry, I couldn't digest {what}: {reason}."


def when(moment: datetime | None, empty: str = "never") -> str:
    """Slack's date token, shown in each reader's own timezone, with a UTC fallback."""
    if moment is None:
        return empty
    fallback = moment.strftime("%Y-%m-%d %H:%M UTC")
    return f"<!date^{int(moment.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def local(moment: datetime | None, zone: str, empty: str = "never") -> str:
    """A time in the subscription's own zone, spelt out: a schedule's 08:00 is *its* 08:00."""
    return format_local(moment, zone, empty)


def subscription_line(sub: SubscriptionInfo) -> str:
    name = escape(clip(sub.source.label, 200))
    line = f"*{sub.number}.* {name} — {escape(str(sub.schedule), formatting=False)}"
    if sub.paused_reason:
        line += f" — :double_vertical_bar: paused: {escape(clip(sub.paused_reason, 200))}"
    for setting in sub.options.describe():
        line += f"\n    {escape(clip(_setting(setting), 300), formatting=False)}"
    return line


def _setting(text: str) -> str:
    """A mentioned user group as its id (shown as text: a list must never ping the group)."""
    if text.startswith("mention "):
        ident, _, rest = text.removeprefix("mention ").partition(" ")
        return f"mention user group {ident} {rest}"
    return text


def list_text(subs: list[SubscriptionInfo], command: str) -> str:
    if not subs:
        return f"This channel has no subscriptions. Add one with `{command} subscribe <feed URL or wire name>`."
    lines = ["*Subscriptions in this channel:*", *(subscription_line(s) for s in subs)]
    lines.append(f"Remove one with `{command} unsubscribe <n>`.")
    return "\n".join(lines)


def _next_post(sub: SubscriptionInfo) -> str:
    if sub.schedule.on_arrival:
        return "on arrival"
    return local(sub.next_post, sub.schedule.timezone, "not scheduled")


def status_text(status: ChannelStatus, command: str) -> str:
    if not status.subscriptions:
        return list_text([], command)
    lines = ["*Status of this channel's subscriptions:*"]
    for sub in status.subscriptions:
        src = sub.source
        lines.append(subscription_line(sub))
        detail = f"    last read {when(src.last_fetch)} · next read {when(src.next_poll, 'not scheduled')}"
        detail += f" · last post {when(sub.last_post)} · next post {_next_post(sub)}"
        lines.append(detail)
        if src.paused_reason:
            lines.append(f"    source paused: {escape(clip(src.paused_reason, 300))}")
        if src.last_error:
            failures = f" ({src.failures} failures in a row)" if src.failures else ""
            lines.append(f"    last error: {escape(clip(src.last_error, 300))}{failures}")
        if sub.failed_deliveries:
            error = escape(clip(sub.last_delivery_error or "unknown error", 300))
            lines.append(f"    :warning: {sub.failed_deliveries} post(s) failed for good; last error: {error}")
    return "\n".join(lines)


def subscribed_text(sub: SubscriptionInfo) -> str:
    name = escape(clip(sub.source.label, 200))
    text = f"Subscribed this channel to {name} — {escape(str(sub.schedule), formatting=False)}."
    items = "item" if sub.backfill == 1 else f"{sub.backfill} items"
    if sub.backfill and sub.schedule.on_arrival:
        text += f" The latest {items} will follow shortly."
    elif sub.backfill:
        when = local(sub.next_post, sub.schedule.timezone)
        text += f" Stories come as one edition per post time; the latest {items} will be in the next, {when}."
    elif not sub.schedule.on_arrival:
        text += f" Stories come as one edition per post time; the next {local(sub.next_post, sub.schedule.timezone)}."
    for setting in sub.options.describe():
        text += f"\n• {escape(clip(_setting(setting), 300), formatting=False)}"
    return text


def timezone_text(zone: str, workspace: bool) -> str:
    where = "every channel of this workspace without its own" if workspace else "this channel"
    return f"New schedules in {where} now use {escape(zone, formatting=False)}. Existing subscriptions keep theirs."


def unsubscribed_text(sub: SubscriptionInfo) -> str:
    return f"Unsubscribed this channel from {escape(clip(sub.source.label, 200))}."


NO_EDITIONS = (
    "This channel gets no editions: its subscriptions post each story on arrival. Subscribe with a schedule "
    "(`{cmd} subscribe <feed URL> daily 08:00`) to get one round-up per post time instead."
)


def edition_preview(edition: Edition | None, command: str) -> dict[str, Any]:
    """`/digest edition`: the next edition as it stands now (its first message), for the caller."""
    if edition is None:
        return {"text": NO_EDITIONS.format(cmd=command)}
    when = f"{edition.name} · {local(edition.fire, edition.timezone)}"
    if not edition.stories:
        return {"text": f"Nothing for the next edition yet ({when}): no story has arrived since the last one."}
    first = edition_messages(edition)[0]
    note = f"Next edition, as it stands now ({when}) — only you can see this."
    sections = sum(1 for b in first["blocks"] if b["type"] == "section")
    if sections < len(edition.stories):
        note += f" Showing {sections} of {len(edition.stories)}; the rest will go in the edition's thread."
    context = {"type": "context", "elements": [_mrkdwn(clip(note, CONTEXT_MAX))]}
    blocks = [b for b in first["blocks"] if b["type"] != "context"]  # the note replaces "more in the thread"
    return {"text": first["text"], "blocks": [context, *blocks]}


#: Slack's blocks per message, less room for the preview's own.
_MAX_BLOCKS = 48


def feed_preview(preview: FeedPreview, command: str, render: Callable[[Post], dict[str, Any]]) -> dict[str, Any]:
    """`/digest preview <feed>`: what it carries and its latest items as they would post here
    (those a filter lets through, rendered by ``render``), for the caller only."""
    title = escape(clip(preview.title, 200))
    head = f"Preview of *{title}* ({escape(preview.host, formatting=False)}), only for you: "
    head += f"it carries {preview.total} item{'s' if preview.total != 1 else ''}"
    if not preview.posts:
        return {"text": head + "; none yet. Subscribed, it would post each new item as it arrives."}
    lines = [head + f"; the latest {len(preview.posts)}, as they would post here:"]
    for n, (post, passes) in enumerate(zip(preview.posts, preview.passes, strict=True), start=1):
        mark = ":white_check_mark:" if passes else ":x: filtered out:"
        lines.append(f"{n}. {mark} {escape(clip(post.digest.headline or post.digest.title or 'Untitled', 200))}")
    if preview.filters:
        kept = sum(preview.passes)
        lines.append(f"With filter {escape(clip(preview.filters, 300))}: {kept} of {len(preview.posts)} would post.")
    lines.append(f"Subscribe with `{command} subscribe <this URL>` (add the same filter to keep it).")
    text = clip("\n".join(lines), 2900)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": _mrkdwn(text)}]
    for post, passes in zip(preview.posts, preview.passes, strict=True):
        rendered = render(post)["blocks"]
        if passes and len(blocks) + 1 + len(rendered) <= _MAX_BLOCKS:
            blocks.extend([{"type": "divider"}, *rendered])
    return {"text": text, "blocks": blocks}


#: Slack shows at most this much of one message's text.
_TEXT_MAX = 39_000


def export_text(document: str, fmt: str, command: str) -> str:
    """The export as a code block to copy (ephemeral); escaped so nothing in it is live."""
    if len(document) > _TEXT_MAX - 200:
        return (
            f"This channel's {fmt.upper()} export is too long to show in Slack ({len(document):,} characters). "
            f"Try `{command} export opml` (shorter), or on the server "
            "`wirebrief export --channel slack:<team>/<channel>`."
        )
    note = f"This channel's subscriptions as {fmt.upper()}, only for you: save it as subscriptions.{fmt}."
    return f"{note}\n```\n{escape(document, formatting=False)}```"
