"""A partner agency's view of a MASH enquiry identifies the children as the front door knows them:
the linked record's name, date of birth and identifiers, and the family's recorded address, with the
referrer's spelling and address shown "as referred" where they differ."""

from __future__ import annotations

import datetime

from django.urls import reverse

from cases.models import FamilyMembership
from front_door import services
from front_door.models import DecisionOutcome, InformationRequest
from front_door.services import PersonData
from tests.factories import FamilyFactory, PersonFactory


def test_the_partner_sees_the_linked_records_details_and_the_spelling_as_referred(world, submit_referral, client_for):
    family = FamilyFactory(name="Okafor family", address_line_1="3 Station Road", town="Exton", postcode="EX2 4CD")
    known = PersonFactory(
        first_name="Amarachi",
        last_name="Okafor",
        date_of_birth=datetime.date(2016, 5, 18),
        nhs_number="9434765870",
        upn="",
    )
    FamilyMembership.objects.create(family=family, person=known)
    referral = submit_referral(
        people=[
            PersonData(kind="child", first_name="Amara", last_name="Okafor", date_of_birth=datetime.date(2016, 5, 17))
        ],
        address_line_1="",
        town="",
        postcode="",
    )
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=known)
    services.referral_decide(
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Known to you?")],
    )
    enquiry = InformationRequest.objects.get(referral=referral)

    response = client_for(world.health_practitioner).get(reverse("front_door:information-request", args=[enquiry.pk]))

    content = response.content.decode()
    assert response.status_code == 200
    assert "Amarachi Okafor" in content
    assert "As referred: Amara Okafor" in content
    assert "Born 18 May 2016" in content
    assert "NHS number 9434765870" in content
    assert "3 Station Road, Exton, EX2 4CD" in content
    assert "Not recorded" not in content


def test_an_unlinked_child_is_shown_as_referred(world, submit_referral, client_for):
    referral = submit_referral()
    services.referral_decide(
        actor=world.duty_manager,
        referral=referral,
        outcome=DecisionOutcome.MORE_INFORMATION,
        level_of_need=world.level3,
        reason="Ask health.",
        information_requests=[(world.health, "Known to you?")],
        confirm_new_people=True,
    )
    enquiry = InformationRequest.objects.get(referral=referral)

    content = (
        client_for(world.health_practitioner)
        .get(reverse("front_door:information-request", args=[enquiry.pk]))
        .content.decode()
    )

    assert "Amara Okafor" in content
    assert "As referred" not in content
    assert "Born 17 May 2016" in content
    assert "12 Mill Lane, Exton, EX1 1AB" in content
    assert "Grace Okafor" not in content  # the adults are not the partner's to be told
