# The application's first migration, SQL edition: the application vendors
# heroku/hcguard.sql as hcguard.sql next to manage.py and runs it, as the
# database's owner (no superuser), in the migration's transaction.  Django
# splits the string into statements (sqlparse) and runs them one by one.
from pathlib import Path

from django.db import migrations

HCGUARD_SQL = Path(__file__).resolve().parents[2] / "hcguard.sql"


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            HCGUARD_SQL.read_text(),
            reverse_sql=migrations.RunSQL.noop,
        ),
    ]
