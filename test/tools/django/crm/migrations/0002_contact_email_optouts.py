# Needs Contact.Email mapped and synced by Heroku Connect: the guard comes
# first, so a refusal stops the migration before it creates anything.
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("crm", "0001_install_hcguard")]

    operations = [
        migrations.RunSQL(
            "SELECT hcguard_required('salesforce', 'contact', 'email')",
            reverse_sql=migrations.RunSQL.noop,
        ),
        migrations.CreateModel(
            name="ContactEmailOptout",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("email", models.CharField(max_length=80, unique=True)),
                ("reason", models.CharField(blank=True, max_length=255)),
                ("created_at", models.DateTimeField(auto_now_add=True)),
            ],
        ),
    ]
