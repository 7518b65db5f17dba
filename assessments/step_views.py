"""Step up: the lead professional (or the team manager) escalates an active case to the front door
because harm is suspected, and the case's handovers with children's social care.

- `assessments:step-up` (`/cases/<id>/step-up/`): the reason, then a confirmation page ("check and
  send"), then `front_door.step_up.referral_from_step_up` makes the referral on the front door's
  step up channel and tells the duty managers at once. A step up still waiting for the front door's
  decision is shown rather than made again. Other pages (a review's "step up" decision) link here.
- `assessments:step-up-status` (`/cases/<id>/step-up/status/`): every step up of the case with the
  front door's decision once made, and the step down that brought the family, with its handover
  summary; for those who see the family's details.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import case_view
from cases.models import CaseStatus
from front_door.step_up import NOT_ACTIVE, referral_from_step_up, step_up_waiting

from .step_forms import StepUpForm
from .step_permissions import STEP_UP, VIEW_HANDOVERS, may_step_up
from .step_selectors import case_handover_rows


def _case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk])


@case_view(STEP_UP, details=True)
@require_http_methods(["GET", "POST"])
def step_up(request: HttpRequest, case) -> HttpResponse:
    """The reason (GET, or POST without `confirmed`), the confirmation page (a valid reason), and the
    step up (POST with `confirmed`). "Change" on the confirmation page comes back to the form with
    what was typed."""
    if case.status != CaseStatus.ACTIVE:
        messages.error(request, NOT_ACTIVE)
        return redirect(_case_url(case))
    waiting = step_up_waiting(case)
    if waiting is not None:
        messages.info(request, f"This case was stepped up ({waiting.reference}): the front door has not decided yet")
        return redirect("assessments:step-up-status", case_id=case.pk)
    form = StepUpForm(request.POST if request.method == "POST" else None)
    context = {"case": case, "form": form, "title": "Step up to children's social care"}
    if request.method == "POST" and form.is_valid() and "change" not in request.POST:
        if request.POST.get("confirmed") != "yes":
            return render(request, "assessments/step/confirm.html", {**context, "reason": form.cleaned_data["reason"]})
        try:
            referral = referral_from_step_up(actor=request.user, case=case, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error.args[0] if error.args else "You cannot step this case up")
        else:
            messages.success(request, f"Stepped up to the front door: referral {referral.reference}")
            return redirect("assessments:step-up-status", case_id=case.pk)
    if "change" in request.POST:
        form = StepUpForm(initial={"reason": request.POST.get("reason", "")})
        context["form"] = form
    return render(request, "assessments/step/step_up.html", context)


@case_view(VIEW_HANDOVERS, details=True)
@require_GET
def step_up_status(request: HttpRequest, case) -> HttpResponse:
    """The case's step ups with the front door's decisions, and its step down with the handover
    summary. One query besides the case's."""
    rows = case_handover_rows(case)
    return render(
        request,
        "assessments/step/status.html",
        {
            "case": case,
            "step_ups": [row for row in rows if row.step_up],
            "step_downs": [row for row in rows if not row.step_up],
            "can_step_up": may_step_up(case) and not any(row.waiting for row in rows if row.step_up),
            "title": "Handovers with children's social care",
        },
    )


urlpatterns = [
    path("<int:case_id>/step-up/", step_up, name="step-up"),
    path("<int:case_id>/step-up/status/", step_up_status, name="step-up-status"),
]
