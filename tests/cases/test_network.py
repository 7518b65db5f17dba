"""The family network: people beyond the household with their relationship, parental responsibility,
contact details and safety flags. A confidential address is shown only to the case's lead
professional, its team manager and duty managers, in pages and the API alike (one rule,
`cases.network.address_visible`); "do not contact" is shown wherever the person appears. Only the
lead professional and their team manager change the network."""

from __future__ import annotations

import datetime
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases import network, services
from cases.models import ChronologyEntry, Consent, FamilyMembership, Gender, Person, Relationship
from cases.permissions import case_get_for_user
from tests.cases.test_case_page import count_queries
from tests.conftest import VIEWERS, open_case

SECRET_ADDRESS = "14 Quillbeck Close, Exton EX9 9ZZ"
GRANNY = "Wilhelmina"
EX = "Barnaby"


@pytest.fixture
def family(world):
    """An active case led by `world.lead`, the school (consent to share given) and health (none) in
    its team; a grandmother beyond the household with a confidential address, and a former partner
    not to be contacted."""
    case = open_case(
        world,
        members=[(world.school_practitioner, "Designated safeguarding lead"), (world.health_practitioner, "Nurse")],
    )
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.GIVEN,
        agency=world.school,
        evidence=Consent.Evidence.VERBAL,
        method=Consent.Method.IN_PERSON,
        witness="Sam Patel, family support worker",
        decided_on=timezone.localdate(),
        case=case,
    )
    lead_case = case_get_for_user(user=world.lead, case_id=case.pk, log=False)
    granny = network.network_person_add(
        actor=world.lead,
        case=lead_case,
        first_name=GRANNY,
        last_name="Thorne",
        gender=Gender.FEMALE,
        date_of_birth=datetime.date(1961, 4, 2),
        related_to=child,
        relationship=Relationship.Kind.GRANDPARENT,
        contact=network.ContactDetails(phone="01632 960 001", address=SECRET_ADDRESS, address_confidential=True),
    )
    ex = network.network_person_add(
        actor=world.lead,
        case=lead_case,
        first_name=EX,
        last_name="Crane",
        gender=Gender.MALE,
        related_to=parent,
        relationship=Relationship.Kind.FORMER_PARTNER,
        parental_responsibility=True,
        contact=network.ContactDetails(do_not_contact=True),
    )
    return SimpleNamespace(case=case, parent=parent, child=child, granny=granny, ex=ex)


# Who sees the confidential address (True), who sees "Address confidential" (False), and who does
# not see the family at all (None).
SEES_ADDRESS = {
    "lead": True,
    "team_manager": True,
    "manager_coordinator": True,
    "duty_manager": True,
    "duty_lead": True,
    "panel_coordinator": False,
    "county_coordinator": False,
    "school_practitioner": False,
    "health_practitioner": None,
    "other_lead": None,
    "other_manager": None,
    "analyst": None,
    "administrator": None,
    "superuser": None,
}


def test_every_viewer_is_in_the_matrix():
    assert set(SEES_ADDRESS) == set(VIEWERS)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_confidential_address_by_role_in_page_and_api(world, client_for, family, viewer):
    client = client_for(getattr(world, viewer))
    page = client.get(f"/cases/{family.case.pk}/network/")
    api = client.get(f"/api/v1/cases/{family.case.pk}/network/")
    one = client.get(f"/api/v1/cases/{family.case.pk}/network/{family.granny.pk}/")
    sees = SEES_ADDRESS[viewer]

    if sees is None:
        assert (page.status_code, api.status_code, one.status_code) == (404, 404, 404)
        return
    assert (page.status_code, api.status_code, one.status_code) == (200, 200, 200)
    html = page.content.decode()
    granny = next(p for p in api.json()["people"] if p["id"] == family.granny.pk)
    assert GRANNY in html
    if sees:
        assert SECRET_ADDRESS in html
        assert granny["address"] == SECRET_ADDRESS == one.json()["address"]
    else:
        assert SECRET_ADDRESS not in html and "Quillbeck" not in html
        assert "Address confidential" in html
        assert granny["address"] == "Address confidential" == one.json()["address"]
        assert "Quillbeck" not in api.content.decode()
    assert granny["address_confidential"] is True
    assert granny["in_household"] is False


def test_address_visible_is_the_one_rule(world, family):
    for viewer, sees in SEES_ADDRESS.items():
        user = getattr(world, viewer)
        if sees is None:
            continue
        case = case_get_for_user(user=user, case_id=family.case.pk, log=False)
        assert network.address_visible(user, case) is sees, viewer


def test_a_partner_agency_without_consent_loses_the_network_on_withdrawal(world, client_for, family):
    client = client_for(world.school_practitioner)
    assert client.get(f"/cases/{family.case.pk}/network/").status_code == 200
    services.consent_record(
        actor=world.lead,
        family=family.case.family,
        person=family.parent,
        scope=Consent.Scope.SHARING,
        status=Consent.Status.WITHDRAWN,
        agency=world.school,
        decided_on=timezone.localdate(),
        case=family.case,
    )
    assert client.get(f"/cases/{family.case.pk}/network/").status_code == 404
    assert client.get(f"/api/v1/cases/{family.case.pk}/network/").status_code == 404


