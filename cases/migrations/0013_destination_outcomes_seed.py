"""Which decisions each seeded destination fits (cases/configuration.py). Destinations a council
added itself fit early help or other support, as every destination did before; "No further action"
becomes a decision of its own and its destination fits none."""

from django.db import migrations

from cases.configuration import DESTINATIONS


def seed(apps, schema_editor):
    Destination = apps.get_model("cases", "Destination")
    seeded = {code: list(outcomes) for code, _name, _opens, _panel, outcomes in DESTINATIONS}
    for destination in Destination.objects.all():
        destination.outcomes = seeded.get(destination.code, ["early_help"])
        destination.save(update_fields=["outcomes"])


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_destination_outcomes_person_school_name")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
