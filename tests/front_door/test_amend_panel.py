"""Amending a front door decision to or from the Early Help Panel leaves the case waiting for the panel
exactly as a first decision to the new destination would have: amended away from the panel to a
destination that opens a case, the case stays open, awaiting allocation, off the waiting list, its
10-day `front-door-to-offer` clock cancelled (not met) and off any agenda that has not decided on it;
amended to the panel, it joins the list and its clock starts; amended to no case, it closes and the
panel side is cleaned the same way. A case another referral still sends to the panel, or that the
panel has already allocated, is the panel's and stays as it is."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.models import Case, CaseStatus, ChronologyEntry, Deadline, Notification, PanelRoute, Person
from cases.services import TransitionNotAllowed
from front_door import services
from front_door.models import Decision, DecisionOutcome, InformationRequest, Referral
from front_door.services import PersonData
from panels import services as panel_services
from panels.models import AgendaItem, Meeting, PanelOutcome
from panels.selectors import waiting_cases
from tests.conftest import open_case
from tests.factories import family_with_members
from tests.front_door.helpers import decide, person_data

OFFER = "front-door-to-offer"
AMENDED = "The family's needs are met by one agency: family support is enough."


def amend(world, decision, destination=None, outcome=DecisionOutcome.EARLY_HELP) -> Decision:
    return services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=outcome,
        level_of_need=world.level3,
        reason=AMENDED,
        destination=destination,
    )


def offer_clocks(case):
    return Deadline.objects.filter(timescale__code=OFFER, subject_type="case", subject_id=case.pk).order_by("id")


def running(clocks):
    return clocks.filter(met_at__isnull=True, cancelled_at__isnull=True)


def case_of(referral: Referral) -> Case:
    referral.refresh_from_db()
    return referral.case


def agenda(meeting: Meeting) -> list[tuple[int, int]]:
    """(case id, position) of each item, in order."""
    return list(meeting.items.order_by("position").values_list("case_id", "position"))


def panel_fields(case: Case) -> tuple:
    case.refresh_from_db()
    return case.status, case.panel_route, case.panel_waiting_since, case.panel_note


@pytest.fixture
def panel(world):
    """The county's panel (it covers every locality), with its next meetings scheduled."""
    today = timezone.localdate()
    return panel_services.panel_create(
        actor=world.county_coordinator,
        name="County Early Help Panel",
        locality=None,
        first_meeting_on=today - datetime.timedelta(days=today.weekday() + 28),
        weekday=1,
        meets_at=datetime.time(10, 0),
        venue="County Hall",
    )


@pytest.fixture
def next_meeting(panel) -> Meeting:
    return Meeting.objects.filter(panel=panel, starts_at__gt=timezone.now()).order_by("starts_at").first()


@pytest.fixture
def other_waiting(world):
    """Another family's case waiting for the panel, so an agenda has more than one item."""
    return case_services.case_open(
        actor=world.duty_manager,
        family=family_with_members(locality=world.north),
        level_of_need=world.level3,
        panel_route=PanelRoute.FRONT_DOOR,
    )


@pytest.fixture
def to_panel(world, submit_referral, destinations):
    """A referral received two days ago, decided to the panel: (the referral, its decision, its case)."""
    referral = submit_referral()
    Referral.objects.filter(pk=referral.pk).update(received_at=referral.received_at - datetime.timedelta(days=2))
    referral.refresh_from_db()
    decision = decide(world, referral, destinations["early-help-panel"])
    return referral, decision, case_of(referral)


def put_on_agenda(world, meeting, *cases) -> None:
    for case in cases:
        panel_services.agenda_add(actor=world.county_coordinator, meeting=meeting, case=case)


# --- Away from the panel, to a destination that opens a case -------------------------------------


