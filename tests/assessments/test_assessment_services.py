"""The Early Help Assessment's services: the consent gate, starting (a section per child and carer),
saving sections, needs, submitting (and the clock met), approving, returning, new versions, and the
clock started when the lead professional is assigned. The helpers here are shared by the other
test_assessment_* files."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessments import assessment_services as services
from assessments.assessment_forms import DIMENSIONS, section_form
from assessments.assessment_permissions import NO_CONSENT, NOT_SOUGHT_NOT_MANAGER, assessment_consent_state
from assessments.models import (
    Assessment,
    AssessmentNeed,
    AssessmentSection,
    AssessmentStatus,
    SectionKind,
    SectionStatus,
)
from cases import services as case_services
from cases.deadlines import deadlines_sweep
from cases.models import ChronologyEntry, Consent, Deadline, FamilyMembership, NeedStatus, Notification, Person
from cases.needs import outcome_areas_active
from tests.conftest import open_case
from tests.factories import PersonFactory

# --- Shared helpers ---------------------------------------------------------------------------------


def parent_of(case) -> Person:
    return Person.objects.get(memberships__family=case.family, kind=Person.Kind.ADULT)


def child_of(case) -> Person:
    return Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)


def consent(case, status=Consent.Status.GIVEN, *, person=None, actor=None, reason: str = "") -> Consent:
    """The family's decision on the assessment, recorded through the shared record's service."""
    return case_services.consent_record(
        actor=actor or case.lead_professional,
        family=case.family,
        person=person or parent_of(case),
        scope=Consent.Scope.ASSESSMENT,
        status=status,
        decided_on=timezone.localdate(),
        evidence=Consent.Evidence.WRITTEN if status == Consent.Status.GIVEN else "",
        not_sought_reason=reason,
        case=case,
    )


def valid_data(section: AssessmentSection) -> dict:
    """What a practitioner types into the section's page to complete it."""
    kind = section.kind
    if kind == SectionKind.FAMILY:
        return {"professionals": "Ms Hill, Hill School, class teacher", "notes": ""}
    if kind == SectionKind.REASON:
        return {"reason": "School worried about attendance", "level_of_need": "level-3", "level_explanation": ""}
    if kind == SectionKind.CHILD_VOICE:
        return {"words": "I like football but I get tired", "how_gathered": "conversation", "how_details": ""}
    if kind == SectionKind.CARER_VOICE:
        return {"words": "Mornings are hard", "hopes": "Get to school on time"}
    if kind == SectionKind.STRENGTHS:
        return {"strengths": "A loving family, grandmother nearby"}
    if kind == SectionKind.CHILD_DOMAINS:
        data = {}
        for code, _name in DIMENSIONS:
            data.update({f"{code}_strengths": "", f"{code}_needs": "", f"{code}_worry": "3"})
        data["health_needs"] = "Sleep"
        return data
    if kind == SectionKind.HISTORY:
        return {"tried_before": "None", "what_helped": ""}
    if kind == SectionKind.ANALYSIS:
        return {"analysis": "Tiredness drives the absence"}
    if kind == SectionKind.DECISION:
        return {"decision": "taf", "reasons": "Several agencies are involved"}
    return {}


def save(section: AssessmentSection, data: dict | None = None, *, completed: bool = True, actor=None):
    form = section_form(
        section, {**(valid_data(section) if data is None else data), "completed": "yes" if completed else "no"}
    )
    assert form.is_valid(), form.errors
    return services.assessment_section_save(
        actor=actor or section.assessment.case.lead_professional,
        section=section,
        answers=form.answers(),
        completed=form.completed,
    )


def add_need(assessment: Assessment, *, actor=None, person=None, description="Sleep routine"):
    return services.assessment_need_add(
        actor=actor or assessment.case.lead_professional,
        assessment=assessment,
        area=outcome_areas_active()[0],
        description=description,
        person=person,
    )


def completed_assessment(case, *, actor=None) -> Assessment:
    """An assessment with every section completed and one need, ready to submit."""
    assessment = Assessment.objects.filter(case=case).order_by("-version").first()
    if assessment is None:
        consent(case)
        assessment = services.assessment_start(actor=actor or case.lead_professional, case=case)
    add_need(assessment, actor=actor)
    for section in assessment.sections.select_related("assessment__case", "person"):
        save(section, actor=actor)
    return assessment


def submitted(case) -> Assessment:
    return services.assessment_submit(actor=case.lead_professional, assessment=completed_assessment(case))


@pytest.fixture
def active(world):
    return open_case(world)


