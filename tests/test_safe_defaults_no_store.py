"""Shared office computers: a browser must keep nothing of a signed-in page or an API answer after
sign-out, so those responses say `Cache-Control: no-store`. Public pages keep their own caching."""

from django.test import Client
from rest_framework.authtoken.models import Token


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def test_a_signed_in_page_is_not_stored(world, client_for):
    response = client_for(world.lead).get("/")

    assert response.status_code == 200
    assert "no-store" in _directives(response)


def test_a_public_page_is_not_stored_for_a_signed_in_user(world, client_for):
    response = client_for(world.lead).get("/privacy/")

    assert response.status_code == 200
    assert "no-store" in _directives(response)


def test_a_public_page_keeps_its_own_caching(client, db):
    response = client.get("/privacy/")

    assert response.status_code == 200
    assert "no-store" not in _directives(response)


def test_an_api_answer_to_a_session_is_not_stored(world, client_for):
    response = client_for(world.lead).get("/api/v1/cases/")

    assert response.status_code == 200
    assert "no-store" in _directives(response)


def test_an_api_answer_to_a_token_is_not_stored(world):
    token = Token.objects.create(user=world.lead)

    response = Client().get("/api/v1/cases/", headers={"Authorization": f"Token {token.key}"})

    assert response.status_code == 200
    assert "no-store" in _directives(response)


def test_an_api_refusal_is_not_stored(db):
    response = Client().get("/api/v1/cases/")

    assert response.status_code == 401
    assert "no-store" in _directives(response)
