"""Contact officers record phone calls and emails; a list of those not yet confirmed in writing,
each with a button to mark it confirmed. Also the navigation items of the intake pages."""

import datetime
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.roles import Role
from front_door import services
from front_door.models import Channel, Referral, ReferralStatus, ReferrerRelationship
from front_door.services import PersonData
from tests.factories import UserFactory
from tests.front_door.test_intake_practitioner import (
    assert_error_page,
    checked,
    date_parts,
    input_value,
    textarea_value,
)


@pytest.fixture
def officer(world):
    return UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])


@pytest.fixture
def other_officer(world):
    return UserFactory(username="contact2", agency=world.council, roles=[Role.CONTACT_OFFICER])


@pytest.fixture
def client(client_for, officer):
    return client_for(officer)


NEW = "/front-door/contacts/new/"
CHILDREN = NEW + "children/"
ADULTS = NEW + "parents-and-carers/"
ADDRESS = NEW + "address/"
CONCERNS = NEW + "concerns/"
CONSENT = NEW + "agreement/"
CHECK = NEW + "check/"


def caller_post(**overrides):
    data = {
        "channel": Channel.PHONE.value,
        "referrer_name": "Priya Patel",
        "referrer_relationship": ReferrerRelationship.PRACTITIONER.value,
        "referrer_agency": "",
        "referrer_role": "School nurse",
        "referrer_email": "",
        "referrer_phone": "01632 960 001",
    }
    data.update(overrides)
    return data


def child_post(button="continue", **overrides):
    data = {
        "first_name": "Amara",
        "last_name": "Okafor",
        **date_parts("date_of_birth", 17, 5, 2016),
        "nhs_number": "943 476 5919",
        "school": "",
        button: "Continue",
    }
    data.update(overrides)
    return data


def record_through_pages(client, *, caller=None, children=None, adults=(), address=None, concerns=None, consent=None):
    """Every page of a contact in turn, then record it: the response to recording it."""
    pages = [
        (NEW, caller_post(**(caller or {}))),
        *[(CHILDREN, child_post(button="add", **child)) for child in (children or [{}])],
        (CHILDREN, {"continue": "Continue"}),
        *[
            (
                ADULTS,
                {
                    "first_name": "Grace",
                    "last_name": "Okafor",
                    **date_parts("date_of_birth", "", "", ""),
                    "relationship": "Mother",
                    "parental_responsibility": "yes",
                    "add": "Add this person",
                    **adult,
                },
            )
            for adult in adults
        ],
        (ADULTS, {"continue": "Continue"}),
        (
            ADDRESS,
            {
                "address_line_1": "12 Mill Lane",
                "address_line_2": "",
                "town": "Exton",
                "postcode": "EX1 1AB",
                **(address or {}),
            },
        ),
        (
            CONCERNS,
            {
                "concerns": "The school nurse is worried about Amara's weight loss.",
                "help_wanted": "Support for mum with meals.",
                **(concerns or {}),
            },
        ),
        (CONSENT, consent or {"consent_given": "yes"}),
    ]
    for page, data in pages:
        response = client.post(page, data)
        assert response.status_code == 302, (page, response.content.decode()[:3000])
    return client.post(CHECK)


def recorded_reference(response) -> str:
    assert response.status_code == 302, response.content.decode()[:3000]
    match = re.fullmatch(r"/front-door/contacts/recorded/(EH-\d{4}-\d{6})/", response["Location"])
    return match[1]


def record(officer, *, channel=Channel.PHONE, first_name="Amara", phone="01632 960 001", **fields):
    return services.referral_receive(
        channel=channel,
        actor=officer,
        people=[PersonData(kind="child", first_name=first_name, last_name="Okafor")],
        referrer_name="Priya Patel",
        referrer_phone=phone,
        concerns="Worried.",
        consent_given=True,
        **fields,
    )


# --- Recording a contact ----------------------------------------------------------------------------------------


