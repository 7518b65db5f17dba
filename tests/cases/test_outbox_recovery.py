"""A worker that dies after the provider took a message and before the row was marked sent does not
make the message go twice: the row was committed "sending" first, and a row found "sending" after
the timeout is settled without sending blindly. GOV.UK Notify is asked for the message by its
reference (the row's id) and only a message it never received goes again; an email, which cannot be
asked about, waits for a person ("could not confirm")."""

import datetime
import multiprocessing
import os
import signal

import pytest
from django.core import mail
from django.db import connections
from django.test.utils import override_settings
from django.utils import timezone

from cases.models import Notification
from cases.notifications import (
    NOTIFY_ANSWERS_FOR,
    SENDING_TIMEOUT,
    EmailSender,
    NotifySender,
    notifications_drain,
    notifications_recover,
    notifications_send_pending,
)

FILE_BACKEND = "django.core.mail.backends.filebased.EmailBackend"


class FakeNotify:
    """GOV.UK Notify, outside the system: remembers what it received, answers look-ups by reference
    as its API does, and can be unreachable."""

    def __init__(self, received=(), reachable=True):
        self.received = {item["reference"]: item for item in received}
        self.reachable = reachable
        self.sent = []
        self.asked = []

    def send_email_notification(self, *, email_address, template_id, personalisation, reference):
        self.sent.append(reference)
        item = {
            "id": f"notify-{len(self.sent)}",
            "reference": reference,
            "email_address": email_address,
            "created_at": "2026-03-02T09:00:00.000000Z",
        }
        self.received[reference] = item
        return item

    def get_all_notifications(self, status=None, template_type=None, reference=None, older_than=None):
        self.asked.append(reference)
        if not self.reachable:
            raise ConnectionError("notify unavailable")
        found = [item for ref, item in self.received.items() if ref == reference]
        return {"notifications": found, "links": {}}


def left_sending(key: str, *, channel: str, minutes_ago: float = 20, email: str = "duty@example.org"):
    """A row as a worker that died mid-send leaves it."""
    return Notification.objects.create(
        dedupe_key=key,
        email=email,
        subject="Due soon: Front door decision for EH-2026-000001",
        body="A deadline is due.",
        status=Notification.Status.SENDING,
        channel=channel,
        attempts=1,
        claimed_at=timezone.now() - datetime.timedelta(minutes=minutes_ago),
    )


def messages_in(directory) -> int:
    return sum(path.read_text().count("Message-ID: ") for path in directory.iterdir())


class KilledAfterHandingOver(EmailSender):
    """A worker killed (SIGKILL) right after the email backend took the first message."""

    def send(self, notification):
        reference = super().send(notification)
        os.kill(os.getpid(), signal.SIGKILL)
        return reference


def _drain_and_die():
    notifications_drain(sender=KilledAfterHandingOver())


def test_a_worker_killed_after_the_backend_took_an_email_does_not_send_it_again(transactional_db, tmp_path):
    rows = Notification.objects.bulk_create(
        Notification(dedupe_key=f"k{n}", email=f"p{n}@example.org", subject="Subject", body="Body") for n in range(3)
    )
    with override_settings(EMAIL_BACKEND=FILE_BACKEND, EMAIL_FILE_PATH=str(tmp_path)):
        connections.close_all()  # the worker is forked: it must not share this connection
        worker = multiprocessing.get_context("fork").Process(target=_drain_and_die)
        worker.start()
        worker.join(30)
        after_the_kill = notifications_send_pending(sender=EmailSender())

    assert worker.exitcode == -signal.SIGKILL
    assert messages_in(tmp_path) == 1
    assert after_the_kill == 0  # the claimed batch is "sending", not waiting to be sent
    assert set(Notification.objects.values_list("status", flat=True)) == {"sending"}

    counts = notifications_recover(now=timezone.now() + SENDING_TIMEOUT + datetime.timedelta(minutes=1))

    # Which of the batch went is not known from here: each waits for a person to check.
    assert counts == {"sent": 0, "sent_again": 0, "unconfirmed": 3, "unanswered": 0}
    assert set(Notification.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)) == {
        "unconfirmed"
    }
    assert messages_in(tmp_path) == 1


