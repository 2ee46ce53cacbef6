"""Rectification follow-up: item states and reports, extension requests, awaited answers, the outbox.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("rectification_items") as items:
        items.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="problem"))
        items.add_column(sa.Column("acknowledged_at", UtcDateTime))
        items.add_column(sa.Column("closed_at", UtcDateTime))
        items.add_column(sa.Column("closed_by_id", sa.Integer, sa.ForeignKey("people.id", name="fk_items_closed_by")))
        items.add_column(sa.Column("planned_from", UtcDateTime))
    op.create_table(
        "item_reports",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("rectification_items.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "extension_requests",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "item_id",
            sa.Integer,
            sa.ForeignKey("rectification_items.id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        ),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False),
        sa.Column("requested", sa.Date, nullable=False),
        sa.Column("reason", sa.String(500), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("decided_by_id", sa.Integer, sa.ForeignKey("people.id")),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "awaited_answers",
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("purpose", sa.String(16), nullable=False),
        sa.Column("target_id", sa.Integer, nullable=False),
        sa.Column("at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("key", sa.String(120), nullable=False, unique=True),
        sa.Column(
            "recipient_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True
        ),
        sa.Column("item_id", sa.Integer, sa.ForeignKey("rectification_items.id", ondelete="CASCADE")),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("due_at", UtcDateTime, nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("last_error", sa.String(300), nullable=False),
        sa.Column("sent_message_id", sa.BigInteger),
        sa.Column("claimed_at", UtcDateTime),
        sa.Column("sent_at", UtcDateTime),
        sa.Column("payload", sa.Text, nullable=False),
    )
    op.create_index("ix_notifications_due", "notifications", ["state", "due_at"])
    with op.batch_alter_table("attachments") as attachments:
        attachments.add_column(
            sa.Column(
                "report_id",
                sa.Integer,
                sa.ForeignKey("item_reports.id", ondelete="CASCADE", name="fk_attachments_report"),
                index=True,
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("attachments") as attachments:
        attachments.drop_column("report_id")
    for table in ("notifications", "awaited_answers", "extension_requests", "item_reports"):
        op.drop_table(table)
    with op.batch_alter_table("rectification_items") as items:
        for column in ("planned_from", "closed_by_id", "closed_at", "acknowledged_at", "kind"):
            items.drop_column(column)
