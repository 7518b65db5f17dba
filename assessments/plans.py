"""Writes of the family plan: one plan per case, its outcomes (in the family's words, linked to the
needs the assessment identified), its SMART actions and their progress, the family's agreement and
the versions kept at each agreement and review. Who may do what is `plan_permissions`'; each
service checks it again against the database (the case row locked), records the case's chronology
and runs in one transaction.

Errors: PermissionDenied when the actor may not; ValidationError keyed by field (`text`, `needs`,
`what`, `owner`, `due_on`, `measure`, `status`, `note`, `agreed_on`, `outcome`, `contingency_plan`,
`exit_plan`) or without a field for a rule about the whole (no plan yet, the case not active).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseMember, CaseStatus, FamilyMembership, IdentifiedNeed, Person, User
from cases.notifications import notification_queue
from cases.permissions import MANAGE_CASE, user_has_case_perm
from cases.services import chronology_record

from .models import (
    ActionStatus,
    ActionUpdate,
    Assessment,
    AssessmentStatus,
    Plan,
    PlanAction,
    PlanOutcome,
    PlanVersion,
)
from .signals import plan_agreed

NOT_ALLOWED = "Only the family's lead professional or their team manager can change the plan"
NOT_ALLOWED_PROGRESS = "Only the action's owner, the lead professional or their team manager can record progress"
NOT_ACTIVE = "The plan can change only while the case is active"
NO_ASSESSMENT = "Submit the family's assessment before making their plan"
ALREADY = "This family already has a plan"
AGREED_REASON = "Agreed with the family"
TEXT_MAX = 5000

# Chronology events.
PLAN_CREATED = "plan-created"
PLAN_CHANGED = "plan-changed"
OUTCOME_ADDED = "plan-outcome-added"
OUTCOME_CHANGED = "plan-outcome-changed"
OUTCOME_ENDED = "plan-outcome-ended"
ACTION_ADDED = "plan-action-added"
ACTION_CHANGED = "plan-action-changed"
ACTION_ENDED = "plan-action-ended"
ACTION_PROGRESS = "plan-action-progress"
PLAN_AGREED = "plan-agreed"
PLAN_VERSION = "plan-version-made"


# --- Shared checks ------------------------------------------------------------------------------------


def _lock_case(*, actor: User, case_id: int, message: str = NOT_ALLOWED) -> Case:
    """The case, locked, if `actor` holds MANAGE_CASE on it and it is active."""
    case = Case.objects.select_for_update().select_related("family").get(pk=case_id)
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(message)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE, code="not_active")
    return case


def _touch(plan: Plan, actor: User) -> None:
    plan.updated_at = timezone.now()
    plan.updated_by = actor
    plan.save(update_fields=["updated_at", "updated_by"])


def _text(errors: dict, field: str, value: str, required: str | None, noun: str) -> str:
    value = (value or "").strip()
    if required and not value:
        errors[field] = required
    elif len(value) > TEXT_MAX:
        errors[field] = f"{noun} must be {TEXT_MAX} characters or fewer"
    return value


def _long(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _link(path: str) -> str:
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def owner_name(action: PlanAction) -> str:
    """The owner as the plan shows them: a practitioner with their agency, or a family member."""
    if action.owner_user_id:
        user = action.owner_user
        agency = f" ({user.agency})" if user.agency_id else ""
        return f"{user.get_full_name() or user.username}{agency}"
    return action.owner_person.full_name if action.owner_person_id else ""


# --- The plan ------------------------------------------------------------------------------------------


def assessment_ready(case: Case) -> bool:
    """Whether the case has an assessment version submitted or approved: the plan follows it."""
    return Assessment.objects.filter(
        case_id=case.pk, status__in=[AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED]
    ).exists()


@transaction.atomic
def plan_create(*, actor: User, case: Case, contingency_plan: str = "", exit_plan: str = "") -> Plan:
    """Make the case's one family plan. Before: `actor` holds MANAGE_CASE, the case is active, has
    no plan yet, and has an assessment version submitted or approved."""
    case = _lock_case(actor=actor, case_id=case.pk)
    if Plan.objects.filter(case_id=case.pk).exists():
        raise ValidationError(ALREADY, code="exists")
    if not assessment_ready(case):
        raise ValidationError(NO_ASSESSMENT, code="no_assessment")
    errors: dict[str, str] = {}
    contingency_plan = _text(errors, "contingency_plan", contingency_plan, None, "The contingency plan")
    exit_plan = _text(errors, "exit_plan", exit_plan, None, "The exit plan")
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    plan = Plan.objects.create(
        case=case,
        contingency_plan=contingency_plan,
        exit_plan=exit_plan,
        created_at=now,
        created_by=actor,
        updated_at=now,
        updated_by=actor,
    )
    chronology_record(family=case.family, case=case, event=PLAN_CREATED, summary="Family plan started", actor=actor)
    return plan


@transaction.atomic
def plan_update(*, actor: User, plan: Plan, contingency_plan: str, exit_plan: str) -> Plan:
    """Change the contingency plan (what happens if the plan does not work) and the exit plan (how
    the family will know support can end)."""
    case = _lock_case(actor=actor, case_id=plan.case_id)
    errors: dict[str, str] = {}
    contingency_plan = _text(errors, "contingency_plan", contingency_plan, None, "The contingency plan")
    exit_plan = _text(errors, "exit_plan", exit_plan, None, "The exit plan")
    if errors:
        raise ValidationError(errors)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    plan.contingency_plan, plan.exit_plan = contingency_plan, exit_plan
    plan.save(update_fields=["contingency_plan", "exit_plan"])
    _touch(plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=PLAN_CHANGED,
        summary="Family plan's contingency and exit plans changed",
        actor=actor,
    )
    return plan


# --- Outcomes -----------------------------------------------------------------------------------------


def _check_needs(errors: dict, case: Case, needs: Iterable[IdentifiedNeed]) -> list[IdentifiedNeed]:
    needs = list(needs)
    ids = {need.pk for need in needs}
    if not ids:
        errors["needs"] = "Select the needs this outcome answers"
    elif IdentifiedNeed.objects.filter(pk__in=ids, case_id=case.pk).count() != len(ids):
        errors["needs"] = "Select needs identified for this family"
    return needs


@transaction.atomic
def plan_outcome_add(*, actor: User, plan: Plan, text: str, needs: Iterable[IdentifiedNeed]) -> PlanOutcome:
    """Add an outcome agreed with the family, in their words, linked to one or more of the case's
    identified needs. Put at the end of the plan's outcomes."""
    case = _lock_case(actor=actor, case_id=plan.case_id)
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, "Enter the outcome in the family's words", "The outcome")
    needs = _check_needs(errors, case, needs)
    if errors:
        raise ValidationError(errors)
    position = (plan.outcomes.aggregate(last=Max("position"))["last"] or 0) + 1
    outcome = PlanOutcome.objects.create(plan=plan, text=text, position=position, created_by=actor)
    outcome.needs.set(needs)
    _touch(plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=OUTCOME_ADDED,
        summary="Outcome added to the family plan",
        body=text,
        actor=actor,
    )
    return outcome


