from django.db import models


class ContactEmailOptout(models.Model):
    """Opt-outs keyed by Contact.Email: needs the field mapped and synced."""

    email = models.CharField(max_length=80, unique=True)
    reason = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