def test_a_phone_call_is_recorded_and_the_confirmation_shows_the_reference(client, officer, world):
    steps = [
        (NEW, caller_post(referrer_agency=str(world.school.pk)), CHILDREN),
        (CHILDREN, child_post(), ADULTS),
        (ADULTS, {"continue": "Continue"}, ADDRESS),
        (ADDRESS, {"address_line_1": "12 Mill Lane", "town": "Exton", "postcode": "EX1 1AB"}, CONCERNS),
        (CONCERNS, {"concerns": "Worried about Amara's weight loss.", "help_wanted": ""}, CONSENT),
        (CONSENT, {"consent_given": "yes"}, CHECK),
    ]
    for page, data, next_page in steps:
        assert client.get(page).status_code == 200
        response = client.post(page, data)
        assert response.status_code == 302, (page, response.content.decode()[:2000])
        assert response["Location"] == next_page
    check = client.get(CHECK).content.decode()
    assert "Check the contact before you record it" in check
    assert "Priya Patel" in check and "Hill School" in check and "9434765919" in check

    response = client.post(CHECK)

    reference = recorded_reference(response)
    referral = Referral.objects.get(reference=reference)
    assert referral.channel == Channel.PHONE
    assert referral.status == ReferralStatus.AWAITING_DECISION
    assert referral.recorded_by == officer
    assert referral.referrer is None
    assert referral.referrer_agency == world.school
    assert referral.referrer_role == "School nurse"
    assert referral.referrer_relationship == ReferrerRelationship.PRACTITIONER
    assert referral.confirmed_in_writing_at is None
    assert [(p.full_name, p.nhs_number) for p in referral.people.all()] == [("Amara Okafor", "9434765919")]
    page = client.get(response["Location"]).content.decode()
    assert "Contact recorded" in page
    assert reference in page
    assert "(phone call)" in page
    assert "linked" not in page
    # The next contact starts afresh.
    assert input_value(client.get(NEW).content.decode(), "referrer_name") == ""


def test_an_email_with_parents_and_three_children(client):
    response = record_through_pages(
        client,
        caller={
            "channel": Channel.EMAIL.value,
            "referrer_relationship": ReferrerRelationship.RELATIVE.value,
            "referrer_email": "aunt@example.org",
            "referrer_phone": "",
        },
        children=[
            {},
            {"first_name": "Leo", "nhs_number": "", **date_parts("date_of_birth", 2, 9, 2019)},
            {"first_name": "Sami", "nhs_number": "", **date_parts("date_of_birth", "", "", "")},
        ],
        adults=[{}, {"first_name": "Tom", "relationship": "Stepfather", "parental_responsibility": "no"}],
    )

    referral = Referral.objects.get(reference=recorded_reference(response))

    assert referral.channel == Channel.EMAIL
    assert [p.first_name for p in referral.children] == ["Amara", "Leo", "Sami"]
    assert [p.first_name for p in referral.adults] == ["Grace", "Tom"]
    assert referral.people.get(first_name="Leo").date_of_birth == datetime.date(2019, 9, 2)


def test_consent_not_sought_with_the_reason(client):
    reason = "Mum's partner is violent; asking would put Amara at risk."

    response = record_through_pages(client, consent={"consent_given": "no", "consent_not_sought_reason": reason})

    referral = Referral.objects.get(reference=recorded_reference(response))
    assert (referral.consent_given, referral.consent_not_sought_reason) == (False, reason)


def test_a_repeat_contact_is_linked_and_the_confirmation_says_so(client, officer):
    earlier = record(officer)  # the same caller's phone, the same child, a moment ago

    response = record_through_pages(client, children=[{"nhs_number": "", **date_parts("date_of_birth", "", "", "")}])

    referral = Referral.objects.get(reference=recorded_reference(response))
    assert referral.duplicate_of == earlier
    assert f"linked to the earlier one, {earlier.reference}" in client.get(response["Location"]).content.decode()


