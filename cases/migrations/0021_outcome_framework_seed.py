"""The outcomes framework new needs are tagged with: Supporting Families 2022 and its ten headline
outcomes (cases/configuration.py OUTCOME_AREAS), made active. Data only; a council edits the areas,
or adds a later version, in the admin."""

from django.db import migrations

from cases.configuration import OUTCOME_FRAMEWORK, seed_outcome_framework


def seed(apps, schema_editor):
    seed_outcome_framework(apps)


def unseed(apps, schema_editor):
    OutcomeFramework = apps.get_model("cases", "OutcomeFramework")
    OutcomeArea = apps.get_model("cases", "OutcomeArea")
    name, version = OUTCOME_FRAMEWORK
    # A framework with needs tagged under it stays (the foreign keys protect it).
    framework = OutcomeFramework.objects.filter(name=name, version=version).first()
    if framework is not None and not OutcomeArea.objects.filter(framework=framework, needs__isnull=False).exists():
        OutcomeArea.objects.filter(framework=framework).delete()
        framework.delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0020_outcome_framework_and_identified_needs")]

    operations = [migrations.RunPython(seed, unseed)]
