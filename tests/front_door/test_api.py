"""The front door API: a referral in one request, the queue and 'my referrals', claims, decisions and
amendments, and the letter as a PDF. Partner systems call with a token; bad input gets a 400 that
names the field, never a 500."""

import datetime
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import AccessLog, Deadline, LevelOfNeed
from cases.roles import Role
from front_door import services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, Decision, InformationRequest, Referral, ReferralPerson, ReferralStatus
from front_door.services import PersonData
from tests.factories import UserFactory

REFERRALS = "/api/v1/referrals/"
NHS_NUMBER = "999 906 9584"  # synthetic: the 999 range, a valid check digit
UPN = "L201234567890"


def detail_url(referral_id):
    return f"{REFERRALS}{referral_id}/"


@pytest.fixture
def api_for():
    """A client that calls as `user` with their API token, as a partner system does."""

    def make(user) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def body():
    def make(**overrides) -> dict:
        values = {
            "children": [
                {
                    "first_name": "Amara",
                    "last_name": "Okafor",
                    "date_of_birth": "2016-05-17",
                    "gender": "F",
                    "nhs_number": NHS_NUMBER,
                    "upn": UPN,
                    "school": "Riverside Primary School",
                }
            ],
            "adults": [
                {
                    "first_name": "Grace",
                    "last_name": "Okafor",
                    "date_of_birth": "1988-02-03",
                    "relationship": "Mother",
                    "parental_responsibility": True,
                }
            ],
            "address_line_1": "12 Mill Lane",
            "town": "Exton",
            "postcode": "ex1 1ab",
            "concerns": "Amara has missed 20 days of school this term and seems withdrawn.",
            "tried_before": "Meetings with mum at school.",
            "level_of_need": "level-3",
            "expected_outcome": "Family support at home.",
            "consent_given": True,
        }
        values.update(overrides)
        return values

    return make


def child(**overrides) -> dict:
    return {"first_name": "Amara", "last_name": "Okafor", "date_of_birth": "2016-05-17", **overrides}


@pytest.fixture
def other_duty_manager(world):
    return UserFactory(username="duty2", agency=world.council, roles=[Role.DUTY_MANAGER])


@pytest.fixture
def other_school_practitioner(world):
    return UserFactory(username="school2", agency=world.school, roles=[Role.REFERRER])


def decide(api, referral_id, **overrides):
    data = {
        "outcome": "early_help",
        "level_of_need": "level-3",
        "destination": "targeted-family-support",
        "reason": "Attendance and low mood: family support at home.",
        "confirm_new_people": True,
        **overrides,
    }
    return api.post(f"{detail_url(referral_id)}decision/", data, format="json")


# --- Making a referral ------------------------------------------------------------------------------


def test_a_practitioner_makes_a_referral_with_a_token(world, api_for, body):
    response = api_for(world.school_practitioner).post(REFERRALS, body(), format="json")

    assert response.status_code == 201, response.json()
    data = response.json()
    referral = Referral.objects.get()
    assert data["id"] == referral.pk
    assert data["reference"] == referral.reference
    assert data["reference"].startswith("EH-")
    assert data["status"] == ReferralStatus.AWAITING_DECISION
    assert data["duplicate_of"] is None
    assert data["received_at"]
    assert data["decision_due_at"]
    assert data["url"].endswith(detail_url(referral.pk))
    assert response["Location"] == data["url"]
    assert referral.channel == Channel.API
    assert referral.referrer == world.school_practitioner
    assert referral.referrer_agency == world.school
    assert referral.referrer_name == world.school_practitioner.get_full_name()
    assert referral.referrer_email == world.school_practitioner.email
    assert referral.postcode == "EX1 1AB"
    assert referral.level_of_need.code == "level-3"
    assert referral.consent_given is True
    people = {p.first_name: p for p in referral.people.all()}
    assert people["Amara"].kind == "child"
    assert people["Amara"].nhs_number == "9999069584"
    assert people["Amara"].upn == UPN
    assert people["Amara"].gender == "F"
    assert people["Grace"].kind == "adult"
    assert people["Grace"].parental_responsibility is True
    assert Deadline.objects.filter(subject_type="referral", subject_id=referral.pk).count() == 2


def test_referrer_details_given_override_the_account(world, api_for, body):
    response = api_for(world.school_practitioner).post(
        REFERRALS,
        body(referrer_name="Sam Reyes", referrer_role="Designated safeguarding lead", referrer_phone="01632 960000"),
        format="json",
    )

    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.referrer_name == "Sam Reyes"
    assert referral.referrer_role == "Designated safeguarding lead"
    assert referral.referrer_phone == "01632 960000"
    assert referral.referrer_email == world.school_practitioner.email


