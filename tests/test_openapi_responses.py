"""The API contract is the generated schema, held by the whole suite (tests/openapi.py): a response
the schema does not describe fails the test that asked for it. These tests prove the check fails
when it should, and hold the schema's own declarations that were once wrong."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from front_door import services
from front_door.api import serializers as front_door_serializers
from front_door.api.views import Conflict
from front_door.models import Channel
from tests.conftest import open_case
from tests.openapi import api_schema

REFERRALS = "/api/v1/referrals/"
REFERRAL = {
    "children": [{"first_name": "Amara", "last_name": "Okafor", "date_of_birth": "2016-05-17"}],
    "address_line_1": "12 Mill Lane",
    "town": "Exton",
    "postcode": "EX1 1AB",
    "concerns": "Amara has missed 20 days of school this term.",
    "consent_given": True,
}


def make_referral(world):
    return services.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[services.PersonData(kind="child", first_name="Amara", last_name="Okafor")],
        address_line_1="12 Mill Lane",
        town="Exton",
        postcode="EX1 1AB",
        concerns="Amara has missed 20 days of school this term.",
        consent_given=True,
    )


@pytest.fixture
def partner_system(world) -> APIClient:
    """The school's system, calling with the practitioner's token."""
    token, _ = Token.objects.get_or_create(user=world.school_practitioner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def test_a_field_of_the_wrong_type_fails_the_test(partner_system, monkeypatch):
    monkeypatch.setattr(front_door_serializers.ReferralCreatedSerializer, "get_url", lambda self, referral: 42)

    with pytest.raises(AssertionError) as refused:
        partner_system.post(REFERRALS, REFERRAL, format="json")

    message = str(refused.value)
    assert "The response to POST /api/v1/referrals/ does not match the OpenAPI schema" in message
    assert "Status 201, application/json" in message
    assert "['url']: 42 is not of type 'string'" in message


def test_null_where_the_schema_says_not_null_fails_the_test(world, client_for, monkeypatch):
    referral = make_referral(world)
    monkeypatch.setattr(front_door_serializers.ReferralSummarySerializer, "get_url", lambda self, referral: None)

    with pytest.raises(AssertionError) as refused:
        client_for(world.school_practitioner).get(REFERRALS)

    message = str(refused.value)
    assert "GET /api/v1/referrals/" in message and "Status 200" in message
    assert "['results'][0]['url']: None for not nullable" in message
    assert referral.reference in message  # the body, to see what was sent


def test_an_answer_the_schema_does_not_declare_fails_the_test(world, client_for, monkeypatch):
    make_referral(world)

    def conflict(self, referral):
        raise Conflict()

    monkeypatch.setattr(front_door_serializers.ReferralSummarySerializer, "get_url", conflict)

    with pytest.raises(AssertionError, match="Status 409.*\n.*Unknown response http status: 409"):
        client_for(world.school_practitioner).get(REFERRALS)


def test_a_declared_refusal_passes(client):
    response = client.get(REFERRALS)  # no token, no session

    assert response.status_code == 401


def test_the_letter_is_declared_a_pdf():
    letter = api_schema().spec / "paths" / "/api/v1/referrals/{referral_id}/letters/{letter_id}/" / "get"

    content = (letter / "responses" / "200" / "content").read_value()

    assert content == {"application/pdf": {"schema": {"type": "string", "format": "binary"}}}


def test_a_family_that_has_not_agreed_to_share_is_null_in_the_case_list(world, client_for):
    open_case(world, members=[(world.school_practitioner, "School")])  # no consent to share with the school
    family = (api_schema().spec / "components" / "schemas" / "CaseList" / "properties" / "family").read_value()

    rows = client_for(world.school_practitioner).get("/api/v1/cases/").json()["results"]

    assert [row["family"] for row in rows] == [None]
    assert family["nullable"] is True


def test_every_kind_of_entry_is_read_but_a_note_is_only_a_note_contact_or_meeting(world, client_for):
    case = open_case(world)  # opening it recorded events in the chronology
    client = client_for(world.lead)
    url = f"/api/v1/cases/{case.pk}/chronology/"

    kinds = {row["kind"] for row in client.get(url).json()["results"]}
    refused = client.post(
        url, {"kind": "event", "summary": "Pretending to be the system"}, content_type="application/json"
    )

    assert "event" in kinds
    assert refused.status_code == 400
    assert refused.json() == {"kind": ["Choose what kind of note this is"]}


def test_the_schema_is_valid_and_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))
    api_schema.cache_clear()

    # openapi-core checks the schema again, stricter (a default must match its own format).
    assert api_schema().spec.read_value()["openapi"] == "3.0.3"
