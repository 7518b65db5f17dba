"""The dashboard's figures: counts, shares and times over a period, for the county or for one
agency, never a person's name. Each table is one or two aggregate queries (grouped in the
database, a few hundred rows at most come back), so a page runs the same number of queries however
large the county.

The dashboard is in four sections (SECTIONS: timeliness, contacts and referrals, cases, outcomes),
a page each, and each page counts only its own section's tables: `Section.tables` runs
`Section.queries` queries. `dashboard_tables` counts every section's (for the PDF and the API) in
QUERIES queries.

Who sees what (`Scope`): an analyst sees the county; a team manager sees their own agency's part of
it: the cases their agency leads (and the clocks, needs, readings, panel decisions and handovers of
those cases), and the contacts and referrals their agency made (and the front door's clocks on
them). Filters narrow either to one locality (the case's, or the referral's)."""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    Aggregate,
    CharField,
    Count,
    DurationField,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from assessments.models import Assessment, AssessmentStatus, OutcomeTool, Reading, Score, ToolArea
from cases.models import (
    Agency,
    Case,
    CaseStatus,
    Deadline,
    Destination,
    IdentifiedNeed,
    LevelOfNeed,
    Locality,
    NeedStatus,
    OutcomeArea,
    OutcomeFramework,
    PanelRoute,
    Timescale,
    TimeUnit,
)
from front_door.models import Channel, Decision, DecisionOutcome, Handover, HandoverDirection, Referral, ReferralStatus
from outcomes.models import Achieved, Closure, ClosureStatus, FeedbackAnswer, NeedOutcome
from panels.models import PanelDecision, PanelOutcome
from panels.selectors import OFFER_CLOCK, over_target

from .tables import LABEL, MEASURE, NOT_RECORDED, SHARE, Column, Measure, Share, Table

# The queries `dashboard_tables` runs, whatever the data (tests hold it).
QUERIES = 10

# CIN census referral source codes (Children in need census guide): what an agency's
# `referral_source_code` means. Public and phone contacts with no agency are counted as their channel.
SOURCE_CODES = {
    "1A": "1A Individual: family member, relative or carer",
    "1B": "1B Individual: acquaintance",
    "1C": "1C Individual: self",
    "1D": "1D Individual: other",
    "2A": "2A Schools",
    "2B": "2B Education services",
    "3A": "3A Health services: GP",
    "3B": "3B Health services: health visitor",
    "3C": "3C Health services: school nurse",
    "3D": "3D Health services: other primary health services",
    "3E": "3E Health services: A&E",
    "3F": "3F Health services: other",
    "4": "4 Housing",
    "5A": "5A Local authority: social care",
    "5B": "5B Local authority: other internal",
    "5C": "5C Local authority: external",
    "5D": "5D Local authority: early help",
    "6": "6 Police",
    "7": "7 Other legal agency",
    "8": "8 Other",
    "9": "9 Anonymous",
    "10": "10 Unknown",
}
CHANNEL_SOURCES = (Channel.PUBLIC, Channel.PHONE)

CASELOAD_BANDS = [(1, 5), (6, 10), (11, 15), (16, None)]
TIMELINESS, VOLUMES, CASES, OUTCOMES = "Timeliness", "Contacts and referrals", "Cases", "Outcomes"


@dataclass(frozen=True)
class Scope:
    """What the figures cover: the period [since, until), one locality or all, the county or one
    agency (`agency_id`, for a team manager)."""

    since: datetime.datetime
    until: datetime.datetime
    locality_id: int | None = None
    agency_id: int | None = None

    def cases(self) -> QuerySet[Case]:
        cases = Case.objects.all()
        if self.agency_id is not None:
            cases = cases.filter(lead_agency_id=self.agency_id)
        if self.locality_id is not None:
            cases = cases.filter(locality_id=self.locality_id)
        return cases

    def referrals(self) -> QuerySet[Referral]:
        referrals = Referral.objects.exclude(status=ReferralStatus.DRAFT)
        if self.agency_id is not None:
            referrals = referrals.filter(referrer_agency_id=self.agency_id)
        if self.locality_id is not None:
            referrals = referrals.filter(locality_id=self.locality_id)
        return referrals

    @property
    def narrowed(self) -> bool:
        return self.agency_id is not None or self.locality_id is not None

    def case_filter(self, prefix: str) -> Q:
        """Only the scope's cases, through the relation `prefix` ("" for a case itself)."""
        q = Q()
        if self.agency_id is not None:
            q &= Q(**{f"{prefix}lead_agency_id": self.agency_id})
        if self.locality_id is not None:
            q &= Q(**{f"{prefix}locality_id": self.locality_id})
        return q


def default_period(today: datetime.date | None = None) -> tuple[datetime.date, datetime.date]:
    """The last 12 months: from the first of the month eleven months back, to today."""
    today = today or timezone.localdate()
    return today.replace(day=1) - relativedelta(months=11), today


def period_bounds(first: datetime.date, last: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """[start of `first`, start of the day after `last`) in the service's time zone."""
    zone = timezone.get_current_timezone()
    since = datetime.datetime.combine(first, datetime.time.min, tzinfo=zone)
    until = datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)
    return since, until


