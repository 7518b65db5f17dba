"""Writes of the Early Help Panel. Each service takes the acting user, checks what must hold, saves in a
transaction and records in the family's chronology what the family's record should show.

The case moves themselves are the shared record's (`cases.services`): the panel allocates through
`case_allocate`, closes through `case_close_unallocated`; its clocks are `cases.deadlines`' and its
messages go through the outbox (`cases.notifications`), carrying a link and never a family's details."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadline_start
from cases.models import Agency, Case, CaseStatus, ClosureReason, Locality, Team, User
from cases.notifications import notification_queue
from cases.roles import Role

from .models import (
    AgendaItem,
    Attendance,
    Frequency,
    Meeting,
    MeetingAction,
    MeetingStatus,
    NotForPanelRoute,
    Panel,
    PanelDecision,
    PanelMember,
    PanelOutcome,
)
from .pdf import agenda_papers_queue
from .permissions import may_manage_panel
from .scheduling import meetings_schedule
from .selectors import LEAD_PROFESSIONAL_CLOCK
from .words import day_words, when_words

# The closure reason a "not for the panel" decision closes the case with, unless one is chosen.
NOT_FOR_PANEL_CLOSURE = {
    NotForPanelRoute.FRONT_DOOR: "transferred",
    NotForPanelRoute.SINGLE_AGENCY: "stepped-down",
    NotForPanelRoute.UNIVERSAL: "stepped-down",
}
STEP_UP_CLOSURE = "stepped-up"


def _require_manager(actor: User, panel: Panel) -> None:
    if not may_manage_panel(actor, panel):
        raise PermissionDenied("Only the panel's coordinators can do that.")


def _meeting_when(moment: datetime.datetime) -> str:
    """ "8 December 2026 at 10am", for the messages members get."""
    return when_words(moment, weekday=False)


def _link(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


# --- Panels, members and the schedule ------------------------------------------------------------


@transaction.atomic
def panel_create(
    *,
    actor: User,
    name: str,
    locality: Locality | None,
    first_meeting_on: datetime.date,
    weekday: int,
    meets_at: datetime.time,
    frequency: str = Frequency.FORTNIGHTLY,
    venue: str = "",
    chair: User | None = None,
    duration_minutes: int = 120,
) -> Panel:
    """A new panel for a locality (or the county); its next meetings are scheduled at once. Only a
    coordinator who covers the locality (or the county) makes one."""
    errors = {}
    if not name.strip():
        errors["name"] = "Enter the panel's name"
    if frequency not in Frequency.values:
        errors["frequency"] = "Select how often the panel meets"
    if weekday not in range(5):
        errors["weekday"] = "Select a weekday, Monday to Friday"
    if locality is not None and Panel.objects.filter(locality=locality, active=True).exists():
        errors["locality"] = f"{locality.name} already has a panel"
    if errors:
        raise ValidationError(errors)
    panel = Panel(
        name=name.strip(),
        locality=locality,
        first_meeting_on=first_meeting_on,
        weekday=weekday,
        meets_at=meets_at,
        frequency=frequency,
        venue=venue.strip(),
        chair=chair,
        duration_minutes=duration_minutes,
    )
    _require_manager(actor, panel)
    panel.save()
    meetings_schedule(panel=panel)
    return panel


@transaction.atomic
def panel_member_add(
    *, actor: User, panel: Panel, agency: Agency, user: User | None = None, role: str = ""
) -> PanelMember:
    """A standing member: an agency, and the person who attends for it (a practitioner of it)."""
    _require_manager(actor, panel)
    if user is not None:
        if not user.is_active or not user.is_practitioner:
            raise ValidationError({"user": "Select a practitioner whose account is active"})
        if user.agency_id != agency.pk:
            raise ValidationError({"user": f"Select a practitioner of {agency.name}"})
    existing = PanelMember.objects.filter(panel=panel, agency=agency, user=user, ended_at__isnull=True).first()
    if existing:
        return existing
    return PanelMember.objects.create(panel=panel, agency=agency, user=user, role=role.strip())


@transaction.atomic
def panel_member_end(*, actor: User, member: PanelMember) -> PanelMember:
    _require_manager(actor, member.panel)
    if member.ended_at is None:
        member.ended_at = timezone.now()
        member.save(update_fields=["ended_at"])
    return member


def _lock_meeting(meeting: Meeting) -> Meeting:
    return Meeting.objects.select_for_update().select_related("panel").get(pk=meeting.pk)


def _require_scheduled(meeting: Meeting, doing: str) -> None:
    if meeting.status != MeetingStatus.SCHEDULED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}: {doing} is not possible.")


@transaction.atomic
def meeting_move(*, actor: User, meeting: Meeting, starts_at: datetime.datetime, reason: str) -> Meeting:
    """Move a scheduled meeting to another day or time, with the reason; it keeps its place in the
    schedule (the slot it stands for), its agenda and its members."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "moving it")
    errors = {}
    if starts_at <= timezone.now():
        errors["starts_at"] = "Enter a date and time in the future"
    if not reason.strip():
        errors["reason"] = "Enter why the meeting is moving"
    if errors:
        raise ValidationError(errors)
    if meeting.moved_from is None:
        meeting.moved_from = meeting.starts_at
    meeting.starts_at = starts_at
    meeting.move_reason = reason.strip()
    meeting.changed_by = actor
    meeting.save(update_fields=["moved_from", "starts_at", "move_reason", "changed_by"])
    _tell_members(meeting, "moved", f"The meeting has moved to {_meeting_when(starts_at)}.")
    agenda_papers_queue(meeting=meeting, actor=actor)
    return meeting


