"""The panel's clock for a partner's answer about a case (cases/configuration.py TIMESCALES):
added where missing, leaving a council's own edits to it alone."""

from django.db import migrations

from cases.configuration import TIMESCALES

CODE = "partner-information"


def seed(apps, schema_editor):
    Timescale = apps.get_model("cases", "Timescale")
    for code, name, amount, unit, reminder in TIMESCALES:
        if code == CODE:
            Timescale.objects.get_or_create(
                code=code, defaults={"name": name, "amount": amount, "unit": unit, "reminder_before_hours": reminder}
            )


class Migration(migrations.Migration):
    dependencies = [("cases", "0017_case_panel_waiting")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
