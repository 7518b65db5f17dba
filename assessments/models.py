"""The lead professional's work with a family (issue 12): outcome tools, the Early Help Assessment,
the family plan, Team Around the Family meetings, reviews and family group conferences.

An outcome tool (Family Star Plus, My Star, Teen Star, Graded Care Profile 2, or a council's own) is
configuration: its scale, which way is better, who it is about, and its areas in order. A reading is
one use of a tool with a family (or with one child or young person of it) on a day: one score per
area. Only the scores are kept: the tools are licensed products, and their wording stays with them.
"""

from __future__ import annotations

from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from cases.models import Case, IdentifiedNeed, Person, User


class ToolSubject(models.TextChoices):
    """Who a tool's reading is about: the family as a whole, or one child or young person of it."""

    FAMILY = "family", "The whole family"
    CHILD = "child", "A child"
    YOUNG_PERSON = "young_person", "A young person"


class OutcomeToolQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class OutcomeTool(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200, unique=True)
    version = models.CharField(max_length=50, blank=True, help_text="The edition the council is licensed for")
    subject = models.CharField(
        "who it is about", max_length=20, choices=ToolSubject.choices, default=ToolSubject.FAMILY
    )
    scale_min = models.PositiveSmallIntegerField("lowest score", default=1)
    scale_max = models.PositiveSmallIntegerField("highest score")
    higher_is_better = models.BooleanField(
        default=True,
        help_text="Untick for a tool graded from best to worst, like the Graded Care Profile 2 (1 is best)",
    )
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True, help_text="Offered for new readings; past readings are kept either way")

    objects = OutcomeToolQuerySet.as_manager()

    class Meta:
        ordering = ["sort_order", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(scale_min__lt=F("scale_max")), name="outcome_tool_scale_ordered"),
            # A scale a person can score with radios and a chart can show.
            models.CheckConstraint(condition=Q(scale_max__lte=20), name="outcome_tool_scale_at_most_20"),
            models.CheckConstraint(condition=Q(subject__in=ToolSubject.values), name="outcome_tool_subject_valid"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def about_a_person(self) -> bool:
        return self.subject != ToolSubject.FAMILY

    @property
    def best(self) -> int:
        return self.scale_max if self.higher_is_better else self.scale_min

    @property
    def worst(self) -> int:
        return self.scale_min if self.higher_is_better else self.scale_max

    @property
    def scale_words(self) -> str:
        """ "1 to 10, higher is better" / "1 to 5, 1 is best"."""
        if self.higher_is_better:
            return f"{self.scale_min} to {self.scale_max}, higher is better"
        return f"{self.scale_min} to {self.scale_max}, {self.scale_min} is best"


class ToolArea(models.Model):
    """One area a tool scores, in the tool's order."""

    tool = models.ForeignKey(OutcomeTool, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    sort_order = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["sort_order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["tool", "code"], name="tool_area_code_unique"),
            models.UniqueConstraint(fields=["tool", "name"], name="tool_area_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class Reading(models.Model):
    """One use of a tool with a family on a day: a score for every one of the tool's areas
    (`scores`). Never changed once recorded; a later reading is the next point of the journey."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="outcome_readings")
    tool = models.ForeignKey(OutcomeTool, on_delete=models.PROTECT, related_name="readings")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="outcome_readings",
        help_text="The child or young person the reading is about, for a tool about one person",
    )
    taken_on = models.DateField()
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["taken_on", "recorded_at", "pk"]
        indexes = [models.Index(fields=["case", "tool", "taken_on"], name="reading_case_tool_idx")]

    def __str__(self) -> str:
        return f"{self.tool} on {self.taken_on:%d %B %Y}"


class Score(models.Model):
    """A reading's score in one area. A database trigger (migration 0002) refuses a score outside
    its tool's scale or for an area of another tool, whatever wrote it."""

    reading = models.ForeignKey(Reading, on_delete=models.CASCADE, related_name="scores")
    area = models.ForeignKey(ToolArea, on_delete=models.PROTECT, related_name="scores")
    value = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reading", "area"], name="score_one_per_area"),
            models.CheckConstraint(condition=Q(value__lte=20), name="score_value_at_most_20"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.value}"


# --- The Early Help Assessment ----------------------------------------------------------------------


class AssessmentStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for changes"
    APPROVED = "approved", "Approved"


# The versions still being worked on or decided: a case has at most one at a time.
OPEN_ASSESSMENT_STATUSES = (AssessmentStatus.IN_PROGRESS, AssessmentStatus.SUBMITTED, AssessmentStatus.RETURNED)


class AssessmentDecision(models.TextChoices):
    """What the assessment decided (its last section)."""

    SINGLE_AGENCY = "single_agency", "Support from a single agency"
    TAF = "taf", "A Team Around the Family"
    STEP_UP = "step_up", "Step up to children's social care"


class Assessment(models.Model):
    """One version of a family's Early Help Assessment. The lead professional starts it and saves it
    section by section; submitting locks it; a team manager approves it or returns it with comments.
    A change after approval makes the next version (its sections copied), the old one kept as it was.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="assessments")
    version = models.PositiveSmallIntegerField(default=1)
    status = models.CharField(max_length=20, choices=AssessmentStatus.choices, default=AssessmentStatus.IN_PROGRESS)
    started_at = models.DateTimeField(default=timezone.now)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    submitted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    # The manager's decision on the latest submission: approved, or returned with comments.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_note = models.TextField(blank=True)
    # The decision section's answer, copied here when submitted (for lists and figures).
    outcome = models.CharField(max_length=20, choices=AssessmentDecision.choices, blank=True)

    class Meta:
        ordering = ["case", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="assessment_version_unique"),
            models.UniqueConstraint(
                fields=["case"],
                condition=Q(status__in=["in_progress", "submitted", "returned"]),
                name="assessment_one_open_per_case",
            ),
            models.CheckConstraint(condition=Q(status__in=AssessmentStatus.values), name="assessment_status_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["in_progress", "returned"]) | Q(submitted_at__isnull=False),
                name="assessment_submitted_has_date",
            ),
            models.CheckConstraint(
                condition=~Q(status="approved") | Q(decided_at__isnull=False), name="assessment_approved_has_date"
            ),
        ]
        indexes = [
            # A manager's "assessments to approve".
            models.Index(fields=["submitted_at"], condition=Q(status="submitted"), name="assessment_submitted_idx"),
        ]

    def __str__(self) -> str:
        return f"Assessment of {self.case} (version {self.version})"

    @property
    def is_locked(self) -> bool:
        """Submitted or approved: nothing in it can change."""
        return self.status in (AssessmentStatus.SUBMITTED, AssessmentStatus.APPROVED)


class SectionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"


class SectionKind(models.TextChoices):
    """The assessment's sections, in the task list's order. Those marked per person are one section
    for each child (or each parent or carer) of the family."""

    FAMILY = "family", "Family composition and professionals involved"
    REASON = "reason", "Reason for the assessment and level of need"
    CHILD_VOICE = "child_voice", "The voice of the child"
    CARER_VOICE = "carer_voice", "The voice of the parent or carer"
    STRENGTHS = "strengths", "The family's strengths"
    CHILD_DOMAINS = "child_domains", "The child's needs, parenting and family"
    HISTORY = "history", "What has been tried before"
    ANALYSIS = "analysis", "Analysis"
    NEEDS = "needs", "Identified needs"
    DECISION = "decision", "Decision"


PER_PERSON_SECTIONS = (SectionKind.CHILD_VOICE, SectionKind.CARER_VOICE, SectionKind.CHILD_DOMAINS)


class AssessmentSection(models.Model):
    """One section of an assessment version, saved on its own: its status and its answers (a form's
    cleaned data, as JSON; each kind's form in the assessment's forms says what they are)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="sections")
    kind = models.CharField(max_length=20, choices=SectionKind.choices)
    person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="For a per-person section"
    )
    status = models.CharField(max_length=20, choices=SectionStatus.choices, default=SectionStatus.NOT_STARTED)
    answers = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(null=True, blank=True)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["assessment", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "kind", "person"], nulls_distinct=False, name="assessment_section_unique"
            ),
            models.CheckConstraint(condition=Q(kind__in=SectionKind.values), name="assessment_section_kind_valid"),
            models.CheckConstraint(
                condition=Q(status__in=SectionStatus.values), name="assessment_section_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=[k.value for k in PER_PERSON_SECTIONS], person__isnull=False)
                | (~Q(kind__in=[k.value for k in PER_PERSON_SECTIONS]) & Q(person__isnull=True)),
                name="assessment_section_person_when_per_person",
            ),
        ]

    def __str__(self) -> str:
        return self.get_kind_display() + (f" ({self.person})" if self.person_id else "")