def months_of(scope: Scope) -> list[datetime.date]:
    first = timezone.localtime(scope.since).date().replace(day=1)
    last = timezone.localtime(scope.until - datetime.timedelta(microseconds=1)).date()
    months = []
    while first <= last:
        months.append(first)
        first += relativedelta(months=1)
    return months


def month_label(month: datetime.date) -> str:
    return f"{month:%B %Y}"


def _month(value) -> datetime.date | None:
    if value is None:
        return None
    return timezone.localtime(value).date().replace(day=1) if isinstance(value, datetime.datetime) else value


class Percentiles(Aggregate):
    """PostgreSQL's percentile_cont for several fractions at once (one sort): for each, the value
    below which that fraction of the ordered values fall."""

    function = "PERCENTILE_CONT"
    template = "%(function)s(ARRAY[%(fractions)s]) WITHIN GROUP (ORDER BY %(expressions)s)"

    def __init__(self, expression, fractions: tuple[float, ...], **extra):
        super().__init__(expression, fractions=", ".join(str(float(f)) for f in fractions), **extra)


# --- Timeliness -----------------------------------------------------------------------------------


def _clock_subjects(scope: Scope) -> Q:
    """The clocks about the scope's cases and referrals (and the partner requests about them)."""
    if not scope.narrowed:
        return Q()
    from front_door.models import InformationRequest

    cases, referrals = scope.cases().values("id"), scope.referrals().values("id")
    requests = InformationRequest.objects.filter(Q(case_id__in=cases) | Q(referral_id__in=referrals)).values("id")
    return (
        Q(case_id__in=cases)
        | Q(subject_type="case", subject_id__in=cases)
        | Q(subject_type="referral", subject_id__in=referrals)
        | Q(subject_type="information_request", subject_id__in=requests)
    )


def _in_units(taken: datetime.timedelta | None, unit: datetime.timedelta, n: int) -> Measure:
    return Measure(taken / unit if taken is not None else None, n)


def _amount(timescale: Timescale) -> str:
    """ "24 hours", "1 month", "5 working days"."""
    unit = timescale.get_unit_display()
    return f"{timescale.amount} {unit.removesuffix('s') if timescale.amount == 1 else unit}"


def timeliness(scope: Scope, now: datetime.datetime) -> Table:
    """Every clock kind: of the clocks due in the period (cancelled ones left out), how many were met
    by their due time, and the median and 90th percentile time from start to met; and how many are
    overdue now (running past their due time, whenever they started). One query."""
    taken = F("met_at") - F("started_at")
    met = Q(met_at__isnull=False)
    in_period = Q(due_at__gte=scope.since, due_at__lt=scope.until)
    overdue = Q(met_at__isnull=True, due_at__lt=now)
    counted = (
        Deadline.objects.filter(_clock_subjects(scope), Q(cancelled_at__isnull=True), in_period | overdue)
        # Grouped by the clock kind's id alone (its name comes with the kinds below): the rows sorted
        # for the percentiles stay narrow.
        .values("timescale_id")
        .annotate(
            name=Value(None, output_field=CharField()),
            unit=Value(None, output_field=CharField()),
            amount=Value(None, output_field=IntegerField()),
            due=Count("id", filter=in_period),
            on_time=Count("id", filter=in_period & met & Q(met_at__lte=F("due_at"))),
            met=Count("id", filter=in_period & met),
            percentiles=Percentiles(
                taken, (0.5, 0.9), filter=in_period & met, output_field=ArrayField(DurationField())
            ),
            overdue=Count("id", filter=overdue),
        )
        .order_by()
    )
    # Every clock kind, counted or not, in the same query: the kinds (with nothing counted) after the
    # counts, told apart by `due` being NULL.
    kinds = Timescale.objects.values("id", "name", "unit", "amount").annotate(
        due=Value(None, output_field=IntegerField()),
        on_time=Value(None, output_field=IntegerField()),
        met=Value(None, output_field=IntegerField()),
        percentiles=Value(None, output_field=ArrayField(DurationField())),
        overdue=Value(None, output_field=IntegerField()),
    )
    rows = list(counted.union(kinds, all=True))
    by_timescale = {row["timescale_id"]: row for row in rows if row["due"] is not None}
    timescales = sorted(
        (
            Timescale(pk=row["timescale_id"], name=row["name"], unit=row["unit"], amount=row["amount"])
            for row in rows
            if row["due"] is None
        ),
        key=lambda timescale: timescale.name,
    )
    table = Table(
        key="timeliness",
        title="Timeliness of each clock",
        section=TIMELINESS,
        columns=[
            Column("Clock", LABEL),
            Column("Due in the period"),
            Column("Met on time"),
            Column("Met on time (%)", SHARE),
            Column("Median time taken", MEASURE),
            Column("90th percentile time taken", MEASURE),
            Column("Overdue now"),
        ],
        chart=None,
        note=(
            "Clocks due in the period, cancelled ones left out; time taken from the clock's start to the event "
            "that stopped it, in hours for clocks counted in hours and in days for the others; overdue now: "
            "running past their due time today, whenever they were due."
        ),
    )
    for timescale in timescales:
        row = by_timescale.get(timescale.pk, {})
        hours = timescale.unit == TimeUnit.HOURS
        per = datetime.timedelta(hours=1) if hours else datetime.timedelta(days=1)
        unit = "hours" if hours else "days"
        median, p90 = row.get("percentiles") or (None, None)

        table.rows.append(
            [
                f"{timescale.name} ({_amount(timescale)}; time taken in {unit})",
                row.get("due", 0),
                row.get("on_time", 0),
                Share(row.get("on_time", 0), row.get("due", 0)),
                _in_units(median, per, row.get("met", 0)),
                _in_units(p90, per, row.get("met", 0)),
                row.get("overdue", 0),
            ]
        )
    return table


