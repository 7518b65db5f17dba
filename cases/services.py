"""Writes to the shared record. Each service takes the acting user, checks what must hold,
saves inside a transaction and records what happened in the family's chronology."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from .deadlines import deadline_cancel, deadline_meet
from .models import (
    PANEL_RETURN_ROUTES,
    Agency,
    Case,
    CaseMember,
    CaseStatus,
    ChronologyEntry,
    ClosureReason,
    Consent,
    Deadline,
    Family,
    LevelOfNeed,
    Locality,
    PanelRoute,
    Person,
    Team,
    User,
)
from .permissions import CHANGE_CASE, LEAD_PROFESSIONAL_PERMS, MANAGE_CASE, MEMBER_PERMS, user_has_case_perm
from .roles import Role
from .signals import case_moved, case_panel_withdrawn

S = CaseStatus

# The case lifecycle: every allowed move, the action that makes it, and who may take that action
# (besides holding the named permission on the case).
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (S.AWAITING_ALLOCATION, S.AWAITING_LEAD_PROFESSIONAL): "allocate",
    (S.AWAITING_LEAD_PROFESSIONAL, S.ACTIVE): "assign_lead_professional",
    (S.ACTIVE, S.CLOSURE_REQUESTED): "request_closure",
    (S.CLOSURE_REQUESTED, S.ACTIVE): "return_closure",
    (S.CLOSURE_REQUESTED, S.CLOSED): "sign_off_closure",
    (S.AWAITING_ALLOCATION, S.CLOSED): "close_unallocated",
    (S.AWAITING_LEAD_PROFESSIONAL, S.CLOSED): "close_unallocated",
    (S.ACTIVE, S.AWAITING_ALLOCATION): "return_to_panel",
}
ACTION_RULES: dict[str, tuple[str, frozenset[str]]] = {
    "allocate": (CHANGE_CASE, frozenset({Role.PANEL_COORDINATOR, Role.TEAM_MANAGER})),
    "assign_lead_professional": (MANAGE_CASE, frozenset({Role.TEAM_MANAGER})),
    "request_closure": (MANAGE_CASE, frozenset({Role.LEAD_PROFESSIONAL, Role.TEAM_MANAGER})),
    "return_closure": (MANAGE_CASE, frozenset({Role.TEAM_MANAGER})),
    "sign_off_closure": (MANAGE_CASE, frozenset({Role.TEAM_MANAGER})),
    "close_unallocated": (CHANGE_CASE, frozenset({Role.PANEL_COORDINATOR, Role.TEAM_MANAGER})),
    "return_to_panel": (MANAGE_CASE, frozenset({Role.LEAD_PROFESSIONAL, Role.TEAM_MANAGER})),
}
# What a case leaves behind once it no longer waits for the panel (allocated, or closed).
NOT_WAITING = {"panel_route": "", "panel_waiting_since": None, "panel_note": ""}


class TransitionNotAllowed(ValidationError):
    pass


def action_allowed(*, actor: User, case: Case, action: str, perms: frozenset[str] | None = None) -> bool:
    """Whether `actor` may take `action` on `case` now: the move exists from the case's status, the
    actor holds a role that takes it and the permission it needs on this case. A page asking about
    every action passes the actor's `perms` on the case (`case.perms` from `case_get_for_user`)."""
    if not any(frm == case.status and act == action for (frm, _to), act in ALLOWED_TRANSITIONS.items()):
        return False
    perm, roles = ACTION_RULES[action]
    if not actor.has_role(*roles):
        return False
    return perm in perms if perms is not None else user_has_case_perm(actor, case, perm)


def chronology_record(
    *,
    family: Family,
    event: str,
    summary: str,
    actor: User | None,
    case: Case | None = None,
    body: str = "",
    kind: str = ChronologyEntry.Kind.EVENT,
    occurred_at: datetime.datetime | None = None,
) -> ChronologyEntry:
    return ChronologyEntry.objects.create(
        family=family,
        case=case,
        kind=kind,
        event=event,
        summary=summary,
        body=body,
        author=actor,
        author_agency_id=actor.agency_id if actor else None,
        occurred_at=occurred_at or timezone.now(),
    )


