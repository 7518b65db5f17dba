"""The front door's pages for a step down from children's social care: recording what social care
handed over (`step_down.referral_from_step_down`, the same service as the API's), and the handover's
page (the referral, the summary, the family and the case it went to). Duty managers and contact
officers record; the handover's page is the referral's (`referral_get_for_user`: the front door,
and whoever recorded it)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import object_view, roles_required
from cases.models import LevelOfNeed
from cases.roles import FRONT_DOOR_ROLES

from .permissions import VIEW_REFERRAL
from .step_down import referral_from_step_down, step_down_route
from .step_down_forms import ADULT_SLOTS, CHILD_SLOTS, StepDownForm
from .step_permissions import step_down_get_for_user  # noqa: F401 (registers the record kind)
from .step_selectors import referral_handover


def _levels() -> list[LevelOfNeed]:
    return list(LevelOfNeed.objects.filter(active=True).order_by("sort_order", "name"))


@roles_required(*FRONT_DOOR_ROLES)
@require_http_methods(["GET", "POST"])
def step_down_new(request: HttpRequest) -> HttpResponse:
    """Record a family handed over by children's social care. Two queries besides the session's and
    the user's (the levels of need); what was typed stays when something is wrong."""
    form = StepDownForm(request.POST if request.method == "POST" else None, levels=_levels())
    if request.method == "POST" and form.is_valid():
        try:
            referral = referral_from_step_down(actor=request.user, data=form.step_down_data())
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error.args[0] if error.args else "You cannot do that")
        else:
            messages.success(request, f"Step down {referral.reference} received")
            return redirect("front_door:step-down", referral_id=referral.pk)
    return render(
        request,
        "front_door/step_down/new.html",
        {
            "form": form,
            "title": "Step down from children's social care",
            "to_panel": step_down_route() == "panel",
            "child_slots": CHILD_SLOTS,
            "adult_slots": ADULT_SLOTS,
        },
    )


@object_view("step_down", VIEW_REFERRAL)
@require_GET
def step_down_detail(request: HttpRequest, referral) -> HttpResponse:
    """A step down: what social care handed over, the children and adults named, and the case the
    family went to (a link for those who may open it: the case page checks)."""
    handover = referral_handover(referral_id=referral.pk)
    if handover is None:
        raise Http404("No step down found")
    return render(
        request,
        "front_door/step_down/detail.html",
        {
            "referral": referral,
            "handover": handover,
            "people": list(referral.people.order_by("kind", "id")),
            "title": f"Step down {referral.reference}",
        },
    )


urlpatterns = [
    path("front-door/step-down/new/", step_down_new, name="step-down-new"),
    path("front-door/step-down/<int:referral_id>/", step_down_detail, name="step-down"),
]
