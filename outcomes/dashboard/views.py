"""The dashboard's pages: one page for each section (`selectors.SECTIONS`: the first at /dashboard/,
the others at /dashboard/<slug>/), each counting only its own section's figures, with their charts
and a navigation between the sections that keeps the filters; each table as a CSV file
(`?csv=<table>`, from any section's page: only the table's own section is counted), and the whole
dashboard as a PDF. For analysts (the county) and team managers (their own agency); nobody else.
No page, file or answer here names a person."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from assessments.pdf import pdf_render
from cases.access import roles_required
from cases.models import Agency, Locality, User
from cases.roles import Role

from . import selectors
from .charts import bar_chart
from .forms import DashboardFilterForm, unbound_period
from .tables import LABEL, Table, csv_value, page_text

DASHBOARD_ROLES = (Role.ANALYST, Role.TEAM_MANAGER)


@dataclass(frozen=True)
class Figures:
    """What a dashboard shows: its scope in words, the period, and the tables (one section's, or
    every section's)."""

    scope: selectors.Scope
    covers: str
    first: datetime.date
    last: datetime.date
    locality: Locality | None
    tables: list[Table]
    counted_at: datetime.datetime


def scope_for(
    user: User, *, first: datetime.date, last: datetime.date, locality: Locality | None
) -> tuple[selectors.Scope, str]:
    """Analysts see the county; a team manager (who is not also an analyst) their own agency's part of
    it; anyone else, or a team manager of no agency, nothing (403). The scope is worked out from the
    user on every request."""
    since, until = selectors.period_bounds(first, last)
    locality_id = locality.pk if locality else None
    if user.has_role(Role.ANALYST):
        return selectors.Scope(since, until, locality_id=locality_id), "the whole county"
    if user.has_role(Role.TEAM_MANAGER) and user.agency_id is not None:
        agency = Agency.objects.only("name").get(pk=user.agency_id)
        covers = f"{agency.name} only: the cases {agency.name} leads, and the contacts and referrals {agency.name} made"
        return selectors.Scope(since, until, locality_id=locality_id, agency_id=agency.pk), covers
    raise PermissionDenied


ALL = "all"


def figures_cache_key(scope: selectors.Scope, section: str = ALL) -> str:
    """Where the figures of `section` (a slug, or ALL: the whole dashboard) for `scope` are kept."""
    return (
        f"dashboard:v2:{section}:{scope.agency_id}:{scope.locality_id}:"
        f"{scope.since.isoformat()}:{scope.until.isoformat()}"
    )


def figures_for(user: User, period: dict, section: selectors.Section | None = None) -> Figures:
    """The figures `user` may see for `period`: one `section`'s tables, or (None) every section's.
    Counting reads the county's records, and analysts come back to the same figures: they are kept
    for FIGURES_CACHE_SECONDS (as the shared record's figures are), under the scope worked out from
    the user on this request and the section, and say when they were counted."""
    scope, covers = scope_for(user, first=period["from_date"], last=period["to_date"], locality=period["locality"])
    key = figures_cache_key(scope, section.slug if section else ALL)
    counted = cache.get(key) if settings.FIGURES_CACHE_SECONDS > 0 else None
    if counted is None:
        now = timezone.now()
        tables = section.tables(scope, now=now) if section else selectors.dashboard_tables(scope, now=now)
        counted = (tables, now)
        if settings.FIGURES_CACHE_SECONDS > 0:
            cache.set(key, counted, settings.FIGURES_CACHE_SECONDS)
    tables, counted_at = counted
    return Figures(
        scope=scope,
        covers=covers,
        first=period["from_date"],
        last=period["to_date"],
        locality=period["locality"],
        tables=tables,
        counted_at=counted_at,
    )


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, dict | None]:
    """The filter form and the period it chose (None when what was sent is not valid)."""
    params = request.GET.copy()
    params.pop("csv", None)
    if not params:
        return DashboardFilterForm(initial=unbound_period()), unbound_period()
    form = DashboardFilterForm(params)
    return form, (form.cleaned_data if form.is_valid() else None)


