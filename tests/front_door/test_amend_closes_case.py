"""Amending an early help decision that gave help through a case to one that gives none (step up, or
a destination that opens no case): the case the decision opened closes as opened in error while
nobody has started work on it; the family's case the referral joined, or a case a team has begun,
stays open with a note for the team. Either way the referral leaves the case."""

from __future__ import annotations

import pytest

from cases import services as case_services
from cases.configuration import OPENED_IN_ERROR
from cases.deadlines import deadline_start
from cases.models import Case, CaseStatus, ChronologyEntry, ClosureReason, Deadline, Person
from cases.roles import Role
from front_door import services
from front_door.models import Decision, DecisionOutcome
from tests.conftest import open_case
from tests.front_door.helpers import person_data

REASON = "Persistent absence and low mood; the family wants help."


def decide(world, referral, outcome, destination=None) -> Decision:
    return services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=outcome,
        level_of_need=world.level3,
        reason=REASON,
        destination=destination,
    )


def amend(world, decision, outcome, destination=None, reason="The school has since reported bruising.") -> Decision:
    return services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=outcome,
        level_of_need=world.level3,
        reason=reason,
        destination=destination,
    )


def referral_joining(world, submit_referral, case):
    """A referral about the child of `case`'s family, linked to them so that it joins their case."""
    child = case.family.people.get(kind=Person.Kind.CHILD)
    referral = submit_referral(people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=child)
    return referral


def case_clock(case) -> Deadline:
    """A clock on the case, as the allocation stage starts one (case_open itself starts none)."""
    return deadline_start(
        timescale_code="lead-professional",
        subject_type="case",
        subject_id=case.pk,
        reference=case.reference,
        case=case,
        escalate_role=Role.TEAM_MANAGER,
    )


def left_open_notes(case):
    return ChronologyEntry.objects.filter(case=case, event="referral_decision_amended")


# --- The case the amended decision opened closes ------------------------------------------------


def test_amended_to_step_up_closes_the_case_it_opened(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    case = referral.case

    amend(world, decision, DecisionOutcome.STEP_UP)

    case.refresh_from_db()
    referral.refresh_from_db()
    entry = ChronologyEntry.objects.get(case=case, event="case_closed_in_error")
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason == ClosureReason.objects.get(code=OPENED_IN_ERROR)
    assert case.closed_at is not None
    assert case.closure_summary == (
        f"The front door decision on referral {referral.reference} that opened this case was amended to "
        "threshold for children's social care met: The school has since reported bruising."
    )
    assert referral.case is None
    assert entry.summary == "Closed: Opened in error: the front door decision was amended"
    assert entry.author == world.duty_manager
    assert entry.kind == ChronologyEntry.Kind.EVENT
    assert not left_open_notes(case).exists()
    assert Case.objects.count() == 1


@pytest.mark.parametrize("code", ["universal-advice", "specialist-service"])
def test_amended_to_a_destination_that_opens_no_case_closes_the_case_it_opened(
    world, submit_referral, destinations, code
):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["childrens-centre"])
    referral.refresh_from_db()
    case = referral.case

    amend(world, decision, DecisionOutcome.EARLY_HELP, destinations[code], reason="The family is already helped.")

    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason.code == OPENED_IN_ERROR
    assert case.closure_summary.endswith(
        f"early help or other support, {destinations[code].name}: The family is already helped."
    )
    assert referral.case is None
    assert ChronologyEntry.objects.filter(case=case, event="case_closed_in_error").count() == 1


