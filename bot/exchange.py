"""A channel's subscriptions as a file: OPML (what every feed reader imports and exports) and
JSON (everything Wirebrief keeps), and either read back.

OPML carries each feed as an ``<outline type="rss" xmlUrl=…>``; Wirebrief's own settings ride
along as attributes in their own namespace, which other readers ignore. Reading accepts any
reader's OPML (nested folders included: every outline with an ``xmlUrl``), our JSON, or a JSON
list of URLs. Files are untrusted: size- and count-capped, XML parsed with ``defusedxml`` (no
entities, no DTDs), every value then checked by the same grammar as a typed subscription.
Pure: no I/O."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from bot.domain import ChannelRef, SubscriptionInfo, SubscriptionOptions
from bot.errors import UserInputError

FORMATS = ("opml", "json")
MAX_FILE_BYTES = 1024 * 1024
MAX_ENTRIES = 200
NS = "https://github.com/wirebrief/wirebrief/opml"
JSON_KIND = "wirebrief-subscriptions"
ET.register_namespace("wirebrief", NS)
#: Settings that name something of one platform (a role, a user group, a forum): kept only
#: when the file was exported from a channel of the same platform.
PLATFORM_BOUND = ("mention", "mention_when", "target", "post_as", "avatar")


@dataclass(frozen=True)
class Entry:
    """One subscription read from a file: a feed URL or a wire name, and its settings."""

    source: str
    name: str | None = None
    cron: str | None = None
    timezone: str | None = None
    options: SubscriptionOptions = field(default_factory=SubscriptionOptions)
    platform: str | None = None  # where it was exported from, if the file says


@dataclass
class ImportReport:
    """What an import did, entry by entry, for a one-paragraph answer."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # platform-bound settings left behind

    def summary(self) -> str:
        total = len(self.added) + len(self.updated) + len(self.skipped)
        text = f"Imported {len(self.added) + len(self.updated)} of {total}: {len(self.added)} new"
        text += f", {len(self.updated)} already here (settings updated)" if self.updated else ""
        if self.dropped:
            text += f"; {len(self.dropped)} mention, forum or poster setting(s) from another platform left out"
        if self.skipped:
            text += f"; skipped {len(self.skipped)}: " + "; ".join(f"{src}: {why}" for src, why in self.skipped[:10])
            text += " …" if len(self.skipped) > 10 else ""
        return text + "."


def source_of(sub: SubscriptionInfo) -> str:
    """What a user would type to subscribe to it again: the feed URL or the wire's name."""
    return sub.source.name if sub.source.kind == "wire" else sub.source.url


