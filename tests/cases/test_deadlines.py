"""Deadlines as rows, swept once: reminders before, escalations after, never twice, never lost."""

import datetime
import re
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import override_settings

from cases import deadlines
from cases.deadlines import deadline_meet, deadline_start, deadlines_sweep, timescale_due
from cases.models import Deadline, DeadlineAlarm, Notification, Timescale
from cases.notifications import NotifySender, notifications_send_pending
from cases.roles import Role
from tests.factories import UserFactory

LONDON = ZoneInfo("Europe/London")


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=LONDON)


@pytest.mark.parametrize(
    ("amount", "unit", "start", "due"),
    [
        (24, "hours", at(2026, 3, 2, 9, 30), at(2026, 3, 3, 9, 30)),
        (72, "hours", at(2026, 3, 6, 17, 0), at(2026, 3, 9, 17, 0)),
        (10, "days", at(2026, 3, 2, 9, 0), at(2026, 3, 12, 9, 0)),
        (1, "weeks", at(2026, 3, 2, 9, 0), at(2026, 3, 9, 9, 0)),
        (1, "months", at(2026, 1, 31, 9, 0), at(2026, 2, 28, 9, 0)),
        (6, "months", at(2026, 5, 15, 14, 0), at(2026, 11, 15, 14, 0)),
        # Friday to Monday: the weekend does not count.
        (1, "working_days", at(2026, 3, 6, 10, 0), at(2026, 3, 9, 10, 0)),
        # Maundy Thursday: Good Friday, the weekend and Easter Monday 2026 do not count.
        (1, "working_days", at(2026, 4, 2, 10, 0), at(2026, 4, 7, 10, 0)),
        # Christmas Eve 2026: Christmas Day, the weekend and the Boxing Day substitute (28th) skipped.
        (2, "working_days", at(2026, 12, 24, 10, 0), at(2026, 12, 30, 10, 0)),
    ],
)
def test_due_time_for_each_unit(db, amount, unit, start, due):
    timescale = Timescale(code="t", name="t", amount=amount, unit=unit)

    assert timescale_due(timescale, start) == due


@pytest.fixture
def duty_managers(db):
    return [UserFactory(roles=[Role.DUTY_MANAGER]), UserFactory(roles=[Role.DUTY_MANAGER])]


@pytest.fixture
def team_manager(db):
    return UserFactory(roles=[Role.TEAM_MANAGER])


def start(n: int, started_at: datetime.datetime) -> Deadline:
    return deadline_start(
        timescale_code="front-door-decision",
        subject_type="referral",
        subject_id=n,
        reference=f"EH-2026-{n:06d}",
        started_at=started_at,
        remind_role=Role.DUTY_MANAGER,
        escalate_role=Role.TEAM_MANAGER,
    )


def test_starting_twice_keeps_one_running_deadline(db):
    first = start(1, at(2026, 3, 2, 9, 0))
    second = start(1, at(2026, 3, 2, 10, 0))

    assert first.pk == second.pk
    assert first.due_at == at(2026, 3, 3, 9, 0)
    assert first.remind_at == at(2026, 3, 3, 5, 0)  # 4 hours before, from the seeded timescale


def test_reminder_then_escalation_each_sent_once_even_if_swept_twice(db, duty_managers, team_manager):
    deadline = start(1, at(2026, 3, 2, 9, 0))

    assert deadlines_sweep(now=at(2026, 3, 3, 4, 59)) == {"reminded": 0, "escalated": 0}
    assert deadlines_sweep(now=at(2026, 3, 3, 5, 0)) == {"reminded": 1, "escalated": 0}
    assert deadlines_sweep(now=at(2026, 3, 3, 6, 0)) == {"reminded": 0, "escalated": 0}
    assert deadlines_sweep(now=at(2026, 3, 3, 9, 0)) == {"reminded": 0, "escalated": 1}
    assert deadlines_sweep(now=at(2026, 3, 3, 10, 0)) == {"reminded": 0, "escalated": 0}

    notes = Notification.objects.order_by("id")
    assert {n.recipient for n in notes[:2]} == set(duty_managers)
    assert [n.recipient for n in notes[2:]] == [team_manager]
    assert notes[0].subject == "Due soon: Front door decision for EH-2026-000001"
    assert notes[2].subject == "Overdue: Front door decision for EH-2026-000001"
    deadline.refresh_from_db()
    assert deadline.reminded_at == at(2026, 3, 3, 5, 0)
    assert deadline.escalated_at == at(2026, 3, 3, 9, 0)