def case_clocks_cancel(*, case: Case) -> int:
    """Cancel (not meet) every clock of `case` still running: those about the case itself (subject
    "case") and those about something of the case that carry it (`Deadline.case`: a partner's
    answer asked before the panel, an assessment's or a review's clock). Their alarms still waiting
    are deleted; met clocks stay met. Every closure calls it, inside its transaction. Returns how
    many were cancelled."""
    subjects = (
        Deadline.objects.filter(Q(subject_type="case", subject_id=case.pk) | Q(case_id=case.pk))
        .filter(met_at__isnull=True, cancelled_at__isnull=True)
        .values_list("subject_type", "subject_id")
        .distinct()
    )
    return sum(
        deadline_cancel(subject_type=subject_type, subject_id=subject_id) for subject_type, subject_id in subjects
    )


def _next_case_reference() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval('case_reference_seq')")
        (number,) = cursor.fetchone()
    return f"C-{timezone.localdate().year}-{number:06d}"


def _transition(
    *,
    actor: User,
    case_id: int,
    to: str,
    action: str,
    summary: str,
    body: str = "",
    event: str = "",
    actor_checked: bool = False,
    **fields,
) -> Case:
    """Lock the case, check the move and the actor, save the new status and fields, record it.

    `actor_checked`: the calling service has decided who may make this move on its own terms (the
    front door correcting its own decision), so the case roles of ACTION_RULES are not asked; the
    move itself is still checked against ALLOWED_TRANSITIONS. `event` names the chronology event
    when it is not the action's own.

    A move to closed cancels every clock of the case still running (`case_clocks_cancel`), before
    the signal: a receiver may then start a clock that runs after closure.

    Once saved and recorded, sends `signals.case_moved` inside the transaction."""
    case = Case.objects.select_for_update().select_related("family").get(pk=case_id)
    from_status = case.status
    if ALLOWED_TRANSITIONS.get((case.status, to)) != action:
        raise TransitionNotAllowed(
            f"A case that is {case.get_status_display().lower()} cannot be moved to {CaseStatus(to).label.lower()}.",
            code="transition",
        )
    if not actor_checked and not action_allowed(actor=actor, case=case, action=action):
        raise PermissionDenied("You cannot do that on this case.")
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", *fields])
    chronology_record(
        family=case.family, case=case, event=event or f"case_{action}", summary=summary, body=body, actor=actor
    )
    if to == S.CLOSED:
        case_clocks_cancel(case=case)
    case_moved.send(sender=Case, case=case, action=action, from_status=from_status, to_status=to, actor=actor)
    return case


@transaction.atomic
def case_open(
    *,
    actor: User | None,
    family: Family,
    level_of_need: LevelOfNeed,
    kind: str = Case.Kind.EARLY_HELP,
    locality: Locality | None = None,
    panel_route: str = "",
) -> Case:
    """Open an episode of help for `family`, awaiting allocation. A family has at most one open case
    of a kind: the open one is returned instead of a second.

    With `panel_route` (a `PanelRoute`), the case waits for the panel from now: a new case, or the
    family's open case when it awaits allocation and waits for no panel yet (recorded in its
    chronology); an open case further on is returned as it is."""
    if panel_route and panel_route not in PanelRoute.values:
        raise ValueError(f"unknown panel route {panel_route!r}")
    Family.objects.select_for_update().get(pk=family.pk)
    existing = Case.objects.select_for_update().filter(family=family, kind=kind).exclude(status=S.CLOSED).first()
    if existing:
        if panel_route and existing.status == S.AWAITING_ALLOCATION and not existing.panel_route:
            existing.panel_route = panel_route
            existing.panel_waiting_since = timezone.now()
            existing.save(update_fields=["panel_route", "panel_waiting_since"])
            chronology_record(
                family=family,
                case=existing,
                event="case_panel_waiting",
                actor=actor,
                summary=f"Waiting for the panel: {PanelRoute(panel_route).label}",
            )
        return existing
    case = Case.objects.create(
        reference=_next_case_reference(),
        family=family,
        kind=kind,
        level_of_need=level_of_need,
        locality=locality or family.locality,
        created_by=actor,
        panel_route=panel_route,
        panel_waiting_since=timezone.now() if panel_route else None,
    )
    chronology_record(
        family=family,
        case=case,
        event="case_opened",
        actor=actor,
        summary=f"Case {case.reference} opened ({level_of_need.name})",
    )
    return case


