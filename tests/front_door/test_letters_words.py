"""What each referrer's letter says, read from the PDF as the person who gets it reads it: a member
of the public is told only what they need (received; whether the family will be offered support and
by whom, or where else to turn), never the level of need nor that partner agencies were asked; a
practitioner gets the decision in full. Every letter gives the front door's phone and email, and is
a tagged PDF (PDF/UA) with its language and title."""

from __future__ import annotations

import io

import pytest
from django.test import override_settings
from django.utils import timezone
from pypdf import PdfReader

from cases.models import Notification
from cases.notifications import notifications_send_pending
from cases.roles import Role
from front_door import services
from front_door.letters import letter_create_and_send, letter_html, letters_record_emailed
from front_door.models import Channel, DecisionOutcome, ReferrerRelationship
from tests.factories import UserFactory
from tests.front_door.letters_helpers import CHILD, amend, decide, pdf_text, public_referral

# What a member of the public must never read in their letter.
NOT_FOR_THE_PUBLIC = ["Level", "level", "Complex needs", "agenc", "partner", "MASH", "Several needs"]


def assert_nothing_the_public_should_not_read(text: str) -> None:
    assert [word for word in NOT_FOR_THE_PUBLIC if word in text] == []


def test_a_relative_is_told_the_family_will_be_offered_support_and_by_whom(world):
    referral = public_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    text = pdf_text(letter.pdf)

    assert "Dear Pat Jones," in text
    assert f"Your request for help, reference {referral.reference}" in text
    assert "We have received your request" in text
    assert "The family will be offered support." in text
    assert "Support offered by Targeted family support" in text
    assert "Someone from the service will contact the family" in text
    assert_nothing_the_public_should_not_read(text)


def test_a_member_of_the_public_is_never_told_that_partner_agencies_were_asked(world):
    referral = public_referral(referrer_relationship=ReferrerRelationship.PUBLIC)
    letter = letter_create_and_send(decision_id=decide(world, referral, DecisionOutcome.MORE_INFORMATION, None).pk)

    text = pdf_text(letter.pdf)

    assert "We have not yet decided how best to help the family." in text
    assert "We will write to you again when we have decided." in text
    assert_nothing_the_public_should_not_read(text)


def test_the_panel_is_given_to_the_public_without_its_level_of_need(world):
    referral = public_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral, destination="early-help-panel").pk)

    text = pdf_text(letter.pdf)

    assert "Support offered by Our early help service" in text
    assert "Panel" not in text
    assert_nothing_the_public_should_not_read(text)


@pytest.mark.parametrize("destination", ["universal-advice", "specialist-service"])
def test_no_support_from_us_tells_the_public_where_else_to_turn(world, destination):
    referral = public_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral, destination=destination).pk)

    text = pdf_text(letter.pdf)

    assert "Our early help service will not be working with the family." in text
    assert "If you are still worried" in text
    assert "the child's school, nursery, GP or health visitor" in text
    assert "Support offered by" not in text
    assert_nothing_the_public_should_not_read(text)


def test_a_step_up_tells_the_public_who_will_contact_the_family(world):
    referral = public_referral(referrer_relationship=ReferrerRelationship.PARENT)
    letter = letter_create_and_send(decision_id=decide(world, referral, DecisionOutcome.STEP_UP, None).pk)

    text = pdf_text(letter.pdf)

    assert "Support offered by Children's social care" in text
    assert "A social worker will contact the family." in text
    assert "threshold" not in text
    assert_nothing_the_public_should_not_read(text)


def _phone_contact(world, relationship: str):
    officer = UserFactory(username=f"contact-{relationship}", agency=world.council, roles=[Role.CONTACT_OFFICER])
    return services.referral_receive(
        channel=Channel.PHONE,
        actor=officer,
        people=[CHILD],
        referrer_relationship=relationship,
        referrer_name="Sam Caller",
        referrer_phone="07700 900 123",
        concerns="Amara is often alone at home.",
        consent_given=True,
        postcode="EX1 1AB",
    )


