"""The closure destinations a council starts with (outcomes.closure.DESTINATIONS) and the
`sustained-check` clock (cases/configuration.py TIMESCALES): added where missing, leaving a
council's own edits alone."""

from django.db import migrations

from cases.configuration import TIMESCALES
from outcomes.closure_config import seed_destinations


def seed(apps, schema_editor):
    seed_destinations(apps)
    Timescale = apps.get_model("cases", "Timescale")
    for code, name, amount, unit, reminder in TIMESCALES:
        if code == "sustained-check":
            Timescale.objects.get_or_create(
                code=code, defaults={"name": name, "amount": amount, "unit": unit, "reminder_before_hours": reminder}
            )


def unseed(apps, schema_editor):
    apps.get_model("outcomes", "ClosureDestination").objects.filter(closures__isnull=True).delete()
    apps.get_model("cases", "Timescale").objects.filter(code="sustained-check", deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outcomes", "0001_closure_outcomes")]

    operations = [migrations.RunPython(seed, unseed)]
