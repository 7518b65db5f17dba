"""The outcome readings API: who reads and records (the pages' access), 400s naming each field as
sent, and every response checked against the OpenAPI schema (tests/openapi.py)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from assessments.models import Reading
from cases import services as case_services
from tests.assessments.conftest import child_of, days_ago, record, tool
from tests.openapi import api_schema

STAR = [3, 4, 2, 5, 6, 4, 3, 2, 5, 1]


@pytest.fixture(autouse=True)
def _schema_with_these_routes():
    # The schema is made once per run from the routes of the time: made again with these.
    api_schema.cache_clear()
    yield
    api_schema.cache_clear()


@pytest.fixture
def api_for():
    def make(user) -> APIClient:
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make


def url(case) -> str:
    return f"/api/v1/cases/{case.pk}/outcome-readings/"


def star_scores(values=STAR) -> dict[str, int]:
    return {area.code: value for area, value in zip(tool("family-star-plus").areas.all(), values, strict=True)}


def test_the_lead_professional_reads_the_readings_oldest_first(world, case, api_for):
    record(case, "family-star-plus", STAR, taken_on=days_ago(20), note="First.")
    record(case, "my-star", [1, 2, 3, 4, 5, 4, 3, 2], taken_on=days_ago(10))
    client = api_for(world.lead)

    response = client.get(url(case))

    assert response.status_code == 200
    first, second = response.json()["results"]
    assert first["tool"]["code"] == "family-star-plus"
    assert first["person"] is None
    assert first["note"] == "First."
    assert first["scores"]["physical-health"] == 3
    assert list(first["scores"]) == [area.code for area in tool("family-star-plus").areas.all()]
    assert second["person"] == {"id": child_of(case).pk, "name": child_of(case).full_name}


def test_the_readings_take_the_same_queries_however_many(world, case, api_for):
    client = api_for(world.lead)
    record(case, "family-star-plus", STAR, taken_on=days_ago(20))
    client.get(url(case))
    with CaptureQueriesContext(connection) as one:
        client.get(url(case))
    for days in (15, 10, 5):
        record(case, "family-star-plus", STAR, taken_on=days_ago(days))
    record(case, "graded-care-profile-2", [1, 2, 3, 4], taken_on=days_ago(2))
    with CaptureQueriesContext(connection) as five:
        assert len(client.get(url(case)).json()["results"]) == 5

    assert len(five.captured_queries) == len(one.captured_queries)


# user: (GET, POST with a valid body)
MATRIX = {
    "lead": (200, 201),
    "team_manager": (200, 201),
    "duty_manager": (200, 404),
    "school_practitioner": (404, 404),  # in the team around the family, no consent to share
    "health_practitioner": (404, 404),
    "analyst": (404, 404),
}


@pytest.mark.parametrize("who", MATRIX)
def test_who_reads_and_who_records(world, case, api_for, who):
    case_services.case_member_add(actor=world.team_manager, case=case, user=world.school_practitioner, role="Teacher")
    client = api_for(getattr(world, who))

    read = client.get(url(case))
    recorded = client.post(
        url(case), {"tool": "family-star-plus", "taken_on": str(days_ago(1)), "scores": star_scores()}, format="json"
    )

    assert (read.status_code, recorded.status_code) == MATRIX[who]
    assert Reading.objects.exists() is (recorded.status_code == 201)


def test_recording_a_reading_answers_with_it(world, case, api_for):
    response = api_for(world.lead).post(
        url(case),
        {
            "tool": "my-star",
            "person": child_of(case).pk,
            "taken_on": str(days_ago(0)),
            "scores": {area.code: 4 for area in tool("my-star").areas.all()},
            "note": "Drawn together.",
        },
        format="json",
    )

    assert response.status_code == 201
    body = response.json()
    assert body["tool"]["code"] == "my-star"
    assert body["person"]["id"] == child_of(case).pk
    assert set(body["scores"].values()) == {4}
    assert body["note"] == "Drawn together."


def test_errors_name_each_field_as_sent(world, case, api_for):
    client = api_for(world.lead)
    scores = star_scores()
    del scores["physical-health"]
    scores["well-being"] = 11

    missing = client.post(url(case), {}, format="json")
    unknown_tool = client.post(url(case), {"tool": "nope", "taken_on": "2026-01-01", "scores": scores}, format="json")
    out_of_scale = client.post(
        url(case), {"tool": "family-star-plus", "taken_on": str(days_ago(-3)), "scores": scores}, format="json"
    )
    unknown_area = client.post(
        url(case), {"tool": "family-star-plus", "taken_on": str(days_ago(1)), "scores": {"nope": 1}}, format="json"
    )
    child_tool = client.post(
        url(case), {"tool": "my-star", "taken_on": str(days_ago(1)), "scores": {"friends": 2}}, format="json"
    )

    assert missing.status_code == 400
    assert set(missing.json()) == {"tool", "taken_on", "scores"}
    assert missing.json()["taken_on"] == ["Enter the date the reading was taken"]
    assert unknown_tool.json()["tool"][0].startswith("There is no outcome tool with the code “nope”")
    assert out_of_scale.json() == {
        "taken_on": ["The date the reading was taken must be today or in the past"],
        "scores.physical-health": ["Enter a score for Physical health"],
        "scores.well-being": ["The score for Your well-being must be from 1 to 10"],
    }
    assert unknown_area.json()["scores"][0].startswith("Family Star Plus has no area “nope”: use physical-health")
    assert child_tool.json()["person"] == ["Choose the child or young person the My Star reading is about"]
    assert "scores.physical-health" in child_tool.json()
    assert not Reading.objects.exists()


def test_a_case_that_is_not_active_is_refused_with_the_reason(world, case, api_for):
    case_services.case_request_closure(actor=world.team_manager, case=case, reason=world.outcomes_met, summary="Done.")

    response = api_for(world.team_manager).post(
        url(case), {"tool": "family-star-plus", "taken_on": str(days_ago(1)), "scores": star_scores()}, format="json"
    )

    assert response.status_code == 400
    assert list(response.json().values()) == [["You can record a reading only while the case is active"]]
