"""The sentences users read: help, refusals, failure reasons, subscription lists and status.

Kept apart from the handlers so wording is in one place and every line that quotes user- or
feed-supplied text goes through the same neutralising.
"""

from __future__ import annotations

from datetime import datetime

from adapters.discord.edition import Part, edition_parts
from adapters.discord.render import TOTAL_LIMIT, embed_size, neutralise_mentions, post_embed, safe_text
from bot.domain import ChannelStatus, Edition, FeedPreview, SubscriptionInfo
from bot.errors import FetchError
from bot.schedules import format_local

MESSAGE_LIMIT = 2000

FETCH_REASONS = {
    "not_article": "that page doesn't look like a news article, so there is nothing to digest.",
    "too_big": "that page is too big for me to read.",
    "timeout": "that site took too long to answer; try again later.",
    "address_refused": "I'm not allowed to fetch that address (private and local addresses are refused).",
    "empty": "I found no readable text there — it may be paywalled or built by scripts.",
    "http_status": "that site answered with an error.",
    "bad_url": "that doesn't look like a web link I can open (it must start with http:// or https://).",
    "connection": "I couldn't connect to that site.",
    "bad_content_type": "that link isn't a web page (it looks like a file or media).",
    "malformed": "I couldn't make sense of what that site sent.",
}

HELP = (
    "**Wirebrief** turns news into digests: a headline and each key quote with who said it.\n"
    "• `/digest latest` — the newest digest for this channel\n"
    "• `/digest subscribe source:<feed URL or wire name>` — post new dispatches here "
    "(`schedule:` on arrival, daily 08:00, weekdays 08:00 or a cron; `timezone:`; `backfill:` 0–10; "
    "`filter:` which items; `max_per_hour:`; `mention:` a role pinged for items matching `mention_when:`; "
    "`post_in:` a forum, a post per story, or a thread)\n"
    "• On arrival, each story is one post (other outlets and updates go in its thread); on a schedule, "
    "the channel gets one edition per post time with every story from its sources on that schedule\n"
    "• `/digest edition` — what the next edition would hold now, only for you\n"
    "• `/digest timezone zone:` — the time zone schedules here use when they name none\n"
    "• `/digest list`, `/digest unsubscribe which:<number>`, `/digest status`\n"
    "• `/digest export format:` — this channel's subscriptions as OPML or JSON; `/digest import file:` (or "
    "`url:`) — subscribe to every feed in one\n"
    "• `/digest preview url:<link>` — a feed's latest items as they would post (try a `filter:`), or any "
    "article's digest, only for you\n"
    "• Mention me with up to 3 links and I reply with their digests.\n"
    "Subscribing and unsubscribing need the Manage Channels permission{role}."
)

MENTION_HELP = (
    "Mention me with a link to a news article (up to 3) and I'll reply with its digest — or try `/digest help`."
)

NO_DIGEST = (
    "Nothing to show yet: this channel has no subscriptions, or its sources have not published. "
    "Someone with Manage Channels can run `/digest subscribe source:<feed URL>`."
)

INTERNAL_ERROR = "Sorry — something went wrong on my side. Please try again in a minute."

NO_EDITIONS = (
    "This channel gets no editions: its subscriptions post each story on arrival. Subscribe with a "
    "schedule (`/digest subscribe source:… schedule:daily 08:00`) to get one round-up per post time instead."
)


def edition_preview(edition: Edition | None) -> str | Part:
    """`/digest edition`: the next edition as it stands now (its first message), for the caller."""
    if edition is None:
        return NO_EDITIONS
    when = f"{edition.name} · {format_local(edition.fire, edition.timezone)}"
    if not edition.stories:
        return f"Nothing for the next edition yet ({when}): no story has arrived since the last one."
    first = edition_parts(edition)[0]
    note = f"Next edition, as it stands now ({when}) — only you can see this."
    shown, total = len(first.embeds), len(edition.stories)
    if shown < total:
        note += f" Showing {shown} of {total}; the rest will go in the edition's thread."
    content = note + "\n" + first.content.split("\n")[0]
    return Part(content[:MESSAGE_LIMIT], first.embeds)


def feed_preview(preview: FeedPreview) -> str | Part:
    """`/digest preview` of a feed: what it carries and its latest items as they would post here
    (only those a filter lets through as embeds), for the caller's eyes only."""
    title = safe_text(preview.title, 200)
    head = f"Preview of **{title}** ({safe_text(preview.host, 100, markdown=False)}) — only you can see this. "
    head += f"It carries {preview.total} item{'s' if preview.total != 1 else ''}"
    if not preview.posts:
        return head + "; none yet. Subscribed, it would post each new item as it arrives."
    lines = [head + f"; the latest {len(preview.posts)}, as they would post here:"]
    for n, (post, passes) in enumerate(zip(preview.posts, preview.passes, strict=True), start=1):
        mark = "✓" if passes else "✗ filtered out:"
        lines.append(f"{n}. {mark} {safe_text(post.digest.headline or post.digest.title or 'Untitled', 200)}")
    if preview.filters:
        kept = sum(preview.passes)
        lines.append(f"With filter {safe_text(preview.filters, 300)}: {kept} of {len(preview.posts)} would post.")
    lines.append("Subscribe with `/digest subscribe source:<this URL>` (add the same `filter:` to keep it).")
    embeds: list = []  # type: ignore[type-arg]
    for post, passes in zip(preview.posts, preview.passes, strict=True):
        embed = post_embed(post)
        if passes and sum(embed_size(e) for e in [*embeds, embed]) <= TOTAL_LIMIT:
            embeds.append(embed)
    return Part(clip("\n".join(lines)), embeds)


