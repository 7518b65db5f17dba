"""The administrator's subject access pages: the requests, opening one (find the person, then who
asked and when), a request with its status, the redaction step (one group of items a page, a
checkbox on each, withhold with a reason or release) and making the export, whose progress and
once-only download are the exports app's pages."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cases.access import object_view, roles_required
from cases.models import Person
from cases.paging import page_of
from cases.querystring import query_id, query_text
from cases.roles import Role
from cases.selectors import person_search

from . import selectors, services
from .forms import MarkForm, OpenForm
from .models import RequestStatus, SubjectAccessRequest, WithholdReason
from .permissions import CHANGE_REQUEST, VIEW_REQUEST

PAGE_SIZE = 25
ITEMS_PAGE_SIZE = 20
CANDIDATES = 20


@roles_required(Role.ADMINISTRATOR)
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    page, querystring = page_of(request, selectors.requests_list(), PAGE_SIZE)
    return render(
        request,
        "outcomes/subject_access/list.html",
        {"page_obj": page, "querystring": querystring, "today": timezone.localdate()},
    )


def _date_of_birth(params) -> tuple[datetime.date | None, str]:
    """The date of birth typed in the search (day, month, year), or None, and an error."""
    parts = [query_text(params, f"dob_{n}", 4) for n in range(3)]
    if not any(parts):
        return None, ""
    try:
        return datetime.date(int(parts[2]), int(parts[1]), int(parts[0])), ""
    except ValueError:
        return None, "Date of birth must be a real date"


@roles_required(Role.ADMINISTRATOR)
@require_http_methods(["GET", "POST"])
def request_new(request: HttpRequest) -> HttpResponse:
    """Find the person (by name and date of birth, or by their ID number), then record who asked and
    when the request was received."""
    # The person chosen stays in the address (an id, not a name) while the form is filled in.
    person_id = query_id(request.GET, "person")
    person = Person.objects.filter(pk=person_id).first() if person_id is not None else None
    if person is None:
        name = query_text(request.GET, "name")
        date_of_birth, dob_error = _date_of_birth(request.GET)
        searched = bool(name or date_of_birth or dob_error)
        candidates = (
            list(person_search(name=name, date_of_birth=date_of_birth)[:CANDIDATES])
            if (name or date_of_birth) and not dob_error
            else []
        )
        return render(
            request,
            "outcomes/subject_access/find.html",
            {
                "name": name,
                "dob": [query_text(request.GET, f"dob_{n}", 4) for n in range(3)],
                "dob_error": dob_error,
                "searched": searched,
                "candidates": candidates,
                "unknown_id": person_id is not None,
            },
        )
    form = OpenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            sar = services.sar_open(
                actor=request.user,
                person=person,
                requester=form.cleaned_data["requester"],
                received_on=form.cleaned_data["received_on"],
                notes=form.cleaned_data["notes"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Request {sar.reference} opened")
            return redirect("subject_access:request", sar_id=sar.pk)
    return render(request, "outcomes/subject_access/new.html", {"form": form, "person": person})


@roles_required(Role.ADMINISTRATOR)
@object_view("subject_access_request", VIEW_REQUEST)
@require_GET
def request_detail(request: HttpRequest, sar: SubjectAccessRequest) -> HttpResponse:
    page, querystring = page_of(
        request, sar.redactions.select_related("marked_by").order_by("item_type", "item_id"), PAGE_SIZE
    )
    return render(
        request,
        "outcomes/subject_access/detail.html",
        {
            "sar": sar,
            "groups": selectors.GROUPS,
            "withheld": page.paginator.count,
            "page_obj": page,
            "querystring": querystring,
            "days_left": (sar.due_on - timezone.localdate()).days,
            "export": sar.export,
        },
    )


def _items_page(request: HttpRequest, sar: SubjectAccessRequest, params):
    group = selectors.GROUPS_BY_KEY.get(query_text(params, "group", 30)) or selectors.GROUPS[0]
    scope = selectors.scope_of(sar.person)
    page, _ = page_of(request, group.rows(scope), ITEMS_PAGE_SIZE)
    items = selectors.page_items(group, page.object_list, scope)
    return group, page, items


@roles_required(Role.ADMINISTRATOR)
@object_view("subject_access_request", CHANGE_REQUEST)
@require_http_methods(["GET", "POST"])
def request_items(request: HttpRequest, sar: SubjectAccessRequest) -> HttpResponse:
    """The redaction step: one group's items a page, each with a checkbox; withhold the ticked items
    for a reason, or release them. Each item is withheld whole."""
    params = request.POST if request.method == "POST" else request.GET
    group, page, items = _items_page(request, sar, params)
    form = MarkForm(request.POST or None, keys=[item.key for item in items])
    if request.method == "POST":
        if form.is_valid():
            try:
                if form.cleaned_data["action"] == MarkForm.WITHHOLD:
                    done = services.redaction_withhold(
                        actor=request.user,
                        request=sar,
                        items=form.item_keys(),
                        reason=form.cleaned_data["reason"],
                        explanation=form.cleaned_data["explanation"],
                    )
                    words = f"{done} item{'s' if done != 1 else ''} withheld"
                else:
                    done = services.redaction_release(actor=request.user, request=sar, items=form.item_keys())
                    words = f"{done} item{'s' if done != 1 else ''} released"
            except ValidationError as error:
                form.add_error(None, error.messages)
            else:
                messages.success(request, words)
                url = reverse("subject_access:request-items", args=[sar.pk])
                return redirect(f"{url}?group={group.key}&page={page.number}")
    redactions = selectors.redactions_for(sar, items)
    rows = [{"item": item, "redaction": redactions.get(item.key)} for item in items]
    ticked = set(form.data.getlist("items")) if form.is_bound else set()
    return render(
        request,
        "outcomes/subject_access/items.html",
        {
            "sar": sar,
            "group": group,
            "groups": selectors.GROUPS,
            "page_obj": page,
            "querystring": f"group={group.key}",
            "rows": rows,
            "form": form,
            "ticked": ticked,
            "reasons": WithholdReason.choices,
            "other": WithholdReason.OTHER,
            "editable": sar.status == RequestStatus.DRAFT,
        },
    )


@roles_required(Role.ADMINISTRATOR)
@object_view("subject_access_request", CHANGE_REQUEST, log=False)
@require_POST
def request_status(request: HttpRequest, sar: SubjectAccessRequest) -> HttpResponse:
    """Mark the request checked (ready to export), or reopen it to change what is withheld."""
    move = request.POST.get("move")
    try:
        if move == "ready":
            services.sar_mark_ready(actor=request.user, request=sar)
            messages.success(request, "Request ready to export")
        elif move == "reopen":
            services.sar_reopen(actor=request.user, request=sar)
            messages.success(request, "Request reopened: you can change what is withheld")
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("subject_access:request", sar_id=sar.pk)


@roles_required(Role.ADMINISTRATOR)
@object_view("subject_access_request", CHANGE_REQUEST, log=False)
@require_POST
def request_export(request: HttpRequest, sar: SubjectAccessRequest) -> HttpResponse:
    """Make the export (the PDF and the JSON), then follow its progress on the exports' page."""
    try:
        export = services.sar_export(actor=request.user, request=sar)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("subject_access:request", sar_id=sar.pk)
    return redirect("exports:export", export_id=export.pk)
