"""Every API endpoint answers bad bodies with 400, not 500, and anonymous callers with 401."""

from tests.conftest import open_case


def test_json_nested_too_deeply_is_a_400_on_the_cases_api(world, client_for):
    case = open_case(world)
    body = "[" * 100_000 + "]" * 100_000

    response = client_for(world.lead).post(
        f"/api/v1/cases/{case.pk}/chronology/", body, content_type="application/json"
    )

    assert response.status_code == 400


def test_an_anonymous_api_call_is_told_to_authenticate(client, db):
    response = client.get("/api/v1/cases/")

    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")