def test_do_not_contact_is_shown_prominently(world, client_for, family):
    client = client_for(world.lead)
    network_page = client.get(f"/cases/{family.case.pk}/network/").content.decode()
    case_page = client.get(f"/cases/{family.case.pk}/").content.decode()
    api = client.get(f"/api/v1/cases/{family.case.pk}/network/").json()

    assert f"Do not contact {EX} Crane." in network_page
    assert "govuk-warning-text" in network_page
    # On the case page's list of family members too, with the family network's link.
    row = case_page.split(f"{EX} Crane")[1].split("</tr>")[0]
    assert "Do not contact" in row
    assert f"/cases/{family.case.pk}/network/" in case_page
    ex = next(p for p in api["people"] if p["id"] == family.ex.pk)
    assert ex["do_not_contact"] is True
    assert ex["parental_responsibility"] is True


def test_network_records_membership_and_relationship(world, family):
    membership = FamilyMembership.objects.get(family=family.case.family, person=family.granny)
    assert membership.in_household is False
    assert Relationship.objects.filter(
        person=family.child, related_person=family.granny, kind=Relationship.Kind.GRANDPARENT
    ).exists()
    summaries = set(ChronologyEntry.objects.filter(case=family.case).values_list("summary", flat=True))
    assert f"Family network: {GRANNY} Thorne added (grandparent of {family.child.full_name})" in summaries
    # The chronology never carries the confidential address.
    assert not any("Quillbeck" in summary for summary in summaries)


@pytest.mark.parametrize(
    "viewer, status",
    [
        ("lead", 200),
        ("team_manager", 200),
        ("manager_coordinator", 200),
        ("panel_coordinator", 404),
        ("school_practitioner", 404),
        ("duty_manager", 404),
        ("health_practitioner", 404),
    ],
)
def test_only_the_lead_professional_and_team_manager_change_the_network(world, client_for, family, viewer, status):
    client = client_for(getattr(world, viewer))
    for url in (
        f"/cases/{family.case.pk}/network/add/",
        f"/cases/{family.case.pk}/network/{family.granny.pk}/change/",
        f"/cases/{family.case.pk}/network/relationships/add/",
    ):
        assert client.get(url).status_code == status, url
    answer = client.post(
        f"/api/v1/cases/{family.case.pk}/network/relationships/",
        {"person": family.child.pk, "related_person": family.ex.pk, "relationship": "parent"},
        content_type="application/json",
    )
    assert answer.status_code == (201 if status == 200 else 404)


def test_services_refuse_others(world, family):
    case = case_get_for_user(user=world.school_practitioner, case_id=family.case.pk, log=False)
    with pytest.raises(PermissionDenied):
        network.relationship_add(
            actor=world.school_practitioner,
            case=case,
            person=family.child,
            related_person=family.ex,
            kind=Relationship.Kind.PARENT,
        )


def test_add_page_records_a_person_and_keeps_input_on_error(world, client_for, family):
    client = client_for(world.lead)
    url = f"/cases/{family.case.pk}/network/add/"
    data = {
        "first_name": "Ottilie",
        "last_name": "Marsh",
        "kind": "adult",
        "gender": "F",
        "related_to": str(family.child.pk),
        "relationship": "other_relative",
        "parental_responsibility": "no",
        "phone": "not a phone",
        "email": "aunt@example",
        "address": "",
        "address_confidential": "yes",
        "do_not_contact": "no",
    }
    response = client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address in the correct format, like name@example.com" in html
    assert 'value="Ottilie"' in html
    assert not Person.objects.filter(first_name="Ottilie").exists()

    data.update(phone="01632 960 002", email="aunt@example.com", address="2 Elm Row", address_confidential="no")
    response = client.post(url, data)
    assert response.status_code == 302
    aunt = Person.objects.get(first_name="Ottilie")
    assert FamilyMembership.objects.get(person=aunt).in_household is False
    assert aunt.phone == "01632 960 002"


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"first_name": ""}, "first_name", "Enter their first name"),
        ({"relationship": "cousin"}, "relationship", "Select how they are related"),
        (
            {"contact": network.ContactDetails(address_confidential=True)},
            "address",
            "Enter the address that is to be kept confidential",
        ),
        (
            {"contact": network.ContactDetails(email="x@")},
            "email",
            "Enter an email address in the correct format, like name@example.com",
        ),
        (
            {"kind": "child", "parental_responsibility": True},
            "parental_responsibility",
            "A child cannot have parental responsibility",
        ),
    ],
)
def test_network_person_add_validation(world, family, changes, field, message):
    case = case_get_for_user(user=world.lead, case_id=family.case.pk, log=False)
    kwargs = {
        "actor": world.lead,
        "case": case,
        "first_name": "Ivo",
        "last_name": "Marsh",
        "related_to": family.child,
        "relationship": Relationship.Kind.FAMILY_FRIEND,
        **changes,
    }
    with pytest.raises(ValidationError) as refused:
        network.network_person_add(**kwargs)
    assert refused.value.message_dict[field] == [message]


