"""Settings for `manage.py test --settings=hcsite.settings_test`.

Django builds the test database by running every migration, and that
database has no Heroku Connect: hcguard_required would fail there.  With
hcguard.on_failure = provision, the guard builds the Connect schema the
migrations declare instead (README, "Development and CI databases:
provisioning").  The setting goes in the connection's options, so it holds
for the test database only; production keeps the default, error.  With the C
extension only a superuser may set it; with the SQL edition, any role."""
from .settings import *  # noqa: F401,F403
from .settings import DATABASES

DATABASES["default"]["OPTIONS"] = {"options": "-c hcguard.on_failure=provision"}
