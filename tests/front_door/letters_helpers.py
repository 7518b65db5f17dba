"""Helpers shared by the letter tests: referrals from the public and from practitioners, decisions
through the service, and the text of a PDF as its reader sees it."""

from __future__ import annotations

import datetime
import io

from pypdf import PdfReader

from cases.models import Destination, LevelOfNeed
from front_door import services
from front_door.models import Channel, DecisionOutcome, ReferrerRelationship
from front_door.services import PersonData

CHILD = PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17))


def pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(bytes(pdf)))
    return " ".join(" ".join(page.extract_text() for page in reader.pages).split())


def public_referral(*, email: str = "", phone: str = "07700 900 982", **fields):
    """A relative's request through the public form (no account)."""
    values = {
        "referrer_relationship": ReferrerRelationship.RELATIVE,
        "referrer_name": "Pat Jones",
        "referrer_email": email,
        "referrer_phone": phone,
        "address_line_1": "12 Mill Lane",
        "town": "Exton",
        "postcode": "EX1 1AB",
        "concerns": "Amara is often alone at home late at night.",
        "consent_given": True,
    }
    values.update(fields)
    return services.referral_receive(channel=Channel.PUBLIC, actor=None, people=[CHILD], **values)


def decide(world, referral, outcome=DecisionOutcome.EARLY_HELP, destination: str | None = "targeted-family-support"):
    kwargs = {}
    if outcome == DecisionOutcome.MORE_INFORMATION:
        kwargs = {"information_requests": [(world.health, "Do you know the family?")]}
    return services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=outcome,
        level_of_need=LevelOfNeed.objects.get(code="level-3"),
        reason="Several needs: a lead professional will help.",
        destination=Destination.objects.get(code=destination) if destination else None,
        **kwargs,
    )


def amend(world, decision, destination: str = "universal-advice", outcome=DecisionOutcome.EARLY_HELP):
    return services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=outcome,
        level_of_need=LevelOfNeed.objects.get(code="level-3"),
        reason="Changed after a call with the school.",
        destination=Destination.objects.get(code=destination) if destination else None,
    )
