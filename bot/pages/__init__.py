"""The gateway's server-rendered pages and static files.

site.py     /, /resources (counselor lookup), /staff (staff console), /widget.js, /static/
demo.py     the coalition-style demo page with the chat widget
kb.py       /kb/<doc>: a knowledge article as a page
layout.py   the page shell; headers.py: security headers for pages and files
static/     widget.js (embedded by other sites), lookup.js, staff.js, dom.js, pages.css
"""
