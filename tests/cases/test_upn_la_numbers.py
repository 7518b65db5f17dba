"""A Unique Pupil Number's characters 2 to 4 are the DfE number of the local authority that gave it:
a UPN whose check letter is right but whose authority does not exist is refused, with a message a
person can act on, by the validator, the referral form and the API alike."""

import random

import pytest
from django.core.exceptions import ValidationError
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.la_codes import ENGLAND, UPN_LA_NUMBERS, WALES
from cases.synthetic import synthetic_upn
from cases.validators import upn_check_letter, upn_is_valid, upn_la_is_known, validate_upn
from front_door.intake_forms import ChildForm
from front_door.models import Referral

UPN_LA = (
    "Enter a valid Unique Pupil Number: the 3 digits after the first letter should be a local authority's"
    " number, like 801 in H801200001001"
)


def upn(body: str) -> str:
    """`body` (12 characters) with its right check letter."""
    return upn_check_letter(body) + body


def test_the_unknown_authority_of_the_issue_is_refused():
    # E000200005001 has the right check letter for "000200005001": only its authority is wrong.
    assert upn_check_letter("000200005001") == "E"
    assert upn_is_valid("E000200005001") is False
    with pytest.raises(ValidationError) as error:
        validate_upn("E000200005001")
    assert error.value.messages == [UPN_LA]
    assert error.value.error_list[0].code == "upn_la"


@pytest.mark.parametrize("la", ["000", "100", "200", "214", "321", "600", "682", "804", "930", "944", "999"])
def test_numbers_no_authority_has_are_refused(la):
    value = upn(f"{la}200005001")

    assert upn_la_is_known(value) is False
    with pytest.raises(ValidationError) as error:
        validate_upn(value)
    assert error.value.messages == [UPN_LA]


def test_every_english_authority_is_known_current_and_replaced():
    current = {code for code, name in ENGLAND.items() if "until" not in name}

    assert len(current) == 153  # England's education authorities since April 2023
    assert {"201", "202", "320", "420", "801", "878", "938", "940", "941", "942", "943"} <= current
    assert {"820", "835", "836", "837", "875", "909", "928"} == set(ENGLAND) - current  # replaced since 1999
    for code in ENGLAND:
        assert validate_upn(upn(f"{code}200005001")) is None, code


def test_a_upn_from_a_welsh_school_is_known():
    assert WALES == {str(n) for n in range(660, 682)}
    assert validate_upn(upn("660200005001")) is None
    assert validate_upn(upn("681200005001")) is None


def test_the_check_letter_is_still_checked_for_a_known_authority():
    with pytest.raises(ValidationError) as error:
        validate_upn("A801200001001")
    assert error.value.error_list[0].code == "upn_check"


def test_synthetic_upns_have_a_known_authority():
    rng = random.Random(3)
    values = [synthetic_upn(rng) for _ in range(50)]

    assert all(upn_is_valid(value) for value in values)
    assert {value[1:4] for value in values} <= UPN_LA_NUMBERS


def test_the_referral_form_says_what_is_wrong():
    form = ChildForm(
        data={
            "first_name": "Amara",
            "last_name": "Okafor",
            "date_of_birth_0": "17",
            "date_of_birth_1": "5",
            "date_of_birth_2": "2016",
            "gender": "F",
            "upn": "E000 2000 05001",
        }
    )

    assert form.is_valid() is False
    assert form.errors["upn"] == [UPN_LA]
    assert form.data["upn"] == "E000 2000 05001"  # what was typed is kept


def test_the_api_answers_400_with_the_field_error(world):
    token, _ = Token.objects.get_or_create(user=world.school_practitioner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    child = {"first_name": "Amara", "last_name": "Okafor", "date_of_birth": "2016-05-17", "upn": "E000200005001"}

    response = client.post(
        "/api/v1/referrals/",
        {
            "children": [child],
            "address_line_1": "12 Mill Lane",
            "town": "Exton",
            "postcode": "EX1 1AB",
            "concerns": "Amara has missed 20 days of school this term.",
            "tried_before": "Meetings at school.",
            "level_of_need": "level-3",
            "expected_outcome": "Family support at home.",
            "consent_given": True,
        },
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["children[0].upn"] == [UPN_LA]
    assert not Referral.objects.exists()