@transaction.atomic
def case_allocate(*, actor: User, case: Case, lead_agency: Agency, team: Team | None = None) -> Case:
    """Record the lead agency (and its team) agreed for the case; its managers may then assign a
    lead professional. The case no longer waits for the panel.

    A case waiting for the panel is allocated by the panel: only a panel coordinator allocates it
    (a team manager of a returned case's team cannot take it back past the panel)."""
    if team is not None and team.agency_id != lead_agency.pk:
        raise ValidationError({"team": "Choose a team of the lead agency"})
    waiting = Case.objects.filter(pk=case.pk).exclude(panel_route="").exists()
    if waiting and not actor.has_role(Role.PANEL_COORDINATOR):
        raise PermissionDenied("This case is waiting for the panel: the panel allocates it.")
    return _allocate(
        actor=actor, case=case, lead_agency=lead_agency, team=team, summary=f"Lead agency: {lead_agency.name}"
    )


def _allocate(*, actor: User, case: Case, lead_agency: Agency, team: Team | None, summary: str, **checked) -> Case:
    """The allocation move itself, whoever decided it (`checked`: `actor_checked=True` when the
    caller has decided who may make it)."""
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.AWAITING_LEAD_PROFESSIONAL,
        action="allocate",
        summary=summary,
        lead_agency=lead_agency,
        team=team,
        **checked,
        **NOT_WAITING,
    )


@transaction.atomic
def case_allocate_by_configuration(*, actor: User, case: Case, team: Team, reason: str) -> Case:
    """Allocate a case waiting for allocation (and for no panel) to `team` because the council's
    configuration says so (a step down sent straight to a locality's team), not because `actor`
    chose it: the move is checked against the lifecycle, the actor's case roles are not. `reason`
    says in the chronology why the team was given the case."""
    if Case.objects.filter(pk=case.pk).exclude(panel_route="").exists():
        raise TransitionNotAllowed("This case is waiting for the panel: the panel allocates it.", code="transition")
    return _allocate(
        actor=actor,
        case=case,
        lead_agency=team.agency,
        team=team,
        summary=f"Lead agency: {team.agency.name} ({reason})",
        actor_checked=True,
    )


@transaction.atomic
def case_change_lead_agency(*, actor: User, case: Case, lead_agency: Agency, team: Team | None = None) -> Case:
    """Correct the lead agency (and team) of a case that awaits its lead professional: the panel
    amended its allocation. Only the one who may allocate (a coordinator of the case) does it, and
    only before a lead professional is assigned."""
    if team is not None and team.agency_id != lead_agency.pk:
        raise ValidationError({"team": "Choose a team of the lead agency"})
    locked = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if locked.status != S.AWAITING_LEAD_PROFESSIONAL:
        raise TransitionNotAllowed(
            "A lead professional has been assigned: the lead agency can no longer change.", code="transition"
        )
    if not actor.has_role(Role.PANEL_COORDINATOR) or not user_has_case_perm(actor, locked, CHANGE_CASE):
        raise PermissionDenied("You cannot do that on this case.")
    locked.lead_agency, locked.team = lead_agency, team
    locked.save(update_fields=["lead_agency", "team"])
    chronology_record(
        family=locked.family,
        case=locked,
        event="case_lead_agency_changed",
        actor=actor,
        summary=f"Lead agency changed: {lead_agency.name}" + (f" ({team.name})" if team else ""),
    )
    return locked


@transaction.atomic
def case_return_to_panel(*, actor: User, case: Case, route: str, note: str) -> Case:
    """Send an active case back to the panel: stuck, the family refused to engage or disengaged.

    The case awaits allocation and waits for the panel from now, with the note; its lead agency,
    team and lead professional stay and carry on until the panel decides (allocates it again,
    perhaps to another agency, or closes it)."""
    errors = {}
    if route not in PANEL_RETURN_ROUTES:
        errors["route"] = "Choose why the case is going back to the panel: stuck, refused to engage or disengaged"
    if not (note or "").strip():
        errors["note"] = "Enter why the case is going back to the panel"
    if errors:
        raise ValidationError(errors)
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.AWAITING_ALLOCATION,
        action="return_to_panel",
        summary=f"Sent back to the panel: {PanelRoute(route).label}",
        body=note.strip(),
        panel_route=route,
        panel_waiting_since=timezone.now(),
        panel_note=note.strip(),
    )


def _demote_former_lead(*, case: Case, previous: User | None, lead_professional: User) -> None:
    """The previous lead stays in the team around the family as a member, without the lead's
    permissions."""
    if previous is None or previous.pk == lead_professional.pk:
        return
    CaseMember.objects.filter(case=case, user=previous, ended_at__isnull=True).update(
        is_lead=False, role="Former lead professional"
    )
    for perm in set(LEAD_PROFESSIONAL_PERMS) - set(MEMBER_PERMS):
        remove_perm(f"cases.{perm}", previous, case)