# --- The consent gate -------------------------------------------------------------------------------


def test_without_consent_the_assessment_cannot_be_started(active):
    assert assessment_consent_state(active).reason == NO_CONSENT
    with pytest.raises(ValidationError, match="Record the family's consent"):
        services.assessment_start(actor=active.lead_professional, case=active)


def test_consent_given_by_a_parent_with_parental_responsibility_opens_the_gate(active):
    consent(active)

    state = assessment_consent_state(active)

    assert state.allowed and state.basis == "given"


def test_a_refusal_by_anyone_who_may_decide_closes_it(world, active):
    consent(active)
    second = PersonFactory(kind=Person.Kind.ADULT)
    FamilyMembership.objects.create(family=active.family, person=second, parental_responsibility=True)
    consent(active, Consent.Status.REFUSED, person=second)

    state = assessment_consent_state(active)

    assert not state.allowed
    assert "refused consent" in state.reason


def test_a_later_withdrawal_closes_it_and_stops_sections_being_saved(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)
    consent(active, Consent.Status.WITHDRAWN)

    with pytest.raises(ValidationError, match="withdrawn consent"):
        save(assessment.sections.first())


def _row(case, person, status, *, by, reason: str = "") -> Consent:
    """A decision as an older caller of the shared record could write it (the service now refuses
    these): the gate checks who decided for itself."""
    return Consent.objects.create(
        family=case.family,
        person=person,
        case=case,
        scope=Consent.Scope.ASSESSMENT,
        status=status,
        evidence=Consent.Evidence.WRITTEN if status == Consent.Status.GIVEN else "",
        not_sought_reason=reason,
        decided_on=timezone.localdate(),
        recorded_by=by,
    )


def test_an_adult_without_parental_responsibility_does_not_count(world, active):
    other = PersonFactory(kind=Person.Kind.ADULT)
    FamilyMembership.objects.create(family=active.family, person=other, parental_responsibility=False)
    _row(active, other, Consent.Status.GIVEN, by=world.lead)

    assert not assessment_consent_state(active)


def test_a_young_person_judged_able_to_decide_counts(world, active):
    # Recorded directly: the shared record's service takes adults only (the consent pages add the
    # young person's capacity judgement).
    Consent.objects.create(
        family=active.family,
        person=child_of(active),
        case=active,
        scope=Consent.Scope.ASSESSMENT,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.VERBAL,
        decided_on=timezone.localdate(),
        capacity_judgement="15, understands what the assessment is and who will see it",
        recorded_by=world.lead,
    )

    assert assessment_consent_state(active).allowed


def test_not_sought_counts_only_when_a_team_manager_decided_it(world, active):
    _row(active, parent_of(active), Consent.Status.NOT_SOUGHT, by=world.lead, reason="Asking would put a child at risk")
    assert assessment_consent_state(active).reason == NOT_SOUGHT_NOT_MANAGER

    consent(active, Consent.Status.NOT_SOUGHT, actor=world.team_manager, reason="Asking would put the child at risk")
    state = assessment_consent_state(active)

    assert state.allowed and state.basis == "not_sought"


# --- Starting ---------------------------------------------------------------------------------------


def test_start_makes_a_section_per_child_and_carer(world, active):
    baby = PersonFactory(kind=Person.Kind.UNBORN, date_of_birth=None)
    FamilyMembership.objects.create(family=active.family, person=baby)
    consent(active)

    assessment = services.assessment_start(actor=world.lead, case=active)

    kinds = list(assessment.sections.order_by("id").values_list("kind", "person_id"))
    child, parent = child_of(active), parent_of(active)
    assert (SectionKind.CHILD_VOICE, child.pk) in kinds
    assert (SectionKind.CHILD_VOICE, baby.pk) not in kinds  # an unborn child has no voice section
    assert (SectionKind.CHILD_DOMAINS, baby.pk) in kinds
    assert (SectionKind.CARER_VOICE, parent.pk) in kinds
    assert sum(1 for kind, _ in kinds if kind == SectionKind.DECISION) == 1
    assert assessment.version == 1 and assessment.status == AssessmentStatus.IN_PROGRESS
    assert set(assessment.sections.values_list("status", flat=True)) == {SectionStatus.NOT_STARTED}
    assert ChronologyEntry.objects.filter(case=active, event="assessment-started").exists()


def test_only_once(active):
    consent(active)
    services.assessment_start(actor=active.lead_professional, case=active)

    with pytest.raises(ValidationError, match="already been started"):
        services.assessment_start(actor=active.lead_professional, case=active)