class AssessmentNeed(models.Model):
    """A need the assessment identified (the need itself lives in `cases`, which the outcomes read).
    A new version links the same needs as the one it was made from."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="need_links")
    need = models.ForeignKey(IdentifiedNeed, on_delete=models.PROTECT, related_name="assessment_links")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assessment", "need"], name="assessment_need_unique")]

    def __str__(self) -> str:
        return f"{self.assessment}: {self.need}"


# --- One family plan ---------------------------------------------------------------------------------


class Plan(models.Model):
    """The case's one family plan: outcomes agreed with the family, SMART actions, the contingency
    and exit plans. Changed in place; each agreement and each review keeps a `PlanVersion`."""

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="plan")
    contingency_plan = models.TextField(blank=True, help_text="What happens if the plan does not work")
    exit_plan = models.TextField(blank=True, help_text="How the family will know support can end")
    agreed_on = models.DateField(null=True, blank=True, help_text="When the family agreed the plan")
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    def __str__(self) -> str:
        return f"Family plan for {self.case}"


class PlanOutcome(models.Model):
    """An outcome agreed with the family, in their words, linked to the needs it answers. Ended
    (kept) when a review takes it out of the plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="outcomes")
    text = models.TextField(help_text="In the family's words")
    needs = models.ManyToManyField(IdentifiedNeed, blank=True, related_name="plan_outcomes")
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Not started"
    ON_TRACK = "on_track", "On track"
    BEHIND = "behind", "Behind"
    DONE = "done", "Done"
    STOPPED = "stopped", "Stopped"


