"""An index on the second responsible person of an item: "my items" asks for items a person is responsible for
either way, and without it every item was read.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_rectification_items_second_responsible_id", "rectification_items", ["second_responsible_id"])


def downgrade() -> None:
    op.drop_index("ix_rectification_items_second_responsible_id", "rectification_items")
