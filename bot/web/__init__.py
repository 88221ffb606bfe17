"""The gateway's web pages and widget."""
