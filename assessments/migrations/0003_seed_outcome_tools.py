from django.db import migrations

from assessments.configuration import seed_outcome_tools


def seed(apps, schema_editor):
    seed_outcome_tools(apps)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0002_outcome_tool_rules_in_the_database")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
