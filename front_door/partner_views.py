"""The panel coordinator's page to ask partner agencies what they know about a case before the Early
Help Panel (the agencies answer on the information request pages, as they answer the front door)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_http_methods

from cases.access import object_view, roles_required
from cases.roles import Role

from . import services
from .partner_forms import CaseInformationRequestForm
from .permissions import ASK_PARTNERS


@roles_required(Role.PANEL_COORDINATOR, Role.DUTY_MANAGER)
@object_view("case_to_ask_partners", ASK_PARTNERS)
@require_http_methods(["GET", "POST"])
def case_information_request_new(request: HttpRequest, case) -> HttpResponse:
    """Ask one or more agencies the same question about the case, answering by a date. Back to the
    case page, whose "Partner requests" section lists them; what was typed is kept on an error."""
    form = CaseInformationRequestForm(request.POST if request.method == "POST" else None, case=case)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            asked = services.case_information_requests_create(
                actor=request.user,
                case=case,
                agencies=list(data["agencies"]),
                question=data["question"],
                due_at=data["due_at"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            names = ", ".join(sorted(asked_one.agency.name for asked_one in asked))
            messages.success(request, f"Partner agencies asked: {names}")
            return redirect("cases:case-detail", case_id=case.pk)
    return render(request, "front_door/case_information_request_new.html", {"case": case, "form": form})


urlpatterns = [
    path(
        "cases/<int:case_id>/partner-requests/new/",
        case_information_request_new,
        name="case-information-request-new",
    ),
]
