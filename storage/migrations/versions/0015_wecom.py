"""WeCom: a member's corp UserID gets a number the bot's runtime uses as its account id (wecom_accounts), and the
roster may name a person's UserID (企业微信账号), which links them without an invite.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "wecom_accounts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("user_id", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", UtcDateTime, nullable=False),
    )
    with op.batch_alter_table("people") as people:
        people.add_column(sa.Column("wecom_user_id", sa.String(64)))
        people.create_unique_constraint("uq_people_wecom_user_id", ["wecom_user_id"])


def downgrade() -> None:
    with op.batch_alter_table("people") as people:
        people.drop_constraint("uq_people_wecom_user_id", type_="unique")
        people.drop_column("wecom_user_id")
    op.drop_table("wecom_accounts")
