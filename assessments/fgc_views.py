"""Family group conference pages: the case's conferences (for those who see the family's details),
and, for the lead professional and team manager of an active case, the offer, the family's answer
and the conference held. Every write goes through the `fgc` services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import case_view, object_view

from . import fgc
from .fgc_forms import FgcHeldForm, FgcOfferForm, FgcResponseForm
from .fgc_permissions import RECORD_FGC, VIEW_FGC, case_conferences, may_record_fgc
from .models import ConferenceResponse


def _list_url(case) -> str:
    return reverse("assessments:fgc-list", args=[case.pk])


def _refused(request: HttpRequest, case) -> HttpResponse | None:
    if may_record_fgc(case):
        return None
    messages.error(request, fgc.NOT_ACTIVE)
    return redirect(_list_url(case))


def _write(form, call) -> bool:
    try:
        call()
    except ValidationError as error:
        form.add_service_errors(error)
    except PermissionDenied as error:
        form.add_error(None, error.args[0] if error.args else fgc.NOT_ALLOWED)
    else:
        return True
    return False


@case_view(VIEW_FGC, details=True)
@require_GET
def fgc_list(request: HttpRequest, case) -> HttpResponse:
    """Every conference of the case, the latest offer first. One query besides the case's."""
    conferences = case_conferences(case)
    can_record = may_record_fgc(case)
    open_one = any(c.held_on is None and c.response != ConferenceResponse.DECLINED for c in conferences)
    return render(
        request,
        "assessments/fgc/list.html",
        {
            "case": case,
            "conferences": conferences,
            "can_record": can_record,
            "can_offer": can_record and not open_one,
            "title": "Family group conferences",
        },
    )


@case_view(RECORD_FGC, details=True)
@require_http_methods(["GET", "POST"])
def fgc_offer(request: HttpRequest, case) -> HttpResponse:
    if (refused := _refused(request, case)) is not None:
        return refused
    form = FgcOfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        if _write(
            form, lambda: fgc.fgc_offer(actor=request.user, case=case, offered_on=form.cleaned_data["offered_on"])
        ):
            messages.success(request, "Family group conference offer recorded")
            return redirect(_list_url(case))
    return render(
        request,
        "assessments/fgc/form.html",
        {"case": case, "form": form, "title": "Offer a family group conference"},
    )


@object_view("fgc", RECORD_FGC)
@require_http_methods(["GET", "POST"])
def fgc_response(request: HttpRequest, record) -> HttpResponse:
    case, conference = record
    if (refused := _refused(request, case)) is not None:
        return refused
    initial = {"response": conference.response} if conference.response != ConferenceResponse.OFFERED else None
    form = FgcResponseForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _write(
            form,
            lambda: fgc.fgc_respond(
                actor=request.user, conference=conference, response=data["response"], responded_on=data["responded_on"]
            ),
        ):
            messages.success(request, "The family's answer is recorded")
            return redirect(_list_url(case))
    return render(
        request,
        "assessments/fgc/form.html",
        {"case": case, "form": form, "conference": conference, "title": "The family's answer"},
    )


@object_view("fgc", RECORD_FGC)
@require_http_methods(["GET", "POST"])
def fgc_held(request: HttpRequest, record) -> HttpResponse:
    case, conference = record
    if (refused := _refused(request, case)) is not None:
        return refused
    form = FgcHeldForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _write(
            form,
            lambda: fgc.fgc_record_held(
                actor=request.user,
                conference=conference,
                held_on=data["held_on"],
                attended=data["attended"],
                family_plan=data["family_plan"],
            ),
        ):
            messages.success(request, "Family group conference recorded")
            return redirect(_list_url(case))
    return render(
        request,
        "assessments/fgc/form.html",
        {"case": case, "form": form, "conference": conference, "title": "Record the family group conference"},
    )


urlpatterns = [
    path("<int:case_id>/family-group-conferences/", fgc_list, name="fgc-list"),
    path("<int:case_id>/family-group-conferences/offer/", fgc_offer, name="fgc-offer"),
    path("<int:case_id>/family-group-conferences/<int:fgc_id>/answer/", fgc_response, name="fgc-response"),
    path("<int:case_id>/family-group-conferences/<int:fgc_id>/held/", fgc_held, name="fgc-held"),
]
