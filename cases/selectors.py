"""Reads of the shared record, filtered by what the user may see. Query counts are designed here."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from earlyhelp.db import one_or_none
from earlyhelp.db.precompiled import Precompiled, PrecompiledList

from .audit import access_log_record
from .models import AccessLog, Case, CaseMember, CaseStatus, ChronologyEntry, Consent, Locality, Person, User
from .permissions import (
    CASE_PERMS,
    VIEW_CASE,
    ForUser,
    case_perm_annotations,
    cases_for_user,
    cases_with_visibility,
    user_locality_id,
)
from .roles import Role

# What a list of cases shows (the pages' rows and the API's list), so a page of them reads these
# columns, not whole families and users.
CASE_LIST_FIELDS = (
    *("reference", "kind", "status", "opened_at", "closed_at"),
    *("family__name", "level_of_need__name", "locality__name", "lead_agency__name"),
    *("lead_professional__first_name", "lead_professional__last_name"),
)


def case_list_for_user(
    *, user: User, status: str | None = None, locality_id: int | None = None, mine: bool = False
) -> QuerySet[Case]:
    queryset = cases_with_visibility(
        user,
        cases_for_user(user, VIEW_CASE)
        .select_related("family", "level_of_need", "locality", "lead_agency", "lead_professional")
        .only(*CASE_LIST_FIELDS),
    )
    if status:
        queryset = queryset.filter(status=status)
    if locality_id:
        queryset = queryset.filter(locality_id=locality_id)
    if mine:
        queryset = queryset.filter(
            Exists(CaseMember.objects.filter(case=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True))
        )
    return queryset.order_by("-opened_at", "-id")


def _awaiting_allocation(user: User) -> QuerySet[Case]:
    """A panel coordinator's: their locality's cases awaiting allocation (the county's, for a
    county-wide panel)."""
    queryset = case_list_for_user(user=user, status=CaseStatus.AWAITING_ALLOCATION)
    locality_id = user_locality_id(user) if user.has_role(Role.PANEL_COORDINATOR) else None
    return queryset if locality_id is None else queryset.filter(locality_id=locality_id)


# The cases a user works on, newest first (the API's list), and the home page's lists, each
# compiled once per shape of user (cases.permissions.ForUser).
CASE_LIST = ForUser(lambda user: case_list_for_user(user=user))
HOME_LED = ForUser(
    lambda user: case_list_for_user(user=user).filter(lead_professional_id=user.pk).exclude(status=CaseStatus.CLOSED)
)
HOME_TEAMS = ForUser(
    lambda user: (
        case_list_for_user(user=user)
        .filter(members__user_id=user.pk, members__ended_at__isnull=True)
        .exclude(lead_professional_id=user.pk)
        .exclude(status=CaseStatus.CLOSED)
    )
)
HOME_AWAITING_ALLOCATION = ForUser(_awaiting_allocation)
HOME_CLOSURES = ForUser(lambda user: case_list_for_user(user=user, status=CaseStatus.CLOSURE_REQUESTED))
HOME_AWAITING_LEAD = ForUser(lambda user: case_list_for_user(user=user, status=CaseStatus.AWAITING_LEAD_PROFESSIONAL))
HOME_RECENT = ForUser(lambda user: case_list_for_user(user=user).exclude(status=CaseStatus.CLOSED))


def _case_query(user: User, perm: str, *, with_perms: bool) -> QuerySet[Case]:
    queryset = cases_with_visibility(user, cases_for_user(user, perm))
    if with_perms:
        queryset = queryset.annotate(**case_perm_annotations(user))
    return queryset.select_related(
        "family",
        "family__locality",
        "level_of_need",
        "locality",
        "lead_agency",
        "team",
        "lead_professional",
        "closure_reason",
    )


CASE_PAGE = ForUser(lambda user, case_id: _case_query(user, VIEW_CASE, with_perms=True).filter(pk=case_id).order_by())


def case_get_for_user(
    *,
    user: User,
    case_id: int,
    perm: str = VIEW_CASE,
    request: HttpRequest | None = None,
    log: bool = True,
    with_perms: bool = False,
) -> Case:
    """The case if `user` holds `perm` on it, else 404: the same answer for 'missing' and 'not
    yours'. A view is written to the access log, and so is a refusal of a case that exists.
    With `with_perms`, `case.perms` holds every permission `user` has on it, read in the same query.

    The 404 is raised after the atomic block: raised inside it, it would roll back the refusal's row."""
    with transaction.atomic():
        if with_perms and perm == VIEW_CASE:  # the case page, compiled once per shape of user
            case = CASE_PAGE.first(user, case_id=case_id)
        else:
            case = one_or_none(_case_query(user, perm, with_perms=with_perms).filter(pk=case_id))
        if case is None:
            refused = Case.objects.filter(pk=case_id).first()
            if refused is not None:
                # Naming the case lets "who viewed this child" show refused attempts too.
                access_log_record(
                    user=user,
                    action=AccessLog.Action.DENIED,
                    record_type="case",
                    record_id=case_id,
                    case=refused,
                    request=request,
                )
        elif log:
            access_log_record(
                user=user,
                action=AccessLog.Action.VIEW,
                record_type="case",
                record_id=case.pk,
                case=case,
                request=request,
            )
    if case is None:
        raise Http404("No case found")
    if with_perms:
        case.perms = frozenset(p for p in CASE_PERMS if getattr(case, p))
    return case


