"""The duty manager's decision, through the services: every path (step up, MASH, early help that
opens or joins a case, destinations that open none), the 24-hour clock, amendments that never
overwrite, claims, the letter queued on commit, and the table of allowed moves."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import Case, CaseStatus, ChronologyEntry, Deadline, LevelOfNeed, Person
from cases.roles import Role
from front_door import selectors, services, tasks
from front_door.models import Decision, DecisionOutcome, InformationRequest, Referral, ReferralStatus
from front_door.services import ReferralClaimed
from tests.conftest import open_case
from tests.factories import PersonFactory, UserFactory
from tests.front_door.helpers import person_data

REASON = "Persistent absence and low mood; the family wants help."


def decide(world, referral, outcome, destination=None, **kwargs) -> Decision:
    return services.referral_decide(
        confirm_new_people=True,
        actor=kwargs.pop("actor", world.duty_manager),
        referral=referral,
        outcome=outcome,
        level_of_need=kwargs.pop("level_of_need", world.level3),
        reason=kwargs.pop("reason", REASON),
        destination=destination,
        **kwargs,
    )


def decision_clock(referral) -> Deadline:
    return Deadline.objects.get(timescale__code="front-door-decision", subject_type="referral", subject_id=referral.pk)


# --- Every path ---------------------------------------------------------------------------------


def test_step_up_to_social_care(world, submit_referral):
    referral = submit_referral()

    decision = decide(world, referral, DecisionOutcome.STEP_UP, reason="Bruising explained badly: harm suspected.")

    referral.refresh_from_db()
    entry = ChronologyEntry.objects.get(family=referral.family, event="referral_decided")
    assert referral.status == ReferralStatus.DECIDED
    assert decision.outcome == DecisionOutcome.STEP_UP and decision.destination is None
    assert entry.summary == (f"Front door decision on {referral.reference}: threshold for children's social care met")
    assert entry.body == "Bruising explained badly: harm suspected."
    assert referral.case is None
    assert not Case.objects.exists()
    assert not InformationRequest.objects.exists()


def test_more_information_asks_the_partner_agencies(world, submit_referral):
    referral = submit_referral()

    decide(
        world,
        referral,
        DecisionOutcome.MORE_INFORMATION,
        information_requests=[(world.school, "Attendance and any worries?"), (world.health, "Known to you?")],
    )

    referral.refresh_from_db()
    requests = {r.agency: r for r in InformationRequest.objects.filter(referral=referral)}
    deadlines = Deadline.objects.filter(timescale__code="mash-information", subject_type="information_request")
    assert referral.status == ReferralStatus.MORE_INFORMATION
    assert set(requests) == {world.school, world.health}
    assert requests[world.health].question == "Known to you?"
    assert requests[world.health].requested_by == world.duty_manager
    assert {d.remind_agency for d in deadlines} == {world.school, world.health}
    assert {d.escalate_role for d in deadlines} == {Role.DUTY_MANAGER}
    assert {d.subject_id: d.due_at for d in deadlines} == {r.pk: r.due_at for r in requests.values()}
    assert ChronologyEntry.objects.filter(
        family=referral.family, summary__startswith=f"Front door decision on {referral.reference}: more information"
    ).exists()
    assert not Case.objects.exists()


def test_after_the_partners_answer_the_referral_is_decided(world, submit_referral, destinations):
    referral = submit_referral()
    decide(world, referral, DecisionOutcome.MORE_INFORMATION, information_requests=[(world.health, "Known?")])

    decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert referral.case.status == CaseStatus.AWAITING_ALLOCATION
    assert referral.decisions.count() == 2


def test_early_help_opens_a_case_awaiting_allocation(world, submit_referral, destinations):
    referral = submit_referral()

    decision = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])

    referral.refresh_from_db()
    case = referral.case
    assert decision.destination == destinations["targeted-family-support"]
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.family == referral.family
    assert case.level_of_need == world.level3
    assert case.locality == referral.locality == world.north
    assert referral.family.locality == world.north
    assert sorted(p.full_name for p in referral.family.people.all()) == ["Amara Okafor", "Grace Okafor"]
    assert ChronologyEntry.objects.filter(
        family=referral.family, summary__endswith="early help or other support, Targeted family support"
    ).exists()


def test_early_help_joins_the_familys_open_case(world, submit_referral, destinations):
    case = open_case(world, status="active")
    child = case.family.people.get(kind="child")
    referral = submit_referral(people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=child)

    decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])

    referral.refresh_from_db()
    assert referral.family == case.family
    assert referral.case == case
    assert Case.objects.count() == 1
    assert child.memberships.count() == 1


def test_someone_named_with_a_known_nhs_number_is_linked_to_that_person(world, submit_referral, destinations):
    known = PersonFactory(first_name="Amara", last_name="Okafor", nhs_number="9434765919")
    referral = submit_referral()

    decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["targeted-family-support"])

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert referral.people.get(first_name="Amara").person == known
    assert Person.objects.filter(nhs_number="9434765919").count() == 1
    assert known.memberships.filter(family=referral.family).exists()


@pytest.mark.parametrize("code", ["universal-advice", "specialist-service"])
def test_destinations_that_open_no_case(world, submit_referral, destinations, code):
    referral = submit_referral()

    decide(world, referral, DecisionOutcome.EARLY_HELP, destinations[code], level_of_need=world.level3)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED
    assert referral.case is None
    assert not Case.objects.exists()


@pytest.mark.parametrize(
    ("outcome", "destination", "requests", "field"),
    [
        (DecisionOutcome.EARLY_HELP, None, [], "destination"),
        (DecisionOutcome.STEP_UP, "no-further-action", [], "destination"),
        (DecisionOutcome.MORE_INFORMATION, None, [], "agencies"),
        ("abolish", None, [], "outcome"),
    ],
)
def test_decisions_that_do_not_hold_together_are_refused(
    world, submit_referral, destinations, outcome, destination, requests, field
):
    referral = submit_referral()

    with pytest.raises(ValidationError) as error:
        decide(world, referral, outcome, destinations.get(destination), information_requests=requests)

    assert field in error.value.message_dict
    assert not Decision.objects.exists()


def test_a_decision_needs_a_reason(world, submit_referral):
    referral = submit_referral()

    with pytest.raises(ValidationError) as error:
        decide(world, referral, DecisionOutcome.STEP_UP, reason="  ")

    assert error.value.message_dict["reason"] == ["Enter the reason for the decision"]


def test_only_duty_managers_decide(world, submit_referral):
    referral = submit_referral()

    with pytest.raises(PermissionDenied):
        decide(world, referral, DecisionOutcome.STEP_UP, actor=world.team_manager)


# --- The 24-hour clock --------------------------------------------------------------------------


def test_the_decision_meets_the_24_hour_deadline(world, submit_referral, destinations):
    referral = submit_referral()
    running = decision_clock(referral)

    decision = decide(world, referral, DecisionOutcome.NO_FURTHER_ACTION)

    clock = decision_clock(referral)
    assert running.met_at is None
    assert clock.due_at == referral.received_at + datetime.timedelta(hours=24)
    assert decision.decided_at <= clock.met_at <= clock.due_at


# --- Amendments -----------------------------------------------------------------------------------


def test_a_decision_is_corrected_only_by_an_amendment(world, submit_referral, destinations):
    referral = submit_referral()
    old = decide(world, referral, DecisionOutcome.EARLY_HELP, destinations["universal-advice"])
    before = Decision.objects.filter(pk=old.pk).values().get()

    new = services.decision_amend(
        actor=world.duty_manager,
        decision=old,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=world.level3,
        reason="New information from school: family support is needed.",
        destination=destinations["targeted-family-support"],
    )

    referral.refresh_from_db()
    assert Decision.objects.filter(pk=old.pk).values().get() == before
    assert new.amends == old
    assert old.amended_by == new
    assert referral.case.status == CaseStatus.AWAITING_ALLOCATION
    assert selectors.current_decision(referral=referral) == new


def test_amending_the_same_decision_twice_is_refused(world, submit_referral, destinations):
    referral = submit_referral()
    old = decide(world, referral, DecisionOutcome.STEP_UP)
    services.decision_amend(
        actor=world.duty_manager,
        decision=old,
        outcome=DecisionOutcome.NO_FURTHER_ACTION,
        level_of_need=world.level3,
        reason="Not harm: needs support.",
    )

    with pytest.raises(ValidationError, match="already been amended") as error:
        services.decision_amend(
            actor=world.duty_manager,
            decision=old,
            outcome=DecisionOutcome.STEP_UP,
            level_of_need=world.level3,
            reason="Back again.",
        )

    assert error.value.code == "amended"
    assert Decision.objects.filter(referral=referral).count() == 2


def test_an_amendment_cannot_ask_partners(world, submit_referral):
    referral = submit_referral()
    old = decide(world, referral, DecisionOutcome.STEP_UP)

    with pytest.raises(ValidationError) as error:
        services.decision_amend(
            actor=world.duty_manager,
            decision=old,
            outcome=DecisionOutcome.MORE_INFORMATION,
            level_of_need=world.level3,
            reason="Ask.",
        )

    assert "outcome" in error.value.message_dict


def test_a_decided_referral_is_not_decided_again(world, submit_referral):
    referral = submit_referral()
    decide(world, referral, DecisionOutcome.STEP_UP)

    with pytest.raises(ValidationError, match="amend the decision instead") as error:
        decide(world, referral, DecisionOutcome.STEP_UP, reason="Again.")

    assert error.value.code == "decided"
    assert Decision.objects.count() == 1


# --- Claims --------------------------------------------------------------------------------------


def test_the_second_managers_decision_on_a_claimed_referral_is_refused(world, submit_referral):
    second = UserFactory(username="duty2", agency=world.council, roles=[Role.DUTY_MANAGER])
    referral = submit_referral()
    services.referral_claim(actor=world.duty_manager, referral=referral)

    with pytest.raises(ReferralClaimed):
        decide(world, referral, DecisionOutcome.STEP_UP, actor=second)
    with pytest.raises(ReferralClaimed):
        services.referral_claim(actor=second, referral=referral)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.AWAITING_DECISION
    assert referral.claimed_by == world.duty_manager
    assert not Decision.objects.exists()


def test_deciding_releases_the_claim(world, submit_referral):
    referral = submit_referral()
    services.referral_claim(actor=world.duty_manager, referral=referral)

    decide(world, referral, DecisionOutcome.STEP_UP)

    referral.refresh_from_db()
    assert referral.claimed_by is None and referral.claimed_at is None


def test_only_duty_managers_claim(world, submit_referral):
    referral = submit_referral()

    with pytest.raises(PermissionDenied):
        services.referral_claim(actor=world.school_practitioner, referral=referral)


def test_a_decided_referral_cannot_be_claimed(world, submit_referral):
    referral = submit_referral()
    decide(world, referral, DecisionOutcome.STEP_UP)

    with pytest.raises(ValidationError, match="not waiting for a decision"):
        services.referral_claim(actor=world.duty_manager, referral=referral)


# --- The letter is queued when the decision commits -------------------------------------------


@pytest.mark.parametrize(
    ("outcome", "destination", "requests"),
    [
        (DecisionOutcome.STEP_UP, None, False),
        (DecisionOutcome.MORE_INFORMATION, None, True),
        (DecisionOutcome.EARLY_HELP, "targeted-family-support", False),
        (DecisionOutcome.NO_FURTHER_ACTION, None, False),
    ],
)
def test_the_letter_task_is_enqueued_on_commit(
    world,
    submit_referral,
    destinations,
    monkeypatch,
    django_capture_on_commit_callbacks,
    outcome,
    destination,
    requests,
):
    referral = submit_referral()
    queued = []
    monkeypatch.setattr(tasks.send_referrer_letter, "delay", lambda decision_id: queued.append(decision_id))

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        decision = decide(
            world,
            referral,
            outcome,
            destinations.get(destination),
            information_requests=[(world.health, "Known?")] if requests else [],
        )
    assert queued == []  # nothing is sent before the decision is committed
    for callback in callbacks:
        callback()

    assert queued == [decision.pk]


def test_an_amendment_queues_a_new_letter(world, submit_referral, monkeypatch, django_capture_on_commit_callbacks):
    referral = submit_referral()
    old = decide(world, referral, DecisionOutcome.STEP_UP)
    queued = []
    monkeypatch.setattr(tasks.send_referrer_letter, "delay", lambda decision_id: queued.append(decision_id))

    with django_capture_on_commit_callbacks(execute=True):
        new = services.decision_amend(
            actor=world.duty_manager,
            decision=old,
            outcome=DecisionOutcome.STEP_UP,
            level_of_need=LevelOfNeed.objects.get(code="level-4"),
            reason="Level 4, not 3.",
        )

    assert queued == [new.pk]


# --- Every allowed and forbidden move ----------------------------------------------------------

St, Out = ReferralStatus, DecisionOutcome
ALLOWED_MOVES = [
    (St.AWAITING_DECISION, Out.STEP_UP, St.DECIDED),
    (St.AWAITING_DECISION, Out.MORE_INFORMATION, St.MORE_INFORMATION),
    (St.AWAITING_DECISION, Out.EARLY_HELP, St.DECIDED),
    (St.MORE_INFORMATION, Out.STEP_UP, St.DECIDED),
    (St.MORE_INFORMATION, Out.MORE_INFORMATION, St.MORE_INFORMATION),
    (St.MORE_INFORMATION, Out.EARLY_HELP, St.DECIDED),
]
FORBIDDEN_MOVES = [
    (St.DECIDED, Out.STEP_UP),
    (St.DECIDED, Out.MORE_INFORMATION),
    (St.DECIDED, Out.EARLY_HELP),
    (St.DRAFT, Out.STEP_UP),
    (St.DRAFT, Out.MORE_INFORMATION),
    (St.DRAFT, Out.EARLY_HELP),
]
# What each outcome needs besides a reason.
DESTINATION_FOR = {Out.EARLY_HELP: "universal-advice"}
QUESTIONS_FOR = {Out.MORE_INFORMATION: "Known to you?"}


def referral_in(submit_referral, status) -> Referral:
    referral = submit_referral()
    Referral.objects.filter(pk=referral.pk).update(status=status)
    referral.refresh_from_db()
    return referral


def decide_any(world, referral, outcome, destinations) -> Decision:
    question = QUESTIONS_FOR.get(outcome)
    return decide(
        world,
        referral,
        outcome,
        destinations.get(DESTINATION_FOR.get(outcome)),
        information_requests=[(world.health, question)] * bool(question),
    )


@pytest.mark.parametrize(("before", "outcome", "after"), ALLOWED_MOVES)
def test_allowed_decision_moves(world, submit_referral, destinations, before, outcome, after):
    referral = referral_in(submit_referral, before)

    decide_any(world, referral, outcome, destinations)

    referral.refresh_from_db()
    assert (before, after) in services.ALLOWED_TRANSITIONS
    assert referral.status == after


@pytest.mark.parametrize(("before", "outcome"), FORBIDDEN_MOVES)
def test_forbidden_decision_moves(world, submit_referral, destinations, before, outcome):
    referral = referral_in(submit_referral, before)

    with pytest.raises(ValidationError) as error:
        decide_any(world, referral, outcome, destinations)

    referral.refresh_from_db()
    assert error.value.code == "decided"
    assert referral.status == before
    assert not Decision.objects.exists()