def test_a_contact_not_yet_recorded_is_the_officers_own(client_for, officer, other_officer):
    client_for(officer).post(NEW, caller_post())
    draft = Referral.objects.get()

    assert draft.recorded_by == officer
    other = client_for(other_officer)
    assert other.get(CHILDREN)["Location"] == NEW
    assert "Priya Patel" not in other.get(NEW).content.decode()
    session = other.session
    session["front_door_contact_draft"] = draft.pk  # even given its id, another officer cannot use it
    session.save()
    assert other.get(CHECK)["Location"] == NEW
    assert other.post(CHECK).status_code == 302
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT


def _future():
    return timezone.localdate() + datetime.timedelta(days=10)


CALLER_ERRORS = [
    ({"channel": ""}, "id_channel_1", "Select how they contacted us"),
    ({"channel": "api"}, "id_channel_1", "Select how they contacted us"),
    ({"referrer_name": ""}, "id_referrer_name", "Enter the name of the person who contacted us"),
    ({"referrer_relationship": ""}, "id_referrer_relationship_1", "Select who the person who contacted us is"),
    ({"referrer_agency": "999999"}, "id_referrer_agency", "Select their agency from the list"),
    (
        {"referrer_phone": "", "referrer_email": ""},
        "id_referrer_email",
        "Enter the caller's email address or phone number, so we can tell them what happens next",
    ),
    (
        {"referrer_email": "nurse@"},
        "id_referrer_email",
        "Enter an email address in the correct format, like name@example.com",
    ),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), CALLER_ERRORS, ids=[e[2] for e in CALLER_ERRORS])
def test_caller_errors_keep_what_was_typed(client, overrides, anchor, message):
    data = caller_post(**overrides)

    html = assert_error_page(client.post(NEW, data), (anchor, message))

    assert "<title>Error: Who contacted us - Record a contact" in html
    assert input_value(html, "referrer_role") == "School nurse"
    assert checked(html, "id_channel_1", "phone") == (data["channel"] == "phone")
    assert not Referral.objects.exists()


CHILD_ERRORS = [
    ({"first_name": ""}, "id_first_name", "Enter the child's first name"),
    ({"last_name": ""}, "id_last_name", "Enter the child's last name"),
    (date_parts("date_of_birth", 31, 2, 2026), "id_date_of_birth_0", "Date of birth must be a real date"),
    (
        date_parts("date_of_birth", _future().day, _future().month, _future().year),
        "id_date_of_birth_0",
        "Enter a date of birth in the past",
    ),
    (
        {"nhs_number": "943 476 5918"},
        "id_nhs_number",
        "Enter a valid NHS number: check the digits are in the right order",
    ),
    ({"nhs_number": "999"}, "id_nhs_number", "Enter an NHS number with 10 digits, like 943 476 5919"),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), CHILD_ERRORS, ids=[e[2] for e in CHILD_ERRORS])
def test_child_errors_keep_what_was_typed(client, overrides, anchor, message):
    assert client.post(NEW, caller_post()).status_code == 302
    data = child_post(**overrides)

    html = assert_error_page(client.post(CHILDREN, data), (anchor, message))

    assert "<title>Error: The children - Record a contact" in html
    assert input_value(html, "nhs_number") == data["nhs_number"]
    assert input_value(html, "date_of_birth_2") == data["date_of_birth_2"]
    assert not Referral.objects.get().people.exists()


ANSWER_ERRORS = [
    (ADDRESS, {"postcode": "12345"}, "id_postcode", "Enter a real postcode, like AA1 1AA"),
    (CONCERNS, {"concerns": ""}, "id_concerns", "Enter what they are worried about"),
    (
        CONSENT,
        {"consent_given": ""},
        "id_consent_given_1",
        "Select yes if the people with parental responsibility have agreed to this referral",
    ),
    (
        CONSENT,
        {"consent_given": "no"},
        "id_consent_not_sought_reason",
        "Explain why asking the family would put a child at risk",
    ),
]