def _querystring(request: HttpRequest, **extra: str) -> str:
    params = request.GET.copy()
    params.pop("csv", None)
    params.pop("submit", None)
    for key, value in extra.items():
        params[key] = value
    return params.urlencode()


def section_url(section: selectors.Section) -> str:
    """The first section's page is the dashboard's own address."""
    if section == selectors.SECTIONS[0]:
        return reverse("dashboard:dashboard")
    return reverse("dashboard:section", kwargs={"section": section.slug})


def _navigation(request: HttpRequest, current: selectors.Section) -> list[dict]:
    """The links to each section's page, with the filters chosen on this one."""
    query = _querystring(request)
    return [
        {
            "name": section.name,
            "url": f"{section_url(section)}?{query}" if query else section_url(section),
            "current": section == current,
        }
        for section in selectors.SECTIONS
    ]


def _shown_table(table: Table, request: HttpRequest) -> dict:
    rows = []
    for row in table.shown_rows():
        rows.append(
            [
                {"text": page_text(value, column.kind), "numeric": column.kind != LABEL}
                for value, column in zip(row, table.columns, strict=True)
            ]
        )
    return {
        "key": table.key,
        "title": table.title,
        "section": table.section,
        "note": table.note,
        "columns": [{"heading": column.heading, "numeric": column.kind != LABEL} for column in table.columns],
        "rows": rows,
        "chart": bar_chart(table),
        "wide": len(table.columns) > 4,
        "csv_url": f"?{_querystring(request, csv=table.key)}",
    }


def _filename(figures: Figures, what: str, extension: str) -> str:
    return f"early-help-dashboard-{what}-{figures.first:%Y-%m-%d}-to-{figures.last:%Y-%m-%d}.{extension}"


def _csv(figures: Figures, key: str) -> HttpResponse:
    table = next((table for table in figures.tables if table.key == key), None)
    if table is None:
        raise Http404("No such table")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, table.key, "csv")}"'
    writer = csv.writer(response)
    writer.writerow([column.heading for column in table.columns])
    for row in table.shown_rows():
        writer.writerow([csv_value(value) for value in row])
    return response


@roles_required(*DASHBOARD_ROLES)
@require_GET
def dashboard(request: HttpRequest, section: str = selectors.SECTIONS[0].slug) -> HttpResponse:
    """One section's page (the URLconf names the section: one route for each, so an address of no
    section is not found), or one table of any section as CSV (`?csv=<key>`, counting only the
    section that table is in)."""
    current = selectors.SECTIONS_BY_SLUG[section]
    form, period = _filters(request)
    page = {"filters": form, "section": current, "sections": _navigation(request, current)}
    if period is None:
        return render(request, "outcomes/dashboard/dashboard.html", page, status=400)
    if "csv" in request.GET:
        of_table = selectors.section_of_table(request.GET["csv"])
        if of_table is None:
            raise Http404("No such table")
        return _csv(figures_for(request.user, period, of_table), request.GET["csv"])
    figures = figures_for(request.user, period, current)
    context = {
        **page,
        "figures": figures,
        "tables": [_shown_table(table, request) for table in figures.tables],
        "pdf_url": f"{reverse('dashboard:dashboard-pdf')}?{_querystring(request)}",
    }
    return render(request, "outcomes/dashboard/dashboard.html", context)


@roles_required(*DASHBOARD_ROLES)
@require_GET
def dashboard_pdf(request: HttpRequest) -> HttpResponse:
    """The dashboard as a tagged PDF, OFFICIAL-SENSITIVE on every page (assessments.pdf)."""
    _form, period = _filters(request)
    if period is None:
        return dashboard(request)
    figures = figures_for(request.user, period)
    context = {
        "title": "Early help dashboard",
        "figures": figures,
        "tables": [_shown_table(table, request) for table in figures.tables],
    }
    response = HttpResponse(pdf_render("outcomes/dashboard/pdf.html", context), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(figures, "all", "pdf")}"'
    return response