# --- Contacts and referrals -------------------------------------------------------------------------


CONTACTS_SQL = """
WITH contacts AS (
    SELECT r.id,
           date_trunc('month', r.received_at AT TIME ZONE %s)::date AS month,
           CASE WHEN a.referral_source_code > '' THEN a.referral_source_code
                WHEN r.channel IN ({channel_sources}) THEN r.channel
                ELSE '10' END AS source,
           r.channel, r.locality_id, r.re_referral_of_id IS NOT NULL AS re_referral
    FROM {referral} r
    LEFT JOIN {agency} a ON a.id = r.referrer_agency_id
    WHERE r.status <> %s AND r.duplicate_of_id IS NULL AND r.received_at >= %s AND r.received_at < %s {where}
), current_decision AS (
    SELECT DISTINCT ON (d.referral_id) d.referral_id, d.outcome, d.level_of_need_id, d.destination_id
    FROM {decision} d
    JOIN contacts ON contacts.id = d.referral_id
    WHERE d.decided_at >= %s AND NOT EXISTS (SELECT 1 FROM {decision} later WHERE later.amends_id = d.id)
    ORDER BY d.referral_id, d.decided_at DESC, d.id DESC
)
SELECT CASE WHEN GROUPING(contacts.month) = 0 THEN 'month'
            WHEN GROUPING(contacts.source) = 0 THEN 'source'
            WHEN GROUPING(contacts.channel) = 0 THEN 'channel'
            WHEN GROUPING(l.name) = 0 THEN 'locality'
            WHEN GROUPING(lv.name) = 0 THEN 'level'
            ELSE 'destination' END,
       contacts.month, contacts.source, contacts.channel, l.name, cd.outcome, lv.name, ds.name,
       count(*), count(*) FILTER (WHERE contacts.re_referral)
FROM contacts
LEFT JOIN current_decision cd ON cd.referral_id = contacts.id
LEFT JOIN {locality} l ON l.id = contacts.locality_id
LEFT JOIN {level} lv ON lv.id = cd.level_of_need_id
LEFT JOIN {destination} ds ON ds.id = cd.destination_id
GROUP BY GROUPING SETS (
    (contacts.month, cd.outcome), (contacts.source, cd.outcome), (contacts.channel, cd.outcome),
    (l.name, cd.outcome), (lv.name, cd.outcome), (ds.name, cd.outcome)
)
"""


def _contact_groups(scope: Scope) -> list[dict]:
    """The period's contacts (repeat submissions left out) counted by the front door's current
    decision (the latest not amended by a later one) and each of: month, CIN census source, channel,
    locality, the decision's level and its destination (`dimension` says which; grouping sets, so a
    few hundred rows come back however many contacts). One query. In SQL rather than the ORM because each
    referral's current decision is found for the whole set at once (DISTINCT ON), where a subquery
    per referral would look it up once for every row."""
    where, params = [], []
    if scope.agency_id is not None:
        where.append("AND r.referrer_agency_id = %s")
        params.append(scope.agency_id)
    if scope.locality_id is not None:
        where.append("AND r.locality_id = %s")
        params.append(scope.locality_id)
    sql = CONTACTS_SQL.format(
        referral=Referral._meta.db_table,
        agency=Agency._meta.db_table,
        decision=Decision._meta.db_table,
        locality=Locality._meta.db_table,
        level=LevelOfNeed._meta.db_table,
        destination=Destination._meta.db_table,
        channel_sources=", ".join(f"'{channel.value}'" for channel in CHANNEL_SOURCES),
        where=" ".join(where),
    )
    zone = timezone.get_current_timezone_name()
    with connection.cursor() as cursor:
        # A decision comes after its referral was received: none before the period is read.
        cursor.execute(sql, [zone, ReferralStatus.DRAFT, scope.since, scope.until, *params, scope.since])
        names = (
            *("dimension", "month", "source", "channel", "locality", "outcome", "level", "destination"),
            *("n", "re_referrals"),
        )
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def source_label(code: str) -> str:
    if code in CHANNEL_SOURCES:
        return f"{Channel(code).label} (no agency)"
    return SOURCE_CODES.get(code, code)


