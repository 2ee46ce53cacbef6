"""The annual ledger: how often people must be talked to, interviewers' quotas, justified exclusions.

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("talk_every", sa.String(8), nullable=False, server_default=""))
        people.add_column(sa.Column("quota_talks", sa.Integer))
        people.add_column(sa.Column("quota_per", sa.String(8), nullable=False, server_default=""))
    op.create_table(
        "coverage_exclusions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("start", sa.Date, nullable=False),
        sa.Column("end", sa.Date, nullable=False),
        sa.Column("reason", sa.String(200), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("coverage_exclusions")
    with op.batch_alter_table("people") as people:
        for column in ("quota_per", "quota_talks", "talk_every"):
            people.drop_column(column)
