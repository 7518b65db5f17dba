"""The family plan's pages: the plan (outcomes with their needs and actions, each action's owner, due
date, measure, status and latest progress; the contingency and exit plans; its versions), adding,
changing and ending outcomes and actions, recording progress on an action, the family's agreement,
a past version beside the current plan, the PDF, and a practitioner's own actions across their cases.

Access is `plan_permissions`' (each page declares the least it needs through `cases.access`, the
finer rule checked inside); every write goes through `plans`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases.access import case_view, object_view, roles_required
from cases.audit import RecordType, Subject, access_log_record
from cases.models import AccessLog, CaseStatus
from cases.paging import page_of
from cases.permissions import VIEW_CASE
from cases.roles import PRACTITIONER_ROLES

from . import plan_selectors as selectors
from . import plans
from .pdf import pdf_filename, pdf_render
from .plan_forms import ActionForm, AgreeForm, ConfirmForm, OutcomeForm, PlanForm, ProgressForm, owner_key
from .plan_permissions import (
    EDIT_PLAN,
    VIEW_PLAN,
    may_edit_action,
    may_edit_plan,
    may_see_plan,
    may_update_action,
    own_open_actions,
)

YOUR_ACTIONS_PAGE_SIZE = 25


def plan_url(case) -> str:
    return reverse("assessments:plan", args=[case.pk])


def _refuse(request: HttpRequest, case, message: str) -> HttpResponse:
    messages.error(request, message)
    return redirect(plan_url(case))


def _editable_plan(request: HttpRequest, case):
    """The plan, when the viewer may change it now; else a redirect to the plan page with why."""
    if case.status != CaseStatus.ACTIVE:
        return None, _refuse(request, case, plans.NOT_ACTIVE)
    plan = selectors.plan_of(case)
    if plan is None:
        return None, _refuse(request, case, "Start the family's plan first")
    return plan, None


def _service(form, call):
    """Run a service; its refusals land on the form. Returns what it returned, or None."""
    try:
        return call()
    except ValidationError as error:
        form.add_service_errors(error)
    except PermissionDenied as error:
        form.add_error(None, error.args[0] if error.args else plans.NOT_ALLOWED)
    return None


def _posted(request: HttpRequest):
    return request.POST if request.method == "POST" else None


def _caption(case) -> str:
    return f"{case.reference}{f', {case.family_name}' if case.family_name else ''}"


def _form_page(
    request, case, form, title: str, *, back: str | None = None, template="assessments/plan/form.html", **extra
):
    return render(
        request,
        template,
        {
            "case": case,
            "form": form,
            "title": title,
            "caption": _caption(case),
            "back_url": back or plan_url(case),
            **extra,
        },
    )


STATUS_COLOURS = {
    "not_started": "light-blue",
    "on_track": "blue",
    "behind": "orange",
    "done": "green",
    "stopped": "grey",
}


def _action_rows(actions) -> list:
    today = timezone.localdate()
    for action in actions:
        action.overdue = action.is_open and action.due_on < today
        action.owner_display = plans.owner_name(action)
        action.status_colour = STATUS_COLOURS.get(action.status, "")
    return actions


# --- The plan ---------------------------------------------------------------------------------------


def _plan_context(case, plan) -> dict:
    outcomes = selectors.plan_outcomes(plan)
    actions = _action_rows(selectors.plan_actions(plan))
    by_outcome: dict[int | None, list] = {}
    for action in actions:
        by_outcome.setdefault(action.outcome_id, []).append(action)
    known = {outcome.pk for outcome in outcomes}
    for outcome in outcomes:
        outcome.plan_actions = by_outcome.get(outcome.pk, [])
    loose = [action for action in actions if action.outcome_id not in known]
    return {"plan": plan, "outcomes": outcomes, "actions": actions, "loose_actions": loose}


@case_view(VIEW_PLAN, details=True)
@require_http_methods(["GET"])
def plan_page(request: HttpRequest, case) -> HttpResponse:
    """The family plan. A fixed number of queries however big it is."""
    plan = selectors.plan_of(case)
    context = {"case": case, "title": "Family plan", "can_edit": may_edit_plan(case), "plan": plan}
    if plan is None:
        context["assessment_ready"] = plans.assessment_ready(case)
    else:
        context |= _plan_context(case, plan)
        context["versions"], context["querystring"] = page_of(
            request, selectors.plan_versions(plan), selectors.VERSIONS_SHOWN
        )
    return render(request, "assessments/plan/plan.html", context)


@case_view(EDIT_PLAN, details=True)
@require_http_methods(["GET", "POST"])
def plan_start(request: HttpRequest, case) -> HttpResponse:
    if case.status != CaseStatus.ACTIVE:
        return _refuse(request, case, plans.NOT_ACTIVE)
    if selectors.plan_of(case) is not None:
        return redirect(plan_url(case))
    if not plans.assessment_ready(case):
        return _refuse(request, case, plans.NO_ASSESSMENT)
    form = PlanForm(_posted(request), submit_label="Start the plan")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        created = _service(
            form,
            lambda: plans.plan_create(
                actor=request.user, case=case, contingency_plan=data["contingency_plan"], exit_plan=data["exit_plan"]
            ),
        )
        if created is not None:
            messages.success(request, "Family plan started: add the outcomes the family wants")
            return redirect(plan_url(case))
    return _form_page(request, case, form, "Start the family plan")


@case_view(EDIT_PLAN, details=True)
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, case) -> HttpResponse:
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    initial = {"contingency_plan": plan.contingency_plan, "exit_plan": plan.exit_plan}
    form = PlanForm(_posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form,
            lambda: plans.plan_update(
                actor=request.user, plan=plan, contingency_plan=data["contingency_plan"], exit_plan=data["exit_plan"]
            ),
        ):
            messages.success(request, "Contingency and exit plans saved")
            return redirect(plan_url(case) + "#contingency")
    return _form_page(request, case, form, "Contingency and exit plans")


# --- Outcomes ---------------------------------------------------------------------------------------


@case_view(EDIT_PLAN, details=True)
@require_http_methods(["GET", "POST"])
def outcome_add(request: HttpRequest, case) -> HttpResponse:
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    needs = selectors.case_needs(case)
    form = OutcomeForm(_posted(request), needs=needs)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form, lambda: plans.plan_outcome_add(actor=request.user, plan=plan, text=data["text"], needs=data["needs"])
        ):
            messages.success(request, "Outcome added")
            return redirect(plan_url(case))
    return _form_page(request, case, form, "Add an outcome", no_needs=not needs)


@object_view("plan_outcome", EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def outcome_edit(request: HttpRequest, outcome) -> HttpResponse:
    case = outcome.case
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    initial = {"text": outcome.text, "needs": [str(pk) for pk in outcome.needs.values_list("pk", flat=True)]}
    form = OutcomeForm(_posted(request), needs=selectors.case_needs(case), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form,
            lambda: plans.plan_outcome_update(
                actor=request.user, outcome=outcome, text=data["text"], needs=data["needs"]
            ),
        ):
            messages.success(request, "Outcome saved")
            return redirect(plan_url(case))
    return _form_page(request, case, form, "Change an outcome")


@object_view("plan_outcome", EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def outcome_end(request: HttpRequest, outcome) -> HttpResponse:
    case = outcome.case
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    form = ConfirmForm(_posted(request), submit_label="Take it out of the plan")
    if request.method == "POST" and form.is_valid():
        if _service(form, lambda: plans.plan_outcome_end(actor=request.user, outcome=outcome)):
            messages.success(request, "Outcome taken out of the plan")
            return redirect(plan_url(case))
    return _form_page(
        request,
        case,
        form,
        "Take this outcome out of the plan?",
        template="assessments/plan/confirm.html",
        quoted=outcome.text,
        explanation="It stays in the versions already kept. Its actions stay in the plan until you end them.",
    )


# --- Actions ----------------------------------------------------------------------------------------


def _action_form(request, case, plan, *, initial=None, with_status=False) -> ActionForm:
    return ActionForm(
        _posted(request),
        members=selectors.team_members(case),
        people=selectors.family_members(case),
        outcomes=selectors.plan_outcomes(plan),
        with_status=with_status,
        initial=initial,
    )


@case_view(EDIT_PLAN, details=True)
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, case) -> HttpResponse:
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    initial = {"outcome": request.GET.get("outcome", "")}
    form = _action_form(request, case, plan, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form,
            lambda: plans.plan_action_add(
                actor=request.user,
                plan=plan,
                what=data["what"],
                due_on=data["due_on"],
                measure=data["measure"],
                outcome=data["outcome"],
                **form.owner_kwargs(),
            ),
        ):
            messages.success(request, "Action added")
            return redirect(plan_url(case))
    return _form_page(request, case, form, "Add an action")


@object_view("plan_action", EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def action_edit(request: HttpRequest, action) -> HttpResponse:
    case = action.case
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    if not may_edit_action(case, action):
        return _refuse(request, case, "This action is no longer in the plan")
    initial = {
        "what": action.what,
        "owner": owner_key(user=action.owner_user) if action.owner_user_id else owner_key(person=action.owner_person),
        "due_on": action.due_on,
        "measure": action.measure,
        "outcome": str(action.outcome_id or ""),
        "status": action.status,
    }
    form = _action_form(request, case, plan, initial=initial, with_status=True)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if _service(
            form,
            lambda: plans.plan_action_update(
                actor=request.user,
                action=action,
                what=data["what"],
                due_on=data["due_on"],
                measure=data["measure"],
                outcome=data["outcome"],
                status=data["status"],
                **form.owner_kwargs(),
            ),
        ):
            messages.success(request, "Action saved")
            return redirect(plan_url(case))
    return _form_page(request, case, form, "Change an action")


@object_view("plan_action", EDIT_PLAN)
@require_http_methods(["GET", "POST"])
def action_end(request: HttpRequest, action) -> HttpResponse:
    case = action.case
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    if not may_edit_action(case, action):
        return _refuse(request, case, "This action is no longer in the plan")
    form = ConfirmForm(_posted(request), submit_label="Take it out of the plan")
    if request.method == "POST" and form.is_valid():
        if _service(form, lambda: plans.plan_action_end(actor=request.user, action=action)):
            messages.success(request, "Action taken out of the plan")
            return redirect(plan_url(case))
    return _form_page(
        request,
        case,
        form,
        "Take this action out of the plan?",
        template="assessments/plan/confirm.html",
        quoted=action.what,
        explanation="It stays, with its progress, in the versions already kept.",
    )


@object_view("plan_action", VIEW_CASE)
@require_http_methods(["GET", "POST"])
def action_page(request: HttpRequest, action) -> HttpResponse:
    """One action and its progress, with the form to record more. Its owner sees its title (what,
    due date, status, the case's reference) and records progress even when the family has not agreed
    to share its details with their agency; the measure, outcome and past notes go with the plan."""
    case, member = action.case, action.member
    full = may_see_plan(case)
    can_update = may_update_action(request.user, case, action, member=member)
    form = ProgressForm(_posted(request), initial={"status": action.status}) if can_update else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied(plans.NOT_ALLOWED_PROGRESS)
        if form.is_valid():
            data = form.cleaned_data
            if _service(
                form,
                lambda: plans.action_progress_record(
                    actor=request.user, action=action, note=data["note"], status=data["status"]
                ),
            ):
                messages.success(request, "Progress saved")
                return redirect(plan_url(case) if full else reverse("assessments:your-actions"))
    _action_rows([action])
    updates, querystring = (
        page_of(request, selectors.action_updates(action), selectors.UPDATES_SHOWN) if full else ([], "")
    )
    return render(
        request,
        "assessments/plan/action.html",
        {
            "case": case,
            "action": action,
            "full": full,
            "form": form,
            "updates": updates,
            "querystring": querystring,
            "title": "Action in the family plan",
            "back_url": plan_url(case) if full else reverse("assessments:your-actions"),
            "back_text": "Back to the family plan" if full else "Back to your actions",
        },
    )


# --- Agreement and versions -------------------------------------------------------------------------------


@case_view(EDIT_PLAN, details=True)
@require_http_methods(["GET", "POST"])
def plan_agree(request: HttpRequest, case) -> HttpResponse:
    plan, refused = _editable_plan(request, case)
    if refused:
        return refused
    form = AgreeForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        version = _service(form, lambda: plans.plan_agree(plan, request.user, form.cleaned_data["agreed_on"]))
        if version is not None:
            messages.success(request, f"The family's agreement is recorded: version {version.number} of the plan kept")
            return redirect(plan_url(case) + "#versions")
    return _form_page(request, case, form, "Record the family's agreement to the plan")


@object_view("plan_version", VIEW_PLAN)
@require_http_methods(["GET"])
def plan_version(request: HttpRequest, version) -> HttpResponse:
    """A version kept, beside the plan as it is now."""
    case = version.case
    current = plans.plan_snapshot(version.plan)
    return render(
        request,
        "assessments/plan/version.html",
        {
            "case": case,
            "version": version,
            "then": _readable(version.content),
            "now": _readable(current),
            "title": f"Version {version.number} of the family plan",
        },
    )


def _readable(content: dict) -> dict:
    """A snapshot grouped for the page: each outcome with its actions, then the actions under none."""
    actions = content.get("actions", [])
    outcomes = []
    for outcome in content.get("outcomes", []):
        outcomes.append({**outcome, "actions": [a for a in actions if a.get("outcome_id") == outcome["id"]]})
    known = {outcome["id"] for outcome in outcomes}
    return {
        **content,
        "outcomes": outcomes,
        "loose_actions": [a for a in actions if a.get("outcome_id") not in known],
    }


@case_view(VIEW_PLAN, details=True, log=False)
@require_http_methods(["GET"])
def plan_pdf(request: HttpRequest, case) -> HttpResponse:
    """The plan as a PDF, OFFICIAL-SENSITIVE on every page; logged as a print of the case."""
    plan = selectors.plan_of(case)
    if plan is None:
        return _refuse(request, case, "There is no plan to print yet")
    context = {"case": case, "title": f"Family plan: {case.reference}", **_plan_context(case, plan)}
    context["groups"] = [
        {"heading": f"Outcome {n}: “{o.text}”", "needs": list(o.needs.all()), "actions": o.plan_actions}
        for n, o in enumerate(context["outcomes"], start=1)
    ]
    if context["loose_actions"]:
        context["groups"].append(
            {"heading": "Actions not under one outcome", "needs": [], "actions": context["loose_actions"]}
        )
    pdf = pdf_render("assessments/pdf/plan.html", context)
    access_log_record(
        user=request.user,
        action=AccessLog.Action.PRINT,
        record_type=RecordType.CASE,
        record_id=case.pk,
        subject=Subject(case_id=case.pk),
        request=request,
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{pdf_filename(case, "plan")}"'
    return response


# --- A practitioner's own actions -----------------------------------------------------------------------


@roles_required(*PRACTITIONER_ROLES)
@require_http_methods(["GET"])
def your_actions(request: HttpRequest) -> HttpResponse:
    """Every open action of the signed-in practitioner, across their cases, overdue first: the
    titles only (what, due, status, the case's reference), whatever the families agreed to share."""
    page, querystring = page_of(request, own_open_actions(request.user), YOUR_ACTIONS_PAGE_SIZE)
    today = timezone.localdate()
    rows = [{"action": action, "overdue": action.due_on < today} for action in page.object_list]
    return render(
        request,
        "assessments/plan/your_actions.html",
        {"page_obj": page, "rows": rows, "querystring": querystring, "title": "Your actions"},
    )


urlpatterns = [
    path("your-actions/", your_actions, name="your-actions"),
    # Not "<case_id>/plan/": the case lifecycle's "<case_id>/<action>/" pages come first.
    path("<int:case_id>/plan/", plan_page, name="plan"),
    path("<int:case_id>/plan/start/", plan_start, name="plan-start"),
    path("<int:case_id>/plan/contingency-and-exit/", plan_edit, name="plan-edit"),
    path("<int:case_id>/plan/agree/", plan_agree, name="plan-agree"),
    path("<int:case_id>/plan/plan.pdf", plan_pdf, name="plan-pdf"),
    path("<int:case_id>/plan/versions/<int:version_id>/", plan_version, name="plan-version"),
    path("<int:case_id>/plan/outcomes/add/", outcome_add, name="plan-outcome-add"),
    path("<int:case_id>/plan/outcomes/<int:outcome_id>/", outcome_edit, name="plan-outcome-edit"),
    path("<int:case_id>/plan/outcomes/<int:outcome_id>/end/", outcome_end, name="plan-outcome-end"),
    path("<int:case_id>/plan/actions/add/", action_add, name="plan-action-add"),
    path("<int:case_id>/plan/actions/<int:plan_action_id>/", action_page, name="plan-action"),
    path("<int:case_id>/plan/actions/<int:plan_action_id>/edit/", action_edit, name="plan-action-edit"),
    path("<int:case_id>/plan/actions/<int:plan_action_id>/end/", action_end, name="plan-action-end"),
]
