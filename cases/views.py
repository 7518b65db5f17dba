"""Pages of the shared record: home per role, case list and case page, the team, notes, consent,
the case lifecycle actions, people, figures and the access log."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Submit
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from . import forms, selectors, services
from .access import case_view, object_view, public, register_record_kind, roles_required, signed_in
from .audit import Subject, access_log_record
from .extensions import registry
from .list_filters import CaseListFilterForm
from .models import AccessLog, CaseMember, CaseStatus, Consent, Locality, Person
from .paging import page_of, page_of_rows_counted_together
from .parts import CASE_ACTION_DONE, CASE_ACTION_LABELS
from .permissions import CHANGE_CASE, MANAGE_CASE, VIEW_CASE, VIEW_PERSON, case_get_for_user
from .querystring import query_id, query_text
from .roles import CASE_LIST_ROLES, Role

PAGE_SIZE = 25


@public
def static_page(request: HttpRequest, template: str) -> HttpResponse:
    return render(request, f"pages/{template}.html")


@public
def health(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


def _rendered(parts, *args) -> list[dict]:
    """Each registered part with its context, leaving out those whose context is None."""
    shown = []
    for part in parts:
        context = part.context(*args)
        if context is not None:
            shown.append({"key": part.key, "template": part.template, "context": context})
    return shown


@signed_in
def home(request: HttpRequest) -> HttpResponse:
    """One page per user: the panels registered for each of their roles (cases/extensions.py)."""
    panels = _rendered(registry.panels_for(request.user), request)
    return render(request, "cases/home.html", {"panels": panels})


@roles_required(*CASE_LIST_ROLES)
def case_list(request: HttpRequest) -> HttpResponse:
    """The cases the user may see, searched by name or reference, filtered (status, locality, lead
    professional, their own) and sorted. Filters that are not among the choices offered get a
    message and a 400, and no list."""
    filters = CaseListFilterForm(
        request.GET,
        statuses=CaseStatus.choices,
        localities=list(Locality.objects.values_list("pk", "name")),
        lead_professionals=[
            (pk, ", ".join(filter(None, [f"{first} {last}".strip(), agency])))
            for pk, first, last, agency in selectors.lead_professional_choices()
        ],
        sorts=selectors.CaseSort.choices,
        no_lead_professional=selectors.NO_LEAD_PROFESSIONAL,
    )
    context = {"filters": filters, "filtered": False}
    if not filters.is_valid():
        return render(request, "cases/case_list.html", context, status=400)
    chosen = filters.cleaned_data
    queryset = selectors.case_list_for_user(
        user=request.user,
        status=chosen["status"],
        locality_id=chosen["locality"],
        mine=chosen["mine"],
        lead_professional=chosen["lead_professional"],
        search=chosen["search"],
        sort=chosen["sort"],
    )
    page, querystring = page_of(request, selectors.case_rows(queryset), PAGE_SIZE)
    context.update(
        page_obj=page,
        querystring=querystring,
        filtered=any(chosen[name] for name in ("search", "status", "locality", "lead_professional", "mine")),
    )
    return render(request, "cases/case_list.html", context)


@case_view(VIEW_CASE)
def case_detail(request: HttpRequest, case) -> HttpResponse:
    """The case: its summary, the actions the viewer may take now, then each registered section."""
    actions = [(action.label, action.url(case)) for action in registry.actions_for(request.user, case)]
    sections = _rendered(registry.case_sections, request, case)
    return render(request, "cases/case_detail.html", {"case": case, "actions": actions, "sections": sections})


def _form_page(request, case, form, title, template="cases/form.html", **extra):
    return render(request, template, {"case": case, "form": form, "title": title, **extra})


@case_view(CHANGE_CASE)
@require_http_methods(["GET", "POST"])
def case_note_add(request: HttpRequest, case) -> HttpResponse:
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


@case_view(MANAGE_CASE)
@require_http_methods(["GET", "POST"])
def case_member_add(request: HttpRequest, case) -> HttpResponse:
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


@case_view(MANAGE_CASE, log=False)
@require_http_methods(["GET", "POST"])
def case_member_remove(request: HttpRequest, case, member_id: int) -> HttpResponse:
    """Asks "Are you sure?" on a page of its own (it works without JavaScript), then removes them."""
    member = get_object_or_404(
        CaseMember.objects.select_related("user", "user__agency"), pk=member_id, case=case, ended_at__isnull=True
    )
    if request.method == "GET":
        return render(request, "cases/member_remove.html", {"case": case, "member": member})
    try:
        services.case_member_remove(actor=request.user, member=member)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{member.user.get_full_name()} removed from the team around the family")
    return redirect("cases:case-detail", case_id=case.pk)


@case_view(CHANGE_CASE, details=True)
@require_http_methods(["GET", "POST"])
def consent_add(request: HttpRequest, case) -> HttpResponse:
    """One person's decision, with its evidence: the signed form uploaded, or how it was given and
    who witnessed it (`services.consent_record` holds the rules)."""
    # A link may say what the consent is for ("?scope=assessment" from the assessment's page).
    scope = request.GET.get("scope", "")
    initial = {"scope": scope} if scope in (Consent.Scope.ASSESSMENT, Consent.Scope.SHARING) else {}
    form = forms.ConsentForm(
        request.POST or None, request.FILES or None, family=case.family, user=request.user, initial=initial
    )
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
                not_sought_reason=data.get("not_sought_reason", ""),
                method=data["method"],
                witness=data["witness"],
                evidence_file=data["evidence_file"],
                capacity_judgement=data["capacity_judgement"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Consent recorded")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, "Record consent")


CONSENT_PAGE_SIZE = 25


@case_view(VIEW_CASE, details=True)
@require_http_methods(["GET"])
def consent_list(request: HttpRequest, case) -> HttpResponse:
    """Every consent decision of the family, newest first, with its evidence, a page at a time."""
    rows = (
        Consent.objects.filter(family_id=case.family_id)
        .order_by("-recorded_at", "-id")
        .values(
            *("id", "scope", "status", "decided_on", "not_sought_reason", "evidence", "evidence_file"),
            *("method", "witness", "capacity_judgement", "recorded_at"),
            *("person__first_name", "person__last_name", "agency__name"),
            *("recorded_by__first_name", "recorded_by__last_name"),
        )
    )
    page, querystring = page_of_rows_counted_together(request, rows, CONSENT_PAGE_SIZE)
    consents = [
        {
            **row,
            "scope_label": Consent.Scope(row["scope"]).label,
            "status_label": Consent.Status(row["status"]).label,
            "method_label": Consent.Method(row["method"]).label if row["method"] else "",
            "evidence_label": Consent.Evidence(row["evidence"]).label if row["evidence"] else "",
        }
        for row in page.object_list
    ]
    return render(
        request,
        "cases/consent/list.html",
        {
            "case": case,
            "consents": consents,
            "page_obj": page,
            "querystring": querystring,
            "can_record": CHANGE_CASE in case.perms,
        },
    )


def consent_evidence_get_for_user(
    *, user, case_id: int, consent_id: int, perm: str = VIEW_CASE, request=None, log: bool = True
) -> Consent:
    """A consent decision's signed form, for those who hold `perm` on the case and see the family's
    details; else 404 (missing, not yours, or no form: the same answer). The download is written to
    the access log as an export of the person's record (the case's own view is not: the form is
    what was read)."""
    case = case_get_for_user(user=user, case_id=case_id, perm=perm, request=request, log=False)
    if not case.details_visible:
        raise Http404("No case found")
    consent = Consent.objects.exclude(evidence_file="").filter(pk=consent_id, family_id=case.family_id).first()
    if consent is None:
        raise Http404("No signed consent form found")
    if log:
        access_log_record(
            user=user,
            action=AccessLog.Action.EXPORT,
            record_type="consent_evidence",
            record_id=consent.pk,
            subject=Subject(case_id=case.pk, person_ids=(consent.person_id,)),
            request=request,
        )
    return consent


register_record_kind("consent_evidence", consent_evidence_get_for_user, "case_id", "consent_id")


@object_view("consent_evidence", VIEW_CASE)
@require_http_methods(["GET"])
def consent_evidence(request: HttpRequest, consent: Consent) -> HttpResponse:
    """The signed consent form, downloaded through its access function: never a public media URL."""
    handle = consent.evidence_file.open("rb")
    kind = services.consent_evidence_type(handle) or "application/octet-stream"
    extension = services.CONSENT_EVIDENCE_EXTENSIONS.get(kind, "bin")
    response = FileResponse(handle, content_type=kind, as_attachment=True, filename=f"consent-{consent.pk}.{extension}")
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


@case_view(CHANGE_CASE)
@require_http_methods(["GET", "POST"])
def case_action(request: HttpRequest, case, action: str) -> HttpResponse:
    """The lifecycle moves. Every move needs at least `change_case` on the case; each is then
    allowed only where `services.action_allowed` says so (403 otherwise)."""
    if action not in CASE_ACTION_LABELS:
        raise Http404("No such action")
    if not services.action_allowed(actor=request.user, case=case, action=action, perms=case.perms):
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
    # Questions other apps ask on this move's page (the outcomes of each need at closure, ...).
    asked = [
        (questions, extra)
        for questions in registry.questions_for(action)
        if (extra := questions.form(case, data, request.FILES or None, action)) is not None
    ]
    if request.method == "POST" and all([form.is_valid(), *(extra.is_valid() for _q, extra in asked)]):
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
            with transaction.atomic():
                call()
                for questions, extra in asked:
                    try:
                        questions.save(extra, case, request.user, action, d)
                    except ValidationError as error:
                        extra.add_service_errors(error)
                        raise
        except ValidationError as error:
            if not any(extra.errors for _q, extra in asked):
                form.add_service_errors(error)
        else:
            messages.success(request, CASE_ACTION_DONE[action])
            return redirect("cases:case-detail", case_id=case.pk)
    if asked:
        return _move_page(request, case, form, [extra for _q, extra in asked], CASE_ACTION_LABELS[action])
    return _form_page(request, case, form, CASE_ACTION_LABELS[action])


def _move_page(request, case, form, extras, title) -> HttpResponse:
    """A lifecycle move's page with other apps' questions after its own, in one HTML form: the
    move's own button comes last."""
    for part in (form, *extras):
        part.helper.form_tag = False
        part.helper.layout.fields = [f for f in part.helper.layout.fields if not isinstance(f, Submit)]
    forms_shown = [form, *extras]
    return render(
        request,
        "cases/move_form.html",
        {
            "case": case,
            "forms": forms_shown,
            "has_errors": any(part.errors for part in forms_shown),
            "title": title,
            "submit_label": form.submit_label,
        },
    )


