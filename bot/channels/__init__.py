"""People's channels. Each hands messages to Conversations and delivers
hand-off news to people on its own medium; no channel imports another.

web.py       the chat widget's WebSocket (/ws) and live pushes
telegram/    Telegram through python-telegram-bot (people and the staff group)
"""
