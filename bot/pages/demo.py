"""GET /: a demo page in the style of the coalition's website, with the chat widget on it.

It stands in for a page of someone else's site, so it has its own look rather
than PeerPath's page shell: the widget must work on a page it doesn't style.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import HTMLResponse

from bot.pages.headers import page_headers

DEMO = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Trainings · Wellness Workforce Coalition (demo)</title>
<style>
body { margin: 0; font: 18px/1.6 Georgia, "Times New Roman", serif; color: #222;
       background: #fbfaf7; }
.demo-note { margin: 0; padding: .5rem 1rem; background: #fff3c4; color: #3d3000;
             font: 15px/1.4 system-ui, sans-serif; text-align: center; }
header { background: #234e70; color: #fff; padding: 1.2rem 1rem; }
header .inner, main, footer .inner { max-width: 48rem; margin: 0 auto; }
header p { margin: 0; font: 15px system-ui, sans-serif; letter-spacing: .04em; }
header h1 { margin: .2rem 0 0; font-size: 1.7rem; }
nav { background: #1a3a54; font: 16px system-ui, sans-serif; }
nav ul { display: flex; flex-wrap: wrap; gap: 1.2rem; max-width: 48rem; margin: 0 auto;
         padding: .6rem 1rem; list-style: none; }
nav a { color: #fff; }
main { padding: 1rem; }
h2 { color: #234e70; }
a { color: #1c4f7c; }
a:focus-visible { outline: 3px solid #c25e00; outline-offset: 2px; }
.callout { border-left: 5px solid #234e70; background: #fff; padding: .8rem 1rem; }
footer { margin-top: 3rem; background: #eceae4; font: 15px system-ui, sans-serif; }
footer .inner { padding: 1rem; }
</style>
</head>
<body>
<aside class="demo-note" aria-label="About this demo">This is a demo page showing how the
PeerPath chat fits on the coalition's website. It is not the coalition's real site.</aside>
<header><div class="inner">
<p>VERMONT PEER NETWORK</p>
<h1>Wellness Workforce Coalition</h1>
</div></header>
<nav aria-label="Site"><ul>
<li><a href="/">Trainings</a></li>
<li><a href="/resources">Resources for counselors</a></li>
<li><a href="/kb/wellness-workforce-coalition">About the coalition</a></li>
</ul></nav>
<main>
<h2>Trainings for peer workers</h2>
<p>The coalition brings together peer-run organizations from across Vermont so that people
who use their own experience of mental health or substance use recovery to support others
can learn, grow and find good work together. Each member group keeps its own character;
the coalition helps them share trainings and speak up for the peer workforce.</p>
<p>Throughout the year we host trainings in <strong>WRAP</strong> (Wellness Recovery Action
Planning) and <strong>Intentional Peer Support</strong>, along with shorter information
sessions and workshops in different parts of the state. Peer workers from member
organizations and from community mental health agencies learn side by side.</p>
<div class="callout">
<p><strong>Thinking about peer work as a job?</strong> Our assistant, PeerPath, can answer
questions about trainings, certification, working while on benefits, and what the work is
like. It can also put you in touch with a peer supporter. Use the
<em>Ask PeerPath</em> button at the bottom of the page.</p>
</div>
<h2>Upcoming sessions</h2>
<p>Dates and places change through the year. Ask PeerPath about a training, or check back
here for the next WRAP and Intentional Peer Support sessions.</p>
</main>
<footer><div class="inner">
<p>Wellness Workforce Coalition · Vermont Peer Network (demo page)</p>
</div></footer>
<script src="/widget.js" data-title="Ask PeerPath" data-position="right" defer></script>
</body>
</html>"""


async def demo(request: Request) -> HTMLResponse:
    """The coalition-style demo page with the widget embedded by one script tag."""
    return HTMLResponse(DEMO, headers=page_headers())
