"""Mention the bot with a link, get the digest as a reply to your message.

Discord sends a message's content to a bot that is mentioned in it even without the
privileged Message Content intent, so this works with the default intents only.
"""

from __future__ import annotations

import asyncio
import logging
import re

import discord

from adapters.discord import replies
from adapters.discord.render import digest_embed
from bot.errors import FetchError, WirebriefError
from bot.services import Services

log = logging.getLogger(__name__)

MAX_LINKS = 3
# A bare link, or one wrapped in <…> (Discord's "no preview" form).
_LINK = re.compile(r"<?(https?://[^\s<>|]+)>?", re.IGNORECASE)
_TRAILING = ".,;:!?'\"*_~"
NONE = discord.AllowedMentions.none()


def extract_links(content: str, limit: int = MAX_LINKS) -> list[str]:
    """Up to ``limit`` distinct http(s) links, in order, without trailing punctuation."""
    links: list[str] = []
    for match in _LINK.finditer(content):
        url = match.group(1).rstrip(_TRAILING)
        if url.endswith(")") and url.count("(") < url.count(")"):
            url = url[:-1]
        if url not in links:
            links.append(url)
        if len(links) == limit:
            break
    return links


def is_addressed_to(message: discord.Message, me: discord.abc.User | None) -> bool:
    """An explicit ``@Wirebrief`` typed by a person: not @everyone, not another bot, and not
    the implicit mention Discord adds when someone merely replies to one of our posts."""
    if me is None or message.author.bot or message.author.id == me.id:
        return False
    if not any(user.id == me.id for user in message.mentions):
        return False
    return f"<@{me.id}>" in message.content or f"<@!{me.id}>" in message.content


async def _digest_one(services: Services, url: str) -> discord.Embed | str:
    try:
        return digest_embed(await services.digest_link(url))
    except FetchError as exc:
        log.info("discord: link %s not digested: %s (%s)", url, exc.reason, exc)
        return replies.fetch_failure(exc, url)
    except WirebriefError as exc:
        return replies.fetch_failure(FetchError("other", str(exc)), url)
    except Exception:
        log.exception("discord: digesting link %s failed", url)
        return replies.INTERNAL_ERROR


async def handle_mention(message: discord.Message, services: Services) -> None:
    """Reply to the message once per link (digest or reason), or with a one-line help."""
    links = extract_links(message.content)
    if not links:
        await message.reply(replies.MENTION_HELP, allowed_mentions=NONE, mention_author=False)
        return
    async with message.channel.typing():
        results = await asyncio.gather(*(_digest_one(services, url) for url in links))
    for result in results:
        if isinstance(result, discord.Embed):
            await message.reply(embed=result, allowed_mentions=NONE, mention_author=False)
        else:
            await message.reply(replies.clip(result), allowed_mentions=NONE, mention_author=False)
