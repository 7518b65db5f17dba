"""Demo data: closures with their outcomes (a step of `cases.demo`), made through the services only.

- Every case waiting for its closure to be signed off has its needs and their outcomes recorded with
  the request, so a team manager signs off a closure that says what the family achieved.
- Two families of other lead professionals are taken through the whole journey (an approved
  assessment with three needs, a plan covering them, a closure signed off, and the six-month check):
  the first meets the Supporting Families claim rule; in the second one outcome did not last, so it
  does not. Their closures are dated seven months ago in the story (the services date them today)."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from assessments import assessment_services, plans
from assessments.demo_assessment import _fill, _manager_of
from assessments.models import Assessment
from cases import needs as case_needs
from cases import services as case_services
from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, ClosureReason, IdentifiedNeed, OutcomeArea, Person

from . import services
from .models import Closure, ClosureDestination

# After the lead professionals' work (up to 495): it closes cases that work made.
OUTCOMES = 520
STORY_CLOSED_DAYS_AGO = 212

# (the need, the evidence of its outcome, the code of its outcome area)
NEEDS = [
    (
        "Persistent absence from school",
        "Attendance above 95% for the last term, from the school's register",
        "good-education",
    ),
    (
        "Rent arrears and a notice from the landlord",
        "A payment plan kept for four months; the landlord's letter",
        "financial-stability",
    ),
    (
        "Arguments at home most evenings",
        "The family's Family Star 'family routine' score went from 3 to 7",
        "family-relationships",
    ),
]


def _destinations() -> dict[str, ClosureDestination]:
    return {destination.code: destination for destination in ClosureDestination.objects.all()}


def _areas() -> dict[str, OutcomeArea]:
    return {area.code: area for area in OutcomeArea.objects.filter(framework__active=True)}


def _needs(case: Case) -> list[IdentifiedNeed]:
    areas = _areas()
    child = Person.objects.filter(memberships__family=case.family_id, kind=Person.Kind.CHILD).order_by("id").first()
    return [
        case_needs.need_record(
            actor=case.lead_professional,
            case=case,
            area=areas[code],
            person=child if index == 0 else None,
            description=what,
        )
        for index, (what, _evidence, code) in enumerate(NEEDS)
    ]


def _record(case: Case, needs: list[IdentifiedNeed], *, destination: ClosureDestination, partly: bool) -> Closure:
    evidence = {what: shows for what, shows, _code in NEEDS}
    return services.closure_request_record(
        actor=case.lead_professional,
        case=case,
        destination=destination,
        feedback_timely="yes",
        feedback_knew_lead="yes",
        feedback_told_once="no" if partly else "yes",
        feedback_words="We had one person to ring, and she kept coming back.",
        answers=[
            services.NeedAnswer(
                need=need,
                achieved="partly" if partly and index == 1 else "yes",
                evidence_note=evidence.get(need.description, "Seen at the last review"),
            )
            for index, need in enumerate(needs)
        ],
    )


@demo_step(OUTCOMES)
def demo_closure_outcomes(context: DemoContext) -> None:
    destinations = _destinations()
    if not destinations:
        return
    waiting = list(
        Case.objects.filter(status=CaseStatus.CLOSURE_REQUESTED, closures__isnull=True)
        .select_related("family", "lead_professional")
        .order_by("id")
    )
    for number, case in enumerate(waiting):
        needs = list(IdentifiedNeed.objects.filter(case=case)) or _needs(case)
        _record(
            case,
            needs,
            destination=destinations["universal" if number % 2 == 0 else "single-agency"],
            partly=number % 2 == 1,
        )
    reason = ClosureReason.objects.get(code="outcomes-met")
    journeys = list(
        Case.objects.filter(status=CaseStatus.ACTIVE, assessments__isnull=True)
        .exclude(Q(lead_professional__username="lead.professional") | Q(lead_professional__isnull=True))
        .select_related("family", "lead_professional", "team")
        .order_by("opened_at", "id")[:2]
    )
    for number, case in enumerate(journeys):
        _whole_journey(case, reason, destinations["universal"], lasted=number == 0)


def _whole_journey(case: Case, reason: ClosureReason, destination: ClosureDestination, *, lasted: bool) -> None:
    lead, manager = case.lead_professional, _manager_of(case)
    if manager is None:
        return
    assessment = assessment_services.assessment_start(actor=lead, case=case)
    _fill(assessment, lead)  # every section, and two needs
    assessment_services.assessment_need_add(
        actor=lead, assessment=assessment, area=_areas()["family-relationships"], description=NEEDS[2][0]
    )
    assessment = assessment_services.assessment_submit(actor=lead, assessment=Assessment.objects.get(pk=assessment.pk))
    assessment_services.assessment_approve(actor=manager, assessment=assessment, note="Agreed.")
    needs = list(IdentifiedNeed.objects.filter(case=case).order_by("recorded_at", "id"))
    plan = plans.plan_create(actor=lead, case=case, contingency_plan="", exit_plan="")
    plans.plan_outcome_add(actor=lead, plan=plan, text="We get on and the children are in school", needs=needs)
    case_services.case_request_closure(
        actor=lead, case=case, reason=reason, summary="Every need met and the family managing on their own."
    )
    closure = _record(case, needs, destination=destination, partly=False)
    case_services.case_sign_off_closure(actor=manager, case=case, note="Significant and sustained progress.")
    services.closure_sign_off(actor=manager, case=case, significant_and_sustained=True)
    closed = timezone.now() - datetime.timedelta(days=STORY_CLOSED_DAYS_AGO)
    Closure.objects.filter(pk=closure.pk).update(decided_at=closed)
    Case.objects.filter(pk=case.pk).update(closed_at=closed)
    closure.refresh_from_db()
    outcomes = list(closure.need_outcomes.order_by("id"))
    services.sustained_check_record(
        actor=manager,
        closure=closure,
        answers={
            outcome.pk: (lasted or index > 0, "Checked with the school and the family")
            for index, outcome in enumerate(outcomes)
        },
    )