def volumes(scope: Scope) -> list[Table]:
    """Contacts (every referral received, whatever the channel, repeat submissions left out) by month,
    source, level of need, channel, decision, destination and locality, and how many the front door
    sent to early help. One query: counted in groups in the database, the tables made from the groups."""
    by_dimension = defaultdict(list)
    for row in _contact_groups(scope):
        by_dimension[row["dimension"]].append(row)
    rows = by_dimension["month"]
    early_help = DecisionOutcome.EARLY_HELP

    def outcome(row) -> str | None:
        return row["outcome"]

    def grouped(dimension: str, key) -> tuple[Counter, Counter]:
        contacts, helped = Counter(), Counter()
        for row in by_dimension[dimension]:
            contacts[key(row)] += row["n"]
            if outcome(row) == early_help:
                helped[key(row)] += row["n"]
        return contacts, helped

    months = months_of(scope)
    contacts, helped = grouped("month", lambda row: _month(row["month"]))
    stepped_up = Counter()
    re_referred = Counter()
    for row in rows:
        if outcome(row) == DecisionOutcome.STEP_UP:
            stepped_up[_month(row["month"])] += row["n"]
        re_referred[_month(row["month"])] += row["re_referrals"]
    monthly = Table(
        key="contacts-by-month",
        title="Contacts by month",
        section=VOLUMES,
        columns=[
            Column("Month", LABEL),
            Column("Contacts"),
            Column("Sent to early help"),
            Column("Conversion to early help (%)", SHARE),
            Column("Threshold for social care met"),
            Column("Re-referrals within 12 months"),
        ],
        note=(
            "A contact is every referral the front door received, by any channel (repeat submissions of the same "
            "referral left out); sent to early help: the front door's current decision is early help or other "
            "support."
        ),
    )
    for month in months:
        monthly.rows.append(
            [
                month_label(month),
                contacts[month],
                helped[month],
                Share(helped[month], contacts[month]),
                stepped_up[month],
                re_referred[month],
            ]
        )

    def breakdown(
        key: str, title: str, heading: str, dimension: str, label, note: str = "", rate: bool = True
    ) -> Table:
        counts, helped_by = grouped(dimension, label)
        columns = [Column(heading, LABEL), Column("Contacts")]
        if rate:
            columns += [Column("Sent to early help"), Column("Conversion to early help (%)", SHARE)]
        table = Table(key=key, title=title, section=VOLUMES, columns=columns, note=note)
        for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
            row = [name, n]
            if rate:
                row += [helped_by[name], Share(helped_by[name], n)]
            table.rows.append(row)
        return table

    def decided(field: str):
        return lambda row: row[field] or "Not decided yet"

    outcome_labels = dict(DecisionOutcome.choices)
    headline = re_referrals_table(
        total=sum(row["n"] for row in rows), re_referrals=sum(row["re_referrals"] for row in rows)
    )
    return [
        monthly,
        breakdown(
            "contacts-by-source",
            "Contacts by source",
            "Source (CIN census code)",
            "source",
            lambda row: source_label(row["source"]),
            note="The referring agency's CIN census source code; public and phone contacts with no agency by channel.",
        ),
        breakdown(
            "contacts-by-channel",
            "Contacts by channel",
            "Channel",
            "channel",
            lambda row: Channel(row["channel"]).label,
        ),
        breakdown(
            "contacts-by-level",
            "Contacts by level of need decided",
            "Level of need",
            "level",
            decided("level"),
            note="The level of need of the front door's current decision.",
        ),
        breakdown(
            "contacts-by-decision",
            "Contacts by decision",
            "Decision",
            "month",
            lambda row: outcome_labels.get(outcome(row), "Not decided yet"),
            rate=False,
        ),
        breakdown(
            "contacts-by-destination",
            "Contacts by destination",
            "Destination",
            "destination",
            lambda row: row["destination"] or "No destination",
            rate=False,
        ),
        breakdown(
            "contacts-by-locality",
            "Contacts by locality",
            "Locality",
            "locality",
            lambda row: row["locality"] or NOT_RECORDED,
        ),
        headline,
    ]


def re_referrals_table(*, total: int, re_referrals: int) -> Table:
    """The re-referrals headline (shown in Outcomes): of the period's contacts, how many were
    re-referrals within 12 months of a case's closure."""
    return Table(
        key="re-referrals",
        title="Re-referrals within 12 months of a closed case",
        section=OUTCOMES,
        columns=[Column("Contacts", LABEL), Column("Number"), Column("Share of contacts (%)", SHARE)],
        rows=[
            ["Contacts received in the period", total, None],
            ["Of which re-referrals within 12 months of a case's closure", re_referrals, Share(re_referrals, total)],
        ],
        chart=None,
        note="A re-referral: a contact about a family whose case closed in the 12 months before it was received.",
    )


def re_referrals(scope: Scope) -> Table:
    """The re-referrals headline on its own, for the Outcomes page, which does not count the contacts
    by month, source and decision (CONTACTS_SQL) to get two numbers. The same contacts as
    `_contact_groups`: the period's referrals by when they were received, drafts and repeat
    submissions left out, narrowed as the scope narrows them (the referrer's agency, the referral's
    locality). One query."""
    counted = (
        scope.referrals()
        .filter(duplicate_of__isnull=True, received_at__gte=scope.since, received_at__lt=scope.until)
        .aggregate(total=Count("id"), re_referrals=Count("id", filter=Q(re_referral_of__isnull=False)))
    )
    return re_referrals_table(total=counted["total"], re_referrals=counted["re_referrals"])


