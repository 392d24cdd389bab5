"""What Wirebrief tells a channel about a source, in words a desk editor can act on.

A notice names the source, says what went wrong (the last error, as the fetcher put it) and
what fixes it. Its link is never the feed that just failed (that would only open the broken
address): it is the feed's site, where the fix says to look ("find its new address on the
site"), and there is none when the site itself is the problem (a refused address, a wire)."""

from __future__ import annotations

from urllib.parse import urlsplit

from digests.model import Digest

#: The fix for each kind of failure (``FetchError.reason``, or "wire" for a wire folder).
FIXES = {
    "gone": "The feed has moved or been removed: find its new address on the site, subscribe to that, "
    "and unsubscribe this one.",
    "denied": "The site refuses Wirebrief (it may block bots or need a login): ask the publisher, or use another feed.",
    "http_status": "The site answers with an error: if it opens in a browser, subscribe to it again to resume.",
    "timeout": "The site does not answer in time: if it opens in a browser, subscribe to it again to resume.",
    "connection": "The site cannot be reached (its name or server is down): check the address, then subscribe "
    "to it again to resume.",
    "address_refused": "The address is on a private or local network, which Wirebrief does not fetch from chat; "
    "an operator can allow a newsroom's internal hosts in [fetch] allow_private (config file only).",
    "malformed": "The address no longer serves a feed Wirebrief can read (RSS, Atom or JSON Feed): find the "
    "feed's address on the site and subscribe to that.",
    "bad_content_type": "The address serves a web page or a file, not a feed: find the feed's address on the site "
    "(often /feed or /rss) and subscribe to that.",
    "page": "The address now serves a web page, not a feed: subscribe to the feed the page names (if it names "
    "one, it is in the error above; otherwise look on the site for /feed or /rss), then unsubscribe this one.",
    "too_big": "The feed is larger than Wirebrief reads ([fetch] max_bytes): ask the publisher for a shorter "
    "feed, or an operator can raise the limit.",
    "wire": "The wire folder is missing or unreadable: check it exists on the server and is named in [wires], "
    "then subscribe to it again to resume.",
}
DEFAULT_FIX = "Once it works again, subscribe to it again to resume, or unsubscribe it."


def fix_for(reason: str | None, status: int | None = None) -> str:
    """The sentence that tells a user what to do about a failure of this kind."""
    if reason == "http_status" and status in (404, 410):
        return FIXES["gone"]
    if reason == "http_status" and status in (401, 403, 451):
        return FIXES["denied"]
    return FIXES.get(reason or "", DEFAULT_FIX)


#: Failures whose fix sends the reader to the site; the others have no useful page to open.
_SITE_HELPS = {"http_status", "timeout", "connection", "malformed", "bad_content_type", "page", "too_big"}


def help_link(kind: str, url: str, reason: str | None) -> str | None:
    """Where a notice's button goes: the feed's site (its home page), for failures the site can
    help with; None for a wire, a refused address or a feed served from the site's root."""
    if kind != "feed" or reason not in _SITE_HELPS:
        return None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    home = f"{parts.scheme}://{parts.netloc}/"
    return None if url.rstrip("/") == home.rstrip("/") else home


def pause_notice(name: str, failures: int, hours: float, error: str, fix: str, link: str | None = None) -> Digest:
    """The notice posted once to every channel of a source Wirebrief stopped reading; ``link``
    (see :func:`help_link`) is where its button goes."""
    span = f"for {hours:.0f} h" if hours >= 1 else f"{failures} times in a row"
    return Digest(
        headline=f"Wirebrief paused {name}: it has failed {span}",
        dateline=None,
        quotes=(),
        key_quotes=(),
        text=f"Last error: {error}. What to do: {fix}",
        url=link,
    )
