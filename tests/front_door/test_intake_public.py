"""The public form: no account, one page; protected by a honeypot, a signed timestamp and a
throttle per address; a repeat is linked to the earlier request and the confirmation says so."""

import datetime
import re
import time

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from front_door import intake_views
from front_door.models import Channel, Referral, ReferralStatus, ReferrerRelationship
from tests.front_door.test_intake_practitioner import (
    assert_error_page,
    checked,
    date_parts,
    input_value,
    textarea_value,
)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _no_minimum_time(monkeypatch):
    # The 3-second rule has its own tests below; elsewhere a test posts at once.
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 0)


@pytest.fixture
def anonymous(db):
    return Client()


def public_post(**overrides):
    data = {
        "started": intake_views.form_token(),
        "leave_blank": "",
        "referrer_relationship": ReferrerRelationship.PARENT.value,
        "referrer_name": "Grace Okafor",
        "referrer_email": "grace@example.org",
        "referrer_phone": "",
        "child_first_name": "Amara",
        "child_last_name": "Okafor",
        **date_parts("child_date_of_birth", 17, 5, 2016),
        "child2_first_name": "",
        "child2_last_name": "",
        **date_parts("child2_date_of_birth", "", "", ""),
        "address_line_1": "12 Mill Lane",
        "address_line_2": "",
        "town": "Exton",
        "postcode": "ex1 1ab",
        "concerns": "Amara is not sleeping and will not go to school.",
        "help_wanted": "Someone to talk to about her behaviour.",
        "consent_given": "yes",
        "consent_not_sought_reason": "",
    }
    data.update(overrides)
    return data