@transaction.atomic
def meeting_cancel(*, actor: User, meeting: Meeting, reason: str) -> Meeting:
    """Cancel a scheduled meeting with the reason. Cases on its agenda go to the next meeting; the
    schedule adds a meeting so that the next three still exist."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "cancelling it")
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    meeting.status = MeetingStatus.CANCELLED
    meeting.cancel_reason = reason.strip()
    meeting.changed_by = actor
    meeting.save(update_fields=["status", "cancel_reason", "changed_by"])
    meetings_schedule(panel=meeting.panel)
    items = list(meeting.items.filter(decisions__isnull=True).select_related("case").order_by("position"))
    if items:
        following = next_meeting(meeting.panel, after=meeting.starts_at)
        for item in items:
            if following is not None and not AgendaItem.objects.filter(meeting=following, case=item.case).exists():
                _agenda_append(meeting=following, case=item.case, actor=actor, route=item.route)
    _tell_members(meeting, "cancelled", "The meeting is cancelled.")
    return meeting


def next_meeting(panel: Panel, *, after: datetime.datetime | None = None) -> Meeting | None:
    after = after or timezone.now()
    return (
        Meeting.objects.filter(panel=panel, status=MeetingStatus.SCHEDULED, starts_at__gt=after)
        .order_by("starts_at")
        .first()
    )


def _tell_members(meeting: Meeting, what: str, line: str) -> None:
    """A message to each member who attends in person, with a link: never a family's details."""
    url = _link(reverse("panels:meeting", args=[meeting.pk]))
    subject = f"{meeting.panel.name} on {_meeting_when(meeting.moved_from or meeting.starts_at)}: {what}"
    stamp = timezone.now().timestamp()
    for member in meeting.panel.members.filter(ended_at__isnull=True, user__isnull=False).select_related("user"):
        if member.user.is_active and member.user.email:
            notification_queue(
                dedupe_key=f"panel-meeting:{meeting.pk}:{what}:{stamp}:{member.user_id}",
                recipient=member.user,
                subject=subject,
                body=f"{line}\n\n{url}",
            )


# --- The agenda ------------------------------------------------------------------------------------


def _panel_covers(panel: Panel, case: Case) -> bool:
    return panel.locality_id is None or panel.locality_id == case.locality_id


def _agenda_append(*, meeting: Meeting, case: Case, actor: User, route: str) -> AgendaItem:
    position = (meeting.items.aggregate(last=Max("position"))["last"] or 0) + 1
    return AgendaItem.objects.create(meeting=meeting, case=case, position=position, route=route, added_by=actor)


