"""The peer desk: staff accounts (token hashes), the audit trail, notes on tickets,
saved replies, each ticket's language (earlier tickets: English) and when an urgent
ticket was last escalated, and how the person rated the chat.

Revision ID: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.add_column("tickets", sa.Column("lang", sa.String(8), nullable=False, server_default="en"))
    op.add_column("tickets", sa.Column("escalated_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("tickets", sa.Column("rating", sa.Integer(), nullable=True))
    op.create_table(
        "staff_accounts",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("role", sa.String(8), nullable=False),
        sa.Column("token_hash", sa.String(64), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_staff_accounts_token_hash", "staff_accounts", ["token_hash"], unique=True)
    op.create_table(
        "staff_actions",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(24), nullable=False),
        sa.Column("ticket_id", sa.String(16), nullable=False),
        sa.Column("target", sa.String(64), nullable=False),
    )
    op.create_index("ix_staff_actions_at", "staff_actions", ["at"])
    op.create_table(
        "ticket_notes",
        sa.Column("id", Id, primary_key=True, autoincrement=True),
        sa.Column(
            "ticket_id",
            sa.String(16),
            sa.ForeignKey("tickets.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("author", sa.String(64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_ticket_notes_ticket_id", "ticket_notes", ["ticket_id"])
    op.create_table(
        "saved_replies",
        sa.Column("title", sa.String(80), primary_key=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("lang", sa.String(8), nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("saved_replies")
    op.drop_table("ticket_notes")
    op.drop_table("staff_actions")
    op.drop_table("staff_accounts")
    with op.batch_alter_table("tickets") as batch:
        batch.drop_column("rating")
        batch.drop_column("escalated_at")
        batch.drop_column("lang")
