"""The practitioner's referral: question pages saved as a draft, check your answers, the
confirmation; who may open a draft; every question's validation worded the GOV.UK way."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape

from cases.models import LevelOfNeed, Person
from cases.roles import Role
from cases.validators import upn_check_letter
from front_door import services
from front_door.models import Channel, Referral, ReferralStatus
from tests.factories import UserFactory

VALID_UPN = upn_check_letter("878123456789") + "878123456789"
BAD_UPN = ("A" if VALID_UPN[0] != "A" else "B") + "878123456789"


# --- Helpers shared with the public and contact tests ------------------------------------------------------------


def assert_error_page(response, *errors):
    """`errors`: (id the summary links to, message) for each expected error."""
    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: " in html
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    for anchor, message in errors:
        assert f'<li><a href="#{anchor}">{escape(message)}</a></li>' in html
        assert re.search(
            r'class="govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*'
            + re.escape(escape(message)),
            html,
        )
    return html


def date_parts(name: str, day, month, year) -> dict:
    return {f"{name}_0": str(day), f"{name}_1": str(month), f"{name}_2": str(year)}


def input_value(html: str, name: str) -> str | None:
    """The value an input shows ("" when it has none), or None when there is no such input."""
    tag = re.search(rf'<input[^>]*name="{re.escape(name)}"[^>]*>', html, re.S)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag[0])
    return value[1] if value else ""


def textarea_value(html: str, name: str) -> str:
    match = re.search(rf'<textarea[^>]*name="{re.escape(name)}"[^>]*>\n?(.*?)</textarea>', html, re.S)
    return match[1]


def checked(html: str, element_id: str, value: str) -> bool:
    return re.search(rf'id="{element_id}"\s+value="{re.escape(value)}"\s+checked', html) is not None


# --- Fixtures -------------------------------------------------------------------------------------------------


@pytest.fixture
def practitioner(world):
    return world.school_practitioner


@pytest.fixture
def client(client_for, practitioner):
    return client_for(practitioner)


@pytest.fixture
def draft(practitioner):
    return services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)


def url(referral, step):
    return f"/referrals/{referral.pk}/{step}/"


def child_post(**overrides):
    data = {
        "first_name": "Amara",
        "last_name": "Okafor",
        **date_parts("date_of_birth", 17, 5, 2016),
        **date_parts("expected_date_of_birth", "", "", ""),
        "gender": "F",
        "nhs_number": "943 476 5919",
        "upn": VALID_UPN,
        "school": "Riverside Primary School",
        "continue": "Continue",
    }
    data.update(overrides)
    return data


def adult_post(**overrides):
    data = {
        "first_name": "Grace",
        "last_name": "Okafor",
        **date_parts("date_of_birth", 3, 2, 1988),
        "relationship": "Mother",
        "parental_responsibility": "yes",
        "continue": "Continue",
    }
    data.update(overrides)
    return data


def address_post(**overrides):
    data = {"address_line_1": "12 Mill Lane", "address_line_2": "", "town": "Exton", "postcode": "ex1 1ab"}
    data.update(overrides)
    return data


def concerns_post(**overrides):
    data = {
        "concerns": "Amara has missed 20 days of school this term.",
        "tried_before": "Meetings with mum at school.",
        "level_of_need": str(LevelOfNeed.objects.get(code="level-3").pk),
        "expected_outcome": "Family support at home.",
    }
    data.update(overrides)
    return data


def complete(client, referral):
    """Answer every question through the pages."""
    assert client.post(url(referral, "children"), child_post()).status_code == 302
    assert client.post(url(referral, "adults"), adult_post()).status_code == 302
    assert client.post(url(referral, "address"), address_post()).status_code == 302
    assert client.post(url(referral, "concerns"), concerns_post()).status_code == 302
    assert client.post(url(referral, "consent"), {"consent_given": "yes"}).status_code == 302


# --- The journey ----------------------------------------------------------------------------------------------


def test_start_page_says_what_is_needed_and_starting_makes_a_draft(client, practitioner, world):
    page = client.get("/referrals/new/")

    assert page.status_code == 200
    html = page.content.decode()
    assert "<title>Make a referral for early help" in html
    assert "Before you start" in html
    assert "whether the people with parental responsibility agree" in html

    response = client.post("/referrals/new/")

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.pk}/children/"
    assert referral.status == ReferralStatus.DRAFT
    assert referral.channel == Channel.PRACTITIONER
    assert referral.referrer == practitioner
    assert referral.referrer_agency == world.school
    assert referral.reference is None


def test_every_page_in_turn_then_the_confirmation(client, draft):
    steps = [
        ("children", child_post(), "adults"),
        ("adults", adult_post(), "address"),
        ("address", address_post(), "concerns"),
        ("concerns", concerns_post(), "consent"),
        ("consent", {"consent_given": "yes"}, "check"),
    ]
    for step, data, next_step in steps:
        assert client.get(url(draft, step)).status_code == 200
        response = client.post(url(draft, step), data)
        assert response.status_code == 302, step
        assert response["Location"] == url(draft, next_step)

    response = client.post(url(draft, "check"))

    draft.refresh_from_db()
    assert response.status_code == 302
    assert response["Location"] == url(draft, "submitted")
    assert draft.status == ReferralStatus.AWAITING_DECISION
    assert draft.reference.startswith("EH-")
    assert draft.postcode == "EX1 1AB"
    assert draft.consent_given is True
    page = client.get(response["Location"]).content.decode()
    assert "govuk-panel--confirmation" in page
    assert draft.reference in page
    assert timezone.localtime(draft.received_at).strftime("%-I:%M").lower() in page
    assert "within 24 hours" in page
    assert "within 72 hours" in page
    assert "linked" not in page


def test_the_back_links_go_to_the_previous_question(client, draft):
    assert 'href="/referrals/new/" class="govuk-back-link"' in client.get(url(draft, "children")).content.decode()
    assert (
        f'href="{url(draft, "address")}" class="govuk-back-link"' in client.get(url(draft, "concerns")).content.decode()
    )


def test_children_are_listed_and_another_can_be_added(client, draft):
    data = child_post()
    del data["continue"]
    data["add"] = "Add this child"
    response = client.post(url(draft, "children"), data)

    assert response.status_code == 302
    assert response["Location"] == url(draft, "children")
    page = client.get(url(draft, "children")).content.decode()
    assert "Amara Okafor added" in page
    assert "Children you have added" in page
    assert "17 May 2016" in page
    assert 'Remove<span class="govuk-visually-hidden"> Amara Okafor</span>' in page

    second = child_post(first_name="Leo", nhs_number="", upn="", **date_parts("date_of_birth", 2, 9, 2019))
    assert client.post(url(draft, "children"), second)["Location"] == url(draft, "adults")
    assert [p.first_name for p in draft.people.order_by("id")] == ["Amara", "Leo"]


def test_continue_with_nothing_typed_moves_on_once_a_child_is_added(client, draft, child_data):
    services.referral_person_add(referral=draft, data=child_data)

    response = client.post(url(draft, "children"), {"continue": "Continue", **date_parts("date_of_birth", "", "", "")})

    assert response.status_code == 302
    assert response["Location"] == url(draft, "adults")
    assert draft.people.count() == 1


def test_continue_without_any_child_asks_for_one(client, draft):
    response = client.post(url(draft, "children"), {"continue": "Continue"})

    assert_error_page(
        response,
        ("id_first_name", "Enter the child's first name"),
        ("id_last_name", "Enter the child's last name"),
        ("id_gender_1", "Select the child's gender, or select Not known"),
    )
    assert not draft.people.exists()


def test_adults_are_optional(client, draft):
    response = client.post(url(draft, "adults"), {"continue": "Continue"})

    assert response.status_code == 302
    assert response["Location"] == url(draft, "address")


def test_an_unborn_baby_has_an_expected_date_of_birth(client, draft):
    due = timezone.localdate() + datetime.timedelta(days=60)
    data = child_post(
        first_name="Baby",
        nhs_number="",
        upn="",
        school="",
        gender="U",
        **date_parts("date_of_birth", "", "", ""),
        **date_parts("expected_date_of_birth", due.day, due.month, due.year),
    )

    assert client.post(url(draft, "children"), data).status_code == 302

    baby = draft.people.get()
    assert baby.kind == Person.Kind.UNBORN
    assert baby.expected_date_of_birth == due
    assert baby.date_of_birth is None


def test_a_person_can_be_removed_from_a_draft(client, draft, child_data, parent_data):
    child = services.referral_person_add(referral=draft, data=child_data)
    parent = services.referral_person_add(referral=draft, data=parent_data)

    response = client.post(f"/referrals/{draft.pk}/people/{parent.pk}/remove/")

    assert response.status_code == 302
    assert response["Location"] == url(draft, "adults")
    assert list(draft.people.all()) == [child]
    assert "Grace Okafor removed" in client.get(response["Location"]).content.decode()


def test_removing_asks_first_and_only_for_the_drafts_own_people(client, draft, practitioner, child_data):
    other_draft = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
    other_child = services.referral_person_add(referral=other_draft, data=child_data)

    # A GET is the "Are you sure?" page (tests/front_door/test_intake_drafts.py): it removes nothing.
    assert client.get(f"/referrals/{other_draft.pk}/people/{other_child.pk}/remove/").status_code == 200
    assert client.get(f"/referrals/{draft.pk}/people/{other_child.pk}/remove/").status_code == 404
    assert client.post(f"/referrals/{draft.pk}/people/{other_child.pk}/remove/").status_code == 404
    assert other_draft.people.count() == 1


def test_people_of_a_sent_referral_cannot_be_removed(client, submit_referral):
    referral = submit_referral()
    child = referral.people.first()

    response = client.post(f"/referrals/{referral.pk}/people/{child.pk}/remove/")

    assert response["Location"] == url(referral, "submitted")
    assert referral.people.count() == 2


# --- Validation, worded the GOV.UK way, with what was typed kept ----------------------------------------------------


def _future(days=30):
    return timezone.localdate() + datetime.timedelta(days=days)


CHILD_ERRORS = [
    ({"first_name": ""}, "id_first_name", "Enter the child's first name"),
    ({"last_name": "  "}, "id_last_name", "Enter the child's last name"),
    ({"first_name": "A" * 101}, "id_first_name", "The child's first name must be 100 characters or fewer"),
    (
        date_parts("date_of_birth", "", "", ""),
        "id_date_of_birth_0",
        "Enter the child's date of birth, or the expected date of birth for an unborn baby",
    ),
    (date_parts("date_of_birth", 31, 2, 2016), "id_date_of_birth_0", "Date of birth must be a real date"),
    (date_parts("date_of_birth", 12, "", 2016), "id_date_of_birth_0", "Date of birth must include a month"),
    (date_parts("date_of_birth", 12, 4, 16), "id_date_of_birth_0", "Year must include 4 numbers"),
    (
        date_parts("date_of_birth", _future().day, _future().month, _future().year),
        "id_date_of_birth_0",
        "Enter a date of birth in the past",
    ),
    (
        date_parts("date_of_birth", 1, 1, 1990),
        "id_date_of_birth_0",
        "A child's date of birth must be within the last 25 years",
    ),
    (
        date_parts("expected_date_of_birth", _future().day, _future().month, _future().year),
        "id_expected_date_of_birth_0",
        "Enter a date of birth or an expected date of birth, not both",
    ),
    (
        date_parts("expected_date_of_birth", 31, 2, 2027),
        "id_expected_date_of_birth_0",
        "Expected date of birth must be a real date",
    ),
    (
        {
            **date_parts("date_of_birth", "", "", ""),
            **date_parts("expected_date_of_birth", _future(400).day, _future(400).month, _future(400).year),
        },
        "id_expected_date_of_birth_0",
        "The expected date of birth must be within the next 42 weeks",
    ),
    ({"gender": ""}, "id_gender_1", "Select the child's gender, or select Not known"),
    (
        {"nhs_number": "943 476 5918"},
        "id_nhs_number",
        "Enter a valid NHS number: check the digits are in the right order",
    ),
    ({"nhs_number": "12345"}, "id_nhs_number", "Enter an NHS number with 10 digits, like 943 476 5919"),
    ({"upn": BAD_UPN}, "id_upn", "Enter a valid Unique Pupil Number: the check letter does not match"),
    ({"upn": "A12"}, "id_upn", "Enter a Unique Pupil Number with 13 characters: a letter followed by 12 digits"),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), CHILD_ERRORS, ids=[e[2] for e in CHILD_ERRORS])
def test_child_errors(client, draft, overrides, anchor, message):
    data = child_post(school="Hill Nursery", **overrides)

    response = client.post(url(draft, "children"), data)

    html = assert_error_page(response, (anchor, message))
    assert "<title>Error: The children - Make a referral" in html
    assert input_value(html, "school") == "Hill Nursery"
    assert input_value(html, "first_name") == escape(data["first_name"].strip())
    assert input_value(html, "date_of_birth_0") == str(data["date_of_birth_0"])
    assert not draft.people.exists()


def test_an_expected_date_of_birth_long_past_is_refused_by_the_service(client, draft):
    past = timezone.localdate() - datetime.timedelta(days=60)
    data = child_post(
        **date_parts("date_of_birth", "", "", ""),
        **date_parts("expected_date_of_birth", past.day, past.month, past.year),
    )

    response = client.post(url(draft, "children"), data)

    assert_error_page(response, ("id_expected_date_of_birth_0", "The expected date of birth must be in the future"))


ADULT_ERRORS = [
    ({"first_name": ""}, "id_first_name", "Enter their first name"),
    ({"last_name": ""}, "id_last_name", "Enter their last name"),
    ({"relationship": ""}, "id_relationship", "Enter their relationship to the children"),
    (
        {"parental_responsibility": ""},
        "id_parental_responsibility_1",
        "Select yes if they have parental responsibility for the children",
    ),
    (date_parts("date_of_birth", 30, 2, 1990), "id_date_of_birth_0", "Date of birth must be a real date"),
    (
        date_parts("date_of_birth", _future().day, _future().month, _future().year),
        "id_date_of_birth_0",
        "Enter a date of birth in the past",
    ),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), ADULT_ERRORS, ids=[e[2] for e in ADULT_ERRORS])
def test_adult_errors(client, draft, overrides, anchor, message):
    response = client.post(url(draft, "adults"), adult_post(**overrides))

    html = assert_error_page(response, (anchor, message))
    assert input_value(html, "last_name") == escape(adult_post(**overrides)["last_name"])
    assert not draft.people.exists()


ADDRESS_ERRORS = [
    ({"address_line_1": ""}, "id_address_line_1", "Enter the first line of the address"),
    ({"town": ""}, "id_town", "Enter the town or city"),
    ({"postcode": ""}, "id_postcode", "Enter the postcode"),
    ({"postcode": "ZZ99 ZZZ"}, "id_postcode", "Enter a real postcode, like AA1 1AA"),
    ({"postcode": "not a postcode"}, "id_postcode", "Enter a real postcode, like AA1 1AA"),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), ADDRESS_ERRORS, ids=[e[2] for e in ADDRESS_ERRORS])
def test_address_errors(client, draft, overrides, anchor, message):
    data = address_post(address_line_2="Flat 3", **overrides)

    response = client.post(url(draft, "address"), data)

    html = assert_error_page(response, (anchor, message))
    assert input_value(html, "address_line_2") == "Flat 3"
    assert input_value(html, "postcode") == data["postcode"]
    draft.refresh_from_db()
    assert draft.address_line_2 == ""


CONCERN_ERRORS = [
    ({"concerns": ""}, "id_concerns", "Enter what you are worried about"),
    ({"tried_before": ""}, "id_tried_before", "Enter what has been tried already, or say that nothing has"),
    ({"level_of_need": ""}, "id_level_of_need_1", "Select the level of need you think the family has"),
    ({"level_of_need": "999999"}, "id_level_of_need_1", "Select the level of need you think the family has"),
    ({"expected_outcome": ""}, "id_expected_outcome", "Enter what you expect to happen as a result of this referral"),
    ({"concerns": "x" * 10_001}, "id_concerns", "What you are worried about must be 10,000 characters or fewer"),
]


@pytest.mark.parametrize(("overrides", "anchor", "message"), CONCERN_ERRORS, ids=[e[2] for e in CONCERN_ERRORS])
def test_concerns_errors(client, draft, overrides, anchor, message):
    data = concerns_post(**overrides)

    response = client.post(url(draft, "concerns"), data)

    html = assert_error_page(response, (anchor, message))
    assert textarea_value(html, "tried_before") == escape(data["tried_before"])
    draft.refresh_from_db()
    assert draft.concerns == ""


def test_the_levels_of_need_offered_are_the_active_ones(client, draft):
    retired = LevelOfNeed.objects.get(code="level-1")
    retired.active = False
    retired.save()

    html = client.get(url(draft, "concerns")).content.decode()

    assert "Level 3: Complex needs" in html
    assert "Level 1: Universal" not in html
    response = client.post(url(draft, "concerns"), concerns_post(level_of_need=str(retired.pk)))
    assert_error_page(response, ("id_level_of_need_1", "Select the level of need you think the family has"))


def test_consent_wording_says_the_only_reason_is_risk_to_a_child(client, draft):
    html = client.get(url(draft, "consent")).content.decode()

    assert "Have the people with parental responsibility agreed to this referral?" in html
    assert "The only reason to refer without their agreement is that asking them would put a child at risk" in html
    assert "If no, why would asking them put a child at risk?" in html


def test_consent_no_needs_the_reason(client, draft):
    response = client.post(url(draft, "consent"), {"consent_given": "no", "consent_not_sought_reason": "  "})

    html = assert_error_page(
        response, ("id_consent_not_sought_reason", "Explain why asking the family would put a child at risk")
    )
    assert checked(html, "id_consent_given_2", "no")
    draft.refresh_from_db()
    assert draft.consent_given is None


def test_consent_not_answered(client, draft):
    response = client.post(url(draft, "consent"), {"consent_not_sought_reason": "Typed anyway"})

    html = assert_error_page(
        response,
        ("id_consent_given_1", "Select yes if the people with parental responsibility have agreed to this referral"),
    )
    assert textarea_value(html, "consent_not_sought_reason") == "Typed anyway"


def test_consent_no_with_the_reason_is_saved_and_yes_forgets_it(client, draft):
    reason = "Father is the alleged abuser; asking him would warn him."
    client.post(url(draft, "consent"), {"consent_given": "no", "consent_not_sought_reason": reason})
    draft.refresh_from_db()
    assert (draft.consent_given, draft.consent_not_sought_reason) == (False, reason)

    client.post(url(draft, "consent"), {"consent_given": "yes", "consent_not_sought_reason": reason})
    draft.refresh_from_db()
    assert (draft.consent_given, draft.consent_not_sought_reason) == (True, "")


# --- The draft between pages ------------------------------------------------------------------------------------


def test_the_draft_is_kept_when_the_practitioner_leaves_and_comes_back(client_for, practitioner, draft):
    first_visit = client_for(practitioner)
    first_visit.post(url(draft, "children"), child_post())
    first_visit.post(url(draft, "address"), address_post(address_line_2="Flat 3"))
    first_visit.post(url(draft, "concerns"), concerns_post())
    first_visit.post(url(draft, "consent"), {"consent_given": "no", "consent_not_sought_reason": "Risk to Amara."})

    later = client_for(practitioner)
    start = later.get("/referrals/new/").content.decode()
    assert "Referrals you have started" in start
    assert f'href="{url(draft, "check")}"' in start
    assert "Amara Okafor" in start

    children = later.get(url(draft, "children")).content.decode()
    assert "Amara Okafor" in children
    address = later.get(url(draft, "address")).content.decode()
    assert input_value(address, "address_line_1") == "12 Mill Lane"
    assert input_value(address, "address_line_2") == "Flat 3"
    assert input_value(address, "postcode") == "EX1 1AB"
    concerns = later.get(url(draft, "concerns")).content.decode()
    assert textarea_value(concerns, "concerns") == "Amara has missed 20 days of school this term."
    level = LevelOfNeed.objects.get(code="level-3")
    assert re.search(rf'value="{level.pk}"\s+checked', concerns)
    consent = later.get(url(draft, "consent")).content.decode()
    assert checked(consent, "id_consent_given_2", "no")
    assert textarea_value(consent, "consent_not_sought_reason") == "Risk to Amara."


def test_check_your_answers_shows_every_answer_with_change_links(client, draft):
    complete(client, draft)
    client.post(url(draft, "consent"), {"consent_given": "no", "consent_not_sought_reason": "It would warn him."})

    html = client.get(url(draft, "check")).content.decode()

    for text in [
        "Amara Okafor",
        "17 May 2016",
        "Female",
        "9434765919",
        VALID_UPN,
        "Riverside Primary School",
        "Grace Okafor",
        "Mother",
        "3 February 1988",
        "12 Mill Lane, Exton, EX1 1AB",
        "Amara has missed 20 days of school this term.",
        "Meetings with mum at school.",
        "Level 3: Complex needs",
        "Family support at home.",
        "It would warn him.",
        "Hill School",
    ]:
        assert text in html, text
    for step in ["children", "adults", "address", "concerns", "consent"]:
        assert f'href="{url(draft, step)}?from=check"' in html, step
    assert "Send referral" in html


def test_a_change_from_check_your_answers_returns_there(client, draft):
    complete(client, draft)

    page = client.get(url(draft, "address") + "?from=check").content.decode()
    response = client.post(url(draft, "address") + "?from=check", address_post(town="Northbridge"))

    assert f'href="{url(draft, "check")}" class="govuk-back-link"' in page
    assert response["Location"] == url(draft, "check")
    assert "12 Mill Lane, Northbridge, EX1 1AB" in client.get(url(draft, "check")).content.decode()


def test_sending_an_incomplete_referral_lists_what_is_missing_with_links_to_each_page(client, draft):
    response = client.post(url(draft, "check"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "<title>Error: Check your answers" in html
    assert (
        f'<a href="{url(draft, "children")}?from=check#id_first_name">Add at least one child or unborn baby</a>' in html
    )
    assert f'<a href="{url(draft, "concerns")}?from=check#id_concerns">Enter what you are worried about</a>' in html
    assert (
        f'<a href="{url(draft, "consent")}?from=check#id_consent_given_1">'
        "Select whether the family agreed to this referral</a>"
    ) in html
    draft.refresh_from_db()
    assert draft.status == ReferralStatus.DRAFT


def test_sending_twice_gives_one_reference(client, draft):
    complete(client, draft)

    first = client.post(url(draft, "check"))
    second = client.post(url(draft, "check"))

    draft.refresh_from_db()
    assert first["Location"] == second["Location"] == url(draft, "submitted")
    assert Referral.objects.exclude(reference=None).count() == 1
    assert draft.reference in client.get(url(draft, "submitted")).content.decode()


def test_a_sent_referrals_questions_go_to_the_confirmation(client, draft):
    complete(client, draft)
    client.post(url(draft, "check"))

    for step in ["children", "adults", "address", "concerns", "consent", "check"]:
        assert client.get(url(draft, step))["Location"] == url(draft, "submitted"), step
    response = client.post(url(draft, "address"), address_post(town="Elsewhere"))
    assert response["Location"] == url(draft, "submitted")
    draft.refresh_from_db()
    assert draft.town == "Exton"


def test_the_confirmation_of_a_draft_goes_to_check_your_answers(client, draft):
    assert client.get(url(draft, "submitted"))["Location"] == url(draft, "check")


def test_a_repeat_referral_is_linked_to_the_earlier_one_and_the_confirmation_says_so(client, draft, submit_referral):
    earlier = submit_referral()  # the same practitioner, about the same child, a moment ago
    complete(client, draft)

    client.post(url(draft, "check"))

    draft.refresh_from_db()
    assert draft.duplicate_of == earlier
    assert draft.reference != earlier.reference
    page = client.get(url(draft, "submitted")).content.decode()
    assert f"linked this referral to your earlier referral {earlier.reference}" in page


# --- Who may use the pages ---------------------------------------------------------------------------------------

PAGES = ["children", "adults", "address", "concerns", "consent", "check", "submitted"]


def test_anonymous_users_are_sent_to_sign_in(client_for, draft):
    from django.test import Client

    anonymous = Client()
    for page in ["/referrals/new/", *[url(draft, step) for step in PAGES]]:
        response = anonymous.get(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith("/accounts/sign-in/?next=")
    assert anonymous.post("/referrals/new/").status_code == 302
    assert Referral.objects.count() == 1


@pytest.mark.parametrize("step", PAGES)
def test_another_practitioner_cannot_open_a_draft(client_for, world, draft, step):
    other = client_for(world.health_practitioner)

    assert other.get(url(draft, step)).status_code == 404
    assert other.post(url(draft, step), {"consent_given": "yes"}).status_code == 404
    draft.refresh_from_db()
    assert draft.consent_given is None


def test_missing_and_not_yours_are_the_same_404(client, world, draft):
    others = services.referral_create(channel=Channel.PRACTITIONER, actor=world.health_practitioner)

    missing = client.get(f"/referrals/{others.pk + 1000}/children/")
    not_yours = client.get(f"/referrals/{others.pk}/children/")

    def body(response):
        # Tokens and nonces change with every response.
        html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", response.content.decode())
        return re.sub(r'nonce="[^"]*"', "", html)

    assert missing.status_code == not_yours.status_code == 404
    assert body(missing) == body(not_yours)
    assert "Page not found" in body(missing)
    assert draft.pk != others.pk


def test_even_front_door_staff_cannot_open_someone_elses_draft(client_for, world, draft):
    assert client_for(world.duty_manager).get(url(draft, "children")).status_code == 404


def test_any_practitioner_role_may_refer_but_an_account_without_an_agency_may_not(client_for, world):
    for user in [world.lead, world.duty_manager, world.health_practitioner, world.manager_coordinator]:
        assert client_for(user).get("/referrals/new/").status_code == 200, user.username
    # Analysts (figures only) and administrators do not refer families.
    for user in [world.analyst, world.administrator, world.superuser]:
        assert client_for(user).get("/referrals/new/").status_code == 403, user.username
        assert client_for(user).post("/referrals/new/").status_code == 403, user.username
    no_agency = UserFactory(agency=None, roles=[Role.REFERRER])
    client = client_for(no_agency)

    assert client.get("/referrals/new/").status_code == 403
    assert client.post("/referrals/new/").status_code == 403
    assert not Referral.objects.exists()


def test_the_start_page_lists_drafts_in_the_same_queries_for_one_or_many(
    client, practitioner, child_data, django_assert_max_num_queries
):
    def queries():
        with CaptureQueriesContext(connection) as context:
            assert client.get("/referrals/new/").status_code == 200
        return len(context)

    services.referral_person_add(
        referral=services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner), data=child_data
    )
    one = queries()
    for _ in range(29):  # 30 drafts; the page shows the latest 10
        draft = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
        services.referral_person_add(referral=draft, data=child_data)
    many = queries()

    assert one == many
    with django_assert_max_num_queries(9):
        client.get("/referrals/new/")
