"""Demo data: Early Help Assessments (a step of `cases.demo`), made through the services only.

`lead.professional`'s active families, oldest first: the first has an approved assessment with
needs, the second one submitted and waiting for the team manager, the third one returned with the
manager's comments, the fourth one in progress (a few sections saved). Any others are left to be
started (their consent is recorded first, as the lifecycle's step does, where it is missing).
Sections are filled through their forms, so what the demo holds is what the pages accept."""

from __future__ import annotations

from django.utils import timezone

from cases import services as case_services
from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, Consent, OutcomeArea, Person, User
from cases.roles import Role

from . import assessment_services as services
from .assessment_forms import DIMENSIONS, section_form
from .assessment_permissions import assessment_consent_state
from .models import Assessment, AssessmentSection, SectionKind

# After the case lifecycle (400) and the readings (450); before the family plans (480), which read
# the assessments made here.
ASSESSMENT = 460
STAGES = ("approved", "submitted", "returned", "in_progress")

WORRIES = [2, 5, 3, 1, 4, 2, 6]


def _answers(section: AssessmentSection) -> dict:
    """What a lead professional wrote in the section (synthetic)."""
    name = section.person.first_name if section.person_id else ""
    kind = section.kind
    if kind == SectionKind.FAMILY:
        return {
            "professionals": "Class teacher, Riverside Primary School\nHealth visitor, Exampleshire Health Visiting",
            "notes": "Grandmother lives nearby and helps with the school run twice a week.",
        }
    if kind == SectionKind.REASON:
        return {
            "reason": "School attendance has fallen below 90% this term and mornings are hard for the family.",
            "level_of_need": "level-3",
            "level_explanation": "Needs that more than one agency can help with.",
        }
    if kind == SectionKind.CHILD_VOICE:
        return {
            "words": f"{name} said: \u201cI like school when I get there, but mornings are shouty.\u201d",
            "how_gathered": "activity",
            "how_details": "Three houses drawing at school, with the class teacher.",
        }
    if kind == SectionKind.CARER_VOICE:
        return {
            "words": f"{name} said they are exhausted and want the mornings to be calmer.",
            "hopes": "Help with a routine, and someone to talk to about money.",
        }
    if kind == SectionKind.STRENGTHS:
        return {"strengths": "The children are loved; grandmother helps; the family asked for help themselves."}
    if kind == SectionKind.CHILD_DOMAINS:
        data = {}
        for position, (code, _dimension) in enumerate(DIMENSIONS):
            data[f"{code}_strengths"] = "Doing well" if position % 3 == 0 else ""
            data[f"{code}_needs"] = "Late most mornings" if code == "education" else ""
            data[f"{code}_worry"] = str(WORRIES[position % len(WORRIES)])
        return data
    if kind == SectionKind.HISTORY:
        return {
            "tried_before": "Attendance letters from the school last year.",
            "what_helped": "A breakfast club place.",
        }
    if kind == SectionKind.ANALYSIS:
        return {"analysis": "Tired mornings and money worries drive the absence; the family want to change it."}
    if kind == SectionKind.DECISION:
        return {"decision": "taf", "reasons": "The school and the health visitor are both needed to help."}
    return {}


def _save(section: AssessmentSection, actor: User) -> None:
    form = section_form(section, {**_answers(section), "completed": "yes"})
    if not form.is_valid():  # pragma: no cover - the demo's answers are the pages' own
        raise ValueError(f"demo answers rejected: {form.errors}")
    services.assessment_section_save(actor=actor, section=section, answers=form.answers(), completed=True)


def _fill(assessment: Assessment, actor: User, *, only: int | None = None) -> None:
    areas = list(OutcomeArea.objects.filter(framework__active=True).order_by("position")[:2])
    children = [p for p in Person.objects.filter(memberships__family=assessment.case.family_id, kind=Person.Kind.CHILD)]
    sections = list(assessment.sections.select_related("person", "assessment__case").order_by("id"))
    if only is not None:
        sections = [s for s in sections if s.kind != SectionKind.NEEDS][:only]
    else:
        services.assessment_need_add(
            actor=actor,
            assessment=assessment,
            area=areas[0],
            description="School attendance below 90% this term",
            person=children[0] if children else None,
        )
        if len(areas) > 1:
            services.assessment_need_add(
                actor=actor, assessment=assessment, area=areas[1], description="Money worries and rent arrears"
            )
    for section in sections:
        _save(section, actor)


def _manager_of(case: Case) -> User:
    return (
        User.objects.filter(team_id=case.team_id, groups__name=Role.TEAM_MANAGER, is_active=True).order_by("pk").first()
    )


def _consent(case: Case, lead: User) -> None:
    if assessment_consent_state(case):
        return
    parent = (
        Person.objects.filter(
            memberships__family=case.family_id,
            memberships__parental_responsibility=True,
            kind=Person.Kind.ADULT,
        )
        .order_by("id")
        .first()
    )
    if parent is None:
        return
    case_services.consent_record(
        actor=lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.ASSESSMENT,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        case=case,
    )


@demo_step(ASSESSMENT)
def demo_assessments(context: DemoContext) -> None:
    lead = context.users.get("lead.professional")
    if lead is None:
        return
    cases = list(
        Case.objects.filter(lead_professional=lead, status=CaseStatus.ACTIVE)
        .select_related("family", "team", "lead_agency")
        .order_by("opened_at", "id")
    )
    for case in cases:
        _consent(case, lead)
    for stage, case in zip(STAGES, cases, strict=False):
        if not assessment_consent_state(case) or Assessment.objects.filter(case=case).exists():
            continue
        manager = _manager_of(case)
        assessment = services.assessment_start(actor=lead, case=case)
        if stage == "in_progress":
            _fill(assessment, lead, only=3)
            continue
        _fill(assessment, lead)
        assessment = services.assessment_submit(actor=lead, assessment=assessment)
        if stage == "submitted" or manager is None:
            continue
        if stage == "returned":
            services.assessment_return(
                actor=manager,
                assessment=assessment,
                note="Please add the grandmother's view and say how the children's views were gathered.",
            )
        else:
            services.assessment_approve(actor=manager, assessment=assessment, note="A clear analysis. Agreed.")