@transaction.atomic
def case_assign_lead_professional(*, actor: User, case: Case, lead_professional: User) -> Case:
    """Make `lead_professional` the family's lead: grants them the lead's permissions and a place at
    the head of the team around the family; a previous lead (of an active case, or of a case sent
    back to the panel and allocated again) stays in the team as a member. Meets the case's
    `lead-professional` and `front-door-to-offer` clocks."""
    if not lead_professional.is_active or not lead_professional.has_role(Role.LEAD_PROFESSIONAL):
        raise ValidationError({"lead_professional": "Choose a practitioner who can be a lead professional"})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if locked.lead_agency_id and lead_professional.agency_id != locked.lead_agency_id:
        raise ValidationError({"lead_professional": "Choose a practitioner of the lead agency"})
    summary = f"Lead professional: {lead_professional.get_full_name()}"
    previous = locked.lead_professional
    if locked.status == S.AWAITING_LEAD_PROFESSIONAL:
        case = _transition(
            actor=actor,
            case_id=case.pk,
            to=S.ACTIVE,
            action="assign_lead_professional",
            summary=summary,
            lead_professional=lead_professional,
        )
    elif locked.status in (S.ACTIVE, S.CLOSURE_REQUESTED):
        if not actor.has_role(Role.TEAM_MANAGER) or not user_has_case_perm(actor, locked, MANAGE_CASE):
            raise PermissionDenied("You cannot do that on this case.")
        locked.lead_professional = lead_professional
        locked.save(update_fields=["lead_professional"])
        chronology_record(family=locked.family, case=locked, event="case_lead_changed", summary=summary, actor=actor)
        case = locked
    else:
        raise TransitionNotAllowed("A lead professional cannot be assigned to this case now.", code="transition")
    _demote_former_lead(case=case, previous=previous, lead_professional=lead_professional)
    if previous is not None and previous.pk != lead_professional.pk:
        # The case's running clocks that reminded the former lead (the assessment, the next TAF
        # meeting, the reviews) remind the new one: their alarms read whom to tell when they go off.
        Deadline.objects.filter(case=case, remind_user=previous, met_at=None, cancelled_at=None).update(
            remind_user=lead_professional
        )
    for timescale_code in ("lead-professional", "front-door-to-offer"):
        deadline_meet(timescale_code=timescale_code, subject_type="case", subject_id=case.pk)
    member = CaseMember.objects.filter(case=case, user=lead_professional, ended_at__isnull=True).first()
    if member is None:
        CaseMember.objects.create(
            case=case, user=lead_professional, role="Lead professional", is_lead=True, added_by=actor
        )
    else:
        member.is_lead = True
        if member.role == "Former lead professional":  # the lead again
            member.role = "Lead professional"
        member.save(update_fields=["is_lead", "role"])
    for perm in LEAD_PROFESSIONAL_PERMS:
        assign_perm(f"cases.{perm}", lead_professional, case)
    return case


@transaction.atomic
def case_member_add(*, actor: User, case: Case, user: User, role: str) -> CaseMember:
    """Add a practitioner to the team around the family, granting them the case."""
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied("Only the lead professional or their manager can change the team.")
    if not user.is_active:
        raise ValidationError({"user": "Choose a practitioner whose account is active"})
    if not (user.is_practitioner and user.agency_id):
        raise ValidationError({"user": "Choose a practitioner of an agency who works with families"})
    if not role.strip():
        raise ValidationError({"role": "Enter what they will do for the family"})
    if Case.objects.select_for_update().get(pk=case.pk).status == S.CLOSED:
        raise ValidationError("The case is closed: no one can join its team.")
    if CaseMember.objects.filter(case=case, user=user, ended_at__isnull=True).exists():
        raise ValidationError({"user": f"{user.get_full_name()} is already in the team around the family"})
    member = CaseMember.objects.create(case=case, user=user, role=role.strip(), added_by=actor)
    for perm in MEMBER_PERMS:
        assign_perm(f"cases.{perm}", user, case)
    chronology_record(
        family=case.family,
        case=case,
        event="team_member_added",
        actor=actor,
        summary=f"{user.get_full_name()} ({user.agency or 'no agency'}) joined the team as {member.role}",
    )
    return member