def test_a_child_with_only_an_expected_date_of_birth_is_unborn(world, api_for, body):
    expected = (timezone.localdate() + datetime.timedelta(days=60)).isoformat()
    unborn = {"first_name": "Baby", "last_name": "Okafor", "expected_date_of_birth": expected}

    response = api_for(world.school_practitioner).post(REFERRALS, body(children=[unborn]), format="json")

    assert response.status_code == 201, response.json()
    person = ReferralPerson.objects.get(first_name="Baby")
    assert person.kind == "unborn"
    assert person.expected_date_of_birth.isoformat() == expected
    assert person.date_of_birth is None


def test_optional_fields_may_be_null_or_missing(world, api_for, body):
    data = body(
        adults=None,
        level_of_need=None,
        tried_before=None,
        children=[{"first_name": "Amara", "last_name": "Okafor", "nhs_number": None, "date_of_birth": None}],
    )
    del data["address_line_1"]

    response = api_for(world.school_practitioner).post(REFERRALS, data, format="json")

    # `adults: null` is not a list; everything else null or missing is blank.
    assert response.status_code == 400
    assert response.json() == {"adults": ["Enter the adults as a list"]}
    del data["adults"]
    response = api_for(world.school_practitioner).post(REFERRALS, data, format="json")
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.level_of_need is None
    assert referral.tried_before == ""
    assert referral.address_line_1 == ""


def test_a_repeat_from_the_same_referrer_about_the_same_child_is_kept_and_linked(world, api_for, body):
    api = api_for(world.school_practitioner)
    first = api.post(REFERRALS, body(), format="json").json()

    response = api.post(REFERRALS, body(concerns="Still not in school."), format="json")

    assert response.status_code == 201
    assert response.json()["duplicate_of"] == first["reference"]
    assert response.json()["reference"] != first["reference"]
    assert Referral.objects.count() == 2
    assert Referral.objects.get(pk=response.json()["id"]).duplicate_of_id == first["id"]


def test_a_referral_about_the_same_child_from_someone_else_is_not_a_repeat(world, api_for, body):
    api_for(world.school_practitioner).post(REFERRALS, body(), format="json")

    response = api_for(world.health_practitioner).post(REFERRALS, body(), format="json")

    assert response.status_code == 201
    assert response.json()["duplicate_of"] is None


def test_a_session_signed_in_practitioner_can_refer_too(world, client_for, body):
    response = client_for(world.school_practitioner).post(
        REFERRALS, json.dumps(body()), content_type="application/json"
    )

    assert response.status_code == 201, response.json()


def test_a_user_without_an_agency_cannot_refer(world, api_for, body):
    user = UserFactory(username="no-agency", agency=None)

    response = api_for(user).post(REFERRALS, body(), format="json")

    assert response.status_code == 403
    assert "agency" in response.json()["detail"]
    assert not Referral.objects.exists()


LONG = "x" * 101
FUTURE = (datetime.date.today() + datetime.timedelta(days=30)).isoformat()
PAST = (datetime.date.today() - datetime.timedelta(days=90)).isoformat()

