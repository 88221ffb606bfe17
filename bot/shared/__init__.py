"""The gateway's state shared across replicas, in Redis; used only when REDIS_URL is set.

Without REDIS_URL each gateway keeps this state in its own memory, as one
gateway always has (bot/ratelimit.py, bot/events.py, the Telegram
channel's Payloads). With it, any gateway serves any person:

client.py    the Redis client (short timeouts) and the breaker that skips Redis in an outage
limits.py    RedisLimiter: sliding-window rate limits shared by every gateway
events.py    RedisEventBus: live events for screens connected to any gateway
payloads.py  SharedPayloads: Telegram button payloads that outlive a restart
sessions.py  RedisSessionRecords: when each web session was last used, and revocations
lease.py     Lease, LeaseKeeper: one gateway at a time polls Telegram
state.py     SharedState: the client and the bus, opened and closed with the gateway

Keys all start with `peerpath:`. Redis holds nothing that can't be lost:
when it is down, limits allow, events stay local, and buttons work where
they were sent. Import from the modules: this package imports nothing, so
the gateway loads python-telegram-bot only when Telegram is on.
"""