def _undecided_item(case: Case) -> AgendaItem | None:
    """The case's place on an upcoming agenda, not yet decided."""
    return (
        AgendaItem.objects.filter(case=case, meeting__status=MeetingStatus.SCHEDULED, decisions__isnull=True)
        .select_related("meeting")
        .first()
    )


@transaction.atomic
def agenda_add(*, actor: User, meeting: Meeting, case: Case) -> AgendaItem:
    """Put a case waiting for the panel on a meeting's agenda, last. A case is on one agenda at a time."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "changing its agenda")
    case = Case.objects.select_for_update().get(pk=case.pk)
    if not case.panel_route:
        raise ValidationError({"case": f"{case.reference} is not waiting for the panel"})
    if not _panel_covers(meeting.panel, case):
        raise ValidationError({"case": f"{case.reference} is not in {meeting.panel.covers}"})
    placed = _undecided_item(case)
    if placed is not None:
        if placed.meeting_id == meeting.pk:
            return placed
        raise ValidationError({"case": f"{case.reference} is already on the agenda of {placed.meeting}"})
    agenda_papers_queue(meeting=meeting, actor=actor)
    return _agenda_append(meeting=meeting, case=case, actor=actor, route=case.panel_route)


@transaction.atomic
def agenda_remove(*, actor: User, item: AgendaItem) -> None:
    """Take an undecided case off the agenda: it stays on the waiting list."""
    meeting = _lock_meeting(item.meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "changing its agenda")
    if item.decisions.exists():
        raise ValidationError("The panel has decided on this case: it stays on the agenda.")
    item.delete()
    for position, pk in enumerate(meeting.items.order_by("position", "id").values_list("pk", flat=True), start=1):
        AgendaItem.objects.filter(pk=pk).update(position=position)
    agenda_papers_queue(meeting=meeting, actor=actor)


@transaction.atomic
def agenda_move(*, actor: User, item: AgendaItem, up: bool) -> None:
    """Move an item one place up or down the agenda (the coordinator orders the cases)."""
    meeting = _lock_meeting(item.meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "changing its agenda")
    order = list(meeting.items.order_by("position", "id").values_list("pk", flat=True))
    index = order.index(item.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(order):
        order[index], order[other] = order[other], order[index]
    for position, pk in enumerate(order, start=1):
        AgendaItem.objects.filter(pk=pk).update(position=position)
    agenda_papers_queue(meeting=meeting, actor=actor)


@transaction.atomic
def agenda_send(*, actor: User, meeting: Meeting) -> int:
    """Send the agenda to the members: a link to the meeting (its page and its printed papers), never
    a family's details. Sending again sends again (an agenda changed after it went). Returns how
    many were told."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "sending its agenda")
    if not meeting.items.exists():
        raise ValidationError("Add cases to the agenda before sending it.")
    meeting.agenda_sent_at = timezone.now()
    meeting.save(update_fields=["agenda_sent_at"])
    agenda_papers_queue(meeting=meeting, actor=actor)
    url = _link(reverse("panels:meeting", args=[meeting.pk]))
    count = meeting.items.count()
    told = 0
    members = meeting.panel.members.filter(ended_at__isnull=True, user__isnull=False, user__is_active=True)
    for member in members.select_related("user").exclude(user__email=""):
        notification_queue(
            dedupe_key=f"panel-agenda:{meeting.pk}:{meeting.agenda_sent_at.timestamp()}:{member.user_id}",
            recipient=member.user,
            subject=f"Agenda: {meeting.panel.name} on {_meeting_when(meeting.starts_at)}",
            body=(
                f"The agenda for the {meeting.panel.name} on {_meeting_when(meeting.starts_at)} is ready: "
                f"{count} famil{'y' if count == 1 else 'ies'} to discuss. Read it and its papers here:\n\n{url}"
            ),
        )
        told += 1
    return told


# --- At the meeting --------------------------------------------------------------------------------


