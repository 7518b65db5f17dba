"""The closure reason the front door gives a case it opened by a decision since amended to one that
opens no case. Data only, and frozen here rather than read from cases/configuration.py: an existing
row (a council may have renamed or reordered it) is left as it is."""

from django.db import migrations

CODE = "opened-in-error"


def add_reason(apps, schema_editor):
    ClosureReason = apps.get_model("cases", "ClosureReason")
    # Ordered with "Other" (same sort order, earlier by name), as a freshly seeded list has it.
    other = ClosureReason.objects.filter(code="other").values_list("sort_order", flat=True).first()
    ClosureReason.objects.get_or_create(
        code=CODE,
        defaults={
            "name": "Opened in error: the front door decision was amended",
            "sort_order": other if other is not None else 9,
        },
    )


def remove_reason(apps, schema_editor):
    ClosureReason = apps.get_model("cases", "ClosureReason")
    Case = apps.get_model("cases", "Case")
    # A reason a closed case refers to stays (the foreign key protects it).
    if not Case.objects.filter(closure_reason__code=CODE).exists():
        ClosureReason.objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_person_name_search_without_pending_list")]

    operations = [migrations.RunPython(add_reason, remove_reason)]
