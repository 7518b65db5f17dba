"""Every step up, step down and family group conference route, as every kind of user, with real
records behind the ids: the answer each user gets is the one the route's declaration gives
(tests/test_access_declared.py's matrix, run on these routes with a conference on the case and a
step down recorded by the contact officer)."""

import datetime

import pytest
from django.utils import timezone

from assessments import fgc
from cases.roles import Role
from front_door.services import PersonData
from front_door.step_down import StepDownData, referral_from_step_down
from tests.conftest import open_case
from tests.factories import UserFactory
from tests.test_access_declared import ALLOWED, MATRIX_USERS, ROUTES, answer, expected

NAMES = (
    *("assessments:step-up", "assessments:fgc-", "api-case-handovers", "api-case-step-up", "api-case-fgc-"),
    *("front_door:step-down", "api-step-down-"),
)
STEP_ROUTES = [route for route in ROUTES if route.name.startswith(NAMES)]


@pytest.fixture
def records(world):
    world.contact_officer = UserFactory(username="contact", agency=world.council, roles=[Role.CONTACT_OFFICER])
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    conference = fgc.fgc_offer(actor=world.lead, case=case, offered_on=timezone.localdate())
    step_down = referral_from_step_down(
        actor=world.contact_officer,
        data=StepDownData(
            summary="Child in need plan closed.",
            reason="Needs met at level 3.",
            social_worker="Priya Sandhu",
            social_care_team="Referral and Assessment Team",
            address_line_1="4 Orchard Row",
            postcode="EX1 2AB",
            level_of_need=world.level3,
            family_agreed=True,
            people=[
                PersonData(
                    kind="child", first_name="Tobias", last_name="Fenwick", date_of_birth=datetime.date(2015, 4, 2)
                )
            ],
        ),
    )
    ids = {"case_id": case.pk, "fgc_id": conference.pk, "referral_id": step_down.pk}
    return world, ids, case


def test_there_are_step_routes():
    names = {route.name for route in STEP_ROUTES}
    assert {
        *("assessments:step-up", "assessments:step-up-status", "assessments:fgc-list", "assessments:fgc-held"),
        *("api-case-step-up", "api-case-fgc-answer", "front_door:step-down", "api-step-down-detail"),
    } <= names


@pytest.mark.parametrize("route", STEP_ROUTES, ids=lambda route: route.name)
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
