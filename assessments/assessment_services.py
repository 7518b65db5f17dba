"""Writes of the Early Help Assessment: starting it, saving its sections, its identified needs,
submitting, the manager's approval or return, and a new version after approval.

Every write takes the acting user, runs in one transaction with the case row locked first (the order
every write of a case's assessment takes its locks in), and records the family's chronology. The
rules of who may are `assessment_permissions`'; the consent gate is `assessment_consent_state`.
What each section's answers are is its form's (`assessment_forms`); the service keeps them as given.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.deadlines import deadline_meet
from cases.models import Case, CaseStatus, IdentifiedNeed, NeedStatus, OutcomeArea, OutcomeDescriptor, Person, User
from cases.needs import need_record, need_update_status
from cases.permissions import MANAGE_CASE, user_has_case_perm
from cases.roles import Role
from cases.services import chronology_record

from .assessment_permissions import assessment_consent_state
from .models import (
    PER_PERSON_SECTIONS,
    Assessment,
    AssessmentDecision,
    AssessmentNeed,
    AssessmentSection,
    AssessmentStatus,
    SectionKind,
    SectionStatus,
)

ASSESSMENT_TIMESCALE = "assessment"
NOT_ALLOWED = "Only the family's lead professional or their team manager can work on the assessment"
NOT_ACTIVE = "The assessment can be worked on only while the case is active"
LOCKED = "This version of the assessment is locked: it has been submitted"
NOT_A_MANAGER = "Only a team manager of the case can approve or return the assessment"
OWN_SUBMISSION = "You submitted this assessment: another team manager must approve or return it"

WRITABLE = (AssessmentStatus.IN_PROGRESS, AssessmentStatus.RETURNED)


# --- Who the per-person sections are about --------------------------------------------------------


def assessment_people(case: Case) -> tuple[list[Person], list[Person]]:
    """The household's children (and unborn children) and its adults with parental responsibility,
    in the family's order. One query."""
    memberships = (
        case.family.memberships.filter(in_household=True)
        .select_related("person")
        .order_by("person__date_of_birth", "person__last_name", "person__first_name", "person_id")
    )
    children, carers = [], []
    for membership in memberships:
        person = membership.person
        if person.kind in (Person.Kind.CHILD, Person.Kind.UNBORN):
            children.append(person)
        elif person.kind == Person.Kind.ADULT and membership.parental_responsibility:
            carers.append(person)
    return children, carers


def section_plan(case: Case) -> list[tuple[str, Person | None]]:
    """Every section the case's assessment has, in the task list's order: the voice of each child
    (not an unborn child), of each parent or carer, and the triangle's domains for each child."""
    children, carers = assessment_people(case)
    plan: list[tuple[str, Person | None]] = []
    for kind in SectionKind:
        if kind == SectionKind.CHILD_VOICE:
            plan += [(kind, child) for child in children if child.kind == Person.Kind.CHILD]
        elif kind == SectionKind.CARER_VOICE:
            plan += [(kind, carer) for carer in carers]
        elif kind == SectionKind.CHILD_DOMAINS:
            plan += [(kind, child) for child in children]
        else:
            plan.append((kind, None))
    return plan


def section_title(section: AssessmentSection) -> str:
    """The section's name in the task list: per-person sections name the person."""
    if section.person_id is None:
        return section.get_kind_display()
    name = section.person.full_name
    return {
        SectionKind.CHILD_VOICE: f"The voice of {name}",
        SectionKind.CARER_VOICE: f"The voice of {name} (parent or carer)",
        SectionKind.CHILD_DOMAINS: f"{name}: needs, parenting and family",
    }[section.kind]


# --- Guards -----------------------------------------------------------------------------------------


def _case_for_writing(*, actor: User, case_id: int, consent: bool = True) -> Case:
    """The case, locked, if `actor` may write its assessment now (and the family's consent allows)."""
    case = Case.objects.select_for_update().select_related("family").get(pk=case_id)
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_ALLOWED)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE, code="not_active")
    if consent and not (state := assessment_consent_state(case)):
        raise ValidationError(state.reason, code="consent")
    return case