def _team(case_id: int) -> QuerySet[CaseMember]:
    return (
        CaseMember.objects.filter(case_id=case_id, ended_at__isnull=True)
        .select_related("user", "user__agency")
        # Names and agencies, not whole users (their password hashes among them).
        .only(
            *("case_id", "role", "is_lead", "added_at", "ended_at"),
            *("user__first_name", "user__last_name", "user__agency__name"),
        )
    )


def _timeline(family_id: int) -> QuerySet[ChronologyEntry]:
    return (
        ChronologyEntry.objects.filter(family_id=family_id)
        .select_related("author", "author_agency", "case")
        # What a timeline shows, not whole users and cases: 20 entries a page, each with three.
        .only(
            *("kind", "event", "occurred_at", "recorded_at", "summary", "body", "family_id"),
            *("author__first_name", "author__last_name", "author_agency__name", "case__reference"),
        )
        .order_by("-occurred_at", "-id")
    )


def _family_people(family_id: int) -> QuerySet[Person]:
    return (
        Person.objects.filter(memberships__family_id=family_id)
        .select_related("school")
        .order_by("kind", "date_of_birth")
    )


def _family_consents(family_id: int) -> QuerySet[Consent]:
    return (
        Consent.objects.filter(family_id=family_id)
        .select_related("person", "agency")
        .only(
            *("family_id", "scope", "status", "evidence", "decided_on", "not_sought_reason", "recorded_at"),
            *("person__first_name", "person__last_name", "agency__name"),
        )
        .order_by("-recorded_at", "-id")
    )


# The case page's reads after the case itself, compiled once (earlyhelp/db/precompiled.py): they are
# the same on every case page but for the ids, and compiling them cost more than running them.
TEAM = Precompiled(_team)
TIMELINE = Precompiled(_timeline)
TIMELINE_OF_AGENCY = Precompiled(lambda family_id, agency_id: _timeline(family_id).filter(author_agency_id=agency_id))
FAMILY_PEOPLE = Precompiled(_family_people)
FAMILY_CONSENTS = Precompiled(_family_consents)


def case_members(*, case: Case) -> list[CaseMember]:
    return TEAM(case_id=case.pk)


def case_chronology(*, case: Case, user: User) -> QuerySet[ChronologyEntry]:
    """The family's timeline as `user` may see it: everything when the family's details are visible
    to them, otherwise only what their own agency wrote."""
    queryset = _timeline(case.family_id)
    if not case.details_visible:
        queryset = queryset.filter(author_agency_id=user.agency_id) if user.agency_id else queryset.none()
    return queryset


def case_chronology_pages(*, case: Case, user: User) -> PrecompiledList[ChronologyEntry] | list:
    """`case_chronology` for a Paginator, precompiled."""
    if case.details_visible:
        return TIMELINE.lazy(family_id=case.family_id)
    if user.agency_id:
        return TIMELINE_OF_AGENCY.lazy(family_id=case.family_id, agency_id=user.agency_id)
    return []


def case_people(*, case: Case) -> list[Person]:
    return FAMILY_PEOPLE(family_id=case.family_id)


def case_consents(*, case: Case, limit: int = 20) -> list[Consent]:
    """The family's consent decisions, newest first."""
    return FAMILY_CONSENTS.page(family_id=case.family_id, limit=limit)


def person_get_for_user(*, user: User, person_id: int, request: HttpRequest | None = None) -> Person:
    """A person's record, for users who may see the details of a case of one of the person's
    families, or who work at the front door. Logged like a case (the 404 raised after the atomic
    block, so the refusal's row is kept)."""
    with transaction.atomic():
        person = Person.objects.select_related("school").filter(pk=person_id).first()
        allowed = person is not None and (
            user.is_superuser
            or user.has_role(Role.DUTY_MANAGER, Role.CONTACT_OFFICER)
            or cases_with_visibility(user, cases_for_user(user, VIEW_CASE).filter(family__memberships__person=person))
            .filter(details_visible=True)
            .exists()
        )
        if not allowed:
            if person is not None:
                access_log_record(
                    user=user,
                    action=AccessLog.Action.DENIED,
                    record_type="person",
                    record_id=person_id,
                    person=person,
                    request=request,
                )
        else:
            access_log_record(
                user=user,
                action=AccessLog.Action.VIEW,
                record_type="person",
                record_id=person.pk,
                person=person,
                request=request,
            )
    if not allowed:
        raise Http404("No person found")
    return person


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
    """Every logged view of this person's record, or of a case of one of their families."""
    return (
        AccessLog.objects.filter(Q(person=person) | Q(case__family__memberships__person=person))
        .select_related("user", "user__agency", "case")
        .order_by("-at", "-id")
    )


FIGURES_CACHE_KEY = "cases:figures:v1"


def case_figures() -> dict:
    """Counts only, no names: open cases by status, locality, level and lead agency, for analysts.

    Counting a county's cases takes tens of milliseconds of database time, and analysts read these
    pages over and over: the counts are kept for FIGURES_CACHE_SECONDS and say when they were made."""
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
