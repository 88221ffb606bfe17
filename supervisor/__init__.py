"""The supervisor: starts PeerPath's processes, watches their health, stops them together.

process.py  children, their output, health checks, start-up order and shutdown
"""
