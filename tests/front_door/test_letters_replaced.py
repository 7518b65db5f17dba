"""A letter replaced before it was sent never reached the referrer: it is not theirs to download,
nor listed on My referrals or in the API; the duty manager's triage page says what became of each
letter."""

from __future__ import annotations

from django.urls import reverse
from rest_framework.authtoken.models import Token

from front_door.letters import letter_create_and_send
from front_door.models import LetterStatus
from tests.front_door.letters_helpers import amend, decide, public_referral


def _replaced_and_latest(world, submit_referral):
    first = decide(world, submit_referral())
    replaced = letter_create_and_send(decision_id=first.pk)
    latest = letter_create_and_send(decision_id=amend(world, first).pk)
    replaced.refresh_from_db()
    assert replaced.status == LetterStatus.REPLACED
    return replaced, latest


def test_the_referrer_cannot_download_a_letter_that_was_never_sent(world, submit_referral, client_for):
    replaced, latest = _replaced_and_latest(world, submit_referral)
    client = client_for(world.school_practitioner)

    never_sent = client.get(reverse("front_door:letter-download", args=[replaced.referral_id, replaced.pk]))
    sent = client.get(reverse("front_door:letter-download", args=[latest.referral_id, latest.pk]))
    mine = client.get("/referrals/mine/").content.decode()

    assert never_sent.status_code == 404
    assert sent.status_code == 200
    assert reverse("front_door:letter-download", args=[replaced.referral_id, replaced.pk]) not in mine
    assert reverse("front_door:letter-download", args=[latest.referral_id, latest.pk]) in mine


def test_the_api_lists_only_letters_that_went(world, submit_referral, client):
    replaced, latest = _replaced_and_latest(world, submit_referral)
    token = Token.objects.create(user=world.school_practitioner)

    response = client.get(f"/api/v1/referrals/{latest.referral_id}/", headers={"Authorization": f"Token {token.key}"})

    assert [letter["id"] for letter in response.json()["letters"]] == [latest.pk]


def test_the_triage_page_says_what_became_of_each_letter(world, client_for):
    referral = public_referral()
    first = decide(world, referral)
    letter_create_and_send(decision_id=first.pk)
    latest = letter_create_and_send(decision_id=amend(world, first).pk)

    html = client_for(world.duty_manager).get(reverse("front_door:triage", args=[referral.pk])).content.decode()

    assert "(PDF)</a>: replaced before it was sent" in html
    assert "(PDF)</a>: to post or phone" in html
    assert f'href="{reverse("front_door:letter-to-post", args=[referral.pk, latest.pk])}"' in html
