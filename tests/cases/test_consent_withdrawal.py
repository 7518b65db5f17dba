"""Withdrawing (or refusing) consent to share with an agency: that agency's TAF members lose sight of
the family's details on their next request (the case page, a person's page, the API's case detail
and the family network), the chronology says so, and the lead professional is told once, by a link."""

from __future__ import annotations

import pytest
from django.utils import timezone

from cases import services
from cases.models import ChronologyEntry, Consent, FamilyMembership, Notification, Person
from tests.conftest import open_case
from tests.factories import PersonFactory

SURNAME = "Featherstonehaugh"


@pytest.fixture
def case(world):
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    Person.objects.filter(memberships__family=case.family).update(last_name=SURNAME)
    return case


def _parent(case) -> Person:
    return Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)


def _child(case) -> Person:
    return Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)


def _sharing(world, case, status, *, actor=None, person=None) -> Consent:
    given = status == Consent.Status.GIVEN
    return services.consent_record(
        actor=actor or world.lead,
        family=case.family,
        person=person or _parent(case),
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=status,
        evidence=Consent.Evidence.VERBAL if given else "",
        method=Consent.Method.IN_PERSON if given else "",
        witness="Sam Patel" if given else "",
        decided_on=timezone.localdate(),
        case=case,
    )


def _sees(client, case) -> dict[str, bool]:
    page = client.get(f"/cases/{case.pk}/")
    person = client.get(f"/cases/people/{_child(case).pk}/")
    api = client.get(f"/api/v1/cases/{case.pk}/").json()
    return {
        "case page": page.status_code == 200 and SURNAME in page.content.decode(),
        "person page": person.status_code == 200,
        "api": api["details_visible"] and any(p["last_name"] == SURNAME for p in api["people"]),
        "network": client.get(f"/cases/{case.pk}/network/").status_code == 200,
    }


ALL = {"case page": True, "person page": True, "api": True, "network": True}
NONE = {"case page": False, "person page": False, "api": False, "network": False}


@pytest.mark.parametrize("stop", [Consent.Status.WITHDRAWN, Consent.Status.REFUSED])
def test_the_agency_loses_sight_on_its_next_request(world, client_for, case, stop):
    school = client_for(world.school_practitioner)
    _sharing(world, case, Consent.Status.GIVEN)
    assert _sees(school, case) == ALL

    _sharing(world, case, stop)

    assert _sees(school, case) == NONE
    # The case itself stays theirs: the page answers, without the family.
    assert school.get(f"/cases/{case.pk}/").status_code == 200
    # The lead professional still sees everything.
    assert _sees(client_for(world.lead), case) == ALL


def test_the_lead_professional_is_told_once_by_a_link(world, case):
    _sharing(world, case, Consent.Status.GIVEN)
    # The team manager records the withdrawal (the lead professional is told of it).
    consent = _sharing(world, case, Consent.Status.WITHDRAWN, actor=world.team_manager)
    # Recorded again (the same decision written twice): no second message.
    _sharing(world, case, Consent.Status.WITHDRAWN, actor=world.team_manager)

    messages = Notification.objects.filter(recipient=world.lead, dedupe_key__startswith="consent-sharing-stopped:")
    assert messages.count() == 1
    message = messages.get()
    assert message.dedupe_key == f"consent-sharing-stopped:{consent.pk}:{world.lead.pk}"
    assert f"/cases/{case.pk}/" in message.body
    assert case.reference in message.subject
    # A link only: no name of the family, the person or the agency.
    for detail in (SURNAME, _parent(case).first_name, world.school.name):
        assert detail not in message.body and detail not in message.subject


def test_a_second_person_withdrawing_is_told_again(world, case):
    parent = _parent(case)
    carer = PersonFactory(kind=Person.Kind.ADULT, last_name=SURNAME)
    FamilyMembership.objects.create(family=case.family, person=carer, parental_responsibility=True)
    _sharing(world, case, Consent.Status.GIVEN, person=parent)
    _sharing(world, case, Consent.Status.GIVEN, person=carer)
    _sharing(world, case, Consent.Status.WITHDRAWN, actor=world.team_manager, person=parent)
    _sharing(world, case, Consent.Status.WITHDRAWN, actor=world.team_manager, person=carer)
    assert (
        Notification.objects.filter(recipient=world.lead).filter(dedupe_key__startswith="consent-sharing").count() == 2
    )


def test_not_told_of_what_they_recorded_themselves_but_the_chronology_says_so(world, case):
    _sharing(world, case, Consent.Status.GIVEN)
    _sharing(world, case, Consent.Status.WITHDRAWN)

    assert not Notification.objects.filter(dedupe_key__startswith="consent-sharing-stopped:").exists()
    entry = ChronologyEntry.objects.get(case=case, event="consent_sharing_stopped")
    assert entry.summary == (
        f"Information no longer shared with {world.school.name}: its practitioners no longer see the family's details"
    )


def test_giving_consent_again_restores_sight(world, client_for, case):
    school = client_for(world.school_practitioner)
    _sharing(world, case, Consent.Status.GIVEN)
    _sharing(world, case, Consent.Status.WITHDRAWN)
    assert _sees(school, case) == NONE
    _sharing(world, case, Consent.Status.GIVEN)
    assert _sees(school, case) == ALL