def export_json(channel: ChannelRef, subs: list[SubscriptionInfo]) -> str:
    entries = []
    for sub in subs:
        entry: dict[str, object] = {"source": source_of(sub), "name": sub.source.name, "schedule": str(sub.schedule)}
        entry |= {"cron": sub.schedule.cron, "timezone": sub.schedule.timezone, **sub.options.to_json()}
        entries.append(entry)
    document = {
        "kind": JSON_KIND,
        "version": 1,
        "channel": str(channel),
        "platform": channel.platform,
        "exported": datetime.now(UTC).isoformat(timespec="seconds"),
        "subscriptions": entries,
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def export_opml(channel: ChannelRef, subs: list[SubscriptionInfo]) -> str:
    root = ET.Element("opml", {"version": "2.0"})
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = f"Wirebrief subscriptions of {channel}"
    ET.SubElement(head, "dateCreated").text = format_datetime(datetime.now(UTC))
    body = ET.SubElement(root, "body")
    for sub in subs:
        name = " ".join(sub.source.name.split()) or sub.source.url
        attrs = {"text": name, "title": name}
        if sub.source.kind == "wire":
            attrs[f"{{{NS}}}wire"] = sub.source.name
        else:
            attrs |= {"type": "rss", "xmlUrl": sub.source.url}
        if sub.schedule.cron:
            attrs[f"{{{NS}}}cron"] = sub.schedule.cron
        attrs[f"{{{NS}}}timezone"] = sub.schedule.timezone
        for key, value in sub.options.to_json().items():
            attrs[f"{{{NS}}}{key}"] = str(value)
        if any(getattr(sub.options, key) for key in PLATFORM_BOUND):
            attrs[f"{{{NS}}}platform"] = channel.platform
        ET.SubElement(body, "outline", attrs)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def export(channel: ChannelRef, subs: list[SubscriptionInfo], fmt: str) -> str:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise UserInputError(f"export format must be opml or json, not {fmt!r}")
    return export_opml(channel, subs) if fmt == "opml" else export_json(channel, subs)


def read_entries(data: bytes) -> list[Entry]:
    """The subscriptions in an OPML or JSON file; UserInputError saying what is wrong with it."""
    if len(data) > MAX_FILE_BYTES:
        raise UserInputError(f"that file is over {MAX_FILE_BYTES // 1024} KB; a subscription list is far smaller")
    text = data.decode("utf-8-sig", errors="replace").strip()
    if not text:
        raise UserInputError("that file is empty")
    entries = _from_json(text) if text[0] in "[{" else _from_opml(data)
    if not entries:
        raise UserInputError("that file names no feeds (OPML outlines with xmlUrl, or Wirebrief's JSON export)")
    if len(entries) > MAX_ENTRIES:
        raise UserInputError(f"that file names {len(entries)} feeds; import at most {MAX_ENTRIES} at a time")
    return entries


def _from_json(text: str) -> list[Entry]:
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise UserInputError(f"that is not valid JSON ({exc.msg} at line {exc.lineno})") from None
    if isinstance(document, list):
        return [Entry(str(url).strip()) for url in document if isinstance(url, str) and url.strip()]
    if not isinstance(document, dict) or not isinstance(document.get("subscriptions"), list):
        raise UserInputError('that JSON is not a Wirebrief export (no "subscriptions" list) nor a list of URLs')
    platform = document.get("platform") if isinstance(document.get("platform"), str) else None
    entries = []
    for item in document["subscriptions"]:
        if not isinstance(item, dict) or not isinstance(item.get("source"), str) or not item["source"].strip():
            raise UserInputError('each subscription in the JSON needs a "source" (a feed URL or a wire name)')
        options = SubscriptionOptions.from_json({k: v for k, v in item.items() if v is not None})
        name, cron, zone = _str(item.get("name")), _str(item.get("cron")), _str(item.get("timezone"))
        entries.append(Entry(item["source"].strip(), name, cron, zone, options, platform))
    return entries


def _from_opml(data: bytes) -> list[Entry]:
    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except (ET.ParseError, DefusedXmlException) as exc:
        raise UserInputError(f"that is neither JSON nor OPML Wirebrief can read ({exc})") from None
    if root.tag.lower() != "opml":
        raise UserInputError(f"that XML is not OPML (its root is <{root.tag[:40]}>)")
    entries = []
    for outline in root.iter("outline"):
        attrs = {_attr_name(k): v for k, v in outline.attrib.items()}
        source = attrs.get("xmlurl") or attrs.get("wirebrief:wire")
        if not source or not source.strip():
            continue  # a folder, or a link that is not a feed
        known = {k.removeprefix("wirebrief:"): v for k, v in attrs.items() if k.startswith("wirebrief:")}
        options = SubscriptionOptions.from_json({k: _int_or_str(k, v) for k, v in known.items()})
        name = attrs.get("title") or attrs.get("text")
        cron, zone, platform = known.get("cron"), known.get("timezone"), known.get("platform")
        entries.append(Entry(source.strip(), name, cron, zone, options, platform))
    return entries


def _attr_name(key: str) -> str:
    """``{ns}cron`` → ``wirebrief:cron``; plain OPML attributes in lower case (``xmlUrl``, ``xmlurl``)."""
    if key.startswith(f"{{{NS}}}"):
        return "wirebrief:" + key[len(NS) + 2 :]
    return key.lower()


def _int_or_str(key: str, value: str) -> object:
    return int(value) if key == "max_per_hour" and value.strip().isdigit() else value


def _str(value: object) -> str | None:
    return value.strip() or None if isinstance(value, str) else None
