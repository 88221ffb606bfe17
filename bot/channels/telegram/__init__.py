"""The Telegram channel: people in private chats, peers in one staff group.

format.py   PeerPath messages -> Telegram HTML text, links, inline keyboards
channel.py  python-telegram-bot Application: handlers, polling or webhook
staff.py    the staff group: ticket cards, claim, relay, /end, /queue
"""
