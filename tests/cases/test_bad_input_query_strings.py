"""Nonsense in a query string or a posted id (a null byte, a digit that is not an ASCII one, a
number too big for the database) is answered 400 or finds nothing: never a 500."""

import datetime

import pytest
from django.urls import reverse

from cases.models import LevelOfNeed, Person
from cases.querystring import parse_id, query_choice, query_id, query_text
from front_door import services as front_door
from front_door.models import Channel
from front_door.services import PersonData
from tests.conftest import open_case
from tests.factories import PersonFactory

NULL_BYTE = "%00"
SUPERSCRIPT_TWO = "%C2%B2"  # "²": str.isdigit() says yes, int() says no
ARABIC_THREE = "%D9%A3"  # "٣": int() reads it as 3
TOO_BIG = "9" * 30


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("42", 42),
        ("007", 7),
        ("0", None),
        ("", None),
        (None, None),
        ("²", None),
        ("٣", None),
        ("4\x002", None),
        ("-4", None),
        (" 4", None),
        ("4.0", None),
        ("9" * 19, None),
    ],
)
def test_an_id_is_read_only_from_ascii_digits(value, expected):
    assert parse_id(value) == expected


def test_the_query_string_helpers_read_choices_and_text():
    params = {"status": "active", "bad": "acti\x00ve", "name": "  Amara\x00 Ok\x1fafor  ", "person": "٣"}

    assert query_choice(params, "status", ["active", "closed"]) == "active"
    assert query_choice(params, "bad", ["active", "closed"]) == ""
    assert query_choice(params, "missing", ["active"], default="all") == "all"
    assert query_text(params, "name") == "Amara Okafor"
    assert query_text({"name": "x" * 500}, "name") == "x" * 100
    assert query_id(params, "person") is None


@pytest.mark.parametrize("value", [NULL_BYTE, f"Amara{NULL_BYTE}", f"{NULL_BYTE}%00"])
def test_the_person_search_answers_400_to_a_null_byte(world, client_for, value):
    response = client_for(world.duty_manager).get(f"/cases/people/?name={value}")

    assert response.status_code == 400
    assert "There is a problem with the web address" in response.content.decode()


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_THREE, TOO_BIG])
def test_the_person_search_finds_no_one_by_a_strange_digit(world, client_for, value):
    PersonFactory(first_name="Amara", last_name="Okafor")

    response = client_for(world.duty_manager).get(f"/cases/people/?name={value}&page={value}")

    assert response.status_code == 200
    assert "No one matches" in response.content.decode()


@pytest.mark.parametrize("value", [NULL_BYTE, f"1{NULL_BYTE}"])
def test_the_access_log_answers_400_to_a_null_byte(world, client_for, value):
    for query in (f"person={value}", f"name={value}"):
        response = client_for(world.administrator).get(f"/cases/access-log/?{query}")

        assert response.status_code == 400


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, ARABIC_THREE, TOO_BIG, "-1"])
def test_the_access_log_finds_no_one_by_a_strange_id(world, client_for, value):
    child = PersonFactory()

    response = client_for(world.administrator).get(f"/cases/access-log/?person={value}")
    # "٣" once read as 3 (int() takes any script's digits): a person by an id nobody asked for.
    content = response.content.decode()

    assert response.status_code == 200
    assert child.full_name not in content
    assert 'id="name"' in content  # the look-up form again


def test_the_access_log_still_finds_a_person_by_their_id(world, client_for):
    child = PersonFactory()

    response = client_for(world.administrator).get(f"/cases/access-log/?person={child.pk}")

    assert response.status_code == 200
    assert child.full_name in response.content.decode()


@pytest.mark.parametrize("value", [NULL_BYTE, f"active{NULL_BYTE}"])
def test_the_api_case_list_answers_400_to_a_null_byte_in_status(world, client_for, value):
    response = client_for(world.lead).get(f"/api/v1/cases/?status={value}")

    assert response.status_code == 400
    assert response.json()["status"][0].startswith("Select a valid status: one of awaiting_allocation, ")


@pytest.mark.parametrize("value", [SUPERSCRIPT_TWO, "activ", "ACTIVE"])
def test_the_api_case_list_answers_400_to_an_unknown_status(world, client_for, value):
    open_case(world)

    response = client_for(world.lead).get(f"/api/v1/cases/?status={value}")

    assert response.status_code == 400
    assert response.json()["status"][0].startswith("Select a valid status: one of ")


def test_the_api_case_list_still_filters_by_a_known_status(world, client_for):
    case = open_case(world)

    active = client_for(world.lead).get("/api/v1/cases/?status=active").json()
    closed = client_for(world.lead).get("/api/v1/cases/?status=closed").json()

    assert [row["reference"] for row in active["results"]] == [case.reference]
    assert closed["results"] == []


def _referral(world):
    return front_door.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[
            PersonData(
                kind="child",
                first_name="Amara",
                last_name="Okafor",
                date_of_birth=datetime.date(2016, 5, 17),
                nhs_number="9434765919",
            )
        ],
        address_line_1="12 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
        concerns="Amara has missed 20 days of school this term.",
        tried_before="Meetings at school.",
        expected_outcome="Family support at home.",
        level_of_need=LevelOfNeed.objects.get(code="level-3"),
        consent_given=True,
    )


@pytest.mark.parametrize("value", ["²", "٣", "\x00", "1\x002", "9" * 30])
def test_the_person_link_form_refuses_a_strange_id_with_a_message(world, client_for, value):
    known = PersonFactory(
        first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17), nhs_number="9434765919"
    )
    referral = _referral(world)
    child = referral.people.get()
    people_before = Person.objects.count()

    response = client_for(world.duty_manager).post(
        reverse("front_door:person-link", args=[referral.pk, child.pk]), {"person": value}, follow=True
    )

    child.refresh_from_db()
    assert response.status_code == 200
    assert "Choose one of the records found for Amara Okafor" in response.content.decode()
    assert child.person is None and Person.objects.count() == people_before
    assert known.pk  # still offered, and not linked by a digit of another script
