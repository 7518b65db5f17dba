"""Step up from early help: the front door's side (front_door/step_up.py). A referral on its own
channel with the case linked, urgent at the top of the queue, the duty managers told once."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from cases.models import ChronologyEntry, Notification
from front_door import selectors
from front_door.models import Channel, DecisionOutcome, Handover, Referral, ReferralStatus
from front_door.step_up import referral_from_step_up
from tests.conftest import open_case
from tests.factories import UserFactory
from tests.front_door.helpers import decide

REASON = "Bruising seen on the younger child's arm; the explanation changed twice."


@pytest.fixture
def case(world):
    return open_case(world)


def test_a_step_up_is_a_referral_on_its_own_channel_with_the_case_and_family_linked(world, case):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    referral.refresh_from_db()
    assert referral.channel == Channel.STEP_UP
    assert referral.get_channel_display() == "Step up from early help"
    assert referral.status == ReferralStatus.AWAITING_DECISION
    assert referral.reference and referral.received_at and referral.decision_due_at
    assert (referral.case, referral.family, referral.referrer) == (case, case.family, world.lead)
    assert REASON in referral.concerns and case.reference in referral.concerns
    # Everyone in the household, each linked to their record: triage has the family's history.
    household = set(case.family.memberships.filter(in_household=True).values_list("person_id", flat=True))
    assert set(referral.people.values_list("person_id", flat=True)) == household
    handover = Handover.objects.get(referral=referral)
    assert (handover.direction, handover.case, handover.reason, handover.made_by) == (
        "step_up",
        case,
        REASON,
        world.lead,
    )


def test_the_chronology_records_it_on_the_case_and_the_family(world, case):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    on_case = ChronologyEntry.objects.get(case=case, event="case_stepped_up")
    assert referral.reference in on_case.summary and on_case.body == REASON and on_case.author == world.lead
    assert ChronologyEntry.objects.filter(
        family=case.family, event="referral_received", summary__contains=referral.reference
    ).exists()


def test_every_duty_manager_is_told_at_once_and_only_once(world, case):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)
    again = referral_from_step_up(actor=world.lead, case=case, reason="Pressed twice")

    assert again.pk == referral.pk
    assert Referral.objects.filter(channel=Channel.STEP_UP).count() == 1
    sent = Notification.objects.filter(dedupe_key__startswith=f"step-up:{referral.pk}:")
    assert {n.recipient for n in sent} == {world.duty_manager, world.duty_lead}
    assert sent.count() == 2
    for message in sent:
        assert referral.reference in message.subject and f"/front-door/referrals/{referral.pk}/" in message.body
        # A link, never the family's details.
        assert case.family.name.split()[0] not in message.body and "Bruising" not in message.body


def test_a_step_up_is_at_the_top_of_the_queue_whatever_the_order(world, case, submit_referral):
    older = submit_referral()
    step_up = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    assert [r.pk for r in selectors.referral_queue()][:2] == [step_up.pk, older.pk]
    assert list(selectors.referral_queue(sort="due"))[0].pk == step_up.pk


def test_the_queue_page_marks_it_urgent(world, case, client_for):
    referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    html = client_for(world.duty_manager).get("/front-door/").content.decode()

    assert "Urgent: step up" in html


def test_the_team_manager_may_step_up_too(world, case):
    referral = referral_from_step_up(actor=world.team_manager, case=case, reason=REASON)

    assert referral.referrer == world.team_manager


@pytest.mark.parametrize("who", ["duty_manager", "panel_coordinator", "school_practitioner", "other_lead", "analyst"])
def test_only_who_manages_the_case_steps_it_up(world, case, who):
    with pytest.raises(PermissionDenied):
        referral_from_step_up(actor=getattr(world, who), case=case, reason=REASON)

    assert not Referral.objects.filter(channel=Channel.STEP_UP).exists()


def test_a_reason_is_needed(world, case):
    with pytest.raises(ValidationError) as error:
        referral_from_step_up(actor=world.lead, case=case, reason="   ")

    assert error.value.message_dict == {"reason": ["Enter why the family needs children's social care"]}


def test_only_an_active_case_is_stepped_up(world):
    closing = open_case(world, status="closure_requested")

    with pytest.raises(ValidationError, match="Only an active case can be stepped up"):
        referral_from_step_up(actor=world.team_manager, case=closing, reason=REASON)


def test_the_front_doors_decision_is_the_ordinary_one_and_a_later_step_up_may_follow(world, case):
    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    decision = decide(world, referral, None, outcome=DecisionOutcome.STEP_UP)

    referral.refresh_from_db()
    assert referral.status == ReferralStatus.DECIDED and decision.referral_id == referral.pk
    # Decided: a new concern makes a new step up (linked as a repeat of the first within 7 days).
    second = referral_from_step_up(actor=world.lead, case=case, reason="New concern")
    assert second.pk != referral.pk and second.duplicate_of_id == referral.pk


def test_duty_managers_without_an_email_or_inactive_are_not_told(world, case):
    UserFactory(username="duty-noemail", email="", roles=["duty_manager"])
    UserFactory(username="duty-gone", is_active=False, roles=["duty_manager"])

    referral = referral_from_step_up(actor=world.lead, case=case, reason=REASON)

    assert Notification.objects.filter(dedupe_key__startswith=f"step-up:{referral.pk}:").count() == 2