BAD_REFERRALS = [
    # (what is wrong, fields to send, field, message)
    ("no children", {"children": []}, "children", "Add at least one child or unborn baby"),
    ("children missing", {"children": "__missing__"}, "children", "Add at least one child or unborn baby"),
    (
        "children as an object",
        {"children": child()},
        "children",
        "Enter the children as a list of objects, each with their first_name, last_name and so on",
    ),
    (
        "a child as a list",
        {"children": [["Amara", "Okafor"]]},
        "children[0]",
        "Enter each child's details as an object with their first_name, last_name and so on",
    ),
    (
        "a child as null",
        {"children": [None]},
        "children[0]",
        "Enter each child's details as an object with their first_name, last_name and so on",
    ),
    (
        "a name as a number",
        {"children": [child(first_name=42)]},
        "children[0].first_name",
        "Enter their first name as text",
    ),
    ("a blank name", {"children": [child(last_name="   ")]}, "children[0].last_name", "Enter their last name"),
    ("a name missing", {"children": [{"last_name": "Okafor"}]}, "children[0].first_name", "Enter their first name"),
    (
        "a name too long",
        {"children": [child(first_name=LONG)]},
        "children[0].first_name",
        "Their first name must be 100 characters or fewer",
    ),
    ("a null character", {"children": [child(first_name="Am\x00ara")]}, "children[0].first_name", "Null characters"),
    (
        "the 31st of February",
        {"children": [child(date_of_birth="2016-02-31")]},
        "children[0].date_of_birth",
        "Enter their date of birth as a real date in the format YYYY-MM-DD, like 2016-05-17",
    ),
    (
        "a date as a number",
        {"children": [child(date_of_birth=20160517)]},
        "children[0].date_of_birth",
        "Enter their date of birth as a real date",
    ),
    (
        "a date in another format",
        {"children": [child(date_of_birth="17/05/2016")]},
        "children[0].date_of_birth",
        "Enter their date of birth as a real date",
    ),
    (
        "a date of birth in the future",
        {"children": [child(date_of_birth=FUTURE)]},
        "children[0].date_of_birth",
        "Date of birth must be today or in the past",
    ),
    (
        "a child born over 25 years ago",
        {"children": [child(date_of_birth="1990-01-01")]},
        "children[0].date_of_birth",
        "A child's date of birth must be within the last 25 years",
    ),
    (
        "both dates",
        {"children": [child(expected_date_of_birth=FUTURE)]},
        "children[0].expected_date_of_birth",
        "Give a date of birth, or an expected date of birth for an unborn baby",
    ),
    (
        "an unborn baby due months ago",
        {"children": [{"first_name": "Baby", "last_name": "Okafor", "expected_date_of_birth": PAST}]},
        "children[0].expected_date_of_birth",
        "The expected date of birth must be in the future",
    ),
    (
        "an NHS number with a bad check digit",
        {"children": [child(nhs_number="999 906 9585")]},
        "children[0].nhs_number",
        "Enter a valid NHS number: check the digits are in the right order",
    ),
    (
        "an NHS number with letters",
        {"children": [child(nhs_number="ABC")]},
        "children[0].nhs_number",
        "Enter an NHS number with 10 digits, like 943 476 5919",
    ),
    (
        "a bad UPN on the second child",
        {"children": [child(), child(first_name="Zain", upn="A201234567890")]},
        "children[1].upn",
        "Enter a valid Unique Pupil Number: the check letter does not match",
    ),
    (
        "an unknown gender",
        {"children": [child(gender="X")]},
        "children[0].gender",
        "Select their gender: M (male), F (female), U (not known) or 9 (not stated)",
    ),
    (
        "an adult born tomorrow",
        {"adults": [{"first_name": "Grace", "last_name": "Okafor", "date_of_birth": FUTURE}]},
        "adults[0].date_of_birth",
        "Date of birth must be today or in the past",
    ),
    (
        "parental responsibility as a string",
        {"adults": [{"first_name": "Grace", "last_name": "Okafor", "parental_responsibility": "yes"}]},
        "adults[0].parental_responsibility",
        "Enter whether they have parental responsibility as true or false",
    ),
    (
        "adults as a string",
        {"adults": "Grace Okafor"},
        "adults",
        "Enter the adults as a list of objects, each with their first_name, last_name and so on",
    ),
    (
        "21 children",
        {"children": [child(first_name=f"Child {n}") for n in range(21)]},
        "children",
        "A referral can name up to 20 children",
    ),
    (
        "consent as a string",
        {"consent_given": "yes"},
        "consent_given",
        "Select whether the family agreed to this referral: true or false",
    ),
    (
        "consent as null",
        {"consent_given": None},
        "consent_given",
        "Select whether the family agreed to this referral: true or false",
    ),
    (
        "no consent and no reason",
        {"consent_given": False},
        "consent_not_sought_reason",
        "Explain why asking the family would put a child at risk",
    ),
    ("no concerns", {"concerns": ""}, "concerns", "Enter what you are worried about"),
    (
        "concerns too long",
        {"concerns": "x" * 10_001},
        "concerns",
        "What you are worried about must be 10000 characters or fewer",
    ),
    (
        "an unknown level of need",
        {"level_of_need": "level-9"},
        "level_of_need",
        "There is no level of need with the code “level-9”: use one of level-1, level-2, level-3, level-4",
    ),
    ("a level of need as a number", {"level_of_need": 3}, "level_of_need", "Enter the level of need as a code"),
    ("a postcode that cannot be", {"postcode": "QQ1 1AB"}, "postcode", "Enter a real postcode, like AA1 1AA"),
    ("a postcode too long", {"postcode": "EX1 1AB EX1 1AB"}, "postcode", "The postcode must be 10 characters or fewer"),
    ("a town as a list", {"town": ["Exton"]}, "town", "Enter the town or city as text"),
    (
        "a bad email address",
        {"referrer_email": "not an email"},
        "referrer_email",
        "Enter an email address in the correct format, like name@example.org",
    ),
]


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [case[1:] for case in BAD_REFERRALS],
    ids=[case[0] for case in BAD_REFERRALS],
)
def test_bad_referrals_get_field_errors_a_person_understands(world, api_for, body, fields, field, message):
    data = body(**fields)
    data = {key: value for key, value in data.items() if value != "__missing__"}

    response = api_for(world.school_practitioner).post(REFERRALS, data, format="json")

    assert response.status_code == 400
    errors = response.json()
    assert any(message in text for text in errors[field]), errors
    assert not Referral.objects.exists()


