"""Alembic's entry for this store's migrations (peerpath/migrations runs them)."""

from alembic import context

from peerpath.migrations import run_env

run_env(context)
