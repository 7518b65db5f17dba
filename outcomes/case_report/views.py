"""The manager's case report as a PDF (`report.case_report_pdf`): team managers who may see the case
(`permissions.may_print_case_report`), each print written to the case's access log. A long case's
report is made by a task (`export.py`): its PDF link leads to the page that asks for it."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from cases.access import case_view, roles_required
from outcomes.exports.services import export_request

from . import export as large
from .permissions import PRINT_CASE_REPORT, PRINT_ROLES, may_print_case_report
from .report import case_report_pdf, report_filename


def _allowed(request: HttpRequest, case) -> None:
    if not may_print_case_report(request.user, case):
        raise PermissionDenied


@roles_required(*PRINT_ROLES)
@case_view(PRINT_CASE_REPORT, log=False)
@require_http_methods(["GET"])
def case_report(request: HttpRequest, case) -> HttpResponse:
    """The case report for the signed-in team manager, as much as they may see of the case; logged as
    a print of the case (not also as a view). A long case's goes to the page that has it made."""
    _allowed(request, case)
    if large.is_large(case=case, user=request.user):
        return redirect("case_report:make", case_id=case.pk)
    pdf = case_report_pdf(user=request.user, case=case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(case)}"'
    return response


@roles_required(*PRINT_ROLES)
@case_view(PRINT_CASE_REPORT, log=False)
@require_http_methods(["GET", "POST"])
def case_report_make(request: HttpRequest, case) -> HttpResponse:
    """Ask for the case report to be made by a task, then follow its progress (the exports' page)."""
    _allowed(request, case)
    if request.method == "POST":
        export = export_request(
            actor=request.user, kind=large.KIND, parameters={"case_id": case.pk, "reference": case.reference}
        )
        return redirect("exports:export", export_id=export.pk)
    return render(
        request,
        "outcomes/case_report/make.html",
        {
            "case": case,
            "title": f"Case report: {case.reference}",
            "large": large.is_large(case=case, user=request.user),
            "limit": large.LARGE_CHRONOLOGY,
            "pdf_url": reverse("case_report:pdf", args=[case.pk]),
        },
    )