def _lock(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_for_update().get(pk=assessment.pk)


def _writable(*, actor: User, assessment: Assessment, consent: bool = True) -> tuple[Case, Assessment]:
    case = _case_for_writing(actor=actor, case_id=assessment.case_id, consent=consent)
    locked = _lock(assessment)
    if locked.status not in WRITABLE:
        raise ValidationError(LOCKED, code="locked")
    return case, locked


def _version_words(assessment: Assessment) -> str:
    return f"version {assessment.version}"


# --- Starting ---------------------------------------------------------------------------------------


@transaction.atomic
def assessment_start(*, actor: User, case: Case) -> Assessment:
    """Start the family's Early Help Assessment: version 1, one section per row of `section_plan`,
    each not started.

    Before: `actor` may write it (the lead professional or the team manager, PermissionDenied
    otherwise); the case is active; the family consented (or a team manager decided consent was not
    to be sought); the case has no assessment yet (a later change of an approved one is
    `assessment_new_version`). Besides: written in the chronology."""
    locked = _case_for_writing(actor=actor, case_id=case.pk)
    if Assessment.objects.filter(case=locked).exists():
        raise ValidationError("The assessment has already been started", code="started")
    assessment = Assessment.objects.create(case=locked, version=1, started_by=actor)
    AssessmentSection.objects.bulk_create(
        AssessmentSection(assessment=assessment, kind=kind, person=person) for kind, person in section_plan(locked)
    )
    chronology_record(
        family=locked.family,
        case=locked,
        event="assessment-started",
        summary="Early help assessment started",
        actor=actor,
    )
    return assessment


# --- Sections ---------------------------------------------------------------------------------------

NEEDS_EMPTY = "Add at least one identified need before you mark this section as completed"


@transaction.atomic
def assessment_section_save(
    *, actor: User, section: AssessmentSection, answers: dict, completed: bool
) -> AssessmentSection:
    """Save a section's answers (its form's cleaned data, JSON) and its status: completed, or in
    progress when the user will come back to it.

    Before: the assessment may be written (see `_writable`: not submitted or approved); the
    identified needs section is completed only with at least one need. Besides: a section completed
    is written in the chronology."""
    case, assessment = _writable(actor=actor, assessment=section.assessment)
    locked = AssessmentSection.objects.select_for_update(of=("self",)).select_related("person").get(pk=section.pk)
    if locked.assessment_id != assessment.pk:
        raise ValidationError("That section is not part of this assessment")
    if completed and locked.kind == SectionKind.NEEDS and not assessment.need_links.exists():
        raise ValidationError({"completed": NEEDS_EMPTY})
    was = locked.status
    locked.answers = answers
    locked.status = SectionStatus.COMPLETED if completed else SectionStatus.IN_PROGRESS
    locked.updated_at = timezone.now()
    locked.updated_by = actor
    locked.save(update_fields=["answers", "status", "updated_at", "updated_by"])
    if completed and was != SectionStatus.COMPLETED:
        chronology_record(
            family=case.family,
            case=case,
            event="assessment-section-completed",
            summary=f"Assessment section completed: {section_title(locked)}",
            actor=actor,
        )
    return locked


# --- Identified needs -------------------------------------------------------------------------------


def _needs_section_in_progress(assessment: Assessment) -> None:
    AssessmentSection.objects.filter(
        assessment=assessment, kind=SectionKind.NEEDS, status=SectionStatus.NOT_STARTED
    ).update(status=SectionStatus.IN_PROGRESS)


@transaction.atomic
def assessment_need_add(
    *,
    actor: User,
    assessment: Assessment,
    area: OutcomeArea | None,
    description: str,
    person: Person | None = None,
    descriptor: OutcomeDescriptor | None = None,
) -> AssessmentNeed:
    """Record a need the assessment identified (through `cases.needs.need_record`: about a family
    member or the whole family, tagged to an outcome area of the active framework and, optionally,
    one of its descriptors of need) and link it.
    Before: the assessment may be written. Field errors: `area`, `descriptor`, `person`, `description`."""
    case, locked = _writable(actor=actor, assessment=assessment)
    need = need_record(actor=actor, case=case, area=area, description=description, person=person, descriptor=descriptor)
    link = AssessmentNeed.objects.create(assessment=locked, need=need)
    _needs_section_in_progress(locked)
    return link


REMOVED_NOTE = "Taken out of the early help assessment"


@transaction.atomic
def assessment_need_remove(*, actor: User, assessment: Assessment, need: IdentifiedNeed) -> None:
    """Take a need out of the assessment: the link goes; the need itself is kept (the record is
    never overwritten), marked no longer a need while no other version of the assessment names it.
    Before: the assessment may be written; the need is linked to it."""
    case, locked = _writable(actor=actor, assessment=assessment)
    link = AssessmentNeed.objects.filter(assessment=locked, need_id=need.pk).first()
    if link is None:
        raise ValidationError({"need": "That need is not part of this assessment"})
    link.delete()
    other_links = AssessmentNeed.objects.filter(need_id=need.pk).exists()
    fresh = IdentifiedNeed.objects.get(pk=need.pk)
    if not other_links and fresh.status == NeedStatus.OPEN:
        need_update_status(actor=actor, need=fresh, status=NeedStatus.NO_LONGER_A_NEED, note=REMOVED_NOTE)
    if not locked.need_links.exists():
        AssessmentSection.objects.filter(
            assessment=locked, kind=SectionKind.NEEDS, status=SectionStatus.COMPLETED
        ).update(status=SectionStatus.IN_PROGRESS)


# --- Submitting and deciding ------------------------------------------------------------------------

DECISION_MISSING = "Answer the decision section: single agency support, a Team Around the Family, or step up"


@transaction.atomic
def assessment_submit(*, actor: User, assessment: Assessment) -> Assessment:
    """Submit the assessment to the team manager: every section completed and the decision answered.
    Locks it (nothing in it changes until it is returned), copies the decision to `outcome`, and
    meets the case's `assessment` clock (its first submission is what the clock waited for).
    Errors: `sections` (naming those not completed), `decision`."""
    case, locked = _writable(actor=actor, assessment=assessment)
    sections = list(locked.sections.select_related("person"))
    unfinished = [section_title(s) for s in sections if s.status != SectionStatus.COMPLETED]
    errors = {}
    if unfinished:
        errors["sections"] = "Complete every section before you submit: " + "; ".join(unfinished)
    decision = next((s for s in sections if s.kind == SectionKind.DECISION), None)
    outcome = (decision.answers or {}).get("decision") if decision else None
    if outcome not in AssessmentDecision.values:
        errors["decision"] = DECISION_MISSING
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    resubmitted = locked.status == AssessmentStatus.RETURNED
    locked.status = AssessmentStatus.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = actor
    locked.outcome = outcome
    locked.decided_at = None
    locked.decided_by = None
    locked.decision_note = ""
    locked.save(
        update_fields=["status", "submitted_at", "submitted_by", "outcome", "decided_at", "decided_by", "decision_note"]
    )
    deadline_meet(timescale_code=ASSESSMENT_TIMESCALE, subject_type="case", subject_id=case.pk, met_at=now)
    chronology_record(
        family=case.family,
        case=case,
        event="assessment-submitted",
        summary=f"Early help assessment {'submitted again' if resubmitted else 'submitted'} ({_version_words(locked)})",
        body=f"Decision: {AssessmentDecision(outcome).label}.",
        actor=actor,
    )
    return locked


def _for_deciding(*, actor: User, assessment: Assessment) -> tuple[Case, Assessment]:
    case = Case.objects.select_for_update().select_related("family").get(pk=assessment.case_id)
    if not actor.has_role(Role.TEAM_MANAGER) or not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_A_MANAGER)
    locked = _lock(assessment)
    if locked.status != AssessmentStatus.SUBMITTED:
        raise ValidationError("Only a submitted assessment can be approved or returned", code="not_submitted")
    if locked.submitted_by_id == actor.pk:
        raise PermissionDenied(OWN_SUBMISSION)
    return case, locked


