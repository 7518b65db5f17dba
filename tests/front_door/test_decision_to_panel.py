"""A front door decision whose destination goes to the Early Help Panel opens the case for the panel
(it waits on the panel's list, as from the front door) and starts the 10-day clock from the front
door to an offer of support, counted from when the referral was received; an amendment that closes
the case stops it."""

from __future__ import annotations

import datetime

import pytest

from cases.models import CaseStatus, Deadline, PanelRoute, Person
from cases.roles import Role
from front_door import services
from front_door.models import DecisionOutcome, Referral
from tests.conftest import open_case
from tests.front_door.helpers import decide, person_data


def offer_clocks(case):
    return Deadline.objects.filter(timescale__code="front-door-to-offer", subject_type="case", subject_id=case.pk)


@pytest.fixture
def received_two_days_ago(submit_referral):
    referral = submit_referral()
    earlier = referral.received_at - datetime.timedelta(days=2)
    Referral.objects.filter(pk=referral.pk).update(received_at=earlier)
    referral.refresh_from_db()
    return referral


def test_a_decision_to_the_panel_opens_the_case_for_the_panel_and_starts_the_10_day_clock(
    world, received_two_days_ago, destinations
):
    referral = received_two_days_ago

    decide(world, referral, destinations["early-help-panel"])

    referral.refresh_from_db()
    case = referral.case
    [clock] = offer_clocks(case)
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert case.panel_route == PanelRoute.FRONT_DOOR and case.panel_waiting_since is not None
    assert clock.case == case and clock.reference == case.reference
    assert clock.started_at == referral.received_at
    assert clock.due_at == referral.received_at + datetime.timedelta(days=10)
    assert clock.remind_role == Role.PANEL_COORDINATOR and clock.escalate_role == Role.PANEL_COORDINATOR
    assert clock.met_at is None and clock.cancelled_at is None


def test_a_destination_that_does_not_go_to_the_panel_starts_no_clock(world, submit_referral, destinations):
    referral = submit_referral()

    decide(world, referral, destinations["targeted-family-support"])

    referral.refresh_from_db()
    assert referral.case.panel_route == ""
    assert not offer_clocks(referral.case).exists()


def test_a_second_referral_to_the_panel_keeps_the_first_ones_clock(
    world, received_two_days_ago, submit_referral, destinations
):
    decide(world, received_two_days_ago, destinations["early-help-panel"])
    received_two_days_ago.refresh_from_db()
    case = received_two_days_ago.case
    child = case.family.people.get(kind=Person.Kind.CHILD)
    second = submit_referral(people=[person_data(child)], referrer=world.health_practitioner)
    services.referral_person_link(actor=world.duty_manager, referral_person=second.people.get(), person=child)

    decide(world, second, destinations["early-help-panel"])

    second.refresh_from_db()
    assert second.case == case
    [clock] = offer_clocks(case)
    assert clock.started_at == received_two_days_ago.received_at


def test_a_family_whose_case_is_already_led_is_not_sent_back_to_the_panel(world, submit_referral, destinations):
    case = open_case(world, status="active")
    child = case.family.people.get(kind=Person.Kind.CHILD)
    referral = submit_referral(people=[person_data(child)])
    services.referral_person_link(actor=world.duty_manager, referral_person=referral.people.get(), person=child)

    decide(world, referral, destinations["early-help-panel"])

    case.refresh_from_db()
    assert case.status == CaseStatus.ACTIVE and case.panel_route == ""
    assert not offer_clocks(case).exists()


def test_an_amendment_that_closes_the_case_cancels_the_clock(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, destinations["early-help-panel"])
    referral.refresh_from_db()
    case = referral.case

    services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=DecisionOutcome.STEP_UP,
        level_of_need=world.level3,
        reason="The school has since reported bruising.",
    )

    case.refresh_from_db()
    [clock] = offer_clocks(case)
    assert case.status == CaseStatus.CLOSED
    assert clock.cancelled_at is not None and clock.met_at is None
    assert not clock.alarms.exists()


def test_an_amendment_to_the_panel_opens_the_case_for_the_panel(world, submit_referral, destinations):
    referral = submit_referral()
    decision = decide(world, referral, destinations["universal-advice"])

    services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=DecisionOutcome.EARLY_HELP,
        destination=destinations["early-help-panel"],
        level_of_need=world.level3,
        reason="Several agencies are involved after all.",
    )

    referral.refresh_from_db()
    assert referral.case.panel_route == PanelRoute.FRONT_DOOR
    assert offer_clocks(referral.case).get().started_at == referral.received_at
