"""The family network pages: everyone in the family with how they are related, contact details and
safety flags (cases/network.py holds the rules), and the pages that change it."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import network
from .access import case_view
from .models import Relationship
from .network_forms import NetworkPersonAddForm, NetworkPersonChangeForm, RelationshipForm
from .network_genogram import genogram_for_case
from .permissions import MANAGE_CASE, VIEW_CASE


def _editable(request: HttpRequest, case) -> None:
    if not network.network_can_edit(request.user, case):
        raise PermissionDenied("Only the lead professional or their team manager can change the family network.")


def _form_page(request, case, form, title, **extra) -> HttpResponse:
    return render(request, "cases/network/form.html", {"case": case, "form": form, "title": title, **extra})


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def network_page(request: HttpRequest, case) -> HttpResponse:
    """Everyone in the family, household first, then the wider network; the genogram."""
    people = network.family_network(case, user=request.user)
    relationships = network.family_relationships(case)
    return render(
        request,
        "cases/network/network.html",
        {
            "case": case,
            "household": [p for p in people if p.in_household],
            "wider": [p for p in people if not p.in_household],
            "relationships": relationships,
            "genogram": genogram_for_case(case, user=request.user),
            "can_edit": network.network_can_edit(request.user, case),
            "address_visible": network.address_visible(request.user, case),
        },
    )


@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
def network_person_add(request: HttpRequest, case) -> HttpResponse:
    _editable(request, case)
    form = NetworkPersonAddForm(request.POST or None, family_id=case.family_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            person = network.network_person_add(
                actor=request.user,
                case=case,
                first_name=data["first_name"],
                last_name=data["last_name"],
                kind=data["kind"],
                gender=data["gender"],
                date_of_birth=data["date_of_birth"],
                related_to=data["related_to"],
                relationship=data["relationship"],
                parental_responsibility=data["parental_responsibility"] == "yes",
                contact=form.contact(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person.full_name} added to the family network")
            return redirect("cases:network", case_id=case.pk)
    return _form_page(request, case, form, "Add someone to the family network")


@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
def network_person_change(request: HttpRequest, case, person_id: int) -> HttpResponse:
    _editable(request, case)
    membership = network.family_member(case, person_id)
    if membership is None:
        raise Http404("No person found")
    person = membership.person
    form = NetworkPersonChangeForm(
        request.POST or None, initial=NetworkPersonChangeForm.initial_for(person, membership)
    )
    if request.method == "POST" and form.is_valid():
        try:
            network.network_person_update(
                actor=request.user,
                case=case,
                person=person,
                parental_responsibility=form.cleaned_data["parental_responsibility"] == "yes",
                in_household=form.cleaned_data["in_household"] == "yes",
                contact=form.contact(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person.full_name}'s details saved")
            return redirect("cases:network", case_id=case.pk)
    return _form_page(request, case, form, f"Change {person.full_name}'s details", person=person)


@case_view(MANAGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
def relationship_add(request: HttpRequest, case) -> HttpResponse:
    _editable(request, case)
    form = RelationshipForm(request.POST or None, family_id=case.family_id)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            network.relationship_add(
                actor=request.user,
                case=case,
                person=data["person"],
                related_person=data["related_person"],
                kind=data["kind"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Relationship recorded")
            return redirect("cases:network", case_id=case.pk)
    return _form_page(
        request,
        case,
        form,
        "Record a relationship",
        hint="For example: Grace Taylor is Parent of Amara Taylor; Dean Moss is Former partner of Grace Taylor.",
    )


@case_view(MANAGE_CASE, details=True, log=False)
@require_http_methods(["GET", "POST"])
def relationship_remove(request: HttpRequest, case) -> HttpResponse:
    """Removes the relationship named in the form (its id in the body, not the address); a GET goes
    back to the network page, where each relationship has its remove button."""
    _editable(request, case)
    if request.method == "GET":
        return redirect("cases:network", case_id=case.pk)
    link = (
        Relationship.objects.select_related("person", "related_person")
        .filter(pk=request.POST.get("relationship", "") if request.POST.get("relationship", "").isdigit() else None)
        .first()
    )
    if link is None:
        messages.error(request, "Select a relationship to remove")
        return redirect("cases:network", case_id=case.pk)
    try:
        network.relationship_remove(actor=request.user, case=case, relationship=link)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Relationship removed")
    return redirect("cases:network", case_id=case.pk)
