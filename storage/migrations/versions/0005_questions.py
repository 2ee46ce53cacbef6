"""Saved questions (for the buttons under an answer) and indexes for the summary queries.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "saved_questions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_index("ix_participants_subject_rows", "talk_participants", ["talk_id", "role", "rank_level", "unit_id"])
    op.create_index("ix_talks_period", "talks", ["held_at", "kind", "deleted"])


def downgrade() -> None:
    op.drop_index("ix_talks_period", "talks")
    op.drop_index("ix_participants_subject_rows", "talk_participants")
    op.drop_table("saved_questions")