def test_the_closure_cancels_the_cases_clocks(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    clock = case_clock(referral.case)

    amend(world, decision, DecisionOutcome.STEP_UP)

    clock.refresh_from_db()
    assert clock.cancelled_at is not None
    assert clock.met_at is None
    assert not clock.alarms.exists()


def test_a_case_opened_by_an_earlier_decision_of_the_same_referral_closes(world, submit_referral, destinations):
    referral = submit_referral()
    first = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    second = amend(world, first, DecisionOutcome.EARLY_HELP, destinations["childrens-centre"])
    referral.refresh_from_db()
    case = referral.case

    amend(world, second, DecisionOutcome.NO_FURTHER_ACTION)

    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED
    assert case.closure_reason.code == OPENED_IN_ERROR


def test_an_amendment_to_another_destination_that_opens_a_case_keeps_it(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    case = referral.case

    amend(world, decision, DecisionOutcome.EARLY_HELP, destinations["childrens-centre"])

    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert referral.case == case
    assert not ChronologyEntry.objects.filter(case=case, event="case_closed_in_error").exists()
    assert not left_open_notes(case).exists()


def test_after_the_closure_a_new_early_help_decision_opens_a_new_case(world, submit_referral, destinations):
    referral = submit_referral()
    first = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    closed = referral.case
    second = amend(world, first, DecisionOutcome.STEP_UP)

    amend(world, second, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"], reason="Not harm.")

    referral.refresh_from_db()
    closed.refresh_from_db()
    assert closed.status == CaseStatus.CLOSED
    assert referral.case != closed
    assert referral.case.status == CaseStatus.AWAITING_ALLOCATION


# --- Any other case stays open, with a note for the team ----------------------------------------


@pytest.mark.parametrize("status", ["awaiting_allocation", "active"])
def test_the_familys_case_the_referral_joined_stays_open_with_a_note(world, submit_referral, destinations, status):
    case = open_case(world, status=status)
    case.refresh_from_db()
    referral = referral_joining(world, submit_referral, case)
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    assert referral.case == case
    clock = case_clock(case)

    amend(world, decision, DecisionOutcome.STEP_UP)

    case.refresh_from_db()
    referral.refresh_from_db()
    note = left_open_notes(case).get()
    clock.refresh_from_db()
    assert case.status == status
    assert case.closure_reason is None
    assert referral.case is None
    assert note.kind == ChronologyEntry.Kind.NOTE
    assert note.summary == (
        f"Case left open for the team to review: the front door decision on {referral.reference} "
        "was amended to threshold for children's social care met"
    )
    assert note.body == "The school has since reported bruising."
    assert note.author == world.duty_manager
    assert note.family == case.family
    assert clock.cancelled_at is None
    assert not ChronologyEntry.objects.filter(case=case, event="case_closed_in_error").exists()


def test_a_case_the_referral_opened_with_a_lead_professional_stays_open_with_a_note(
    world, submit_referral, destinations
):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    case = referral.case
    case_services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)
    case_services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    amend(world, decision, DecisionOutcome.NO_FURTHER_ACTION)

    case.refresh_from_db()
    referral.refresh_from_db()
    note = left_open_notes(case).get()
    assert case.status == CaseStatus.ACTIVE
    assert case.lead_professional == world.lead
    assert referral.case is None
    assert note.summary == (
        f"Case left open for the team to review: the front door decision on {referral.reference} "
        "was amended to no further action"
    )


def test_a_case_the_referral_opened_and_the_panel_allocated_stays_open_with_a_note(
    world, submit_referral, destinations
):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["early-help-panel"])
    referral.refresh_from_db()
    case = referral.case
    case_services.case_allocate(actor=world.panel_coordinator, case=case, lead_agency=world.council, team=world.team)

    amend(world, decision, DecisionOutcome.STEP_UP)

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    assert left_open_notes(case).count() == 1


def test_a_case_another_referral_also_joined_stays_open_with_a_note(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    case = referral.case
    other = referral_joining(world, submit_referral, case)
    decide(world, other, DecisionOutcome.EARLY_HELP, destinations["childrens-centre"])

    amend(world, decision, DecisionOutcome.STEP_UP)

    case.refresh_from_db()
    other.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert other.case == case
    assert left_open_notes(case).count() == 1


def test_a_case_closed_since_is_left_as_it_is(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])
    referral.refresh_from_db()
    case = referral.case
    case_services.case_close_unallocated(
        actor=world.panel_coordinator, case=case, reason=world.outcomes_met, summary="The family moved away."
    )
    before = list(ChronologyEntry.objects.filter(case=case).values_list("pk", flat=True))

    amend(world, decision, DecisionOutcome.STEP_UP)

    case.refresh_from_db()
    referral.refresh_from_db()
    assert case.closure_reason == world.outcomes_met
    assert referral.case == case
    assert list(ChronologyEntry.objects.filter(case=case).values_list("pk", flat=True)) == before
