"""The questions PeerPath could not answer well, counted per week (no text).

Revision ID: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "question_gaps",
        sa.Column("week", sa.Date(), primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),
        sa.Column("doc_id", sa.String(200), primary_key=True),
        sa.Column("section", sa.String(300), primary_key=True),
        sa.Column("topic", sa.String(50), primary_key=True),
        sa.Column("count", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("question_gaps")
