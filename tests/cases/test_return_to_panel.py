"""A case sent back to the panel: stuck, refused to engage or disengaged. It waits for the panel
again with its team in place, is allocated again (perhaps to another agency) and given a lead, or
closed; the page and the API that send it back."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import dateformat, timezone
from guardian.shortcuts import get_perms

from cases import services
from cases.models import Case, CaseMember, CaseStatus, ChronologyEntry
from cases.permissions import MANAGE_CASE, user_has_case_perm
from cases.roles import Role
from tests.conftest import open_case as _open_case
from tests.factories import TeamFactory, UserFactory

S = CaseStatus
NOTE = "No contact since the last review; three visits missed."


def open_case(world, **kwargs):
    case = _open_case(world, **kwargs)
    case.refresh_from_db()
    return case


def returned_case(world, route="disengaged"):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    services.case_return_to_panel(actor=world.lead, case=case, route=route, note=NOTE)
    case.refresh_from_db()
    return case


def lead_member(case):
    return CaseMember.objects.get(case=case, is_lead=True, ended_at__isnull=True)


# --- The service ------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", ["stuck", "refused", "disengaged"])
def test_a_returned_case_waits_for_the_panel_with_its_team_in_place(world, route):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    before = timezone.now()

    moved = services.case_return_to_panel(actor=world.lead, case=case, route=route, note=f"  {NOTE}  ")

    case.refresh_from_db()
    assert moved.status == case.status == S.AWAITING_ALLOCATION
    assert case.panel_route == route
    assert before <= case.panel_waiting_since <= timezone.now()
    assert case.panel_note == NOTE
    # They carry on until the panel decides.
    assert (case.lead_agency, case.team, case.lead_professional) == (world.council, world.team, world.lead)
    assert lead_member(case).user == world.lead
    assert user_has_case_perm(world.lead, case, MANAGE_CASE)
    entry = ChronologyEntry.objects.filter(case=case).order_by("-id").first()
    assert entry.event == "case_return_to_panel"
    assert entry.summary == f"Sent back to the panel: {case.get_panel_route_display()}"
    assert entry.body == NOTE
    assert entry.author == world.lead


@pytest.mark.parametrize("route", ["", "front_door", "stepped_down", "lost"])
def test_a_return_needs_one_of_the_three_routes(world, route):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.case_return_to_panel(actor=world.lead, case=case, route=route, note=NOTE)

    assert list(error.value.message_dict) == ["route"]
    assert Case.objects.get(pk=case.pk).status == S.ACTIVE


@pytest.mark.parametrize("note", ["", "   \n"])
def test_a_return_needs_a_note(world, note):
    case = open_case(world, status="active")

    with pytest.raises(ValidationError) as error:
        services.case_return_to_panel(actor=world.lead, case=case, route="stuck", note=note)

    assert error.value.message_dict == {"note": ["Enter why the case is going back to the panel"]}
    assert Case.objects.get(pk=case.pk).panel_route == ""


def test_a_returned_case_cannot_be_returned_again(world):
    case = returned_case(world)

    with pytest.raises(services.TransitionNotAllowed):
        services.case_return_to_panel(actor=world.team_manager, case=case, route="stuck", note="Again.")

    case.refresh_from_db()
    assert case.panel_route == "disengaged"


# --- Allocated again, or closed ---------------------------------------------------------------------


def test_allocating_a_returned_case_again_ends_its_wait(world):
    case = returned_case(world)

    services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)

    case.refresh_from_db()
    assert case.status == S.AWAITING_LEAD_PROFESSIONAL
    assert (case.panel_route, case.panel_waiting_since, case.panel_note) == ("", None, "")


def test_allocating_a_case_the_front_door_sent_ends_its_wait(world):
    case = services.case_open(
        actor=world.duty_manager,
        family=open_case(world, status="closed").family,
        level_of_need=world.level3,
        panel_route="front_door",
    )

    services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council)

    case.refresh_from_db()
    assert (case.panel_route, case.panel_waiting_since) == ("", None)


def test_a_returned_case_allocated_to_another_agency_gets_a_new_lead_and_the_old_one_steps_back(world):
    case = returned_case(world)
    other_agency_team = TeamFactory(name="Health Family Team", agency=world.health, locality=world.north)
    health_manager = UserFactory(
        username="health-manager", agency=world.health, team=other_agency_team, roles=[Role.TEAM_MANAGER]
    )
    health_lead = UserFactory(
        username="health-lead", agency=world.health, team=other_agency_team, roles=[Role.LEAD_PROFESSIONAL]
    )

    services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.health, team=other_agency_team)
    services.case_assign_lead_professional(actor=health_manager, case=case, lead_professional=health_lead)

    case.refresh_from_db()
    assert case.status == S.ACTIVE
    assert case.lead_professional == health_lead
    assert lead_member(case).user == health_lead
    former = CaseMember.objects.get(case=case, user=world.lead, ended_at__isnull=True)
    assert (former.is_lead, former.role) == (False, "Former lead professional")
    assert "manage_case" not in get_perms(world.lead, case)
    assert not user_has_case_perm(world.lead, case, MANAGE_CASE)
    # The old team's manager no longer manages it; the new one does.
    assert not user_has_case_perm(world.team_manager, case, MANAGE_CASE)
    assert user_has_case_perm(health_manager, case, MANAGE_CASE)


def test_a_returned_case_given_back_to_the_same_lead_keeps_them_the_lead(world):
    case = returned_case(world)
    services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)

    services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    member = lead_member(case)
    assert (member.user, member.role) == (world.lead, "Lead professional")
    assert user_has_case_perm(world.lead, case, MANAGE_CASE)


@pytest.mark.parametrize("actor_name", ["panel_coordinator", "manager_coordinator"])
def test_a_coordinator_closes_a_returned_case(world, actor_name):
    case = returned_case(world, route="refused")
    actor = getattr(world, actor_name)
    assert services.action_allowed(actor=actor, case=case, action="close_unallocated")

    services.case_close_unallocated(
        actor=actor, case=case, reason=world.outcomes_met, summary="The family refused every offer of help."
    )

    case.refresh_from_db()
    assert case.status == S.CLOSED
    assert (case.panel_route, case.panel_waiting_since, case.panel_note) == ("", None, "")
    assert case.closure_reason == world.outcomes_met


@pytest.mark.parametrize("actor_name", ["lead", "school_practitioner", "other_manager", "south_coordinator"])
def test_others_do_not_close_a_returned_case(world, actor_name):
    world.south_coordinator = UserFactory(
        username="panel-south",
        agency=world.council,
        team=TeamFactory(name="South Panel", agency=world.council, locality=world.south),
        roles=[Role.PANEL_COORDINATOR],
    )
    case = returned_case(world)
    actor = getattr(world, actor_name)

    assert not services.action_allowed(actor=actor, case=case, action="close_unallocated")
    with pytest.raises(PermissionDenied):
        services.case_close_unallocated(actor=actor, case=case, reason=world.outcomes_met, summary="Closing.")

    assert Case.objects.get(pk=case.pk).panel_route == "disengaged"


# --- The page -------------------------------------------------------------------------------------


def test_the_case_page_offers_the_return_to_those_who_may(world, client_for):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])
    url = f"/cases/{case.pk}/return-to-panel/"

    assert url in client_for(world.lead).get(f"/cases/{case.pk}/").content.decode()
    assert url in client_for(world.team_manager).get(f"/cases/{case.pk}/").content.decode()
    assert url not in client_for(world.school_practitioner).get(f"/cases/{case.pk}/").content.decode()
    assert url not in client_for(world.panel_coordinator).get(f"/cases/{case.pk}/").content.decode()


def test_the_page_asks_why_with_three_routes_and_a_note(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).get(f"/cases/{case.pk}/return-to-panel/")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'type="radio"' in page
    for value in ("stuck", "refused", "disengaged"):
        assert f'value="{value}"' in page
    assert 'value="front_door"' not in page
    assert "<textarea" in page
    assert "Send back to the panel" in page


def test_the_page_keeps_what_was_typed_when_something_is_missing(world, client_for):
    case = open_case(world, status="active")
    client = client_for(world.lead)

    no_route = client.post(f"/cases/{case.pk}/return-to-panel/", {"note": "Typed <carefully>"})
    no_note = client.post(f"/cases/{case.pk}/return-to-panel/", {"route": "refused", "note": ""})

    assert no_route.status_code == 200
    assert "Choose why the case is going back to the panel" in no_route.content.decode()
    assert "Typed &lt;carefully&gt;" in no_route.content.decode()
    assert no_note.status_code == 200
    assert "Enter why the case is going back to the panel" in no_note.content.decode()
    assert re.search(r'value="refused"\s+checked', no_note.content.decode())
    assert Case.objects.get(pk=case.pk).status == S.ACTIVE


def test_the_page_sends_the_case_back_and_says_so(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.team_manager).post(
        f"/cases/{case.pk}/return-to-panel/", {"route": "stuck", "note": NOTE}, follow=True
    )

    case.refresh_from_db()
    page = response.content.decode()
    assert response.redirect_chain == [(f"/cases/{case.pk}/", 302)]
    assert "Case sent back to the panel" in page
    assert case.status == S.AWAITING_ALLOCATION
    assert case.panel_route == "stuck"
    day = dateformat.format(timezone.localtime(case.panel_waiting_since), "j F Y")
    assert f"Waiting for the panel since {day} (Returned as stuck)" in page
    # No second return offered now that it waits.
    assert f"/cases/{case.pk}/return-to-panel/" not in page


@pytest.mark.parametrize("actor_name", ["school_practitioner", "panel_coordinator", "other_manager", "analyst"])
def test_the_page_is_not_for_others(world, client_for, actor_name):
    case = open_case(world, status="active", members=[(world.school_practitioner, "Attendance officer")])

    response = client_for(getattr(world, actor_name)).post(
        f"/cases/{case.pk}/return-to-panel/", {"route": "stuck", "note": NOTE}
    )

    assert response.status_code in (403, 404)
    assert Case.objects.get(pk=case.pk).status == S.ACTIVE


def test_the_page_refuses_a_case_that_is_not_active(world, client_for):
    case = returned_case(world)

    response = client_for(world.lead).post(f"/cases/{case.pk}/return-to-panel/", {"route": "stuck", "note": NOTE})

    assert response.status_code == 403
    assert Case.objects.get(pk=case.pk).panel_route == "disengaged"


# --- The API -------------------------------------------------------------------------------------


def api_url(case):
    return f"/api/v1/cases/{case.pk}/return-to-panel/"


def test_the_api_sends_the_case_back_and_answers_with_the_case(world, client_for):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(
        api_url(case), {"route": "refused", "note": NOTE}, content_type="application/json"
    )

    assert response.status_code == 200
    body = response.json()
    assert body["id"] == case.pk
    assert body["status"] == "awaiting_allocation"
    assert body["panel_route"] == "refused"
    assert body["panel_waiting_since"] is not None
    assert body["lead_professional"] == world.lead.get_full_name()
    assert Case.objects.get(pk=case.pk).panel_note == NOTE


@pytest.mark.parametrize(
    ("sent", "errors"),
    [
        ({}, {"route", "note"}),
        ({"route": "front_door", "note": NOTE}, {"route"}),
        ({"route": "stuck", "note": "   "}, {"note"}),
        ({"route": None, "note": None}, {"route", "note"}),
    ],
)
def test_the_api_answers_400_with_field_errors(world, client_for, sent, errors):
    case = open_case(world, status="active")

    response = client_for(world.lead).post(api_url(case), sent, content_type="application/json")

    assert response.status_code == 400
    assert set(response.json()) == errors
    assert Case.objects.get(pk=case.pk).status == S.ACTIVE


def test_the_api_refuses_a_case_that_is_not_active_and_hides_one_not_yours(world, client_for):
    case = returned_case(world)
    other = open_case(world, status="active")

    not_active = client_for(world.lead).post(
        api_url(case), {"route": "stuck", "note": NOTE}, content_type="application/json"
    )
    not_yours = client_for(world.other_lead).post(
        api_url(other), {"route": "stuck", "note": NOTE}, content_type="application/json"
    )
    no_role = client_for(world.school_practitioner).post(
        api_url(other), {"route": "stuck", "note": NOTE}, content_type="application/json"
    )

    assert not_active.status_code == 403
    assert not_yours.status_code == 404
    assert no_role.status_code == 403
    assert Case.objects.get(pk=other.pk).status == S.ACTIVE


def test_the_case_detail_api_says_whether_the_case_waits(world, client_for):
    case = returned_case(world)

    body = client_for(world.panel_coordinator).get(f"/api/v1/cases/{case.pk}/").json()

    assert body["panel_route"] == "disengaged"
    assert body["panel_waiting_since"] is not None
