"""Helpers shared by the family plan's tests (no tests of its own): a case with a submitted
assessment and identified needs, a plan with an outcome and actions, consent to share with an agency."""

from __future__ import annotations

import datetime

from django.utils import timezone

from assessments import plans
from assessments.models import Assessment, AssessmentStatus
from cases import services as case_services
from cases.models import Consent, OutcomeArea, Person
from cases.needs import need_record
from tests.conftest import open_case


def days(n: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=n)


def submitted_assessment(case, *, status: str = AssessmentStatus.SUBMITTED) -> Assessment:
    now = timezone.now()
    return Assessment.objects.create(
        case=case,
        status=status,
        started_by=case.lead_professional,
        submitted_at=now,
        submitted_by=case.lead_professional,
        decided_at=now if status == AssessmentStatus.APPROVED else None,
    )


def need(case, description: str = "Missing school most Mondays"):
    area = OutcomeArea.objects.filter(framework__active=True).first()
    return need_record(actor=case.lead_professional, case=case, area=area, description=description)


def share(w, case, agency, status: str = Consent.Status.GIVEN):
    """The parent's decision on sharing with `agency`, recorded by the lead professional."""
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    return case_services.consent_record(
        actor=case.lead_professional,
        family=case.family,
        person=parent,
        scope=Consent.Scope.SHARING,
        agency=agency,
        status=status,
        evidence=Consent.Evidence.WRITTEN if status == Consent.Status.GIVEN else "",
        decided_on=timezone.localdate(),
        case=case,
    )


def ready_case(w, *, members=None):
    """An active case led by `w.lead` with the school and health practitioners in its team, a
    submitted assessment and one identified need."""
    members = members if members is not None else [(w.school_practitioner, "School"), (w.health_practitioner, "Health")]
    case = open_case(w, members=members)
    submitted_assessment(case)
    need(case)
    return case


def planned_case(w, *, overdue: bool = False):
    """`ready_case` with a plan: one outcome and an action for the school practitioner (and a family
    member's action). Returns (case, plan, school_action, family_action)."""
    case = ready_case(w)
    plan = plans.plan_create(actor=w.lead, case=case, contingency_plan="Ask the panel", exit_plan="Good attendance")
    outcome = plans.plan_outcome_add(
        actor=w.lead, plan=plan, text="We want Sam to get to school every day", needs=list(case.needs.all())
    )
    school_action = plans.plan_action_add(
        actor=w.lead,
        plan=plan,
        what="Daily check-in at the school gate",
        owner_user=w.school_practitioner,
        due_on=days(14),
        measure="Attendance over 90% for four weeks",
        outcome=outcome,
    )
    parent = Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)
    family_action = plans.plan_action_add(
        actor=w.lead,
        plan=plan,
        what="Set a bedtime routine",
        owner_person=parent,
        due_on=days(7),
        measure="In bed by eight five nights a week",
        outcome=outcome,
    )
    if overdue:
        type(school_action).objects.filter(pk=school_action.pk).update(due_on=days(-3))
        school_action.refresh_from_db()
    return case, plan, school_action, family_action