def sent_reference(response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.fullmatch(r"/refer/received/(EH-\d{4}-\d{6})/", response["Location"])
    return match[1]


# --- The page and a request sent ---------------------------------------------------------------------------------


def test_anyone_can_open_the_form(anonymous):
    response = anonymous.get("/refer/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Ask for help for a child or family" in html
    assert "Does the family know you are asking for help, and do they agree?" in html
    assert "novalidate" in html
    assert 'name="started"' in html
    # The honeypot is out of sight and out of reach for people.
    assert re.search(r'<div class="govuk-!-display-none" aria-hidden="true">\s*<label for="id_leave_blank">', html)
    assert 'tabindex="-1"' in html
    assert re.search(r'value="Send"[^>]*data-module="govuk-button"[^>]*data-prevent-double-click="true"', html, re.S)
    # "A practitioner" is not offered: practitioners sign in and use their own form.
    assert "A practitioner" not in html
    assert "A parent or carer" in html


def test_a_request_is_received_and_the_confirmation_shows_the_reference(anonymous, world):
    response = anonymous.post("/refer/", public_post())

    reference = sent_reference(response)
    referral = Referral.objects.get(reference=reference)
    assert referral.channel == Channel.PUBLIC
    assert referral.status == ReferralStatus.AWAITING_DECISION
    assert referral.referrer is None
    assert referral.referrer_relationship == ReferrerRelationship.PARENT
    assert referral.referrer_name == "Grace Okafor"
    assert referral.referrer_email == "grace@example.org"
    assert referral.postcode == "EX1 1AB"
    assert referral.expected_outcome == "Someone to talk to about her behaviour."
    assert referral.consent_given is True
    assert [(p.first_name, p.date_of_birth) for p in referral.people.all()] == [("Amara", datetime.date(2016, 5, 17))]
    page = anonymous.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page
    assert reference in page
    assert "within 24 hours" in page
    assert "linked" not in page


def test_a_second_child_phone_only_and_no_address(anonymous):
    data = public_post(
        referrer_relationship=ReferrerRelationship.RELATIVE.value,
        referrer_email="",
        referrer_phone="07700 900 982",
        child2_first_name="Leo",
        child2_last_name="Okafor",
        address_line_1="",
        town="",
        postcode="",
        help_wanted="",
        **date_parts("child_date_of_birth", "", "", ""),
    )

    referral = Referral.objects.get(reference=sent_reference(anonymous.post("/refer/", data)))

    assert [p.full_name for p in referral.people.order_by("id")] == ["Amara Okafor", "Leo Okafor"]
    assert referral.people.filter(date_of_birth__isnull=True).count() == 2
    assert referral.referrer_phone == "07700 900 982"
    assert referral.postcode == ""


def test_consent_no_with_the_reason_is_received(anonymous):
    reason = "Her stepfather hurts her and would punish her for asking."

    response = anonymous.post("/refer/", public_post(consent_given="no", consent_not_sought_reason=reason))

    referral = Referral.objects.get(reference=sent_reference(response))
    assert (referral.consent_given, referral.consent_not_sought_reason) == (False, reason)


def test_a_repeat_request_is_linked_to_the_earlier_one_and_the_confirmation_says_so(anonymous):
    first = sent_reference(anonymous.post("/refer/", public_post()))

    response = anonymous.post("/refer/", public_post(concerns="It is getting worse."))

    second = sent_reference(response)
    assert second != first
    assert Referral.objects.get(reference=second).duplicate_of.reference == first
    page = anonymous.get(response["Location"]).content.decode()
    assert f"linked this request to your earlier request {first}" in page


def test_the_confirmation_is_only_shown_to_the_browser_that_sent_it(anonymous):
    response = anonymous.post("/refer/", public_post())
    reference = sent_reference(response)

    elsewhere = Client().get(response["Location"])
    made_up = anonymous.get("/refer/received/EH-2020-000001/")

    assert elsewhere.status_code == 200
    assert reference not in elsewhere.content.decode()
    assert "We cannot show the confirmation for this reference" in elsewhere.content.decode()
    assert "EH-2020-000001" not in made_up.content.decode()


def test_a_signed_in_practitioner_using_the_public_form_is_not_its_referrer(client_for, world):
    response = client_for(world.school_practitioner).post("/refer/", public_post())

    referral = Referral.objects.get(reference=sent_reference(response))
    assert referral.referrer is None
    assert referral.channel == Channel.PUBLIC


# --- Validation ------------------------------------------------------------------------------------------------------


def _future():
    return timezone.localdate() + datetime.timedelta(days=3)


PUBLIC_ERRORS = [
    ({"referrer_relationship": ""}, "id_referrer_relationship_1", "Select who you are"),
    ({"referrer_relationship": "practitioner"}, "id_referrer_relationship_1", "Select who you are"),
    ({"referrer_name": ""}, "id_referrer_name", "Enter your name"),
    (
        {"referrer_email": "", "referrer_phone": ""},
        "id_referrer_email",
        "Enter an email address or phone number so we can tell you what happens next",
    ),
    (
        {"referrer_email": "grace.example.org"},
        "id_referrer_email",
        "Enter an email address in the correct format, like name@example.com",
    ),
    (
        {"referrer_phone": "call me"},
        "id_referrer_phone",
        "Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192",
    ),
    ({"child_first_name": ""}, "id_child_first_name", "Enter the child's first name"),
    ({"child_last_name": ""}, "id_child_last_name", "Enter the child's last name"),
    (date_parts("child_date_of_birth", 31, 2, 2026), "id_child_date_of_birth_0", "Date of birth must be a real date"),
    (date_parts("child_date_of_birth", "", 2, 2016), "id_child_date_of_birth_0", "Date of birth must include a day"),
    (
        date_parts("child_date_of_birth", _future().day, _future().month, _future().year),
        "id_child_date_of_birth_0",
        "Enter a date of birth in the past",
    ),
    (
        date_parts("child_date_of_birth", 1, 1, 1980),
        "id_child_date_of_birth_0",
        "A child's date of birth must be within the last 25 years",
    ),
    (date_parts("child2_date_of_birth", 2, 9, 2019), "id_child2_first_name", "Enter the second child's first name"),
    ({"child2_first_name": "Leo"}, "id_child2_last_name", "Enter the second child's last name"),
    (
        {"child2_first_name": "Leo", "child2_last_name": "Okafor", **date_parts("child2_date_of_birth", 30, 2, 2019)},
        "id_child2_date_of_birth_0",
        "Date of birth must be a real date",
    ),
    ({"postcode": "EX1"}, "id_postcode", "Enter a real postcode, like AA1 1AA"),
    ({"concerns": " "}, "id_concerns", "Enter what you are worried about"),
    ({"consent_given": ""}, "id_consent_given_1", "Select yes if the family knows you are asking for help and agrees"),
    (
        {"consent_given": "no", "consent_not_sought_reason": ""},
        "id_consent_not_sought_reason",
        "Explain why asking the family would put a child at risk",
    ),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), PUBLIC_ERRORS, ids=[e[2] for e in PUBLIC_ERRORS])
def test_public_errors_keep_what_was_typed(anonymous, overrides, anchor, message):
    data = public_post(**overrides)

    response = anonymous.post("/refer/", data)

    html = assert_error_page(response, (anchor, message))
    assert "<title>Error: Ask for help for a child or family" in html
    assert input_value(html, "referrer_name") == data["referrer_name"]
    assert input_value(html, "child_first_name") == data["child_first_name"]
    assert input_value(html, "child_date_of_birth_0") == data["child_date_of_birth_0"]
    assert input_value(html, "postcode") == data["postcode"]
    assert textarea_value(html, "help_wanted") == data["help_wanted"]
    assert checked(html, "id_referrer_relationship_1", "parent") == (data["referrer_relationship"] == "parent")
    assert not Referral.objects.exists()


# --- Protection ---------------------------------------------------------------------------------------------------


def test_the_honeypot_refuses_the_form_and_keeps_nothing(anonymous):
    response = anonymous.post("/refer/", public_post(leave_blank="http://spam.example"))

    assert response.status_code == 400
    assert "Sorry, we could not accept this form" in response.content.decode()
    assert "Your form has not been sent" in response.content.decode()
    assert not Referral.objects.exists()


def test_a_form_sent_within_three_seconds_is_refused_with_what_was_typed_kept(anonymous, monkeypatch):
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 3)
    token = intake_views.form_token()

    response = anonymous.post("/refer/", public_post(started=token))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert "Sorry, the form was sent too quickly for us to accept it." in html
    assert textarea_value(html, "concerns") == "Amara is not sleeping and will not go to school."
    assert input_value(html, "started") == token
    assert not Referral.objects.exists()