@transaction.atomic
def case_member_remove(*, actor: User, member: CaseMember) -> CaseMember:
    """End a practitioner's place in the team and revoke every grant they held on the case."""
    case = Case.objects.select_for_update().get(pk=member.case_id)
    if not user_has_case_perm(actor, case, MANAGE_CASE):
        raise PermissionDenied("Only the lead professional or their manager can change the team.")
    if member.ended_at is not None:
        return member
    if case.lead_professional_id == member.user_id and case.status != S.CLOSED:
        raise ValidationError("Assign a new lead professional before removing the current one.")
    member.ended_at = timezone.now()
    member.save(update_fields=["ended_at"])
    for perm in LEAD_PROFESSIONAL_PERMS:
        remove_perm(f"cases.{perm}", member.user, case)
    chronology_record(
        family=case.family,
        case=case,
        event="team_member_removed",
        actor=actor,
        summary=f"{member.user.get_full_name()} left the team around the family",
    )
    return member


@transaction.atomic
def case_request_closure(*, actor: User, case: Case, reason: ClosureReason, summary: str) -> Case:
    if not summary.strip():
        raise ValidationError({"summary": "Enter a summary of the progress made and why the case can close"})
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.CLOSURE_REQUESTED,
        action="request_closure",
        summary=f"Closure requested: {reason.name}",
        body=summary,
        closure_reason=reason,
        closure_summary=summary.strip(),
    )


@transaction.atomic
def case_return_closure(*, actor: User, case: Case, note: str) -> Case:
    if not note.strip():
        raise ValidationError({"note": "Enter what needs to happen before the case can close"})
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.ACTIVE,
        action="return_closure",
        summary="Closure not agreed: returned to the lead professional",
        body=note,
        closure_reason=None,
        closure_summary="",
    )


@transaction.atomic
def case_sign_off_closure(*, actor: User, case: Case, note: str = "") -> Case:
    """The manager's sign-off of sustained and significant progress: the case closes, and every
    clock of the case still running is cancelled (`case_clocks_cancel`)."""
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.CLOSED,
        action="sign_off_closure",
        summary="Closure signed off by the manager",
        body=note,
        closed_at=timezone.now(),
    )


def _close_before_allocation(
    *, actor: User, case: Case, reason: ClosureReason, summary: str, heading: str, **transition
) -> Case:
    """The one way a case closes before it reaches a lead professional (or, sent back to the panel,
    before it reaches one again), with its reason and why. The case no longer waits for the panel."""
    if not summary.strip():
        raise ValidationError({"summary": "Enter why the case is closing"})
    return _transition(
        actor=actor,
        case_id=case.pk,
        to=S.CLOSED,
        action="close_unallocated",
        summary=f"{heading}: {reason.name}",
        body=summary,
        closure_reason=reason,
        closure_summary=summary.strip(),
        closed_at=timezone.now(),
        **NOT_WAITING,
        **transition,
    )


@transaction.atomic
def case_close_unallocated(*, actor: User, case: Case, reason: ClosureReason, summary: str) -> Case:
    """Close a case that never reached a lead professional (the family declined, moved away...).
    Every clock of the case still running is cancelled (`case_clocks_cancel`)."""
    return _close_before_allocation(
        actor=actor, case=case, reason=reason, summary=summary, heading="Closed before allocation"
    )


def case_work_started(*, case: Case) -> bool:
    """Whether anyone has started work on `case`: it has moved on from awaiting allocation, or has a
    lead agency, a lead professional or someone in the team around the family. Read from the row as
    given: lock it first where the answer decides a write."""
    return (
        case.status != S.AWAITING_ALLOCATION
        or case.lead_agency_id is not None
        or case.lead_professional_id is not None
        or CaseMember.objects.filter(case=case, ended_at__isnull=True).exists()
    )


@transaction.atomic
def case_close_opened_in_error(*, actor: User, case: Case, reason: ClosureReason, summary: str) -> Case:
    """Close a case the front door opened by a decision that a duty manager has since amended to one
    that opens no case.

    Before: the actor is a duty manager (the front door corrects its own decisions; duty managers
    otherwise only read cases, so the case roles that close unallocated cases are not asked); nobody
    has started work on the case (`case_work_started`), checked again under the row lock.
    Besides: the closure is recorded in the chronology (event `case_closed_in_error`), and the
    case's clocks are cancelled (as every closure does), as nothing they wait for will happen."""
    if not actor.has_role(Role.DUTY_MANAGER):
        raise PermissionDenied("Only duty managers correct front door decisions.")
    if not summary.strip():
        raise ValidationError({"summary": "Enter why the case is closing"})
    locked = Case.objects.select_for_update().get(pk=case.pk)
    if case_work_started(case=locked):
        raise TransitionNotAllowed(
            "Work has started on this case: the team decides whether it closes.", code="work_started"
        )
    return _close_before_allocation(
        actor=actor,
        case=locked,
        reason=reason,
        summary=summary,
        heading="Closed",
        actor_checked=True,
        event="case_closed_in_error",
    )


