"""Reviews through the services: the clocks the plan's agreement starts (review-1/2/3, and next-taf
when no meeting is planned), reminded and escalated by the real sweep, met by each review, then
review-next; recording a review (progress on every open action, a reading, the decision's step);
and every clock cancelled when the case closes."""

import datetime

import pytest
from dateutil.relativedelta import relativedelta
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import plans, reviews
from assessments.models import ActionStatus, Plan, PlanAction, PlanOutcome, Review, ReviewDecision
from cases import services as case_services
from cases.deadlines import deadlines_sweep
from cases.models import CaseStatus, Deadline, FamilyMembership, Notification, Person
from tests.assessments.conftest import record as record_reading
from tests.conftest import open_case


def days_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


def agreed_plan(case, *, agreed_days_ago: int = 0, teacher=None) -> Plan:
    """A plan of two actions (the teacher's and the parent's), agreed by the family through the plan's
    own service (which sends `plan_agreed`)."""
    made = timezone.now() - datetime.timedelta(days=agreed_days_ago + 1)
    plan = Plan.objects.create(case=case, created_by=case.lead_professional, created_at=made)
    outcome = PlanOutcome.objects.create(plan=plan, text="We get to school on time", created_by=case.lead_professional)
    teacher = teacher or case.members.exclude(user=case.lead_professional).get().user
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    for what, owner in (
        ("Breakfast club place", {"owner_user": teacher}),
        ("Alarm clock routine", {"owner_person": parent}),
    ):
        PlanAction.objects.create(
            plan=plan,
            case=case,
            outcome=outcome,
            what=what,
            due_on=timezone.localdate() + datetime.timedelta(days=30),
            measure="Days late each week",
            created_by=case.lead_professional,
            **owner,
        )
    plans.plan_agree(plan, case.lead_professional, days_ago(agreed_days_ago))
    plan.refresh_from_db()
    return plan


def running(case, code: str) -> Deadline:
    return Deadline.objects.get(
        timescale__code=code, subject_type="case", subject_id=case.pk, met_at=None, cancelled_at=None
    )


@pytest.fixture
def case(world):
    case = open_case(world, members=[(world.school_practitioner, "Class teacher")])
    type(case).objects.filter(pk=case.pk).update(opened_at=timezone.now() - datetime.timedelta(days=300))
    case.refresh_from_db()
    return case


def review(case, plan, **overrides) -> Review:
    reading = overrides.pop("reading", None) or record_reading(case, "family-star-plus", [5] * 10)
    values = {
        "held_on": timezone.localdate(),
        "progress": {a.pk: (ActionStatus.ON_TRACK, "Going well.") for a in reviews.open_actions(plan=plan)},
        "reading": reading,
        "family_view": "Mornings are calmer.",
        "summary": "Good progress on school mornings.",
        "decision": ReviewDecision.CONTINUE,
    }
    values.update(overrides)
    return reviews.review_record(actor=case.lead_professional, case=case, **values)


def test_agreeing_the_plan_starts_the_three_review_clocks_and_the_next_taf_clock(world, case):
    plan = agreed_plan(case, agreed_days_ago=3)

    start = timezone.make_aware(datetime.datetime.combine(plan.agreed_on, datetime.time(9)))
    for code, months in (("review-1", 1), ("review-2", 3), ("review-3", 6)):
        clock = running(case, code)
        assert clock.due_at == start + relativedelta(months=months), code
        assert clock.remind_user == world.lead
        assert (clock.escalate_role, clock.escalate_agency) == ("team_manager", world.council)
    assert running(case, "next-taf").remind_user == world.lead
    assert not Deadline.objects.filter(timescale__code="review-next").exists()


def test_a_review_clock_reminds_the_lead_and_escalates_to_the_team_manager_once(world, case):
    plan = agreed_plan(case)
    due = running(case, "review-1").due_at

    assert deadlines_sweep(now=due - datetime.timedelta(hours=71))["reminded"] >= 1
    assert "First review" in Notification.objects.filter(recipient=world.lead).last().body
    swept = deadlines_sweep(now=due + datetime.timedelta(minutes=1))
    assert swept["escalated"] >= 1
    overdue = Notification.objects.filter(recipient=world.team_manager, subject__startswith="Overdue")
    assert overdue.filter(subject__contains="First review").count() == 1
    assert deadlines_sweep(now=due + datetime.timedelta(minutes=2)) == {"reminded": 0, "escalated": 0}
    assert plan.case_id == case.pk


def test_recording_a_review_reports_on_every_action_meets_its_clock_and_keeps_the_plan_version(world, case):
    plan = agreed_plan(case)
    clock = running(case, "review-1")
    actions = list(reviews.open_actions(plan=plan))
    progress = {
        actions[0].pk: (ActionStatus.DONE, "Started in week one."),
        actions[1].pk: (ActionStatus.BEHIND, "Alarm broke."),
    }

    done = review(case, plan, progress=progress)

    assert (done.number, done.due_on) == (1, timezone.localdate(clock.due_at))
    assert {(p.action_id, p.status, p.note) for p in done.progress.all()} == {
        (actions[0].pk, "done", "Started in week one."),
        (actions[1].pk, "behind", "Alarm broke."),
    }
    assert PlanAction.objects.get(pk=actions[0].pk).status == ActionStatus.DONE
    assert PlanAction.objects.get(pk=actions[0].pk).updates.get().note == "Review 1: Started in week one."
    clock.refresh_from_db()
    assert clock.met_at is not None
    assert running(case, "review-2")  # the next one runs on
    assert done.plan_version.reason == "Review 1"
    assert case.family.chronology.filter(event="review-recorded").exists()


