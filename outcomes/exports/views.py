"""The exports' pages: your exports, asking for the Ofsted inspection lists, a job's progress
(reloaded every 5 seconds by an HTTP Refresh header the user can stop, without JavaScript) and the
once-only download."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import object_view, roles_required, signed_in
from cases.paging import page_of

from . import annex_a, selectors, services
from .forms import AnnexAForm
from .kinds import KINDS, kind_for
from .models import Export
from .permissions import VIEW_EXPORT

PAGE_SIZE = 25
REFRESH_SECONDS = 5


def _label(export: Export) -> str:
    kind = kind_for(export.kind)
    return kind.label if kind else export.kind


def _description(export: Export) -> str:
    kind = kind_for(export.kind)
    return kind.describe(export.parameters) if kind else ""


@signed_in
@require_GET
def export_list(request: HttpRequest) -> HttpResponse:
    """The exports the signed-in user asked for, newest first, and the exports they may ask for."""
    page, querystring = page_of(request, selectors.exports_for_user(user=request.user), PAGE_SIZE)
    rows = [
        {"export": export, "label": _label(export), "description": _description(export)} for export in page.object_list
    ]
    offered = [kind for kind in KINDS.values() if kind.allowed(request.user)]
    return render(
        request,
        "outcomes/exports/list.html",
        {"rows": rows, "page_obj": page, "querystring": querystring, "annex_a_offered": annex_a.ANNEX_A in offered},
    )


@roles_required(*annex_a.ANNEX_A.roles)
@require_http_methods(["GET", "POST"])
def annex_a_new(request: HttpRequest) -> HttpResponse:
    """Ask for the Ofsted inspection lists for an inspection date (403 for a team manager of a partner
    agency: `annex_a.may_make_county_returns`, finer than the declared roles)."""
    if not annex_a.ANNEX_A.allowed(request.user):
        raise PermissionDenied
    form = AnnexAForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        export = services.export_request(actor=request.user, kind=annex_a.KIND, parameters=form.parameters())
        return redirect("exports:export", export_id=export.pk)
    return render(request, "outcomes/exports/annex_a_form.html", {"form": form, "title": annex_a.ANNEX_A.label})


@object_view("export", VIEW_EXPORT)
@require_GET
def export_detail(request: HttpRequest, export: Export) -> HttpResponse:
    """Where the export stands: rows done of rows while it is made, then the download. While it is
    made the page asks the browser to load it again every few seconds (an HTTP `Refresh` header: no
    JavaScript), unless the user stopped that (`?refresh=off`, WCAG 2.2.1: a time limit the user
    can turn off)."""
    stopped = request.GET.get("refresh") == "off"
    refreshing = export.unfinished and not stopped
    response = render(
        request,
        "outcomes/exports/progress.html",
        {
            "export": export,
            "label": _label(export),
            "description": _description(export),
            "refresh_seconds": REFRESH_SECONDS if refreshing else None,
            "stopped": export.unfinished and stopped,
        },
    )
    if refreshing:
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


@object_view("export", VIEW_EXPORT)
@require_GET
def export_download(request: HttpRequest, export: Export) -> HttpResponse:
    """The file, once: a second download (or one after 24 hours) is told it has gone (410)."""
    try:
        handle, export = services.export_download(actor=request.user, export=export, request=request)
    except services.ExportGone:
        return render(request, "outcomes/exports/gone.html", {"export": export, "label": _label(export)}, status=410)
    except ValidationError:
        return redirect("exports:export", export_id=export.pk)
    response = FileResponse(
        handle,
        content_type=export.content_type or "application/octet-stream",
        as_attachment=True,
        filename=export.filename,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