@transaction.atomic
def attendance_record(*, actor: User, meeting: Meeting, statuses: dict[int, str]) -> list[Attendance]:
    """Who was present, sent apologies or was absent, by standing member (id -> status)."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    members = {m.pk: m for m in meeting.panel.members.filter(pk__in=list(statuses))}
    errors = {}
    for member_id, status in statuses.items():
        if member_id not in members:
            errors[f"member_{member_id}"] = "Select a standing member of this panel"
        elif status not in Attendance.Status.values:
            errors[f"member_{member_id}"] = f"Select whether {members[member_id]} was present"
    if errors:
        raise ValidationError(errors)
    saved = []
    for member_id, status in statuses.items():
        attendance, _ = Attendance.objects.update_or_create(
            meeting=meeting,
            member=members[member_id],
            defaults={"status": status, "recorded_by": actor, "recorded_at": timezone.now()},
        )
        saved.append(attendance)
    return saved


def _validate_decision(
    *,
    outcome: str,
    lead_agency: Agency | None,
    team: Team | None,
    threshold_confirmed: bool,
    not_for_panel_route: str,
    reason: str,
) -> None:
    errors = {}
    if outcome not in PanelOutcome.values:
        errors["outcome"] = "Select the panel's decision"
    elif outcome == PanelOutcome.ALLOCATE:
        if lead_agency is None:
            errors["lead_agency"] = "Select the lead agency the panel agreed"
        elif not lead_agency.active:
            errors["lead_agency"] = "Select an agency that is active"
        if team is not None and lead_agency is not None and team.agency_id != lead_agency.pk:
            errors["team"] = "Select a team of the lead agency"
        if not threshold_confirmed:
            errors["threshold_confirmed"] = "Confirm the family's needs meet level 3 before allocating"
    elif outcome == PanelOutcome.NOT_FOR_PANEL:
        if not_for_panel_route not in NotForPanelRoute.values:
            errors["not_for_panel_route"] = "Select where the family goes instead"
        if not reason.strip():
            errors["reason"] = "Enter why the case is not for the panel"
    elif outcome == PanelOutcome.DEFER and not reason.strip():
        errors["reason"] = "Enter what is needed before the next meeting"
    elif outcome == PanelOutcome.STEP_UP and not reason.strip():
        errors["reason"] = "Enter the safeguarding concern for the front door"
    if errors:
        raise ValidationError(errors)


def _lead_agency_managers(agency: Agency, team: Team | None) -> list[User]:
    managers = User.objects.filter(is_active=True, agency=agency, groups__name=Role.TEAM_MANAGER).exclude(email="")
    if team is not None:
        own = [user for user in managers if user.team_id == team.pk]
        if own:
            return own
    return list(managers.distinct())


def _closure_reason(code: str) -> ClosureReason:
    return ClosureReason.objects.get(code=code)


def _apply(*, actor: User, decision: PanelDecision, case: Case, meeting: Meeting) -> None:
    """What a decision does to the case, its clocks and who is told."""
    outcome = decision.outcome
    if outcome == PanelOutcome.ALLOCATE:
        case_services.case_allocate(actor=actor, case=case, lead_agency=decision.lead_agency, team=decision.team)
        deadline_start(
            timescale_code=LEAD_PROFESSIONAL_CLOCK,
            subject_type="case",
            subject_id=case.pk,
            case=case,
            reference=case.reference,
            started_at=decision.decided_at,
            remind_role=Role.TEAM_MANAGER,
            remind_agency=decision.lead_agency,
            escalate_user=actor,
        )
        url = _link(reverse("cases:case-detail", args=[case.pk]))
        for manager in _lead_agency_managers(decision.lead_agency, decision.team):
            notification_queue(
                dedupe_key=f"panel-allocated:{decision.pk}:{manager.pk}",
                recipient=manager,
                subject=f"Lead agency allocated: {case.reference}",
                body=(
                    f"The {meeting.panel.name} agreed on {_meeting_when(meeting.starts_at)} that "
                    f"{decision.lead_agency.name} leads the early help for {case.reference}. Assign a lead "
                    f"professional within a week:\n\n{url}"
                ),
            )
    elif outcome == PanelOutcome.NOT_FOR_PANEL:
        reason = decision.closure_reason or _closure_reason(NOT_FOR_PANEL_CLOSURE[decision.not_for_panel_route])
        case_services.case_close_unallocated(
            actor=actor,
            case=case,
            reason=reason,
            summary=f"Not for the panel ({decision.get_not_for_panel_route_display().lower()}): {decision.reason}",
        )
        if decision.not_for_panel_route == NotForPanelRoute.FRONT_DOOR:
            _to_front_door(actor=actor, case=case, decision=decision, safeguarding=False)
    elif outcome == PanelOutcome.DEFER:
        following = decision.deferred_to
        if following is not None and not AgendaItem.objects.filter(meeting=following, case=case).exists():
            _agenda_append(meeting=following, case=case, actor=actor, route=case.panel_route)
    elif outcome == PanelOutcome.STEP_UP:
        case_services.case_close_unallocated(
            actor=actor,
            case=case,
            reason=_closure_reason(STEP_UP_CLOSURE),
            summary=f"Stepped up to the front door as a safeguarding concern: {decision.reason}",
        )
        _to_front_door(actor=actor, case=case, decision=decision, safeguarding=True)


def _to_front_door(*, actor: User, case: Case, decision: PanelDecision, safeguarding: bool) -> None:
    """The family goes back to the front door: a new referral from the panel, with the case's people."""
    from front_door.services import referral_from_case

    referral_from_case(actor=actor, case=case, concerns=decision.reason, safeguarding=safeguarding)


