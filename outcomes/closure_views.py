"""The outcomes app's pages about a closure: the document evidencing a need's outcome (downloaded
through the case's access function, never a public URL) and the six-month check of whether each
outcome lasted, for a team manager of the lead agency."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from cases.access import case_view
from cases.permissions import VIEW_CASE
from cases.services import CONSENT_EVIDENCE_EXTENSIONS, consent_evidence_type

from . import services
from .forms import SustainedCheckForm
from .models import Achieved, Closure, ClosureStatus, NeedOutcome


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