def test_an_empty_object_names_what_is_needed(world, api_for):
    response = api_for(world.school_practitioner).post(REFERRALS, {}, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "children": ["Add at least one child or unborn baby"],
        "consent_given": ["Select whether the family agreed to this referral: true or false"],
    }


def test_all_the_service_errors_come_back_at_once(world, api_for, body):
    data = body(
        children=[child(), child(first_name="Zain", nhs_number="999 906 9585")],
        adults=[{"first_name": "Grace", "last_name": "Okafor", "date_of_birth": FUTURE}],
    )

    response = api_for(world.school_practitioner).post(REFERRALS, data, format="json")

    assert response.status_code == 400
    assert response.json() == {
        "children[1].nhs_number": ["Enter a valid NHS number: check the digits are in the right order"],
        "adults[0].date_of_birth": ["Date of birth must be today or in the past"],
    }


def test_a_list_instead_of_an_object_is_refused(world, api_for, body):
    response = api_for(world.school_practitioner).post(REFERRALS, [body()], format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["Send the referral as a JSON object with children, concerns, consent_given and so on"]
    }


def test_a_body_that_is_not_json_is_refused(world, api_for):
    response = api_for(world.school_practitioner).post(REFERRALS, '{"children": [', content_type="application/json")

    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_json_nested_too_deeply_is_refused(world, api_for):
    response = api_for(world.school_practitioner).post(REFERRALS, "[" * 100_000, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - the body is nested too deeply"}


def test_a_form_post_is_refused_as_unsupported(world, api_for):
    response = api_for(world.school_practitioner).post(REFERRALS, {"concerns": "Worried"}, format="multipart")

    assert response.status_code == 415
    assert "multipart/form-data" in response.json()["detail"]


def test_a_child_born_25_years_ago_on_a_leap_day_can_be_checked(world, api_for, body, monkeypatch):
    # 29 February 2028 minus 25 years is not a date: the check must not fall over.
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: datetime.date(2028, 2, 29))

    response = api_for(world.school_practitioner).post(
        REFERRALS, body(children=[child(date_of_birth="2016-05-17")]), format="json"
    )

    assert response.status_code == 201, response.json()


# --- Who may call what ----------------------------------------------------------------------------------

ENDPOINTS = [
    ("get", "/api/v1/referrals/"),
    ("post", "/api/v1/referrals/"),
    ("get", "/api/v1/referrals/{referral}/"),
    ("post", "/api/v1/referrals/{referral}/claim/"),
    ("post", "/api/v1/referrals/{referral}/release/"),
    ("post", "/api/v1/referrals/{referral}/decision/"),
    ("post", "/api/v1/referrals/{referral}/decisions/{decision}/amend/"),
    ("get", "/api/v1/referrals/{referral}/letters/{letter}/"),
]


@pytest.fixture
def decided(world, submit_referral, destinations):
    """A referral decided through the services, with its letter."""
    referral = submit_referral()
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome="early_help",
        level_of_need=world.level3,
        reason="Family support at home.",
        destination=destinations["targeted-family-support"],
    )
    letter = letter_create_and_send(decision_id=decision.pk)
    return referral, decision, letter


@pytest.mark.parametrize(("method", "url"), ENDPOINTS)
def test_anonymous_callers_are_refused_everywhere(decided, method, url):
    referral, decision, letter = decided
    url = url.format(referral=referral.pk, decision=decision.pk, letter=letter.pk)

    response = getattr(APIClient(), method)(url, {}, format="json")

    assert response.status_code in (401, 403)
    assert "credentials were not provided" in response.json()["detail"]


