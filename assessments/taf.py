"""Writes of Team Around the Family meetings: planning one (with its invitations), moving it,
cancelling it, and recording it as held (who came, the minutes, decisions and changes to the plan,
and the next meeting, which is planned at the same time).

The next meeting is always set on an active case: the `next-taf` clock (subject the case) runs to
the planned meeting's start. Planning starts it, moving it moves it (cancelled and started again),
holding the meeting meets it and planning the next starts the next one. Cancelling a meeting leaves
the clock running to the date it had, so the lead professional is reminded and their manager told if
no other meeting is planned by then. Closing the case cancels it with every other clock
(`cases.services.case_clocks_cancel`).

Invitations go through the outbox (`cases.notifications.notification_queue`) to each invited member
of the team with an email address, once each (deduplicated by meeting, person and time): the case's
reference, when, and a link to the meeting's page; never the family's names nor the place (which may
be the family's home). Family members and others invited by name are invited by the lead
professional in person: the service has no way to write to them.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from cases.deadlines import deadline_cancel, deadline_meet, deadline_start
from cases.models import Case, CaseMember, CaseStatus, FamilyMembership, Person, User
from cases.notifications import notification_queue
from cases.permissions import user_has_case_perm
from cases.roles import Role
from cases.services import chronology_record

from .models import Attendance, TafAttendee, TafMeeting, TafMeetingStatus
from .taf_permissions import MANAGE_TAF, NOT_ACTIVE, NOT_ALLOWED

NEXT_TAF = "next-taf"
ATTENDED_CHOICES = (Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT)


def when_words(moment: datetime.datetime) -> str:
    """ "Tuesday 8 December 2026 at 10am"."""
    local = timezone.localtime(moment)
    hour = local.strftime("%-I:%M%p").replace(":00", "").replace("AM", "am").replace("PM", "pm")
    return f"{local:%A} {local.day} {local:%B %Y} at {hour}"


def _locked_case(*, actor: User, case: Case) -> Case:
    if not user_has_case_perm(actor, case, MANAGE_TAF):
        raise PermissionDenied(NOT_ALLOWED)
    locked = Case.objects.select_for_update(of=("self",)).select_related("family", "lead_professional").get(pk=case.pk)
    if locked.status != CaseStatus.ACTIVE:
        raise ValidationError(NOT_ACTIVE)
    return locked


def _starts_at_errors(starts_at: datetime.datetime | None, field: str = "starts_at") -> dict[str, str]:
    if starts_at is None:
        return {field: "Enter the date and time of the meeting"}
    if starts_at <= timezone.now():
        return {field: "The meeting must be in the future"}
    return {}


def _clock_start(*, case: Case, due_at: datetime.datetime) -> None:
    deadline_start(
        timescale_code=NEXT_TAF,
        subject_type="case",
        subject_id=case.pk,
        case=case,
        reference=case.reference,
        due_at=due_at,
        remind_user=case.lead_professional,
        escalate_role=Role.TEAM_MANAGER,
        escalate_agency=case.lead_agency,
    )


def _clock_move(*, case: Case, due_at: datetime.datetime) -> None:
    deadline_cancel(subject_type="case", subject_id=case.pk, timescale_code=NEXT_TAF)
    _clock_start(case=case, due_at=due_at)


def _notify(*, meeting: TafMeeting, case: Case, actor: User, kind: str) -> int:
    """Tell each invited member of the team (but the one who did it) that the meeting was planned,
    moved or cancelled; once each for the same meeting, person and time. Returns how many."""
    link = settings.SITE_URL.rstrip("/") + reverse("assessments:taf-meeting-detail", args=[case.pk, meeting.pk])
    when = when_words(meeting.starts_at)
    subject, first = {
        "invited": (
            f"Team Around the Family meeting for {case.reference}",
            f"You are invited to a Team Around the Family meeting for {case.reference} on {when}.",
        ),
        "moved": (
            f"Team Around the Family meeting moved: {case.reference}",
            f"The Team Around the Family meeting for {case.reference} has moved to {when}.",
        ),
        "cancelled": (
            f"Team Around the Family meeting cancelled: {case.reference}",
            f"The Team Around the Family meeting for {case.reference} on {when} is cancelled.",
        ),
    }[kind]
    body = f"{first}\n\nSee where it is and who is invited:\n{link}\n"
    stamp = int(meeting.starts_at.timestamp())
    users = User.objects.filter(
        pk__in=meeting.attendees.filter(user__isnull=False).values("user_id"), is_active=True
    ).exclude(email="")
    count = 0
    for user in users.exclude(pk=actor.pk):
        notification_queue(
            dedupe_key=f"taf:{kind}:{meeting.pk}:{user.pk}:{stamp}",
            recipient=user,
            subject=subject,
            body=body,
        )
        count += 1
    return count


def _invitees_check(
    *, case: Case, members: Iterable[User], people: Iterable[Person], others: Iterable[str]
) -> tuple[list[User], list[Person], list[str], dict[str, str]]:
    members, people = list(members), list(people)
    others = [name.strip()[:200] for name in others if name and name.strip()]
    errors = {}
    current = set(CaseMember.objects.filter(case=case, ended_at__isnull=True).values_list("user_id", flat=True))
    if any(user.pk not in current for user in members):
        errors["members"] = "Choose members of the team around the family"
    family = set(FamilyMembership.objects.filter(family_id=case.family_id).values_list("person_id", flat=True))
    if any(person.pk not in family for person in people):
        errors["people"] = "Choose members of the family"
    if not (members or people or others):
        errors["members"] = "Select who is invited to the meeting"
    return members, people, others, errors


def _invite(*, meeting: TafMeeting, members: list[User], people: list[Person], others: list[str]) -> None:
    TafAttendee.objects.bulk_create(
        [
            *(TafAttendee(meeting=meeting, user=user) for user in dict.fromkeys(members)),
            *(TafAttendee(meeting=meeting, person=person) for person in dict.fromkeys(people)),
            *(TafAttendee(meeting=meeting, name=name) for name in dict.fromkeys(others)),
        ]
    )


def _create(
    *,
    actor: User,
    case: Case,
    starts_at: datetime.datetime,
    place: str,
    members: list[User],
    people: list[Person],
    others: list[str],
) -> TafMeeting:
    meeting = TafMeeting.objects.create(case=case, starts_at=starts_at, place=place, planned_by=actor)
    _invite(meeting=meeting, members=members, people=people, others=others)
    _clock_move(case=case, due_at=starts_at)
    chronology_record(
        family=case.family,
        case=case,
        event="taf-meeting-planned",
        summary=f"Team Around the Family meeting planned for {when_words(starts_at)}",
        body=f"At {place}. {len(members) + len(people) + len(others)} invited.",
        actor=actor,
    )
    _notify(meeting=meeting, case=case, actor=actor, kind="invited")
    return meeting


@transaction.atomic
def taf_meeting_plan(
    *,
    actor: User,
    case: Case,
    starts_at: datetime.datetime | None,
    place: str,
    members: Iterable[User] = (),
    people: Iterable[Person] = (),
    others: Iterable[str] = (),
) -> TafMeeting:
    """Plan the case's next meeting and invite people to it.

    Before: `actor` holds MANAGE_CASE (PermissionDenied otherwise), the case is active and has no
    meeting planned already (move that one instead); the meeting is in the future, has a place, and
    invites someone: current members of the team (`members`), members of the family (`people`), or
    others by name. Anything else is a ValidationError naming the field (`starts_at`, `place`,
    `members`, `people`).

    Besides: starts the `next-taf` clock due at the meeting's start (restarting one already
    running), writes the chronology, and queues an invitation to each invited member of the team."""
    case = _locked_case(actor=actor, case=case)
    errors = _starts_at_errors(starts_at)
    place = (place or "").strip()
    if not place:
        errors["place"] = "Enter where the meeting is"
    members, people, others, invitee_errors = _invitees_check(case=case, members=members, people=people, others=others)
    errors = invitee_errors | errors
    planned = TafMeeting.objects.filter(case=case, status=TafMeetingStatus.PLANNED).first()
    if planned is not None:
        errors["starts_at"] = (
            f"A meeting is already planned for {when_words(planned.starts_at)}: move or cancel that one instead"
        )
    if errors:
        raise ValidationError(errors)
    return _create(
        actor=actor, case=case, starts_at=starts_at, place=place, members=members, people=people, others=others
    )


def _locked_meeting(*, actor: User, meeting: TafMeeting) -> tuple[TafMeeting, Case]:
    case = _locked_case(actor=actor, case=meeting.case)
    meeting = TafMeeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.status != TafMeetingStatus.PLANNED:
        raise ValidationError(f"This meeting is {meeting.get_status_display().lower()}: it cannot be changed")
    return meeting, case


@transaction.atomic
def taf_meeting_move(
    *, actor: User, meeting: TafMeeting, starts_at: datetime.datetime | None, place: str
) -> TafMeeting:
    """Move a planned meeting to another time or place.

    Before: as for planning (`actor` may manage the case, which is active), the meeting is still
    planned, and the new time is in the future with a place. Besides: moves the `next-taf` clock to
    the new time, writes the chronology, and tells each invited member of the team (once for each
    new time)."""
    meeting, case = _locked_meeting(actor=actor, meeting=meeting)
    errors = _starts_at_errors(starts_at)
    place = (place or "").strip()
    if not place:
        errors["place"] = "Enter where the meeting is"
    if not errors and starts_at == meeting.starts_at and place == meeting.place:
        errors["starts_at"] = "Enter a new date, time or place for the meeting"
    if errors:
        raise ValidationError(errors)
    before = meeting.starts_at
    meeting.starts_at, meeting.place = starts_at, place
    meeting.save(update_fields=["starts_at", "place"])
    if starts_at != before:
        _clock_move(case=case, due_at=starts_at)
    chronology_record(
        family=case.family,
        case=case,
        event="taf-meeting-moved",
        summary=f"Team Around the Family meeting moved to {when_words(starts_at)}",
        body=f"It was planned for {when_words(before)}. At {place}.",
        actor=actor,
    )
    _notify(meeting=meeting, case=case, actor=actor, kind="moved")
    return meeting


@transaction.atomic
def taf_meeting_cancel(*, actor: User, meeting: TafMeeting, reason: str) -> TafMeeting:
    """Cancel a planned meeting, with the reason.

    Before: as for moving, and a reason. Besides: writes the chronology and tells each invited
    member of the team. The `next-taf` clock runs on to the cancelled meeting's time: the next
    meeting is still owed by then (planning it moves the clock)."""
    meeting, case = _locked_meeting(actor=actor, meeting=meeting)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the meeting is cancelled"})
    meeting.status, meeting.cancelled_reason = TafMeetingStatus.CANCELLED, reason
    meeting.save(update_fields=["status", "cancelled_reason"])
    chronology_record(
        family=case.family,
        case=case,
        event="taf-meeting-cancelled",
        summary=f"Team Around the Family meeting of {when_words(meeting.starts_at)} cancelled",
        body=reason,
        actor=actor,
    )
    _notify(meeting=meeting, case=case, actor=actor, kind="cancelled")
    return meeting


@transaction.atomic
def taf_meeting_record(
    *,
    actor: User,
    meeting: TafMeeting,
    attendance: dict[int, str],
    minutes: str,
    decisions: str,
    plan_changes: str,
    next_starts_at: datetime.datetime | None,
    next_place: str,
) -> tuple[TafMeeting, TafMeeting]:
    """Record a planned meeting as held, and plan the next one with the same invitations.

    Before: as for moving; the meeting has started; `attendance` gives every invitee (by the
    attendee's id) attended, apologies or absent (each missing one is an error `attendance_<id>`);
    the minutes are written; the next meeting is in the future with a place (the case stays active,
    so the next meeting is always set). Decisions and changes to the plan may be empty.

    Besides: meets the `next-taf` clock, plans the next meeting (which starts the next clock and
    sends its invitations to the members of the team still in it), and writes the chronology.
    Returns the meeting held and the next one."""
    meeting, case = _locked_meeting(actor=actor, meeting=meeting)
    errors: dict[str, str] = {}
    if meeting.starts_at > timezone.now():
        raise ValidationError(
            f"This meeting is planned for {when_words(meeting.starts_at)}: record it once it has been held"
        )
    attendees = list(meeting.attendees.select_related("user", "person"))
    for attendee in attendees:
        if attendance.get(attendee.pk) not in ATTENDED_CHOICES:
            errors[f"attendance_{attendee.pk}"] = f"Select whether {attendee_name(attendee)} attended"
    minutes = (minutes or "").strip()
    if not minutes:
        errors["minutes"] = "Enter the minutes of the meeting"
    errors |= _starts_at_errors(next_starts_at, "next_starts_at")
    if "next_starts_at" in errors:
        errors["next_starts_at"] = (
            errors["next_starts_at"]
            .replace("The meeting", "The next meeting")
            .replace("of the meeting", "of the next meeting")
        )
    next_place = (next_place or "").strip()
    if not next_place:
        errors["next_place"] = "Enter where the next meeting is"
    if errors:
        raise ValidationError(errors)
    for attendee in attendees:
        attendee.attendance = attendance[attendee.pk]
    TafAttendee.objects.bulk_update(attendees, ["attendance"])
    meeting.status = TafMeetingStatus.HELD
    meeting.minutes, meeting.decisions, meeting.plan_changes = minutes, decisions.strip(), plan_changes.strip()
    meeting.recorded_by, meeting.recorded_at = actor, timezone.now()
    meeting.save(update_fields=["status", "minutes", "decisions", "plan_changes", "recorded_by", "recorded_at"])
    deadline_meet(timescale_code=NEXT_TAF, subject_type="case", subject_id=case.pk)
    came = sum(1 for attendee in attendees if attendee.attendance == Attendance.ATTENDED)
    chronology_record(
        family=case.family,
        case=case,
        event="taf-meeting-held",
        summary="Team Around the Family meeting held",
        body=f"{came} of {len(attendees)} invited attended.\n\n{minutes}"
        + (f"\n\nDecisions: {meeting.decisions}" if meeting.decisions else "")
        + (f"\n\nChanges to the plan: {meeting.plan_changes}" if meeting.plan_changes else ""),
        actor=actor,
        occurred_at=meeting.starts_at,
    )
    current = set(CaseMember.objects.filter(case=case, ended_at__isnull=True).values_list("user_id", flat=True))
    following = _create(
        actor=actor,
        case=case,
        starts_at=next_starts_at,
        place=next_place,
        members=[a.user for a in attendees if a.user_id and a.user_id in current],
        people=[a.person for a in attendees if a.person_id],
        others=[a.name for a in attendees if a.name],
    )
    return meeting, following


def attendee_name(attendee: TafAttendee) -> str:
    if attendee.user_id:
        return attendee.user.get_full_name() or attendee.user.username
    if attendee.person_id:
        return attendee.person.full_name
    return attendee.name