def export_note(fmt: str) -> str:
    what = "any feed reader can import it" if fmt == "opml" else "it keeps every Wirebrief setting"
    return (
        f"This channel's subscriptions as {fmt.upper()} ({what}) — only you can see this. "
        "`/digest import file:` in another channel subscribes it to the same feeds."
    )


def help_text(manager_role: str | None) -> str:
    role = f" or the **{safe_text(manager_role, 100)}** role" if manager_role else ""
    return HELP.format(role=role)


def refusal(manager_role: str | None) -> str:
    role = f" or the **{safe_text(manager_role, 100)}** role" if manager_role else ""
    return f"Sorry, managing this channel's digests needs the Manage Channels permission{role}."


def fetch_failure(exc: FetchError, url: str | None = None) -> str:
    """A polite, specific reason; the link is quoted without embedding a preview."""
    reason = FETCH_REASONS.get(exc.reason) or safe_text(str(exc), 300)
    status = getattr(exc, "status", None)
    if exc.reason == "http_status" and isinstance(status, int):
        reason = f"that site answered with an error (HTTP {status})."
    where = f"<{safe_text(url, 300, markdown=False)}>" if url else "that link"
    return f"Sorry, I couldn't digest {where} — {reason}"


def _when(moment: datetime | None) -> str:
    """Discord renders <t:…:R> in each reader's own time zone and language."""
    return f"<t:{int(moment.timestamp())}:R>" if moment else "never"


def _local(moment: datetime | None, zone: str) -> str:
    """The subscription's own zone spelt out (a schedule is *its* time), then relative."""
    if moment is None:
        return "never"
    return f"{format_local(moment, zone)} ({_when(moment)})"


def subscription_line(sub: SubscriptionInfo) -> str:
    name = safe_text(sub.source.label, 200)
    paused = f" — ⏸ paused: {safe_text(sub.paused_reason, 200)}" if sub.paused_reason else ""
    line = f"**{sub.number}.** {name} · {sub.schedule} · backfill {sub.backfill}{paused}"
    for setting in sub.options.describe():
        line += f"\n  {safe_text(_setting(setting), 300)}"
    return line


def _setting(text: str) -> str:
    """Settings as Discord shows them: a mentioned role by its mention (rendered, never pinged)."""
    if text.startswith("mention "):
        ident, _, rest = text.removeprefix("mention ").partition(" ")
        return f"mention role {ident} {rest}"
    return text


def subscriptions_text(subs: list[SubscriptionInfo]) -> str:
    if not subs:
        return "This channel has no subscriptions. Add one with `/digest subscribe source:<feed URL or wire name>`."
    lines = ["**Subscriptions in this channel**", *(subscription_line(s) for s in subs)]
    return clip("\n".join(lines))


def _next_post(sub: SubscriptionInfo) -> str:
    if sub.schedule.on_arrival:
        return "on arrival"
    return _local(sub.next_post, sub.schedule.timezone) if sub.next_post else "unknown"


def status_text(status: ChannelStatus) -> str:
    if not status.subscriptions:
        return "This channel has no subscriptions, so there is nothing to report."
    lines = ["**Digest status for this channel**"]
    for sub in status.subscriptions:
        src = sub.source
        lines.append(subscription_line(sub))
        lines.append(
            f"  last fetch {_when(src.last_fetch)} · last post {_when(sub.last_post)} · next post {_next_post(sub)}"
        )
        if src.last_error:
            failures = f" ({src.failures} failures in a row)" if src.failures else ""
            lines.append(f"  last error: {safe_text(src.last_error, 300)}{failures}")
        if src.paused_reason:
            lines.append(f"  source paused: {safe_text(src.paused_reason, 300)}")
        if sub.failed_deliveries:
            error = safe_text(sub.last_delivery_error or "unknown error", 300)
            lines.append(f"  ⚠ {sub.failed_deliveries} post(s) failed for good; last error: {error}")
    return clip("\n".join(lines))


def subscribed_text(sub: SubscriptionInfo) -> str:
    name = safe_text(sub.source.label, 300)
    text = f"Subscribed this channel to {name} ({sub.schedule})"
    if sub.backfill and sub.schedule.on_arrival:
        text += f"; posting the latest {sub.backfill} now"
    elif sub.backfill:
        when = format_local(sub.next_post, sub.schedule.timezone)
        text += f"; stories come as one edition per post time, the latest {sub.backfill} in the next, {when}"
    elif not sub.schedule.on_arrival:
        when = format_local(sub.next_post, sub.schedule.timezone)
        text += f"; stories come as one edition per post time, the next {when}"
    text += "."
    for setting in sub.options.describe():
        text += f"\n• {safe_text(_setting(setting), 300)}"
    return text


def timezone_text(zone: str, whole_server: bool) -> str:
    where = "every channel on this server without its own" if whole_server else "this channel"
    return f"New schedules in {where} now use {safe_text(zone, 64)}. Existing subscriptions keep theirs."


def unsubscribed_text(sub: SubscriptionInfo) -> str:
    return f"Unsubscribed this channel from {safe_text(sub.source.label, 300)}."


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Discord refuses messages over 2,000 characters; cut at a line where possible."""
    text = neutralise_mentions(text)
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    return text[: cut if cut > 0 else limit - 2] + "\n…"
