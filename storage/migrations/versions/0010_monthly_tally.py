"""The monthly tally: talks and person-times per local month, kind, unit sub-tree and rank level.

Empty here: the bot builds it at start-up in the organisation's time zone (storage.tally.ensure).

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "talk_tallies",
        sa.Column("unit_id", sa.Integer, primary_key=True),
        sa.Column("rank_level", sa.String(32), primary_key=True),
        sa.Column("month", sa.String(7), primary_key=True),
        sa.Column("kind", sa.String(32), primary_key=True),
        sa.Column("talks", sa.Integer, nullable=False),
        sa.Column("person_times", sa.Integer, nullable=False),
    )
    op.create_table(
        "tally_settings",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("time_zone", sa.String(64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("tally_settings")
    op.drop_table("talk_tallies")
