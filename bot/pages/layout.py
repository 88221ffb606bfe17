"""A plain, accessible page shell shared by PeerPath's server-rendered pages."""

from __future__ import annotations

from html import escape

STYLE = """
:root { --ink: #1d2a33; --muted: #4a5a66; --accent: #0b6e4f; --bg: #f7f5f0; --card: #fff; }
* { box-sizing: border-box; }
body { margin: 0; font: 17px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); background: var(--bg); }
header.site { background: var(--accent); color: #fff; padding: .8rem 1.2rem; }
header.site a { color: #fff; text-decoration: none; font-weight: 700; }
main { max-width: 52rem; margin: 0 auto; padding: 1.2rem; }
a { color: #07573e; }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible {
  outline: 3px solid #c25e00; outline-offset: 2px; }
.card { background: var(--card); border-radius: .6rem; padding: 1rem 1.2rem; margin: 1rem 0;
        box-shadow: 0 1px 3px rgba(0,0,0,.12); }
.muted { color: var(--muted); }
.sources li { margin: .3rem 0; }
@media print { header.site, .no-print { display: none; } body { background: #fff; }
               .card { box-shadow: none; border: 1px solid #999; } }
@media (prefers-reduced-motion: reduce) {
  * { transition: none !important; animation: none !important; } }
"""


def page(title: str, body: str, *, head: str = "") -> str:
    """A whole HTML page; `body` and `head` must already be safe HTML."""
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)} · PeerPath</title>
<style>{STYLE}</style>
{head}
</head>
<body>
<header class="site"><a href="/">PeerPath</a></header>
<main id="main">
{body}
</main>
</body>
</html>"""
