"""A minimal Django project (test/migrate_django.sh): one application, crm,
whose migrations install hcguard and then guard a table with it.

The database's name comes from HC_DJANGO_DB; the server, role and password
from libpq's variables (PGHOST, PGPORT, PGUSER, PGPASSWORD), which psycopg2
reads when HOST, PORT, USER and PASSWORD are empty."""
import os

SECRET_KEY = "hcguard-test-only"
DEBUG = False
ALLOWED_HOSTS = []
INSTALLED_APPS = ["crm"]
ROOT_URLCONF = "hcsite.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.postgresql",
        "NAME": os.environ["HC_DJANGO_DB"],
        # manage.py test creates, migrates and drops this one.
        "TEST": {"NAME": os.environ["HC_DJANGO_DB"] + "_test"},
    }
}