@transaction.atomic
def case_withdraw_from_panel(*, actor: User, case: Case, summary: str, body: str = "") -> Case:
    """Take a case off the panel's waiting list: the front door amended the decision that sent it
    there to one that gives early help without the panel. The case still awaits allocation, as a
    first decision to that destination would have left it; its lead agency and team are untouched.

    Before: the actor is a duty manager (the front door corrects its own decisions); the case awaits
    allocation and waits for the panel as sent by the front door (`PanelRoute.FRONT_DOOR`; a case its
    team sent back is the panel's to decide), checked under the row lock.
    Besides: recorded in the chronology (event `case_panel_withdrawn`, with `summary` and `body`);
    the case's `front-door-to-offer` clock is cancelled, not met (no offer was made through the
    panel); `signals.case_panel_withdrawn` is sent inside the transaction (the panel takes the case
    off any agenda that has not decided on it)."""
    if not actor.has_role(Role.DUTY_MANAGER):
        raise PermissionDenied("Only duty managers correct front door decisions.")
    if not summary.strip():
        raise ValidationError({"summary": "Enter why the case no longer goes to the panel"})
    locked = Case.objects.select_for_update().select_related("family").get(pk=case.pk)
    if locked.status != S.AWAITING_ALLOCATION or locked.panel_route != PanelRoute.FRONT_DOOR:
        raise TransitionNotAllowed(
            "This case is not waiting for the panel as sent by the front door.", code="not_waiting"
        )
    for name, value in NOT_WAITING.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(NOT_WAITING))
    chronology_record(
        family=locked.family,
        case=locked,
        event="case_panel_withdrawn",
        actor=actor,
        summary=summary.strip(),
        body=body.strip(),
    )
    deadline_cancel(subject_type="case", subject_id=locked.pk, timescale_code="front-door-to-offer")
    case_panel_withdrawn.send(sender=Case, case=locked, actor=actor)
    return locked


@transaction.atomic
def chronology_note_add(
    *,
    actor: User,
    case: Case,
    summary: str,
    body: str,
    kind: str = ChronologyEntry.Kind.NOTE,
    occurred_at: datetime.datetime | None = None,
) -> ChronologyEntry:
    if not user_has_case_perm(actor, case, CHANGE_CASE):
        raise PermissionDenied("You cannot add notes to this case.")
    errors = {}
    if not summary.strip():
        errors["summary"] = "Enter a short summary of the note"
    if kind not in (ChronologyEntry.Kind.NOTE, ChronologyEntry.Kind.CONTACT, ChronologyEntry.Kind.MEETING):
        errors["kind"] = "Choose what kind of note this is"
    # Compared by date, as the message says: the note page sends a day (at noon), and a note for
    # today written in the morning is not in the future.
    if occurred_at and timezone.localdate(occurred_at) > timezone.localdate():
        errors["occurred_at"] = "The date of the note must be today or in the past"
    if errors:
        raise ValidationError(errors)
    return chronology_record(
        family=case.family,
        case=case,
        event="",
        kind=kind,
        summary=summary.strip(),
        body=body.strip(),
        actor=actor,
        occurred_at=occurred_at,
    )


# --- Consent ---------------------------------------------------------------------------------------
# Who may decide: an adult with parental responsibility in the family, or a child or young person of
# at least CONSENT_MIN_AGE (read from their date of birth) whom the practitioner judges able to decide,
# with that judgement recorded: age alone is not enough. Younger children's parents decide for them.
CONSENT_MIN_AGE = 11
# The signed form: a PDF, JPEG or PNG of at most 10 MB, its type read from its first bytes.
CONSENT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
CONSENT_EVIDENCE_TYPES = {b"%PDF-": "application/pdf", b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png"}
CONSENT_EVIDENCE_EXTENSIONS = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}
# Decisions that stop sharing with an agency (its members lose sight of the family's details).
SHARING_STOPPED = (Consent.Status.REFUSED, Consent.Status.WITHDRAWN)


