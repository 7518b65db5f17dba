"""A meeting of a panel: its page (status, agenda, attendance, actions), the coordinator's changes to
the agenda (add, remove, move, send), and the pages that move or cancel the meeting, record
attendance and decisions, amend a decision, add and close actions and complete the meeting.

Every write is a `panels.services` call. A meeting reaches a user only through
`meeting_get_for_user` (declared with `object_view`); an agenda item, decision or action is then
read within that meeting (404 if it is not in it). Each view of the agenda's family details is in
the access log (`agenda_log_views`)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import object_view
from cases.models import CaseStatus
from cases.querystring import query_choice, query_id

from . import selectors, services
from .meeting_forms import (
    ActionForm,
    AttendanceForm,
    CompleteForm,
    DecisionAmendForm,
    MeetingCancelForm,
    MeetingMoveForm,
    PanelDecisionForm,
)
from .models import (
    AgendaItem,
    Meeting,
    MeetingAction,
    MeetingStatus,
    PanelDecision,
    PanelMember,
    PanelOutcome,
)
from .parts import decision_words
from .permissions import MANAGE_PANEL, VIEW_PANEL, agenda_log_views
from .words import day_words, route_words, time_words, when_words

TEMPLATES = "panels/meeting/"
WAITING_TO_ADD = 500  # the longest waiting, offered to add to the agenda


def _item_in(meeting: Meeting, item_id: int) -> AgendaItem:
    item = selectors.agenda_item(meeting=meeting, item_id=item_id)
    if item is None:
        raise Http404("No agenda item found")
    return item


def _plural(n: int, word: str, plural: str | None = None) -> str:
    return f"{n} {word if n == 1 else (plural or word + 's')}"


def _optional_url(name: str, *args) -> str | None:
    """The URL of a page another part of the panels builds, once it exists."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _manages(meeting: Meeting) -> bool:
    return MANAGE_PANEL in meeting.perms


def _to_meeting(meeting: Meeting, anchor: str = "") -> HttpResponse:
    return redirect(reverse("panels:meeting", args=[meeting.pk]) + anchor)


# --- The meeting page ------------------------------------------------------------------------------


def _meeting_page(
    request: HttpRequest,
    meeting: Meeting,
    *,
    errors: list[tuple[str, str]] = (),
    chosen_case: int | None = None,
    status: int = 200,
) -> HttpResponse:
    """The meeting page; `errors` (message, anchor) from an action that did not happen."""
    user = request.user
    manages = _manages(meeting)
    scheduled = meeting.status == MeetingStatus.SCHEDULED
    items = selectors.agenda(user=user, meeting=meeting, brief=True)
    agenda_log_views(user=user, meeting=meeting, items=items, request=request)
    rows = []
    for index, item in enumerate(items):
        decision = item.decision
        rows.append(
            {
                "item": item,
                "case": item.case,
                "family": item.case.family_name if item.details_visible else "",
                "route": route_words(item.route, unknown="Not recorded"),
                "decision": decision_words(decision),
                "amended": bool(decision and decision.amends_id),
                "can_change": manages and scheduled and decision is None,
                "first": index == 0,
                "last": index == len(items) - 1,
            }
        )
    context = {
        "meeting": meeting,
        "panel": meeting.panel,
        "heading": f"{meeting.panel.name}: {when_words(meeting.starts_at)}",
        "when": when_words(meeting.starts_at),
        "moved_from": when_words(meeting.moved_from) if meeting.moved_from else "",
        "held_at": when_words(meeting.held_at) if meeting.held_at else "",
        "agenda_sent": when_words(meeting.agenda_sent_at) if meeting.agenda_sent_at else "",
        "rows": rows,
        "undecided": sum(1 for item in items if item.decision is None),
        "manages": manages,
        "scheduled": scheduled,
        "attendance": _attendance(meeting),
        "actions": list(selectors.meeting_actions(meeting=meeting)),
        "waiting": _waiting_options(user, meeting, chosen_case) if manages and scheduled else [],
        "chosen_case": chosen_case,
        "errors": list(errors),
        "panel_url": _optional_url("panels:panel", meeting.panel_id),
        "agenda_pdf": _optional_url("panels:agenda-pdf", meeting.pk),
        "minutes_pdf": _optional_url("panels:minutes-pdf", meeting.pk),
        "today": timezone.localdate(),
    }
    return render(request, TEMPLATES + "meeting.html", context, status=status)


