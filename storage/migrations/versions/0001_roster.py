"""The roster: units, people and their role grants.

Revision ID: 0001
"""

import sqlalchemy as sa
from alembic import op

from storage.models import UtcDateTime

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "units",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("path", sa.String(500), nullable=False, unique=True),
        sa.Column("parent_id", sa.Integer, sa.ForeignKey("units.id"), index=True),
    )
    op.create_table(
        "people",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("name", sa.String(64), nullable=False, index=True),
        sa.Column("position", sa.String(128), nullable=False),
        sa.Column("rank_level", sa.String(32), nullable=False),
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False, index=True),
        sa.Column("telegram_user_id", sa.BigInteger, unique=True),
        sa.Column("language", sa.String(8)),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", UtcDateTime, nullable=False),
        sa.Column("updated_at", UtcDateTime, nullable=False),
    )
    op.create_table(
        "role_grants",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id", ondelete="CASCADE"), nullable=False, index=True),
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("scope_unit_id", sa.Integer, sa.ForeignKey("units.id"), nullable=False),
        sa.UniqueConstraint("person_id", "role", "scope_unit_id"),
    )


def downgrade() -> None:
    op.drop_table("role_grants")
    op.drop_table("people")
    op.drop_table("units")
