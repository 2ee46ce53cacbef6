"""The inbox: every update stored before it is acknowledged, handled from there, pruned once handled; one that
cannot be handled is kept as a dead letter.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger, primary_key=True, autoincrement=False),
        sa.Column("user_id", sa.BigInteger),
        sa.Column("raw", sa.Text, nullable=False),
        sa.Column("received_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("handled_at", UtcDateTime),
    )
    # Start-up reads the unhandled rows, the CLI the dead ones, pruning the handled ones before a time: by state.
    op.create_index("ix_inbox_state_handled_at", "inbox", ["state", "handled_at"])


def downgrade() -> None:
    op.drop_index("ix_inbox_state_handled_at", "inbox")
    op.drop_table("inbox")
