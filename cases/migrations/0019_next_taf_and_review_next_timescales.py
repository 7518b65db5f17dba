"""The lead professional's two further clocks (cases/configuration.py TIMESCALES): `next-taf`, the
next Team Around the Family meeting, due on the date the team set, and `review-next`, each review
after the third, every 3 months. Added where missing, leaving a council's own edits alone."""

from django.db import migrations

from cases.configuration import TIMESCALES

CODES = ("next-taf", "review-next")


def seed(apps, schema_editor):
    Timescale = apps.get_model("cases", "Timescale")
    for code, name, amount, unit, reminder in TIMESCALES:
        if code in CODES:
            Timescale.objects.get_or_create(
                code=code, defaults={"name": name, "amount": amount, "unit": unit, "reminder_before_hours": reminder}
            )


def unseed(apps, schema_editor):
    Timescale = apps.get_model("cases", "Timescale")
    # A timescale a clock was started on stays (the foreign key protects it).
    Timescale.objects.filter(code__in=CODES, deadlines__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0018_partner_information_timescale")]

    operations = [migrations.RunPython(seed, unseed)]
