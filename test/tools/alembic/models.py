"""The application's models: one table, as its migrations create it."""
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, func

metadata = MetaData()

contact_email_optouts = Table(
    "contact_email_optouts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("email", String(80), nullable=False, unique=True),
    Column("reason", String(255)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
)
