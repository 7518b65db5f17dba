"""The front door: referrals (every contact, from any channel), the people named in them, the
duty manager's decisions (amended, never overwritten), information requests to partner agencies
(MASH enquiries about a referral, and the panel's requests about a case) and the letters that tell
referrers the outcome."""

from __future__ import annotations

import pghistory
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone

from cases.models import (  # noqa: F401 (DecisionOutcome is the front door's, kept with the destinations)
    Agency,
    Case,
    DecisionOutcome,
    Destination,
    Family,
    Gender,
    LevelOfNeed,
    Locality,
    Person,
    User,
)
from cases.validators import validate_nhs_number, validate_postcode, validate_upn


class Channel(models.TextChoices):
    PRACTITIONER = "practitioner", "Practitioner web form"
    PUBLIC = "public", "Public web form"
    API = "api", "Partner system (API)"
    PHONE = "phone", "Phone call"
    EMAIL = "email", "Email"
    # Internal: an early help case escalated to the front door (front_door/step_up.py), and a family
    # handed from children's social care to early help (front_door/step_down.py).
    STEP_UP = "step_up", "Step up from early help"
    STEP_DOWN = "step_down", "Step down from children's social care"


class ReferralStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    AWAITING_DECISION = "awaiting_decision", "Awaiting decision"
    MORE_INFORMATION = "more_information", "More information requested"
    DECIDED = "decided", "Decided"


class ReferrerRelationship(models.TextChoices):
    PRACTITIONER = "practitioner", "A practitioner"
    PARENT = "parent", "A parent or carer"
    YOUNG_PERSON = "young_person", "The young person"
    RELATIVE = "relative", "A relative or family friend"
    PUBLIC = "public", "A member of the public"


@pghistory.track()
class Referral(models.Model):
    """One contact or referral about a family. Nothing received is ever deleted: a repeat submission
    is kept and linked to the first (`duplicate_of`)."""

    reference = models.CharField(max_length=20, unique=True, null=True, blank=True)
    status = models.CharField(max_length=20, choices=ReferralStatus.choices, default=ReferralStatus.DRAFT)
    channel = models.CharField(max_length=20, choices=Channel.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When a draft's answers were last saved: an unsent draft unused for 28 days is deleted.
    updated_at = models.DateTimeField(default=timezone.now)
    received_at = models.DateTimeField(null=True, blank=True)

    # Who referred. A signed-in practitioner, or someone without an account (public form, phone).
    referrer = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    referrer_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    referrer_relationship = models.CharField(
        max_length=20, choices=ReferrerRelationship.choices, default=ReferrerRelationship.PRACTITIONER
    )
    referrer_name = models.CharField(max_length=200, blank=True)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_email = models.EmailField(blank=True)
    referrer_phone = models.CharField(max_length=40, blank=True)
    # Where to post the outcome letter to a referrer without an email address (optional).
    referrer_address_line_1 = models.CharField(max_length=200, blank=True)
    referrer_address_line_2 = models.CharField(max_length=200, blank=True)
    referrer_town = models.CharField(max_length=100, blank=True)
    referrer_postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    recorded_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    confirmed_in_writing_at = models.DateTimeField(null=True, blank=True)

    # The family's address and the concerns.
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode])
    concerns = models.TextField(blank=True)
    tried_before = models.TextField(blank=True)
    level_of_need = models.ForeignKey(
        LevelOfNeed,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The referrer's view of the level of need",
    )
    expected_outcome = models.TextField(blank=True)

    # Consent of those with parental responsibility, or why it was not sought.
    consent_given = models.BooleanField(null=True, blank=True)
    consent_not_sought_reason = models.TextField(blank=True)

    # Set when received.
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decision_due_at = models.DateTimeField(null=True, blank=True, help_text="When the 24-hour decision is due")

    # Set at the front door.
    family = models.ForeignKey(Family, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")
    duplicate_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="duplicates")
    # A re-referral: the family's case closed within the 12 months before this referral was received
    # (`selectors.re_referral_case`), stored when the front door decides, for the analysts' count.
    re_referral_of = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="re_referrals", db_index=True
    )
    claimed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    claimed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=ReferralStatus.values), name="referral_status_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="referral_channel_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | (Q(reference__isnull=False) & Q(received_at__isnull=False)),
                name="submitted_referral_has_reference",
            ),
            models.CheckConstraint(
                condition=~Q(consent_given=False) | ~Q(consent_not_sought_reason=""),
                name="referral_without_consent_has_reason",
            ),
        ]
        indexes = [
            # The duty managers' queue: awaiting decision, oldest first.
            models.Index(
                fields=["received_at", "id"],
                condition=Q(status__in=["awaiting_decision", "more_information"]),
                name="referral_queue_idx",
            ),
            models.Index(
                fields=["locality", "received_at", "id"],
                condition=Q(status__in=["awaiting_decision", "more_information"]),
                name="referral_queue_locality_idx",
            ),
            models.Index(
                fields=["decision_due_at"],
                condition=Q(status__in=["awaiting_decision", "more_information"]),
                name="referral_queue_due_idx",
            ),
            models.Index(fields=["referrer", "-received_at"], name="referral_referrer_idx"),
            models.Index(fields=["referrer_agency", "-received_at"], name="referral_agency_idx"),
            models.Index(fields=["family", "-received_at"], name="referral_family_idx"),
            models.Index(fields=["status", "-received_at"], name="referral_status_idx"),
            models.Index(fields=["channel", "received_at"], name="referral_channel_idx"),
            models.Index(fields=["updated_at"], condition=Q(status="draft"), name="referral_draft_updated_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Draft {self.pk}"

    @property
    def children(self):
        return [p for p in self.people.all() if p.kind != Person.Kind.ADULT]

    @property
    def adults(self):
        return [p for p in self.people.all() if p.kind == Person.Kind.ADULT]

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.address_line_1, self.address_line_2, self.town, self.postcode] if p)

    @property
    def referrer_address_lines(self) -> list[str]:
        """The referrer's postal address, a line each (empty when none was given)."""
        lines = [self.referrer_address_line_1, self.referrer_address_line_2, self.referrer_town, self.referrer_postcode]
        return [line for line in lines if line]

    @property
    def from_the_public(self) -> bool:
        """A member of the public (a parent, a young person, a relative or anyone else) rather than a
        practitioner: their letter says only what they need to know."""
        return self.channel == Channel.PUBLIC or self.referrer_relationship != ReferrerRelationship.PRACTITIONER


