"""Closure outcomes, written only here: what the lead professional records with a closure request,
the manager's return or sign-off of it, and six months on whether each outcome lasted.

The closure request, its return and its sign-off are the shared record's lifecycle moves
(`cases.services`); these services keep the outcomes app's part of each, called in the same
transaction after the move (`outcomes.closure`, through `cases.extensions.MoveQuestions`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from cases.deadlines import deadline_meet, deadline_start
from cases.models import Case, CaseStatus, IdentifiedNeed, User
from cases.permissions import MANAGE_CASE, case_perms, user_has_case_perm
from cases.roles import Role
from cases.services import (
    CONSENT_EVIDENCE_EXTENSIONS,
    chronology_record,
    consent_evidence_error,
    consent_evidence_type,
)
from panels.models import AgendaItem

from .models import Achieved, Closure, ClosureDestination, ClosureStatus, FeedbackAnswer, NeedOutcome

SUSTAINED_CHECK = "sustained-check"


@dataclass
class NeedAnswer:
    """What the lead professional says of one need at closure."""

    need: IdentifiedNeed
    achieved: str
    evidence_note: str = ""
    evidence_reading: object | None = None  # an assessments.Reading of the case
    evidence_file: object | None = None  # an uploaded file


def closure_needs(case: Case) -> list[IdentifiedNeed]:
    """The needs a closure request answers: every need identified for the case, oldest first."""
    return list(
        IdentifiedNeed.objects.filter(case_id=case.pk)
        .select_related("area", "person", "descriptor")
        .order_by("recorded_at", "id")
    )


def _need_errors(answers: list[NeedAnswer], needs: list[IdentifiedNeed], case: Case) -> dict:
    errors: dict[str, str] = {}
    answered = {answer.need.pk for answer in answers}
    for need in needs:
        if need.pk not in answered:
            errors[f"need_{need.pk}_achieved"] = f"Say whether the outcome of “{need.description[:60]}” was achieved"
    for answer in answers:
        key = f"need_{answer.need.pk}"
        if answer.need.case_id != case.pk:
            errors[f"{key}_achieved"] = "Answer for the needs of this case only"
        if answer.achieved not in Achieved.values:
            errors[f"{key}_achieved"] = f"Say whether the outcome of “{answer.need.description[:60]}” was achieved"
        if answer.evidence_reading is not None and answer.evidence_reading.case_id != case.pk:
            errors[f"{key}_reading"] = "Choose a reading of this family"
        if answer.evidence_file:
            if problem := consent_evidence_error(answer.evidence_file):
                errors[f"{key}_file"] = problem
        if not (answer.evidence_note.strip() or answer.evidence_reading or answer.evidence_file):
            errors[f"{key}_evidence"] = (
                f"Give the evidence for “{answer.need.description[:60]}”: a note, a reading or a document"
            )
    return errors


@transaction.atomic
def closure_request_record(
    *,
    actor: User,
    case: Case,
    destination: ClosureDestination,
    feedback_timely: str,
    feedback_knew_lead: str,
    feedback_told_once: str,
    feedback_words: str = "",
    answers: list[NeedAnswer],
) -> Closure:
    """Keep what the lead professional recorded with the case's closure request: each need's
    outcome with its evidence, the destination and the family's feedback. Before: the case has
    just been moved to closure requested (`cases.services.case_request_closure`) by `actor`, who
    may manage it; every need of the case is answered, each with some evidence."""
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.status != CaseStatus.CLOSURE_REQUESTED:
        raise ValidationError("Request the case's closure first")
    if not user_has_case_perm(actor, locked, MANAGE_CASE):
        raise PermissionDenied("You cannot do that on this case.")
    errors = _need_errors(answers, closure_needs(locked), locked)
    for field, value in (
        ("feedback_timely", feedback_timely),
        ("feedback_knew_lead", feedback_knew_lead),
        ("feedback_told_once", feedback_told_once),
    ):
        if value not in FeedbackAnswer.values:
            errors[field] = "Choose what the family said, or that they were not asked"
    if destination is None or not destination.active:
        errors["destination"] = "Choose where the family goes next"
    if errors:
        raise ValidationError(errors)
    closure = Closure.objects.create(
        case=locked,
        requested_by=actor,
        destination=destination,
        came_through_panel=AgendaItem.objects.filter(case_id=locked.pk).exists(),
        feedback_timely=feedback_timely,
        feedback_knew_lead=feedback_knew_lead,
        feedback_told_once=feedback_told_once,
        feedback_words=feedback_words.strip(),
    )
    for answer in answers:
        outcome = NeedOutcome(
            closure=closure,
            need=answer.need,
            achieved=answer.achieved,
            evidence_note=answer.evidence_note.strip(),
            evidence_reading=answer.evidence_reading,
        )
        if answer.evidence_file:
            kind = consent_evidence_type(answer.evidence_file)
            outcome.evidence_file.save(
                f"evidence.{CONSENT_EVIDENCE_EXTENSIONS[kind]}", answer.evidence_file, save=False
            )
        outcome.save()
    achieved = sum(1 for answer in answers if answer.achieved == Achieved.YES)
    chronology_record(
        family=locked.family,
        case=locked,
        event="closure_outcomes_recorded",
        actor=actor,
        summary=f"Closure outcomes recorded: {achieved} of {len(answers)} needs achieved; next: {destination.name}",
    )
    return closure


def _requested(case: Case) -> Closure | None:
    return Closure.objects.select_for_update().filter(case_id=case.pk, status=ClosureStatus.REQUESTED).first()


@transaction.atomic
def closure_return(*, actor: User, case: Case, note: str) -> Closure | None:
    """The manager returned the closure request (`cases.services.case_return_closure`): the request
    is kept, returned, with what must happen first. None for a request made before outcomes were
    recorded."""
    closure = _requested(case)
    if closure is None:
        return None
    closure.status = ClosureStatus.RETURNED
    closure.decided_by = actor
    closure.decided_at = timezone.now()
    closure.manager_note = note.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "manager_note"])
    return closure


@transaction.atomic
def closure_sign_off(*, actor: User, case: Case, significant_and_sustained: bool, note: str = "") -> Closure | None:
    """The manager signed off the closure (`cases.services.case_sign_off_closure`, the case now
    closed): their judgement is kept with the request, and the `sustained-check` clock starts, due
    six months on, for the lead agency's team managers. None for a case whose request recorded no
    outcomes (one made before they were recorded, of a case with no needs)."""
    closure = _requested(case)
    if closure is None:
        if IdentifiedNeed.objects.filter(case_id=case.pk).exists():
            raise ValidationError(
                "The lead professional has not recorded the outcome of each need: return the request so they can"
            )
        return None
    closure.status = ClosureStatus.SIGNED_OFF
    closure.decided_by = actor
    closure.decided_at = timezone.now()
    closure.significant_and_sustained = significant_and_sustained
    closure.manager_note = note.strip()
    closure.save(update_fields=["status", "decided_by", "decided_at", "significant_and_sustained", "manager_note"])
    locked = Case.objects.select_related("lead_agency").get(pk=case.pk)
    if closure.need_outcomes.filter(achieved__in=[Achieved.YES, Achieved.PARTLY]).exists():
        deadline_start(
            timescale_code=SUSTAINED_CHECK,
            subject_type="closure",
            subject_id=closure.pk,
            case=locked,
            reference=locked.reference,
            started_at=closure.decided_at,
            remind_role=Role.TEAM_MANAGER,
            remind_agency=locked.lead_agency,
            escalate_role=Role.TEAM_MANAGER,
            escalate_agency=locked.lead_agency,
        )
    return closure


def may_check_sustained(user: User, closure: Closure) -> bool:
    """The six-month check is answered by a team manager whose role manages the case
    (`cases.permissions.role_scopes`: their team's cases, and their agency's that no team holds), as
    they see cases. A manager of another team of the same agency does not see it, so does not answer."""
    return user.has_role(Role.TEAM_MANAGER) and MANAGE_CASE in case_perms(user, closure.case, ())


@transaction.atomic
def sustained_check_record(*, actor: User, closure: Closure, answers: dict[int, tuple[bool, str]]) -> Closure:
    """Six months on: whether each achieved (or partly achieved) outcome lasted, keyed by need
    outcome id. Once only, by a team manager who manages the case (`may_check_sustained`); meets the
    `sustained-check` clock."""
    closure = Closure.objects.select_for_update().select_related("case").get(pk=closure.pk)
    if not may_check_sustained(actor, closure):
        raise PermissionDenied("You cannot do that for this family.")
    if closure.status != ClosureStatus.SIGNED_OFF:
        raise ValidationError("Only a signed-off closure is checked")
    if closure.sustained_checked_at is not None:
        raise ValidationError("Whether the outcomes lasted has already been recorded")
    asked = list(closure.need_outcomes.filter(achieved__in=[Achieved.YES, Achieved.PARTLY]).select_related("need"))
    errors = {
        f"outcome_{outcome.pk}": f"Say whether “{outcome.need.description[:60]}” lasted"
        for outcome in asked
        if outcome.pk not in answers
    }
    if errors:
        raise ValidationError(errors)
    for outcome in asked:
        outcome.sustained, note = answers[outcome.pk]
        outcome.sustained_note = note.strip()
        outcome.save(update_fields=["sustained", "sustained_note"])
    closure.sustained_checked_at = timezone.now()
    closure.sustained_checked_by = actor
    closure.save(update_fields=["sustained_checked_at", "sustained_checked_by"])
    deadline_meet(timescale_code=SUSTAINED_CHECK, subject_type="closure", subject_id=closure.pk)
    lasted = sum(1 for outcome in asked if outcome.sustained)
    chronology_record(
        family=closure.case.family,
        case=closure.case,
        event="closure_sustained_checked",
        actor=actor,
        summary=f"Six months after closure: {lasted} of {len(asked)} outcomes lasted",
    )
    return closure
