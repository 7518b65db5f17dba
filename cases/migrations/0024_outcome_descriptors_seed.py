"""The outcomes framework's descriptors: Supporting Families 2022's descriptors of need and of the
evidence of a good outcome under its ten headline outcomes (matched by area code), and the Troubled
Families 2015 version with its six headline problems, inactive (cases/outcome_frameworks.py). Data
only; a council edits them, or copies a version to make its own, in the admin."""

from django.db import migrations

from cases.outcome_frameworks import (
    SUPPORTING_FAMILIES_DESCRIPTORS,
    TROUBLED_FAMILIES,
    seed_supporting_families_descriptors,
    seed_troubled_families,
)


def seed(apps, schema_editor):
    seed_supporting_families_descriptors(apps)
    seed_troubled_families(apps)


def unseed(apps, schema_editor):
    OutcomeFramework = apps.get_model("cases", "OutcomeFramework")
    OutcomeDescriptor = apps.get_model("cases", "OutcomeDescriptor")
    IdentifiedNeed = apps.get_model("cases", "IdentifiedNeed")
    # What needs point at stays (the foreign keys protect it).
    OutcomeDescriptor.objects.filter(
        area__framework__name="Supporting Families",
        area__framework__version="2022",
        area__code__in=SUPPORTING_FAMILIES_DESCRIPTORS,
        needs__isnull=True,
    ).delete()
    name, version = TROUBLED_FAMILIES
    framework = OutcomeFramework.objects.filter(name=name, version=version, active=False).first()
    if framework is not None and not IdentifiedNeed.objects.filter(area__framework=framework).exists():
        framework.delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0023_outcome_descriptors")]

    operations = [migrations.RunPython(seed, unseed)]
