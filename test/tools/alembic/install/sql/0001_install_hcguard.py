"""install hcguard (SQL edition, vendored as hcguard.sql next to alembic.ini)

Revision ID: 0001
Revises:
"""
from pathlib import Path

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    sql = (Path(__file__).resolve().parent.parent / "hcguard.sql").read_text()
    # Through the DBAPI cursor, in the migration's transaction: the file's
    # "%" and ":" are SQL, not parameters for SQLAlchemy or psycopg2.
    op.get_bind().connection.cursor().execute(sql)


def downgrade():
    raise NotImplementedError("remove hcguard with hcguard-uninstall.sql")
