"""The referrer letter's PDF, on the page and through the API, is never stored by the browser."""

from django.urls import reverse
from rest_framework.authtoken.models import Token

from front_door import services
from front_door.letters import letter_create_and_send
from front_door.models import DecisionOutcome


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def _letter(world, submit_referral, destinations):
    decision = services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=submit_referral(),
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="Several needs: a lead professional will help.",
        destination=destinations["targeted-family-support"],
    )
    return letter_create_and_send(decision_id=decision.pk)


def test_the_letter_download_is_not_stored(world, submit_referral, destinations, client_for):
    letter = _letter(world, submit_referral, destinations)

    response = client_for(world.school_practitioner).get(
        reverse("front_door:letter-download", args=[letter.referral_id, letter.pk])
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in _directives(response)


def test_the_letter_through_the_api_is_not_stored(world, submit_referral, destinations, client):
    letter = _letter(world, submit_referral, destinations)
    token = Token.objects.create(user=world.school_practitioner)

    response = client.get(
        f"/api/v1/referrals/{letter.referral_id}/letters/{letter.pk}/",
        headers={"Authorization": f"Token {token.key}", "Accept": "application/pdf"},
    )

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "no-store" in _directives(response)