OPEN_ACTION_STATUSES = (ActionStatus.NOT_STARTED, ActionStatus.ON_TRACK, ActionStatus.BEHIND)


class PlanAction(models.Model):
    """A SMART action of the plan: what, who (a member of the team around the family, or a family
    member), by when, how progress is measured, and its status. `case` repeats the plan's case so a
    member's actions across their cases are one indexed read."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="actions")
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="plan_actions")
    outcome = models.ForeignKey(PlanOutcome, null=True, blank=True, on_delete=models.SET_NULL, related_name="actions")
    what = models.TextField()
    owner_user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="plan_actions",
        help_text="A member of the team around the family",
    )
    owner_person = models.ForeignKey(
        Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="A family member"
    )
    due_on = models.DateField()
    measure = models.TextField("how progress is measured")
    status = models.CharField(max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True, help_text="Taken out of the plan (kept)")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_user__isnull=False) & Q(owner_person__isnull=True))
                | (Q(owner_user__isnull=True) & Q(owner_person__isnull=False)),
                name="plan_action_one_owner",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="plan_action_status_valid"),
        ]
        indexes = [
            # A member's own actions across their cases, soonest due first.
            models.Index(
                fields=["owner_user", "due_on"], condition=Q(ended_at__isnull=True), name="plan_action_owner_idx"
            ),
            models.Index(fields=["case", "due_on"], name="plan_action_case_idx"),
        ]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def is_open(self) -> bool:
        return self.ended_at is None and self.status in OPEN_ACTION_STATUSES


class ActionUpdate(models.Model):
    """Progress on an action, recorded by its owner or the lead professional; shown on the case."""

    action = models.ForeignKey(PlanAction, on_delete=models.CASCADE, related_name="updates")
    note = models.TextField()
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["action", "-recorded_at"], name="action_update_action_idx")]

    def __str__(self) -> str:
        return self.note[:60]


class PlanVersion(models.Model):
    """The plan as it stood when the family agreed it or a review amended it: a snapshot (outcomes,
    actions, contingency and exit plans as JSON), read back side by side with the current plan."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveSmallIntegerField()
    reason = models.CharField(max_length=200, help_text="For example 'Agreed with the family' or 'First review'")
    content = models.JSONField()
    made_at = models.DateTimeField(default=timezone.now)
    made_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self) -> str:
        return f"{self.plan} version {self.number}"


# --- Team Around the Family meetings and reviews ---------------------------------------------------------


class TafMeetingStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    HELD = "held", "Held"
    CANCELLED = "cancelled", "Cancelled"