class ReferralPerson(models.Model):
    """A child or adult as the referrer described them; linked to a known Person at triage."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="people")
    kind = models.CharField(max_length=10, choices=Person.Kind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True, validators=[validate_upn])
    school = models.CharField("school or setting", max_length=200, blank=True)
    relationship = models.CharField(max_length=100, blank=True, help_text="For adults: relationship to the children")
    parental_responsibility = models.BooleanField(default=False)
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="referrals")

    class Meta:
        ordering = ["kind", "id"]
        indexes = [
            models.Index(fields=["person"], name="referral_person_person_idx"),
            # The queue's search by name (ILIKE on either name), as the person search's indexes.
            GinIndex(
                fields=["last_name"], opclasses=["gin_trgm_ops"], name="referral_person_last_trgm", fastupdate=False
            ),
            GinIndex(
                fields=["first_name"], opclasses=["gin_trgm_ops"], name="referral_person_first_trgm", fastupdate=False
            ),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class Decision(models.Model):
    """The duty manager's decision. A correction is a new Decision that `amends` the old one."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="decisions")
    outcome = models.CharField(max_length=20, choices=DecisionOutcome.choices)
    level_of_need = models.ForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="+")
    destination = models.ForeignKey(Destination, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    reason = models.TextField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)
    amends = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT, related_name="amended_by")

    class Meta:
        ordering = ["-decided_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=DecisionOutcome.values), name="decision_outcome_valid"),
            models.CheckConstraint(
                condition=~Q(outcome="early_help") | Q(destination__isnull=False),
                name="early_help_decision_has_destination",
            ),
        ]
        indexes = [models.Index(fields=["referral", "-decided_at"], name="decision_referral_idx")]

    def __str__(self) -> str:
        return f"{self.referral}: {self.get_outcome_display()}"


class InformationRequest(models.Model):
    """A question to a partner agency about a family, answered by a date in the app. One mechanism
    for two moments: a MASH enquiry at the front door (about a `referral`, asked by a duty manager)
    and a partner request before the Early Help Panel (about a `case`, asked by a panel coordinator
    or a duty manager). Each request belongs to exactly one of the two and keeps its own clock
    (`mash-information` or `partner-information`). An agency has at most one open request about a
    referral, and one about a case."""

    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.PROTECT, related_name="information_requests"
    )
    case = models.ForeignKey(
        "cases.Case", null=True, blank=True, on_delete=models.PROTECT, related_name="information_requests"
    )
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="information_requests")
    question = models.TextField()
    requested_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    due_at = models.DateTimeField()
    answer = models.TextField(blank=True)
    answered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["requested_at"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(referral__isnull=False) & Q(case__isnull=True))
                | (Q(referral__isnull=True) & Q(case__isnull=False)),
                name="information_request_of_referral_or_case",
            ),
            models.UniqueConstraint(
                fields=["referral", "agency"], condition=Q(answered_at__isnull=True), name="one_open_request_per_agency"
            ),
            models.UniqueConstraint(
                fields=["case", "agency"],
                condition=Q(answered_at__isnull=True) & Q(case__isnull=False),
                name="one_open_case_request_per_agency",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "answered_at", "due_at"], name="info_request_agency_idx"),
            # The case page's partner requests, and the panel's waiting list.
            models.Index(fields=["case", "requested_at"], name="info_request_case_idx"),
        ]

    def __str__(self) -> str:
        about = self.referral if self.referral_id else self.case
        return f"{about} to {self.agency}"

    @property
    def for_panel(self) -> bool:
        """Asked before the Early Help Panel (about a case), rather than at the front door."""
        return self.case_id is not None

    @property
    def kind_label(self) -> str:
        return "Early Help Panel" if self.for_panel else "Front door enquiry"

    @property
    def reference(self) -> str:
        """The reference of what it is about: the case's or the referral's."""
        return self.case.reference if self.for_panel else self.referral.reference


class LetterStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be emailed"
    TO_POST = "to_post", "To post or phone"
    EMAILED = "emailed", "Emailed"
    POSTED = "posted", "Sent by post"
    PHONED = "phoned", "Told by phone"
    REPLACED = "replaced", "Replaced before it was sent"


LETTER_DELIVERED = (LetterStatus.EMAILED, LetterStatus.POSTED, LetterStatus.PHONED)
LETTER_WAITING = (LetterStatus.QUEUED, LetterStatus.TO_POST)


class ReferrerLetter(models.Model):
    """A written outcome for the referrer (PDF), one per decision (none for a decision amended before
    its letter was made): the front door's decision (`decision`), or, for a family the front door
    sent to the Early Help Panel, the panel's (`panel_decision`, made by `panels.letters`). Emailed
    through the outbox after a grace period (`send_after`), or, for a referrer without an email
    address, listed for the front door to post or phone (`to_post`). A letter replaced before it
    went (`replaced_by`) is kept, never sent; a correction of a letter that went names it
    (`corrects`)."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="letters")
    decision = models.OneToOneField(Decision, null=True, blank=True, on_delete=models.PROTECT, related_name="letter")
    panel_decision = models.OneToOneField(
        "panels.PanelDecision", null=True, blank=True, on_delete=models.PROTECT, related_name="letter"
    )
    pdf = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=LetterStatus.choices, default=LetterStatus.QUEUED)
    # The outbox message that emails it (none for a letter to post).
    notification = models.ForeignKey(
        "cases.Notification", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    send_after = models.DateTimeField(null=True, blank=True, help_text="When the grace period for amendments ends")
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+", help_text="Who posted or phoned"
    )
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_letters"
    )
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="corrections")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=LetterStatus.values), name="referrer_letter_status_valid"),
            models.CheckConstraint(
                condition=Q(decision__isnull=False, panel_decision__isnull=True)
                | Q(decision__isnull=True, panel_decision__isnull=False),
                name="letter_about_one_decision",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["posted", "phoned"]) | (Q(sent_by__isnull=False) & Q(sent_at__isnull=False)),
                name="posted_letter_says_who_and_when",
            ),
            models.CheckConstraint(
                condition=~Q(status="replaced") | Q(replaced_by__isnull=False),
                name="replaced_letter_names_its_successor",
            ),
        ]
        indexes = [
            # The front door's "letters to post or phone", oldest first, and the outbox's follow-up.
            models.Index(fields=["created_at", "id"], condition=Q(status="to_post"), name="letter_to_post_idx"),
            models.Index(fields=["notification"], condition=Q(status="queued"), name="letter_queued_idx"),
        ]

    def __str__(self) -> str:
        return f"Letter for {self.referral}"

    @property
    def from_panel(self) -> bool:
        """The Early Help Panel's outcome, rather than the front door's."""
        return self.panel_decision_id is not None

    @property
    def kind_label(self) -> str:
        return "Early Help Panel's decision" if self.from_panel else "Front door decision"


class HandoverDirection(models.TextChoices):
    STEP_UP = "step_up", "Step up to children's social care"
    STEP_DOWN = "step_down", "Step down from children's social care"


class Handover(models.Model):
    """A family handed between early help and children's social care, with the referral that carries
    it: a step up (an early help case's lead professional or team manager escalates it to the front
    door: `case` is that case) or a step down (social care hands a family to early help with a
    handover summary: `case` is the early help case it opened or joined). One per referral."""

    referral = models.OneToOneField(Referral, on_delete=models.PROTECT, related_name="handover")
    direction = models.CharField(max_length=10, choices=HandoverDirection.choices)
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="handovers")
    reason = models.TextField()
    summary = models.TextField("handover summary", blank=True)
    social_worker = models.CharField("social care worker", max_length=200, blank=True)
    social_care_team = models.CharField("social care team", max_length=200, blank=True)
    made_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    made_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-made_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(direction__in=HandoverDirection.values), name="handover_direction_valid"
            ),
            models.CheckConstraint(
                condition=Q(direction="step_up", case__isnull=False) | Q(direction="step_down"),
                name="step_up_names_its_case",
            ),
        ]
        indexes = [models.Index(fields=["case", "-made_at"], name="handover_case_idx")]

    def __str__(self) -> str:
        return f"{self.get_direction_display()}: {self.referral}"
