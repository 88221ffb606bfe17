"""An index on tickets.closed_at: retention and the team's reports read by it.

Revision ID: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_tickets_closed_at", "tickets", ["closed_at"])


def downgrade() -> None:
    op.drop_index("ix_tickets_closed_at", table_name="tickets")
