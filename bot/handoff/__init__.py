"""Hand-off to a human peer: a persisted, channel-independent ticket queue.

store.py    tickets, relayed messages and the outbox (SQLAlchemy)
service.py  what happens: open, claim, relay, end, cancel, callbacks, expiry
outbox.py   delivery to people and staff, retried until it works
replies.py  what PeerPath says to a person about their hand-off
staff.py    who counts as staff (tokens)
"""
