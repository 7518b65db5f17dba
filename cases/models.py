"""The shared record: configuration, agencies and users, families and people, cases, the team
around the family, consent, the chronology and the access log."""

from __future__ import annotations

import datetime
import uuid

import pghistory
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.functional import cached_property
from guardian.models import UserObjectPermissionBase

from .roles import PRACTITIONER_ROLES, Role
from .validators import validate_nhs_number, validate_postcode, validate_upn

# --- Configuration as data ---------------------------------------------------------------------


class ConfigQuerySet(models.QuerySet):
    def active(self):
        return self.filter(active=True)


class ConfigItem(models.Model):
    """A council-editable list entry: a stable code, a label, an order, and whether it is offered."""

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    sort_order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    objects = ConfigQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class LevelOfNeed(ConfigItem):
    """A council's threshold model: Buckinghamshire's 1-4, Slough's 2a/2b/3, or its own."""

    multi_agency = models.BooleanField(
        default=False, help_text="Needs a lead professional and a team around the family"
    )
    statutory = models.BooleanField(default=False, help_text="Meets the threshold for children's social care")

    class Meta(ConfigItem.Meta):
        verbose_name_plural = "levels of need"


class DecisionOutcome(models.TextChoices):
    """What the front door decides about a referral. Kept with the destinations (the shared record)
    because which destinations fit which outcome is configuration; the front door records them."""

    STEP_UP = "step_up", "Threshold for children's social care met"
    MORE_INFORMATION = "more_information", "More information needed (MASH)"
    EARLY_HELP = "early_help", "Early help or other support"
    NO_FURTHER_ACTION = "no_further_action", "No further action"


class Destination(ConfigItem):
    """Where the front door sends a referral that does not meet the social care threshold."""

    opens_case = models.BooleanField(default=False, help_text="Early help is given: open a case for the family")
    goes_to_panel = models.BooleanField(default=False)
    outcomes = ArrayField(
        models.CharField(max_length=20, choices=DecisionOutcome.choices),
        default=list,
        blank=True,
        help_text="The decisions this destination can be chosen for. A decision with destinations to choose "
        "from needs one of them; a destination that fits no decision is not offered.",
    )

    class Meta(ConfigItem.Meta):
        constraints = [
            models.CheckConstraint(
                condition=Q(outcomes__contained_by=DecisionOutcome.values), name="destination_outcomes_valid"
            )
        ]

    def fits(self, outcome: str) -> bool:
        return outcome in self.outcomes


class ClosureReason(ConfigItem):
    pass


class AgencyType(ConfigItem):
    pass


class TimeUnit(models.TextChoices):
    HOURS = "hours", "hours"
    WORKING_DAYS = "working_days", "working days"
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"


class Timescale(models.Model):
    """Each clock the service keeps, with its unit: 24 hours, 1 working day, 1 week, 1 month..."""

    Unit = TimeUnit

    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    amount = models.PositiveIntegerField()
    unit = models.CharField(max_length=20, choices=TimeUnit.choices)
    reminder_before_hours = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(condition=Q(unit__in=TimeUnit.values), name="timescale_unit_valid"),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount} {self.get_unit_display()}"


class BankHoliday(models.Model):
    date = models.DateField(unique=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.name} ({self.date:%d %B %Y})"


# --- Agencies, teams and users --------------------------------------------------------------------


class Locality(models.Model):
    code = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=200)
    postcode_districts = models.CharField(
        max_length=500, blank=True, help_text="Outward codes this locality covers, separated by spaces: EX1 EX2 EX4"
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "localities"

    def __str__(self) -> str:
        return self.name


class Agency(models.Model):
    name = models.CharField(max_length=200, unique=True)
    agency_type = models.ForeignKey(AgencyType, on_delete=models.PROTECT, related_name="agencies")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="agencies")
    # The CIN census source code used when this agency refers (2A schools, 3B health visitor...).
    referral_source_code = models.CharField(max_length=4, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "agencies"

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(max_length=200)
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="teams")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.SET_NULL, related_name="teams")

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["agency", "name"], name="team_name_unique_in_agency")]

    def __str__(self) -> str:
        return f"{self.name}, {self.agency}"


