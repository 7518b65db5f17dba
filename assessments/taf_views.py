"""The TAF meeting pages: a case's meetings, planning one, a meeting's page, moving, cancelling and
recording it. Access is `taf_permissions`' (record kind "taf_meeting"); every write goes through
`taf.py`'s services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from cases.access import case_view, object_view
from cases.paging import page_of

from . import taf, taf_selectors
from .taf_forms import MeetingCancelForm, MeetingMoveForm, MeetingPlanForm, MeetingRecordForm
from .taf_permissions import MANAGE_TAF, VIEW_TAF, invited_meeting, may_manage, may_see_meetings

PAGE_SIZE = 20


def _list_url(case) -> str:
    return reverse("assessments:taf-meeting-list", args=[case.pk])


def _refused(request: HttpRequest, case) -> HttpResponse | None:
    if may_manage(case):
        return None
    messages.error(request, "You can plan and record meetings only while the case is active")
    return redirect(_list_url(case))


def _service(form, call):
    """Run a service call; its errors go on the form. The result, or None when it refused."""
    try:
        return call()
    except ValidationError as error:
        form.add_service_errors(error)
    except PermissionDenied as error:
        form.add_error(None, error.args[0] if error.args else "You cannot do that")
    return None


@case_view(VIEW_TAF)
@require_http_methods(["GET"])
def taf_meeting_list(request: HttpRequest, case) -> HttpResponse:
    """Every meeting of the case, the latest first, for those who see the family's details; for a
    member of the team who does not, the next meeting they are invited to (when and where)."""
    if not may_see_meetings(case):
        return render(
            request,
            "assessments/taf/invited.html",
            {"case": case, "meeting": invited_meeting(user=request.user, case=case), "title": "Your next TAF meeting"},
        )
    page, querystring = page_of(request, taf_selectors.case_meetings(case=case), PAGE_SIZE)
    planned = next((m for m in page.object_list if m.status == "planned"), None)
    if planned is None and page.number != 1:
        planned = taf_selectors.planned_meeting(case=case)
    return render(
        request,
        "assessments/taf/list.html",
        {
            "case": case,
            "page_obj": page,
            "querystring": querystring,
            "planned": planned,
            "can_manage": may_manage(case),
            "title": "Team Around the Family meetings",
        },
    )


@case_view(MANAGE_TAF, details=True)
@require_http_methods(["GET", "POST"])
def taf_meeting_plan(request: HttpRequest, case) -> HttpResponse:
    if (refused := _refused(request, case)) is not None:
        return refused
    form = MeetingPlanForm(
        request.POST if request.method == "POST" else None,
        members=taf_selectors.current_members(case=case),
        people=taf_selectors.family_people(case=case),
        initial={"members": [str(case.lead_professional_id)]},
    )
    if request.method == "POST" and form.is_valid():
        meeting = _service(
            form,
            lambda: taf.taf_meeting_plan(
                actor=request.user,
                case=case,
                starts_at=form.starts_at(),
                place=form.cleaned_data["place"],
                **form.invited(),
            ),
        )
        if meeting is not None:
            messages.success(request, f"Meeting planned for {taf.when_words(meeting.starts_at)}: invitations sent")
            return redirect("assessments:taf-meeting-detail", case_id=case.pk, taf_meeting_id=meeting.pk)
    return render(request, "assessments/taf/form.html", {"case": case, "form": form, "title": "Plan a TAF meeting"})


@object_view("taf_meeting", VIEW_TAF)
@require_http_methods(["GET"])
def taf_meeting_detail(request: HttpRequest, meeting) -> HttpResponse:
    case = meeting.case
    if not may_see_meetings(case):
        return render(
            request,
            "assessments/taf/invited.html",
            {"case": case, "meeting": meeting, "title": "Your next TAF meeting"},
        )
    return render(
        request,
        "assessments/taf/detail.html",
        {
            "case": case,
            "meeting": meeting,
            "attendees": [
                {"name": taf.attendee_name(a), "attendee": a} for a in taf_selectors.meeting_attendees(meeting=meeting)
            ],
            "can_manage": may_manage(case) and meeting.status == "planned",
            "title": f"TAF meeting, {taf.when_words(meeting.starts_at)}",
        },
    )


def _meeting_form_page(request, meeting, form, title: str, call, done: str) -> HttpResponse:
    case = meeting.case
    if (refused := _refused(request, case)) is not None:
        return refused
    if meeting.status != "planned":
        messages.error(request, f"This meeting is {meeting.get_status_display().lower()}: it cannot be changed")
        return redirect("assessments:taf-meeting-detail", case_id=case.pk, taf_meeting_id=meeting.pk)
    if request.method == "POST" and form.is_valid() and _service(form, call) is not None:
        messages.success(request, done)
        return redirect(_list_url(case))
    return render(
        request, "assessments/taf/form.html", {"case": case, "form": form, "meeting": meeting, "title": title}
    )


@object_view("taf_meeting", MANAGE_TAF)
@require_http_methods(["GET", "POST"])
def taf_meeting_move(request: HttpRequest, meeting) -> HttpResponse:
    form = MeetingMoveForm(
        request.POST if request.method == "POST" else None,
        initial={"place": meeting.place},
    )
    return _meeting_form_page(
        request,
        meeting,
        form,
        "Move the TAF meeting",
        lambda: taf.taf_meeting_move(
            actor=request.user, meeting=meeting, starts_at=form.starts_at(), place=form.cleaned_data["place"]
        ),
        "Meeting moved: the people invited have been told",
    )


@object_view("taf_meeting", MANAGE_TAF)
@require_http_methods(["GET", "POST"])
def taf_meeting_cancel(request: HttpRequest, meeting) -> HttpResponse:
    form = MeetingCancelForm(request.POST if request.method == "POST" else None)
    return _meeting_form_page(
        request,
        meeting,
        form,
        "Cancel the TAF meeting",
        lambda: taf.taf_meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"]),
        "Meeting cancelled: plan the next one",
    )


@object_view("taf_meeting", MANAGE_TAF)
@require_http_methods(["GET", "POST"])
def taf_meeting_record(request: HttpRequest, meeting) -> HttpResponse:
    attendees = taf_selectors.meeting_attendees(meeting=meeting)
    form = MeetingRecordForm(
        request.POST if request.method == "POST" else None,
        attendees=attendees,
        initial={"next_place": meeting.place},
    )
    return _meeting_form_page(
        request,
        meeting,
        form,
        "Record the TAF meeting",
        lambda: taf.taf_meeting_record(
            actor=request.user,
            meeting=meeting,
            attendance=form.attendance(),
            minutes=form.cleaned_data["minutes"],
            decisions=form.cleaned_data["decisions"],
            plan_changes=form.cleaned_data["plan_changes"],
            next_starts_at=form.next_starts_at(),
            next_place=form.cleaned_data["next_place"],
        ),
        "Meeting recorded, and the next one planned: invitations sent",
    )


urlpatterns = [
    path("<int:case_id>/taf/meetings/", taf_meeting_list, name="taf-meeting-list"),
    path("<int:case_id>/taf/meetings/plan/", taf_meeting_plan, name="taf-meeting-plan"),
    path("<int:case_id>/taf/meetings/<int:taf_meeting_id>/", taf_meeting_detail, name="taf-meeting-detail"),
    path("<int:case_id>/taf/meetings/<int:taf_meeting_id>/move/", taf_meeting_move, name="taf-meeting-move"),
    path("<int:case_id>/taf/meetings/<int:taf_meeting_id>/cancel/", taf_meeting_cancel, name="taf-meeting-cancel"),
    path("<int:case_id>/taf/meetings/<int:taf_meeting_id>/record/", taf_meeting_record, name="taf-meeting-record"),
]