def test_only_open_actions_are_reviewed_and_the_next_review_numbers_on(world, case):
    plan = agreed_plan(case)
    review(case, plan, progress={a.pk: (ActionStatus.DONE, "Done.") for a in reviews.open_actions(plan=plan)})

    second = review(case, plan, progress={})

    assert second.number == 2
    assert second.progress.count() == 0
    assert Deadline.objects.get(timescale__code="review-2", subject_id=case.pk).met_at is not None


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"held_on": None}, "held_on", "Enter the date the review was held"),
        ({"held_on": "tomorrow"}, "held_on", "The date the review was held must be today or in the past"),
        ({"progress": "missing"}, "action", "Select the progress on “Breakfast club place”"),
        ({"progress": "no note"}, "note", "Enter what was done on “Breakfast club place”"),
        ({"reading": "old"}, "reading", "Choose a reading taken within 14 days of the review"),
        ({"reading": "other family"}, "reading", "Choose a reading of this family"),
        ({"family_view": " "}, "family_view", "Enter the family's view"),
        ({"summary": ""}, "summary", "Enter a summary of progress"),
        ({"decision": "maybe"}, "decision", "Select the decision of the review"),
        ({"decision": "back_to_panel"}, "panel_route", "Select why the case is going back to the panel"),
        (
            {"decision": "back_to_panel", "panel_route": "stuck"},
            "decision_note",
            "Enter why the case is going back to the panel",
        ),
        ({"decision": "step_up"}, "decision_note", "Enter why the family needs a step up to children's social care"),
    ],
)
def test_recording_a_review_checks_every_field(world, case, change, field, message):
    plan = agreed_plan(case, agreed_days_ago=30)
    first = reviews.open_actions(plan=plan).get(what="Breakfast club place")
    good = {a.pk: (ActionStatus.ON_TRACK, "Going well.") for a in reviews.open_actions(plan=plan)}
    change = dict(change)
    if change.get("held_on") == "tomorrow":
        change["held_on"] = timezone.localdate() + datetime.timedelta(days=1)
    if change.get("progress") == "missing":
        change["progress"] = {k: v for k, v in good.items() if k != first.pk}
    if change.get("progress") == "no note":
        change["progress"] = good | {first.pk: (ActionStatus.ON_TRACK, " ")}
    if change.get("reading") == "old":
        change["reading"] = record_reading(case, "family-star-plus", [5] * 10, taken_on=days_ago(20))
    if change.get("reading") == "other family":
        other = open_case(world)
        type(other).objects.filter(pk=other.pk).update(opened_at=case.opened_at)
        other.refresh_from_db()
        change["reading"] = record_reading(other, "family-star-plus", [5] * 10)
    field = {"action": f"action_{first.pk}", "note": f"action_{first.pk}_note"}.get(field, field)

    with pytest.raises(ValidationError) as error:
        review(case, plan, **change)

    assert error.value.message_dict[field] == [message]
    assert not Review.objects.exists()
    assert running(case, "review-1")


def test_a_review_needs_an_agreed_plan_the_lead_or_manager_and_an_active_case(world, case):
    with pytest.raises(ValidationError) as error:
        reviews.review_record(
            actor=world.lead,
            case=case,
            held_on=timezone.localdate(),
            progress={},
            reading=None,
            family_view="x",
            summary="x",
            decision="continue",
        )
    assert error.value.messages == [reviews.NO_PLAN]
    plan = agreed_plan(case)
    with pytest.raises(PermissionDenied):
        reviews.review_record(
            actor=world.school_practitioner,
            case=case,
            held_on=timezone.localdate(),
            progress={},
            reading=None,
            family_view="x",
            summary="x",
            decision="continue",
        )
    assert plan.agreed_on is not None


def test_going_back_to_the_panel_returns_the_case(world, case):
    plan = agreed_plan(case)

    done = review(
        case,
        plan,
        decision=ReviewDecision.BACK_TO_PANEL,
        panel_route="disengaged",
        decision_note="No contact since June.",
    )

    case.refresh_from_db()
    assert case.status == CaseStatus.AWAITING_ALLOCATION
    assert (case.panel_route, case.panel_note) == ("disengaged", "No contact since June.")
    assert done.plan_version is None


def test_from_the_third_review_each_review_starts_the_next_every_three_months(world, case):
    plan = agreed_plan(case)
    for _ in range(3):
        third = review(case, plan)

    nxt = running(case, "review-next")
    held = timezone.make_aware(datetime.datetime.combine(third.held_on, datetime.time(9)))
    assert nxt.due_at == held + relativedelta(months=3)
    fourth = review(case, plan)
    nxt.refresh_from_db()
    assert nxt.met_at is not None
    assert fourth.number == 4
    assert running(case, "review-next").pk != nxt.pk


def test_closing_the_case_cancels_every_review_clock(world, case):
    plan = agreed_plan(case)
    review(case, plan, decision=ReviewDecision.REQUEST_CLOSURE)
    case_services.case_request_closure(actor=world.lead, case=case, reason=world.outcomes_met, summary="Goals met.")
    case_services.case_sign_off_closure(actor=world.team_manager, case=case)

    left = Deadline.objects.filter(subject_type="case", subject_id=case.pk, met_at=None, cancelled_at=None)
    assert not left.exists()
    assert Deadline.objects.filter(subject_id=case.pk, timescale__code="review-2").get().cancelled_at is not None
    assert FamilyMembership.objects.filter(family=case.family).exists()