def consent_evidence_type(upload) -> str | None:
    """The content type of an uploaded signed form, read from its first bytes (never its name or the
    browser's word): PDF, JPEG or PNG, else None."""
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(8)
    upload.seek(position)
    return next((kind for magic, kind in CONSENT_EVIDENCE_TYPES.items() if head.startswith(magic)), None)


def consent_evidence_error(upload) -> str | None:
    """What is wrong with an uploaded signed form, in GOV.UK words, or None."""
    if upload.size == 0:
        return "The selected file is empty"
    if upload.size > CONSENT_EVIDENCE_MAX_BYTES:
        return "The selected file must be smaller than 10MB"
    if consent_evidence_type(upload) is None:
        return "The selected file must be a PDF, JPG or PNG"
    return None


def age_on(born: datetime.date | None, day: datetime.date) -> int | None:
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def consent_person_error(*, person: Person, membership, decided_on: datetime.date, capacity_judgement: str) -> dict:
    """Why `person` may not decide for the family (field errors), or {} when they may."""
    if membership is None:
        return {"person": "Select a member of this family"}
    if person.kind == Person.Kind.ADULT:
        if not membership.parental_responsibility:
            return {"person": "Select an adult with parental responsibility, or a young person able to decide"}
        return {}
    age = age_on(person.date_of_birth, decided_on)
    if person.kind == Person.Kind.UNBORN or age is None or age < CONSENT_MIN_AGE:
        return {
            "person": f"Select an adult with parental responsibility: a child under {CONSENT_MIN_AGE}, or one whose "
            "date of birth is not known, cannot decide for themselves"
        }
    if not capacity_judgement.strip():
        return {"capacity_judgement": "Enter why the young person is able to make this decision"}
    return {}


def _tell_lead_sharing_stopped(*, case: Case, consent: Consent, actor: User) -> None:
    """The family's lead professional is told (a link, no personal data) when a decision stops
    sharing with an agency, once per decision; not when they recorded it themselves."""
    from django.conf import settings
    from django.urls import reverse

    from .notifications import notification_queue

    lead = case.lead_professional
    if lead is None or lead.pk == actor.pk or not lead.is_active:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("cases:case-detail", args=[case.pk])
    notification_queue(
        dedupe_key=f"consent-sharing-stopped:{consent.pk}:{lead.pk}",
        recipient=lead,
        subject=f"Consent to share changed: {case.reference}",
        body=(
            f"A family member of {case.reference} has {consent.get_status_display().lower()} consent to share "
            "information with a partner agency. That agency's practitioners no longer see the family's details."
            f"\n\n{url}"
        ),
    )


