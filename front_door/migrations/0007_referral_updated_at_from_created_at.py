"""Drafts made before `updated_at` existed were last saved no later than they were made: date them
so, and the cleanup counts their 28 days from then (not from the day of this migration)."""

from django.db import migrations
from django.db.models import F


def date_existing(apps, schema_editor):
    Referral = apps.get_model("front_door", "Referral")
    Referral.objects.update(updated_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("front_door", "0006_referral_updated_at")]

    operations = [migrations.RunPython(date_existing, migrations.RunPython.noop)]
