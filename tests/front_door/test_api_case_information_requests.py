"""The API of partner requests about a case: GET lists what was asked and answered (for those who see
the family's details), POST asks agencies (panel coordinators of the case, duty managers). Every
response here is checked against the OpenAPI schema (tests/openapi.py); bad input is 400 with field
errors, never 500."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import AccessLog
from front_door import services
from front_door.models import InformationRequest
from tests.conftest import open_case
from tests.factories import AgencyFactory


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        token, _ = Token.objects.get_or_create(user=user)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        return client

    return make


@pytest.fixture
def case(world):
    return open_case(world, status="awaiting_allocation")


def url(case_id) -> str:
    return f"/api/v1/cases/{case_id}/information-requests/"


def later(days: int = 5) -> str:
    return (timezone.now() + datetime.timedelta(days=days)).isoformat()


def test_a_coordinator_asks_through_the_api(world, case, api_for):
    response = api_for(world.panel_coordinator).post(
        url(case.pk),
        {"agencies": [world.health.pk, world.school.pk], "question": "Known to you?", "due_at": later()},
        format="json",
    )

    assert response.status_code == 201, response.json()
    body = response.json()
    assert sorted(item["agency_name"] for item in body) == ["Health Visiting", "Hill School"]
    assert all(item["answered_at"] is None and item["answer"] == "" for item in body)
    assert InformationRequest.objects.filter(case=case).count() == 2


def test_asking_again_returns_the_open_request(world, case, api_for):
    client = api_for(world.duty_manager)
    first = client.post(
        url(case.pk), {"agencies": [world.health.pk], "question": "?", "due_at": later()}, format="json"
    )
    again = client.post(
        url(case.pk), {"agencies": [world.health.pk], "question": "?", "due_at": later()}, format="json"
    )

    assert first.status_code == again.status_code == 201
    assert first.json()[0]["id"] == again.json()[0]["id"]


def test_the_list_shows_questions_and_answers(world, case, api_for):
    asked = services.information_request_create(
        actor=world.panel_coordinator,
        case=case,
        agency=world.health,
        question="Known?",
        due_at=timezone.now() + datetime.timedelta(days=3),
    )
    services.information_request_answer(actor=world.health_practitioner, request=asked, answer="Yes, since 2020.")

    response = api_for(world.panel_coordinator).get(url(case.pk))

    assert response.status_code == 200
    [item] = response.json()["results"]
    assert item["id"] == asked.pk and item["agency"] == world.health.pk
    assert item["answer"] == "Yes, since 2020." and item["answered_by"] == world.health_practitioner.get_full_name()
    assert AccessLog.objects.filter(user=world.panel_coordinator, record_type="case", record_id=case.pk).exists()


def test_who_reads_the_list(world, case, api_for):
    south = open_case(world, status="awaiting_allocation", locality=world.south)

    assert api_for(world.duty_manager).get(url(case.pk)).status_code == 200
    assert api_for(world.panel_coordinator).get(url(south.pk)).status_code == 404
    assert api_for(world.health_practitioner).get(url(case.pk)).status_code == 404
    assert api_for(world.analyst).get(url(case.pk)).status_code == 404
    assert api_for(world.panel_coordinator).get(url(987654321)).status_code == 404


def test_a_member_who_may_not_see_the_familys_details_gets_404(world, api_for):
    member_case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])

    assert api_for(world.school_practitioner).get(url(member_case.pk)).status_code == 404
    assert api_for(world.lead).get(url(member_case.pk)).status_code == 200


def test_who_may_ask(world, case, api_for):
    south = open_case(world, status="awaiting_allocation", locality=world.south)
    body = {"agencies": [world.health.pk], "question": "?", "due_at": later()}

    assert api_for(world.lead).post(url(case.pk), body, format="json").status_code == 403
    assert api_for(world.health_practitioner).post(url(case.pk), body, format="json").status_code == 403
    assert api_for(world.panel_coordinator).post(url(south.pk), body, format="json").status_code == 404
    assert api_for(world.county_coordinator).post(url(south.pk), body, format="json").status_code == 201
    assert not InformationRequest.objects.filter(case=case).exists()


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"question": "?", "due_at": later(-1)}, "due_at", "Enter a date in the future for the answer"),
        ({"question": "?", "due_at": "next week"}, "due_at", "Enter when the agencies must answer as a date"),
        ({"question": "?"}, "due_at", "Enter when the agencies must answer"),
        ({"question": "", "due_at": later()}, "question", "Enter what you need to know from the agencies"),
        ({"question": 42, "due_at": later()}, "question", "as text"),
        ({"agencies": [], "question": "?", "due_at": later()}, "agencies", "Select the agencies to ask"),
        ({"agencies": [987654321], "question": "?", "due_at": later()}, "agencies", "no active agency with the id"),
        ({"agencies": ["1;DROP"], "question": "?", "due_at": later()}, "agencies", "whole number"),
        ({"agencies": [True], "question": "?", "due_at": later()}, "agencies", "whole number"),
        ({"agencies": [1.5], "question": "?", "due_at": later()}, "agencies", "whole number"),
        ({"agencies": [10**30], "question": "?", "due_at": later()}, "agencies", "whole number"),
        ({"agencies": "health", "question": "?", "due_at": later()}, "agencies", "list of ids"),
        ({"agencies": None, "question": "?", "due_at": later()}, "agencies", "Select the agencies to ask"),
    ],
)
def test_bad_input_is_400_with_field_errors(world, case, api_for, body, field, message):
    body = {"agencies": [world.health.pk], **body}

    response = api_for(world.panel_coordinator).post(url(case.pk), body, format="json")

    assert response.status_code == 400, response.content
    errors = response.json()
    assert any(key.startswith(field) for key in errors), errors
    assert any(message in text for key, texts in errors.items() if key.startswith(field) for text in texts), errors
    assert not InformationRequest.objects.exists()


def test_an_inactive_agency_is_refused(world, case, api_for):
    closed = AgencyFactory(name="Closed Youth Club", active=False)

    response = api_for(world.panel_coordinator).post(
        url(case.pk), {"agencies": [closed.pk], "question": "?", "due_at": later()}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"agencies": [f"There is no active agency with the id {closed.pk}"]}


def test_a_closed_case_is_refused(world, api_for):
    closed = open_case(world, status="closed")

    response = api_for(world.county_coordinator).post(
        url(closed.pk), {"agencies": [world.health.pk], "question": "?", "due_at": later()}, format="json"
    )

    assert response.status_code == 400
    assert "This case is closed" in response.json()["non_field_errors"][0]


def test_not_json_is_refused(world, case, api_for):
    client = api_for(world.panel_coordinator)

    assert client.post(url(case.pk), "agencies=1", content_type="text/plain").status_code == 415
    assert client.post(url(case.pk), "[1, 2]", content_type="application/json").status_code == 400
    assert client.post(url(case.pk), "{", content_type="application/json").status_code == 400