def test_a_wrong_token_is_refused(db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    response = client.get(REFERRALS)

    assert response.status_code in (401, 403)
    assert response.json() == {"detail": "Invalid token."}


DUTY_MANAGER_ENDPOINTS = [
    url for method, url in ENDPOINTS if url.endswith(("claim/", "release/", "decision/", "amend/"))
]


@pytest.mark.parametrize("role", ["analyst", "lead", "school_practitioner", "team_manager", "panel_coordinator"])
@pytest.mark.parametrize("url", DUTY_MANAGER_ENDPOINTS)
def test_only_duty_managers_claim_release_and_decide(world, api_for, decided, role, url):
    referral, decision, _ = decided
    url = url.format(referral=referral.pk, decision=decision.pk)

    response = api_for(getattr(world, role)).post(url, {"outcome": "step_up", "reason": "x"}, format="json")

    assert response.status_code == 403
    assert response.json() == {"detail": "Only duty managers can claim, release and decide referrals."}
    assert Decision.objects.count() == 1


# --- The queue and my referrals ---------------------------------------------------------------------


def test_duty_managers_get_the_queue_oldest_first(world, api_for, submit_referral):
    first = submit_referral()
    second = submit_referral(referrer=world.health_practitioner)

    response = api_for(world.duty_manager).get(REFERRALS)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 2
    assert [row["reference"] for row in data["results"]] == [first.reference, second.reference]
    row = data["results"][0]
    assert row["status"] == "awaiting_decision"
    assert row["channel"] == "practitioner"
    assert row["locality"] == "north"
    assert row["level_of_need"] == "level-3"
    assert row["referrer_agency"] == "Hill School"
    assert row["claimed_by"] is None
    assert row["children"] == [
        {"first_name": "Amara", "last_name": "Okafor", "date_of_birth": "2016-05-17", "expected_date_of_birth": None}
    ]
    assert row["url"].endswith(detail_url(first.pk))


def test_practitioners_get_only_their_own_referrals(world, api_for, submit_referral):
    mine = submit_referral()
    submit_referral(referrer=world.health_practitioner)

    response = api_for(world.school_practitioner).get(REFERRALS)

    assert response.status_code == 200
    assert [row["reference"] for row in response.json()["results"]] == [mine.reference]


def test_decided_referrals_leave_the_queue_but_stay_in_my_referrals(world, api_for, decided):
    referral, _, _ = decided

    assert api_for(world.duty_manager).get(REFERRALS).json()["count"] == 0
    mine = api_for(world.school_practitioner).get(REFERRALS).json()
    assert [(row["reference"], row["status"]) for row in mine["results"]] == [(referral.reference, "decided")]


def test_the_queue_filters(world, api_for, submit_referral):
    north = submit_referral()
    south = submit_referral(referrer=world.health_practitioner, level_of_need=LevelOfNeed.objects.get(code="level-2"))
    Referral.objects.filter(pk=south.pk).update(decision_due_at=timezone.now() - datetime.timedelta(hours=1))
    api = api_for(world.duty_manager)

    def references(**params):
        response = api.get(REFERRALS, params)
        assert response.status_code == 200, response.json()
        return [row["reference"] for row in response.json()["results"]]

    assert references(locality="north") == [north.reference]
    assert references(locality="south") == [south.reference]
    assert references(level="level-2") == [south.reference]
    assert references(channel="practitioner") == [north.reference, south.reference]
    assert references(channel="api") == []
    assert references(overdue="true") == [south.reference]
    assert references(overdue="false") == [north.reference, south.reference]
    assert references(locality="", channel="") == [north.reference, south.reference]


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        ({"locality": "nowhere"}, "locality", "There is no locality with the code “nowhere”: use one of"),
        ({"level": "level-9"}, "level", "There is no level of need with the code “level-9”"),
        ({"channel": "fax"}, "channel", "Select a channel: one of practitioner, public, api, phone, email"),
        ({"overdue": "perhaps"}, "overdue", "Enter overdue as true or false"),
        ({"locality": "no\x00rth"}, "locality", "Enter the locality as a code, like north"),
    ],
)
def test_bad_queue_filters_get_a_field_error(world, api_for, params, field, message):
    for user in (world.duty_manager, world.school_practitioner):
        response = api_for(user).get(REFERRALS, params)

        assert response.status_code == 400
        assert message in response.json()[field][0]


def test_a_page_past_the_end_is_not_found(world, api_for, submit_referral):
    submit_referral()

    response = api_for(world.duty_manager).get(REFERRALS, {"page": 9})

    assert response.status_code == 404


def _queries(api, url) -> int:
    with CaptureQueriesContext(connection) as context:
        response = api.get(url)
    assert response.status_code == 200
    return len(context.captured_queries)


def _referrals(submit_referral, world, count, start=0):
    for n in range(start, start + count):
        # Every other one repeats an earlier referral about the same child (linked, so duplicate_of shows).
        name = f"Child{n // 2}"
        submit_referral(
            people=[
                PersonData(kind="child", first_name=name, last_name="Okafor", date_of_birth=datetime.date(2016, 1, 1))
            ],
        )


@pytest.mark.parametrize("role", ["duty_manager", "school_practitioner"])
def test_the_list_takes_the_same_queries_for_one_referral_or_fifty(world, api_for, submit_referral, role):
    # The first is waiting for partners' answers: in the queue, and with a decision and a letter to
    # show in its referrer's list.
    first = submit_referral()
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=first,
        outcome="more_information",
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Is the family known to you?")],
    )
    letter_create_and_send(decision_id=decision.pk)
    api = api_for(getattr(world, role))
    one = _queries(api, REFERRALS)

    _referrals(submit_referral, world, 49)
    fifty = _queries(api, REFERRALS)

    assert api.get(REFERRALS).json()["count"] == 50
    assert one == fifty
    assert fifty <= 12


# --- One referral ------------------------------------------------------------------------------------