class User(AbstractUser):
    """A practitioner of an agency. Roles are groups named by `Role` values."""

    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="users")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members")
    job_title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)

    class Meta:
        ordering = ["first_name", "last_name"]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @cached_property
    def roles(self) -> frozenset[str]:
        """The names of the user's groups, read once per loaded user: for the signed-in user, once
        per request, with the user itself (`role_names`, see cases.backends), so a role taken away
        counts from the next request."""
        names = getattr(self, "role_names", None)
        if names is None:
            names = self.groups.values_list("name", flat=True)
        return frozenset(name for name in names if name)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_practitioner(self) -> bool:
        """Works with families (see PRACTITIONER_ROLES): not an analyst or administrator only."""
        return bool(self.roles & PRACTITIONER_ROLES)

    @property
    def makes_referrals(self) -> bool:
        """A practitioner of an agency: referrals are made on an agency's behalf."""
        return self.is_active and self.is_practitioner and self.agency_id is not None

    def role_labels(self) -> list[str]:
        return [Role(r).label for r in Role.values if r in self.roles]


# --- Families and people ---------------------------------------------------------------------------


class Gender(models.TextChoices):
    # DfE census codes
    MALE = "M", "Male"
    FEMALE = "F", "Female"
    UNKNOWN = "U", "Not known"
    NOT_STATED = "9", "Not stated"


class Ethnicity(models.TextChoices):
    # DfE main ethnicity codes
    WBRI = "WBRI", "White British"
    WIRI = "WIRI", "White Irish"
    WIRT = "WIRT", "Traveller of Irish heritage"
    WOTH = "WOTH", "Any other White background"
    WROM = "WROM", "Gypsy / Roma"
    MWBC = "MWBC", "White and Black Caribbean"
    MWBA = "MWBA", "White and Black African"
    MWAS = "MWAS", "White and Asian"
    MOTH = "MOTH", "Any other mixed background"
    AIND = "AIND", "Indian"
    APKN = "APKN", "Pakistani"
    ABAN = "ABAN", "Bangladeshi"
    AOTH = "AOTH", "Any other Asian background"
    BCRB = "BCRB", "Black Caribbean"
    BAFR = "BAFR", "Black African"
    BOTH = "BOTH", "Any other Black background"
    CHNE = "CHNE", "Chinese"
    OOTH = "OOTH", "Any other ethnic group"
    REFU = "REFU", "Refused"
    NOBT = "NOBT", "Information not yet obtained"


