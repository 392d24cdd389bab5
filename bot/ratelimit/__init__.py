"""Platform rate limits shared by every process that uses one bot token.

Discord allows a bot token 50 requests a second in all (and less on some routes); Slack one
message a second per channel. Those limits belong to the token, not to a process, so two
instances that pace themselves separately still overrun them. Every REST call an adapter
makes passes :meth:`Limiter.acquire` first: the limiter reserves the earliest moment the
request may go out in each bucket it belongs to and sleeps until then.

The buckets are GCRA (the generic cell rate algorithm): a bucket stores one number, the
theoretical arrival time of its next request, so a reservation is one atomic step. With
``[redis] url`` configured the buckets live in Redis (one Lua script, Redis's own clock, so
processes on several machines agree); without it, in this process's memory — the
single-process default. If Redis stops answering the limiter carries on in memory, says
so once, and goes back to Redis when it answers again.
"""

from bot.ratelimit.buckets import Rate, Reservation
from bot.ratelimit.limiter import Limiter, TooLong, namespace_for

__all__ = ["Limiter", "Rate", "Reservation", "TooLong", "namespace_for"]
