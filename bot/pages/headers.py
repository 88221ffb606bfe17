"""Response headers for the gateway's own pages and static files."""

from __future__ import annotations

# Our pages load scripts only from this origin and never inline: an injected
# <script> in shown text could not run even if escaping failed somewhere.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'; object-src 'none'"
)


def page_headers() -> dict[str, str]:
    """Headers for an HTML page of the gateway's own."""
    return {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
    }


def static_headers() -> dict[str, str]:
    """Headers for a script or stylesheet; widget.js is loaded by other sites."""
    return {
        "Cache-Control": "no-cache",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Resource-Policy": "cross-origin",
    }
