"""A channel's own defaults (its time zone), and its workspace's (stored under channel "*").

Subscribing without a time zone takes the channel's, then the workspace's, then the
configured default: a newsroom in Kyiv says so once, not on every subscription."""

from __future__ import annotations

from sqlalchemy import delete, select

from bot.domain import ChannelRef
from bot.store.base import StoreBase
from bot.store.models import ChannelSettingsRow
from bot.store.types import channel_key, utcnow

#: The channel column of a workspace-wide row.
WORKSPACE = "*"


class ChannelStore(StoreBase):
    def channel_timezone(self, channel: ChannelRef) -> tuple[str | None, str | None]:
        """(the channel's zone, the workspace's zone), either None when unset."""
        platform, workspace, chan = channel_key(channel)
        with self.tx() as s:
            rows = s.execute(
                select(ChannelSettingsRow.channel, ChannelSettingsRow.timezone).where(
                    ChannelSettingsRow.platform == platform,
                    ChannelSettingsRow.workspace.in_(sorted({workspace, ""})),
                    ChannelSettingsRow.channel.in_((chan, WORKSPACE)),
                )
            ).all()
        found = dict(rows)
        return found.get(chan), (found.get(WORKSPACE) if workspace else None)

    def set_channel_timezone(self, channel: ChannelRef, timezone: str | None, *, workspace_wide: bool = False) -> None:
        """Set (or with None, clear) the channel's — or its whole workspace's — default zone."""
        platform, workspace, chan = channel_key(channel)
        if workspace_wide:
            chan = WORKSPACE
        with self.tx() as s:
            if timezone is None:
                s.execute(
                    delete(ChannelSettingsRow).where(
                        ChannelSettingsRow.platform == platform,
                        ChannelSettingsRow.workspace == workspace,
                        ChannelSettingsRow.channel == chan,
                    )
                )
                return
            now = utcnow()
            s.execute(
                self.insert(ChannelSettingsRow)
                .values(platform=platform, workspace=workspace, channel=chan, timezone=timezone, updated=now)
                .on_conflict_do_update(
                    index_elements=["platform", "workspace", "channel"], set_={"timezone": timezone, "updated": now}
                )
            )
