"""Demo data: family plans (a step of `cases.demo`), made through the services.

Runs after the assessment's demo step, reading what it made: `lead.professional`'s active families
whose assessment was submitted or approved get a plan (up to three). The first has an outcome in the
family's words answering their needs, an action for `school.practitioner` (added to the team around
the family if not already in it) with progress recorded, an action for a parent, and is agreed with
the family (version 1 kept; the review clocks start from it). The second has an overdue action.
With no assessed family to plan for, the step makes nothing (the assessment's demo comes first)."""

from __future__ import annotations

import datetime

from django.utils import timezone

from cases import services as case_services
from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseMember, CaseStatus, OutcomeArea, Person
from cases.needs import need_record

from . import plans
from .models import ActionStatus, AssessmentStatus, PlanAction

# After the assessments' demo (which submits and approves them) and the readings (450); before the
# TAF meetings and reviews (490), which read the agreed plans.
PLAN = 480
PLANS = 3
OUTCOMES = [
    (
        "We want the children to get to school on time every day",
        "Daily check-in at the school gate, with a breakfast club place",
        "Attendance over 95% for six weeks running",
    ),
    (
        "We want calmer evenings and everyone in bed on time",
        "Set a bedtime routine with a chart the children help to fill in",
        "The children in bed by eight on five nights a week",
    ),
    (
        "We want to stop worrying about money",
        "Go with mum to the Citizens Advice debt clinic",
        "A repayment plan agreed with the landlord",
    ),
]


def _day(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def _needs(case: Case, lead) -> list:
    needs = list(case.needs.all())
    if not needs:
        area = OutcomeArea.objects.filter(framework__active=True).order_by("position").first()
        needs = [need_record(actor=lead, case=case, area=area, description="School attendance below 90% this term")]
    return needs


def _plan(context: DemoContext, case: Case, number: int) -> None:
    lead, school = case.lead_professional, context.users["school.practitioner"]
    needs = _needs(case, lead)
    plan = plans.plan_create(
        actor=lead,
        case=case,
        contingency_plan="If attendance falls again, the team will meet within a week and may ask the panel.",
        exit_plan="Attendance over 95% for a term and the family managing mornings without the school's help.",
    )
    text, what, measure = OUTCOMES[number % len(OUTCOMES)]
    outcome = plans.plan_outcome_add(actor=lead, plan=plan, text=text, needs=needs)
    parent = Person.objects.filter(memberships__family=case.family, kind=Person.Kind.ADULT).order_by("id").first()
    if number == 0:
        if not CaseMember.objects.filter(case=case, user=school, ended_at__isnull=True).exists():
            case_services.case_member_add(actor=lead, case=case, user=school, role="Designated safeguarding lead")
        action = plans.plan_action_add(
            actor=lead, plan=plan, what=what, owner_user=school, due_on=_day(21), measure=measure, outcome=outcome
        )
        plans.action_progress_record(
            actor=school, action=action, note="Breakfast club place started on Monday.", status=ActionStatus.ON_TRACK
        )
    else:
        action = plans.plan_action_add(
            actor=lead, plan=plan, what=what, owner_user=lead, due_on=_day(0), measure=measure, outcome=outcome
        )
        # Added three weeks ago in the story: the service takes no due date in the past, so the date is
        # moved back afterwards to show an overdue action.
        PlanAction.objects.filter(pk=action.pk).update(due_on=_day(-7), status=ActionStatus.BEHIND)
    if parent is not None:
        plans.plan_action_add(
            actor=lead,
            plan=plan,
            what="Keep a diary of mornings for the next TAF meeting",
            owner_person=parent,
            due_on=_day(28),
            measure="The diary brought to the meeting",
            outcome=outcome,
        )
    if number == 0:
        plans.plan_agree(plan, lead, timezone.localdate())


@demo_step(PLAN)
def demo_family_plans(context: DemoContext) -> None:
    lead = context.users.get("lead.professional")
    if lead is None or "school.practitioner" not in context.users:
        return
    cases = list(
        Case.objects.filter(
            status=CaseStatus.ACTIVE,
            lead_professional=lead,
            assessments__status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED],
            plan__isnull=True,
        )
        .distinct()
        .select_related("family", "lead_professional")
        .order_by("opened_at", "id")[:PLANS]
    )
    for number, case in enumerate(cases):
        _plan(context, case, number)
