"""The API's list of cases: written out by hand for speed, the same as DRF's fields would give."""

from rest_framework import serializers

from cases import selectors
from cases.api.serializers import CaseDetailSerializer, CaseListSerializer
from tests.conftest import open_case


def _drf(serializer, case) -> dict:
    data = serializers.ModelSerializer.to_representation(serializer, case)
    if not getattr(case, "details_visible", False):
        data["family"] = None
    return data


def test_the_list_serializer_writes_what_drf_would(world, client_for):
    open_case(world, members=[(world.school_practitioner, "School")])
    open_case(world, status="awaiting_allocation", locality=world.south)
    open_case(world, status="closed")
    for user in (world.duty_manager, world.school_practitioner, world.lead):
        serializer = CaseListSerializer()
        for case in selectors.case_list_for_user(user=user):
            assert serializer.to_representation(case) == _drf(serializer, case)


def test_the_detail_serializer_adds_its_own_fields(world):
    case = open_case(world)
    found = selectors.case_get_for_user(user=world.lead, case_id=case.pk, log=False)
    serializer = CaseDetailSerializer(context={"members": selectors.case_members(case=found), "people": []})

    data = serializer.to_representation(found)

    assert data == _drf(serializer, found)
    assert data["details_visible"] is True and data["members"][0]["name"] == world.lead.get_full_name()


def test_the_list_is_paged_and_counted(world, client_for):
    for _ in range(3):
        open_case(world)

    page = client_for(world.lead).get("/api/v1/cases/").json()

    assert page["count"] == 3 and len(page["results"]) == 3
    assert [row["id"] for row in page["results"]] == sorted((row["id"] for row in page["results"]), reverse=True)
    assert page["results"][0]["family"] is not None