@pghistory.track()
class Family(models.Model):
    """A household: who lives together, where."""

    name = models.CharField(max_length=200, help_text="How the family is known, for example 'Okafor family'")
    address_line_1 = models.CharField(max_length=200, blank=True)
    address_line_2 = models.CharField(max_length=200, blank=True)
    town = models.CharField(max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True, validators=[validate_postcode], db_index=True)
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="families")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "families"

    def __str__(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        return ", ".join(p for p in [self.address_line_1, self.address_line_2, self.town, self.postcode] if p)


@pghistory.track()
class Person(models.Model):
    class Kind(models.TextChoices):
        CHILD = "child", "Child or young person"
        UNBORN = "unborn", "Unborn child"
        ADULT = "adult", "Adult"

    kind = models.CharField(max_length=10, choices=Kind.choices)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    other_names = models.CharField(max_length=300, blank=True, help_text="Previous or alternative names")
    date_of_birth = models.DateField(null=True, blank=True)
    expected_date_of_birth = models.DateField(null=True, blank=True)
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.UNKNOWN)
    ethnicity = models.CharField(max_length=4, choices=Ethnicity.choices, default=Ethnicity.NOBT)
    first_language = models.CharField(max_length=100, blank=True)
    interpreter_needed = models.BooleanField(default=False)
    disability = models.TextField(blank=True)
    send_support = models.CharField(
        max_length=20,
        blank=True,
        choices=[("", "None"), ("sen_support", "SEN support"), ("ehcp", "Education, health and care plan")],
    )
    nhs_number = models.CharField(max_length=10, blank=True, validators=[validate_nhs_number])
    upn = models.CharField("Unique Pupil Number", max_length=13, blank=True, validators=[validate_upn])
    local_id = models.CharField("local child ID", max_length=50, blank=True)
    school = models.ForeignKey(
        Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="pupils", help_text="School or setting"
    )
    # Contact details and safety flags, for people of the family network beyond the household (the
    # household's address is the family's). An address marked confidential is shown only to the lead
    # professional and managers, in pages, PDFs and the API (`cases.network`).
    phone = models.CharField(max_length=30, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True, help_text="Where they live, when not with the family")
    do_not_contact = models.BooleanField(default=False, help_text="Practitioners must not contact this person")
    address_confidential = models.BooleanField(
        default=False, help_text="Their address is shown only to the lead professional and managers"
    )
    school_name = models.CharField(
        "school or setting as named",
        max_length=200,
        blank=True,
        help_text="The school or setting as a referrer named it, kept when it is not one of the known agencies",
    )
    families = models.ManyToManyField(Family, through="FamilyMembership", related_name="people")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["last_name", "first_name"]
        verbose_name_plural = "people"
        constraints = [
            models.UniqueConstraint(
                fields=["nhs_number"], condition=~Q(nhs_number=""), name="person_nhs_number_unique"
            ),
            models.UniqueConstraint(fields=["upn"], condition=~Q(upn=""), name="person_upn_unique"),
            models.CheckConstraint(condition=Q(kind__in=["child", "unborn", "adult"]), name="person_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind="unborn") | Q(date_of_birth__isnull=True), name="unborn_has_no_date_of_birth"
            ),
        ]
        indexes = [
            models.Index(fields=["date_of_birth"], name="person_dob_idx"),
            # fastupdate off: new people go straight into the index, so a search never reads a
            # pending list of recent ones one by one (they are added a few at a time, at triage).
            GinIndex(fields=["last_name"], opclasses=["gin_trgm_ops"], name="person_last_name_trgm", fastupdate=False),
            GinIndex(
                fields=["first_name"], opclasses=["gin_trgm_ops"], name="person_first_name_trgm", fastupdate=False
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class FamilyMembership(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="memberships")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="memberships")
    in_household = models.BooleanField(default=True)
    parental_responsibility = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["family", "person"], name="family_membership_unique")]

    def __str__(self) -> str:
        return f"{self.person} in {self.family}"


class Relationship(models.Model):
    class Kind(models.TextChoices):
        PARENT = "parent", "Parent"
        STEP_PARENT = "step_parent", "Step-parent"
        CARER = "carer", "Carer"
        GUARDIAN = "guardian", "Special guardian"
        SIBLING = "sibling", "Sibling"
        HALF_SIBLING = "half_sibling", "Half-sibling"
        GRANDPARENT = "grandparent", "Grandparent"
        PARTNER = "partner", "Partner"
        FORMER_PARTNER = "former_partner", "Former partner (separated)"
        OTHER_RELATIVE = "other_relative", "Other relative"
        FAMILY_FRIEND = "family_friend", "Family friend"

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="relationships")
    related_person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices, help_text="What the related person is to this person")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "related_person", "kind"], name="relationship_unique"),
            models.CheckConstraint(condition=~Q(person=models.F("related_person")), name="relationship_not_self"),
        ]

    # --- Cases -----------------------------------------------------------------------------------------

    def __str__(self) -> str:
        return f"{self.related_person} is {self.get_kind_display().lower()} of {self.person}"


class CaseStatus(models.TextChoices):
    AWAITING_ALLOCATION = "awaiting_allocation", "Awaiting allocation"
    AWAITING_LEAD_PROFESSIONAL = "awaiting_lead_professional", "Awaiting lead professional"
    ACTIVE = "active", "Active"
    CLOSURE_REQUESTED = "closure_requested", "Closure requested"
    CLOSED = "closed", "Closed"


