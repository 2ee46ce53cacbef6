"""A counter raised by the database itself with every write to talks or their participants: processes check it
before trusting an answer counted earlier. Triggers, so that no way of writing (the bot, the CLI, an operator's
SQL) can forget it.

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

TABLES = ("talks", "talk_participants")
RAISE = "UPDATE ledger_version SET version = version + 1"


def upgrade() -> None:
    table = op.create_table(
        "ledger_version",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(table, [{"id": 1, "version": 0}])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION raise_ledger_version() RETURNS trigger LANGUAGE plpgsql AS "
            f"$$ BEGIN {RAISE}; RETURN NULL; END $$"
        )
        for name in TABLES:  # once a statement: a bulk import raises it once
            op.execute(
                f"CREATE TRIGGER {name}_raise_ledger_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {name} "
                "FOR EACH STATEMENT EXECUTE FUNCTION raise_ledger_version()"
            )
        return
    for name in TABLES:  # SQLite's triggers fire once a row
        for event in ("insert", "update", "delete"):
            op.execute(
                f"CREATE TRIGGER {name}_{event}_raises_ledger_version AFTER {event.upper()} ON {name} "
                f"BEGIN {RAISE}; END"
            )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TABLES:
            op.execute(f"DROP TRIGGER {name}_raise_ledger_version ON {name}")
        op.execute("DROP FUNCTION raise_ledger_version()")
    else:
        for name in TABLES:
            for event in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {name}_{event}_raises_ledger_version")
    op.drop_table("ledger_version")
