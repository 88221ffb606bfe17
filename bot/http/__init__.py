"""The gateway's JSON API, all under /api.

inputs.py     reading requests: body size, JSON, session ids, rate limits
chat.py       POST /api/chat, GET /api/history, POST /api/forget, GET /health
search.py     GET /api/search
resources.py  GET /api/resources
staff.py      the staff API (/api/staff/...) and its live WebSocket
"""
