"""The outcomes app's pages about a closure: the document evidencing a need's outcome (downloaded
through the case's access function, never a public URL) and the six-month check of whether each
outcome lasted, for a team manager of the lead agency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import case_view, roles_required
from cases.paging import page_of
from cases.permissions import VIEW_CASE
from cases.roles import Role
from cases.services import CONSENT_EVIDENCE_EXTENSIONS, consent_evidence_type
from outcomes.exports.services import export_request

from . import claims, services
from .claims_export import CLAIMS_LIST
from .forms import SustainedCheckForm
from .models import Achieved, Claim, Closure, ClosureStatus, NeedOutcome


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def evidence_download(request: HttpRequest, case, outcome_id: int) -> HttpResponse:
    """The document a lead professional uploaded as evidence of a need's outcome, to whoever sees the
    family's details on the case."""
    outcome = NeedOutcome.objects.filter(pk=outcome_id, closure__case_id=case.pk).exclude(evidence_file="").first()
    if outcome is None:
        raise Http404("No such document")
    handle = outcome.evidence_file.open("rb")
    kind = consent_evidence_type(handle) or "application/octet-stream"
    extension = CONSENT_EVIDENCE_EXTENSIONS.get(kind, "bin")
    response = FileResponse(
        handle, content_type=kind, as_attachment=True, filename=f"evidence-{case.reference}-{outcome.pk}.{extension}"
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _closure_to_check(case) -> Closure:
    closure = (
        Closure.objects.filter(case_id=case.pk, status=ClosureStatus.SIGNED_OFF)
        .select_related("case", "destination", "decided_by")
        .order_by("-decided_at")
        .first()
    )
    if closure is None:
        raise Http404("This case has no signed-off closure")
    return closure


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET", "POST"])
def sustained_check(request: HttpRequest, case) -> HttpResponse:
    """Six months after closure: whether each achieved outcome lasted, once, by a team manager of
    the lead agency."""
    closure = _closure_to_check(case)
    if not services.may_check_sustained(request.user, closure):
        raise PermissionDenied
    outcomes = list(
        closure.need_outcomes.filter(achieved__in=[Achieved.YES, Achieved.PARTLY]).select_related(
            "need__area", "need__person"
        )
    )
    form = SustainedCheckForm(request.POST or None, outcomes=outcomes)
    if closure.sustained_checked_at is None and request.method == "POST" and form.is_valid():
        try:
            services.sustained_check_record(actor=request.user, closure=closure, answers=form.answers())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Recorded whether the outcomes lasted")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(
        request,
        "outcomes/closure/sustained.html",
        {
            "case": case,
            "closure": closure,
            "outcomes": outcomes,
            "form": form,
            "done": closure.sustained_checked_at is not None,
            "title": "Did the outcomes last?",
        },
    )


urlpatterns = [
    path("<int:case_id>/outcomes/evidence/<int:outcome_id>/", evidence_download, name="closure-evidence"),
    path("<int:case_id>/outcomes/sustained/", sustained_check, name="sustained-check"),
]


CLAIMS_PAGE_SIZE = 20


@roles_required(Role.ANALYST, Role.TEAM_MANAGER)
@require_http_methods(["GET"])
def claims_list(request: HttpRequest) -> HttpResponse:
    """Families whose closure was checked six months on, against the Supporting Families claim rule,
    newest first: each condition met or not, and each need's outcome and the kinds of its evidence
    (no names, no free text: the case page has those for whoever may see them)."""
    page, querystring = page_of(request, claims.claim_candidates(user=request.user), CLAIMS_PAGE_SIZE)
    checks = claims.claim_checks(list(page.object_list))
    return render(
        request,
        "outcomes/claims/list.html",
        {
            "title": "Supporting Families claims",
            "checks": checks,
            "page_obj": page,
            "querystring": querystring,
            "may_claim": claims.may_claim(request.user),
            "claimed": Claim.objects.count() if request.user.has_role(Role.ANALYST) else None,
        },
    )


@roles_required(Role.ANALYST)
@require_POST
def claim_make(request: HttpRequest, closure_id: int) -> HttpResponse:
    closure = claims.claim_candidates(user=request.user).filter(pk=closure_id).first()
    if closure is None:
        raise Http404("No such family to claim for")
    try:
        claim = claims.claim_record(actor=request.user, closure=closure, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"Claimed for the family of {closure.case.reference} under {claim.framework}")
    return redirect("outcomes:claims")


@roles_required(Role.ANALYST, Role.TEAM_MANAGER)
@require_POST
def claims_export(request: HttpRequest) -> HttpResponse:
    """The claims list as a file, made by an export job (its progress page, once-only download)."""
    file_format = "csv" if request.POST.get("format") == "csv" else "xlsx"
    export = export_request(actor=request.user, kind=CLAIMS_LIST.key, parameters={"format": file_format})
    return redirect("exports:export", export_id=export.pk)


urlpatterns += [
    path("claims/", claims_list, name="claims"),
    path("claims/export/", claims_export, name="claims-export"),
    path("claims/<int:closure_id>/claim/", claim_make, name="claim-make"),
]
