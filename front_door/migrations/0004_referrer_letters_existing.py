"""Letters made before delivery was recorded: each emailed one is linked to its outbox message (the
front door's follow-up then records it as emailed once the message has gone, or lists it to post if
the message failed); a letter that had no message was never sent, so it is listed to post or phone."""

from django.db import migrations


def link_existing_letters(apps, schema_editor):
    ReferrerLetter = apps.get_model("front_door", "ReferrerLetter")
    Notification = apps.get_model("cases", "Notification")
    for letter in ReferrerLetter.objects.filter(notification__isnull=True).only("pk").iterator():
        message = Notification.objects.filter(dedupe_key=f"referrer-letter:{letter.pk}").only("pk").first()
        letter.notification = message
        letter.status = "queued" if message else "to_post"
        letter.save(update_fields=["notification", "status"])


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_deadlines_and_notifications"),
        ("front_door", "0003_referrer_letter_delivery"),
    ]

    operations = [migrations.RunPython(link_existing_letters, migrations.RunPython.noop)]