@override_settings(NOTIFY_EMAIL_TEMPLATE_ID="template-1")
def test_notify_is_asked_and_only_a_message_it_never_received_is_sent_again(db, django_capture_on_commit_callbacks):
    received = left_sending("received", channel="notify")
    lost = left_sending("lost", channel="notify")
    notify = FakeNotify(
        received=[
            {
                "id": "notify-earlier",
                "reference": str(received.pk),
                "email_address": "duty@example.org",
                "created_at": "2026-03-02T09:00:00.000000Z",
            }
        ]
    )

    with django_capture_on_commit_callbacks() as callbacks:
        counts = notifications_recover(client=notify)

    assert counts == {"sent": 1, "sent_again": 1, "unconfirmed": 0, "unanswered": 0}
    assert sorted(notify.asked) == sorted([str(received.pk), str(lost.pk)])
    assert len(callbacks) == 1  # a sender is asked for the one to send again
    received.refresh_from_db()
    assert (received.status, received.provider_reference) == ("sent", "notify-earlier")
    assert received.sent_at == datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    assert Notification.objects.get(pk=lost.pk).status == "pending"

    assert notifications_send_pending(sender=NotifySender(notify)) == 1
    assert notify.sent == [str(lost.pk)]  # the received one is never sent again
    assert Notification.objects.get(pk=lost.pk).status == "sent"


def test_a_message_notify_has_under_another_address_is_not_taken_for_ours(db):
    row = left_sending("reused", channel="notify")
    notify = FakeNotify(received=[{"id": "x", "reference": str(row.pk), "email_address": "someone.else@example.org"}])

    assert notifications_recover(client=notify)["sent_again"] == 1


def test_a_row_is_left_sending_while_notify_cannot_be_reached(db):
    row = left_sending("unreachable", channel="notify")

    counts = notifications_recover(client=FakeNotify(reachable=False))

    assert counts == {"sent": 0, "sent_again": 0, "unconfirmed": 0, "unanswered": 1}
    row.refresh_from_db()
    assert row.status == "sending"


def test_an_email_left_sending_waits_for_a_person_and_is_not_sent(db):
    row = left_sending("smtp", channel="email")

    counts = notifications_recover(client=FakeNotify())

    assert counts["unconfirmed"] == 1
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("unconfirmed", "Could not confirm")
    assert mail.outbox == []
    assert notifications_send_pending() == 0


def test_a_notify_message_too_old_for_notify_to_answer_about_waits_for_a_person(db):
    days = NOTIFY_ANSWERS_FOR.total_seconds() / 60 + 60
    row = left_sending("old", channel="notify", minutes_ago=days)
    notify = FakeNotify()

    assert notifications_recover(client=notify)["unconfirmed"] == 1
    assert notify.asked == []
    row.refresh_from_db()
    assert row.status == "unconfirmed"


@pytest.mark.parametrize("channel", ["email", "notify"])
def test_a_row_sending_for_less_than_the_timeout_is_left_to_its_worker(db, channel):
    minutes = SENDING_TIMEOUT.total_seconds() / 60 - 1
    row = left_sending("recent", channel=channel, minutes_ago=minutes)
    notify = FakeNotify()

    assert notifications_recover(client=notify) == {"sent": 0, "sent_again": 0, "unconfirmed": 0, "unanswered": 0}
    assert notify.asked == []
    row.refresh_from_db()
    assert row.status == "sending"


def test_a_late_worker_settles_a_row_marked_could_not_confirm_but_not_one_sent_again(db):
    """A worker slower than the timeout still records what it knows: its message went."""
    from cases.notifications import _record

    unconfirmed = left_sending("late", channel="email")
    requeued = left_sending("requeued", channel="notify")
    notifications_recover(client=FakeNotify())
    for row in (unconfirmed, requeued):
        row.status, row.sent_at, row.provider_reference = "sent", timezone.now(), ""

    with connections["default"].cursor() as cursor:
        _record(cursor, [unconfirmed, requeued])

    assert Notification.objects.get(pk=unconfirmed.pk).status == "sent"
    assert Notification.objects.get(pk=requeued.pk).status == "pending"


def test_a_live_worker_settles_its_batch_well_within_the_time_after_which_it_counts_as_dead(settings):
    from django.core.mail import get_connection

    from cases.notifications import HAND_OVER_FOR, NotifySender
    from cases.notifications import notify_client as make_notify_client

    smtp = get_connection("django.core.mail.backends.smtp.EmailBackend")
    settings.NOTIFY_API_KEY = "test_key-" + "0" * 36 + "-" + "0" * 36

    assert smtp.timeout == 30
    assert NotifySender(make_notify_client()).client.timeout == 30
    assert HAND_OVER_FOR + datetime.timedelta(seconds=30) < SENDING_TIMEOUT