class TafMeeting(models.Model):
    """A Team Around the Family meeting: planned with its invitations, then recorded as held with
    who came, the minutes, decisions and changes to the plan. An active case always has its next one
    planned (the `next-taf` clock runs to it)."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="taf_meetings")
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, choices=TafMeetingStatus.choices, default=TafMeetingStatus.PLANNED)
    minutes = models.TextField(blank=True)
    decisions = models.TextField(blank=True)
    plan_changes = models.TextField(blank=True)
    cancelled_reason = models.TextField(blank=True)
    planned_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    planned_at = models.DateTimeField(default=timezone.now)
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case", "starts_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=TafMeetingStatus.values), name="taf_meeting_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="held") | Q(recorded_at__isnull=False), name="taf_meeting_held_recorded"
            ),
            models.CheckConstraint(
                condition=~Q(status="cancelled") | ~Q(cancelled_reason=""), name="taf_meeting_cancelled_reason"
            ),
        ]
        indexes = [
            models.Index(fields=["case", "starts_at"], name="taf_meeting_case_idx"),
            # The next planned meetings, county-wide (a lead professional's list).
            models.Index(fields=["starts_at"], condition=Q(status="planned"), name="taf_meeting_planned_idx"),
        ]

    def __str__(self) -> str:
        return f"TAF meeting for {self.case}, {timezone.localtime(self.starts_at):%d %B %Y}"


class Attendance(models.TextChoices):
    INVITED = "invited", "Invited"
    ATTENDED = "attended", "Attended"
    APOLOGIES = "apologies", "Sent apologies"
    ABSENT = "absent", "Did not attend"


class TafAttendee(models.Model):
    """Someone invited to a TAF meeting: a member of the team (a user), a family member, or someone
    else named (a relative's friend, an interpreter)."""

    meeting = models.ForeignKey(TafMeeting, on_delete=models.CASCADE, related_name="attendees")
    user = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(max_length=200, blank=True, help_text="Someone else invited, by name and role")
    attendance = models.CharField(max_length=20, choices=Attendance.choices, default=Attendance.INVITED)

    class Meta:
        ordering = ["meeting", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(person__isnull=True) & Q(name=""))
                | (Q(user__isnull=True) & Q(person__isnull=False) & Q(name=""))
                | (Q(user__isnull=True) & Q(person__isnull=True) & ~Q(name="")),
                name="taf_attendee_one_kind",
            ),
            models.UniqueConstraint(
                fields=["meeting", "user"], condition=Q(user__isnull=False), name="taf_attendee_user_once"
            ),
            models.UniqueConstraint(
                fields=["meeting", "person"], condition=Q(person__isnull=False), name="taf_attendee_person_once"
            ),
        ]

    def __str__(self) -> str:
        return self.name or str(self.user or self.person)


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", "Continue, amending the plan"
    BACK_TO_PANEL = "back_to_panel", "Back to the panel"
    STEP_UP = "step_up", "Step up to children's social care"
    REQUEST_CLOSURE = "request_closure", "Request closure"


class Review(models.Model):
    """A review of the plan (the first at 1 month, then 3 and 6 months, then every 3 months): progress
    on every action, a new outcome tool reading, the family's view and a decision. The plan as it
    stood is kept as the version the review made."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="reviews")
    number = models.PositiveSmallIntegerField()
    due_on = models.DateField(null=True, blank=True)
    held_on = models.DateField()
    summary = models.TextField("progress overall")
    family_view = models.TextField("the family's view")
    decision = models.CharField(max_length=20, choices=ReviewDecision.choices)
    decision_note = models.TextField(blank=True)
    reading = models.ForeignKey(Reading, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    plan_version = models.ForeignKey(PlanVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    taf_meeting = models.ForeignKey(
        TafMeeting, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Held at this meeting"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "number"]
        constraints = [
            models.UniqueConstraint(fields=["case", "number"], name="review_number_unique"),
            models.CheckConstraint(condition=Q(decision__in=ReviewDecision.values), name="review_decision_valid"),
        ]

    def __str__(self) -> str:
        return f"Review {self.number} of {self.case}"


class ReviewProgress(models.Model):
    """A review's word on one action: its status then and what was done."""

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="progress")
    action = models.ForeignKey(PlanAction, on_delete=models.PROTECT, related_name="review_progress")
    status = models.CharField(max_length=20, choices=ActionStatus.choices)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["review", "id"]
        constraints = [models.UniqueConstraint(fields=["review", "action"], name="review_progress_once")]

    def __str__(self) -> str:
        return f"{self.review}: {self.action}"


# --- Family group conference ----------------------------------------------------------------------------


class ConferenceResponse(models.TextChoices):
    OFFERED = "offered", "Offered, waiting for the family's answer"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"


class FamilyGroupConference(models.Model):
    """A family group conference offered to the family: their answer, and once held, the date, who
    came and the family's own plan from it."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="family_group_conferences")
    offered_on = models.DateField()
    response = models.CharField(max_length=20, choices=ConferenceResponse.choices, default=ConferenceResponse.OFFERED)
    responded_on = models.DateField(null=True, blank=True)
    held_on = models.DateField(null=True, blank=True)
    attended = models.TextField("who attended", blank=True)
    family_plan = models.TextField("the family's plan", blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["case", "-offered_on"]
        constraints = [
            models.CheckConstraint(condition=Q(response__in=ConferenceResponse.values), name="fgc_response_valid"),
            models.CheckConstraint(
                condition=Q(held_on__isnull=True) | Q(response="accepted"), name="fgc_held_only_when_accepted"
            ),
        ]

    def __str__(self) -> str:
        return f"Family group conference for {self.case}"
