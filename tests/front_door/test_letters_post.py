"""Nothing silently unsent: a letter for a referrer with no email address goes to the front door's
"letters to post or phone", printable with their address, and "sent by post" or "told by phone"
records who and when, in the letter and the family's chronology, and meets the 72-hour clock."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases.models import AccessLog, ChronologyEntry, Deadline, Notification
from cases.roles import Role
from front_door.letters import letter_create_and_send
from front_door.models import LetterStatus, ReferrerLetter
from front_door.selectors import letters_to_post_count
from tests.factories import UserFactory
from tests.front_door.letters_helpers import amend, decide, pdf_text, public_referral

LIST = "/front-door/letters/"


@pytest.fixture
def officer(world):
    return UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])


@pytest.fixture
def phone_only(world):
    """A relative's public referral with a phone number only, decided, its letter made."""
    referral = public_referral(phone="07700 900 982")
    return letter_create_and_send(decision_id=decide(world, referral).pk)


def page_url(letter) -> str:
    return reverse("front_door:letter-to-post", args=[letter.referral_id, letter.pk])


def print_url(letter) -> str:
    return reverse("front_door:letter-print", args=[letter.referral_id, letter.pk])


def letter_clock(letter) -> Deadline:
    return Deadline.objects.get(
        timescale__code="referrer-letter", subject_type="referral", subject_id=letter.referral_id
    )


def test_a_phone_only_referrals_letter_is_listed_to_post_or_phone(world, phone_only, client_for, officer):
    duty = client_for(world.duty_manager).get(LIST)
    contact = client_for(officer).get(LIST).content.decode()

    html = duty.content.decode()
    assert phone_only.status == LetterStatus.TO_POST
    assert phone_only.notification is None
    assert not Notification.objects.filter(dedupe_key=f"referrer-letter:{phone_only.pk}").exists()
    assert [row["letter"] for row in duty.context["rows"]] == [phone_only]
    assert "1 letter to post or phone" in html
    assert phone_only.referral.reference in html and "Pat Jones" in html and "07700 900 982" in html
    assert f'href="{page_url(phone_only)}"' in html
    assert phone_only.referral.reference in contact
    assert letters_to_post_count() == 1
    assert letter_clock(phone_only).met_at is None  # made, but nobody told yet


def test_an_emailed_letter_is_not_listed(world, client_for):
    letter = letter_create_and_send(decision_id=decide(world, public_referral(email="pat@example.com")).pk)

    response = client_for(world.duty_manager).get(LIST)

    assert letter.status == LetterStatus.QUEUED
    assert response.context["rows"] == []
    assert "There are no letters to post or phone." in response.content.decode()
    assert letters_to_post_count() == 0


def test_sent_by_post_is_recorded_and_meets_the_72_hour_clock(world, phone_only, client_for, officer):
    client = client_for(officer)

    response = client.post(page_url(phone_only), {"how": "posted"}, follow=True)

    phone_only.refresh_from_db()
    clock = letter_clock(phone_only)
    entry = ChronologyEntry.objects.get(event="referrer_letter_sent")
    html = response.content.decode()
    assert response.redirect_chain == [(LIST, 302)]
    assert f"Letter for {phone_only.referral.reference} recorded as sent by post" in html
    assert "There are no letters to post or phone." in html
    assert phone_only.status == LetterStatus.POSTED
    assert phone_only.sent_by == officer
    assert phone_only.sent_at == clock.met_at
    assert clock.met_at <= clock.due_at
    assert entry.author == officer
    assert entry.family_id == phone_only.referral.family_id
    assert entry.summary == f"Outcome letter for referral {phone_only.referral.reference} sent by post to the referrer"
    assert letters_to_post_count() == 0


def test_told_by_phone_is_recorded_and_meets_the_72_hour_clock(world, phone_only, client_for):
    response = client_for(world.duty_manager).post(page_url(phone_only), {"how": "phoned"}, follow=True)

    phone_only.refresh_from_db()
    assert f"Recorded that you told the referrer for {phone_only.referral.reference} by phone" in (
        response.content.decode()
    )
    assert phone_only.status == LetterStatus.PHONED
    assert phone_only.sent_by == world.duty_manager
    assert letter_clock(phone_only).met_at == phone_only.sent_at


def test_recording_without_saying_how_asks_for_it(world, phone_only, client_for):
    response = client_for(world.duty_manager).post(page_url(phone_only), {"how": "carrier pigeon"})

    html = response.content.decode()
    phone_only.refresh_from_db()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert html.count("Select how you told them") == 2  # the summary and the field
    assert phone_only.status == LetterStatus.TO_POST


def test_a_recorded_letter_says_who_sent_it_and_is_not_recorded_twice(world, phone_only, client_for, officer):
    client_for(officer).post(page_url(phone_only), {"how": "posted"})

    response = client_for(world.duty_manager).post(page_url(phone_only), {"how": "phoned"})

    html = response.content.decode()
    phone_only.refresh_from_db()
    assert response.status_code == 200
    assert f"Sent by post by {officer.get_full_name()} on" in html
    assert "Record that they were told" not in html
    assert phone_only.status == LetterStatus.POSTED and phone_only.sent_by == officer