@transaction.atomic
def plan_outcome_update(
    *, actor: User, outcome: PlanOutcome, text: str, needs: Iterable[IdentifiedNeed]
) -> PlanOutcome:
    case = _lock_case(actor=actor, case_id=outcome.plan.case_id)
    outcome = PlanOutcome.objects.select_for_update().get(pk=outcome.pk)
    if outcome.ended_at is not None:
        raise ValidationError("This outcome is no longer in the plan", code="ended")
    errors: dict[str, str] = {}
    text = _text(errors, "text", text, "Enter the outcome in the family's words", "The outcome")
    needs = _check_needs(errors, case, needs)
    if errors:
        raise ValidationError(errors)
    outcome.text = text
    outcome.save(update_fields=["text"])
    outcome.needs.set(needs)
    _touch(outcome.plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=OUTCOME_CHANGED,
        summary="Family plan outcome changed",
        body=text,
        actor=actor,
    )
    return outcome


@transaction.atomic
def plan_outcome_end(*, actor: User, outcome: PlanOutcome) -> PlanOutcome:
    """Take an outcome out of the plan (kept, and in the versions made before). Its actions stay in
    the plan, no longer under an outcome, until they are ended too."""
    case = _lock_case(actor=actor, case_id=outcome.plan.case_id)
    outcome = PlanOutcome.objects.select_for_update().get(pk=outcome.pk)
    if outcome.ended_at is not None:
        return outcome
    outcome.ended_at = timezone.now()
    outcome.save(update_fields=["ended_at"])
    _touch(outcome.plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=OUTCOME_ENDED,
        summary="Outcome taken out of the family plan",
        body=outcome.text,
        actor=actor,
    )
    return outcome


