"""The Early Help Panel: a locality's (or the county's) multi-agency meeting that agrees a lead agency
for families with level 3 needs, its standing members and schedule, its meetings with their agendas,
attendance, decisions and actions.

The waiting list itself is on the shared record (`Case.panel_route` and `panel_waiting_since`): a
case waits for the panel from the front door's decision, or from a return as stuck, refused or
disengaged, until a panel decision allocates or closes it."""

from __future__ import annotations

import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Agency, Case, ClosureReason, Locality, Team, User


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Every week"
    FORTNIGHTLY = "fortnightly", "Every two weeks"


FREQUENCY_DAYS = {Frequency.WEEKLY: 7, Frequency.FORTNIGHTLY: 14}


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"


class Panel(models.Model):
    """A locality's Early Help Panel (or the county's, with no locality), meeting on a weekday at a
    time, every week or every two weeks from `first_meeting_on`."""

    name = models.CharField(max_length=200, unique=True)
    locality = models.ForeignKey(
        Locality,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="panels",
        help_text="Leave empty for a panel that covers the whole county",
    )
    chair = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    frequency = models.CharField(max_length=20, choices=Frequency.choices, default=Frequency.FORTNIGHTLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.TUESDAY)
    meets_at = models.TimeField("time", default=datetime.time(10, 0))
    duration_minutes = models.PositiveSmallIntegerField(default=120)
    venue = models.CharField(max_length=200, blank=True, help_text="Where the panel meets, or how to join online")
    first_meeting_on = models.DateField(help_text="The date of the first meeting: the schedule counts from it")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=Q(frequency__in=Frequency.values), name="panel_frequency_valid"),
            models.CheckConstraint(condition=Q(weekday__gte=0, weekday__lte=4), name="panel_weekday_valid"),
            models.UniqueConstraint(
                fields=["locality"],
                condition=Q(active=True, locality__isnull=False),
                name="one_active_panel_per_locality",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def covers(self) -> str:
        return self.locality.name if self.locality_id else "The whole county"


class PanelMember(models.Model):
    """A standing member: an agency, and the person who attends for it. Ended, never deleted."""

    panel = models.ForeignKey(Panel, on_delete=models.CASCADE, related_name="members")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="panel_memberships")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="panel_memberships")
    role = models.CharField(max_length=200, blank=True, help_text="For example 'Designated safeguarding lead'")
    added_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["agency__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["panel", "agency", "user"],
                condition=Q(ended_at__isnull=True),
                name="panel_member_unique_current",
                nulls_distinct=False,
            ),
        ]
        indexes = [
            models.Index(fields=["user", "panel"], condition=Q(ended_at__isnull=True), name="panel_member_user_idx")
        ]

    def __str__(self) -> str:
        return f"{self.user.get_full_name()} ({self.agency})" if self.user_id else str(self.agency)