def test_an_amendment_replaces_the_letter_on_the_list(world, phone_only, client_for):
    newer = letter_create_and_send(decision_id=amend(world, phone_only.decision).pk)

    listed = client_for(world.duty_manager).get(LIST).context["rows"]
    old_page = client_for(world.duty_manager).post(page_url(phone_only), {"how": "posted"}).content.decode()

    phone_only.refresh_from_db()
    assert [row["letter"] for row in listed] == [newer]
    assert phone_only.status == LetterStatus.REPLACED
    assert "This letter was replaced by a newer one before it was sent" in old_page
    assert f'href="{page_url(newer)}"' in old_page
    assert newer.corrects is None


def test_an_amendment_after_posting_lists_one_correction(world, phone_only, client_for):
    client_for(world.duty_manager).post(page_url(phone_only), {"how": "posted"})
    phone_only.refresh_from_db()

    correction = letter_create_and_send(decision_id=amend(world, phone_only.decision).pk)

    html = client_for(world.duty_manager).get(LIST).content.decode()
    assert correction.status == LetterStatus.TO_POST
    assert correction.corrects == phone_only
    assert "Correction" in html
    assert "This letter replaces our letter of" in pdf_text(correction.pdf)


def test_the_printable_letter_has_the_referrers_address(world, client_for, officer):
    referral = public_referral(
        phone="07700 900 555", referrer_address_line_1="3 Oak Road", referrer_town="Exton", referrer_postcode="EX2 2AB"
    )
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    page = client_for(officer).get(page_url(letter)).content.decode()
    response = client_for(officer).get(print_url(letter))

    assert "3 Oak Road<br>Exton<br>EX2 2AB" in page
    assert f'href="{print_url(letter)}"' in page
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == f'inline; filename="{referral.reference}.pdf"'
    assert "Pat Jones 3 Oak Road Exton EX2 2AB" in pdf_text(response.content)
    assert AccessLog.objects.filter(
        user=officer, action=AccessLog.Action.PRINT, record_type="referrer_letter", record_id=letter.pk
    ).exists()


def test_a_letter_without_an_address_says_to_phone(world, phone_only, client_for):
    html = client_for(world.duty_manager).get(page_url(phone_only)).content.decode()

    assert "Not given: phone them, or ask them for an address to post it to" in html
    assert "07700 900 982" in html


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("duty_manager", 200),
        ("officer", 200),
        ("school_practitioner", 403),
        ("team_manager", 403),
        ("lead", 403),
        ("analyst", 403),
        ("administrator", 403),
    ],
)
def test_the_list_is_the_front_doors(world, client_for, officer, role, status):
    user = officer if role == "officer" else getattr(world, role)

    assert client_for(user).get(LIST).status_code == status


@pytest.mark.parametrize(
    ("role", "status"),
    [("duty_manager", 200), ("officer", 200), ("school_practitioner", 404), ("team_manager", 404), ("lead", 404)],
)
def test_the_letter_and_its_print_are_the_front_doors(world, phone_only, client_for, officer, role, status):
    client = client_for(officer if role == "officer" else getattr(world, role))

    page, printed = client.get(page_url(phone_only)), client.get(print_url(phone_only))
    posted = client.post(page_url(phone_only), {"how": "posted"})

    phone_only.refresh_from_db()
    assert page.status_code == printed.status_code == status
    assert posted.status_code == (302 if status == 200 else 404)
    assert phone_only.status == (LetterStatus.POSTED if status == 200 else LetterStatus.TO_POST)


def test_an_emailed_letter_cannot_be_marked_posted_by_a_contact_officer(world, client_for, officer):
    letter = letter_create_and_send(decision_id=decide(world, public_referral(email="pat@example.com")).pk)

    response = client_for(officer).post(page_url(letter), {"how": "posted"})

    letter.refresh_from_db()
    assert response.status_code == 404
    assert letter.status == LetterStatus.QUEUED


def test_the_home_pages_count_the_letters_to_post(world, phone_only, client_for, officer):
    duty_home = client_for(world.duty_manager).get("/").content.decode()
    officer_home = client_for(officer).get("/").content.decode()

    assert "Letters to post or phone" in duty_home
    assert f'<a class="govuk-link" href="{LIST}">1<span class="govuk-visually-hidden"> letters to post or phone' in (
        duty_home
    )
    assert f'<a class="govuk-link" href="{LIST}">1 letter to post or phone</a>' in officer_home


def test_the_list_queries_do_not_grow_with_it(world, client_for, django_assert_max_num_queries):
    client = client_for(world.duty_manager)
    letter_create_and_send(decision_id=decide(world, public_referral()).pk)
    with django_assert_max_num_queries(12) as one:
        client.get(LIST)
    for n in range(12):
        referral = public_referral(phone=f"07700 900 {n:03d}", referrer_name=f"Caller {n}")
        letter_create_and_send(decision_id=decide(world, referral).pk)

    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(LIST)

    assert len(response.context["rows"]) == 13
    assert ReferrerLetter.objects.filter(status=LetterStatus.TO_POST).count() == 13
