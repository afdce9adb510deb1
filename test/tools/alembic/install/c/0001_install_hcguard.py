"""install hcguard (C extension)

Revision ID: 0001
Revises:
"""
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.execute("CREATE EXTENSION IF NOT EXISTS hcguard")


def downgrade():
    op.execute("DROP EXTENSION hcguard")
