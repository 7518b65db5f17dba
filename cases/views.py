"""Pages of the shared record: home per role, case list and case page, the team, notes, consent,
the case lifecycle actions, people, figures and the access log."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import forms, selectors, services
from .access import case_permission, public, roles_required, signed_in
from .models import CaseMember, CaseStatus, Locality, Person
from .permissions import (
    CHANGE_CASE,
    MANAGE_CASE,
    VIEW_CASE,
    cases_for_user,
)
from .roles import Role

PAGE_SIZE = 25
CASE_ROLES = (
    Role.DUTY_MANAGER,
    Role.PANEL_COORDINATOR,
    Role.TEAM_MANAGER,
    Role.LEAD_PROFESSIONAL,
    Role.REFERRER,
    Role.CONTACT_OFFICER,
)


def _page(request: HttpRequest, queryset, size: int = PAGE_SIZE):
    page = Paginator(queryset, size).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return page, query.urlencode()


@public
def static_page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, f"pages/{template}.html")


@public
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """One page per role: each section lists the work that role does, a few rows each."""
    user = request.user
    case_list = reverse("cases:case-list")
    sections = []
    if user.has_role(Role.LEAD_PROFESSIONAL):
        sections.append(("Families you lead", selectors.HOME_LED, f"{case_list}?mine=1"))
    if user.has_role(Role.REFERRER, Role.LEAD_PROFESSIONAL) or not user.roles:
        sections.append(("Teams around the family you are in", selectors.HOME_TEAMS, f"{case_list}?mine=1"))
    if user.has_role(Role.PANEL_COORDINATOR):
        sections.append(
            (
                "Awaiting allocation",
                selectors.HOME_AWAITING_ALLOCATION,
                f"{case_list}?status={CaseStatus.AWAITING_ALLOCATION}",
            )
        )
    if user.has_role(Role.TEAM_MANAGER):
        sections.append(
            ("Closures to sign off", selectors.HOME_CLOSURES, f"{case_list}?status={CaseStatus.CLOSURE_REQUESTED}")
        )
        sections.append(
            (
                "Awaiting a lead professional",
                selectors.HOME_AWAITING_LEAD,
                f"{case_list}?status={CaseStatus.AWAITING_LEAD_PROFESSIONAL}",
            )
        )
    if user.has_role(Role.DUTY_MANAGER):
        sections.append(("Recently opened cases", selectors.HOME_RECENT, case_list))
    sections = [(title, query.page(user, limit=10), link) for title, query, link in sections]  # newest first
    figures = selectors.case_figures() if user.has_role(Role.ANALYST) else None
    return render(request, "cases/home.html", {"sections": sections, "figures": figures})


@roles_required(*CASE_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "")
    status = status if status in CaseStatus.values else ""
    locality = request.GET.get("locality", "")
    locality_id = int(locality) if locality.isdigit() else None
    mine = request.GET.get("mine") == "1"
    queryset = selectors.case_list_for_user(user=request.user, status=status, locality_id=locality_id, mine=mine)
    page, querystring = _page(request, queryset)
    return render(
        request,
        "cases/case_list.html",
        {
            "page_obj": page,
            "querystring": querystring,
            "statuses": CaseStatus.choices,
            "status": status,
            "localities": Locality.objects.all(),
            "locality_id": locality_id,
            "mine": mine,
        },
    )


@case_permission(VIEW_CASE)
def case_detail(request: HttpRequest, case_id: int) -> HttpResponse:
    user = request.user
    case = selectors.case_get_for_user(user=user, case_id=case_id, request=request, with_perms=True)
    chronology, querystring = _page(request, selectors.case_chronology_pages(case=case, user=user), 20)
    perms = case.perms
    actions = [
        (action, label)
        for action, label in CASE_ACTION_LABELS.items()
        if services.action_allowed(actor=user, case=case, action=action, perms=perms)
    ]
    context = {
        "case": case,
        "members": selectors.case_members(case=case),
        "chronology": chronology,
        "querystring": querystring,
        "actions": actions,
        "can_add_note": CHANGE_CASE in perms,
        "can_manage": MANAGE_CASE in perms,
    }
    if case.details_visible:
        context["people"] = selectors.case_people(case=case)
        context["consents"] = selectors.case_consents(case=case)
    return render(request, "cases/case_detail.html", context)


def _form_page(request, case, form, title, template="cases/form.html", **extra):
    return render(request, template, {"case": case, "form": form, "title": title, **extra})


@case_permission(CHANGE_CASE)
@require_http_methods(["GET", "POST"])
def case_note_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, perm=CHANGE_CASE, request=request)
    form = forms.NoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        day = form.cleaned_data["occurred_on"]
        # A note about today is timed now; an earlier day at noon, so it sorts within its day.
        occurred_at = (
            timezone.make_aware(datetime.datetime.combine(day, datetime.time(12)))
            if day and day != timezone.localdate()
            else None
        )
        try:
            services.chronology_note_add(
                actor=request.user,
                case=case,
                kind=form.cleaned_data["kind"],
                summary=form.cleaned_data["summary"],
                body=form.cleaned_data["body"],
                occurred_at=occurred_at,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Note saved")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, "Add a note")


@case_permission(MANAGE_CASE)
@require_http_methods(["GET", "POST"])
def case_member_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, perm=MANAGE_CASE, request=request)
    form = forms.MemberAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            member = services.case_member_add(
                actor=request.user, case=case, user=form.cleaned_data["user"], role=form.cleaned_data["role"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{member.user.get_full_name()} added to the team around the family")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, "Add someone to the team around the family")


@case_permission(MANAGE_CASE)
@require_POST
def case_member_remove(request: HttpRequest, case_id: int, member_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, perm=MANAGE_CASE, request=request)
    member = get_object_or_404(CaseMember, pk=member_id, case=case, ended_at__isnull=True)
    try:
        services.case_member_remove(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member.user.get_full_name()} removed from the team around the family")
    return redirect("cases:case-detail", case_id=case.pk)


@case_permission(CHANGE_CASE)
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, case_id: int) -> HttpResponse:
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, perm=CHANGE_CASE, request=request)
    if not case.details_visible:
        raise Http404("No case found")
    form = forms.ConsentForm(request.POST or None, family=case.family)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.consent_record(
                actor=request.user,
                family=case.family,
                case=case,
                person=data["person"],
                scope=data["scope"],
                status=data["status"],
                agency=data["agency"],
                evidence=data["evidence"],
                decided_on=data["decided_on"],
                not_sought_reason=data["not_sought_reason"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Consent recorded")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, "Record consent")


CASE_ACTION_LABELS = {
    "allocate": "Allocate a lead agency",
    "assign_lead_professional": "Assign a lead professional",
    "request_closure": "Request closure",
    "return_closure": "Return to the lead professional",
    "sign_off_closure": "Sign off closure",
    "close_unallocated": "Close without allocation",
}


@case_permission(CHANGE_CASE)
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, case_id: int, action: str) -> HttpResponse:
    """The lifecycle moves. Each is allowed only where `services.action_allowed` says so."""
    if action not in CASE_ACTION_LABELS:
        raise Http404("No such action")
    case = selectors.case_get_for_user(user=request.user, case_id=case_id, perm=VIEW_CASE, request=request)
    if not services.action_allowed(actor=request.user, case=case, action=action):
        raise PermissionDenied
    data = request.POST or None
    form = {
        "allocate": lambda: forms.AllocateForm(data),
        "assign_lead_professional": lambda: forms.AssignLeadProfessionalForm(data, case=case),
        "request_closure": lambda: forms.ClosureForm(data),
        "close_unallocated": lambda: forms.ClosureForm(data, unallocated=True),
        "return_closure": lambda: forms.ReturnClosureForm(data),
        "sign_off_closure": lambda: forms.ManagerNoteForm(data),
    }[action]()
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        call = {
            "allocate": lambda: services.case_allocate(
                actor=request.user, case=case, lead_agency=d["lead_agency"], team=d["team"]
            ),
            "assign_lead_professional": lambda: services.case_assign_lead_professional(
                actor=request.user, case=case, lead_professional=d["lead_professional"]
            ),
            "request_closure": lambda: services.case_request_closure(
                actor=request.user, case=case, reason=d["reason"], summary=d["summary"]
            ),
            "close_unallocated": lambda: services.case_close_unallocated(
                actor=request.user, case=case, reason=d["reason"], summary=d["summary"]
            ),
            "return_closure": lambda: services.case_return_closure(actor=request.user, case=case, note=d["note"]),
            "sign_off_closure": lambda: services.case_sign_off_closure(actor=request.user, case=case, note=d["note"]),
        }[action]
        try:
            call()
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{CASE_ACTION_LABELS[action]}: done")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, CASE_ACTION_LABELS[action])


@roles_required(Role.DUTY_MANAGER, Role.CONTACT_OFFICER)
def person_search(request: HttpRequest) -> HttpResponse:
    name = request.GET.get("name", "").strip()[:100]
    results = None
    if name:
        page, querystring = _page(request, selectors.person_search(name=name))
        results = {"page_obj": page, "querystring": querystring}
    return render(request, "cases/person_search.html", {"name": name, "results": results})


@signed_in
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    person = selectors.person_get_for_user(user=request.user, person_id=person_id, request=request)
    cases = (
        cases_for_user(request.user, VIEW_CASE)
        .filter(family__memberships__person=person)
        .select_related("level_of_need", "lead_professional")
    )
    return render(request, "cases/person_detail.html", {"person": person, "cases": cases})


@roles_required(Role.ANALYST)
def figures(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/figures.html", {"figures": selectors.case_figures()})


@roles_required(Role.ADMINISTRATOR)
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed a given child: pick the person by name, then every view of their record."""
    person_id = request.GET.get("person", "")
    name = request.GET.get("name", "").strip()[:100]
    context = {"name": name}
    if person_id.isdigit():
        person = get_object_or_404(Person, pk=int(person_id))
        page, querystring = _page(request, selectors.person_viewers(person=person), 50)
        context.update(person=person, page_obj=page, querystring=querystring)
    elif name:
        context["candidates"] = selectors.person_search(name=name)[:20]
    return render(request, "cases/access_log.html", context)
