"""The panel's decisions on agenda items and what each does to the case, its clocks and who is told."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from cases.deadlines import deadline_start
from cases.models import CaseStatus, ChronologyEntry, Deadline, Notification
from cases.roles import Role
from panels import services
from panels.models import AgendaItem, PanelDecision, PanelOutcome
from tests.factories import UserFactory
from tests.panels.conftest import waiting_case


@pytest.fixture
def item(world, meeting_now):
    case = waiting_case(world)
    return services.agenda_add(actor=world.panel_coordinator, meeting=meeting_now, case=case)


def running(case, code):
    return Deadline.objects.filter(
        subject_type="case", subject_id=case.pk, timescale__code=code, met_at__isnull=True, cancelled_at__isnull=True
    ).first()


def test_allocate_moves_the_case_starts_the_week_clock_and_tells_the_lead_agencys_managers(world, item):
    w = world
    other_agency_manager = w.other_manager  # health's team manager: not told

    decision = services.decision_record(
        actor=w.panel_coordinator,
        item=item,
        outcome=PanelOutcome.ALLOCATE,
        lead_agency=w.council,
        team=w.team,
        threshold_confirmed=True,
        reason="Level 3 confirmed: school attendance and housing.",
    )

    case = item.case
    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert (case.lead_agency, case.team, case.panel_route) == (w.council, w.team, "")
    clock = running(case, "lead-professional")
    assert clock.due_at == decision.decided_at + datetime.timedelta(weeks=1)
    assert (clock.remind_role, clock.remind_agency, clock.escalate_user) == (
        Role.TEAM_MANAGER,
        w.council,
        w.panel_coordinator,
    )
    told = Notification.objects.filter(subject=f"Lead agency allocated: {case.reference}")
    assert {n.recipient for n in told} == {w.team_manager, w.manager_coordinator}
    assert other_agency_manager not in {n.recipient for n in told}
    assert all(case.family.name not in n.body for n in told)
    assert (
        ChronologyEntry.objects.filter(case=case, event="panel_decision")
        .get()
        .summary.endswith("lead agency Council Family Support (North Family Support)")
    )


def test_assigning_the_lead_professional_meets_both_clocks(world, item):
    w = world
    case = item.case
    deadline_start(
        timescale_code="front-door-to-offer",
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        started_at=timezone.now() - datetime.timedelta(days=3),
        remind_role=Role.PANEL_COORDINATOR,
    )
    services.decision_record(
        actor=w.panel_coordinator,
        item=item,
        outcome="allocate",
        lead_agency=w.council,
        team=w.team,
        threshold_confirmed=True,
    )
    from cases import services as case_services

    case_services.case_assign_lead_professional(actor=w.team_manager, case=case, lead_professional=w.lead)

    met = Deadline.objects.filter(subject_type="case", subject_id=case.pk, met_at__isnull=False)
    assert set(met.values_list("timescale__code", flat=True)) == {"lead-professional", "front-door-to-offer"}


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"outcome": "maybe"}, {"outcome": ["Select the panel's decision"]}),
        (
            {"outcome": "allocate"},
            {
                "lead_agency": ["Select the lead agency the panel agreed"],
                "threshold_confirmed": ["Confirm the family's needs meet level 3 before allocating"],
            },
        ),
        (
            {"outcome": "not_for_panel"},
            {
                "not_for_panel_route": ["Select where the family goes instead"],
                "reason": ["Enter why the case is not for the panel"],
            },
        ),
        ({"outcome": "defer", "reason": "  "}, {"reason": ["Enter what is needed before the next meeting"]}),
        ({"outcome": "step_up"}, {"reason": ["Enter the safeguarding concern for the front door"]}),
    ],
)
def test_a_decision_missing_what_it_needs_says_what(world, item, fields, errors):
    with pytest.raises(ValidationError) as error:
        services.decision_record(actor=world.panel_coordinator, item=item, **fields)

    assert error.value.message_dict == errors
    assert not PanelDecision.objects.exists()


def test_a_team_of_another_agency_is_refused(world, item):
    from tests.factories import TeamFactory

    health_team = TeamFactory(agency=world.health)
    with pytest.raises(ValidationError) as error:
        services.decision_record(
            actor=world.panel_coordinator,
            item=item,
            outcome="allocate",
            lead_agency=world.council,
            team=health_team,
            threshold_confirmed=True,
        )
    assert error.value.message_dict == {"team": ["Select a team of the lead agency"]}


def test_defer_puts_the_case_on_the_next_meeting_and_it_keeps_waiting(world, item, upcoming):
    decision = services.decision_record(
        actor=world.panel_coordinator, item=item, outcome="defer", reason="Ask health visiting first."
    )

    item.case.refresh_from_db()
    assert item.case.panel_route == "front_door"
    assert decision.deferred_to == upcoming[0]
    assert AgendaItem.objects.filter(meeting=upcoming[0], case=item.case).exists()


def test_not_for_the_panel_closes_the_case_with_the_matching_reason(world, item):
    services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome="not_for_panel",
        not_for_panel_route="single_agency",
        reason="The school can meet these needs.",
    )

    case = item.case
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason.code == "stepped-down"
    assert case.panel_route == ""


def test_one_decision_per_item_and_amendments_keep_the_first(world, item):
    w = world
    first = services.decision_record(
        actor=w.panel_coordinator,
        item=item,
        outcome="allocate",
        lead_agency=w.council,
        threshold_confirmed=True,
        reason="First reason",
    )
    with pytest.raises(ValidationError):
        services.decision_record(actor=w.panel_coordinator, item=item, outcome="defer", reason="Again")

    with pytest.raises(ValidationError) as error:
        services.decision_amend(actor=w.panel_coordinator, decision=first, amendment_reason="", reason="Better")
    assert error.value.message_dict == {"amendment_reason": ["Enter why the decision is being amended"]}

    amended = services.decision_amend(
        actor=w.panel_coordinator, decision=first, amendment_reason="Typo in the reason", reason="Corrected reason"
    )

    assert amended.amends == first and amended.reason == "Corrected reason"
    first.refresh_from_db()
    assert first.reason == "First reason"
    assert ChronologyEntry.objects.filter(case=item.case, event="panel_decision_amended").count() == 1
    with pytest.raises(ValidationError):
        services.decision_amend(actor=w.panel_coordinator, decision=first, amendment_reason="Again", reason="x")


def test_a_decision_waits_for_the_meeting(world, upcoming):
    case = waiting_case(world)
    future_item = services.agenda_add(actor=world.panel_coordinator, meeting=upcoming[1], case=case)

    with pytest.raises(ValidationError) as error:
        services.decision_record(actor=world.panel_coordinator, item=future_item, outcome="defer", reason="x")
    assert error.value.messages == ["Decisions are recorded at the meeting, not before it."]


def test_only_the_panels_coordinators_decide(world, item):
    south_coordinator = UserFactory(agency=world.council, team=world.other_team, roles=[Role.PANEL_COORDINATOR])
    for outsider in (south_coordinator, world.team_manager, world.school_practitioner):
        with pytest.raises(PermissionDenied):
            services.decision_record(actor=outsider, item=item, outcome="defer", reason="x")
    services.decision_record(actor=world.county_coordinator, item=item, outcome="defer", reason="x")


def test_the_agenda_takes_only_waiting_cases_of_the_panels_locality_once(world, upcoming):
    w = world
    south_case = waiting_case(w, locality=w.south)
    with pytest.raises(ValidationError) as error:
        services.agenda_add(actor=w.panel_coordinator, meeting=upcoming[0], case=south_case)
    assert error.value.message_dict == {"case": [f"{south_case.reference} is not in North"]}

    case = waiting_case(w)
    services.agenda_add(actor=w.panel_coordinator, meeting=upcoming[0], case=case)
    with pytest.raises(ValidationError):
        services.agenda_add(actor=w.panel_coordinator, meeting=upcoming[1], case=case)


def test_the_agenda_is_ordered_by_the_coordinator(world, upcoming):
    w = world
    meeting = upcoming[0]
    items = [services.agenda_add(actor=w.panel_coordinator, meeting=meeting, case=waiting_case(w)) for _ in range(3)]

    services.agenda_move(actor=w.panel_coordinator, item=items[2], up=True)
    services.agenda_remove(actor=w.panel_coordinator, item=items[0])

    assert list(meeting.items.order_by("position").values_list("pk", "position")) == [
        (items[2].pk, 1),
        (items[1].pk, 2),
    ]


def test_sending_the_agenda_tells_each_member_by_a_link(world, upcoming):
    w = world
    meeting = upcoming[0]
    case = waiting_case(w)
    services.agenda_add(actor=w.panel_coordinator, meeting=meeting, case=case)

    told = services.agenda_send(actor=w.panel_coordinator, meeting=meeting)

    messages = Notification.objects.filter(subject__startswith="Agenda:")
    assert told == 2
    assert {m.recipient for m in messages} == {w.school_practitioner, w.health_practitioner}
    for message in messages:
        assert f"/panels/meetings/{meeting.pk}/" in message.body
        assert case.family.name not in message.body and case.reference not in message.body


def test_attendance_is_recorded_per_member(world, meeting_now):
    w = world
    services.attendance_record(
        actor=w.panel_coordinator,
        meeting=meeting_now,
        statuses={w.school_member.pk: "present", w.health_member.pk: "apologies"},
    )
    services.attendance_record(actor=w.panel_coordinator, meeting=meeting_now, statuses={w.health_member.pk: "absent"})

    assert dict(meeting_now.attendance.values_list("member_id", "status")) == {
        w.school_member.pk: "present",
        w.health_member.pk: "absent",
    }
    with pytest.raises(ValidationError):
        services.attendance_record(
            actor=w.panel_coordinator, meeting=meeting_now, statuses={w.school_member.pk: "asleep"}
        )


def test_a_meeting_completes_once_every_case_is_decided(world, item, meeting_now):
    with pytest.raises(ValidationError) as error:
        services.meeting_complete(actor=world.panel_coordinator, meeting=meeting_now)
    assert error.value.messages == ["1 case on the agenda still needs a decision."]

    services.decision_record(actor=world.panel_coordinator, item=item, outcome="defer", reason="More information")
    services.meeting_complete(actor=world.panel_coordinator, meeting=meeting_now, notes="Quorate.")

    meeting_now.refresh_from_db()
    assert meeting_now.status == "held" and meeting_now.minutes_notes == "Quorate."


def test_actions_for_members_with_dates(world, meeting_now, item):
    with pytest.raises(ValidationError) as error:
        services.action_add(actor=world.panel_coordinator, meeting=meeting_now, description="", owner=None, due_on=None)
    assert set(error.value.message_dict) == {"description", "owner", "due_on"}

    action = services.action_add(
        actor=world.panel_coordinator,
        meeting=meeting_now,
        item=item,
        description="Share attendance figures",
        owner=world.school_practitioner,
        due_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    services.action_done(actor=world.school_practitioner, action=action)

    action.refresh_from_db()
    assert action.done_at is not None


def test_an_allocation_amended_to_another_agency_before_a_lead_professional_moves_the_case(world, item):
    w = world
    health_manager = w.other_manager  # the health agency's team manager
    first = services.decision_record(
        actor=w.panel_coordinator, item=item, outcome="allocate", lead_agency=w.council, threshold_confirmed=True
    )

    amended = services.decision_amend(
        actor=w.panel_coordinator,
        decision=first,
        amendment_reason="Health visiting agreed to lead",
        lead_agency=w.health,
    )

    case = item.case
    case.refresh_from_db()
    assert (case.lead_agency, case.team, amended.lead_agency) == (w.health, None, w.health)
    assert Notification.objects.filter(
        recipient=health_manager, subject=f"Lead agency allocated: {case.reference}"
    ).exists()
    clocks = Deadline.objects.filter(subject_type="case", subject_id=case.pk, timescale__code="lead-professional")
    assert clocks.filter(cancelled_at__isnull=False).count() == 1
    assert clocks.get(cancelled_at__isnull=True).remind_agency == w.health


def test_after_a_lead_professional_the_lead_agency_no_longer_changes(world, item):
    from cases import services as case_services

    w = world
    first = services.decision_record(
        actor=w.panel_coordinator,
        item=item,
        outcome="allocate",
        lead_agency=w.council,
        team=w.team,
        threshold_confirmed=True,
    )
    case_services.case_assign_lead_professional(actor=w.team_manager, case=item.case, lead_professional=w.lead)

    with pytest.raises(ValidationError) as error:
        services.decision_amend(
            actor=w.panel_coordinator, decision=first, amendment_reason="Changed our minds", lead_agency=w.health
        )
    assert error.value.message_dict == {
        "lead_agency": ["A lead professional has been assigned: the lead agency can no longer change"]
    }


def test_a_case_back_at_the_panel_is_allocated_by_the_panel_not_by_its_team_manager(world):
    from cases import services as case_services
    from tests.conftest import open_case

    case = open_case(world)
    case_services.case_return_to_panel(actor=world.lead, case=case, route="disengaged", note="No contact for 6 weeks")

    with pytest.raises(PermissionDenied):
        case_services.case_allocate(actor=world.team_manager, case=case, lead_agency=world.council, team=world.team)
    case_services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)


@pytest.mark.parametrize(
    ("outcome", "route", "closure"), [("step_up", "", "stepped-up"), ("not_for_panel", "front_door", "transferred")]
)
def test_a_family_sent_to_the_front_door_arrives_as_a_referral_with_its_people_linked(
    world, item, outcome, route, closure
):
    from front_door.models import Referral

    services.decision_record(
        actor=world.panel_coordinator,
        item=item,
        outcome=outcome,
        not_for_panel_route=route,
        reason="Bruising seen at school; needs the front door's decision.",
    )

    case = item.case
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.closure_reason.code == closure
    referral = Referral.objects.get(family=case.family)
    assert referral.status == "awaiting_decision" and referral.referrer == world.panel_coordinator
    assert "Bruising seen at school" in referral.concerns
    assert referral.consent_given is (outcome != "step_up")
    household = set(case.family.memberships.values_list("person_id", flat=True))
    assert set(referral.people.values_list("person_id", flat=True)) == household
