"""England and Wales bank holidays from this year to BANK_HOLIDAY_YEARS_AHEAD years on, from the
`holidays` package (the seed stopped at the end of 2027); the monthly task keeps them ahead."""

from django.db import migrations

from cases.bank_holidays import bank_holidays_generate


def generate(apps, schema_editor):
    bank_holidays_generate(apps=apps)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_notification_sending_and_unconfirmed")]

    operations = [migrations.RunPython(generate, migrations.RunPython.noop)]