@roles_required(Role.LEAD_PROFESSIONAL, Role.TEAM_MANAGER)
@case_view(MANAGE_CASE)
@require_http_methods(["GET", "POST"])
def case_return_to_panel(request: HttpRequest, case) -> HttpResponse:
    """An active case sent back to the panel by its lead professional or their manager: stuck, the
    family refused to engage or disengaged, with a note for the panel (403 where
    `services.action_allowed` refuses, as for the other lifecycle moves)."""
    if not services.action_allowed(actor=request.user, case=case, action="return_to_panel", perms=case.perms):
        raise PermissionDenied
    form = forms.ReturnToPanelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.case_return_to_panel(
                actor=request.user, case=case, route=form.cleaned_data["route"], note=form.cleaned_data["note"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Case sent back to the panel")
            return redirect("cases:case-detail", case_id=case.pk)
    return _form_page(request, case, form, "Send back to the panel")


@roles_required(Role.DUTY_MANAGER, Role.CONTACT_OFFICER)
def person_search(request: HttpRequest) -> HttpResponse:
    name = query_text(request.GET, "name")
    results = None
    if name:
        page, querystring = page_of(request, selectors.person_search(name=name), PAGE_SIZE)
        results = {"page_obj": page, "querystring": querystring}
    return render(request, "cases/person_search.html", {"name": name, "results": results})


@object_view("person", VIEW_PERSON)
def person_detail(request: HttpRequest, person: Person) -> HttpResponse:
    cases = selectors.person_cases(user=request.user, person=person)
    return render(request, "cases/person_detail.html", {"person": person, "cases": cases})


@roles_required(Role.ANALYST)
def figures(request: HttpRequest) -> HttpResponse:
    return render(request, "cases/figures.html", {"figures": selectors.case_figures()})


@roles_required(Role.ADMINISTRATOR)
def access_log(request: HttpRequest) -> HttpResponse:
    """Who viewed a given child: pick the person by name, then every view of their record."""
    person_id = query_id(request.GET, "person")
    name = query_text(request.GET, "name")
    context = {"name": name}
    if person_id is not None:
        person = get_object_or_404(Person, pk=person_id)
        page, querystring = page_of(request, selectors.person_viewers(person=person), 50)
        context.update(person=person, page_obj=page, querystring=querystring)
    elif name:
        context["candidates"] = selectors.person_search(name=name)[:20]
    return render(request, "cases/access_log.html", context)