class PanelRoute(models.TextChoices):
    """How a case came to wait for the panel (`Case.panel_route`)."""

    FRONT_DOOR = "front_door", "Front door decision to the panel"
    STUCK = "stuck", "Returned as stuck"
    REFUSED = "refused", "Returned: the family refused to engage"
    DISENGAGED = "disengaged", "Returned: the family disengaged"
    STEPPED_DOWN = "stepped_down", "Stepped down from children's social care"


# The routes by which a led case is sent back to the panel (`services.case_return_to_panel`).
PANEL_RETURN_ROUTES = (PanelRoute.STUCK, PanelRoute.REFUSED, PanelRoute.DISENGAGED)


@pghistory.track()
class Case(models.Model):
    """One episode of help for a family, from opening to manager-signed closure."""

    class Kind(models.TextChoices):
        EARLY_HELP = "early_help", "Early help"
        SECTION_17 = "section_17", "Child in need (section 17)"

    reference = models.CharField(max_length=20, unique=True)
    family = models.ForeignKey(Family, on_delete=models.PROTECT, related_name="cases")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.EARLY_HELP)
    status = models.CharField(max_length=30, choices=CaseStatus.choices, default=CaseStatus.AWAITING_ALLOCATION)
    level_of_need = models.ForeignKey(LevelOfNeed, on_delete=models.PROTECT, related_name="cases")
    locality = models.ForeignKey(Locality, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    lead_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="led_cases")
    team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.PROTECT, related_name="cases")
    lead_professional = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="led_cases"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closure_reason = models.ForeignKey(ClosureReason, null=True, blank=True, on_delete=models.PROTECT)
    closure_summary = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    # Set while the case is on the panel's waiting list: how it came, since when, and the note sent
    # with a return. Cleared when the panel allocates it or it closes.
    panel_route = models.CharField(max_length=20, choices=PanelRoute.choices, blank=True, default="")
    panel_waiting_since = models.DateTimeField(null=True, blank=True)
    panel_note = models.TextField(blank=True, help_text="Why the case was sent back to the panel")

    class Meta:
        ordering = ["-opened_at"]
        permissions = [("manage_case", "Lead the case: team, plan and closure")]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=CaseStatus.values), name="case_status_valid"),
            models.CheckConstraint(
                condition=~Q(status="closed") | (Q(closed_at__isnull=False) & Q(closure_reason__isnull=False)),
                name="closed_case_has_date_and_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["active", "closure_requested"]) | Q(lead_professional__isnull=False),
                name="active_case_has_lead_professional",
            ),
            models.CheckConstraint(
                condition=Q(panel_route__in=[*PanelRoute.values, ""]), name="case_panel_route_valid"
            ),
            models.CheckConstraint(
                condition=(Q(panel_route="") & Q(panel_waiting_since__isnull=True))
                | (~Q(panel_route="") & Q(panel_waiting_since__isnull=False) & Q(status="awaiting_allocation")),
                name="case_panel_waiting_awaits_allocation",
            ),
        ]
        indexes = [
            # Lists newest first, whatever the filter: the planner walks this and stops at a page.
            models.Index(fields=["-opened_at", "-id"], name="case_opened_idx"),
            models.Index(fields=["status", "-opened_at"], name="case_status_opened_idx"),
            models.Index(fields=["locality", "status", "-opened_at"], name="case_locality_status_idx"),
            models.Index(fields=["team", "status", "-opened_at"], name="case_team_status_idx"),
            models.Index(fields=["lead_agency", "status"], name="case_lead_agency_status_idx"),
            # The dashboard's outcomes: the cases closed in a period. Not partial on the status: the
            # status comes as a parameter, and a prepared statement's generic plan could not use it.
            models.Index(fields=["status", "closed_at"], name="case_status_closed_at_idx"),
            models.Index(fields=["family", "-opened_at"], name="case_family_idx"),
            # The panel's waiting list per locality, oldest first.
            models.Index(
                fields=["locality", "panel_waiting_since"],
                condition=~Q(panel_route=""),
                name="case_panel_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_open(self) -> bool:
        return self.status != CaseStatus.CLOSED

    @property
    def waits_for_panel(self) -> bool:
        return bool(self.panel_route)


class CaseUserObjectPermission(UserObjectPermissionBase):
    """Direct foreign-key grants on cases (django-guardian), one indexed join per list query."""

    content_object = models.ForeignKey(Case, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        indexes = [models.Index(fields=["user", "permission", "content_object"], name="case_grant_user_idx")]


@pghistory.track()
class CaseMember(models.Model):
    """A practitioner in the Team Around the Family. Ended, never deleted."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="case_memberships")
    role = models.CharField(max_length=200, help_text="What they do for this family, for example 'School nurse'")
    is_lead = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-is_lead", "added_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "user"], condition=Q(ended_at__isnull=True), name="case_member_unique_current"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.role}) on {self.case}"


def consent_evidence_path(instance: Consent, filename: str) -> str:
    """A random name in a dated folder: the original name may carry a family's name."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return f"consent/{timezone.now():%Y/%m}/{uuid.uuid4().hex}" + (f".{extension}" if extension else "")


@pghistory.track()
class Consent(models.Model):
    """A recorded consent decision. A newer record for the same person, scope and agency supersedes
    the older one; nothing is overwritten."""

    class Scope(models.TextChoices):
        REFERRAL = "referral", "Referral to early help"
        ASSESSMENT = "assessment", "Early help assessment and support"
        SHARING = "sharing", "Sharing information with an agency"

    class Status(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"
        NOT_SOUGHT = "not_sought", "Not sought"

    class Evidence(models.TextChoices):
        WRITTEN = "written", "Signed form"
        ELECTRONIC = "electronic", "Electronic signature or email"
        VERBAL = "verbal", "Verbal, recorded by the practitioner"

    class Method(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        PHONE = "phone", "By phone"
        VIDEO = "video", "By video call"
        WRITING = "writing", "In writing (letter or email)"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="consents")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consents")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="consents")
    scope = models.CharField(max_length=20, choices=Scope.choices)
    agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices)
    evidence = models.CharField(max_length=20, choices=Evidence.choices, blank=True)
    decided_on = models.DateField()
    not_sought_reason = models.TextField(blank=True)
    # How it was recorded: the signed form uploaded (through the storage API, so production can keep
    # it in object storage), or the way it was given and who witnessed it.
    method = models.CharField(max_length=20, choices=Method.choices, blank=True)
    witness = models.CharField(max_length=200, blank=True, help_text="Who else was there when consent was given")
    evidence_file = models.FileField(upload_to=consent_evidence_path, blank=True)
    # For a child or young person deciding for themselves: why they are judged able to (their age
    # is read from their date of birth; the judgement is the practitioner's, not the age alone).
    capacity_judgement = models.TextField(blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-recorded_at"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(scope="sharing") | Q(agency__isnull=False), name="sharing_consent_names_agency"
            ),
            models.CheckConstraint(
                condition=~Q(status="not_sought") | ~Q(not_sought_reason=""), name="consent_not_sought_has_reason"
            ),
            models.CheckConstraint(condition=~Q(status="given") | ~Q(evidence=""), name="consent_given_has_evidence"),
        ]
        indexes = [models.Index(fields=["family", "scope", "agency", "-recorded_at"], name="consent_family_scope_idx")]

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.get_status_display()}"


@pghistory.track()
class ChronologyEntry(models.Model):
    """One dated line of a family's timeline: an event the system recorded or a practitioner's note."""

    class Kind(models.TextChoices):
        EVENT = "event", "Event"
        NOTE = "note", "Case note"
        CONTACT = "contact", "Contact with the family"
        MEETING = "meeting", "Meeting"

    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="chronology")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.SET_NULL, related_name="chronology")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    event = models.SlugField(max_length=60, blank=True, help_text="Machine name of a recorded event")
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(default=timezone.now)
    author = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    author_agency = models.ForeignKey(Agency, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    summary = models.CharField(max_length=300)
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name_plural = "chronology entries"
        indexes = [
            models.Index(fields=["family", "-occurred_at", "-id"], name="chronology_family_idx"),
            models.Index(fields=["case", "-occurred_at", "-id"], name="chronology_case_idx"),
        ]

    def __str__(self) -> str:
        return self.summary


class AccessLog(models.Model):
    """Append-only: who viewed, printed or exported which record, or was refused, from where.
    A database trigger refuses every update and delete."""

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        PRINT = "print", "Printed"
        EXPORT = "export", "Exported"
        DENIED = "denied", "Refused access"

    at = models.DateTimeField(default=timezone.now)
    user = models.ForeignKey(User, null=True, on_delete=models.PROTECT, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    record_type = models.CharField(max_length=30)
    record_id = models.BigIntegerField()
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    path = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at"]
        indexes = [
            models.Index(fields=["person", "-at"], name="accesslog_person_idx"),
            models.Index(fields=["case", "-at"], name="accesslog_case_idx"),
            models.Index(fields=["user", "-at"], name="accesslog_user_idx"),
        ]
        # No pgtrigger triggers: any session can switch those off (SET pgtrigger.ignore). Plain
        # triggers made by migration 0010 refuse UPDATE, DELETE and TRUNCATE, and the application's
        # database role has no UPDATE, DELETE or TRUNCATE on this table (db_grant_app_role).

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.record_type} {self.record_id}"


# --- Deadlines and notifications (shared by the front door, panels and reviews) --------------------


class Deadline(models.Model):
    """A clock that is running: created when it starts, met by the event that stops it. Its
    reminder before it is due and its escalation once it is missed wait as `DeadlineAlarm` rows."""

    timescale = models.ForeignKey(Timescale, on_delete=models.PROTECT, related_name="deadlines")
    subject_type = models.CharField(max_length=30, help_text="What the clock is about: referral, case ...")
    subject_id = models.BigIntegerField()
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.CASCADE, related_name="deadlines")
    reference = models.CharField(max_length=30, help_text="The human reference shown in reminders")
    remind_role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    remind_user = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    remind_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Remind this agency's practitioners (for example, of a MASH information request)",
    )
    escalate_role = models.CharField(max_length=30, choices=Role.choices, blank=True)
    escalate_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", help_text="Escalate to this person"
    )
    escalate_agency = models.ForeignKey(
        Agency,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Escalate to this agency's holders of the escalation role (for example, its team managers)",
    )
    started_at = models.DateTimeField()
    remind_at = models.DateTimeField()
    due_at = models.DateTimeField()
    met_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["timescale", "subject_type", "subject_id"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_one_running_per_subject",
            ),
            models.CheckConstraint(condition=Q(remind_at__lte=models.F("due_at")), name="deadline_remind_before_due"),
        ]
        indexes = [
            models.Index(fields=["subject_type", "subject_id"], name="deadline_subject_idx"),
            # The dashboard's timeliness: the clocks due in a period, and those running past their due
            # time (a bitmap of the two).
            models.Index(fields=["due_at"], condition=Q(cancelled_at__isnull=True), name="deadline_due_idx"),
            models.Index(
                fields=["due_at"],
                condition=Q(met_at__isnull=True, cancelled_at__isnull=True),
                name="deadline_running_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.timescale.name}: {self.reference}"

    @property
    def is_running(self) -> bool:
        return self.met_at is None and self.cancelled_at is None

    def _went_off(self, kind: str) -> datetime.datetime | None:
        # Reads prefetched alarms when the caller used prefetch_related("alarms").
        return next((alarm.went_off_at for alarm in self.alarms.all() if alarm.kind == kind), None)

    @property
    def reminded_at(self) -> datetime.datetime | None:
        """When the reminder went out, if it has."""
        return self._went_off(DeadlineAlarm.Kind.REMINDER)

    @property
    def escalated_at(self) -> datetime.datetime | None:
        """When the escalation went out, if it has."""
        return self._went_off(DeadlineAlarm.Kind.ESCALATION)


class DeadlineAlarm(models.Model):
    """A deadline's reminder before it is due, or its escalation once it is missed.

    Waiting alarms are a small partial index of their own, so the sweep never walks the deadlines
    table (a million running clocks at county scale). The sweep stamps `went_off_at` on the alarms
    that are due in the same transaction that queues their messages, so each is sent once (a sweep
    that dies rolls back and the alarm goes off again). Meeting or cancelling the deadline deletes
    the alarms still waiting; those that went off stay as the record of when it was reminded and
    escalated."""

    class Kind(models.TextChoices):
        REMINDER = "reminder", "Reminder before the deadline"
        ESCALATION = "escalation", "Escalation after it was missed"

    # Indexed by the unique constraint, whose first column it is.
    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="alarms", db_index=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    goes_off_at = models.DateTimeField()
    went_off_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "kind"], name="deadline_alarm_once"),
            models.CheckConstraint(condition=Q(kind__in=["reminder", "escalation"]), name="deadline_alarm_kind_valid"),
        ]
        indexes = [
            models.Index(fields=["goes_off_at"], condition=Q(went_off_at__isnull=True), name="deadline_alarm_due_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.deadline_id} at {self.goes_off_at:%Y-%m-%d %H:%M}"


class Notification(models.Model):
    """The outbox: a message to send, written in the transaction that decided to send it and sent
    later by a Celery task with retries. `dedupe_key` makes a second copy impossible.

    A sender marks a row "sending" in a transaction of its own, committed before the message is
    handed to the provider, and "sent" once the provider has taken it. A row left "sending" by a
    worker that died in between is never sent again blindly (`notifications_recover`): GOV.UK Notify
    is asked whether it received it; an email, which cannot be asked about, waits for a person
    ("could not confirm")."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        UNCONFIRMED = "unconfirmed", "Could not confirm"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        NOTIFY = "notify", "GOV.UK Notify"

    dedupe_key = models.CharField(max_length=200, unique=True)
    recipient = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    email = models.EmailField()
    subject = models.CharField(max_length=200)
    body = models.TextField()
    # A PDF to attach (a letter); Notify sends it as a file link.
    attachment_name = models.CharField(max_length=100, blank=True)
    attachment = models.BinaryField(null=True, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    send_after = models.DateTimeField(default=timezone.now)
    # When a sender marked the row "sending", and how it was sending it.
    claimed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    provider_reference = models.CharField(max_length=100, blank=True)
    # Who decided what became of a message that could not be confirmed.
    resolved_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sending", "sent", "failed", "unconfirmed"]),
                name="notification_status_valid",
            ),
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(claimed_at__isnull=False), name="notification_sending_claimed"
            ),
        ]
        indexes = [
            # Due rows in the order senders claim them.
            models.Index(fields=["send_after", "id"], condition=Q(status="pending"), name="notification_pending_idx"),
            # The rows a dead worker may have left, and those waiting for a person.
            models.Index(fields=["claimed_at"], condition=Q(status="sending"), name="notification_sending_idx"),
            models.Index(
                fields=["-created_at"], condition=Q(status="unconfirmed"), name="notification_unconfirmed_idx"
            ),
            models.Index(fields=["-created_at"], name="notification_created_idx"),
        ]

    def __str__(self) -> str:
        return self.subject


# --- The outcomes framework and identified needs (shared by the assessment and the outcomes) --------


class OutcomeFramework(models.Model):
    """A version of the outcomes framework a council works to, such as Supporting Families 2022.
    Frameworks change: a new version is a new row with its own areas, and the old one stays with the
    needs tagged under it. One version is active at a time (a partial unique constraint): the areas
    new needs are tagged with. Each area carries its descriptors of need and of the evidence of a
    good outcome (`OutcomeDescriptor`); a council copies a version in the admin to make its own."""

    name = models.CharField(max_length=200, help_text="For example 'Supporting Families'")
    version = models.CharField(max_length=50, help_text="For example '2022'")
    active = models.BooleanField(
        default=False, help_text="New needs are tagged with the areas of the active version; only one is active"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-active", "name", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["name", "version"], name="outcome_framework_version_unique"),
            models.UniqueConstraint(fields=["active"], condition=Q(active=True), name="outcome_framework_one_active"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.version}"


class OutcomeArea(models.Model):
    """One headline outcome of a framework version ('Getting a good education'), in its place."""

    # A version goes with its areas (and their descriptors) when it is deleted, which the needs
    # tagged with them prevent (they protect their area and descriptor).
    framework = models.ForeignKey(OutcomeFramework, on_delete=models.CASCADE, related_name="areas")
    code = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    position = models.PositiveSmallIntegerField(default=0, help_text="Where it comes in lists of the framework's areas")

    class Meta:
        ordering = ["framework", "position", "name"]
        constraints = [models.UniqueConstraint(fields=["framework", "code"], name="outcome_area_code_unique")]

    def __str__(self) -> str:
        return self.name


class DescriptorKind(models.TextChoices):
    NEED = "need", "Descriptor of need"
    EVIDENCE = "evidence", "Evidence of a good outcome"


class OutcomeDescriptor(models.Model):
    """What sits under a headline outcome: a descriptor of need ('Persistent absence from school'),
    which an identified need may point at, or what evidences a good outcome ('Attendance above 90%
    for three consecutive school terms'), which the closure reads. Part of its framework version."""

    Kind = DescriptorKind

    area = models.ForeignKey(OutcomeArea, on_delete=models.CASCADE, related_name="descriptors")
    kind = models.CharField(max_length=10, choices=DescriptorKind.choices, default=DescriptorKind.NEED)
    code = models.SlugField(max_length=80, help_text="Short name, unique in its area for its kind")
    text = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField(default=0, help_text="Where it comes in its area's list")

    class Meta:
        ordering = ["area", "kind", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["area", "kind", "code"], name="outcome_descriptor_code_unique"),
            models.CheckConstraint(condition=Q(kind__in=DescriptorKind.values), name="outcome_descriptor_kind_valid"),
        ]

    def __str__(self) -> str:
        return self.text


class NeedStatus(models.TextChoices):
    OPEN = "open", "Open"
    MET = "met", "Met"
    NO_LONGER_A_NEED = "no_longer_a_need", "No longer a need"


@pghistory.track()
class IdentifiedNeed(models.Model):
    """A need identified for a family, about one of its members (or, with no person, the whole
    family), tagged to an outcome area. Written by `cases.needs` only; every change of status is
    kept (pghistory) and written in the chronology.

    The assessment that identified a need is linked from the assessments app's side (its own table
    pointing here): the shared record imports no app above it, so there is no foreign key to an
    assessment on this model."""

    Status = NeedStatus

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="needs")
    person = models.ForeignKey(
        Person,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The family member the need is about; empty for the whole family",
    )
    area = models.ForeignKey(OutcomeArea, on_delete=models.PROTECT, related_name="needs")
    descriptor = models.ForeignKey(
        OutcomeDescriptor,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="needs",
        limit_choices_to={"kind": DescriptorKind.NEED},
        help_text="The area's descriptor of need it matches, if one was chosen",
    )
    description = models.TextField()
    status = models.CharField(max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)
    # The latest change of status: when, by whom and why (earlier ones are in the history).
    status_changed_at = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    status_note = models.TextField(blank=True)

    class Meta:
        ordering = ["recorded_at", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=NeedStatus.values), name="identified_need_status_valid"),
            models.CheckConstraint(
                condition=Q(status="open") | (Q(status_changed_at__isnull=False) & Q(status_changed_by__isnull=False)),
                name="identified_need_change_recorded",
            ),
        ]
        indexes = [models.Index(fields=["case", "recorded_at"], name="identified_need_case_idx")]

    def __str__(self) -> str:
        return f"{self.area}: {self.description[:60]}"