def test_the_referrer_sees_their_referral_and_the_view_is_logged(world, api_for, body):
    api = api_for(world.school_practitioner)
    created = api.post(REFERRALS, body(), format="json").json()

    response = api.get(detail_url(created["id"]))

    assert response.status_code == 200
    data = response.json()
    assert data["reference"] == created["reference"]
    assert data["status"] == "awaiting_decision"
    assert data["channel"] == "api"
    assert data["referrer_name"] == world.school_practitioner.get_full_name()
    assert data["postcode"] == "EX1 1AB"
    assert data["concerns"].startswith("Amara has missed")
    assert data["consent_given"] is True
    assert [(p["first_name"], p["kind"], p["nhs_number"]) for p in data["children"]] == [
        ("Amara", "child", "9999069584")
    ]
    assert [(p["first_name"], p["relationship"], p["parental_responsibility"]) for p in data["adults"]] == [
        ("Grace", "Mother", True)
    ]
    assert data["decision"] is None
    assert data["letters"] == []
    assert AccessLog.objects.filter(
        user=world.school_practitioner, action="view", record_type="referral", record_id=created["id"]
    ).exists()


def test_another_practitioner_gets_404_and_the_refusal_is_logged(
    world, api_for, submit_referral, other_school_practitioner
):
    referral = submit_referral()

    response = api_for(other_school_practitioner).get(detail_url(referral.pk))

    assert response.status_code == 404
    assert AccessLog.objects.filter(
        user=other_school_practitioner, action="denied", record_type="referral", record_id=referral.pk
    ).exists()


def test_a_missing_referral_is_404(world, api_for):
    for referral_id in (999_999, 10**30):
        assert api_for(world.duty_manager).get(detail_url(referral_id)).status_code == 404


def test_the_front_door_sees_the_reason_for_a_decision_and_the_referrer_only_the_outcome(world, api_for, decided):
    referral, decision, letter = decided

    front_door = api_for(world.duty_manager).get(detail_url(referral.pk)).json()
    referrer = api_for(world.school_practitioner).get(detail_url(referral.pk)).json()

    assert front_door["decision"] == {
        "id": decision.pk,
        "referral": referral.pk,
        "outcome": "early_help",
        "level_of_need": "level-3",
        "destination": "targeted-family-support",
        "reason": "Family support at home.",
        "decided_by": world.duty_manager.get_full_name(),
        "decided_at": front_door["decision"]["decided_at"],
        "amends": None,
    }
    assert referrer["decision"] == {**front_door["decision"], "reason": None, "decided_by": None}
    assert front_door["letters"] == referrer["letters"]
    assert [(item["id"], item["decision"]) for item in referrer["letters"]] == [(letter.pk, decision.pk)]
    assert referrer["letters"][0]["url"].endswith(f"{detail_url(referral.pk)}letters/{letter.pk}/")


# --- Claims ------------------------------------------------------------------------------------------


def test_claims_and_releases(world, api_for, submit_referral, other_duty_manager):
    referral = submit_referral()
    mine, theirs = api_for(world.duty_manager), api_for(other_duty_manager)
    claim, release = f"{detail_url(referral.pk)}claim/", f"{detail_url(referral.pk)}release/"

    response = mine.post(claim)
    assert response.status_code == 200
    assert response.json()["claimed_by"] == world.duty_manager.get_full_name()
    assert response.json()["claimed_at"]

    response = theirs.post(claim)
    assert response.status_code == 409
    assert response.json() == {"detail": f"{world.duty_manager.get_full_name()} is already working on this referral."}

    response = theirs.post(release)
    assert response.status_code == 409
    assert "only they can release it" in response.json()["detail"]
    referral.refresh_from_db()
    assert referral.claimed_by == world.duty_manager

    assert mine.post(claim).status_code == 200  # claiming again changes nothing
    response = mine.post(release)
    assert response.status_code == 200
    assert response.json()["claimed_by"] is None
    assert theirs.post(claim).status_code == 200


def test_a_decided_referral_cannot_be_claimed(world, api_for, decided):
    referral, _, _ = decided

    response = api_for(world.duty_manager).post(f"{detail_url(referral.pk)}claim/")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["This referral is not waiting for a decision."]}


def test_claiming_a_missing_referral_is_404(world, api_for):
    assert api_for(world.duty_manager).post(f"{detail_url(999_999)}claim/").status_code == 404


# --- Decisions ----------------------------------------------------------------------------------------


def test_a_duty_manager_decides_early_help(world, api_for, submit_referral, django_capture_on_commit_callbacks):
    referral = submit_referral()
    api = api_for(world.duty_manager)
    api.post(f"{detail_url(referral.pk)}claim/")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = decide(api, referral.pk)

    assert response.status_code == 201, response.json()
    data = response.json()
    decision = Decision.objects.get()
    assert data["id"] == decision.pk
    assert data["outcome"] == "early_help"
    assert data["destination"] == "targeted-family-support"
    assert data["level_of_need"] == "level-3"
    assert data["decided_by"] == world.duty_manager.get_full_name()
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert referral.claimed_by is None
    assert referral.case is not None
    assert len(callbacks) == 1  # the letter task, queued on commit