def test_amended_from_the_panel_to_family_support_takes_the_case_off_the_waiting_list_and_the_agenda(
    world, to_panel, destinations, panel, next_meeting, other_waiting
):
    referral, decision, case = to_panel
    put_on_agenda(world, next_meeting, case, other_waiting)
    assert agenda(next_meeting) == [(case.pk, 1), (other_waiting.pk, 2)]

    amend(world, decision, destinations["targeted-family-support"])

    assert case_of(referral) == case
    assert panel_fields(case) == (CaseStatus.AWAITING_ALLOCATION, "", None, "")
    assert case.lead_agency_id is None and case.team_id is None and case.lead_professional_id is None
    assert Case.objects.filter(family=case.family).count() == 1
    assert case not in waiting_cases(panel)
    [clock] = offer_clocks(case)
    assert clock.cancelled_at is not None and clock.met_at is None
    assert not clock.alarms.exists()
    assert agenda(next_meeting) == [(other_waiting.pk, 1)]
    entry = ChronologyEntry.objects.get(case=case, event="case_panel_withdrawn")
    assert entry.summary == (
        f"No longer waiting for the panel: the front door decision on {referral.reference} was amended to "
        "early help or other support, Targeted family support"
    )
    assert entry.body == AMENDED and entry.author == world.duty_manager
    # The agenda had not been sent: nobody needs telling.
    assert not Notification.objects.filter(subject__startswith="Off the agenda").exists()


def test_the_case_is_left_as_a_first_decision_to_family_support_leaves_one(
    world, to_panel, submit_referral, destinations
):
    referral, decision, amended_case = to_panel
    first = submit_referral(
        people=[PersonData(kind="child", first_name="Leo", last_name="Marsh", date_of_birth=datetime.date(2015, 3, 9))],
        address_line_1="4 Quay Street",
    )
    decide(world, first, destinations["targeted-family-support"])
    first_case = case_of(first)

    amend(world, decision, destinations["targeted-family-support"])

    amended_case.refresh_from_db()
    fields = (
        *("status", "panel_route", "panel_waiting_since", "panel_note", "lead_agency_id", "team_id"),
        *("lead_professional_id", "level_of_need_id", "closure_reason_id", "closed_at"),
    )
    assert [getattr(amended_case, name) for name in fields] == [getattr(first_case, name) for name in fields]
    assert not running(offer_clocks(amended_case)).exists()
    assert not running(offer_clocks(first_case)).exists()


def test_a_case_another_referral_still_sends_to_the_panel_stays_on_the_waiting_list(
    world, to_panel, submit_referral, destinations, panel, next_meeting
):
    _referral, _decision, case = to_panel
    child = case.family.people.get(kind=Person.Kind.CHILD)
    second = submit_referral(people=[person_data(child)], referrer=world.health_practitioner)
    services.referral_person_link(actor=world.duty_manager, referral_person=second.people.get(), person=child)
    second_decision = decide(world, second, destinations["early-help-panel"])
    put_on_agenda(world, next_meeting, case)

    amend(world, second_decision, destinations["targeted-family-support"])

    assert case_of(second) == case
    assert panel_fields(case)[:2] == (CaseStatus.AWAITING_ALLOCATION, PanelRoute.FRONT_DOOR)
    assert running(offer_clocks(case)).count() == 1
    assert agenda(next_meeting) == [(case.pk, 1)]
    assert not ChronologyEntry.objects.filter(case=case, event="case_panel_withdrawn").exists()


def test_a_case_the_panel_has_allocated_is_left_to_the_panel(world, to_panel, destinations):
    _referral, decision, case = to_panel
    case_services.case_allocate(actor=world.county_coordinator, case=case, lead_agency=world.council, team=world.team)

    amend(world, decision, destinations["targeted-family-support"])

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL and case.lead_agency == world.council
    # Still met when the lead agency assigns its lead professional: the offer is on its way.
    assert running(offer_clocks(case)).count() == 1


def test_a_deferred_case_keeps_the_panels_decision_and_leaves_the_next_agenda(
    world, to_panel, destinations, panel, next_meeting
):
    _referral, decision, case = to_panel
    started = timezone.now() - datetime.timedelta(hours=1)
    meeting_now = Meeting.objects.create(
        panel=panel, slot_on=timezone.localdate(started) - datetime.timedelta(days=700), starts_at=started
    )
    put_on_agenda(world, meeting_now, case)
    [item] = AgendaItem.objects.filter(meeting=meeting_now, case=case)
    panel_services.decision_record(
        actor=world.county_coordinator, item=item, outcome=PanelOutcome.DEFER, reason="The school's view is needed."
    )
    assert agenda(next_meeting) == [(case.pk, 1)]

    amend(world, decision, destinations["childrens-centre"])

    assert agenda(meeting_now) == [(case.pk, 1)]
    assert agenda(next_meeting) == []
    assert panel_fields(case)[:2] == (CaseStatus.AWAITING_ALLOCATION, "")