@pytest.mark.parametrize(("page", "data", "anchor", "message"), ANSWER_ERRORS, ids=[e[3] for e in ANSWER_ERRORS])
def test_answer_errors_keep_what_was_typed(client, page, data, anchor, message):
    assert client.post(NEW, caller_post()).status_code == 302

    html = assert_error_page(client.post(page, data), (anchor, message))

    if page == CONCERNS:
        assert textarea_value(html, "help_wanted") == ""


def test_the_callers_errors_are_listed_in_the_order_of_the_fields(client):
    response = client.post(
        NEW,
        caller_post(
            channel="", referrer_name="", referrer_relationship="", referrer_agency="999999", referrer_email="nurse@"
        ),
    )

    html = response.content.decode()
    summary = re.search(r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', html, re.S)[1]
    assert re.findall(r'<a href="([^"]*)">', summary) == [
        "#id_channel_1",
        "#id_referrer_name",
        "#id_referrer_relationship_1",
        "#id_referrer_agency",
        "#id_referrer_email",
    ]


def test_the_confirmation_is_for_the_officer_who_recorded_it(client_for, officer, other_officer):
    referral = record(officer)

    assert client_for(officer).get(f"/front-door/contacts/recorded/{referral.reference}/").status_code == 200
    assert client_for(other_officer).get(f"/front-door/contacts/recorded/{referral.reference}/").status_code == 404
    assert client_for(officer).get("/front-door/contacts/recorded/EH-2020-000001/").status_code == 404


# --- Who may record contacts -------------------------------------------------------------------------------------

CONTACT_PAGES = ["/front-door/contacts/new/", "/front-door/contacts/awaiting-confirmation/"]


@pytest.mark.parametrize("page", CONTACT_PAGES)
def test_contact_officers_and_duty_managers_only(client_for, world, officer, page):
    assert client_for(officer).get(page).status_code == 200
    assert client_for(world.duty_manager).get(page).status_code == 200
    for user in [world.school_practitioner, world.lead, world.team_manager, world.analyst]:
        assert client_for(user).get(page).status_code == 403, user.username
    anonymous = Client().get(page)
    assert anonymous.status_code == 302
    assert anonymous["Location"] == f"/accounts/sign-in/?next={page}"


def test_a_practitioner_cannot_post_a_contact(client_for, world):
    response = client_for(world.school_practitioner).post(NEW, caller_post())

    assert response.status_code == 403
    assert not Referral.objects.exists()


def test_a_duty_manager_records_a_contact_too(client_for, world):
    response = record_through_pages(client_for(world.duty_manager))

    assert Referral.objects.get(reference=recorded_reference(response)).recorded_by == world.duty_manager


# --- Awaiting confirmation in writing --------------------------------------------------------------------------------


def test_the_list_shows_only_my_unconfirmed_phone_and_email_contacts(client, officer, other_officer, submit_referral):
    phone = record(officer, first_name="Amara")
    email = record(officer, channel=Channel.EMAIL, first_name="Leo", phone="01632 960 002")
    confirmed = record(officer, first_name="Maya", phone="01632 960 003")
    services.referral_confirm_in_writing(actor=officer, referral=confirmed)
    someone_elses = record(other_officer, first_name="Noah", phone="01632 960 004")
    practitioners = submit_referral()

    html = client.get("/front-door/contacts/awaiting-confirmation/").content.decode()

    assert phone.reference in html
    assert email.reference in html
    assert "Amara Okafor" in html
    assert "Email" in html
    for hidden in [confirmed, someone_elses, practitioners]:
        assert hidden.reference not in html
    assert f'action="/front-door/contacts/{phone.pk}/confirm/"' in html
    assert "Mark as confirmed in writing" in html


def test_marking_a_contact_confirmed_in_writing(client, officer):
    referral = record(officer)

    response = client.post(f"/front-door/contacts/{referral.pk}/confirm/", {"page": "1"})

    referral.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == "/front-door/contacts/awaiting-confirmation/?page=1"
    assert referral.confirmed_in_writing_at is not None
    page = client.get(response["Location"]).content.decode()
    assert f"{referral.reference} marked as confirmed in writing" in page
    assert "There are no contacts waiting to be confirmed in writing." in page


def test_confirming_is_a_post_for_my_own_unconfirmed_contacts(client, officer, other_officer, submit_referral):
    mine = record(officer)
    theirs = record(other_officer, phone="01632 960 009")
    practitioners = submit_referral()

    assert client.get(f"/front-door/contacts/{mine.pk}/confirm/").status_code == 405
    assert client.post(f"/front-door/contacts/{theirs.pk}/confirm/").status_code == 404
    assert client.post(f"/front-door/contacts/{practitioners.pk}/confirm/").status_code == 404
    assert client.post(f"/front-door/contacts/{mine.pk}/confirm/").status_code == 302
    assert client.post(f"/front-door/contacts/{mine.pk}/confirm/").status_code == 404  # already confirmed
    theirs.refresh_from_db()
    assert theirs.confirmed_in_writing_at is None


def test_the_list_is_paginated(client, officer):
    for number in range(27):
        record(officer, first_name=f"Child{number}", phone=f"01632 960 {number:03d}")

    first = client.get("/front-door/contacts/awaiting-confirmation/").content.decode()
    second = client.get("/front-door/contacts/awaiting-confirmation/?page=2").content.decode()

    assert first.count("Mark as confirmed in writing<span") == 25
    assert second.count("Mark as confirmed in writing<span") == 2
    assert 'class="govuk-pagination"' in first


def test_the_list_takes_the_same_queries_for_one_row_or_thirty(client, officer, world, django_assert_max_num_queries):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/front-door/contacts/awaiting-confirmation/").status_code == 200
        return len(context)

    record(officer, first_name="Child0", referrer_agency=world.school)
    one = queries()
    for number in range(1, 30):
        record(officer, first_name=f"Child{number}", phone=f"01632 960 {number:03d}", referrer_agency=world.health)
    thirty = queries()

    assert one == thirty
    # Session, user, roles; count, rows, children; the session saved (a savepoint around an update).
    with django_assert_max_num_queries(9):
        client.get("/front-door/contacts/awaiting-confirmation/")


# --- Navigation ---------------------------------------------------------------------------------------------------


def nav(client) -> str:
    html = client.get("/").content.decode()
    return html[html.index('<ul class="govuk-service-navigation__list"') : html.index("</nav>")]


def test_navigation_offers_the_intake_pages_to_those_who_may_use_them(client_for, world, officer):
    practitioner = nav(client_for(world.school_practitioner))
    contact = nav(client_for(officer))
    duty = nav(client_for(world.duty_manager))
    no_agency = nav(client_for(UserFactory(agency=None, roles=[Role.REFERRER])))

    assert 'href="/referrals/new/">Make a referral</a>' in practitioner
    assert "Record a contact" not in practitioner
    assert 'href="/front-door/contacts/new/">Record a contact</a>' in contact
    assert "Make a referral" in contact
    assert "Record a contact" in duty
    assert "Make a referral" not in no_agency
    assert "Record a contact" not in no_agency


def test_an_unfinished_contact_is_offered_to_go_on_with_or_delete(client):
    assert client.post(NEW, caller_post()).status_code == 302

    html = client.get(NEW).content.decode()
    delete = client.get(NEW + "delete/?back=" + NEW).content.decode()
    response = client.post(NEW + "delete/")

    assert "You started recording this contact earlier" in html
    assert input_value(html, "referrer_name") == "Priya Patel"
    assert "Are you sure you want to delete this draft?" in delete
    assert response["Location"] == NEW
    assert not Referral.objects.exists()
    assert input_value(client.get(NEW).content.decode(), "referrer_name") == ""
