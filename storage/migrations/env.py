"""Alembic environment. Migrations run on a connection handed in by storage.db (see `upgrade`),
so they work the same from the CLI, at start-up and inside tests' event loops."""

from alembic import context

from storage.models import Base

connection = context.config.attributes.get("connection")
if connection is None:
    raise SystemExit("Run migrations with `talkledger db upgrade`, not with the alembic command.")

context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
