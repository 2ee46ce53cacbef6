"""A closure table of the unit tree, so that summaries roll counts up to any level in SQL.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "unit_ancestors",
        sa.Column("unit_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("ancestor_id", sa.Integer, sa.ForeignKey("units.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("depth", sa.Integer, nullable=False),
        sa.Column("unit_depth", sa.Integer, nullable=False),
    )
    op.create_index("ix_unit_ancestors_level", "unit_ancestors", ["unit_id", "depth", "ancestor_id"])
    connection = op.get_bind()
    ids = {path: unit_id for unit_id, path in connection.execute(sa.text("SELECT id, path FROM units")).all()}
    rows = []
    for path, unit_id in ids.items():
        names = path.split("/")
        for level in range(1, len(names) + 1):
            ancestor = ids.get("/".join(names[:level]))
            if ancestor is not None:
                rows.append({"unit_id": unit_id, "ancestor_id": ancestor, "depth": level, "unit_depth": len(names)})
    if rows:
        table = sa.table(
            "unit_ancestors",
            sa.column("unit_id"),
            sa.column("ancestor_id"),
            sa.column("depth"),
            sa.column("unit_depth"),
        )
        op.bulk_insert(table, rows)


def downgrade() -> None:
    op.drop_table("unit_ancestors")