@transaction.atomic
def assessment_approve(*, actor: User, assessment: Assessment, note: str = "") -> Assessment:
    """A team manager of the case approves the submitted assessment (never their own submission)."""
    case, locked = _for_deciding(actor=actor, assessment=assessment)
    locked.status = AssessmentStatus.APPROVED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = (note or "").strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    chronology_record(
        family=case.family,
        case=case,
        event="assessment-approved",
        summary=f"Early help assessment approved ({_version_words(locked)})",
        body=locked.decision_note,
        actor=actor,
    )
    return locked


@transaction.atomic
def assessment_return(*, actor: User, assessment: Assessment, note: str) -> Assessment:
    """A team manager of the case returns the submitted assessment with comments: it can be changed
    and submitted again. Errors: `note`."""
    case, locked = _for_deciding(actor=actor, assessment=assessment)
    if not (note or "").strip():
        raise ValidationError({"note": "Enter what needs to change before the assessment can be approved"})
    locked.status = AssessmentStatus.RETURNED
    locked.decided_at = timezone.now()
    locked.decided_by = actor
    locked.decision_note = note.strip()
    locked.save(update_fields=["status", "decided_at", "decided_by", "decision_note"])
    chronology_record(
        family=case.family,
        case=case,
        event="assessment-returned",
        summary=f"Early help assessment returned for changes ({_version_words(locked)})",
        body=locked.decision_note,
        actor=actor,
    )
    return locked


