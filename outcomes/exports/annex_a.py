"""The Ofsted inspection lists that concern early help (ILACS "Annex A"): List 1 contacts, List 2
early help and List 3 referrals, for an inspection date with its six-month look-back, as an Excel
workbook (a sheet per list) or as CSV files (one per list, in a zip).

Where the headings and codes come from. Ofsted publishes Annex A as an Excel template with its
guidance (gov.uk, "Inspecting local authority children's services", Annex A); neither the template
nor the guidance was reachable from here. The column headings, their order and the lettered code
values below are those of two public tools that read and write councils' Annex A returns, which
agree with each other: Social Finance's liia-tools (liiatools/annex_a_pipeline/spec/
Annex_A_schema.yml, the headings of Lists 1-3 as keys) and Data to Insight's Standard Safeguarding
Dataset (ssd-data-model, the Annex A extract's CASE expressions for gender, ethnicity and source).
Where they differ it is said below. The list descriptions quoted in the docstrings are the
guidance's, as both tools quote it. Check them against the template of the year before an
inspection: Ofsted revises Annex A from time to time.

How this system's records become the lists (our reading; the guidance is written for a social care
system):
- a contact is every referral received (any channel, not a draft, not a repeat submission linked to
  the first), one row per child or unborn child named in it;
- a referral (List 3) is a contact the front door has decided (its current decision, amendments
  applied); "Referral NFA?" is whether that decision is no further action;
- early help (List 2) is the early help cases whose assessment started in the six months, and the
  early help cases open at the inspection date with a lead professional (the "current early help
  interventions coordinated through the local authority"), one row per child of the family's
  household.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import IO, Any

from dateutil.relativedelta import relativedelta
from django.db.models import Count, DateTimeField, Func, IntegerField, Min, OuterRef, Prefetch, Q, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import date_format

from assessments.models import AssessmentStatus
from cases.models import Agency, Case, CaseStatus, Ethnicity, FamilyMembership, Gender, Person, User
from cases.roles import Role
from front_door.models import Channel, Decision, DecisionOutcome, ReferralPerson, ReferralStatus, ReferrerRelationship

from .kinds import ExportKind, Output, Progress, register_kind

KIND = "annex_a"
LOOK_BACK = relativedelta(months=6)
REFERRALS_COUNTED_OVER = "12 months"
XLSX = "xlsx"
CSV = "csv"
FORMATS = {XLSX: "Excel workbook (.xlsx)", CSV: "CSV files, one per list (.zip)"}
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ZIP_TYPE = "application/zip"
DATE_FORMAT = "%d/%m/%Y"  # Annex A's dates: DD/MM/YYYY
XLSX_DATE_FORMAT = "DD/MM/YYYY"

# The columns every list starts with.
CHILD_COLUMNS = ["Child Unique ID", "Gender", "Ethnicity", "Date of Birth", "Age of Child (Years)"]
LIST_1_COLUMNS = [*CHILD_COLUMNS, "Date of Contact", "Contact Source"]
LIST_2_COLUMNS = [
    *CHILD_COLUMNS,
    "Assessment start date",
    "Assessment completion date",
    "Organisation completing assessment",
]
LIST_3_COLUMNS = [
    *CHILD_COLUMNS,
    "Date of referral",
    "Referral Source",
    "Referral NFA?",
    "Number of Referrals in Last 12 Months",
    "Allocated Team",
    "Allocated Worker",
]

# The template's drop-down values: a letter, then the DfE code or words.
GENDERS = {
    Gender.MALE: "a) Male",
    Gender.FEMALE: "b) Female",
    Gender.UNKNOWN: "c) Not stated/recorded",
    Gender.NOT_STATED: "c) Not stated/recorded",
    # "d) Neither": no gender of this system's records is coded so.
}
_ETHNICITY_ORDER = [
    *("WBRI", "WIRI", "WIRT", "WOTH", "WROM", "MWBC", "MWBA", "MWAS", "MOTH", "AIND", "APKN"),
    *("ABAN", "AOTH", "BCRB", "BAFR", "BOTH", "CHNE", "OOTH", "REFU", "NOBT"),
]
# a) WBRI ... s) REFU, t) NOBT. (liia-tools letters NOBT "s)", the same letter as REFU; Data to
# Insight's extract letters it "t)", next in the sequence, which we follow.)
ETHNICITIES = {code: f"{chr(ord('a') + n)}) {code}" for n, code in enumerate(_ETHNICITY_ORDER)}
assert set(ETHNICITIES) == set(Ethnicity.values)

# The CIN census source codes, as Annex A's contact and referral source columns write them.
SOURCES = {
    "1A": "a) 1A: Individual",
    "1B": "b) 1B: Individual",
    "1C": "c) 1C: Individual",
    "1D": "d) 1D: Individual",
    "2A": "e) 2A: Schools",
    "2B": "f) 2B: Education services",
    "3A": "g) 3A: Health services",
    "3B": "h) 3B: Health services",
    "3C": "i) 3C: Health services",
    "3D": "j) 3D: Health services",
    "3E": "k) 3E: Health services",
    "3F": "l) 3F: Health services",
    "4": "m) 4: Housing",
    "5A": "n) 5A: LA services",
    "5B": "o) 5B: LA services",
    "5C": "p) 5C: LA services",
    "5D": "p1) 5D: LA services",  # added after the others, hence "p1)" (both tools)
    "6": "q) 6: Police",
    "7": "r) 7: Other legal agency",
    "8": "s) 8: Other",
    "9": "t) 9: Anonymous",
    "10": "u) 10: Unknown",
}
UNKNOWN_SOURCE = "10"
YES, NO = "a) Yes", "b) No"

# Who referred, when no agency with a source code did: the relationship the referrer gave.
_SOURCE_BY_RELATIONSHIP = {
    ReferrerRelationship.PARENT: "1A",  # family member, relative or carer
    ReferrerRelationship.RELATIVE: "1A",
    ReferrerRelationship.YOUNG_PERSON: "1C",  # self
    ReferrerRelationship.PUBLIC: "1D",  # other (including strangers)
}
# The internal channels: an early help case stepped up (LA early help), a family stepped down from
# children's social care (LA social care).
_SOURCE_BY_CHANNEL = {Channel.STEP_UP: "5D", Channel.STEP_DOWN: "5A"}


def source_code(referral) -> str:
    """The CIN census source code of a contact: its referring agency's (`Agency.referral_source_code`),
    else that of its internal channel, else, for a parent, young person, relative or member of the
    public (public form, phone, email), their relationship; one who gave no name is anonymous (9)."""
    agency = referral.referrer_agency
    if agency is not None and agency.referral_source_code.strip().upper() in SOURCES:
        return agency.referral_source_code.strip().upper()
    if referral.channel in _SOURCE_BY_CHANNEL:
        return _SOURCE_BY_CHANNEL[referral.channel]
    if referral.referrer_relationship != ReferrerRelationship.PRACTITIONER:
        if not referral.referrer_name.strip():
            return "9"
        return _SOURCE_BY_RELATIONSHIP.get(referral.referrer_relationship, UNKNOWN_SOURCE)
    return UNKNOWN_SOURCE


def source_label(code: str) -> str:
    return SOURCES.get(code, SOURCES[UNKNOWN_SOURCE])


def age_on(date_of_birth: datetime.date | None, on: datetime.date, *, unborn: bool = False) -> int | None:
    """Age in whole years at the last birthday on `on`; -1 for an unborn child (the guidance's rule);
    None when the date of birth is not known."""
    if unborn:
        return -1
    if date_of_birth is None:
        return None
    if date_of_birth > on:
        return -1
    return relativedelta(on, date_of_birth).years


def child_id(person: Person) -> str:
    """The child's unique ID: the local child ID where one is recorded (a council that records its
    social care system's ID there gets the same ID as in its other lists), else this system's id of
    the person."""
    return person.local_id.strip() or str(person.pk)


@dataclass(frozen=True)
class Window:
    """The inspection date and its six-month look-back, as a half-open range of moments in local
    time: from the start of the day six months before to the end of the inspection date."""

    inspection_date: datetime.date

    @property
    def first_day(self) -> datetime.date:
        return self.inspection_date - LOOK_BACK

    @property
    def start(self) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(self.first_day, datetime.time.min))

    @property
    def end(self) -> datetime.datetime:
        next_day = self.inspection_date + datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(next_day, datetime.time.min))


CHILD_KINDS = [Person.Kind.CHILD, Person.Kind.UNBORN]


def _child_fields(row: ReferralPerson, on: datetime.date) -> list[Any]:
    """The five columns every list starts with, from the known person the front door linked, else
    from the child as the referrer described them (no ethnicity given: "not yet obtained")."""
    if row.person is not None:
        return _person_fields(row.person, on)
    unborn = row.kind == Person.Kind.UNBORN
    return [
        # Not yet matched to a person: the referral's own record of the child, marked so it cannot be
        # taken for a person's id.
        f"R{row.pk}",
        GENDERS.get(row.gender, GENDERS[Gender.UNKNOWN]),
        ETHNICITIES["NOBT"],
        row.date_of_birth,
        age_on(row.date_of_birth, on, unborn=unborn),
    ]


def _person_fields(person: Person, on: datetime.date) -> list[Any]:
    return [
        child_id(person),
        GENDERS.get(person.gender, GENDERS[Gender.UNKNOWN]),
        ETHNICITIES.get(person.ethnicity, ETHNICITIES["NOBT"]),
        person.date_of_birth,
        age_on(person.date_of_birth, on, unborn=person.kind == Person.Kind.UNBORN),
    ]


# --- List 1: contacts ------------------------------------------------------------------------------


def contacts(window: Window):
    """List 1: "All contacts received in the six months before the date of inspection. Where a
    contact refers to multiple children, include an entry for each child in the contact." Oldest
    first."""
    return (
        ReferralPerson.objects.filter(
            kind__in=CHILD_KINDS,
            referral__received_at__gte=window.start,
            referral__received_at__lt=window.end,
            referral__duplicate_of__isnull=True,
        )
        .exclude(referral__status=ReferralStatus.DRAFT)
        .select_related("person", "referral__referrer_agency")
        .order_by("referral__received_at", "referral_id", "id")
    )


def list_1_rows(window: Window, seen: set[int] | None = None) -> Iterator[list[Any]]:
    for row in contacts(window).iterator(chunk_size=2000):
        _seen(seen, row.person_id)
        referral = row.referral
        yield [
            *_child_fields(row, window.inspection_date),
            timezone.localdate(referral.received_at),
            source_label(source_code(referral)),
        ]


# --- List 2: early help ------------------------------------------------------------------------------


def early_help_cases(window: Window):
    """List 2: "All early help assessments in the six months before the date of inspection. Also,
    current early help interventions that are being coordinated through the local authority." Each
    case's assessment: when its first version was started, and when a version was first approved
    (the completion); the organisation is the case's lead agency."""
    open_at_inspection = (
        Q(opened_at__lt=window.end)
        & (Q(closed_at__isnull=True) | Q(closed_at__gte=window.end))
        & Q(lead_professional__isnull=False)
    )
    return (
        Case.objects.filter(kind=Case.Kind.EARLY_HELP)
        .annotate(
            assessment_started_at=Min("assessments__started_at"),
            assessment_completed_at=Min(
                "assessments__decided_at", filter=Q(assessments__status=AssessmentStatus.APPROVED)
            ),
        )
        .filter(
            Q(assessment_started_at__gte=window.start, assessment_started_at__lt=window.end)
            | (open_at_inspection & ~Q(status=CaseStatus.AWAITING_ALLOCATION))
        )
        .select_related("lead_agency")
        .order_by("opened_at", "id")
    )


def _household_children():
    return FamilyMembership.objects.filter(person__kind__in=CHILD_KINDS, in_household=True)


def list_2_count(window: Window) -> int:
    return _household_children().filter(family__cases__in=early_help_cases(window).values("pk")).count()


def list_2_rows(window: Window, seen: set[int] | None = None) -> Iterator[list[Any]]:
    cases = early_help_cases(window).prefetch_related(
        Prefetch(
            "family__memberships",
            queryset=_household_children().select_related("person").order_by("person_id"),
            to_attr="household_children",
        )
    )
    for case in cases.iterator(chunk_size=500):
        started = case.assessment_started_at if _before(case.assessment_started_at, window) else None
        completed = case.assessment_completed_at if _before(case.assessment_completed_at, window) else None
        for membership in case.family.household_children:
            _seen(seen, membership.person_id)
            yield [
                *_person_fields(membership.person, window.inspection_date),
                timezone.localdate(started) if started else None,
                timezone.localdate(completed) if completed else None,
                case.lead_agency.name if case.lead_agency_id else "",
            ]


def _before(moment: datetime.datetime | None, window: Window) -> bool:
    # What happened after the inspection date is not part of the return.
    return moment is not None and moment < window.end


# --- List 3: referrals --------------------------------------------------------------------------------


def referrals(window: Window):
    """List 3: "All referrals received in the six months before the inspection. Children may appear
    multiple times on this list if they have received multiple referrals." Each row with the current
    decision's outcome and the number of referrals of the same child in the 12 months before this
    one (not counting it: "the referrals the child has received within the 12 months prior to their
    latest referral")."""
    current_outcome = (
        Decision.objects.filter(referral_id=OuterRef("referral_id"), amended_by__isnull=True)
        .order_by("-decided_at", "-id")
        .values("outcome")[:1]
    )
    twelve_months_before = Func(
        OuterRef("referral__received_at"),
        template=f"(%(expressions)s - interval '{REFERRALS_COUNTED_OVER}')",
        output_field=DateTimeField(),
    )
    earlier = (
        _referral_rows()
        .filter(
            person_id=OuterRef("person_id"),
            referral__received_at__lt=OuterRef("referral__received_at"),
            referral__received_at__gte=twelve_months_before,
        )
        .order_by()
        .values("person_id")
        .annotate(n=Count("referral_id", distinct=True))
        .values("n")
    )
    return (
        _referral_rows()
        .filter(referral__received_at__gte=window.start, referral__received_at__lt=window.end)
        .annotate(
            current_outcome=Subquery(current_outcome),
            earlier_referrals=Coalesce(Subquery(earlier, output_field=IntegerField()), Value(0)),
        )
        .select_related(
            "person",
            "referral__referrer_agency",
            "referral__case__team",
            "referral__case__lead_professional",
        )
        .order_by("referral__received_at", "referral_id", "id")
    )


def _referral_rows():
    return ReferralPerson.objects.filter(
        kind__in=CHILD_KINDS, referral__status=ReferralStatus.DECIDED, referral__duplicate_of__isnull=True
    )


def list_3_rows(window: Window, seen: set[int] | None = None) -> Iterator[list[Any]]:
    for row in referrals(window).iterator(chunk_size=2000):
        _seen(seen, row.person_id)
        referral = row.referral
        case = referral.case
        yield [
            *_child_fields(row, window.inspection_date),
            timezone.localdate(referral.received_at),
            source_label(source_code(referral)),
            YES if row.current_outcome == DecisionOutcome.NO_FURTHER_ACTION else NO,
            row.earlier_referrals if row.person_id else 0,
            case.team.name if case is not None and case.team_id else "",
            case.lead_professional.get_full_name() if case is not None and case.lead_professional_id else "",
        ]


# --- The files -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    title: str  # the template's sheet names
    filename: str
    columns: list[str]


LISTS = [
    Sheet("List 1", "annex-a-list-1-contacts.csv", LIST_1_COLUMNS),
    Sheet("List 2", "annex-a-list-2-early-help.csv", LIST_2_COLUMNS),
    Sheet("List 3", "annex-a-list-3-referrals.csv", LIST_3_COLUMNS),
]


def _seen(seen: set[int] | None, person_id: int | None) -> None:
    if seen is not None and person_id is not None:
        seen.add(person_id)


def _rows(window: Window, seen: set[int] | None = None) -> list[Iterator[list[Any]]]:
    return [list_1_rows(window, seen), list_2_rows(window, seen), list_3_rows(window, seen)]


def _csv_value(value: Any) -> Any:
    if isinstance(value, datetime.date):
        return value.strftime(DATE_FORMAT)
    return "" if value is None else value


def write_xlsx(window: Window, out: IO[bytes], progress: Progress) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    # Write-only: rows go to the file as they come, so a county's lists never sit in memory.
    workbook = Workbook(write_only=True)
    for sheet, rows in zip(LISTS, _rows(window, progress.subjects), strict=True):
        worksheet = workbook.create_sheet(sheet.title)
        worksheet.append(sheet.columns)
        for row in rows:
            cells = []
            for value in row:
                cell = WriteOnlyCell(worksheet, value=value)
                if isinstance(value, datetime.date):
                    cell.number_format = XLSX_DATE_FORMAT
                cells.append(cell)
            worksheet.append(cells)
            progress.add()
    workbook.save(out)


def write_csv_zip(window: Window, out: IO[bytes], progress: Progress) -> None:
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for sheet, rows in zip(LISTS, _rows(window, progress.subjects), strict=True):
            with archive.open(sheet.filename, "w") as member:
                # UTF-8 with its mark, so Excel opens it with the right characters.
                text = io.TextIOWrapper(member, encoding="utf-8-sig", newline="")
                writer = csv.writer(text)
                writer.writerow(sheet.columns)
                for row in rows:
                    writer.writerow([_csv_value(value) for value in row])
                    progress.add()
                text.flush()
                text.detach()


def rows_total(window: Window) -> int:
    return (
        contacts(window).count()
        + list_2_count(window)
        + _referral_rows().filter(referral__received_at__gte=window.start, referral__received_at__lt=window.end).count()
    )


def make(*, export, progress: Progress, out: IO[bytes]) -> Output:
    window = Window(datetime.date.fromisoformat(export.parameters["inspection_date"]))
    file_format = export.parameters.get("format", XLSX)
    progress.total(rows_total(window))
    stem = f"annex-a-{window.inspection_date:%Y-%m-%d}"
    if file_format == CSV:
        write_csv_zip(window, out, progress)
        return Output(f"{stem}-csv.zip", ZIP_TYPE)
    write_xlsx(window, out, progress)
    return Output(f"{stem}.xlsx", XLSX_TYPE)


def describe(parameters: dict[str, Any]) -> str:
    try:
        on = datetime.date.fromisoformat(parameters["inspection_date"])
    except (KeyError, TypeError, ValueError):
        return ""
    return f"Inspection date {date_format(on, 'j F Y')}, {FORMATS.get(parameters.get('format', XLSX), '')}"


# The agency type of the council's own early help service (cases.configuration.AGENCY_TYPES).
COUNCIL_EARLY_HELP = "council-early-help"


def may_make_county_returns(user: User) -> bool:
    """Annex A is a council-wide return, child by child: performance analysts make it (council returns
    are their work), and the team managers of the council's own early help service (an agency of the
    `council-early-help` type), who answer for the front door and early help at an inspection. Not a
    partner agency's team manager (a school's, a health visiting service's): the return names every
    child in the county. Not administrators: they configure the system and read no case record. One
    query for a team manager who is not an analyst, none otherwise."""
    if user.has_role(Role.ANALYST):
        return True
    return (
        user.has_role(Role.TEAM_MANAGER)
        and user.agency_id is not None
        and Agency.objects.filter(pk=user.agency_id, agency_type__code=COUNCIL_EARLY_HELP).exists()
    )


ANNEX_A = ExportKind(
    key=KIND,
    label="Ofsted inspection lists (Annex A)",
    roles=frozenset({Role.ANALYST, Role.TEAM_MANAGER}),
    make=make,
    describe=describe,
    record_type="inspection_lists",  # "Exported the inspection lists", in each child's access log
    allows=may_make_county_returns,
)
register_kind(ANNEX_A)
