"""The Early Help Panel's API: panels, the waiting list, meetings and (coordinators) agenda, attendance,
decisions and amendments. Every response here is also checked against the OpenAPI schema."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases import services as case_services
from cases.models import AccessLog, CaseStatus, Consent, PanelRoute
from cases.roles import Role
from panels import services
from panels.models import Attendance, PanelDecision, PanelOutcome
from panels.permissions import AGENDA_RECORD
from tests.factories import LocalityFactory, TeamFactory, UserFactory
from tests.openapi import api_schema
from tests.panels.conftest import waiting_case

JSON = "application/json"


@pytest.fixture
def south_coordinator(world):
    """A panel coordinator of another locality."""
    return UserFactory(
        username="south-panel",
        agency=world.council,
        team=TeamFactory(name="South Panel", agency=world.council, locality=world.south),
        roles=[Role.PANEL_COORDINATOR],
    )


@pytest.fixture
def item(world, meeting_now):
    case = waiting_case(world)
    return services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)


def allocate(world, item):
    return services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=world.council,
        team=world.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed.",
    )


def share_with(world, case, agency):
    parent = case.family.memberships.filter(parental_responsibility=True).first().person
    case_services.consent_record(
        actor=world.duty_manager,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        agency=agency,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
    )


def post(client, url, data):
    return client.post(url, data, content_type=JSON)


# --- Panels ----------------------------------------------------------------------------------------


def test_the_panel_list_gives_schedule_next_meeting_and_who_runs_it(world, client_for, panel, upcoming):
    coordinator = client_for(world.panel_coordinator).get("/api/v1/panels/")
    member = client_for(world.school_practitioner).get("/api/v1/panels/")

    assert coordinator.status_code == 200
    [row] = coordinator.json()["results"]
    assert row == {
        "id": panel.pk,
        "name": "North Early Help Panel",
        "locality": "North",
        "schedule": {"frequency": "fortnightly", "weekday": 1, "time": "10:00:00", "duration_minutes": 120},
        "venue": "North Family Hub",
        "next_meeting": {"id": upcoming[0].pk, "starts_at": row["next_meeting"]["starts_at"]},
        "managed": True,
    }
    assert datetime.datetime.fromisoformat(row["next_meeting"]["starts_at"]) == upcoming[0].starts_at
    assert [(r["id"], r["managed"]) for r in member.json()["results"]] == [(panel.pk, False)]


def test_the_panel_list_shows_only_the_callers_panels_and_refuses_analysts_and_administrators(
    world, client_for, panel, south_coordinator
):
    assert client_for(south_coordinator).get("/api/v1/panels/").json()["results"] == []
    assert client_for(world.health_practitioner).get("/api/v1/panels/").json()["count"] == 1  # a member
    assert client_for(world.lead).get("/api/v1/panels/").json()["count"] == 0
    assert client_for(world.analyst).get("/api/v1/panels/").status_code == 403
    assert client_for(world.administrator).get("/api/v1/panels/").status_code == 403


def test_the_panel_list_takes_the_same_queries_however_many_panels(world, client_for, panel):
    client = client_for(world.county_coordinator)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/panels/").json()["count"] == 1
    for code in ("east", "west"):
        services.panel_create(
            actor=world.county_coordinator,
            name=f"{code.title()} Panel",
            locality=LocalityFactory(code=code, name=code.title()),
            first_meeting_on=timezone.localdate(),
            weekday=2,
            meets_at=datetime.time(14, 0),
        )
    services.panel_create(
        actor=world.county_coordinator,
        name="County Panel",
        locality=None,
        first_meeting_on=timezone.localdate(),
        weekday=3,
        meets_at=datetime.time(9, 30),
    )

    with CaptureQueriesContext(connection) as four:
        rows = client.get("/api/v1/panels/").json()["results"]

    assert len(rows) == 4 and all(row["next_meeting"] is not None and row["managed"] for row in rows)
    assert [row["locality"] for row in rows if row["name"] == "County Panel"] == [None]
    assert len(four) == len(one) <= 8


def test_a_panel_gives_its_members_and_upcoming_meetings(world, client_for, panel, upcoming):
    response = client_for(world.school_practitioner).get(f"/api/v1/panels/{panel.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["managed"] is False
    assert [(m["agency"]["name"], m["name"], m["role"]) for m in body["members"]] == [
        ("Health Visiting", world.health_practitioner.get_full_name(), "Health"),
        ("Hill School", world.school_practitioner.get_full_name(), "School"),
    ]
    assert [m["id"] for m in body["upcoming_meetings"]] == [m.pk for m in upcoming]
    assert body["next_meeting"]["id"] == upcoming[0].pk
    assert {m["status"] for m in body["upcoming_meetings"]} == {"scheduled"}


# --- The waiting list --------------------------------------------------------------------------------


def test_the_waiting_list_gives_each_case_with_what_the_coordinator_plans_with(world, client_for, panel, upcoming):
    first = waiting_case(world)
    returned = waiting_case(world, route=PanelRoute.STUCK)
    waiting_case(world, locality=world.south)  # another locality's panel
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=returned)

    response = client_for(world.panel_coordinator).get(f"/api/v1/panels/{panel.pk}/waiting-list/")

    assert response.status_code == 200
    page = response.json()
    assert page["count"] == 2
    rows = {row["id"]: row for row in page["results"]}
    assert set(rows) == {first.pk, returned.pk}
    row = rows[first.pk]
    assert (row["reference"], row["family"], row["level_of_need"]) == (
        first.reference,
        first.family.name,
        world.level3.name,
    )
    assert row["route"] == {"code": "front_door", "label": "Front door decision to the panel"}
    assert (row["days_waiting"], row["partners_asked"], row["partners_answered"]) == (0, 0, 0)
    assert row["agenda_meeting_id"] is None and row["waiting_since"] is not None and row["received_at"]
    assert rows[returned.pk]["route"] == {"code": "stuck", "label": "Returned as stuck"}
    assert rows[returned.pk]["agenda_meeting_id"] == upcoming[0].pk


def test_the_waiting_list_takes_the_same_queries_however_many_cases(
    world, client_for, panel, django_assert_max_num_queries
):
    client = client_for(world.panel_coordinator)
    url = f"/api/v1/panels/{panel.pk}/waiting-list/"
    waiting_case(world)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).json()["count"] == 1
    for _ in range(4):
        waiting_case(world)

    with django_assert_max_num_queries(len(one)):
        assert client.get(url).json()["count"] == 5


def test_the_waiting_list_is_for_the_panels_coordinators_only(world, client_for, panel, south_coordinator):
    url = f"/api/v1/panels/{panel.pk}/waiting-list/"

    assert client_for(world.county_coordinator).get(url).status_code == 200
    assert client_for(south_coordinator).get(url).status_code == 404
    assert client_for(world.school_practitioner).get(url).status_code == 403  # a member, not a coordinator
    assert client_for(world.analyst).get(url).status_code == 403
    assert client_for(world.administrator).get(url).status_code == 403
    assert client_for(world.panel_coordinator).get("/api/v1/panels/999999/waiting-list/").status_code == 404


# --- Meetings ----------------------------------------------------------------------------------------------


def test_a_member_reads_the_agenda_with_the_family_only_where_it_agreed_to_share(world, client_for, panel, meeting_now):
    hidden, shared = waiting_case(world), waiting_case(world)
    for case in (hidden, shared):
        services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)
    share_with(world, shared, world.school)

    response = client_for(world.school_practitioner).get(f"/api/v1/meetings/{meeting_now.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert body["managed"] is False and body["panel"] == {"id": panel.pk, "name": panel.name}
    assert [(i["position"], i["case"]["id"], i["family"]) for i in body["items"]] == [
        (1, hidden.pk, None),
        (2, shared.pk, shared.family.name),
    ]
    assert body["items"][0]["route"] == {"code": "front_door", "label": "Front door decision to the panel"}
    assert {(a["agency"], a["status"]) for a in body["attendance"]} == {
        ("Hill School", None),
        ("Health Visiting", None),
    }
    # The look is logged against the one case whose family it showed.
    logged = AccessLog.objects.filter(user=world.school_practitioner, record_type=AGENDA_RECORD)
    assert list(logged.values_list("case_id", flat=True)) == [shared.pk]
    family = api_schema().spec / "components" / "schemas" / "AgendaItem" / "properties" / "family"
    assert family.read_value()["nullable"] is True


def test_the_meeting_shows_the_current_decision_and_whether_it_was_amended(world, client_for, item):
    first = allocate(world, item)
    services.decision_amend(actor=world.panel_coordinator, decision=first, amendment_reason="Typo in the reason.")
    services.action_add(
        actor=world.panel_coordinator,
        meeting=item.meeting,
        description="Ask the GP about the family",
        owner=world.health_practitioner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
        item=item,
    )

    body = client_for(world.panel_coordinator).get(f"/api/v1/meetings/{item.meeting_id}/").json()

    [shown] = body["items"]
    assert shown["amended"] is True and body["managed"] is True
    assert (shown["decision"]["outcome"], shown["decision"]["amends"]) == ("allocate", first.pk)
    assert shown["decision"]["lead_agency"] == {"id": world.council.pk, "name": world.council.name}
    assert [(a["description"], a["case"]) for a in body["actions"]] == [
        ("Ask the GP about the family", item.case.reference)
    ]


def test_the_meeting_takes_the_same_queries_however_long_its_agenda(
    world, client_for, meeting_now, django_assert_max_num_queries
):
    client = client_for(world.school_practitioner)
    url = f"/api/v1/meetings/{meeting_now.pk}/"
    services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=waiting_case(world))
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["items"]) == 1
    for _ in range(3):
        case = waiting_case(world)
        services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)
        share_with(world, case, world.school)

    with django_assert_max_num_queries(len(one) + 1):  # + the one insert of the access log
        assert len(client.get(url).json()["items"]) == 4


# --- Writing: agenda, attendance, decisions, amendments ------------------------------------------------


def test_a_coordinator_puts_a_waiting_case_on_the_agenda(world, client_for, panel, upcoming):
    case = waiting_case(world)
    client = client_for(world.panel_coordinator)

    response = post(client, f"/api/v1/meetings/{upcoming[0].pk}/agenda-items/", {"case": case.pk})

    assert response.status_code == 201
    body = response.json()
    assert (body["position"], body["case"], body["family"], body["decision"], body["amended"]) == (
        1,
        {"id": case.pk, "reference": case.reference},
        case.family.name,
        None,
        False,
    )
    assert upcoming[0].items.get().case == case


@pytest.mark.parametrize(
    "data,errors",
    [
        ({}, {"case": ["Select the case to put on the agenda"]}),
        ({"case": "x'; drop table"}, {"case": ["Enter the case's id as a number"]}),
        ({"case": 99999999999999}, {"case": ["Enter the id of a case waiting for this panel"]}),
        ({"case": 999999}, {"case": ["Select a case waiting for this panel"]}),
        ([1, 2], {"non_field_errors": ["Send a JSON object"]}),
    ],
)
def test_putting_a_case_on_the_agenda_refuses_what_does_not_fit(world, client_for, panel, upcoming, data, errors):
    response = post(client_for(world.panel_coordinator), f"/api/v1/meetings/{upcoming[0].pk}/agenda-items/", data)

    assert (response.status_code, response.json()) == (400, errors)


def test_a_case_of_another_locality_or_already_placed_is_refused(world, client_for, panel, upcoming):
    client = client_for(world.panel_coordinator)
    south = waiting_case(world, locality=world.south)
    placed = waiting_case(world)
    services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[0], case=placed)

    other = post(client, f"/api/v1/meetings/{upcoming[1].pk}/agenda-items/", {"case": south.pk})
    again = post(client, f"/api/v1/meetings/{upcoming[1].pk}/agenda-items/", {"case": placed.pk})

    assert (other.status_code, other.json()) == (400, {"case": ["Select a case waiting for this panel"]})
    assert again.status_code == 400 and "already on the agenda" in again.json()["case"][0]


def test_an_allocation_moves_the_case_to_the_lead_agency(world, client_for, item):
    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/agenda-items/{item.pk}/decision/",
        {
            "outcome": "allocate",
            "lead_agency": world.council.pk,
            "team": world.team.pk,
            "threshold_confirmed": True,
            "reason": "Level 3 confirmed: school attendance and housing.",
        },
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["outcome"], body["lead_agency"]["id"], body["team"]["id"], body["amends"]) == (
        "allocate",
        world.council.pk,
        world.team.pk,
        None,
    )
    case = item.case
    case.refresh_from_db()
    assert (case.status, case.lead_agency, case.team, case.panel_route) == (
        CaseStatus.AWAITING_LEAD_PROFESSIONAL,
        world.council,
        world.team,
        "",
    )


def test_not_for_the_panel_closes_the_case(world, client_for, item):
    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/agenda-items/{item.pk}/decision/",
        {"outcome": "not_for_panel", "not_for_panel_route": "universal", "reason": "Needs are met by the school."},
    )

    assert response.status_code == 201
    assert (response.json()["not_for_panel_route"], response.json()["closure_reason"]) == ("universal", None)
    item.case.refresh_from_db()
    assert (item.case.status, item.case.closure_reason.code) == (CaseStatus.CLOSED, "stepped-down")


@pytest.mark.parametrize(
    "data,errors",
    [
        (
            {"outcome": "allocate", "reason": "Agreed."},
            {
                "lead_agency": ["Select the lead agency the panel agreed"],
                "threshold_confirmed": ["Confirm the family's needs meet level 3 before allocating"],
            },
        ),
        (
            {"outcome": "adopt"},
            {"outcome": ["Select the panel's decision: one of allocate, not_for_panel, defer, step_up"]},
        ),
        ({}, {"outcome": ["Select the panel's decision"]}),
        (
            {"outcome": "allocate", "lead_agency": "1 OR 1=1", "threshold_confirmed": "yes"},
            {
                "lead_agency": ["Enter the lead agency's id as a number"],
                "threshold_confirmed": ["Enter whether the panel confirmed the threshold as true or false"],
            },
        ),
        (
            {"outcome": "allocate", "lead_agency": 999999, "threshold_confirmed": True},
            {"lead_agency": ["There is no lead agency with the id 999999"]},
        ),
        ({"outcome": "defer", "reason": ""}, {"reason": ["Enter what is needed before the next meeting"]}),
        (
            {"outcome": "not_for_panel", "closure_reason": "gone", "reason": "No."},
            {"closure_reason": ["There is no closure reason with the code “gone”: use one of " + "{codes}"]},
        ),
        ('"not an object"', {"non_field_errors": ["Send a JSON object"]}),
    ],
)
def test_a_decision_that_does_not_fit_is_refused_with_the_fields_to_correct(world, client_for, item, data, errors):
    if "closure_reason" in errors:
        from cases.models import ClosureReason

        codes = ", ".join(ClosureReason.objects.values_list("code", flat=True))
        errors = {"closure_reason": [errors["closure_reason"][0].replace("{codes}", codes)]}

    response = post(client_for(world.panel_coordinator), f"/api/v1/agenda-items/{item.pk}/decision/", data)

    assert (response.status_code, response.json()) == (400, errors)
    assert not PanelDecision.objects.exists()
    item.case.refresh_from_db()
    assert item.case.status == CaseStatus.AWAITING_ALLOCATION


def test_an_item_is_decided_once(world, client_for, item):
    allocate(world, item)

    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/agenda-items/{item.pk}/decision/",
        {"outcome": "defer", "reason": "More from health."},
    )

    assert (response.status_code, response.json()) == (
        400,
        {"non_field_errors": ["The panel has decided on this case: amend the decision to change it."]},
    )


def test_an_amendment_changes_the_lead_agency_and_keeps_the_first_decision(world, client_for, item):
    first = allocate(world, item)

    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/panel-decisions/{first.pk}/amendments/",
        {"amendment_reason": "Health leads: the baby is under one.", "lead_agency": world.health.pk},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["amends"], body["lead_agency"]["id"], body["team"], body["reason"]) == (
        first.pk,
        world.health.pk,
        None,
        "Level 3 confirmed.",
    )
    item.case.refresh_from_db()
    assert item.case.lead_agency == world.health
    assert PanelDecision.objects.filter(pk=first.pk, lead_agency=world.council).exists()


@pytest.mark.parametrize(
    "data,errors",
    [
        ({}, {"amendment_reason": ["Enter why the decision is being amended"]}),
        ({"amendment_reason": 12}, {"amendment_reason": ["Enter why the decision is being amended as text"]}),
        (
            {"amendment_reason": "Team only.", "team": "the team"},
            {"team": ["Enter the team's id as a number"]},
        ),
        (
            {"amendment_reason": "Team only.", "team": "<north team>"},
            {"lead_agency": ["Select the lead agency the team belongs to"]},
        ),
    ],
)
def test_an_amendment_that_does_not_fit_is_refused(world, client_for, item, data, errors):
    first = allocate(world, item)
    if data.get("team") == "<north team>":
        data = {**data, "team": world.team.pk}

    response = post(client_for(world.panel_coordinator), f"/api/v1/panel-decisions/{first.pk}/amendments/", data)

    assert (response.status_code, response.json()) == (400, errors)
    assert PanelDecision.objects.count() == 1


def test_a_coordinator_records_attendance(world, client_for, panel, meeting_now):
    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/meetings/{meeting_now.pk}/attendance/",
        {
            "attendance": [
                {"member": world.school_member.pk, "status": "present"},
                {"member": world.health_member.pk, "status": "apologies"},
            ]
        },
    )

    assert response.status_code == 200
    assert {(row["member"], row["status"]) for row in response.json()["attendance"]} == {
        (world.school_member.pk, "present"),
        (world.health_member.pk, "apologies"),
    }
    assert set(Attendance.objects.values_list("member_id", "status")) == {
        (world.school_member.pk, "present"),
        (world.health_member.pk, "apologies"),
    }


@pytest.mark.parametrize(
    "marks,errors",
    [
        (
            [{"member": 999999, "status": "present"}],
            {"attendance[0].member": ["Select a standing member of this panel"]},
        ),
        (
            [{"member": "school", "status": "here"}],
            {
                "attendance[0].member": ["Enter the member's id as a number"],
                "attendance[0].status": ["Select whether they were present: one of present, apologies, absent"],
            },
        ),
        ([], {"attendance": ["Enter who attended"]}),
        ("everyone", {"attendance": ["Enter the attendance as a list of members and statuses"]}),
    ],
)
def test_attendance_that_does_not_fit_is_refused(world, client_for, panel, meeting_now, marks, errors):
    response = post(
        client_for(world.panel_coordinator), f"/api/v1/meetings/{meeting_now.pk}/attendance/", {"attendance": marks}
    )

    assert (response.status_code, response.json()) == (400, errors)
    assert not Attendance.objects.exists()


def test_a_member_twice_is_refused(world, client_for, panel, meeting_now):
    mark = {"member": world.school_member.pk, "status": "present"}

    response = post(
        client_for(world.panel_coordinator),
        f"/api/v1/meetings/{meeting_now.pk}/attendance/",
        {"attendance": [mark, mark]},
    )

    assert (response.status_code, response.json()) == (400, {"attendance": ["Enter each member once"]})


# --- Who may: another locality's coordinator, members, analysts and administrators -----------------------


def _routes(world, panel, item, decision):
    meeting = item.meeting_id
    return [
        ("get", f"/api/v1/panels/{panel.pk}/", None),
        ("get", f"/api/v1/panels/{panel.pk}/waiting-list/", None),
        ("get", f"/api/v1/meetings/{meeting}/", None),
        ("post", f"/api/v1/meetings/{meeting}/agenda-items/", {"case": item.case_id}),
        ("post", f"/api/v1/meetings/{meeting}/attendance/", {"attendance": [{"member": 1, "status": "present"}]}),
        ("post", f"/api/v1/agenda-items/{item.pk}/decision/", {"outcome": "defer", "reason": "Wait."}),
        ("post", f"/api/v1/panel-decisions/{decision.pk}/amendments/", {"amendment_reason": "Wrong."}),
    ]


def _answers(client, routes) -> list[int]:
    return [
        (client.get(url) if method == "get" else post(client, url, data)).status_code for method, url, data in routes
    ]


def test_a_coordinator_of_another_locality_gets_404_on_every_panel_endpoint(
    world, client_for, panel, item, south_coordinator
):
    decision = allocate(world, item)
    routes = _routes(world, panel, item, decision)

    assert _answers(client_for(south_coordinator), routes) == [404] * len(routes)
    assert PanelDecision.objects.count() == 1 and not Attendance.objects.exists()


def test_analysts_and_administrators_are_refused_every_panel_endpoint(world, client_for, panel, item):
    decision = allocate(world, item)
    routes = _routes(world, panel, item, decision)

    assert _answers(client_for(world.analyst), routes) == [403] * len(routes)
    assert _answers(client_for(world.administrator), routes) == [403] * len(routes)


def test_a_member_reads_but_does_not_write(world, client_for, panel, item):
    decision = allocate(world, item)
    routes = _routes(world, panel, item, decision)

    assert _answers(client_for(world.school_practitioner), routes) == [200, 403, 200, 403, 403, 403, 403]


def test_unknown_ids_are_404(world, client_for, panel):
    client = client_for(world.county_coordinator)

    assert client.get("/api/v1/panels/999999/").status_code == 404
    assert client.get("/api/v1/meetings/999999/").status_code == 404
    assert post(client, "/api/v1/agenda-items/999999/decision/", {"outcome": "defer"}).status_code == 404
    assert post(client, "/api/v1/panel-decisions/999999/amendments/", {}).status_code == 404