@pytest.mark.parametrize("who", ["school_practitioner", "duty_manager", "panel_coordinator", "other_lead"])
def test_only_the_lead_or_their_manager_starts_it(world, active, who):
    consent(active)

    with pytest.raises(PermissionDenied):
        services.assessment_start(actor=getattr(world, who), case=active)


def test_the_team_manager_may_start_it(world, active):
    consent(active)

    assert services.assessment_start(actor=world.team_manager, case=active).started_by == world.team_manager


# --- Sections and needs -------------------------------------------------------------------------------


def test_a_section_saved_in_progress_then_completed(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)
    section = assessment.sections.get(kind=SectionKind.STRENGTHS)

    save(section, {"strengths": ""}, completed=False)
    section.refresh_from_db()
    assert section.status == SectionStatus.IN_PROGRESS

    save(section)
    section.refresh_from_db()
    assert section.status == SectionStatus.COMPLETED
    assert section.answers == {"strengths": "A loving family, grandmother nearby"}
    assert section.updated_by == active.lead_professional


def test_the_needs_section_is_completed_only_with_a_need(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)
    section = assessment.sections.get(kind=SectionKind.NEEDS)

    with pytest.raises(ValidationError, match="at least one identified need"):
        save(section)

    link = add_need(assessment, person=child_of(active))
    save(section)

    assert link.need.person == child_of(active)
    assert link.need.case == active


def test_a_need_removed_is_kept_as_no_longer_a_need(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)
    link = add_need(assessment)

    services.assessment_need_remove(actor=active.lead_professional, assessment=assessment, need=link.need)

    link.need.refresh_from_db()
    assert not AssessmentNeed.objects.filter(assessment=assessment).exists()
    assert link.need.status == NeedStatus.NO_LONGER_A_NEED


def test_a_need_for_someone_outside_the_family_is_refused(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)

    with pytest.raises(ValidationError) as error:
        add_need(assessment, person=PersonFactory(kind=Person.Kind.ADULT))

    assert "person" in error.value.message_dict


# --- Submit, approve, return, versions ---------------------------------------------------------------


def test_submit_needs_every_section_completed(active):
    consent(active)
    assessment = services.assessment_start(actor=active.lead_professional, case=active)

    with pytest.raises(ValidationError) as error:
        services.assessment_submit(actor=active.lead_professional, assessment=assessment)

    assert "Complete every section" in error.value.message_dict["sections"][0]
    assert "decision" in error.value.message_dict


def test_submit_locks_it_copies_the_decision_and_meets_the_clock(active):
    clock = Deadline.objects.get(case=active, timescale__code="assessment")
    assert clock.met_at is None

    assessment = submitted(active)

    clock.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED and assessment.is_locked
    assert assessment.outcome == "taf"
    assert clock.met_at is not None
    with pytest.raises(ValidationError, match="locked"):
        save(assessment.sections.first())


def test_approve_by_the_team_manager(world, active):
    assessment = submitted(active)

    approved = services.assessment_approve(actor=world.team_manager, assessment=assessment)

    assert approved.status == AssessmentStatus.APPROVED and approved.decided_by == world.team_manager
    assert ChronologyEntry.objects.filter(case=active, event="assessment-approved").exists()


@pytest.mark.parametrize("who", ["lead", "other_manager", "panel_coordinator", "duty_manager"])
def test_only_a_team_manager_of_the_case_decides(world, active, who):
    assessment = submitted(active)

    with pytest.raises(PermissionDenied):
        services.assessment_approve(actor=getattr(world, who), assessment=assessment)


def test_a_manager_never_approves_their_own_submission(world, active):
    assessment = completed_assessment(active, actor=world.team_manager)
    services.assessment_submit(actor=world.team_manager, assessment=assessment)

    with pytest.raises(PermissionDenied, match="another team manager"):
        services.assessment_approve(actor=world.team_manager, assessment=assessment)
    # Another manager of the team may.
    services.assessment_approve(actor=world.manager_coordinator, assessment=assessment)


def test_return_needs_comments_and_can_be_resubmitted(world, active):
    assessment = submitted(active)
    with pytest.raises(ValidationError) as error:
        services.assessment_return(actor=world.team_manager, assessment=assessment, note=" ")
    assert "note" in error.value.message_dict

    returned = services.assessment_return(actor=world.team_manager, assessment=assessment, note="Add the dad's view")
    assert returned.status == AssessmentStatus.RETURNED and returned.decision_note == "Add the dad's view"

    save(returned.sections.get(kind=SectionKind.ANALYSIS), {"analysis": "Changed after the return"})
    again = services.assessment_submit(actor=active.lead_professional, assessment=returned)
    assert again.status == AssessmentStatus.SUBMITTED and again.decision_note == ""