def _waiting_options(user, meeting: Meeting, chosen_case: int | None) -> list[tuple[int, str, bool]]:
    """The "add a case" select's options: (case id, its reference with the family's name where
    `user` may see it, whether it is the case chosen before), longest waiting first. Words made
    here, not in the template: a panel may have a hundred cases waiting."""
    return [
        (
            row["pk"],
            f"{row['reference']}: {row['family_name']}" if row["family_name"] else row["reference"],
            row["pk"] == chosen_case,
        )
        for row in selectors.waiting_to_add(user=user, panel=meeting.panel)[:WAITING_TO_ADD]
    ]


def _attendance(meeting: Meeting) -> list[PanelMember]:
    """Each standing member (current, or recorded at this meeting) with `attendance_label`."""
    members = []
    for member, attendance in selectors.meeting_attendance(meeting=meeting):
        member.attendance_label = attendance.get_status_display() if attendance else "Not recorded"
        members.append(member)
    return members


@object_view("meeting", VIEW_PANEL)
@require_http_methods(["GET"])
def meeting(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """The meeting: when and where, its status, the agenda with each case's decision; for its
    coordinators the agenda's controls, attendance, actions and completion."""
    return _meeting_page(request, meeting)


def _refused(request: HttpRequest, meeting: Meeting, error: ValidationError, anchor: str = "#agenda", **kwargs):
    return _meeting_page(request, meeting, errors=[(m, anchor) for m in error.messages], **kwargs)


# --- The agenda ------------------------------------------------------------------------------------


@object_view("meeting", MANAGE_PANEL)
@require_POST
def agenda_add(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    """Put a case waiting for the panel on the agenda (`case`: its id)."""
    case_id = query_id(request.POST, "case")
    case = selectors.waiting_cases(meeting.panel).filter(pk=case_id).first() if case_id else None
    if case is None:
        return _meeting_page(request, meeting, errors=[("Select a case waiting for the panel", "#case")], status=400)
    try:
        services.agenda_add(actor=request.user, meeting=meeting, case=case)
    except ValidationError as error:
        return _refused(request, meeting, error, "#case", chosen_case=case.pk)
    messages.success(request, f"Case {case.reference} added to the agenda")
    return _to_meeting(meeting, "#agenda")


@object_view("meeting", MANAGE_PANEL)
@require_POST
def agenda_remove(request: HttpRequest, meeting: Meeting, item_id: int) -> HttpResponse:
    item = _item_in(meeting, item_id)
    try:
        services.agenda_remove(actor=request.user, item=item)
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, f"Case {item.case.reference} removed from the agenda: it is still waiting for the panel")
    return _to_meeting(meeting, "#agenda")


@object_view("meeting", MANAGE_PANEL)
@require_POST
def agenda_move(request: HttpRequest, meeting: Meeting, item_id: int) -> HttpResponse:
    item = _item_in(meeting, item_id)
    direction = query_choice(request.POST, "direction", ["up", "down"])
    if not direction:
        return _meeting_page(request, meeting, errors=[("Select to move the case up or down", "#agenda")], status=400)
    try:
        services.agenda_move(actor=request.user, item=item, up=direction == "up")
    except ValidationError as error:
        return _refused(request, meeting, error)
    messages.success(request, f"Case {item.case.reference} moved {direction} the agenda")
    return _to_meeting(meeting, "#agenda")


@object_view("meeting", MANAGE_PANEL)
@require_POST
def agenda_send(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    try:
        told = services.agenda_send(actor=request.user, meeting=meeting)
    except ValidationError as error:
        return _refused(request, meeting, error, "#send")
    messages.success(request, f"Agenda sent to {_plural(told, 'member')}")
    return _to_meeting(meeting)


# --- Pages with forms ------------------------------------------------------------------------------


def _form_page(request: HttpRequest, template: str, meeting: Meeting, form, **context) -> HttpResponse:
    context = {"meeting": meeting, "when": when_words(meeting.starts_at), "form": form, **context}
    return render(request, TEMPLATES + template, context)


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def meeting_move(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    local = timezone.localtime(meeting.starts_at)
    form = MeetingMoveForm(
        request.POST if request.method == "POST" else None,
        initial={"time": time_words(meeting.starts_at), "date": local.date()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.meeting_move(
                actor=request.user, meeting=meeting, starts_at=data["starts_at"], reason=data["reason"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Meeting moved to {when_words(moved.starts_at)}")
            return _to_meeting(meeting)
    return _form_page(request, "move.html", meeting, form, scheduled=meeting.status == MeetingStatus.SCHEDULED)


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def meeting_cancel(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = MeetingCancelForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_cancel(actor=request.user, meeting=meeting, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Meeting cancelled")
            return _to_meeting(meeting)
    undecided = selectors.undecided_count(meeting=meeting)
    following = services.next_meeting(meeting.panel, after=meeting.starts_at)
    return _form_page(
        request,
        "cancel.html",
        meeting,
        form,
        undecided=undecided,
        following=when_words(following.starts_at) if following else "",
        scheduled=meeting.status == MeetingStatus.SCHEDULED,
    )


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def attendance(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    members = selectors.meeting_attendance(meeting=meeting)
    form = AttendanceForm(request.POST if request.method == "POST" else None, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            services.attendance_record(actor=request.user, meeting=meeting, statuses=form.statuses())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Attendance saved")
            return _to_meeting(meeting, "#attendance")
    return _form_page(request, "attendance.html", meeting, form, members=members)


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def decision(request: HttpRequest, meeting: Meeting, item_id: int) -> HttpResponse:
    """The case's summary for the panel and the panel's decision on it."""
    items = selectors.agenda(user=request.user, meeting=meeting, item_id=item_id)
    if not items:
        raise Http404("No agenda item found")
    item = items[0]
    item.meeting = meeting
    agenda_log_views(user=request.user, meeting=meeting, items=items, request=request)
    histories = selectors.agenda_histories(items=items) if item.details_visible else {}
    form = None
    # Before the meeting the page shows the papers, not the form; a decision posted then (the meeting
    # was moved while the form was open) is refused by the service with what was typed kept.
    if item.decision is None and (meeting.takes_decisions or request.method == "POST"):
        form = PanelDecisionForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                made = services.decision_record(actor=request.user, item=item, **form.decision_kwargs())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                messages.success(request, _confirmation(made, item))
                return _to_meeting(meeting, "#agenda")
    elif request.method == "POST":
        return _refused(
            request, meeting, ValidationError("The panel has decided on this case: amend the decision to change it.")
        )
    return render(
        request,
        TEMPLATES + "decision.html",
        {
            "meeting": meeting,
            "when": when_words(meeting.starts_at),
            "item": item,
            "case": item.case,
            "route": route_words(item.route, unknown="Not recorded"),
            "history": histories.get(item.case_id),
            "decision": item.decision,
            "decision_words": decision_words(item.decision),
            "form": form,
        },
    )


def _confirmation(made: PanelDecision, item: AgendaItem) -> str:
    reference = item.case.reference
    if made.outcome == PanelOutcome.ALLOCATE:
        return f"Lead agency allocated: {made.lead_agency.name} leads the early help for {reference}"
    if made.outcome == PanelOutcome.NOT_FOR_PANEL:
        return f"Decision recorded: {reference} is not for the panel and its case is closed"
    if made.outcome == PanelOutcome.DEFER:
        following = f" on {when_words(made.deferred_to.starts_at)}" if made.deferred_to else ""
        return f"Decision recorded: {reference} is deferred to the next meeting{following}"
    return f"Decision recorded: {reference} is stepped up to the front door as a safeguarding concern"


@object_view("panel_decision", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def decision_amend(request: HttpRequest, decision: PanelDecision) -> HttpResponse:
    meeting = decision.item.meeting
    latest = selectors.latest_decision_id(decision=decision)
    if latest is not None and latest != decision.pk:
        # An amended decision is amended through its latest amendment.
        return redirect("panels:decision-amend", latest)
    case = decision.item.case
    can_change_agency = (
        decision.outcome == PanelOutcome.ALLOCATE and case.status == CaseStatus.AWAITING_LEAD_PROFESSIONAL
    )
    form = DecisionAmendForm(
        request.POST if request.method == "POST" else None, decision=decision, can_change_agency=can_change_agency
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.decision_amend(
                actor=request.user,
                decision=decision,
                amendment_reason=data["amendment_reason"],
                reason=data["reason"],
                lead_agency=data.get("lead_agency"),
                team=data.get("team"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Decision amended for case {case.reference}")
            return _to_meeting(meeting, "#agenda")
    return _form_page(
        request,
        "amend.html",
        meeting,
        form,
        decision=decision,
        case=case,
        decision_words=decision_words(decision),
        decided_at=when_words(decision.decided_at),
        can_change_agency=can_change_agency,
    )


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def action_add(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    items = list(selectors.agenda_items(meeting=meeting))
    form = ActionForm(
        request.POST if request.method == "POST" else None, meeting=meeting, actor=request.user, items=items
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            action = services.action_add(
                actor=request.user,
                meeting=meeting,
                description=data["description"],
                owner=data["owner"],
                due_on=data["due_on"],
                item=data["item"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Action added for {action.owner}, due {day_words(action.due_on)}")
            return _to_meeting(meeting, "#actions")
    return _form_page(request, "action_add.html", meeting, form)


@object_view("meeting_action", VIEW_PANEL)
@require_POST
def action_done(request: HttpRequest, action: MeetingAction) -> HttpResponse:
    """The action's owner, or a coordinator, marks it done."""
    services.action_done(actor=request.user, action=action)  # PermissionDenied (403) for anyone else
    messages.success(request, f"Action marked as done: {action.description}")
    return _to_meeting(action.meeting, "#actions")


@object_view("meeting", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def meeting_complete(request: HttpRequest, meeting: Meeting) -> HttpResponse:
    form = CompleteForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.meeting_complete(actor=request.user, meeting=meeting, notes=form.cleaned_data["notes"])
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, "Meeting completed: its minutes are final")
            return _to_meeting(meeting)
    undecided = selectors.undecided_count(meeting=meeting)
    return _form_page(
        request,
        "complete.html",
        meeting,
        form,
        undecided=undecided,
        scheduled=meeting.status == MeetingStatus.SCHEDULED,
    )


urlpatterns = [
    path("panels/meetings/<int:meeting_id>/", meeting, name="meeting"),
    path("panels/meetings/<int:meeting_id>/agenda/add/", agenda_add, name="agenda-add"),
    path("panels/meetings/<int:meeting_id>/items/<int:item_id>/remove/", agenda_remove, name="agenda-remove"),
    path("panels/meetings/<int:meeting_id>/items/<int:item_id>/move/", agenda_move, name="agenda-move"),
    path("panels/meetings/<int:meeting_id>/send-agenda/", agenda_send, name="agenda-send"),
    path("panels/meetings/<int:meeting_id>/move/", meeting_move, name="meeting-move"),
    path("panels/meetings/<int:meeting_id>/cancel/", meeting_cancel, name="meeting-cancel"),
    path("panels/meetings/<int:meeting_id>/attendance/", attendance, name="attendance"),
    path("panels/meetings/<int:meeting_id>/items/<int:item_id>/decision/", decision, name="decision"),
    path("panels/decisions/<int:panel_decision_id>/amend/", decision_amend, name="decision-amend"),
    path("panels/meetings/<int:meeting_id>/actions/add/", action_add, name="action-add"),
    path("panels/actions/<int:action_id>/done/", action_done, name="action-done"),
    path("panels/meetings/<int:meeting_id>/complete/", meeting_complete, name="meeting-complete"),
]
