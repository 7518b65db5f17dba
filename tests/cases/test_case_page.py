"""The case page asks the database a fixed, small number of questions however busy the case is."""

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.permissions import CASE_PERMS, case_get_for_user, user_has_case_perm
from tests.conftest import VIEWERS, open_case


def perms_on_the_page(user, case) -> frozenset[str]:
    """What the case page knows the user may do: nothing when it is not theirs to see (404)."""
    try:
        return case_get_for_user(user=user, case_id=case.pk, log=False).perms
    except Http404:
        return frozenset()


@pytest.mark.parametrize("viewer", VIEWERS)
def test_all_permissions_at_once_agree_with_asking_one_by_one(world, viewer):
    case = open_case(world, members=[(world.school_practitioner, "School")])
    user = getattr(world, viewer)

    assert perms_on_the_page(user, case) == {p for p in CASE_PERMS if user_has_case_perm(user, case, p)}


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    control = ("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")
    return len([q for q in captured.captured_queries if not q["sql"].startswith(control)])


def _readings(world, case) -> None:
    from assessments.models import OutcomeTool
    from assessments.services import reading_record

    child = case.family.people.filter(kind="child").first()
    for code, person in (("family-star-plus", None), ("my-star", child), ("family-star-plus", None)):
        tool = OutcomeTool.objects.get(code=code)
        reading_record(
            actor=world.lead,
            case=case,
            tool=tool,
            person=person,
            taken_on=case.opened_at.date(),
            scores={area.pk: tool.scale_min + 1 for area in tool.areas.all()},
        )


def test_the_case_page_takes_the_same_few_queries_for_a_quiet_or_a_busy_case(world, client_for):
    quiet = open_case(world)
    busy = open_case(world, members=[(world.school_practitioner, "School"), (world.health_practitioner, "Health")])
    for n in range(40):
        services.chronology_note_add(actor=world.lead, case=busy, summary=f"Visit {n}", body="Went well.")
    # Outcome tool readings of two tools, one about a child (the assessments app's section).
    _readings(world, busy)
    client = client_for(world.lead)
    client.get(f"/cases/{quiet.pk}/")  # the process's first page looks up the permissions' ids once

    quiet_count = count_queries(client, f"/cases/{quiet.pk}/")
    busy_count = count_queries(client, f"/cases/{busy.pk}/")

    assert quiet_count == busy_count
    # Savepoints are how the test run shows transactions; they are not questions to the database.
    assert busy_count <= 12