@pytest.mark.parametrize(
    "status, allowed",
    [
        (AssessmentStatus.IN_PROGRESS, {"save", "submit"}),
        (AssessmentStatus.RETURNED, {"save", "submit"}),
        (AssessmentStatus.SUBMITTED, {"approve", "return"}),
        (AssessmentStatus.APPROVED, {"new_version"}),
    ],
)
def test_every_move_from_every_status(world, active, status, allowed):
    assessment = completed_assessment(active)
    now = timezone.now()
    Assessment.objects.filter(pk=assessment.pk).update(
        status=status, submitted_at=now, submitted_by=world.lead, decided_at=now
    )
    assessment.refresh_from_db()
    moves = {
        "save": lambda: save(assessment.sections.get(kind=SectionKind.STRENGTHS)),
        "submit": lambda: services.assessment_submit(actor=world.lead, assessment=assessment),
        "approve": lambda: services.assessment_approve(actor=world.team_manager, assessment=assessment),
        "return": lambda: services.assessment_return(actor=world.team_manager, assessment=assessment, note="No"),
        "new_version": lambda: services.assessment_new_version(actor=world.lead, assessment=assessment),
    }
    done = set()
    for name, move in moves.items():
        try:
            from django.db import transaction

            with transaction.atomic():
                move()
                done.add(name)
                raise _Undo
        except (_Undo, ValidationError):
            pass

    assert done == allowed


class _Undo(Exception):
    pass


def test_a_new_version_copies_sections_and_needs(world, active):
    first = services.assessment_approve(actor=world.team_manager, assessment=submitted(active))
    newcomer = PersonFactory(kind=Person.Kind.CHILD)
    FamilyMembership.objects.create(family=active.family, person=newcomer)

    second = services.assessment_new_version(actor=world.lead, assessment=first)

    assert second.version == 2 and second.status == AssessmentStatus.IN_PROGRESS
    assert set(second.need_links.values_list("need_id", flat=True)) == set(
        first.need_links.values_list("need_id", flat=True)
    )
    strengths = second.sections.get(kind=SectionKind.STRENGTHS)
    assert strengths.answers == first.sections.get(kind=SectionKind.STRENGTHS).answers
    assert second.sections.get(kind=SectionKind.CHILD_VOICE, person=newcomer).status == SectionStatus.NOT_STARTED
    first.refresh_from_db()
    assert first.status == AssessmentStatus.APPROVED
    with pytest.raises(ValidationError, match="latest approved"):
        services.assessment_new_version(actor=world.lead, assessment=first)


# --- The clock ------------------------------------------------------------------------------------------


def test_the_clock_starts_when_the_lead_professional_is_assigned(world):
    case = open_case(world, status="awaiting_lead_professional")
    assert not Deadline.objects.filter(case=case, timescale__code="assessment").exists()

    case_services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.lead)

    clock = Deadline.objects.get(case=case, timescale__code="assessment")
    assert clock.subject_type == "case" and clock.subject_id == case.pk
    assert clock.remind_user == world.lead
    assert clock.escalate_role == "team_manager" and clock.escalate_agency == world.council
    assert clock.reference == case.reference


def test_a_new_lead_professional_is_reminded_by_the_running_clock_and_the_former_lead_is_not(world):
    case = open_case(world)
    clock = Deadline.objects.get(case=case, timescale__code="assessment")
    world.other_lead.team = world.team
    world.other_lead.save(update_fields=["team"])

    case_services.case_assign_lead_professional(actor=world.team_manager, case=case, lead_professional=world.other_lead)

    clock.refresh_from_db()
    assert clock.remind_user == world.other_lead and clock.met_at is None
    swept = deadlines_sweep(now=clock.remind_at + datetime.timedelta(minutes=1))
    assert swept["reminded"] >= 1
    assert Notification.objects.filter(recipient=world.other_lead, body__contains=case.reference).exists()
    assert not Notification.objects.filter(recipient=world.lead, body__contains=case.reference).exists()


def test_the_clock_is_cancelled_when_the_case_closes(world):
    case = open_case(world, status="closed")

    clock = Deadline.objects.get(case=case, timescale__code="assessment")

    assert clock.cancelled_at is not None and clock.met_at is None
