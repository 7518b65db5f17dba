"""The API's cases: the family's name is a column the selector masks, and the serializer declares it
nullable; the list is paged, newest first."""

from django.utils import timezone

from cases import services
from cases.models import Consent
from tests.conftest import open_case


def _families(client) -> dict[str, str | None]:
    return {row["reference"]: row["family"] for row in client.get("/api/v1/cases/").json()["results"]}


def test_a_partner_sees_the_family_only_once_the_family_agreed_to_share_with_their_agency(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "School")])
    client = client_for(world.school_practitioner)

    before = _families(client)
    parent = case.family.memberships.filter(parental_responsibility=True).first().person
    services.consent_record(
        actor=world.lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        agency=world.school,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        case=case,
    )
    after = _families(client)

    assert before == {case.reference: None}
    assert after == {case.reference: case.family.name}


def test_the_detail_hides_the_people_where_the_family_did_not_agree(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "School")])

    partner = client_for(world.school_practitioner).get(f"/api/v1/cases/{case.pk}/").json()
    lead = client_for(world.lead).get(f"/api/v1/cases/{case.pk}/").json()

    assert (partner["family"], partner["details_visible"], partner["people"]) == (None, False, [])
    assert lead["family"] == case.family.name and lead["details_visible"] is True
    assert {p["id"] for p in lead["people"]} == set(case.family.memberships.values_list("person_id", flat=True))
    assert [m["name"] for m in partner["members"]][:1] == [world.lead.get_full_name()]


def test_the_list_is_paged_and_counted(world, client_for):
    for _ in range(3):
        open_case(world)

    page = client_for(world.lead).get("/api/v1/cases/").json()

    assert page["count"] == 3 and len(page["results"]) == 3
    assert [row["id"] for row in page["results"]] == sorted((row["id"] for row in page["results"]), reverse=True)
    assert page["results"][0]["family"] is not None