# --- Actions ------------------------------------------------------------------------------------------


def _check_action(
    errors: dict,
    *,
    case: Case,
    plan: Plan,
    what: str,
    owner_user: User | None,
    owner_person: Person | None,
    due_on: datetime.date | None,
    measure: str,
    outcome: PlanOutcome | None,
    status: str,
    due_changed: bool,
) -> tuple[str, str]:
    what = _text(errors, "what", what, "Enter what will be done", "What will be done")
    measure = _text(errors, "measure", measure, "Enter how progress will be measured", "How progress is measured")
    if (owner_user is None) == (owner_person is None):
        errors["owner"] = "Select who will do it: a member of the team around the family or a family member"
    elif (
        owner_user is not None
        and not CaseMember.objects.filter(case_id=case.pk, user_id=owner_user.pk, ended_at__isnull=True).exists()
    ):
        errors["owner"] = "Select a current member of the team around the family"
    elif (
        owner_person is not None
        and not FamilyMembership.objects.filter(family_id=case.family_id, person_id=owner_person.pk).exists()
    ):
        errors["owner"] = "Select a member of this family"
    if due_on is None:
        errors["due_on"] = "Enter the date it will be done by"
    elif due_changed and due_on < timezone.localdate():
        errors["due_on"] = "The date it will be done by must be today or in the future"
    if outcome is not None and (outcome.plan_id != plan.pk or outcome.ended_at is not None):
        errors["outcome"] = "Select an outcome of this plan"
    if status not in ActionStatus.values:
        errors["status"] = "Select the action's status"
    return what, measure


def _tell_owner(*, action: PlanAction, actor: User) -> None:
    """Email a practitioner given an action: the case's reference and a link, nothing about the family."""
    owner = action.owner_user
    if owner is None or owner.pk == actor.pk or not owner.email:
        return
    url = _link(reverse("assessments:plan-action", args=[action.case_id, action.pk]))
    notification_queue(
        dedupe_key=f"plan-action-owner:{action.pk}:{owner.pk}:{action.updated_at.timestamp()}",
        recipient=owner,
        subject=f"An action for you in a family plan ({action.case.reference})",
        body=(
            f"You have been given an action in the family plan of case {action.case.reference}. "
            f"See what it is, when it is due, and record progress here:\n\n{url}"
        ),
    )


@transaction.atomic
def plan_action_add(
    *,
    actor: User,
    plan: Plan,
    what: str,
    due_on: datetime.date | None,
    measure: str,
    owner_user: User | None = None,
    owner_person: Person | None = None,
    outcome: PlanOutcome | None = None,
    status: str = ActionStatus.NOT_STARTED,
) -> PlanAction:
    """Add a SMART action: what, who (a current member of the team around the family, or a family
    member), by when (today or later), how progress is measured, its status, and the outcome it
    serves (optional). A practitioner given it (not the actor) is told by email, with a link."""
    case = _lock_case(actor=actor, case_id=plan.case_id)
    errors: dict[str, str] = {}
    what, measure = _check_action(
        errors,
        case=case,
        plan=plan,
        what=what,
        owner_user=owner_user,
        owner_person=owner_person,
        due_on=due_on,
        measure=measure,
        outcome=outcome,
        status=status,
        due_changed=True,
    )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    action = PlanAction.objects.create(
        plan=plan,
        case=case,
        outcome=outcome,
        what=what,
        owner_user=owner_user,
        owner_person=owner_person,
        due_on=due_on,
        measure=measure,
        status=status,
        created_at=now,
        created_by=actor,
        updated_at=now,
    )
    _touch(plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=ACTION_ADDED,
        summary=f"Action added to the family plan for {owner_name(action)}, due {_long(due_on)}",
        body=what,
        actor=actor,
    )
    _tell_owner(action=action, actor=actor)
    return action


