from django.db import connection
from django.test import TestCase

from crm.models import ContactEmailOptout


class ContactEmailTests(TestCase):
    """Runs in the test database that Django built with every migration."""

    def test_contact_email_is_readable(self):
        with connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO salesforce.contact (email) VALUES (%s)",
                ["ada@example.com"],
            )
            cursor.execute("SELECT email, _hc_lastop FROM salesforce.contact")
            self.assertEqual(cursor.fetchall(), [("ada@example.com", "PENDING")])
        ContactEmailOptout.objects.create(email="ada@example.com", reason="asked")
        self.assertEqual(ContactEmailOptout.objects.count(), 1)
