"""Every assessment route, as every kind of user, with a real assessment behind the ids: the answer
each user gets is the one the route's declaration gives (tests/test_access_declared.py's matrix, run
on these routes with a submitted assessment, a section, a need and version 1). The case's team has
the school's practitioner (without the family's consent to share with the school)."""

import pytest

from cases.roles import Role
from tests.assessments.test_assessment_services import submitted
from tests.conftest import open_case
from tests.factories import UserFactory
from tests.test_access_declared import ALLOWED, MATRIX_USERS, ROUTES, answer, expected

NAMES = ("assessments:assessment", "api-case-assessment")
ASSESSMENT_ROUTES = [route for route in ROUTES if route.name.startswith(NAMES)]


@pytest.fixture
def records(world):
    world.contact_officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    assessment = submitted(case)
    ids = {
        "case_id": case.pk,
        "version": assessment.version,
        "section_id": assessment.sections.order_by("id").first().pk,
        "need_id": assessment.need_links.get().need_id,
    }
    return world, ids, case


def test_there_are_assessment_routes():
    names = {route.name for route in ASSESSMENT_ROUTES}
    assert {"assessments:assessment", "assessments:assessment-pdf", "api-case-assessment-decide"} <= names


@pytest.mark.parametrize("route", ASSESSMENT_ROUTES, ids=lambda route: route.name)
def test_every_user_gets_the_answer_the_declaration_gives(records, client_for, route):
    world, ids, case = records
    url = route.url({name: str(value) for name, value in ids.items()})
    mismatches = []
    for name in MATRIX_USERS:
        user = getattr(world, name)
        client = client_for(user)
        for method in route.methods():
            want = expected(route, method, user, ids, world, case)
            got = answer(client, route, method, url)
            ok = got not in (401, 403, 404) if want == ALLOWED else got == want
            if not ok:
                mismatches.append(f"{name} {method} {url}: declared {want}, got {got}")

    assert mismatches == []
