"""Hand-off to a human peer: a persisted, channel-independent ticket queue.

hours.py    when peers are on (office hours in a timezone)
store.py    tickets, relayed messages and the outbox (SQLAlchemy)
service.py  what happens: open, claim, relay, end, cancel, callbacks, expiry
outbox.py   delivery to people and staff, retried until it works
api.py      the token-protected staff HTTP API (and its live WebSocket)
"""
