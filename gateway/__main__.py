"""Run the gateway alone: `python -m gateway` (the supervisor runs it this way)."""

from __future__ import annotations

import sys

from peerpath import entry


def main() -> int:
    settings = entry.start()
    if settings is None:
        return 2
    import uvicorn

    from gateway.app import create_app

    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        access_log=False,  # request lines carry query strings, i.e. what people typed
        log_config=None,
        proxy_headers=False,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
