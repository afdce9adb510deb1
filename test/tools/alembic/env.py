"""Alembic's generic env.py, online mode only, with the application's
MetaData as target_metadata, so that `alembic revision --autogenerate`
compares the models with the database."""
import os
import sys
from logging.config import fileConfig

from alembic import context
from sqlalchemy import create_engine, pool

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from models import metadata  # noqa: E402

config = context.config
if config.config_file_name is not None:
    fileConfig(config.config_file_name)

# postgresql+psycopg2:///NAME: libpq takes the rest from PGHOST, PGPORT, ...
url = "postgresql+psycopg2:///" + os.environ["HC_ALEMBIC_DB"]


def run_migrations_online():
    engine = create_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()


run_migrations_online()
