"""The detail ledger: talks, participants, rectification items, attachments, drafts, history; pinyin search.

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime
from storage.people import pinyin_key

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("pinyin", sa.String(200), nullable=False, server_default=""))
    connection = op.get_bind()
    for person_id, name in connection.execute(sa.text("SELECT id, name FROM people")).all():
        connection.execute(
            sa.text("UPDATE people SET pinyin = :pinyin WHERE id = :id"), {"pinyin": pinyin_key(name), "id": person_id}
        )
    op.create_table(
        "talks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("ledger_no", sa.String(16), nullable=False, unique=True),
        sa.Column("kind", sa.String(32), nullable=False, index=True),
        sa.Column("format", sa.String(16), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("held_at", UtcDateTime, nullable=False, index=True),
        sa.Column("time_known", sa.Boolean, nullable=False),
        sa.Column("place", sa.String(100), nullable=False),
        sa.Column("topic", sa.String(200), nullable=False),
        sa.Column("content", sa.Text, nullable=False),
        sa.Column("lead_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("logged_by_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("deleted", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "talk_drafts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("owner_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("step", sa.String(32), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("data", sa.Text, nullable=False),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE")),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "ledger_counters",
        sa.Column("year", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("last", sa.Integer, nullable=False),
    )
    op.create_table(
        "talk_participants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("rank_level", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
    )
    op.create_table(
        "rectification_items",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("problem", sa.String(500), nullable=False),
        sa.Column("measure", sa.String(500), nullable=False),
        sa.Column("deadline", sa.Date, nullable=False),
        sa.Column("responsible_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("second_responsible_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "attachments",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), index=True),
        sa.Column("draft_id", sa.Integer, sa.ForeignKey("talk_drafts.id", ondelete="SET NULL"), index=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("file_name", sa.String(200), nullable=False),
        sa.Column("telegram_file_id", sa.String(200), nullable=False),
        sa.Column("size", sa.Integer, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "talk_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("talk_id", sa.Integer, sa.ForeignKey("talks.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("actor_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("field", sa.String(32), nullable=False),
        sa.Column("before", sa.Text, nullable=False),
        sa.Column("after", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in (
        "talk_changes",
        "attachments",
        "rectification_items",
        "talk_participants",
        "ledger_counters",
        "talk_drafts",
        "talks",
    ):
        op.drop_table(table)
    with op.batch_alter_table("people") as people:
        people.drop_column("pinyin")