# --- Versions ---------------------------------------------------------------------------------------


@transaction.atomic
def assessment_new_version(*, actor: User, assessment: Assessment) -> Assessment:
    """Start a change of an approved assessment: version + 1, in progress, with the approved
    version's sections (answers and statuses) and needs copied; the approved version is kept as it
    was. A child or carer who joined the household since gets their sections, not started.

    Before: `assessment` is the case's latest version and approved; the assessment may be written
    (consent included)."""
    case = _case_for_writing(actor=actor, case_id=assessment.case_id)
    locked = _lock(assessment)
    latest = Assessment.objects.filter(case=case).order_by("-version").first()
    if locked.status != AssessmentStatus.APPROVED or latest.pk != locked.pk:
        raise ValidationError("Only the latest approved version can be changed", code="not_approved")
    new = Assessment.objects.create(case=case, version=locked.version + 1, started_by=actor)
    copied = list(locked.sections.all())
    have = {(s.kind, s.person_id) for s in copied}
    AssessmentSection.objects.bulk_create(
        [
            AssessmentSection(
                assessment=new,
                kind=s.kind,
                person_id=s.person_id,
                status=s.status,
                answers=s.answers,
                updated_at=s.updated_at,
                updated_by_id=s.updated_by_id,
            )
            for s in copied
        ]
        + [
            AssessmentSection(assessment=new, kind=kind, person=person)
            for kind, person in section_plan(case)
            if kind in PER_PERSON_SECTIONS and (kind, person.pk) not in have
        ]
    )
    AssessmentNeed.objects.bulk_create(
        AssessmentNeed(assessment=new, need_id=need_id)
        for need_id in locked.need_links.values_list("need_id", flat=True)
    )
    chronology_record(
        family=case.family,
        case=case,
        event="assessment-new-version",
        summary=f"Early help assessment: {_version_words(new)} started from the approved {_version_words(locked)}",
        actor=actor,
    )
    return new