def test_change_page_updates_flags(world, client_for, family):
    client = client_for(world.team_manager)
    url = f"/cases/{family.case.pk}/network/{family.granny.pk}/change/"
    page = client.get(url).content.decode()
    assert SECRET_ADDRESS in page
    response = client.post(
        url,
        {
            "in_household": "no",
            "parental_responsibility": "no",
            "phone": "",
            "email": "",
            "address": SECRET_ADDRESS,
            "address_confidential": "no",
            "do_not_contact": "yes",
        },
    )
    assert response.status_code == 302
    family.granny.refresh_from_db()
    assert (family.granny.address_confidential, family.granny.do_not_contact) == (False, True)
    # Now the panel coordinator sees the address.
    assert (
        SECRET_ADDRESS in client_for(world.panel_coordinator).get(f"/cases/{family.case.pk}/network/").content.decode()
    )


def test_relationships_between_household_members_draw_the_genogram(world, client_for, family):
    client = client_for(world.lead)
    response = client.post(
        f"/cases/{family.case.pk}/network/relationships/add/",
        {"related_person": str(family.parent.pk), "kind": "parent", "person": str(family.child.pk)},
    )
    assert response.status_code == 302
    page = client.get(f"/cases/{family.case.pk}/network/").content.decode()
    assert 'role="img"' in page
    assert f"{family.parent.full_name} (adult" in page and "of " + family.child.full_name in page
    # The same relationship twice is refused.
    again = client.post(
        f"/cases/{family.case.pk}/network/relationships/add/",
        {"related_person": str(family.parent.pk), "kind": "parent", "person": str(family.child.pk)},
    )
    assert "This relationship is already recorded" in again.content.decode()
    link = Relationship.objects.get(person=family.child, related_person=family.parent)
    removed = client.post(f"/cases/{family.case.pk}/network/relationships/remove/", {"relationship": str(link.pk)})
    assert removed.status_code == 302
    assert not Relationship.objects.filter(pk=link.pk).exists()


def test_api_adds_and_changes_people_with_field_errors(world, client_for, family):
    client = client_for(world.lead)
    url = f"/api/v1/cases/{family.case.pk}/network/"
    bad = client.post(url, {"first_name": "", "last_name": "Marsh"}, content_type="application/json")
    assert bad.status_code == 400
    assert {"first_name", "related_to", "relationship"} <= set(bad.json())
    good = client.post(
        url,
        {
            "first_name": "Ivo",
            "last_name": "Marsh",
            "related_to": family.child.pk,
            "relationship": "family_friend",
            "address": "9 Birch Way",
            "address_confidential": True,
        },
        content_type="application/json",
    )
    assert good.status_code == 201
    assert good.json()["address"] == "9 Birch Way"
    ivo = good.json()["id"]
    # The panel coordinator reads it hidden.
    hidden = client_for(world.panel_coordinator).get(f"/api/v1/cases/{family.case.pk}/network/{ivo}/").json()
    assert hidden["address"] == "Address confidential"
    changed = client.patch(
        f"{url}{ivo}/", {"parental_responsibility": False, "do_not_contact": True}, content_type="application/json"
    )
    assert changed.status_code == 200
    assert changed.json()["do_not_contact"] is True
    stranger = client.patch(f"{url}{family.case.pk + 999999}/", {}, content_type="application/json")
    assert stranger.status_code == 404


def test_network_page_queries_do_not_grow(world, client_for, family, django_assert_max_num_queries):
    client = client_for(world.lead)
    url = f"/cases/{family.case.pk}/network/"
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    case = case_get_for_user(user=world.lead, case_id=family.case.pk, log=False)
    for n in range(6):
        network.network_person_add(
            actor=world.lead,
            case=case,
            first_name=f"Friend{n}",
            last_name="Marsh",
            related_to=family.child,
            relationship=Relationship.Kind.FAMILY_FRIEND,
        )
    with django_assert_max_num_queries(len(few)):
        client.get(url)


def test_case_page_query_count_is_kept(world, client_for, family):
    quiet = open_case(world)
    client = client_for(world.lead)
    client.get(f"/cases/{quiet.pk}/")  # the process's first page looks up the permissions' ids once

    quiet_count = count_queries(client, f"/cases/{quiet.pk}/")
    network_count = count_queries(client, f"/cases/{family.case.pk}/")

    assert network_count == quiet_count <= 12


def test_do_not_contact_on_the_persons_page(world, client_for, family):
    page = client_for(world.lead).get(f"/cases/people/{family.ex.pk}/").content.decode()
    assert f"Do not contact {EX} Crane." in page
    # The person's page shows no address of theirs at all.
    granny = client_for(world.school_practitioner).get(f"/cases/people/{family.granny.pk}/").content.decode()
    assert "Quillbeck" not in granny
