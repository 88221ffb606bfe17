"""Counselors' lists for a client (passages and directory entries by id, a note),
each behind an unguessable link until it expires.

Revision ID: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "shared_lists",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("items", sa.Text(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_shared_lists_expires_at", "shared_lists", ["expires_at"])


def downgrade() -> None:
    op.drop_index("ix_shared_lists_expires_at", "shared_lists")
    op.drop_table("shared_lists")