@transaction.atomic
def plan_action_update(
    *,
    actor: User,
    action: PlanAction,
    what: str,
    due_on: datetime.date | None,
    measure: str,
    owner_user: User | None = None,
    owner_person: Person | None = None,
    outcome: PlanOutcome | None = None,
    status: str | None = None,
) -> PlanAction:
    """Change an action. A due date may stay as it was even once past; a new one must be today or
    later. A practitioner newly given it is told by email."""
    case = _lock_case(actor=actor, case_id=action.case_id)
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if action.ended_at is not None:
        raise ValidationError("This action is no longer in the plan", code="ended")
    status = action.status if status is None else status
    errors: dict[str, str] = {}
    what, measure = _check_action(
        errors,
        case=case,
        plan=action.plan,
        what=what,
        owner_user=owner_user,
        owner_person=owner_person,
        due_on=due_on,
        measure=measure,
        outcome=outcome,
        status=status,
        due_changed=due_on != action.due_on,
    )
    if errors:
        raise ValidationError(errors)
    new_owner = owner_user is not None and owner_user.pk != action.owner_user_id
    action.what, action.measure, action.due_on, action.status = what, measure, due_on, status
    action.owner_user, action.owner_person, action.outcome = owner_user, owner_person, outcome
    action.updated_at = timezone.now()
    action.save()
    _touch(action.plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=ACTION_CHANGED,
        summary=(
            f"Family plan action changed: for {owner_name(action)}, due {_long(due_on)}, "
            f"{action.get_status_display().lower()}"
        ),
        body=what,
        actor=actor,
    )
    if new_owner:
        _tell_owner(action=action, actor=actor)
    return action


@transaction.atomic
def plan_action_end(*, actor: User, action: PlanAction) -> PlanAction:
    """Take an action out of the plan (kept, with its progress, and in the versions made before)."""
    case = _lock_case(actor=actor, case_id=action.case_id)
    action = PlanAction.objects.select_for_update().select_related("plan").get(pk=action.pk)
    if action.ended_at is not None:
        return action
    action.ended_at = action.updated_at = timezone.now()
    action.save(update_fields=["ended_at", "updated_at"])
    _touch(action.plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=ACTION_ENDED,
        summary="Action taken out of the family plan",
        body=action.what,
        actor=actor,
    )
    return action


@transaction.atomic
def action_progress_record(*, actor: User, action: PlanAction, note: str, status: str) -> ActionUpdate:
    """Progress on an action: a note and its status now. By its owner while a current member of the
    team around the family, or by someone holding MANAGE_CASE; only on an active case and while the
    action is in the plan. Shown on the plan and in the chronology."""
    case = Case.objects.select_for_update().select_related("family").get(pk=action.case_id)
    action = PlanAction.objects.select_for_update().get(pk=action.pk)
    owner = (
        action.owner_user_id == actor.pk
        and CaseMember.objects.filter(case_id=case.pk, user_id=actor.pk, ended_at__isnull=True).exists()
    )
    if not owner and not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied(NOT_ALLOWED_PROGRESS)
    if case.status != CaseStatus.ACTIVE:
        raise ValidationError("Progress can be recorded only while the case is active", code="not_active")
    if action.ended_at is not None:
        raise ValidationError("This action is no longer in the plan", code="ended")
    errors: dict[str, str] = {}
    note = _text(errors, "note", note, "Enter what has been done", "The note")
    if status not in ActionStatus.values:
        errors["status"] = "Select the action's status now"
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    update = ActionUpdate.objects.create(action=action, note=note, status=status, recorded_by=actor, recorded_at=now)
    action.status, action.updated_at = status, now
    action.save(update_fields=["status", "updated_at"])
    chronology_record(
        family=case.family,
        case=case,
        event=ACTION_PROGRESS,
        summary=f"Progress on a family plan action: {update.get_status_display().lower()}",
        body=f"{action.what}\n\n{note}",
        actor=actor,
        occurred_at=now,
    )
    return update


# --- Agreement and versions ----------------------------------------------------------------------------


