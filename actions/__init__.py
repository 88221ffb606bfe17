"""PeerPath's Rasa custom actions, one module per feature."""