@transaction.atomic
def consent_record(
    *,
    actor: User,
    family: Family,
    person: Person,
    scope: str,
    status: str,
    decided_on: datetime.date,
    evidence: str = "",
    agency: Agency | None = None,
    not_sought_reason: str = "",
    case: Case | None = None,
    method: str = "",
    witness: str = "",
    evidence_file=None,
    capacity_judgement: str = "",
) -> Consent:
    """Record one person's consent decision; it supersedes their earlier ones for the same scope and
    agency. The person decides for themselves: an adult with parental responsibility in the family, or
    a young person of at least CONSENT_MIN_AGE with a recorded judgement that they are able to decide.

    Consent given has its evidence: the signed form uploaded (`evidence_file`: PDF, JPEG or PNG by its
    content, at most 10 MB, kept through the storage API), or recorded here with the date, `method`
    and `witness`. (`evidence="written"` with no file stands for a signed form held outside the app;
    only older callers use it: the pages always ask for the upload or the record.) "Not sought" is for
    the assessment only, decided by a team manager, with the reason.

    Withdrawing (or refusing) sharing with an agency hides the family's details from that agency's
    practitioners on their next request (`cases.permissions.details_visible_expression`); the
    chronology says so and the lead professional of each open case of the family is told."""
    from .roles import Role

    errors: dict[str, str] = {}
    if scope != Consent.Scope.SHARING:
        agency = None  # an agency named on a page for another purpose is not part of the decision
    if scope not in Consent.Scope.values:
        errors["scope"] = "Select what the consent is for"
    if status not in Consent.Status.values:
        errors["status"] = "Select the decision"
    membership = family.memberships.filter(person=person).first()
    if decided_on > timezone.localdate():
        errors["decided_on"] = "The date of the decision must be today or in the past"
    if scope == Consent.Scope.SHARING and agency is None:
        errors["agency"] = "Select the agency the family agreed to share information with"
    if status == Consent.Status.NOT_SOUGHT:
        if scope != Consent.Scope.ASSESSMENT:
            errors["status"] = "Consent can be recorded as not sought only for the assessment"
        elif not actor.has_role(Role.TEAM_MANAGER):
            errors["status"] = "Only a team manager can decide that consent is not sought"
        if not not_sought_reason.strip():
            errors["not_sought_reason"] = "Enter why asking for consent would put a child at risk"
    if evidence_file:
        problem = consent_evidence_error(evidence_file)
        if problem:
            errors["evidence_file"] = problem
        evidence = Consent.Evidence.WRITTEN
    elif status == Consent.Status.GIVEN:
        if not evidence:
            errors["evidence"] = "Select how consent was given"
        elif evidence != Consent.Evidence.WRITTEN:
            if not method:
                errors["method"] = "Select how the decision was made"
            if method and method not in Consent.Method.values:
                errors["method"] = "Select how the decision was made"
            if not witness.strip():
                errors["witness"] = "Enter who witnessed the decision"
    if "person" not in errors:
        decided = decided_on if "decided_on" not in errors else timezone.localdate()
        errors.update(
            consent_person_error(
                person=person, membership=membership, decided_on=decided, capacity_judgement=capacity_judgement
            )
        )
    if errors:
        raise ValidationError(errors)
    if case is not None and not user_has_case_perm(actor, case, CHANGE_CASE):
        raise PermissionDenied("You cannot record consent on this case.")
    previous = (
        Consent.objects.filter(family=family, person=person, scope=scope, agency=agency)
        .order_by("-recorded_at", "-id")
        .values_list("status", flat=True)
        .first()
    )
    consent = Consent(
        family=family,
        person=person,
        case=case,
        scope=scope,
        status=status,
        evidence=evidence,
        agency=agency,
        decided_on=decided_on,
        not_sought_reason=not_sought_reason.strip() if status == Consent.Status.NOT_SOUGHT else "",
        method=method if not evidence_file else "",
        witness=witness.strip() if not evidence_file else "",
        capacity_judgement=capacity_judgement.strip() if person.kind != Person.Kind.ADULT else "",
        recorded_by=actor,
    )
    if evidence_file:
        kind = consent_evidence_type(evidence_file)
        # The stored name is random (`consent_evidence_path`), its extension the content's.
        consent.evidence_file.save(f"form.{CONSENT_EVIDENCE_EXTENSIONS[kind]}", evidence_file, save=False)
    consent.save()
    what = Consent.Scope(scope).label.lower() + (f" ({agency.name})" if agency else "")
    chronology_record(
        family=family,
        case=case,
        event="consent_recorded",
        actor=actor,
        summary=f"Consent {Consent.Status(status).label.lower()}: {what}",
    )
    if scope == Consent.Scope.SHARING and status in SHARING_STOPPED and previous not in SHARING_STOPPED:
        open_cases = (
            Case.objects.filter(family=family).exclude(status=CaseStatus.CLOSED).select_related("lead_professional")
        )
        for open_case in open_cases:
            chronology_record(
                family=family,
                case=open_case,
                event="consent_sharing_stopped",
                actor=actor,
                summary=f"Information no longer shared with {agency.name}: its practitioners no longer see the "
                "family's details",
            )
            _tell_lead_sharing_stopped(case=open_case, consent=consent, actor=actor)
    return consent


@transaction.atomic
def consent_carry_from_referral(
    *, actor: User, case: Case, person: Person, given: bool, not_sought_reason: str, reference: str
) -> Consent | None:
    """Carry the referrer's statement about consent into the case that the referral opened or
    joined: given (as the referrer reported it), or not sought with the reason. Once per person and
    case; the lead professional records the family's own written consent later."""
    if Consent.objects.filter(case=case, person=person, scope=Consent.Scope.REFERRAL).exists():
        return None
    consent = Consent.objects.create(
        family=case.family,
        person=person,
        case=case,
        scope=Consent.Scope.REFERRAL,
        status=Consent.Status.GIVEN if given else Consent.Status.NOT_SOUGHT,
        evidence=Consent.Evidence.VERBAL if given else "",
        not_sought_reason="" if given else not_sought_reason,
        decided_on=timezone.localdate(),
        recorded_by=actor,
    )
    chronology_record(
        family=case.family,
        case=case,
        event="consent_recorded",
        actor=actor,
        summary=(
            f"Consent to referral {reference}: given, as the referrer reported"
            if given
            else f"Consent to referral {reference}: not sought, because asking would put a child at risk"
        ),
    )
    return consent
