"""The feedback counts as release 1d7feda made them with create_all.

Revision ID: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "section_feedback",
        sa.Column("chunk_id", sa.String(300), primary_key=True),
        sa.Column("day", sa.Date(), primary_key=True),
        sa.Column("doc_id", sa.String(200), nullable=False),
        sa.Column("section", sa.String(300), nullable=False),
        sa.Column("helpful", sa.Integer(), nullable=False),
        sa.Column("not_helpful", sa.Integer(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("section_feedback")
