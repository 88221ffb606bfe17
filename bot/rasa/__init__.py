"""The gateway's side of Rasa.

client.py   the REST channel (messages) and HTTP API (tracker events, health)
replies.py  Rasa's replies -> PeerPath messages, and the control payloads in them
tracker.py  a conversation's history from tracker events; forgetting its rows
"""
