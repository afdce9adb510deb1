"""contact email opt-outs: needs Contact.Email mapped and synced

Revision ID: 0002
Revises: 0001
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.execute("SELECT hcguard_required('salesforce', 'contact', 'email')")
    op.create_table(
        "contact_email_optouts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("email", sa.String(80), nullable=False, unique=True),
        sa.Column("reason", sa.String(255)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
    )


def downgrade():
    op.drop_table("contact_email_optouts")