# How long before a meeting starts its decisions may be recorded.
DECISIONS_OPEN_BEFORE = datetime.timedelta(hours=1)


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class Meeting(models.Model):
    """One meeting of a panel. `slot_on` is the date of the schedule it stands for: a meeting moved to
    another day keeps its slot, so the schedule does not make another for it."""

    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="meetings")
    slot_on = models.DateField()
    starts_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED)
    venue = models.CharField(max_length=200, blank=True)
    moved_from = models.DateTimeField(null=True, blank=True)
    move_reason = models.TextField(blank=True)
    cancel_reason = models.TextField(blank=True)
    changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    agenda_sent_at = models.DateTimeField(null=True, blank=True)
    minutes_notes = models.TextField("general notes", blank=True)
    held_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=MeetingStatus.values), name="meeting_status_valid"),
            models.UniqueConstraint(fields=["panel", "slot_on"], name="meeting_one_per_slot"),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancel_reason=""), name="cancelled_meeting_has_reason"
            ),
            models.CheckConstraint(
                condition=Q(moved_from__isnull=True) | ~Q(move_reason=""), name="moved_meeting_has_reason"
            ),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(held_at__isnull=False), name="held_meeting_has_time"
            ),
        ]
        indexes = [models.Index(fields=["panel", "starts_at"], name="meeting_panel_starts_idx")]

    def __str__(self) -> str:
        return f"{self.panel}, {timezone.localtime(self.starts_at):%-d %B %Y}"

    @property
    def is_upcoming(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED

    @property
    def takes_decisions(self) -> bool:
        """Decisions are recorded at the meeting: from an hour before it starts (the coordinator
        setting up the room), until it is completed; never at a cancelled one."""
        return self.status == MeetingStatus.SCHEDULED and self.starts_at <= timezone.now() + DECISIONS_OPEN_BEFORE


class AgendaItem(models.Model):
    """A case on a meeting's agenda, in the coordinator's order. `route` is how the case came to the
    panel when it was put on the agenda (a `cases.models.PanelRoute` value)."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="panel_items")
    position = models.PositiveIntegerField()
    route = models.CharField(max_length=20, blank=True)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["meeting", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="agenda_item_case_once")]
        indexes = [models.Index(fields=["case", "-added_at"], name="agenda_item_case_idx")]

    def __str__(self) -> str:
        return f"{self.case} at {self.meeting}"


class Attendance(models.Model):
    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        APOLOGIES = "apologies", "Sent apologies"
        ABSENT = "absent", "Absent"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    member = models.ForeignKey(PanelMember, on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=20, choices=Status.choices)
    recorded_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["member__agency__name", "member_id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "member"], name="attendance_once_per_member"),
            models.CheckConstraint(
                condition=Q(status__in=["present", "apologies", "absent"]), name="attendance_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_status_display()}"


class PanelOutcome(models.TextChoices):
    ALLOCATE = "allocate", "Allocate a lead agency"
    NOT_FOR_PANEL = "not_for_panel", "Not for the panel"
    DEFER = "defer", "Defer to the next meeting"
    STEP_UP = "step_up", "Step up to the front door as a safeguarding concern"


class NotForPanelRoute(models.TextChoices):
    FRONT_DOOR = "front_door", "Back to the front door"
    SINGLE_AGENCY = "single_agency", "Single-agency support"
    UNIVERSAL = "universal", "Universal services"


class PanelDecision(models.Model):
    """The panel's decision on an agenda item. Amended by a new decision that names the one it replaces
    (`amends`) and why; never overwritten. The item's decision is the one nothing amends."""

    item = models.ForeignKey(AgendaItem, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=PanelOutcome.choices)
    lead_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    threshold_confirmed = models.BooleanField(
        default=False, help_text="The panel confirmed the family's needs meet level 3 (multi-agency support)"
    )
    not_for_panel_route = models.CharField(max_length=20, choices=NotForPanelRoute.choices, blank=True)
    closure_reason = models.ForeignKey(ClosureReason, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField(blank=True, help_text="Why, or for a deferral what is needed before the next meeting")
    deferred_to = models.ForeignKey(Meeting, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by")
    amendment_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["item", "decided_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=PanelOutcome.values), name="panel_decision_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(outcome="allocate") | (Q(lead_agency__isnull=False) & Q(threshold_confirmed=True)),
                name="allocation_names_lead_agency",
            ),
            models.CheckConstraint(
                condition=~Q(outcome="not_for_panel") | (~Q(not_for_panel_route="") & ~Q(reason="")),
                name="not_for_panel_has_route_and_reason",
            ),
            models.CheckConstraint(condition=~Q(outcome="defer") | ~Q(reason=""), name="deferral_says_what_is_needed"),
            models.CheckConstraint(
                condition=Q(amends__isnull=True) | ~Q(amendment_reason=""), name="amendment_has_reason"
            ),
        ]
        indexes = [models.Index(fields=["item", "-decided_at"], name="panel_decision_item_idx")]

    def __str__(self) -> str:
        return f"{self.item}: {self.get_outcome_display()}"


class MeetingAction(models.Model):
    """An action agreed at a meeting, for a member, by a date."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    item = models.ForeignKey(AgendaItem, null=True, blank=True, on_delete=models.CASCADE, related_name="actions")
    description = models.CharField(max_length=500)
    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="panel_actions")
    due_on = models.DateField()
    done_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [
            models.Index(fields=["owner", "due_on"], condition=Q(done_at__isnull=True), name="action_owner_open_idx")
        ]

    def __str__(self) -> str:
        return self.description


class ClosureNotice(models.Model):
    """A case that came through a panel has closed: its coordinators were told, with the reason."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="panel_closure_notices")
    panel = models.ForeignKey(Panel, on_delete=models.PROTECT, related_name="closure_notices")
    closure_reason = models.ForeignKey(ClosureReason, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField()
    told_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-closed_at"]
        constraints = [models.UniqueConstraint(fields=["case", "closed_at"], name="closure_notice_once")]
        indexes = [models.Index(fields=["panel", "-closed_at"], name="closure_notice_panel_idx")]

    def __str__(self) -> str:
        return f"{self.case} closed: {self.closure_reason}"


class AgendaPaper(models.Model):
    """A meeting's agenda PDF made ahead of its downloads (`panels.pdf`, the task queued when the agenda
    is sent or changed after). `key` is the SHA-256 of the HTML it was made from, and that HTML is
    all a viewer may see: a download serves the stored bytes only when the HTML made for its own
    user has the same key, so a stale paper, or one made for another agency, is never served."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_papers")
    key = models.CharField(max_length=64)
    pdf = models.BinaryField()
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["meeting", "key"], name="agenda_paper_once")]

    def __str__(self) -> str:
        return f"Agenda paper of {self.meeting} ({self.key[:12]})"