# --- Cases ------------------------------------------------------------------------------------------------


def open_cases(scope: Scope) -> list[Table]:
    """Open cases now (every case not closed) by lead agency, agency type and locality; caseloads of
    lead professionals as a distribution (how many hold 1-5 cases, 6-10 ...); which agencies' staff
    lead families and complete assessments. Two queries."""
    rows = list(
        scope.cases()
        .exclude(status=CaseStatus.CLOSED)
        .values(
            "lead_agency__name",
            "lead_agency__agency_type__name",
            "locality__name",
            "lead_professional_id",
            "lead_professional__agency__name",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    assessments = (
        Assessment.objects.filter(
            case__in=scope.cases().values("id"),
            status=AssessmentStatus.APPROVED,
            decided_at__gte=scope.since,
            decided_at__lt=scope.until,
        )
        .values("submitted_by__agency__name")
        .annotate(n=Count("id"))
        .order_by()
    )

    def counted(key, title: str, heading: str, table_key: str, missing: str = "No lead agency yet") -> Table:
        counts = Counter()
        for row in rows:
            counts[row[key] or missing] += row["n"]
        table = Table(
            key=table_key,
            title=title,
            section=CASES,
            columns=[Column(heading, LABEL), Column("Open cases")],
            note="Cases open today (not closed), whenever they opened.",
        )
        table.rows = [[name, n] for name, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
        return table

    caseloads = Counter()
    for row in rows:
        if row["lead_professional_id"] is not None:
            caseloads[row["lead_professional_id"]] += row["n"]
    bands = Table(
        key="caseloads",
        title="Caseloads of lead professionals",
        section=CASES,
        columns=[Column("Open cases held", LABEL), Column("Lead professionals")],
        note="How many lead professionals hold each number of open cases (counts only).",
    )
    for low, high in CASELOAD_BANDS:
        label = f"{low} or more" if high is None else f"{low} to {high}"
        bands.rows.append([label, sum(1 for n in caseloads.values() if n >= low and (high is None or n <= high))])

    leading = defaultdict(set)
    led = Counter()
    for row in rows:
        if row["lead_professional_id"] is not None:
            agency = row["lead_professional__agency__name"] or NOT_RECORDED
            leading[agency].add(row["lead_professional_id"])
            led[agency] += row["n"]
    completed = {row["submitted_by__agency__name"] or NOT_RECORDED: row["n"] for row in assessments}
    agencies = Table(
        key="lead-professional-agencies",
        title="Agencies taking the lead professional role and completing assessments",
        section=CASES,
        columns=[
            Column("Agency", LABEL),
            Column("Lead professionals"),
            Column("Open cases led"),
            Column("Assessments completed in the period"),
        ],
        chart=2,
        note=(
            "By the lead professional's agency; assessments completed: approved in the period, by the agency of the "
            "practitioner who submitted them."
        ),
    )
    for name in sorted(set(leading) | set(completed), key=lambda name: (-led[name], name)):
        agencies.rows.append([name, len(leading[name]), led[name], completed.get(name, 0)])
    return [
        counted("lead_agency__name", "Open cases by lead agency", "Lead agency", "open-by-lead-agency"),
        counted(
            "lead_agency__agency_type__name",
            "Open cases by type of lead agency",
            "Type of agency",
            "open-by-agency-type",
        ),
        counted("locality__name", "Open cases by locality", "Locality", "open-by-locality", missing=NOT_RECORDED),
        bands,
        agencies,
    ]


def steps(scope: Scope) -> Table:
    """Step ups to children's social care and step downs from it, by month. One query."""
    handovers = Handover.objects.filter(made_at__gte=scope.since, made_at__lt=scope.until)
    if scope.agency_id is not None:
        handovers = handovers.filter(case__lead_agency_id=scope.agency_id)
    if scope.locality_id is not None:
        handovers = handovers.filter(referral__locality_id=scope.locality_id)
    counts = {
        (_month(row["month"]), row["direction"]): row["n"]
        for row in handovers.annotate(month=TruncMonth("made_at"))
        .values("month", "direction")
        .annotate(n=Count("id"))
        .order_by()
    }
    table = Table(
        key="steps",
        title="Step ups and step downs by month",
        section=CASES,
        columns=[Column("Month", LABEL), Column("Step ups to social care"), Column("Step downs to early help")],
    )
    for month in months_of(scope):
        table.rows.append(
            [
                month_label(month),
                counts.get((month, HandoverDirection.STEP_UP), 0),
                counts.get((month, HandoverDirection.STEP_DOWN), 0),
            ]
        )
    return table


def panel(scope: Scope, now: datetime.datetime) -> list[Table]:
    """The Early Help Panel: cases waiting now and how many of them are over the 10-day measure
    (front door to an offer), and the panel's decisions in the period by outcome. Two queries."""
    offer_started = Subquery(
        Deadline.objects.filter(subject_type="case", subject_id=OuterRef("pk"), timescale__code=OFFER_CLOCK)
        .order_by("-started_at")
        .values("started_at")[:1]
    )
    waiting = (
        scope.cases()
        .filter(status=CaseStatus.AWAITING_ALLOCATION)
        .exclude(panel_route="")
        .annotate(received_at=Coalesce(offer_started, F("opened_at")))
        .aggregate(
            waiting=Count("id"),
            from_front_door=Count("id", filter=Q(panel_route=PanelRoute.FRONT_DOOR)),
            over=Count("id", filter=over_target(now)),
        )
    )
    waits = Table(
        key="panel-waits",
        title="Waiting for the Early Help Panel now",
        section=CASES,
        columns=[Column("Cases", LABEL), Column("Number"), Column("Share (%)", SHARE)],
        rows=[
            ["Waiting for the panel", waiting["waiting"], None],
            ["Sent by the front door", waiting["from_front_door"], None],
            [
                "Sent by the front door, over 10 days since it was received",
                waiting["over"],
                Share(waiting["over"], waiting["from_front_door"]),
            ],
        ],
        chart=None,
        note="Today, whatever the period. The 10-day measure: front door to an offer of support.",
    )
    labels = dict(PanelOutcome.choices)
    decisions = (
        PanelDecision.objects.filter(
            scope.case_filter("item__case__"),
            amended_by__isnull=True,
            decided_at__gte=scope.since,
            decided_at__lt=scope.until,
        )
        .values("outcome")
        .annotate(n=Count("id"))
        .order_by()
    )
    counts = {row["outcome"]: row["n"] for row in decisions}
    decided = Table(
        key="panel-decisions",
        title="Early Help Panel decisions",
        section=CASES,
        columns=[Column("Decision", LABEL), Column("Decisions")],
        rows=[[labels[value], counts.get(value, 0)] for value in PanelOutcome.values],
        note="Decisions made in the period (an amended decision counted once, as amended).",
    )
    return [waits, decided]


# --- Outcomes -------------------------------------------------------------------------------------------


def _closed_in_period(scope: Scope) -> QuerySet[Case]:
    return scope.cases().filter(status=CaseStatus.CLOSED, closed_at__gte=scope.since, closed_at__lt=scope.until)


NEEDS_SQL = """
SELECT f.name, f.version, a.position, a.name, count(*),
       count(*) FILTER (WHERE s.achieved = %s OR (s.need_id IS NULL AND n.status = %s)),
       count(*) FILTER (WHERE s.achieved = %s),
       count(*) FILTER (WHERE s.sustained)
FROM {need} n
JOIN {case} c ON c.id = n.case_id
JOIN {area} a ON a.id = n.area_id
JOIN {framework} f ON f.id = a.framework_id
LEFT JOIN (
    SELECT o.need_id, o.achieved, o.sustained
    FROM {outcome} o JOIN {closure} x ON x.id = o.closure_id
    WHERE x.status = %s
) s ON s.need_id = n.id
WHERE c.status = %s AND c.closed_at >= %s AND c.closed_at < %s {where}
GROUP BY f.name, f.version, a.position, a.name
ORDER BY f.name, f.version, a.position, a.name
"""


def _case_where(scope: Scope) -> tuple[str, list]:
    """The scope's narrowing of the cases `c`, as SQL and its parameters, for the raw queries."""
    where, params = [], []
    if scope.agency_id is not None:
        where.append("AND c.lead_agency_id = %s")
        params.append(scope.agency_id)
    if scope.locality_id is not None:
        where.append("AND c.locality_id = %s")
        params.append(scope.locality_id)
    return " ".join(where), params


def needs_achieved(scope: Scope) -> Table:
    """Needs identified, and achieved, by outcome area, for the cases closed in the period. One query.

    Achieved: the signed-off closure recorded the need's outcome as achieved (outcomes.NeedOutcome;
    a case is signed off once), or, for a case closed before closures recorded outcomes, the need's
    status is "met". What counts as achieved is decided here only. Each need is joined to its
    signed-off outcome, if any, once (not looked up per need: a county closes thousands a year)."""
    where, params = _case_where(scope)
    sql = NEEDS_SQL.format(
        need=IdentifiedNeed._meta.db_table,
        case=Case._meta.db_table,
        area=OutcomeArea._meta.db_table,
        framework=OutcomeFramework._meta.db_table,
        outcome=NeedOutcome._meta.db_table,
        closure=Closure._meta.db_table,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                Achieved.YES,
                NeedStatus.MET,
                Achieved.PARTLY,
                ClosureStatus.SIGNED_OFF,
                CaseStatus.CLOSED,
                scope.since,
                scope.until,
                *params,
            ],
        )
        rows = cursor.fetchall()
    table = Table(
        key="needs-by-area",
        title="Needs identified and achieved by outcome area",
        section=OUTCOMES,
        columns=[
            Column("Outcome area", LABEL),
            Column("Needs identified"),
            Column("Achieved"),
            Column("Achieved (%)", SHARE),
            Column("Partly achieved"),
            Column("Sustained 6 months on"),
        ],
        note=(
            "The needs of the cases closed in the period. Achieved: so recorded at the signed-off closure (for a "
            "case closed before closures recorded outcomes: the need was marked met). Sustained: so answered at the "
            "check six months after closure."
        ),
    )
    for framework, version, _position, area, n, achieved, partly, sustained in rows:
        table.rows.append([f"{area} ({framework} {version})", n, achieved, Share(achieved, n), partly, sustained])
    return table


def closures(scope: Scope) -> list[Table]:
    """The cases closed in the period by reason, and, from their signed-off closures, where the
    families went and what they said. One query: each closed case with its signed-off closure, if it
    has one (a case is signed off once), counted in groups."""
    rows = list(
        _closed_in_period(scope)
        .alias(signed=FilteredRelation("closures", condition=Q(closures__status=ClosureStatus.SIGNED_OFF)))
        .values(
            "closure_reason__name",
            "signed__destination__name",
            "signed__feedback_timely",
            "signed__feedback_knew_lead",
            "signed__feedback_told_once",
        )
        .annotate(n=Count("id"))
        .order_by()
    )
    reasons, destinations = Counter(), Counter()
    for row in rows:
        reasons[row["closure_reason__name"] or NOT_RECORDED] += row["n"]
        if row["signed__destination__name"]:
            destinations[row["signed__destination__name"]] += row["n"]
    by_reason = Table(
        key="closure-reasons",
        title="Cases closed by reason",
        section=OUTCOMES,
        columns=[Column("Reason", LABEL), Column("Cases closed")],
        rows=[[name, n] for name, n in sorted(reasons.items(), key=lambda item: (-item[1], item[0]))],
        note="Cases closed in the period.",
    )
    where = Table(
        key="closure-destinations",
        title="Where families went at closure",
        section=OUTCOMES,
        columns=[Column("Destination", LABEL), Column("Cases closed")],
        rows=[[name, n] for name, n in sorted(destinations.items(), key=lambda item: (-item[1], item[0]))],
        note="The signed-off closures of the cases closed in the period.",
    )
    said = Table(
        key="family-feedback",
        title="Family feedback at closure",
        section=OUTCOMES,
        columns=[
            Column("Question", LABEL),
            Column("Yes"),
            Column("No"),
            Column("Not asked or did not say"),
            Column("Yes, of those who answered (%)", SHARE),
        ],
        chart=1,
        note="The families' answers recorded with the signed-off closures of the cases closed in the period.",
    )
    for field in ("feedback_timely", "feedback_knew_lead", "feedback_told_once"):
        answers = Counter()
        for row in rows:
            if row[f"signed__{field}"]:
                answers[row[f"signed__{field}"]] += row["n"]
        yes, no = answers[FeedbackAnswer.YES], answers[FeedbackAnswer.NO]
        question = Closure._meta.get_field(field).verbose_name
        said.rows.append(
            [question[0].upper() + question[1:], yes, no, answers[FeedbackAnswer.NOT_ASKED], Share(yes, yes + no)]
        )
    return [by_reason, where, said]


DISTANCE_SQL = """
WITH readings AS (
    SELECT r.id, r.case_id, r.tool_id, r.person_id,
           row_number() OVER (PARTITION BY r.case_id, r.tool_id, r.person_id
                              ORDER BY r.taken_on, r.recorded_at, r.id) AS k,
           count(*) OVER (PARTITION BY r.case_id, r.tool_id, r.person_id) AS n
    FROM {reading} r
    JOIN {case} c ON c.id = r.case_id
    WHERE c.status = %s AND c.closed_at >= %s AND c.closed_at < %s {where}
), pairs AS (
    SELECT e.tool_id, s.area_id,
           max(s.value) FILTER (WHERE e.k = 1) AS first_value,
           max(s.value) FILTER (WHERE e.k = e.n) AS latest_value
    FROM readings e
    JOIN {score} s ON s.reading_id = e.id
    WHERE e.n >= 2 AND (e.k = 1 OR e.k = e.n)
    GROUP BY e.case_id, e.tool_id, e.person_id, s.area_id
    HAVING count(*) = 2
), totals AS (
    -- Counted by tool and area ids (a handful of rows), then named: which way is better, a
    -- property of the tool, is applied to the totals rather than to every pair.
    SELECT tool_id, area_id, count(*) AS n, avg(first_value) AS first_avg, avg(latest_value) AS latest_avg,
           avg(latest_value - first_value) AS rise, count(*) FILTER (WHERE latest_value > first_value) AS up,
           count(*) FILTER (WHERE latest_value = first_value) AS same,
           count(*) FILTER (WHERE latest_value < first_value) AS down
    FROM pairs
    GROUP BY tool_id, area_id
)
SELECT t.name, a.name, n, first_avg, latest_avg,
       CASE WHEN t.higher_is_better THEN rise ELSE -rise END,
       CASE WHEN t.higher_is_better THEN up ELSE down END, same,
       CASE WHEN t.higher_is_better THEN down ELSE up END
FROM totals
JOIN {tool} t ON t.id = totals.tool_id
JOIN {area} a ON a.id = totals.area_id
ORDER BY t.sort_order, t.name, a.sort_order, a.id
"""


def distance_travelled(scope: Scope) -> Table:
    """Per outcome tool and area, for the cases closed in the period: the scores of the first and the
    final of each family's (or child's) readings with the tool, where there were two or more (an area
    scored in both); the average first, final and change (positive is better, whichever way the tool
    counts), and how many improved, stayed the same or got worse. One query."""
    where, params = _case_where(scope)
    sql = DISTANCE_SQL.format(
        score=Score._meta.db_table,
        reading=Reading._meta.db_table,
        case=Case._meta.db_table,
        tool=OutcomeTool._meta.db_table,
        area=ToolArea._meta.db_table,
        where=where,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [CaseStatus.CLOSED, scope.since, scope.until, *params])
        rows = cursor.fetchall()
    table = Table(
        key="distance-travelled",
        title="Distance travelled by outcome tool area",
        section=OUTCOMES,
        columns=[
            Column("Tool and area", LABEL),
            Column("Families or children"),
            Column("Average first score", MEASURE),
            Column("Average final score", MEASURE),
            Column("Average change (positive is better)", MEASURE),
            Column("Improved"),
            Column("No change"),
            Column("Worse"),
        ],
        chart=5,
        note=(
            "The cases closed in the period: each family's (or, for a tool about one child, each child's) first and "
            "final reading with the tool, where there were two or more."
        ),
    )
    for tool, area, n, first_avg, latest_avg, change, better, same, worse in rows:
        table.rows.append(
            [
                f"{tool}: {area}",
                n,
                Measure(first_avg, n),
                Measure(latest_avg, n),
                Measure(change, n),
                better,
                same,
                worse,
            ]
        )
    return table


# --- The sections and the whole ---------------------------------------------------------------------------


def timeliness_tables(scope: Scope, now: datetime.datetime) -> list[Table]:
    """The Timeliness section. One query."""
    return [timeliness(scope, now)]


def contacts_tables(scope: Scope, now: datetime.datetime) -> list[Table]:
    """The Contacts and referrals section (the re-referrals headline made from the same query is
    Outcomes'). One query."""
    return volumes(scope)[:-1]


def cases_tables(scope: Scope, now: datetime.datetime) -> list[Table]:
    """The Cases section. Five queries."""
    return [*open_cases(scope), steps(scope), *panel(scope, now)]


def outcomes_tables(scope: Scope, now: datetime.datetime, *, headline: Table | None = None) -> list[Table]:
    """The Outcomes section, with the re-referrals `headline` when the contacts have been counted
    already (the whole dashboard), else counted on its own. Four queries (three with `headline`)."""
    return [
        needs_achieved(scope),
        *closures(scope),
        headline or re_referrals(scope),
        distance_travelled(scope),
    ]


@dataclass(frozen=True)
class Section:
    """One page of the dashboard: its address's `slug`, its `name` (the tables' `section`), the keys
    of its tables in the page's order, and how many queries `tables` runs."""

    slug: str
    name: str
    make: Callable[[Scope, datetime.datetime], list[Table]]
    keys: tuple[str, ...]
    queries: int

    def tables(self, scope: Scope, *, now: datetime.datetime | None = None) -> list[Table]:
        return self.make(scope, now or timezone.now())


SECTIONS = (
    Section("timeliness", TIMELINESS, timeliness_tables, ("timeliness",), 1),
    Section(
        "contacts",
        VOLUMES,
        contacts_tables,
        (
            *("contacts-by-month", "contacts-by-source", "contacts-by-channel", "contacts-by-level"),
            *("contacts-by-decision", "contacts-by-destination", "contacts-by-locality"),
        ),
        1,
    ),
    Section(
        "cases",
        CASES,
        cases_tables,
        (
            *("open-by-lead-agency", "open-by-agency-type", "open-by-locality", "caseloads"),
            *("lead-professional-agencies", "steps", "panel-waits", "panel-decisions"),
        ),
        5,
    ),
    Section(
        "outcomes",
        OUTCOMES,
        outcomes_tables,
        (
            *("needs-by-area", "closure-reasons", "closure-destinations", "family-feedback"),
            *("re-referrals", "distance-travelled"),
        ),
        4,
    ),
)
SECTIONS_BY_SLUG = {section.slug: section for section in SECTIONS}


def section_of_table(key: str) -> Section | None:
    """The section whose page shows the table `key` (None: no such table)."""
    return next((section for section in SECTIONS if key in section.keys), None)


def dashboard_tables(scope: Scope, *, now: datetime.datetime | None = None) -> list[Table]:
    """Every table of the dashboard, section by section in the pages' order. QUERIES queries: the
    re-referrals headline comes from the contacts' query rather than one of its own."""
    now = now or timezone.now()
    contact_tables = volumes(scope)
    headline = contact_tables.pop()
    return [
        *timeliness_tables(scope, now),
        *contact_tables,
        *cases_tables(scope, now),
        *outcomes_tables(scope, now, headline=headline),
    ]