@transaction.atomic
def decision_record(
    *,
    actor: User,
    item: AgendaItem,
    outcome: str,
    reason: str = "",
    lead_agency: Agency | None = None,
    team: Team | None = None,
    threshold_confirmed: bool = False,
    not_for_panel_route: str = "",
    closure_reason: ClosureReason | None = None,
) -> PanelDecision:
    """The panel's decision on one agenda item: allocate a lead agency, not for the panel, defer to the
    next meeting, or step up to the front door. One per item (a change is an amendment)."""
    meeting = _lock_meeting(item.meeting)
    _require_manager(actor, meeting.panel)
    if meeting.status == MeetingStatus.CANCELLED:
        raise ValidationError("This meeting was cancelled.")
    if not meeting.takes_decisions:
        raise ValidationError("Decisions are recorded at the meeting, not before it.")
    if item.decisions.exists():
        raise ValidationError("The panel has decided on this case: amend the decision to change it.")
    _validate_decision(
        outcome=outcome,
        lead_agency=lead_agency,
        team=team,
        threshold_confirmed=threshold_confirmed,
        not_for_panel_route=not_for_panel_route,
        reason=reason,
    )
    case = Case.objects.select_for_update().get(pk=item.case_id)
    if case.status != CaseStatus.AWAITING_ALLOCATION or not case.panel_route:
        raise ValidationError(f"{case.reference} is no longer waiting for the panel.")
    deferred_to = next_meeting(meeting.panel, after=meeting.starts_at) if outcome == PanelOutcome.DEFER else None
    decision = PanelDecision.objects.create(
        item=item,
        outcome=outcome,
        lead_agency=lead_agency if outcome == PanelOutcome.ALLOCATE else None,
        team=team if outcome == PanelOutcome.ALLOCATE else None,
        threshold_confirmed=threshold_confirmed and outcome == PanelOutcome.ALLOCATE,
        not_for_panel_route=not_for_panel_route if outcome == PanelOutcome.NOT_FOR_PANEL else "",
        closure_reason=closure_reason if outcome == PanelOutcome.NOT_FOR_PANEL else None,
        reason=reason.strip(),
        deferred_to=deferred_to,
        decided_by=actor,
    )
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="panel_decision",
        actor=actor,
        summary=f"{meeting.panel.name}, {day_words(meeting.starts_at)}: {decision_summary(decision)}",
        body=decision.reason,
    )
    _apply(actor=actor, decision=decision, case=case, meeting=meeting)
    _queue_letter(decision)
    agenda_papers_queue(meeting=meeting, actor=actor)
    return decision


