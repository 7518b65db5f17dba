"""A subject access request (UK GDPR article 15) and what the administrator withholds from it.

Withholding is by item: a whole record (a note, an assessment section, a letter, another person's
details ...), never a part of one. An item is named by its type and id (`ItemType`); the reason is one
of a fixed list, with words of explanation required for "other"."""

from __future__ import annotations

import calendar
import datetime

from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import Person, User


class RequestStatus(models.TextChoices):
    DRAFT = "draft", "Checking what to withhold"
    READY = "ready", "Ready to export"
    EXPORTED = "exported", "Exported"


class WithholdReason(models.TextChoices):
    THIRD_PARTY = "third_party", "Names or identifies a third party who has not consented"
    SERIOUS_HARM = "serious_harm", "Would be likely to cause serious harm"
    LEGAL_PRIVILEGE = "legal_privilege", "Legal professional privilege"
    OTHER = "other", "Other"


class ItemType(models.TextChoices):
    """The kinds of record an export holds, each withheld whole."""

    PERSON = "person", "Person's details"
    RELATIONSHIP = "relationship", "Relationship"
    FAMILY = "family", "Family"
    REFERRAL = "referral", "Referral"
    DECISION = "decision", "Front door decision"
    LETTER = "letter", "Letter"
    CASE = "case", "Case"
    CHRONOLOGY = "chronology", "Chronology entry or note"
    CONSENT = "consent", "Consent decision"
    ASSESSMENT = "assessment", "Assessment"
    ASSESSMENT_SECTION = "assessment_section", "Assessment section"
    NEED = "need", "Identified need"
    PLAN = "plan", "Family plan"
    PLAN_ACTION = "plan_action", "Plan action"
    TAF_MEETING = "taf_meeting", "Team Around the Family meeting"
    REVIEW = "review", "Review"
    CLOSURE = "closure", "Closure"
    INFORMATION_REQUEST = "information_request", "Request to a partner agency"
    PANEL_DECISION = "panel_decision", "Early Help Panel decision"
    HANDOVER = "handover", "Handover with children's social care"
    CONFERENCE = "conference", "Family group conference"
    READING = "reading", "Outcome tool reading"


def one_month_after(day: datetime.date) -> datetime.date:
    """The statutory due date: the same day of the next month, or its last day when the next month is
    shorter (received 31 January, due 28 or 29 February), as the Information Commissioner counts."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class SubjectAccessRequest(models.Model):
    """One person's request for everything held about them (or a request made for them), handled by an
    administrator: opened, checked item by item (what to withhold and why), then exported."""

    Status = RequestStatus

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+")
    requester = models.CharField(
        "who asked", max_length=200, help_text="For example, the person, or a parent with parental responsibility"
    )
    received_on = models.DateField()
    due_on = models.DateField(help_text="One calendar month from receipt")
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=RequestStatus.choices, default=RequestStatus.DRAFT)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_at = models.DateTimeField(default=timezone.now)
    exported_at = models.DateTimeField(null=True, blank=True)
    # The latest export made (its job, progress page and once-only download).
    export = models.ForeignKey(
        "outcomes_exports.Export", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=RequestStatus.values), name="sar_status_valid"),
            models.CheckConstraint(condition=Q(due_on__gte=models.F("received_on")), name="sar_due_after_received"),
        ]
        indexes = [models.Index(fields=["-opened_at", "-id"], name="sar_opened_idx")]

    def __str__(self) -> str:
        return self.reference

    @property
    def reference(self) -> str:
        """A reference that names no one, for lists, files and the access log."""
        return f"SAR-{self.pk:06d}"


class Redaction(models.Model):
    """One item withheld from a request's export, why, and who decided. Releasing it deletes the row
    (the export records what was withheld when it was made: its parameters and its files list it)."""

    Reason = WithholdReason

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="redactions")
    item_type = models.CharField(max_length=30, choices=ItemType.choices)
    item_id = models.BigIntegerField()
    reason = models.CharField(max_length=20, choices=WithholdReason.choices)
    explanation = models.TextField(blank=True)
    # What the item was when it was withheld (the inventory's `Item`: its title, and its date if it
    # has one), so the request's page names each item without reading every kind of record. Never in
    # the export, where a withheld item's title could tell what was withheld. Rows made before these
    # were kept have no title: the page names their kind and id.
    title = models.CharField(max_length=300, blank=True, default="")
    item_date = models.DateField(null=True, blank=True)
    # Marked when the request was opened (another person's details), not by an administrator's choice.
    automatic = models.BooleanField(default=False)
    marked_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    marked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "item_type", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["request", "item_type", "item_id"], name="redaction_once_per_item"),
            models.CheckConstraint(condition=Q(reason__in=WithholdReason.values), name="redaction_reason_valid"),
            models.CheckConstraint(condition=Q(item_type__in=ItemType.values), name="redaction_item_type_valid"),
            models.CheckConstraint(
                condition=~Q(reason="other") | ~Q(explanation=""), name="redaction_other_is_explained"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_item_type_display()} {self.item_id}: {self.get_reason_display()}"

    @property
    def reason_words(self) -> str:
        if self.reason == WithholdReason.OTHER:
            return f"Other: {self.explanation}"
        return self.get_reason_display()
