"""The manager's case report as a PDF (`report.case_report_pdf`): team managers who may see the case
(`permissions.may_print_case_report`), each print written to the case's access log."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_http_methods

from cases.access import case_view, roles_required

from .permissions import PRINT_CASE_REPORT, PRINT_ROLES, may_print_case_report
from .report import case_report_pdf, report_filename


@roles_required(*PRINT_ROLES)
@case_view(PRINT_CASE_REPORT, log=False)
@require_http_methods(["GET"])
def case_report(request: HttpRequest, case) -> HttpResponse:
    """The case report for the signed-in team manager, as much as they may see of the case; logged as
    a print of the case (not also as a view)."""
    if not may_print_case_report(request.user, case):
        raise PermissionDenied
    pdf = case_report_pdf(user=request.user, case=case, request=request)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report_filename(case)}"'
    return response
