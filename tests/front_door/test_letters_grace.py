"""One letter, not three: an emailed letter waits in the outbox for the grace period
(REFERRER_LETTER_GRACE_MINUTES), an amendment within it replaces the letter not yet sent, and an
amendment after it went sends one correction that names the letter it replaces. The 72-hour clock is
met when the letter is emailed, not when it is made."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.test import override_settings
from django.utils import timezone

from cases.models import ChronologyEntry, Deadline, Notification
from cases.notifications import notification_cancel, notifications_send_pending
from front_door.letters import letter_create_and_send, letters_record_emailed
from front_door.models import DecisionOutcome, LetterStatus, ReferrerLetter
from front_door.tasks import record_emailed_letters
from tests.front_door.letters_helpers import amend, decide, pdf_text, public_referral

EMAIL = "pat.jones@example.com"


def let_the_grace_period_pass() -> None:
    """As if the grace period were over: every message held in the outbox is due."""
    Notification.objects.filter(status=Notification.Status.PENDING).update(
        send_after=timezone.now() - datetime.timedelta(seconds=1)
    )


def send_what_is_due() -> int:
    """The outbox's send, then the front door's follow-up, as the beat runs them."""
    sent = notifications_send_pending()
    letters_record_emailed()
    return sent


def letter_clock(referral) -> Deadline:
    return Deadline.objects.get(timescale__code="referrer-letter", subject_type="referral", subject_id=referral.pk)


def test_the_letter_is_held_in_the_outbox_for_the_grace_period(world):
    referral = public_referral(email=EMAIL)
    before = timezone.now()

    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    message = Notification.objects.get(dedupe_key=f"referrer-letter:{letter.pk}")
    assert letter.status == LetterStatus.QUEUED
    assert letter.notification == message
    assert (
        before + datetime.timedelta(minutes=15) <= message.send_after <= timezone.now() + datetime.timedelta(minutes=15)
    )
    assert letter.send_after == message.send_after
    assert send_what_is_due() == 0
    assert mail.outbox == []


@override_settings(REFERRER_LETTER_GRACE_MINUTES=45)
def test_the_grace_period_is_configured(world):
    referral = public_referral(email=EMAIL)

    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    held_for = letter.notification.send_after - letter.created_at
    assert abs(held_for - datetime.timedelta(minutes=45)) < datetime.timedelta(seconds=30)


def test_after_the_grace_period_the_letter_is_emailed_and_meets_the_72_hour_clock(world):
    referral = public_referral(email=EMAIL)
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)
    made = letter_clock(referral).met_at

    let_the_grace_period_pass()
    sent = send_what_is_due()

    letter.refresh_from_db()
    message = Notification.objects.get(dedupe_key=f"referrer-letter:{letter.pk}")
    clock = letter_clock(referral)
    assert made is None  # making the letter told nobody
    assert sent == 1
    assert mail.outbox[0].to == [EMAIL]
    assert letter.status == LetterStatus.EMAILED
    assert letter.sent_at == message.sent_at == clock.met_at
    assert clock.met_at <= clock.due_at


def test_second_and_third_letters_within_minutes_are_one_letter(world):
    """The issue's relative: decided, then amended twice within minutes. One email, the last word."""
    referral = public_referral(email=EMAIL)
    first = decide(world, referral)
    letter_create_and_send(decision_id=first.pk)
    second = amend(world, first, destination="childrens-centre")
    letter_create_and_send(decision_id=second.pk)
    third = amend(world, second, destination="universal-advice")
    letter_create_and_send(decision_id=third.pk)

    let_the_grace_period_pass()
    sent = send_what_is_due()

    letters = {letter.decision_id: letter for letter in ReferrerLetter.objects.all()}
    assert sent == 1
    assert len(mail.outbox) == 1
    assert letters[first.pk].status == letters[second.pk].status == LetterStatus.REPLACED
    assert letters[first.pk].replaced_by == letters[second.pk]
    assert letters[second.pk].replaced_by == letters[third.pk]
    assert letters[third.pk].status == LetterStatus.EMAILED
    assert Notification.objects.filter(dedupe_key__startswith="referrer-letter:").count() == 1
    attached = mail.outbox[0].attachments[0][1]
    assert attached == bytes(letters[third.pk].pdf)
    text = pdf_text(attached)
    assert "Our early help service will not be working with the family." in text
    assert "replaces" not in text  # nothing went before it


