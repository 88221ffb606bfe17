"""The gateway process (Python 3.11): every user-facing channel, in front of Rasa.

A message's path: a channel (channels/) or the JSON API (http/) hands it to
Conversations (conversations.py), the only door to Rasa, the hand-off queue,
history and forgetting. There, in order: input rules, the crisis safety net
(safety/), an open hand-off (handoff/), then Rasa (rasa/).

app.py            the Starlette app: routes, channels, error handling
services.py       long-lived parts, built once at start-up
server.py         the HTTP server: connection limits, clean logs
sessions.py       web sessions: signed tokens, idle expiry, revocation
language.py       the conversation's language (English or Spanish), kept per conversation
conversations.py  the message path
events.py         in-process live events for open screens
metrics.py        Prometheus series: counts and timings, no text, no ids (GET /metrics)
ratelimit.py      sliding-window limits per person and per client address
rasa/             Rasa's REST channel and HTTP API: client, replica router, replies, tracker
http/             the JSON API under /api (chat, history, search, resources, staff), /metrics
channels/         people's channels: web (widget WebSocket), telegram
handoff/          hand-off tickets, relayed messages, the delivery outbox
safety/           the crisis safety net: graded assessment before Rasa
shared/           with REDIS_URL: limits, live events, button payloads, polling lease
pages/            server-rendered pages: demo, counselor lookup, staff console, /kb
__main__.py       `python -m bot`
"""
