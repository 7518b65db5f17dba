"""Reads of the shared record, filtered by what the user may see. Query counts are designed here.
One case or person reaches a page or the API only through cases.permissions (`case_get_for_user`,
`person_get_for_user`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Subquery, TextChoices
from django.db.models.functions import JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_date

from .models import (
    AccessLog,
    Case,
    CaseMember,
    CaseStatus,
    ChronologyEntry,
    Consent,
    Deadline,
    FamilyMembership,
    Locality,
    Person,
    User,
)
from .permissions import VIEW_CASE, cases_for_user, user_locality_id, visible_family_name
from .roles import Role


class CaseSort(TextChoices):
    OPENED = "opened", "Opened (newest first)"
    FAMILY = "family", "Family name (A to Z)"
    NEXT_DUE = "due", "Next due (soonest first)"


NO_LEAD_PROFESSIONAL = "none"


def _next_due() -> Subquery:
    """When the case's soonest running clock falls due (its deadlines, by the case's index)."""
    running = Deadline.objects.filter(case=OuterRef("pk"), met_at__isnull=True, cancelled_at__isnull=True)
    return Subquery(running.order_by("due_at").values("due_at")[:1])


def case_list_for_user(
    *,
    user: User,
    status: str | None = None,
    locality_id: int | None = None,
    mine: bool = False,
    exclude_status: str | None = None,
    lead_professional: int | str | None = None,
    search: str = "",
    sort: str = CaseSort.OPENED,
) -> QuerySet[Case]:
    """The cases `user` may see, newest first (or by family name, or by when the next clock falls
    due), each with `family_name`: the family's name where its details are visible to `user`, else
    None, and `next_due_at` (when its soonest running clock falls due). Built in one filter and
    annotations: lists read it as rows of values (`case_rows`, `case_api_rows`).

    `lead_professional` is a user's id, or NO_LEAD_PROFESSIONAL for cases with none yet. `search`
    finds a case's reference (exactly, in any case) or, among the cases whose family's details
    `user` may see (a hidden family is never found by its name, nor sorted by it), a family with
    someone whose first name or surname holds each word (the people's trigram indexes)."""
    conditions = Q()
    if status:
        conditions &= Q(status=status)
    if exclude_status:
        conditions &= ~Q(status=exclude_status)
    if locality_id:
        conditions &= Q(locality_id=locality_id)
    if mine:
        conditions &= Q(Exists(CaseMember.objects.filter(case=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True)))
    if lead_professional == NO_LEAD_PROFESSIONAL:
        conditions &= Q(lead_professional__isnull=True)
    elif lead_professional:
        conditions &= Q(lead_professional_id=lead_professional)
    queryset = (
        cases_for_user(user, VIEW_CASE)
        .filter(conditions)
        .annotate(family_name=visible_family_name(user), next_due_at=_next_due())
    )
    words = search.split()[:5]
    if words:
        named = FamilyMembership.objects.filter(family=OuterRef("family_id"))
        for word in words:
            named = named.filter(Q(person__first_name__icontains=word) | Q(person__last_name__icontains=word))
        queryset = queryset.filter(Q(reference=search.strip().upper()) | (Q(family_name__isnull=False) & Exists(named)))
    if sort == CaseSort.FAMILY:
        return queryset.order_by(F("family_name").asc(nulls_last=True), "-opened_at", "-id")
    if sort == CaseSort.NEXT_DUE:
        return queryset.order_by(F("next_due_at").asc(nulls_last=True), "-opened_at", "-id")
    return queryset.order_by("-opened_at", "-id")


def lead_professional_choices() -> QuerySet:
    """Who may lead a family, to filter the case list by: active users with the lead professional
    role, by name, as (id, first name, last name, agency name)."""
    return (
        User.objects.filter(is_active=True, groups__name=Role.LEAD_PROFESSIONAL)
        .order_by("first_name", "last_name", "id")
        .values_list("pk", "first_name", "last_name", "agency__name")
        .distinct()
    )


# What the API's list shows of a case, as plain values.
CASE_API_FIELDS = (
    *("id", "reference", "kind", "status", "opened_at", "closed_at", "family_name"),
    *("level_of_need__name", "locality__name", "lead_agency__name"),
    *("lead_professional__first_name", "lead_professional__last_name"),
)


def case_api_rows(queryset: QuerySet[Case]) -> QuerySet:
    """Cases of `case_list_for_user` as the API's list shows them, as rows of values."""
    return queryset.values(*CASE_API_FIELDS)


def cases_led(*, user: User) -> QuerySet[Case]:
    """The open cases `user` is the lead professional of."""
    return case_list_for_user(user=user, exclude_status=CaseStatus.CLOSED).filter(lead_professional_id=user.pk)


def cases_in_team(*, user: User) -> QuerySet[Case]:
    """The open cases whose team around the family `user` is in, but does not lead."""
    return case_list_for_user(user=user, mine=True, exclude_status=CaseStatus.CLOSED).exclude(
        lead_professional_id=user.pk
    )


def cases_awaiting_allocation(*, user: User) -> QuerySet[Case]:
    """A panel coordinator's: their locality's cases awaiting allocation (the county's, for a
    county-wide panel)."""
    queryset = case_list_for_user(user=user, status=CaseStatus.AWAITING_ALLOCATION)
    locality_id = user_locality_id(user) if user.has_role(Role.PANEL_COORDINATOR) else None
    return queryset if locality_id is None else queryset.filter(locality_id=locality_id)


def cases_open(*, user: User) -> QuerySet[Case]:
    return case_list_for_user(user=user, exclude_status=CaseStatus.CLOSED)


# What a row of a list of cases shows, as plain values (no model instances to build).
CASE_ROW_FIELDS = (
    *("id", "reference", "status", "opened_at", "family_name"),
    *("level_of_need__name", "lead_professional__first_name", "lead_professional__last_name"),
    "panel_route",
)


def case_rows(queryset: QuerySet[Case]) -> QuerySet:
    """A list of cases from `case_list_for_user` (or one filtered from it) as rows of values for a
    page's table: `family_name` is already masked by the family's consent; `next_due_at` is when
    the case's soonest running clock falls due (read for the rows of the page only)."""
    return queryset.values(*CASE_ROW_FIELDS, "next_due_at")


def case_members(*, case: Case) -> QuerySet[CaseMember]:
    """The team around the family now, the lead first: names and agencies, not whole users."""
    return (
        CaseMember.objects.filter(case_id=case.pk, ended_at__isnull=True)
        .select_related("user", "user__agency")
        .only(
            *("case_id", "role", "is_lead", "added_at", "ended_at"),
            *("user__first_name", "user__last_name", "user__agency__name"),
        )
    )


def case_chronology(*, case: Case, user: User) -> QuerySet[ChronologyEntry]:
    """The family's timeline as `user` may see it, newest first: everything when the family's
    details are visible to them, otherwise only what their own agency wrote. Pages and the API
    both read it here."""
    queryset = (
        ChronologyEntry.objects.filter(family_id=case.family_id)
        .select_related("author", "author_agency", "case")
        # What a timeline shows, not whole users and cases.
        .only(
            *("kind", "event", "occurred_at", "recorded_at", "summary", "body", "family_id"),
            *("author__first_name", "author__last_name", "author_agency__name", "case__reference"),
        )
        .order_by("-occurred_at", "-id")
    )
    if not case.details_visible:
        queryset = queryset.filter(author_agency_id=user.agency_id) if user.agency_id else queryset.none()
    return queryset


def case_chronology_rows(*, case: Case, user: User) -> QuerySet:
    """`case_chronology` as rows of values for the case page (the API reads the entries)."""
    return case_chronology(case=case, user=user).values(
        *("id", "kind", "occurred_at", "summary", "body", "case_id", "case__reference"),
        *("author__first_name", "author__last_name", "author_agency__name"),
    )


def case_member_rows(*, case: Case) -> QuerySet:
    """`case_members` as rows of values for the case page."""
    return case_members(case=case).values(*MEMBER_COLUMNS)


def case_consent_rows(*, case: Case, limit: int = 20) -> QuerySet:
    """The family's consent decisions, newest first, as rows of values for the case page."""
    return (
        Consent.objects.filter(family_id=case.family_id)
        .order_by("-recorded_at", "-id")
        .values(*CONSENT_COLUMNS)[:limit]
    )


MEMBER_COLUMNS = ("id", "role", "is_lead", "user__first_name", "user__last_name", "user__agency__name")
CONSENT_COLUMNS = (
    *("id", "scope", "status", "decided_on", "not_sought_reason"),
    *("evidence", "evidence_file", "method", "witness", "capacity_judgement"),
    *("person__first_name", "person__last_name", "agency__name"),
)


def case_team_and_consent(*, case: Case, consents: bool, limit: int = 20) -> dict[str, list[dict]]:
    """The case page's team around the family (`case_member_rows`) and, with `consents`, the
    family's latest consent decisions (`case_consent_rows`), in one query: each list a JSON column
    of the case's row, the rows keyed as `values()` keys them."""
    members = (
        case_members(case=case)
        .order_by("-is_lead", "added_at", "id")
        .values(row=JSONObject(**{column: column for column in MEMBER_COLUMNS}))
    )
    columns = {"member_rows": ArraySubquery(members)}
    if consents:
        latest = (
            Consent.objects.filter(family_id=case.family_id)
            .order_by("-recorded_at", "-id")
            .values(row=JSONObject(**{column: column for column in CONSENT_COLUMNS}))[:limit]
        )
        columns["consent_rows"] = ArraySubquery(latest)
    found = Case.objects.filter(pk=case.pk).values(**columns).get()
    consent_rows = found.get("consent_rows", [])
    for row in consent_rows:
        row["decided_on"] = parse_date(row["decided_on"]) if row["decided_on"] else None
    return {"members": found["member_rows"], "consents": consent_rows}


def case_people(*, case: Case) -> QuerySet[Person]:
    """The family's members; only for a viewer to whom the family's details are visible."""
    return (
        Person.objects.filter(memberships__family_id=case.family_id)
        .select_related("school")
        .order_by("kind", "date_of_birth")
    )


def person_cases(*, user: User, person: Person) -> QuerySet[Case]:
    """The cases of a person's families that `user` may see."""
    return (
        cases_for_user(user, VIEW_CASE)
        .filter(family__memberships__person=person)
        .select_related("level_of_need", "lead_professional")
    )


def person_search(*, name: str = "", date_of_birth=None, nhs_number: str = "") -> QuerySet[Person]:
    """People by similar name (pg_trgm), date of birth or NHS number, best match first."""
    queryset = Person.objects.all()
    if nhs_number:
        queryset = queryset.filter(nhs_number=nhs_number)
    if date_of_birth:
        queryset = queryset.filter(date_of_birth=date_of_birth)
    if name:
        full = Q(first_name__trigram_similar=name) | Q(last_name__trigram_similar=name)
        queryset = (
            queryset.annotate(similarity=TrigramSimilarity("first_name", name) + TrigramSimilarity("last_name", name))
            .filter(full)
            .order_by("-similarity", "last_name", "id")
        )
    else:
        queryset = queryset.order_by("last_name", "first_name", "id")
    return queryset


def person_viewers(*, person: Person) -> QuerySet[AccessLog]:
    """Every logged view of this person's record, or of a case of one of their families, once each
    (their families as a subquery: a join through the memberships would repeat a row once per
    member of the family)."""
    families = FamilyMembership.objects.filter(person=person).values("family_id")
    return (
        AccessLog.objects.filter(Q(person=person) | Q(case__family_id__in=families))
        .select_related("user", "user__agency", "case")
        .order_by("-at", "-id")
    )


FIGURES_CACHE_KEY = "cases:figures:v1"


def case_figures() -> dict:
    """Counts only, no names: open cases by status, locality, level and lead agency, for analysts.

    Counting reads every case of the county, and analysts read these pages over and over: the
    counts are kept for FIGURES_CACHE_SECONDS and say when they were made."""
    if settings.FIGURES_CACHE_SECONDS <= 0:
        return case_figures_count()
    figures = cache.get(FIGURES_CACHE_KEY)
    if figures is None:
        figures = case_figures_count()
        cache.set(FIGURES_CACHE_KEY, figures, settings.FIGURES_CACHE_SECONDS)
    return figures


def case_figures_count() -> dict:
    """The analysts' counts, straight from the database."""
    by_status = dict(Case.objects.values_list("status").annotate(n=Count("id")).order_by())
    by_locality = list(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .values("locality__name")
        .annotate(n=Count("id"))
        .order_by("locality__name")
    )
    by_level = list(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .values("level_of_need__name")
        .annotate(n=Count("id"))
        .order_by("level_of_need__name")
    )
    by_lead_agency_type = list(
        Case.objects.exclude(status=CaseStatus.CLOSED)
        .filter(lead_agency__isnull=False)
        .values("lead_agency__agency_type__name")
        .annotate(n=Count("id"))
        .order_by("lead_agency__agency_type__name")
    )
    return {
        "by_status": [(s.label, by_status.get(s.value, 0)) for s in CaseStatus],
        "by_locality": by_locality,
        "by_level": by_level,
        "by_lead_agency_type": by_lead_agency_type,
        "counted_at": timezone.now(),
    }


def locality_for_postcode(postcode: str) -> Locality | None:
    """The locality whose postcode districts include this postcode's outward code."""
    outward = (postcode or "").strip().upper().split(" ")[0]
    if not outward:
        return None
    for locality in Locality.objects.exclude(postcode_districts=""):
        if outward in locality.postcode_districts.upper().split():
            return locality
    return None