def test_the_coordinators_are_told_when_a_sent_agenda_loses_a_case(world, to_panel, destinations, panel, next_meeting):
    _referral, decision, case = to_panel
    put_on_agenda(world, next_meeting, case)
    panel_services.agenda_send(actor=world.county_coordinator, meeting=next_meeting)

    amend(world, decision, destinations["targeted-family-support"])

    [told] = Notification.objects.filter(subject=f"Off the agenda: {case.reference}")
    assert told.recipient == world.county_coordinator
    assert reverse("panels:meeting", args=[next_meeting.pk]) in told.body
    assert case.family.name not in told.body
    assert agenda(next_meeting) == []


def test_partners_asked_about_the_case_before_the_panel_are_no_longer_chased(world, to_panel, destinations):
    _referral, decision, case = to_panel
    [request] = services.case_information_requests_create(
        actor=world.county_coordinator,
        case=case,
        agencies=[world.school],
        question="How is Amara's attendance this term?",
        due_at=timezone.now() + datetime.timedelta(days=5),
    )

    amend(world, decision, destinations["targeted-family-support"])

    [clock] = Deadline.objects.filter(subject_type="information_request", subject_id=request.pk)
    assert clock.cancelled_at is not None and clock.met_at is None
    assert InformationRequest.objects.get(pk=request.pk).answered_at is None


# --- To the panel, from a destination that opens a case ------------------------------------------


def test_amended_to_the_panel_from_family_support_puts_the_case_on_the_waiting_list(
    world, submit_referral, destinations, panel
):
    referral = submit_referral()
    decision = decide(world, referral, destinations["targeted-family-support"])
    case = case_of(referral)
    assert not offer_clocks(case).exists()

    amend(world, decision, destinations["early-help-panel"])

    status, route, since, _note = panel_fields(case)
    assert (status, route) == (CaseStatus.AWAITING_ALLOCATION, PanelRoute.FRONT_DOOR) and since is not None
    assert case in waiting_cases(panel)
    [clock] = offer_clocks(case)
    assert clock.started_at == referral.received_at and clock.met_at is None and clock.cancelled_at is None
    assert ChronologyEntry.objects.filter(case=case, event="case_panel_waiting").count() == 1


def test_amended_away_from_the_panel_and_back_waits_again_on_a_new_clock(world, to_panel, destinations):
    referral, decision, case = to_panel
    away = amend(world, decision, destinations["targeted-family-support"])

    amend(world, away, destinations["early-help-panel"])

    assert panel_fields(case)[:2] == (CaseStatus.AWAITING_ALLOCATION, PanelRoute.FRONT_DOOR)
    cancelled, started = offer_clocks(case)
    assert cancelled.cancelled_at is not None and cancelled.met_at is None
    assert started.cancelled_at is None and started.met_at is None
    assert started.started_at == referral.received_at


# --- To no case ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "code"),
    [
        (DecisionOutcome.EARLY_HELP, "universal-advice"),
        (DecisionOutcome.STEP_UP, None),
        (DecisionOutcome.NO_FURTHER_ACTION, None),
    ],
)
def test_amended_from_the_panel_to_no_case_closes_it_and_takes_it_off_the_agenda(
    world, to_panel, destinations, next_meeting, other_waiting, outcome, code
):
    referral, decision, case = to_panel
    put_on_agenda(world, next_meeting, case, other_waiting)

    amend(world, decision, destinations.get(code), outcome=outcome)

    assert panel_fields(case) == (CaseStatus.CLOSED, "", None, "")
    assert case.closure_reason.code == "opened-in-error"
    [clock] = offer_clocks(case)
    assert clock.cancelled_at is not None and clock.met_at is None
    assert agenda(next_meeting) == [(other_waiting.pk, 1)]
    assert case_of(referral) is None


