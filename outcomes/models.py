"""What closing a case records beyond its reason and summary: for each identified need whether its
outcome was achieved and the evidence, where the family goes next, the family's feedback, the
manager's sign-off, and six months on whether each outcome was sustained.

The shared record asks these questions through its extension points (`outcomes.closure`): the
closure request, its return and its sign-off stay the shared record's moves."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Case, ConfigItem, IdentifiedNeed, User


class ClosureDestination(ConfigItem):
    """Where the family goes when the case closes (universal services, a single agency, social care,
    another council, ...): a council's own list."""


class FeedbackAnswer(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_ASKED = "not_asked", "Not asked, or they did not say"


class ClosureStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for the manager"
    RETURNED = "returned", "Returned to the lead professional"
    SIGNED_OFF = "signed_off", "Signed off"


class Closure(models.Model):
    """One request to close a case, with what the lead professional recorded and what the manager
    decided. A returned request is kept; the next request is a new row."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="closures")
    status = models.CharField(max_length=20, choices=ClosureStatus.choices, default=ClosureStatus.REQUESTED)
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    destination = models.ForeignKey(ClosureDestination, on_delete=models.PROTECT, related_name="closures")
    came_through_panel = models.BooleanField(default=False)
    # The family's feedback, in their words and on the measures the seeds name.
    feedback_timely = models.CharField("support was timely and helpful", max_length=10, choices=FeedbackAnswer.choices)
    feedback_knew_lead = models.CharField(
        "they knew who their lead professional was", max_length=10, choices=FeedbackAnswer.choices
    )
    feedback_told_once = models.CharField(
        "they only had to tell their story once", max_length=10, choices=FeedbackAnswer.choices
    )
    feedback_words = models.TextField("the family's feedback in their words", blank=True)
    # The manager's decision.
    decided_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    significant_and_sustained = models.BooleanField(
        null=True, blank=True, help_text="The manager's judgement at sign-off: progress was significant and sustained"
    )
    manager_note = models.TextField(blank=True, help_text="The sign-off note, or what must happen before closure")
    # Six months after closure: whether each outcome lasted (on the need outcomes), asked once.
    sustained_checked_at = models.DateTimeField(null=True, blank=True)
    sustained_checked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-requested_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ClosureStatus.values), name="closure_status_valid"),
            models.UniqueConstraint(
                fields=["case"], condition=Q(status="requested"), name="closure_one_request_per_case"
            ),
            models.CheckConstraint(
                condition=Q(status="requested") | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="closure_decision_recorded",
            ),
        ]
        indexes = [
            models.Index(fields=["case", "-requested_at"], name="closure_case_idx"),
            models.Index(fields=["status", "decided_at"], name="closure_status_decided_idx"),
            # The claims list: answered closures, newest first, walked to the page asked for. The
            # status leads rather than being the index's condition: it comes as a parameter, and a
            # prepared statement's generic plan cannot use an index partial on a parameter.
            models.Index(
                fields=["status", "-decided_at", "-id"],
                condition=Q(sustained_checked_at__isnull=False),
                name="closure_answered_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"Closure of {self.case} ({self.get_status_display().lower()})"


class Achieved(models.TextChoices):
    YES = "yes", "Yes, achieved"
    PARTLY = "partly", "Partly"
    NO = "no", "No"


class NeedOutcome(models.Model):
    """Whether the outcome of one identified need was achieved at closure, with its evidence (a
    note, an outcome tool reading, a document), and six months on whether it was sustained."""

    closure = models.ForeignKey(Closure, on_delete=models.CASCADE, related_name="need_outcomes")
    need = models.ForeignKey(IdentifiedNeed, on_delete=models.PROTECT, related_name="closure_outcomes")
    achieved = models.CharField(max_length=10, choices=Achieved.choices)
    evidence_note = models.TextField("the evidence", blank=True)
    evidence_reading = models.ForeignKey(
        "assessments.Reading", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    evidence_file = models.FileField(upload_to="closure-evidence/", blank=True)
    sustained = models.BooleanField(null=True, blank=True)
    sustained_note = models.TextField(blank=True)

    class Meta:
        ordering = ["closure", "need__recorded_at", "need_id"]
        constraints = [
            models.UniqueConstraint(fields=["closure", "need"], name="need_outcome_once"),
            models.CheckConstraint(condition=Q(achieved__in=Achieved.values), name="need_outcome_achieved_valid"),
            models.CheckConstraint(
                condition=~Q(evidence_note="") | Q(evidence_reading__isnull=False) | ~Q(evidence_file=""),
                name="need_outcome_has_evidence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.need}: {self.get_achieved_display()}"


class Claim(models.Model):
    """A Supporting Families results claim for a family, under one framework version: a family is
    claimed once per framework version (the programme's period)."""

    family = models.ForeignKey("cases.Family", on_delete=models.PROTECT, related_name="claims")
    framework = models.ForeignKey("cases.OutcomeFramework", on_delete=models.PROTECT, related_name="claims")
    closure = models.ForeignKey(Closure, on_delete=models.PROTECT, related_name="claims")
    claimed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(default=timezone.now)
    note = models.TextField(blank=True, help_text="The claim's reference with the department, or anything checked")

    class Meta:
        ordering = ["-claimed_at"]
        constraints = [models.UniqueConstraint(fields=["family", "framework"], name="claim_once_per_framework")]

    def __str__(self) -> str:
        return f"Claim for family {self.family_id} under {self.framework}"
