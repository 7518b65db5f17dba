"""The administrator's list of messages that could not be confirmed (a worker died while sending an
email): each is marked sent or sent again by a person who checked, and the choice is recorded."""

import datetime

import pytest
from django.contrib.admin.models import LogEntry
from django.utils import timezone

from cases.models import Notification

LIST = "/admin/cases/notification/"


def message(key: str, status: str, **fields) -> Notification:
    claimed = {"claimed_at": timezone.now() - datetime.timedelta(hours=1), "channel": "email"}
    return Notification.objects.create(
        dedupe_key=key,
        email=f"{key}@example.org",
        subject=f"Your referral EH-2026-{len(key):06d}: our decision",
        body="Body",
        status=status,
        attempts=1,
        **(claimed if status in ("sending", "unconfirmed") else {}),
        **fields,
    )


@pytest.fixture
def admin(world, client_for):
    return client_for(world.superuser)


def test_the_could_not_confirm_list_shows_only_those_messages_in_words(world, admin, django_assert_max_num_queries):
    waiting = [message(f"unconfirmed-{n}", "unconfirmed") for n in range(3)]
    message("sent", "sent", sent_at=timezone.now())

    with django_assert_max_num_queries(8):
        response = admin.get(LIST, {"status__exact": "unconfirmed"})

    page = response.content.decode()
    assert response.status_code == 200
    assert all(row.email in page for row in waiting)
    assert "sent@example.org" not in page
    assert "Could not confirm" in page
    assert ">unconfirmed<" not in page  # the status is named in words, not its code
    assert "Mark as sent (checked: it went)" in page
    assert "Send again" in page


def test_the_queries_of_the_list_do_not_grow_with_its_rows(world, admin, django_assert_max_num_queries):
    for n in range(30):
        message(f"unconfirmed-{n}", "unconfirmed")

    with django_assert_max_num_queries(8):
        assert admin.get(LIST, {"status__exact": "unconfirmed"}).status_code == 200


def test_a_message_checked_by_a_person_is_marked_sent_and_the_choice_recorded(world, admin):
    checked = message("checked", "unconfirmed")
    already_sent = message("already", "sent", sent_at=timezone.now())

    response = admin.post(LIST, {"action": "mark_sent", "_selected_action": [checked.pk, already_sent.pk]}, follow=True)

    checked.refresh_from_db()
    assert (checked.status, checked.resolved_by) == ("sent", world.superuser)
    assert checked.sent_at is not None
    page = response.content.decode()
    assert "1 message marked as sent" in page
    assert "1 not changed: only messages that could not be confirmed can be marked as sent" in page
    assert LogEntry.objects.get(object_id=str(checked.pk)).get_change_message() == "Marked as sent"
    assert not LogEntry.objects.filter(object_id=str(already_sent.pk)).exists()


def test_a_message_a_person_chooses_to_send_again_is_queued_and_sent(
    world, admin, django_capture_on_commit_callbacks, mailoutbox
):
    from cases.notifications import notifications_send_pending

    again = message("again", "unconfirmed")

    with django_capture_on_commit_callbacks() as callbacks:
        response = admin.post(LIST, {"action": "send_again", "_selected_action": [again.pk]}, follow=True)

    again.refresh_from_db()
    assert (again.status, again.attempts, again.claimed_at, again.resolved_by) == (
        "pending",
        0,
        None,
        world.superuser,
    )
    assert "1 message queued to send again" in response.content.decode()
    assert len(callbacks) == 1  # a sender is asked to send it
    assert notifications_send_pending() == 1
    assert [m.to for m in mailoutbox] == [["again@example.org"]]


@pytest.mark.parametrize("status", ["pending", "sending", "sent"])
def test_a_message_that_is_not_waiting_for_a_person_is_not_changed_by_either_action(world, admin, status):
    row = message("other", status, **({"sent_at": timezone.now()} if status == "sent" else {}))

    for action in ("mark_sent", "send_again"):
        admin.post(LIST, {"action": action, "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert row.status == status
    assert row.resolved_by is None


def test_messages_cannot_be_added_or_deleted_by_hand(world, admin):
    row = message("kept", "unconfirmed")

    assert admin.get(f"{LIST}add/").status_code == 403
    assert admin.get(f"{LIST}{row.pk}/delete/").status_code == 403
    page = admin.get(f"{LIST}{row.pk}/change/").content.decode()
    assert f"&lt;earlyhelp-outbox-{row.pk}@example.org&gt;" in page  # to find it in the mail server's log


def test_practitioners_have_no_access_to_the_outbox(world, client_for):
    response = client_for(world.administrator).get(LIST)

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