def test_more_information_asks_the_agencies(world, api_for, submit_referral):
    referral = submit_referral()
    due = (timezone.now() + datetime.timedelta(days=3)).replace(microsecond=0)

    response = decide(
        api_for(world.duty_manager),
        referral.pk,
        outcome="more_information",
        destination=None,
        information_requests=[{"agency": world.health.pk, "question": "Is the family known to health visiting?"}],
        due_at=due.isoformat(),
    )

    assert response.status_code == 201, response.json()
    request = InformationRequest.objects.get()
    assert request.agency == world.health
    assert request.due_at == due
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.MORE_INFORMATION


BAD_DECISIONS = [
    ("no destination for early help", {"destination": None}, "destination", "Select a destination"),
    (
        "a destination for a step up",
        {"outcome": "step_up"},
        "destination",
        "Targeted family support is not a destination for the decision",
    ),
    (
        "more information from no one",
        {"outcome": "more_information", "destination": None},
        "information_requests",
        "Select the agencies to ask for information",
    ),
    ("an unknown outcome", {"outcome": "maybe"}, "outcome", "Select the decision: one of step_up, more_information"),
    ("no reason", {"reason": "  "}, "reason", "Enter the reason for the decision"),
    ("a reason as a number", {"reason": 7}, "reason", "Enter the reason for the decision as text"),
    ("an unknown level", {"level_of_need": "level-9"}, "level_of_need", "There is no level of need with the code"),
    (
        "an unknown destination",
        {"destination": "the-moon"},
        "destination",
        "There is no destination with the code “the-moon”: use one of targeted-family-support",
    ),
    (
        "an agency that is not there",
        {
            "outcome": "more_information",
            "destination": None,
            "information_requests": [{"agency": 999_999, "question": "?"}],
        },
        "information_requests[0].agency",
        "There is no agency with the id 999999",
    ),
    (
        "an agency by name",
        {
            "outcome": "more_information",
            "destination": None,
            "information_requests": [{"agency": "Health", "question": "?"}],
        },
        "information_requests[0].agency",
        "Enter the agency's id as a number",
    ),
    (
        "no question",
        {"outcome": "more_information", "destination": None, "information_requests": [{"agency": 1, "question": ""}]},
        "information_requests[0].question",
        "Enter what you need to know from the agency",
    ),
    (
        "a bad answer-by date",
        {"outcome": "more_information", "due_at": "soon"},
        "due_at",
        "Enter when the agencies must answer as a date and time",
    ),
]


@pytest.mark.parametrize(
    ("fields", "field", "message"), [case[1:] for case in BAD_DECISIONS], ids=[case[0] for case in BAD_DECISIONS]
)
def test_bad_decisions_get_field_errors(world, api_for, submit_referral, fields, field, message):
    referral = submit_referral()

    response = decide(api_for(world.duty_manager), referral.pk, **fields)

    assert response.status_code == 400
    assert message in response.json()[field][0], response.json()
    assert not Decision.objects.exists()


def test_a_decision_sent_as_a_list_is_refused(world, api_for, submit_referral):
    referral = submit_referral()

    response = api_for(world.duty_manager).post(f"{detail_url(referral.pk)}decision/", [], format="json")

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["Send the decision as a JSON object"]}


def test_deciding_a_decided_referral_says_to_amend(world, api_for, decided):
    referral, _, _ = decided

    response = decide(api_for(world.duty_manager), referral.pk)

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": ["This referral has already been decided: amend the decision instead."]
    }
    assert Decision.objects.count() == 1


def test_deciding_someone_elses_claimed_referral_is_a_conflict(world, api_for, submit_referral, other_duty_manager):
    referral = submit_referral()
    api_for(other_duty_manager).post(f"{detail_url(referral.pk)}claim/")

    response = decide(api_for(world.duty_manager), referral.pk)

    assert response.status_code == 409
    assert "is working on this referral" in response.json()["detail"]
    assert not Decision.objects.exists()


# --- Amendments -------------------------------------------------------------------------------------


def test_a_decision_is_amended_by_a_new_one(world, api_for, decided):
    referral, decision, _ = decided
    api = api_for(world.duty_manager)
    amend = f"{detail_url(referral.pk)}decisions/{decision.pk}/amend/"

    response = api.post(
        amend,
        {"outcome": "step_up", "level_of_need": "level-4", "reason": "New information from school."},
        format="json",
    )

    assert response.status_code == 201, response.json()
    data = response.json()
    assert data["amends"] == decision.pk
    assert data["outcome"] == "step_up"
    assert data["level_of_need"] == "level-4"
    assert data["destination"] is None
    decision.refresh_from_db()
    assert decision.outcome == "early_help"  # the old decision stays as it was
    assert api.get(detail_url(referral.pk)).json()["decision"]["id"] == data["id"]

    again = api.post(amend, {"outcome": "step_up", "level_of_need": "level-4", "reason": "Again."}, format="json")
    assert again.status_code == 400
    assert again.json() == {"non_field_errors": ["This decision has already been amended: amend the latest one."]}


