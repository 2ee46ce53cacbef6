"""Talk time, kind and deletion copied onto participant rows, with a covering index: tallies read one table.

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("talk_participants") as participants:
        participants.add_column(sa.Column("held_at", UtcDateTime))
        participants.add_column(sa.Column("kind", sa.String(32), nullable=False, server_default=""))
        participants.add_column(sa.Column("counted", sa.Boolean, nullable=False, server_default=sa.true()))
    talk = "FROM talks WHERE talks.id = talk_participants.talk_id"
    op.execute(
        f"UPDATE talk_participants SET held_at = (SELECT held_at {talk}), kind = (SELECT kind {talk}), "
        f"counted = (SELECT NOT deleted {talk})"
    )
    op.create_index(
        "ix_participants_tally",
        "talk_participants",
        ["role", "counted", "held_at", "kind", "rank_level", "unit_id", "talk_id"],
    )
    # The same for questions about some units: one short range per unit instead of the whole period per unit.
    op.create_index(
        "ix_participants_unit_tally",
        "talk_participants",
        ["unit_id", "role", "counted", "held_at", "kind", "rank_level", "talk_id"],
    )


def downgrade() -> None:
    op.drop_index("ix_participants_unit_tally", "talk_participants")
    op.drop_index("ix_participants_tally", "talk_participants")
    with op.batch_alter_table("talk_participants") as participants:
        for column in ("counted", "kind", "held_at"):
            participants.drop_column(column)
