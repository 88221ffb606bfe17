"""PeerPath's shared library: what all three processes may import.

The gateway (bot/), the action server (actions/) and Rasa's process
(rasa_addons/, Python 3.10) import from here, never from each other. Rasa's
process may reach only the modules named in tests/specs/test_rasa_boundary.py
(a fast test follows every import of rasa_addons/ through this package; a slow
one imports each of them in Rasa's venv); the others may use what only the
app venv has (SQLAlchemy 2, torch).

settings.py   every setting, read once into frozen dataclasses (Secret hides values)
errors.py     the errors PeerPath raises on purpose, caught at the outer edge
protocol.py   the written protocol between the processes: payloads, intents,
              metadata, message kinds, hand-off requests, ticket states
types.py      what a person sends and PeerPath answers: OutMessage, Reply, Button
crisis.py     the crisis reply, in one place
asking.py     plain requests for a human ("operator", "real person please")
corrections.py "no, i meant vermont": corrections of the last question
flows.py      a direct question, or a request for a guided flow?
catalogue/    the replies' Spanish texts (es.yml)
minilm.py, wordpiece.py  the sentence encoder in numpy alone (Rasa's venv)
text.py       cleaning what people type, once, where it enters
vectors.py    a message vector in the metadata (the gateway embeds once)
ids.py        pseudonymous, keyed ids for conversations and log lines
hours.py      office hours for the hand-off
logs.py       logging set-up that never carries message text or secrets
entry.py      what every entry point does first
resources.py  the resource directory (knowledge/resources.yml)
feedback.py   helpful / not helpful counts per section
scrape.py     who may read a process's /metrics
search/       the knowledge index: dense (faiss) + BM25 (needs the app venv)
__main__.py   `python -m peerpath index|search|feedback-report`
"""
