"""A post Slack keeps refusing is given up after its attempts, and `/digest status` in the
channel says so with the last error (issue 12: failed deliveries are invisible)."""

from __future__ import annotations

from sqlalchemy import update

from bot.store.deliveries import MAX_ATTEMPTS
from bot.store.models import DeliveryRow
from tests.adapters.slack.conftest import SlackRig


async def test_status_shows_a_post_given_up_with_its_last_error(http_rig: SlackRig) -> None:
    rig = http_rig
    reply = await rig.side.command("subscribe desk on arrival backfill 1", channel="C1")
    assert reply["response_type"] == "in_channel", reply
    rig.fake.fail("chat.postMessage", "msg_blocks_too_long", channel="C1")
    await rig.run_pass()
    with rig.services.store.tx() as s:  # four attempts made; the fifth is due now
        s.execute(update(DeliveryRow).values(attempts=MAX_ATTEMPTS - 1, next_attempt=None))
    rig.fake.fail("chat.postMessage", "msg_blocks_too_long", channel="C1")
    await rig.run_pass()
    assert rig.fake.messages.get("C1", []) == []

    status = await rig.side.command("status", channel="C1")
    text = str(status)
    assert "1 post(s) failed for good" in text and "msg_blocks_too_long" in text