def test_a_form_sent_after_three_seconds_is_accepted(anonymous, monkeypatch):
    monkeypatch.setattr(intake_views, "MIN_SECONDS", 3)

    response = anonymous.post("/refer/", public_post(started=intake_views.form_token(time.time() - 4)))

    sent_reference(response)


def test_a_form_served_more_than_two_hours_ago_is_refused_and_a_fresh_one_given(anonymous):
    old = intake_views.form_token(time.time() - 2 * 60 * 60 - 5)

    response = anonymous.post("/refer/", public_post(started=old))

    html = response.content.decode()
    assert "Sorry, this form timed out. Check your answers and select Send again." in html
    assert input_value(html, "referrer_email") == "grace@example.org"
    fresh = input_value(html, "started")
    assert fresh != old
    assert intake_views.form_token_problem(fresh) is None
    assert not Referral.objects.exists()

    assert sent_reference(anonymous.post("/refer/", public_post(started=fresh)))


@pytest.mark.parametrize("forge", ["empty", "garbage", "tampered"])
def test_a_missing_or_forged_timestamp_is_refused(anonymous, forge):
    # Made inside the test: a token made at collection differs between xdist workers.
    token = {"empty": "", "garbage": "not-a-token", "tampered": intake_views.form_token().replace(":", ";")}[forge]
    response = anonymous.post("/refer/", public_post(started=token))

    assert "Sorry, this form timed out." in response.content.decode()
    assert not Referral.objects.exists()


def test_the_sixth_request_in_an_hour_from_one_address_is_refused(anonymous, settings):
    settings.PUBLIC_REFERRAL_RATE = 5
    for number in range(5):
        data = public_post(child_first_name=f"Child{number}")
        assert anonymous.post("/refer/", data, REMOTE_ADDR="203.0.113.7").status_code == 302

    response = anonymous.post(
        "/refer/", public_post(concerns="Please help us, we are struggling."), REMOTE_ADDR="203.0.113.7"
    )

    html = response.content.decode()
    assert response.status_code == 429
    assert "Your form has not been sent" in html
    assert "Call the council's front door for children and families" in html
    assert "Please help us, we are struggling." in html  # what they wrote, so it is not lost
    assert Referral.objects.count() == 5
    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="198.51.100.20").status_code == 302
    assert Referral.objects.count() == 6


def test_refused_forms_do_not_use_up_the_allowance(anonymous, settings):
    settings.PUBLIC_REFERRAL_RATE = 2
    for _ in range(3):
        assert anonymous.post("/refer/", public_post(referrer_name=""), REMOTE_ADDR="203.0.113.9").status_code == 200

    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.9").status_code == 302
    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.9").status_code == 302
    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.9").status_code == 429


def test_the_allowance_comes_back_when_the_window_ends(anonymous, settings, monkeypatch):
    settings.PUBLIC_REFERRAL_RATE = 1
    monkeypatch.setattr(intake_views, "THROTTLE_WINDOW", 1)  # an hour in production
    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.10").status_code == 302
    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.10").status_code == 429

    time.sleep(1.2)

    assert anonymous.post("/refer/", public_post(), REMOTE_ADDR="203.0.113.10").status_code == 302
