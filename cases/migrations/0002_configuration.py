"""Seed the configuration a council starts from; every row is editable in the admin afterwards.
Data only: the lists live in cases/configuration.py, where tests reuse them after a flush."""

from django.db import migrations

from cases.configuration import seed_configuration


def seed(apps, schema_editor):
    seed_configuration(apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
