"""The consent API: the family's decisions for those who see the family, and recording one made in
the app through the same service as the page (field errors as 400, never 500)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases.models import Consent, Person
from tests.conftest import open_case


@pytest.fixture
def case(world):
    return open_case(world, members=[(world.health_practitioner, "Health visitor")])


def _url(case) -> str:
    return f"/api/v1/cases/{case.pk}/consents/"


def _given(case, **changes) -> dict:
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    return {
        "person": parent.pk,
        "consent_for": "assessment",
        "consent_decision": "given",
        "decided_on": timezone.localdate().isoformat(),
        "consent_method": "in_person",
        "witness": "Sam Patel, family support worker",
        **changes,
    }


def test_recording_and_reading(world, client_for, case):
    client = client_for(world.lead)
    answer = client.post(_url(case), _given(case), content_type="application/json")
    assert answer.status_code == 201
    body = answer.json()
    assert (body["consent_decision"], body["consent_method"], body["has_signed_form"]) == ("given", "in_person", False)
    listed = client.get(_url(case)).json()["consents"]
    assert [row["id"] for row in listed] == [body["id"]]


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"witness": ""}, "witness", "Enter who witnessed the decision"),
        ({"consent_method": ""}, "consent_method", "Select how the decision was made"),
        ({"consent_for": "sharing"}, "agency", "Select the agency the family agreed to share information with"),
        (
            {"consent_decision": "not_sought", "not_sought_reason": "Risk"},
            "consent_decision",
            "Only a team manager can decide that consent is not sought",
        ),
        ({"person": 0}, "person", "There is no person with that id in this family"),
    ],
)
def test_field_errors(world, client_for, case, changes, field, message):
    answer = client_for(world.lead).post(_url(case), _given(case, **changes), content_type="application/json")
    assert answer.status_code == 400
    assert answer.json()[field] == [message]
    assert not Consent.objects.filter(case=case).exclude(scope="referral").exists()


def test_only_those_who_see_the_family(world, client_for, case):
    # Health is in the team without the family's consent to share: no consent list, no recording.
    client = client_for(world.health_practitioner)
    assert client.get(_url(case)).status_code == 404
    assert client.post(_url(case), _given(case), content_type="application/json").status_code == 404
    assert client_for(world.analyst).get(_url(case)).status_code == 404