def _queue_letter(decision: PanelDecision) -> None:
    """The referrer's letter about the decision, made after the commit (`panels.letters`, which
    decides whether one is due; the beat's sweep makes any a lost task left behind)."""
    from .tasks import send_panel_letter

    transaction.on_commit(lambda: send_panel_letter.delay(decision.pk))


def decision_summary(decision: PanelDecision) -> str:
    """The decision in a line, for the chronology, the minutes and the letters."""
    return decision_summary_words(
        outcome=decision.outcome,
        lead_agency=decision.lead_agency.name if decision.lead_agency_id else "",
        team=decision.team.name if decision.team_id else "",
        not_for_panel_route=decision.not_for_panel_route,
    )


def decision_summary_words(*, outcome: str, lead_agency: str, team: str, not_for_panel_route: str) -> str:
    """`decision_summary` from the names a row of values holds."""
    if outcome == PanelOutcome.ALLOCATE:
        return f"lead agency {lead_agency}{f' ({team})' if team else ''}"
    if outcome == PanelOutcome.NOT_FOR_PANEL:
        return f"not for the panel: {NotForPanelRoute(not_for_panel_route).label.lower()}"
    if outcome == PanelOutcome.DEFER:
        return "deferred to the next meeting"
    return "stepped up to the front door as a safeguarding concern"


@transaction.atomic
def decision_amend(
    *,
    actor: User,
    decision: PanelDecision,
    amendment_reason: str,
    reason: str | None = None,
    lead_agency: Agency | None = None,
    team: Team | None = None,
) -> PanelDecision:
    """Amend a decision by a new one that names it and says why; the first stays on the record.

    What can change is what has not yet taken effect: the reason (or what is needed) always; for an
    allocation, the lead agency and team while the case still waits for its lead professional (the
    new agency's managers are told, and the clock keeps running). A different outcome is a new item
    at a later meeting: the case goes back to the panel."""
    decision = PanelDecision.objects.select_for_update().select_related("item__meeting__panel").get(pk=decision.pk)
    meeting = decision.item.meeting
    _require_manager(actor, meeting.panel)
    if PanelDecision.objects.filter(amends=decision).exists():
        raise ValidationError("This decision has already been amended: amend the latest one.")
    errors = {}
    if not amendment_reason.strip():
        errors["amendment_reason"] = "Enter why the decision is being amended"
    new_reason = decision.reason if reason is None else reason.strip()
    if decision.outcome != PanelOutcome.ALLOCATE and not new_reason:
        errors["reason"] = "Enter the reason"
    if errors:
        raise ValidationError(errors)
    new_agency, new_team = decision.lead_agency, decision.team
    case = Case.objects.select_for_update().get(pk=decision.item.case_id)
    if decision.outcome == PanelOutcome.ALLOCATE and lead_agency is not None:
        new_agency, new_team = lead_agency, team
        if (new_agency.pk, getattr(new_team, "pk", None)) != (decision.lead_agency_id, decision.team_id):
            if case.status != CaseStatus.AWAITING_LEAD_PROFESSIONAL:
                raise ValidationError(
                    {"lead_agency": "A lead professional has been assigned: the lead agency can no longer change"}
                )
            _validate_decision(
                outcome=PanelOutcome.ALLOCATE,
                lead_agency=new_agency,
                team=new_team,
                threshold_confirmed=True,
                not_for_panel_route="",
                reason=new_reason,
            )
            case_services.case_change_lead_agency(actor=actor, case=case, lead_agency=new_agency, team=new_team)
    amended = PanelDecision.objects.create(
        item=decision.item,
        outcome=decision.outcome,
        lead_agency=new_agency,
        team=new_team,
        threshold_confirmed=decision.threshold_confirmed,
        not_for_panel_route=decision.not_for_panel_route,
        closure_reason=decision.closure_reason,
        reason=new_reason,
        deferred_to=decision.deferred_to,
        decided_by=actor,
        amends=decision,
        amendment_reason=amendment_reason.strip(),
    )
    case_services.chronology_record(
        family=case.family,
        case=case,
        event="panel_decision_amended",
        actor=actor,
        summary=f"{meeting.panel.name} decision amended: {decision_summary(amended)}",
        body=amended.amendment_reason,
    )
    if amended.lead_agency_id != decision.lead_agency_id or amended.team_id != decision.team_id:
        url = _link(reverse("cases:case-detail", args=[case.pk]))
        for manager in _lead_agency_managers(amended.lead_agency, amended.team):
            notification_queue(
                dedupe_key=f"panel-allocated:{amended.pk}:{manager.pk}",
                recipient=manager,
                subject=f"Lead agency allocated: {case.reference}",
                body=(
                    f"The {meeting.panel.name}'s decision was amended: {amended.lead_agency.name} leads the early "
                    f"help for {case.reference}. Assign a lead professional within a week:\n\n{url}"
                ),
            )
        from cases.deadlines import deadline_cancel

        deadline_cancel(subject_type="case", subject_id=case.pk, timescale_code=LEAD_PROFESSIONAL_CLOCK)
        deadline_start(
            timescale_code=LEAD_PROFESSIONAL_CLOCK,
            subject_type="case",
            subject_id=case.pk,
            case=case,
            reference=case.reference,
            started_at=decision.decided_at,
            remind_role=Role.TEAM_MANAGER,
            remind_agency=amended.lead_agency,
            escalate_user=actor,
        )
    _queue_letter(amended)
    agenda_papers_queue(meeting=meeting, actor=actor)
    return amended


