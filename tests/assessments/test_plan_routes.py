"""Every family plan route, as every kind of user, with a real plan behind the ids: the answer each
user gets is the one the route's declaration gives (tests/test_access_declared.py's matrix, run on
these routes with a plan, an outcome, an action and a version). The case's team has the school's
practitioner (who owns the action, without the family's consent to share with the school)."""

import pytest
from django.utils import timezone

from assessments import plans
from cases.permissions import MANAGE_CASE, user_has_case_perm
from cases.roles import Role
from tests.assessments.test_plan_support import need, submitted_assessment
from tests.conftest import open_case
from tests.factories import UserFactory
from tests.test_access_declared import ALLOWED, MATRIX_USERS, ROUTES, answer, expected

PLAN_ROUTE_NAMES = ("assessments:plan", "assessments:your-actions", "api-case-plan", "api-plan-", "api-own-plan-")
PLAN_ROUTES = [route for route in ROUTES if route.name.startswith(PLAN_ROUTE_NAMES)]


def _progress(world, user, case):
    # Recording progress on an action: its owner, or those who manage the case.
    owner = user == world.school_practitioner
    return None if owner or user_has_case_perm(user, case, MANAGE_CASE) else 403


FINER = {"api-plan-action-progress": _progress}


@pytest.fixture
def records(world):
    world.contact_officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    submitted_assessment(case)
    plan = plans.plan_create(actor=world.lead, case=case)
    outcome = plans.plan_outcome_add(actor=world.lead, plan=plan, text="Sam goes to school", needs=[need(case)])
    action = plans.plan_action_add(
        actor=world.lead,
        plan=plan,
        what="Gate check-in",
        owner_user=world.school_practitioner,
        due_on=timezone.localdate(),
        measure="Attendance",
        outcome=outcome,
    )
    version = plans.plan_version_make(plan=plan, actor=world.lead, reason="Agreed with the family")
    ids = {"case_id": case.pk, "plan_action_id": action.pk, "outcome_id": outcome.pk, "version_id": version.pk}
    return world, ids, case


def test_there_are_plan_routes():
    names = {route.name for route in PLAN_ROUTES}
    assert {"assessments:plan", "assessments:plan-action", "api-case-plan", "api-plan-action-progress"} <= names


@pytest.mark.parametrize("route", PLAN_ROUTES, ids=lambda route: route.name)
def test_every_user_gets_the_answer_the_declaration_gives(records, client_for, route):
    world, ids, case = records
    url = route.url({name: str(value) for name, value in ids.items()})
    mismatches = []
    for name in MATRIX_USERS:
        user = getattr(world, name)
        client = client_for(user)
        for method in route.methods():
            want = expected(route, method, user, ids, world, case)
            if want == ALLOWED and route.name in FINER:
                want = FINER[route.name](world, user, case) or ALLOWED
            got = answer(client, route, method, url)
            ok = got not in (401, 403, 404) if want == ALLOWED else got == want
            if not ok:
                mismatches.append(f"{name} {method} {url}: declared {want}, got {got}")

    assert mismatches == []
