"""The sentences users read: help, refusals, failure reasons, subscription lists and status.

Kept apart from the handlers so wording is in one place and every line that quotes user- or
feed-supplied text goes through the same neutralising.
"""

from __future__ import annotations

from datetime import datetime

from adapters.discord.render import neutralise_mentions, safe_text
from bot.domain import ChannelStatus, SubscriptionInfo
from bot.errors import FetchError

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
    "(`schedule:` on arrival or a cron such as `0 8 * * *`, `timezone:`, `backfill:` 0–10)\n"
    "• `/digest list`, `/digest unsubscribe which:<number>`, `/digest status`\n"
    "• `/digest preview url:<link>` — a digest of any article, only for you\n"
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


def subscription_line(sub: SubscriptionInfo) -> str:
    name = safe_text(sub.source.label, 200)
    paused = f" — ⏸ paused: {safe_text(sub.paused_reason, 200)}" if sub.paused_reason else ""
    return f"**{sub.number}.** {name} · {sub.schedule} · backfill {sub.backfill}{paused}"


def subscriptions_text(subs: list[SubscriptionInfo]) -> str:
    if not subs:
        return "This channel has no subscriptions. Add one with `/digest subscribe source:<feed URL or wire name>`."
    lines = ["**Subscriptions in this channel**", *(subscription_line(s) for s in subs)]
    return clip("\n".join(lines))


def status_text(status: ChannelStatus) -> str:
    if not status.subscriptions:
        return "This channel has no subscriptions, so there is nothing to report."
    lines = ["**Digest status for this channel**"]
    for sub in status.subscriptions:
        src = sub.source
        lines.append(subscription_line(sub))
        lines.append(
            f"  last fetch {_when(src.last_fetch)} · last post {_when(sub.last_post)} · next post "
            f"{_when(sub.next_post) if sub.next_post else 'on arrival' if sub.schedule.on_arrival else 'unknown'}"
        )
        if src.last_error:
            lines.append(f"  last error: {safe_text(src.last_error, 300)}")
        if src.paused_reason:
            lines.append(f"  source paused: {safe_text(src.paused_reason, 300)}")
    return clip("\n".join(lines))


def subscribed_text(sub: SubscriptionInfo) -> str:
    backfill = f"; posting the latest {sub.backfill} now" if sub.backfill else ""
    name = safe_text(sub.source.label, 300)
    return f"Subscribed this channel to {name} ({sub.schedule}){backfill}."


def unsubscribed_text(sub: SubscriptionInfo) -> str:
    return f"Unsubscribed this channel from {safe_text(sub.source.label, 300)}."


def clip(text: str, limit: int = MESSAGE_LIMIT) -> str:
    """Discord refuses messages over 2,000 characters; cut at a line where possible."""
    text = neutralise_mentions(text)
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit - 2)
    return text[: cut if cut > 0 else limit - 2] + "\n…"