def test_a_met_deadline_is_neither_reminded_nor_escalated(db, duty_managers, team_manager):
    start(1, at(2026, 3, 2, 9, 0))
    deadline_meet(
        timescale_code="front-door-decision", subject_type="referral", subject_id=1, met_at=at(2026, 3, 2, 15, 0)
    )

    assert deadlines_sweep(now=at(2026, 3, 4, 9, 0)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.exists()


def test_meeting_a_reminded_deadline_keeps_when_it_was_reminded(db, duty_managers, team_manager):
    deadline = start(1, at(2026, 3, 2, 9, 0))
    deadlines_sweep(now=at(2026, 3, 3, 5, 0))
    deadline_meet(
        timescale_code="front-door-decision", subject_type="referral", subject_id=1, met_at=at(2026, 3, 3, 6, 0)
    )

    assert deadlines_sweep(now=at(2026, 3, 4, 9, 0)) == {"reminded": 0, "escalated": 0}
    deadline.refresh_from_db()
    assert deadline.reminded_at == at(2026, 3, 3, 5, 0)
    assert deadline.escalated_at is None
    assert list(deadline.alarms.values_list("kind", flat=True)) == ["reminder"]  # the escalation is gone


def test_a_deadline_stopped_by_a_bulk_update_tells_nobody(db, duty_managers, team_manager):
    start(1, at(2026, 3, 2, 9, 0))
    Deadline.objects.update(met_at=at(2026, 3, 2, 10, 0))  # bypasses deadline_meet, alarms left behind

    assert deadlines_sweep(now=at(2026, 3, 4, 9, 0)) == {"reminded": 0, "escalated": 0}
    assert not Notification.objects.exists()
    assert not DeadlineAlarm.objects.exists()  # not looked at again, and not read as reminded


def test_a_long_digest_lists_the_soonest_and_counts_the_rest(db, duty_managers, team_manager, monkeypatch):
    monkeypatch.setattr(deadlines, "LISTED", 3)
    for n in range(1, 6):
        start(n, at(2026, 3, 2, 9, n))

    deadlines_sweep(now=at(2026, 3, 3, 6, 0))

    note = Notification.objects.filter(recipient=duty_managers[0]).get()
    assert note.subject == "5 deadlines due soon"
    assert re.findall(r"EH-2026-\d{6}", note.body) == ["EH-2026-000001", "EH-2026-000002", "EH-2026-000003"]
    assert "And 2 more, soonest due first in the service." in note.body


def mentions() -> Counter:
    """How many times each (recipient, reference) pair was told, across all messages."""
    found = Counter()
    for note in Notification.objects.all():
        for reference in re.findall(r"EH-2026-\d{6}", note.body):
            found[(note.recipient_id, reference)] += 1
    return found


def test_a_sweep_that_dies_midway_loses_nothing(db, duty_managers, team_manager, monkeypatch):
    for n in range(1, 6):
        start(n, at(2026, 3, 2, 9, 0))
    real_queue = deadlines._messages_queue
    calls = {"n": 0}

    def crash_in_the_second_batch(notifications):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("worker killed")
        return real_queue(notifications)

    monkeypatch.setattr(deadlines, "_messages_queue", crash_in_the_second_batch)
    with pytest.raises(RuntimeError):
        deadlines_sweep(now=at(2026, 3, 3, 5, 0), batch=2)

    # The first batch was sent and stamped; the second rolled back whole.
    assert DeadlineAlarm.objects.filter(kind="reminder", went_off_at__isnull=False).count() == 2
    assert Notification.objects.count() == 2

    monkeypatch.setattr(deadlines, "_messages_queue", real_queue)
    assert deadlines_sweep(now=at(2026, 3, 3, 5, 0), batch=2) == {"reminded": 3, "escalated": 0}
    references = [f"EH-2026-{n:06d}" for n in range(1, 6)]
    assert mentions() == Counter({(u.pk, r): 1 for u in duty_managers for r in references})


def test_one_message_per_person_per_batch_lists_every_deadline(db, duty_managers, team_manager):
    for n in range(1, 4):
        start(n, at(2026, 3, 2, 9, 0))

    deadlines_sweep(now=at(2026, 3, 3, 5, 0))

    notes = list(Notification.objects.filter(recipient=duty_managers[0]))
    assert len(notes) == 1
    assert notes[0].subject == "3 deadlines due soon"
    assert "Front door decision for EH-2026-000002 is due by 3 March 2026 at 9:00am." in notes[0].body


def test_small_batches_cover_the_whole_backlog(db, duty_managers, team_manager):
    for n in range(1, 8):
        start(n, at(2026, 3, 2, 9, 0))

    assert deadlines_sweep(now=at(2026, 3, 3, 10, 0), batch=3) == {"reminded": 7, "escalated": 7}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_send_each_reminder_once(duty_managers, team_manager):
    for n in range(1, 41):
        start(n, at(2026, 3, 2, 9, 0))
    results = []
    barrier = threading.Barrier(2)

    def sweep():
        barrier.wait()
        try:
            results.append(deadlines_sweep(now=at(2026, 3, 3, 5, 0), batch=7))
        finally:
            connection.close()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(r["reminded"] for r in results) == 40
    references = [f"EH-2026-{n:06d}" for n in range(1, 41)]
    assert mentions() == Counter({(u.pk, r): 1 for u in duty_managers for r in references})


def test_outbox_sends_by_email_and_marks_sent(db, duty_managers, django_capture_on_commit_callbacks):
    start(1, at(2026, 3, 2, 9, 0))
    with django_capture_on_commit_callbacks() as callbacks:
        deadlines_sweep(now=at(2026, 3, 3, 5, 0))
    assert len(callbacks) == 1  # one request to a worker per batch, however many messages it queued

    assert notifications_send_pending() == 2
    assert notifications_send_pending() == 0
    assert sorted(m.to[0] for m in mail.outbox) == sorted(u.email for u in duty_managers)
    assert set(Notification.objects.values_list("status", flat=True)) == {"sent"}


class FakeNotifyClient:
    """GOV.UK Notify, outside the system: records calls, fails when told to."""

    def __init__(self, fail_times=0):
        self.calls = []
        self.fail_times = fail_times

    def send_email_notification(self, **kwargs):
        if self.fail_times:
            self.fail_times -= 1
            raise ConnectionError("notify unavailable")
        self.calls.append(kwargs)
        return {"id": f"notify-{len(self.calls)}"}


@override_settings(NOTIFY_EMAIL_TEMPLATE_ID="template-1")
def test_notify_failure_is_retried_later_and_sent_once(db, duty_managers):
    from cases.notifications import notification_queue

    note = notification_queue(dedupe_key="k1", recipient=duty_managers[0], subject="Subject", body="Body")
    client = FakeNotifyClient(fail_times=1)

    assert notifications_send_pending(sender=NotifySender(client)) == 0
    note.refresh_from_db()
    assert (note.status, note.attempts, note.last_error) == ("pending", 1, "ConnectionError")
    assert note.send_after > note.created_at

    Notification.objects.filter(pk=note.pk).update(send_after=note.created_at)
    assert notifications_send_pending(sender=NotifySender(client)) == 1
    note.refresh_from_db()
    assert (note.status, note.provider_reference) == ("sent", "notify-1")
    assert client.calls[0]["template_id"] == "template-1"
    assert client.calls[0]["personalisation"] == {"subject": "Subject", "body": "Body"}


def test_queueing_the_same_message_twice_keeps_one(db, duty_managers):
    from cases.notifications import notification_queue

    notification_queue(dedupe_key="same", recipient=duty_managers[0], subject="A", body="B")
    notification_queue(dedupe_key="same", recipient=duty_managers[0], subject="A", body="B")

    assert Notification.objects.count() == 1


def test_a_clock_reminds_an_agencys_team_managers_and_escalates_to_one_person(db, team_manager):
    """The lead professional clock: the lead agency's team managers are reminded (not every team
    manager in the county, nor the agency's other practitioners), and its escalation goes to one
    named person (the panel's coordinator)."""
    lead_agency_manager = UserFactory(roles=[Role.TEAM_MANAGER])
    UserFactory(agency=lead_agency_manager.agency, roles=[Role.LEAD_PROFESSIONAL])  # same agency, not a manager
    coordinator = UserFactory(roles=[Role.PANEL_COORDINATOR])
    UserFactory(roles=[Role.PANEL_COORDINATOR])  # another locality's coordinator
    deadline_start(
        timescale_code="lead-professional",
        subject_type="case",
        subject_id=7,
        reference="C-2026-000007",
        started_at=at(2026, 3, 2, 9, 0),
        remind_role=Role.TEAM_MANAGER,
        remind_agency=lead_agency_manager.agency,
        escalate_user=coordinator,
    )

    assert deadlines_sweep(now=at(2026, 3, 7, 9, 0)) == {"reminded": 1, "escalated": 0}
    assert deadlines_sweep(now=at(2026, 3, 9, 9, 0)) == {"reminded": 0, "escalated": 1}

    notes = list(Notification.objects.order_by("id"))
    assert [(n.recipient, n.subject) for n in notes] == [
        (lead_agency_manager, "Due soon: Lead professional assigned for C-2026-000007"),
        (coordinator, "Overdue: Lead professional assigned for C-2026-000007"),
    ]


def test_an_escalation_can_go_to_an_agencys_holders_of_a_role(db, team_manager):
    manager = UserFactory(roles=[Role.TEAM_MANAGER])
    UserFactory(agency=manager.agency, roles=[Role.REFERRER])
    deadline_start(
        timescale_code="lead-professional",
        subject_type="case",
        subject_id=8,
        reference="C-2026-000008",
        started_at=at(2026, 3, 2, 9, 0),
        escalate_role=Role.TEAM_MANAGER,
        escalate_agency=manager.agency,
    )

    deadlines_sweep(now=at(2026, 3, 9, 9, 0))

    assert [n.recipient for n in Notification.objects.filter(subject__startswith="Overdue")] == [manager]