@transaction.atomic
def action_add(
    *,
    actor: User,
    meeting: Meeting,
    description: str,
    owner: User | None,
    due_on: datetime.date | None,
    item: AgendaItem | None = None,
) -> MeetingAction:
    """An action agreed at the meeting, for a member, by a date."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    errors = {}
    if not description.strip():
        errors["description"] = "Enter what needs to be done"
    if owner is None:
        errors["owner"] = "Select who will do it"
    elif not owner.is_active or not owner.is_practitioner:
        errors["owner"] = "Select a practitioner whose account is active"
    if due_on is None:
        errors["due_on"] = "Enter the date it is due by"
    elif due_on < timezone.localdate(meeting.starts_at):
        errors["due_on"] = "The date it is due by must be on or after the meeting"
    if item is not None and item.meeting_id != meeting.pk:
        errors["item"] = "Select a case on this meeting's agenda"
    if errors:
        raise ValidationError(errors)
    return MeetingAction.objects.create(
        meeting=meeting, item=item, description=description.strip(), owner=owner, due_on=due_on, created_by=actor
    )


@transaction.atomic
def action_done(*, actor: User, action: MeetingAction) -> MeetingAction:
    action = MeetingAction.objects.select_for_update().select_related("meeting__panel").get(pk=action.pk)
    if actor.pk != action.owner_id and not may_manage_panel(actor, action.meeting.panel):
        raise PermissionDenied("Only the action's owner or the panel's coordinators can do that.")
    if action.done_at is None:
        action.done_at = timezone.now()
        action.save(update_fields=["done_at"])
    return action


@transaction.atomic
def meeting_complete(*, actor: User, meeting: Meeting, notes: str = "") -> Meeting:
    """Record that the meeting was held: its minutes are then final (amendments are still recorded).
    Every case on its agenda needs a decision first."""
    meeting = _lock_meeting(meeting)
    _require_manager(actor, meeting.panel)
    _require_scheduled(meeting, "completing it")
    if meeting.starts_at > timezone.now():
        raise ValidationError("The meeting has not started yet.")
    undecided = meeting.items.filter(decisions__isnull=True).count()
    if undecided:
        raise ValidationError(
            f"{undecided} case{'' if undecided == 1 else 's'} on the agenda still need{'s' if undecided == 1 else ''} "
            "a decision."
        )
    meeting.status = MeetingStatus.HELD
    meeting.held_at = timezone.now()
    meeting.minutes_notes = notes.strip()
    meeting.save(update_fields=["status", "held_at", "minutes_notes"])
    meetings_schedule(panel=meeting.panel)
    return meeting