def plan_snapshot(plan: Plan) -> dict:
    """The plan as it stands, as JSON: the outcomes still in it with their needs, the actions still
    in it with their owners' names (a practitioner's or a family member's), the contingency and exit
    plans and the date the family agreed it. Four queries."""
    outcomes = list(plan.outcomes.filter(ended_at__isnull=True).prefetch_related("needs__area", "needs__person"))
    actions = list(plan.actions.filter(ended_at__isnull=True).select_related("owner_user__agency", "owner_person"))
    return {
        "agreed_on": plan.agreed_on.isoformat() if plan.agreed_on else None,
        "contingency_plan": plan.contingency_plan,
        "exit_plan": plan.exit_plan,
        "outcomes": [
            {
                "id": outcome.pk,
                "text": outcome.text,
                "needs": [
                    {
                        "id": need.pk,
                        "description": need.description,
                        "area": str(need.area),
                        "about": need.person.full_name if need.person_id else "The whole family",
                    }
                    for need in outcome.needs.all()
                ],
            }
            for outcome in outcomes
        ],
        "actions": [
            {
                "id": action.pk,
                "outcome_id": action.outcome_id,
                "what": action.what,
                "owner": owner_name(action),
                "owner_kind": "member" if action.owner_user_id else "family",
                "due_on": action.due_on.isoformat(),
                "measure": action.measure,
                "status": action.status,
                "status_label": action.get_status_display(),
            }
            for action in actions
        ],
    }


@transaction.atomic
def plan_version_make(*, plan: Plan, actor: User, reason: str) -> PlanVersion:
    """Keep the plan as it stands now as its next version (1, 2, ...), for `reason` ("Agreed with the
    family", "Review 1"). `actor` holds MANAGE_CASE on the case. Called by `plan_agree` and by the
    reviews."""
    if not user_has_case_perm(actor, plan.case, MANAGE_CASE):
        raise PermissionDenied(NOT_ALLOWED)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why this version of the plan is kept"})
    plan = Plan.objects.select_for_update().select_related("case__family").get(pk=plan.pk)
    number = (plan.versions.aggregate(last=Max("number"))["last"] or 0) + 1
    version = PlanVersion.objects.create(
        plan=plan, number=number, reason=reason[:200], content=plan_snapshot(plan), made_by=actor
    )
    chronology_record(
        family=plan.case.family,
        case=plan.case,
        event=PLAN_VERSION,
        summary=f"Family plan version {number} kept: {reason[:200]}",
        actor=actor,
    )
    return version


@transaction.atomic
def plan_agree(plan: Plan, actor: User, agreed_on: datetime.date | None) -> PlanVersion:
    """The family agreed the plan on `agreed_on` (today or earlier, not before the plan was made):
    sets `agreed_on` and keeps a version "Agreed with the family". The first agreement sends
    `signals.plan_agreed` (the review clocks start from it), inside this transaction; agreeing
    again after changes keeps another version and sends nothing."""
    case = _lock_case(actor=actor, case_id=plan.case_id)
    plan = Plan.objects.select_for_update().get(pk=plan.pk)
    errors: dict[str, str] = {}
    if agreed_on is None:
        errors["agreed_on"] = "Enter the date the family agreed the plan"
    elif agreed_on > timezone.localdate():
        errors["agreed_on"] = "The date the family agreed the plan must be today or in the past"
    elif agreed_on < timezone.localdate(plan.created_at):
        errors["agreed_on"] = (
            f"The date the family agreed the plan must be on or after {_long(timezone.localdate(plan.created_at))}, "
            "when the plan was started"
        )
    if not plan.outcomes.filter(ended_at__isnull=True).exists():
        errors["__all__"] = "Add at least one outcome before the family agrees the plan"
    elif not plan.actions.filter(ended_at__isnull=True).exists():
        errors["__all__"] = "Add at least one action before the family agrees the plan"
    if errors:
        raise ValidationError(errors)
    first = plan.agreed_on is None
    plan.agreed_on = agreed_on
    plan.save(update_fields=["agreed_on"])
    _touch(plan, actor)
    chronology_record(
        family=case.family,
        case=case,
        event=PLAN_AGREED,
        summary=f"The family agreed their plan on {_long(agreed_on)}",
        actor=actor,
    )
    version = plan_version_make(plan=plan, actor=actor, reason=AGREED_REASON)
    if first:
        plan_agreed.send(sender=Plan, plan=plan, actor=actor)
    return version
