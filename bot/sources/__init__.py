"""Where dispatches come from: feeds (RSS/Atom/JSON Feed), wire folders and web pages.

Each module turns untrusted bytes into plain values (``FeedItem``, ``WireFile``, ``Dispatch``);
none of them touches the store or the summariser.
"""

from bot.sources.feeds import FEED_ACCEPT, FeedItem, ParsedFeed, fetch_feed, parse_feed
from bot.sources.pages import PAGE_ACCEPT, extract_article, fetch_article
from bot.sources.wire import WireFile, scan_wire_folder

__all__ = [
    "FEED_ACCEPT",
    "PAGE_ACCEPT",
    "FeedItem",
    "ParsedFeed",
    "WireFile",
    "extract_article",
    "fetch_article",
    "fetch_feed",
    "parse_feed",
    "scan_wire_folder",
]
