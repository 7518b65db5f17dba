"""The outcome tool pages: choosing a tool, then recording a reading with it. Both are for those who
may record one (the case's lead professional and team manager, `permissions.RECORD_READING`), on a
case whose family's details they see; the readings themselves show on the case page
(`parts.outcome_tools`). Every write goes through `services.reading_record`."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from cases.access import case_view
from cases.models import CaseStatus

from . import selectors, services
from .forms import ReadingForm, ToolChoiceForm
from .permissions import RECORD_READING


def _case_url(case) -> str:
    return reverse("cases:case-detail", args=[case.pk]) + "#outcome-tools"


def _not_active(request: HttpRequest, case) -> HttpResponse | None:
    if case.status == CaseStatus.ACTIVE:
        return None
    messages.error(request, services.NOT_ACTIVE)
    return redirect(_case_url(case))


@case_view(RECORD_READING, details=True)
@require_http_methods(["GET", "POST"])
def reading_tool_choose(request: HttpRequest, case) -> HttpResponse:
    """Which tool the reading was taken with. Two queries besides the case."""
    if (refused := _not_active(request, case)) is not None:
        return refused
    tools = list(selectors.tools_offered())
    form = ToolChoiceForm(request.POST if request.method == "POST" else None, tools=tools)
    if request.method == "POST" and form.is_valid():
        return redirect("assessments:reading-record", case_id=case.pk, tool_code=form.cleaned_data["tool"].code)
    return render(
        request,
        "assessments/tool_choose.html",
        {"case": case, "form": form, "title": "Record an outcome tool reading"},
    )


@case_view(RECORD_READING, details=True)
@require_http_methods(["GET", "POST"])
def reading_record(request: HttpRequest, case, tool_code: str) -> HttpResponse:
    """A reading with one tool: who it is about, when, a score per area, a note. What was typed stays
    when something is wrong."""
    if (refused := _not_active(request, case)) is not None:
        return refused
    tool = selectors.tool_offered(code=tool_code)
    if tool is None:
        # A tool retired since the link was made (or never offered): choose again.
        messages.error(request, "That tool is not offered: choose one of these")
        return redirect("assessments:reading-tool-choose", case_id=case.pk)
    children = list(selectors.case_children(case=case)) if tool.about_a_person else []
    form = ReadingForm(request.POST if request.method == "POST" else None, tool=tool, children=children)
    if request.method == "POST" and form.is_valid():
        try:
            services.reading_record(
                actor=request.user,
                case=case,
                tool=tool,
                person=form.cleaned_data.get("person"),
                taken_on=form.cleaned_data["taken_on"],
                scores=form.scores(),
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied as error:
            form.add_error(None, error.args[0] if error.args else services.NOT_ALLOWED)
        else:
            messages.success(request, f"{tool.name} reading saved")
            return redirect(_case_url(case))
    return render(
        request,
        "assessments/reading_record.html",
        {
            "case": case,
            "form": form,
            "tool": tool,
            "title": f"Record a {tool.name} reading",
            "no_children": tool.about_a_person and not children,
        },
    )


urlpatterns = [
    path("<int:case_id>/outcome-tools/record/", reading_tool_choose, name="reading-tool-choose"),
    path("<int:case_id>/outcome-tools/<slug:tool_code>/record/", reading_record, name="reading-record"),
]
