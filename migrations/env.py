"""Alembic environment: runs against the Flask app's engine and Consult's metadata."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app

from consult.database import include_for_dialect

config = context.config
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

db = current_app.extensions["migrate"].db
config.set_main_option("sqlalchemy.url", db.engine.url.render_as_string(hide_password=False).replace("%", "%%"))


def run_migrations_offline():
    """Emit SQL for the migrations without a database connection."""
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=db.metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run the migrations on the app's database."""

    def process_revision_directives(_context, _revision, directives):
        # No empty revision when autogenerate finds no change.
        if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
            directives[:] = []
            logger.info("No changes in schema detected.")

    conf_args = dict(current_app.extensions["migrate"].configure_args)
    conf_args.setdefault("process_revision_directives", process_revision_directives)
    # The search index tables are made by hand (consult/search/schema.py): autogenerate must not drop them.
    from consult.search.schema import is_index_table

    conf_args.setdefault("include_name", lambda name, type_, parent: not (type_ == "table" and is_index_table(name)))
    with db.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        if sqlite:
            # Batch migrations rebuild SQLite tables that others point at: check foreign keys after, not during.
            # (The pragma is a no-op inside a transaction, so it goes straight to the driver's connection.)
            raw = connection.connection.driver_connection
            raw.execute("PRAGMA foreign_keys=OFF")
        conf_args.setdefault("include_object", include_for_dialect(connection.dialect.name))
        context.configure(connection=connection, target_metadata=db.metadata, **conf_args)
        with context.begin_transaction():
            context.run_migrations()
        if sqlite:
            broken = raw.execute("PRAGMA foreign_key_check").fetchall()
            raw.execute("PRAGMA foreign_keys=ON")
            if broken:
                raise RuntimeError(f"the migration left rows pointing at missing rows: {broken[:5]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