def test_amended_from_family_support_to_no_case_closes_it_with_nothing_for_the_panel(
    world, submit_referral, destinations, panel
):
    referral = submit_referral()
    decision = decide(world, referral, destinations["targeted-family-support"])
    case = case_of(referral)

    amend(world, decision, destinations["universal-advice"])

    assert panel_fields(case) == (CaseStatus.CLOSED, "", None, "")
    assert not offer_clocks(case).exists()
    assert not AgendaItem.objects.filter(case=case).exists()


def test_a_joined_case_left_open_by_an_amendment_to_no_case_leaves_the_waiting_list(
    world, submit_referral, destinations
):
    """The family's case was opened for family support; a second referral sent it to the panel and is
    then amended to advice: the case stays open (not this referral's) and no longer waits."""
    first = submit_referral()
    decide(world, first, destinations["targeted-family-support"])
    case = case_of(first)
    child = case.family.people.get(kind=Person.Kind.CHILD)
    second = submit_referral(people=[person_data(child)], referrer=world.health_practitioner)
    services.referral_person_link(actor=world.duty_manager, referral_person=second.people.get(), person=child)
    to_panel = decide(world, second, destinations["early-help-panel"])
    assert panel_fields(case)[1] == PanelRoute.FRONT_DOOR

    amend(world, to_panel, destinations["universal-advice"])

    assert panel_fields(case) == (CaseStatus.AWAITING_ALLOCATION, "", None, "")
    assert case_of(second) is None and case_of(first) == case
    [clock] = offer_clocks(case)
    assert clock.cancelled_at is not None and clock.met_at is None


# --- The page --------------------------------------------------------------------------------------


def test_the_duty_managers_amend_page_takes_the_case_off_the_waiting_list(
    world, client_for, to_panel, destinations, panel, next_meeting
):
    referral, decision, case = to_panel
    put_on_agenda(world, next_meeting, case)
    url = reverse("front_door:decision-amend", args=[referral.pk, decision.pk])

    response = client_for(world.duty_manager).post(
        url,
        {
            "outcome": DecisionOutcome.EARLY_HELP,
            "level_of_need": world.level3.pk,
            "destination": destinations["targeted-family-support"].pk,
            "reason": AMENDED,
        },
        follow=True,
    )

    assert response.status_code == 200
    assert "Decision amended: Early help or other support: Targeted family support" in response.content.decode()
    assert panel_fields(case) == (CaseStatus.AWAITING_ALLOCATION, "", None, "")
    [clock] = offer_clocks(case)
    assert clock.cancelled_at is not None and clock.met_at is None
    assert agenda(next_meeting) == []


# --- The shared record's service and the panel's receiver ------------------------------------------


def test_only_a_duty_manager_takes_a_case_off_the_waiting_list(world, to_panel):
    _referral, _decision, case = to_panel

    with pytest.raises(PermissionDenied):
        case_services.case_withdraw_from_panel(actor=world.county_coordinator, case=case, summary="Not needed.")

    assert panel_fields(case)[1] == PanelRoute.FRONT_DOOR
    assert running(offer_clocks(case)).count() == 1


def test_a_case_its_team_sent_back_is_not_taken_off_by_the_front_door(world):
    case = open_case(world, status="active")
    case_services.case_return_to_panel(actor=world.lead, case=case, route=PanelRoute.DISENGAGED, note="No contact.")

    with pytest.raises(TransitionNotAllowed):
        case_services.case_withdraw_from_panel(actor=world.duty_manager, case=case, summary="Not needed.")

    assert panel_fields(case)[:2] == (CaseStatus.AWAITING_ALLOCATION, PanelRoute.DISENGAGED)


def test_a_case_closed_while_on_an_upcoming_agenda_leaves_it(world, next_meeting, other_waiting):
    case = case_services.case_open(
        actor=world.duty_manager,
        family=family_with_members(locality=world.north),
        level_of_need=world.level3,
        panel_route=PanelRoute.FRONT_DOOR,
    )
    put_on_agenda(world, next_meeting, case, other_waiting)

    case_services.case_close_unallocated(
        actor=world.county_coordinator, case=case, reason=world.outcomes_met, summary="The family moved away."
    )

    assert agenda(next_meeting) == [(other_waiting.pk, 1)]