def test_an_amendment_cannot_ask_partners(world, api_for, decided):
    referral, decision, _ = decided

    response = api_for(world.duty_manager).post(
        f"{detail_url(referral.pk)}decisions/{decision.pk}/amend/",
        {"outcome": "more_information", "level_of_need": "level-3", "reason": "Ask health."},
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {"outcome": ["To ask partners for information, use a MASH enquiry, not an amendment"]}


def test_a_decision_of_another_referral_is_404(world, api_for, decided, submit_referral):
    _, decision, _ = decided
    other = submit_referral(referrer=world.health_practitioner)

    response = api_for(world.duty_manager).post(
        f"{detail_url(other.pk)}decisions/{decision.pk}/amend/",
        {"outcome": "step_up", "level_of_need": "level-4", "reason": "x"},
        format="json",
    )

    assert response.status_code == 404
    assert Decision.objects.count() == 1


# --- Letters and the whole journey ------------------------------------------------------------------


def test_a_school_referral_from_token_to_letter(world, api_for, body, other_school_practitioner):
    school, duty = api_for(world.school_practitioner), api_for(world.duty_manager)

    created = school.post(REFERRALS, body(), format="json")
    assert created.status_code == 201, created.json()
    referral_id = created.json()["id"]

    assert [row["id"] for row in duty.get(REFERRALS).json()["results"]] == [referral_id]
    assert duty.post(f"{detail_url(referral_id)}claim/").status_code == 200
    decided = decide(duty, referral_id)
    assert decided.status_code == 201, decided.json()

    letter = letter_create_and_send(decision_id=decided.json()["id"])

    detail = school.get(detail_url(referral_id)).json()
    assert detail["status"] == "decided"
    assert detail["decision"]["outcome"] == "early_help"
    assert detail["decision"]["destination"] == "targeted-family-support"
    assert [item["id"] for item in detail["letters"]] == [letter.pk]
    letter_url = detail["letters"][0]["url"]

    response = school.get(letter_url, HTTP_ACCEPT="application/pdf")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{created.json()["reference"]}-letter-{letter.pk}.pdf"' in response["Content-Disposition"]
    assert AccessLog.objects.filter(
        user=world.school_practitioner, action="export", record_type="referrer_letter", record_id=letter.pk
    ).exists()

    stranger = api_for(other_school_practitioner)
    assert stranger.get(detail_url(referral_id)).status_code == 404
    refused = stranger.get(letter_url, HTTP_ACCEPT="application/pdf")
    assert refused.status_code == 404
    assert refused["Content-Type"] == "application/json"
    assert not AccessLog.objects.filter(user=other_school_practitioner, action="export").exists()


def test_duty_managers_download_letters_too(world, api_for, decided):
    referral, _, letter = decided

    response = api_for(world.duty_manager).get(f"{detail_url(referral.pk)}letters/{letter.pk}/")

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_a_letter_under_another_referral_is_404(world, api_for, decided, submit_referral):
    _, _, letter = decided
    mine = submit_referral()

    response = api_for(world.school_practitioner).get(f"{detail_url(mine.pk)}letters/{letter.pk}/")

    assert response.status_code == 404
    assert response.json() == {"detail": "No letter found"}


# --- The schema -----------------------------------------------------------------------------------------


def test_the_schema_documents_the_referral_api(world, client_for):
    response = client_for(world.school_practitioner).get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    assert "/api/v1/referrals/" in response.content.decode()
    schema = json.loads(response.content)
    paths = schema["paths"]
    create = paths["/api/v1/referrals/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralCreate"
    }
    assert create["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ReferralCreated"
    }
    assert "children[0].nhs_number" in create["responses"]["400"]["description"]
    assert {"locality", "level", "channel", "overdue", "page"} <= {
        p["name"] for p in paths["/api/v1/referrals/"]["get"]["parameters"]
    }
    assert "409" in paths["/api/v1/referrals/{referral_id}/claim/"]["post"]["responses"]
    assert (
        "application/pdf"
        in paths["/api/v1/referrals/{referral_id}/letters/{letter_id}/"]["get"]["responses"]["200"]["content"]
    )
    components = schema["components"]["schemas"]
    assert {"children", "adults", "consent_given", "level_of_need"} <= set(components["ReferralCreate"]["properties"])
    assert "duplicate_of" in components["ReferralCreated"]["properties"]
