"""The family plan's services: the rules, validation, versions and the agreement's signal."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from assessments import plans
from assessments.models import ActionStatus, ActionUpdate, AssessmentStatus, Plan, PlanVersion
from assessments.signals import plan_agreed
from cases import services as case_services
from cases.models import CaseMember, ChronologyEntry, Notification, Person
from tests.assessments.test_plan_support import days, need, planned_case, ready_case, submitted_assessment
from tests.conftest import open_case


def errors_of(excinfo) -> dict:
    return excinfo.value.message_dict


def test_a_plan_needs_a_submitted_or_approved_assessment(world):
    case = open_case(world)
    with pytest.raises(ValidationError, match="Submit the family's assessment"):
        plans.plan_create(actor=world.lead, case=case)
    submitted_assessment(case, status=AssessmentStatus.APPROVED)

    plan = plans.plan_create(actor=world.lead, case=case, contingency_plan=" Back to panel ")

    assert plan.contingency_plan == "Back to panel"
    assert ChronologyEntry.objects.filter(case=case, event=plans.PLAN_CREATED).exists()


def test_an_assessment_in_progress_or_returned_is_not_enough(world):
    case = open_case(world)
    submitted_assessment(case, status=AssessmentStatus.RETURNED)

    with pytest.raises(ValidationError, match="Submit the family's assessment"):
        plans.plan_create(actor=world.lead, case=case)


def test_one_plan_per_case(world):
    case = ready_case(world)
    plans.plan_create(actor=world.lead, case=case)

    with pytest.raises(ValidationError, match="already has a plan"):
        plans.plan_create(actor=world.team_manager, case=case)
    assert Plan.objects.filter(case=case).count() == 1


@pytest.mark.parametrize("who", ["school_practitioner", "duty_manager", "panel_coordinator", "other_lead"])
def test_only_the_lead_professional_or_team_manager_changes_the_plan(world, who):
    case = ready_case(world)
    with pytest.raises(PermissionDenied):
        plans.plan_create(actor=getattr(world, who), case=case)
    plan = plans.plan_create(actor=world.team_manager, case=case)

    with pytest.raises(PermissionDenied):
        plans.plan_update(actor=getattr(world, who), plan=plan, contingency_plan="x", exit_plan="y")


def test_the_plan_changes_only_while_the_case_is_active(world):
    case, plan, action, _ = planned_case(world)
    case_services.case_request_closure(actor=world.team_manager, case=case, reason=world.outcomes_met, summary="Done.")

    with pytest.raises(ValidationError, match="only while the case is active"):
        plans.plan_update(actor=world.lead, plan=plan, contingency_plan="x", exit_plan="y")
    with pytest.raises(ValidationError, match="only while the case is active"):
        plans.action_progress_record(actor=world.school_practitioner, action=action, note="x", status="done")


def test_an_outcome_is_in_the_familys_words_and_answers_their_needs(world):
    case = ready_case(world)
    plan = plans.plan_create(actor=world.lead, case=case)
    other_need = need(open_case(world), "Someone else's need")

    with pytest.raises(ValidationError) as missing:
        plans.plan_outcome_add(actor=world.lead, plan=plan, text="  ", needs=[])
    with pytest.raises(ValidationError) as foreign:
        plans.plan_outcome_add(actor=world.lead, plan=plan, text="Calmer mornings", needs=[other_need])

    assert errors_of(missing) == {
        "text": ["Enter the outcome in the family's words"],
        "needs": ["Select the needs this outcome answers"],
    }
    assert errors_of(foreign) == {"needs": ["Select needs identified for this family"]}
    first = plans.plan_outcome_add(actor=world.lead, plan=plan, text="Calmer mornings", needs=case.needs.all())
    second = plans.plan_outcome_add(actor=world.lead, plan=plan, text="Sam goes to school", needs=case.needs.all())
    assert (first.position, second.position) == (1, 2)
    plans.plan_outcome_update(actor=world.lead, outcome=first, text="Calm mornings", needs=case.needs.all())
    plans.plan_outcome_end(actor=world.lead, outcome=second)
    second.refresh_from_db()
    assert second.ended_at is not None
    with pytest.raises(ValidationError, match="no longer in the plan"):
        plans.plan_outcome_update(actor=world.lead, outcome=second, text="x", needs=case.needs.all())


def test_an_action_is_smart_and_owned_by_a_member_or_the_family(world):
    case = ready_case(world)
    plan = plans.plan_create(actor=world.lead, case=case)

    with pytest.raises(ValidationError) as empty:
        plans.plan_action_add(actor=world.lead, plan=plan, what="", due_on=None, measure="")
    with pytest.raises(ValidationError) as past:
        plans.plan_action_add(
            actor=world.lead, plan=plan, what="Call", due_on=days(-1), measure="Called", owner_user=world.other_lead
        )
    stranger = Person.objects.exclude(memberships__family=case.family).first() or Person.objects.create(
        kind=Person.Kind.ADULT, first_name="Ann", last_name="Other"
    )
    with pytest.raises(ValidationError) as not_family:
        plans.plan_action_add(
            actor=world.lead, plan=plan, what="Call", due_on=days(1), measure="x", owner_person=stranger
        )

    assert errors_of(empty) == {
        "what": ["Enter what will be done"],
        "measure": ["Enter how progress will be measured"],
        "owner": ["Select who will do it: a member of the team around the family or a family member"],
        "due_on": ["Enter the date it will be done by"],
    }
    assert errors_of(past) == {
        "owner": ["Select a current member of the team around the family"],
        "due_on": ["The date it will be done by must be today or in the future"],
    }
    assert errors_of(not_family) == {"owner": ["Select a member of this family"]}


def test_a_member_given_an_action_is_told_by_email_with_a_link_and_nothing_about_the_family(world):
    case, plan, action, family_action = planned_case(world)

    told = Notification.objects.filter(recipient=world.school_practitioner)
    assert told.count() == 1
    message = told.get()
    assert f"/cases/{case.pk}/plan/actions/{action.pk}/" in message.body
    assert case.family.name not in message.body + message.subject
    assert action.what not in message.body
    # The lead giving themselves an action is not emailed; a family member's action emails no one.
    plans.plan_action_add(
        actor=world.lead, plan=plan, what="Visit", due_on=days(3), measure="Visited", owner_user=world.lead
    )
    assert Notification.objects.filter(recipient=world.lead).count() == 0
    assert Notification.objects.count() == 1


def test_changing_an_action_keeps_a_past_due_date_but_refuses_a_new_one_in_the_past(world):
    case, plan, action, _ = planned_case(world, overdue=True)
    fields = {"what": action.what, "measure": action.measure, "owner_user": world.school_practitioner}

    plans.plan_action_update(actor=world.lead, action=action, due_on=action.due_on, status="behind", **fields)
    with pytest.raises(ValidationError) as moved:
        plans.plan_action_update(actor=world.lead, action=action, due_on=days(-10), **fields)

    assert errors_of(moved) == {"due_on": ["The date it will be done by must be today or in the future"]}
    action.refresh_from_db()
    assert action.status == ActionStatus.BEHIND


def test_reassigning_an_action_tells_the_new_owner(world):
    case, plan, action, _ = planned_case(world)

    plans.plan_action_update(
        actor=world.lead,
        action=action,
        what=action.what,
        measure=action.measure,
        due_on=action.due_on,
        owner_user=world.health_practitioner,
    )

    assert Notification.objects.filter(recipient=world.health_practitioner).count() == 1


def test_the_owner_or_the_lead_records_progress_and_others_cannot(world):
    case, plan, action, family_action = planned_case(world)

    update = plans.action_progress_record(
        actor=world.school_practitioner, action=action, note="Met Sam at the gate", status=ActionStatus.ON_TRACK
    )
    plans.action_progress_record(actor=world.lead, action=family_action, note="Routine started", status="on_track")

    action.refresh_from_db()
    assert (action.status, update.recorded_by) == (ActionStatus.ON_TRACK, world.school_practitioner)
    assert ChronologyEntry.objects.filter(case=case, event=plans.ACTION_PROGRESS).count() == 2
    with pytest.raises(PermissionDenied):
        plans.action_progress_record(actor=world.health_practitioner, action=action, note="x", status="done")
    with pytest.raises(ValidationError) as bad:
        plans.action_progress_record(actor=world.school_practitioner, action=action, note=" ", status="finished")
    assert errors_of(bad) == {"note": ["Enter what has been done"], "status": ["Select the action's status now"]}


def test_an_owner_who_left_the_team_cannot_record_progress(world):
    case, plan, action, _ = planned_case(world)
    member = CaseMember.objects.get(case=case, user=world.school_practitioner, ended_at__isnull=True)
    case_services.case_member_remove(actor=world.lead, member=member)

    with pytest.raises(PermissionDenied):
        plans.action_progress_record(actor=world.school_practitioner, action=action, note="x", status="done")


def test_an_ended_action_takes_no_more_progress(world):
    case, plan, action, _ = planned_case(world)
    plans.plan_action_end(actor=world.lead, action=action)

    with pytest.raises(ValidationError, match="no longer in the plan"):
        plans.action_progress_record(actor=world.school_practitioner, action=action, note="x", status="done")
    assert not ActionUpdate.objects.exists()


def test_agreeing_keeps_a_version_and_signals_the_first_agreement_once(world):
    case, plan, action, family_action = planned_case(world)
    received = []

    def receiver(sender, plan, actor, **kwargs):
        received.append((plan.pk, actor))

    plan_agreed.connect(receiver)
    try:
        first = plans.plan_agree(plan, world.lead, days(0))
        plans.plan_action_add(
            actor=world.lead,
            plan=plan,
            what="Homework club",
            due_on=days(20),
            measure="Goes weekly",
            owner_user=world.lead,
        )
        second = plans.plan_agree(plan, world.team_manager, days(0))
    finally:
        plan_agreed.disconnect(receiver)

    assert received == [(plan.pk, world.lead)]
    assert (first.number, second.number) == (1, 2)
    assert first.reason == second.reason == "Agreed with the family"
    plan.refresh_from_db()
    assert plan.agreed_on == days(0)
    assert len(first.content["actions"]) == 2 and len(second.content["actions"]) == 3
    assert ChronologyEntry.objects.filter(case=case, event=plans.PLAN_AGREED).count() == 2


def test_agreement_needs_a_date_not_in_the_future_and_outcomes_and_actions(world):
    case = ready_case(world)
    plan = plans.plan_create(actor=world.lead, case=case)

    with pytest.raises(ValidationError) as empty:
        plans.plan_agree(plan, world.lead, days(1))

    assert errors_of(empty) == {
        "agreed_on": ["The date the family agreed the plan must be today or in the past"],
        "__all__": ["Add at least one outcome before the family agrees the plan"],
    }
    assert not PlanVersion.objects.exists()


def test_a_version_is_a_snapshot_with_owners_names(world):
    case, plan, action, family_action = planned_case(world)
    parent = family_action.owner_person

    version = plans.plan_version_make(plan=plan, actor=world.lead, reason="Review 1")
    plans.plan_action_end(actor=world.lead, action=family_action)
    later = plans.plan_version_make(plan=plan, actor=world.lead, reason="Review 2")

    content = version.content
    assert version.number == 1 and later.number == 2
    assert content["contingency_plan"] == "Ask the panel" and content["exit_plan"] == "Good attendance"
    assert [o["text"] for o in content["outcomes"]] == ["We want Sam to get to school every day"]
    assert content["outcomes"][0]["needs"][0]["description"] == "Missing school most Mondays"
    owners = {a["what"]: a["owner"] for a in content["actions"]}
    assert owners["Daily check-in at the school gate"] == (
        f"{world.school_practitioner.get_full_name()} ({world.school_practitioner.agency})"
    )
    assert owners["Set a bedtime routine"] == parent.full_name
    assert [a["what"] for a in later.content["actions"]] == ["Daily check-in at the school gate"]
    with pytest.raises(PermissionDenied):
        plans.plan_version_make(plan=plan, actor=world.school_practitioner, reason="Review 3")