def test_an_amendment_after_the_letter_went_sends_one_correction_naming_it(world):
    referral = public_referral(email=EMAIL)
    first = decide(world, referral)
    original = letter_create_and_send(decision_id=first.pk)
    let_the_grace_period_pass()
    send_what_is_due()
    original.refresh_from_db()

    second = amend(world, first, destination="childrens-centre")
    letter_create_and_send(decision_id=second.pk)
    third = amend(world, second, destination="universal-advice")  # and again, a minute later
    correction = letter_create_and_send(decision_id=third.pk)
    let_the_grace_period_pass()
    sent = send_what_is_due()

    correction.refresh_from_db()
    sent_on = timezone.localdate(original.sent_at).strftime("%-d %B %Y")
    assert sent == 1
    assert len(mail.outbox) == 2  # the original and one correction
    assert correction.corrects == original
    assert correction.status == LetterStatus.EMAILED
    assert ReferrerLetter.objects.get(decision=second).status == LetterStatus.REPLACED
    text = pdf_text(mail.outbox[1].attachments[0][1])
    assert f"We have changed what we told you. This letter replaces our letter of {sent_on}." in text
    assert "Our early help service will not be working with the family." in text


def test_a_practitioners_correction_says_the_decision_changed(world, submit_referral):
    referral = submit_referral()
    first = decide(world, referral)
    original = letter_create_and_send(decision_id=first.pk)
    let_the_grace_period_pass()
    send_what_is_due()
    original.refresh_from_db()

    correction = letter_create_and_send(decision_id=amend(world, first).pk)

    text = pdf_text(correction.pdf)
    message = Notification.objects.get(dedupe_key=f"referrer-letter:{correction.pk}")
    sent_on = timezone.localdate(original.sent_at).strftime("%-d %B %Y")
    assert f"Our decision has changed. This letter replaces our letter of {sent_on} about this referral." in text
    assert message.subject == f"Your referral {referral.reference}: our decision has changed"


def test_a_late_task_for_an_amended_decision_makes_no_letter(world):
    """The amendment's letter was made first (its worker was quicker): the earlier decision's task,
    arriving late, must not send the old decision after it."""
    referral = public_referral(email=EMAIL)
    first = decide(world, referral)
    second = amend(world, first)

    latest = letter_create_and_send(decision_id=second.pk)
    late = letter_create_and_send(decision_id=first.pk)

    assert late is None
    assert list(ReferrerLetter.objects.all()) == [latest]


def test_a_letter_the_outbox_has_taken_is_not_replaced_but_corrected(world):
    """A sender holds the message (or has sent it): cancelling it is refused, so the amendment's
    letter is a correction."""
    referral = public_referral(email=EMAIL)
    first = decide(world, referral)
    original = letter_create_and_send(decision_id=first.pk)
    Notification.objects.filter(pk=original.notification_id).update(
        status=Notification.Status.SENT, sent_at=timezone.now()
    )

    correction = letter_create_and_send(decision_id=amend(world, first).pk)

    original.refresh_from_db()
    assert notification_cancel(dedupe_key=f"referrer-letter:{original.pk}") is False
    assert original.status == LetterStatus.QUEUED  # the follow-up records it as emailed
    assert correction.corrects == original
    assert "This letter replaces our letter of" in pdf_text(correction.pdf)


def test_a_letter_that_could_not_be_emailed_goes_to_the_list_to_post(world):
    referral = public_referral(email=EMAIL)
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)
    Notification.objects.filter(pk=letter.notification_id).update(status=Notification.Status.FAILED, attempts=8)

    moved = letters_record_emailed()

    letter.refresh_from_db()
    assert moved == 1
    assert letter.status == LetterStatus.TO_POST
    assert letter_clock(referral).met_at is None


@pytest.mark.parametrize("outcome", [DecisionOutcome.STEP_UP, DecisionOutcome.MORE_INFORMATION])
def test_a_decision_after_partners_answered_replaces_a_held_letter(world, outcome):
    referral = public_referral(email=EMAIL)
    asked = decide(world, referral, DecisionOutcome.MORE_INFORMATION, None)
    letter_create_and_send(decision_id=asked.pk)

    final = letter_create_and_send(decision_id=decide(world, referral).pk)

    assert ReferrerLetter.objects.get(decision=asked).status == LetterStatus.REPLACED
    assert final.status == LetterStatus.QUEUED
    assert final.corrects is None


def test_the_follow_up_runs_every_minute_and_is_safe_to_run_twice(world, settings):
    referral = public_referral(email=EMAIL)
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)
    let_the_grace_period_pass()
    notifications_send_pending()

    record_emailed_letters()
    record_emailed_letters()

    letter.refresh_from_db()
    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert schedule["front_door.tasks.record_emailed_letters"] == 60.0
    assert letter.status == LetterStatus.EMAILED
    assert ChronologyEntry.objects.filter(event="referrer_letter_sent").count() == 1
    assert Notification.objects.get(pk=letter.notification_id).subject == (
        f"Your request for help, reference {referral.reference}"
    )