def test_a_parent_who_phoned_gets_the_public_letter(world):
    referral = _phone_contact(world, ReferrerRelationship.PARENT)
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    text = pdf_text(letter.pdf)

    assert "Your request for help" in text
    assert_nothing_the_public_should_not_read(text)


def test_a_practitioner_who_phoned_gets_the_full_letter(world):
    referral = _phone_contact(world, ReferrerRelationship.PRACTITIONER)
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    text = pdf_text(letter.pdf)

    assert f"Referral {referral.reference}: our decision" in text
    assert "Level of need Level 3: Complex needs" in text


def test_a_practitioner_is_told_that_partner_agencies_were_asked(world, submit_referral):
    referral = submit_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral, DecisionOutcome.MORE_INFORMATION, None).pk)

    text = pdf_text(letter.pdf)

    assert "We have asked other agencies that know the family what they know" in text
    assert "Level 3: Complex needs" in text
    assert "received on" in text and ("am." in text or "pm." in text)  # "9:35pm", not "9:35p.m."
    assert "p.m" not in text and "a.m" not in text


@override_settings(FRONT_DOOR_PHONE="01632 960 999", FRONT_DOOR_EMAIL="children@exampleshire.example.gov.uk")
@pytest.mark.parametrize("public", [True, False])
def test_every_letter_gives_the_front_doors_phone_and_email(world, submit_referral, public):
    referral = public_referral() if public else submit_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    text = pdf_text(letter.pdf)

    assert "Contact the front door for children and families on 01632 960 999" in text
    assert "children@exampleshire.example.gov.uk" in text
    assert f"give the reference {referral.reference}" in text


def test_the_referrers_address_is_printed_when_known(world):
    referral = public_referral(referrer_address_line_1="3 Oak Road", referrer_town="Exton", referrer_postcode="EX2 2AB")
    decision = decide(world, referral)

    html = letter_html(decision)
    text = pdf_text(letter_create_and_send(decision_id=decision.pk).pdf)

    assert '<address class="address">Pat Jones<br>3 Oak Road<br>Exton<br>EX2 2AB<br></address>' in html
    assert "Pat Jones 3 Oak Road Exton EX2 2AB" in text


@pytest.mark.parametrize("public", [True, False])
def test_the_letter_is_a_tagged_pdf_with_its_language_and_title(world, submit_referral, public):
    referral = public_referral() if public else submit_referral()
    letter = letter_create_and_send(decision_id=decide(world, referral).pk)

    reader = PdfReader(io.BytesIO(bytes(letter.pdf)))
    catalog = reader.trailer["/Root"]

    assert "/StructTreeRoot" in catalog
    assert catalog["/MarkInfo"]["/Marked"].value is True
    assert catalog["/Lang"] == "en-GB"
    assert catalog["/ViewerPreferences"]["/DisplayDocTitle"].value is True
    title = reader.metadata["/Title"]
    assert referral.reference in title
    assert title == (
        f"Your request for help, reference {referral.reference}"
        if public
        else f"Referral {referral.reference}: our decision"
    )


def _emailed(letter) -> None:
    """As if the grace period had passed and the outbox had sent the letter."""
    Notification.objects.filter(pk=letter.notification_id).update(send_after=timezone.now())
    notifications_send_pending()
    letters_record_emailed()


@pytest.mark.parametrize("public", [True, False])
def test_the_longest_letter_a_correction_with_an_address_fits_on_one_page(world, submit_referral, public):
    address = {
        "referrer_address_line_1": "Flat 2, Oak House",
        "referrer_address_line_2": "3 Oak Road",
        "referrer_town": "Exton",
        "referrer_postcode": "EX2 2AB",
    }
    referral = public_referral(email="pat@example.com", **address) if public else submit_referral(**address)
    first = decide(world, referral)
    _emailed(letter_create_and_send(decision_id=first.pk))

    correction = letter_create_and_send(decision_id=amend(world, first, destination="specialist-service").pk)

    reader = PdfReader(io.BytesIO(bytes(correction.pdf)))
    assert correction.corrects is not None
    assert len(reader.pages) == 1
    assert "Yours sincerely" in pdf_text(correction.pdf)
