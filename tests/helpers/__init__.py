"""Helpers shared by PeerPath's tests."""
