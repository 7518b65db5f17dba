"""The outbox drains until nothing is due: one trigger sends a backlog of any size, a task hands the
rest of a long backlog to a new task at once, and senders running at once share the rows without
sending any twice. Each row is marked "sending" and committed before the provider gets it."""

import threading
import time
from collections import Counter

import pytest
from celery.contrib.testing.worker import start_worker
from django.core import mail
from django.db import connection, connections

from cases import notifications
from cases.models import Notification
from cases.notifications import EmailSender, Sender, notifications_drain, notifications_send_pending
from cases.tasks import send_pending_notifications
from earlyhelp.celery import app


@pytest.fixture
def celery_worker(transactional_db):
    # Tasks other tests queued on the shared broker and nobody ran are not this test's to run.
    app.control.purge()
    with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
        yield


def backlog(count: int) -> list[Notification]:
    return Notification.objects.bulk_create(
        Notification(
            dedupe_key=f"drain-test:{n}",
            email=f"practitioner.{n}@example.org",
            subject=f"Due soon: Front door decision for EH-2026-{n:06d}",
            body="A deadline is due.",
        )
        for n in range(count)
    )


class RecordingSender(Sender):
    """The outside world: notes which rows it was handed (shared between senders running at once)."""

    channel = Notification.Channel.EMAIL

    def __init__(self, handed: list, lock: threading.Lock):
        self.handed, self.lock = handed, lock

    def send(self, notification: Notification) -> str:
        with self.lock:
            self.handed.append(notification.pk)
        time.sleep(0.001)  # the provider takes a moment: the other sender runs meanwhile
        return ""


def test_one_trigger_sends_a_backlog_larger_than_any_batch_until_the_outbox_is_empty(db):
    backlog(250)

    sent = notifications_send_pending()

    assert sent == 250
    assert len(mail.outbox) == 250
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}
    assert notifications_send_pending() == 0


def test_a_drain_given_a_limit_stops_there_and_says_more_is_due(db):
    backlog(50)

    first = notifications_drain(limit=20)
    rest = notifications_drain()

    assert (first.sent, first.more) == (20, True)
    assert (rest.sent, rest.more) == (30, False)
    assert len(mail.outbox) == 50


# Tests that start a worker run one at a time: two workers on one broker would take each other's tasks.
@pytest.mark.xdist_group("celery-worker")
def test_a_send_task_on_a_real_worker_hands_the_rest_of_a_backlog_to_a_new_task(celery_worker, monkeypatch):
    backlog(250)
    monkeypatch.setattr("cases.tasks.SEND_ROWS", 100)
    runs = []
    drain = notifications.notifications_drain

    def counted_drain(**kwargs):
        runs.append(kwargs["limit"])
        return drain(**kwargs)

    monkeypatch.setattr(notifications, "notifications_drain", counted_drain)

    send_pending_notifications.delay()  # one trigger
    deadline = time.monotonic() + 30
    while Notification.objects.exclude(status="sent").exists() and time.monotonic() < deadline:
        time.sleep(0.2)

    assert not Notification.objects.exclude(status="sent").exists()
    assert len(mail.outbox) == 250
    assert Counter(m.to[0] for m in mail.outbox) == Counter(f"practitioner.{n}@example.org" for n in range(250))
    # At most 100 a task: 100, 100, then the last 50, each task having queued the next.
    assert len(runs) >= 3 and set(runs) == {100}


def test_two_senders_at_once_share_the_backlog_and_never_send_a_message_twice(transactional_db):
    rows = backlog(300)
    handed, lock = [], threading.Lock()
    totals = []

    def sender_worker():
        try:
            totals.append(notifications_drain(sender=RecordingSender(handed, lock), batch=10).sent)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sender_worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert Counter(handed) == Counter({row.pk: 1 for row in rows})
    assert sorted(totals)[0] > 0 and sum(totals) == 300
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_row_is_committed_as_sending_before_the_provider_gets_it(transactional_db):
    (row,) = backlog(1)
    seen = {}

    class LookingSender(Sender):
        def send(self, notification):
            seen["in_transaction"] = connection.in_atomic_block

            def look():  # another connection sees only what is committed
                try:
                    seen["committed"] = Notification.objects.values_list("status", "attempts").get(pk=notification.pk)
                finally:
                    connections.close_all()

            other = threading.Thread(target=look)
            other.start()
            other.join()
            return "provider-1"

    assert notifications_send_pending(sender=LookingSender()) == 1
    assert seen == {"in_transaction": False, "committed": ("sending", 1)}
    row.refresh_from_db()
    assert (row.status, row.provider_reference, row.attempts) == ("sent", "provider-1", 1)
    assert row.sent_at is not None


def test_a_failure_is_retried_later_and_does_not_hold_the_drain_up(db):
    rows = backlog(3)

    class FailingFirst(Sender):
        def send(self, notification):
            if notification.pk == rows[0].pk:
                raise ConnectionError("provider unavailable")
            return ""

    assert notifications_send_pending(sender=FailingFirst()) == 2
    first = Notification.objects.get(pk=rows[0].pk)
    assert (first.status, first.attempts, first.last_error) == ("pending", 1, "ConnectionError")
    assert first.send_after > first.created_at
    assert notifications_send_pending(sender=FailingFirst()) == 0  # not due again yet


def test_an_email_batch_shares_one_connection_and_each_message_carries_its_rows_id(db, settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = str(tmp_path)
    rows = backlog(3)

    assert notifications_send_pending(sender=EmailSender()) == 3

    (written,) = list(tmp_path.iterdir())  # one connection: one file
    text = written.read_text()
    for row in rows:
        assert f"Message-ID: <earlyhelp-outbox-{row.pk}@example.org>" in text


def test_a_broker_outage_when_a_message_is_queued_fails_nothing_and_the_next_run_sends_it(
    db, monkeypatch, django_capture_on_commit_callbacks
):
    from kombu.exceptions import OperationalError

    from cases.notifications import notification_queue

    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(send_pending_notifications, "delay", broker_down)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        notification_queue(dedupe_key="outage", email="duty@example.org", subject="Subject", body="Body")

    assert len(callbacks) == 1  # it was asked for, and the failure did not reach the caller
    assert Notification.objects.get(dedupe_key="outage").status == "pending"
    assert notifications_send_pending() == 1  # the minute's run, once the broker is back


def test_a_sender_gives_back_what_a_slow_provider_left_it_no_time_for_and_sends_it_next(db, monkeypatch):
    import datetime

    rows = backlog(3)
    handed = []

    class SlowProvider(Sender):
        def send(self, notification):
            handed.append(notification.pk)
            time.sleep(0.05)
            return ""

    monkeypatch.setattr(notifications, "HAND_OVER_FOR", datetime.timedelta(seconds=0.01))
    given_back = []
    release = notifications._release

    def noting_release(rows):
        rows = list(rows)
        given_back.append([row.pk for row in rows])
        release(rows)

    monkeypatch.setattr(notifications, "_release", noting_release)

    assert notifications_send_pending(sender=SlowProvider()) == 3

    assert handed == [row.pk for row in rows]  # each once, one a claim
    assert given_back[:2] == [[rows[1].pk, rows[2].pk], [rows[2].pk]]
    assert list(Notification.objects.order_by("pk").values_list("status", "attempts")) == [("sent", 1)] * 3
