"""Who may read a process's /metrics (the gateway's and the action server's alike).

With METRICS_TOKEN set, a scraper sends it as a Bearer token; without it, only a
client on this machine is served. The caller passes the client's real address
(for the gateway, the one a trusted proxy forwards: a proxy in front does not
make everyone local).
"""

from __future__ import annotations

import hmac
import ipaddress

NEED_TOKEN = "A metrics token is needed."
LOCAL_ONLY = "Metrics are served to this machine only."


def refusal(token: str, authorization: str, address: str) -> tuple[int, str] | None:
    """None if the scrape may go on; else the status and the reason to answer with."""
    if token:
        given = authorization[7:].strip() if authorization.lower().startswith("bearer ") else ""
        if not hmac.compare_digest(given.encode(), token.encode()):
            return 401, NEED_TOKEN
        return None
    try:
        local = ipaddress.ip_address(address).is_loopback
    except ValueError:
        local = False
    return None if local else (403, LOCAL_ONLY)
