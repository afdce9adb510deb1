# The application's first migration, C extension: the database's owner is a
# superuser (CREATE EXTENSION hcguard needs one).
from django.db import migrations


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.RunSQL(
            "CREATE EXTENSION IF NOT EXISTS hcguard",
            reverse_sql="DROP EXTENSION hcguard",
        ),
    ]
