"""The panel's pages: the panels a user may see, setting one up, a panel's schedule, meetings and
standing members, and its waiting list. (A meeting's page is meeting_views.py; the papers are
pdf_views.py.) Every write goes through panels.services."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import object_view, roles_required
from cases.models import PANEL_RETURN_ROUTES, PanelRoute
from cases.paging import page_of
from cases.roles import PRACTITIONER_ROLES, Role

from . import selectors, services
from .forms import PanelForm, PanelMemberForm, WaitingListFilterForm
from .permissions import MANAGE_PANEL, VIEW_PANEL, is_coordinator
from .selectors import OFFER_TARGET_DAYS, days_since, over_target, waiting_counts
from .words import day_words, route_words, schedule_words, when_words

WAITING_PAGE_SIZE = 25
PAST_PAGE_SIZE = 10


def agenda_add_url(meeting_id: int) -> str:
    """Where the waiting list's "Add to the agenda" button posts (the meeting pages' agenda-add)."""
    return reverse("panels:agenda-add", args=[meeting_id])


@roles_required(*PRACTITIONER_ROLES)
def panel_list(request: HttpRequest) -> HttpResponse:
    """The panels the user runs or sits on, each with its schedule, next meeting and, for the panels the
    user runs, how many cases wait. Two queries, however many panels."""
    panels = list(selectors.panels_list(user=request.user))
    counts = waiting_counts(panels=[panel for panel in panels if panel.managed])
    rows = [
        {
            "panel": panel,
            "schedule": schedule_words(panel),
            "next_meeting_words": when_words(panel.next_meeting_at) if panel.next_meeting_at else "",
            "counts": counts.get(panel.pk),
            "over_words": f"{counts[panel.pk]['over']} over {OFFER_TARGET_DAYS} days" if panel.pk in counts else "",
        }
        for panel in panels
    ]
    return render(
        request,
        "panels/list.html",
        {"rows": rows, "is_coordinator": is_coordinator(request.user), "target_days": OFFER_TARGET_DAYS},
    )


@roles_required(Role.PANEL_COORDINATOR)
@require_http_methods(["GET", "POST"])
def panel_new(request: HttpRequest) -> HttpResponse:
    """Set up a panel for the locality the coordinator covers (or the county): its next meetings are
    scheduled at once."""
    form = PanelForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            panel = services.panel_create(
                actor=request.user,
                name=data["name"],
                locality=data["locality"],
                first_meeting_on=data["first_meeting_on"],
                weekday=data["weekday"],
                meets_at=data["meets_at"],
                frequency=data["frequency"],
                venue=data["venue"],
                chair=data["chair"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        except PermissionDenied:
            form.add_error("locality", "You can set up a panel only for the locality you cover")
        else:
            messages.success(request, f"{panel.name} set up: its next meetings are scheduled")
            return redirect("panels:panel", panel_id=panel.pk)
    return render(request, "panels/panel_new.html", {"form": form})


def _meeting_row(meeting) -> dict:
    return {
        "meeting": meeting,
        "words": when_words(meeting.starts_at),
        "moved_from_words": when_words(meeting.moved_from) if meeting.moved_from else "",
    }


def _member_form(panel, data=None) -> PanelMemberForm:
    form = PanelMemberForm(data)
    form.helper.form_action = reverse("panels:member-add", args=[panel.pk])
    return form


@object_view("panel", VIEW_PANEL)
def panel_detail(request: HttpRequest, panel) -> HttpResponse:
    """A panel: its schedule, its upcoming meetings, its past meetings (newest first, a page at a time)
    and its standing members; the coordinators add and remove members here. Members read it."""
    manages = MANAGE_PANEL in panel.perms
    upcoming = [_meeting_row(m) for m in selectors.panel_meetings(panel=panel, upcoming=True).order_by("starts_at")]
    past_page, querystring = page_of(
        request, selectors.panel_meetings(panel=panel, upcoming=False).order_by("-starts_at", "-pk"), PAST_PAGE_SIZE
    )
    context = {
        "panel": panel,
        "manages": manages,
        "schedule": schedule_words(panel),
        "first_meeting_words": day_words(panel.first_meeting_on),
        "upcoming": upcoming,
        "page_obj": past_page,
        "past": [_meeting_row(m) for m in past_page.object_list],
        "querystring": querystring,
        "members": list(selectors.panel_members(panel=panel)),
        "member_form": _member_form(panel) if manages else None,
    }
    return render(request, "panels/panel_detail.html", context)


@object_view("panel", MANAGE_PANEL)
@require_http_methods(["GET", "POST"])
def member_add(request: HttpRequest, panel) -> HttpResponse:
    """Add a standing member: an agency, and the person who attends for it."""
    form = _member_form(panel, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.panel_member_add(
                actor=request.user, panel=panel, agency=data["agency"], user=data["user"], role=data["role"]
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{member} added to the panel's standing members")
            return redirect("panels:panel", panel_id=panel.pk)
    return render(request, "panels/member_add.html", {"panel": panel, "form": form})


@object_view("panel", MANAGE_PANEL)
@require_POST
def member_end(request: HttpRequest, panel, panel_member_id: int) -> HttpResponse:
    """A standing member leaves the panel (the record stays, ended)."""
    member = selectors.panel_members(panel=panel).filter(pk=panel_member_id).first()
    if member is None:
        raise Http404("No member found")
    services.panel_member_end(actor=request.user, member=member)
    messages.success(request, f"{member} removed from the panel's standing members")
    return redirect("panels:panel", panel_id=panel.pk)


def _waiting_row(case, *, add_url: str) -> dict:
    """A case of the waiting list in words. A case the front door sent is measured against the 10-day
    target from when the front door received the referral; one sent back by its team, or stepped
    down, by the days since it came (the target was its first offer's)."""
    from_front_door = case.panel_route == PanelRoute.FRONT_DOOR
    days = days_since(case.received_at if from_front_door else case.panel_waiting_since)
    over = from_front_door and days is not None and days > OFFER_TARGET_DAYS
    left = OFFER_TARGET_DAYS - days if days is not None else None
    if not from_front_door:
        target = ""
    elif over:
        target = f"Over {OFFER_TARGET_DAYS} days"
    elif left == 0:
        target = "Due today"
    else:
        target = f"Due in {left} day{'' if left == 1 else 's'}"
    return {
        "case": case,
        "route": route_words(case.panel_route),
        "note": case.panel_note if case.details_visible and case.panel_route != PanelRoute.FRONT_DOOR else "",
        "days": days,
        "since": "since the front door received it"
        if from_front_door
        else "since it came back to the panel"
        if case.panel_route in PANEL_RETURN_ROUTES
        else "since it came to the panel",
        "over": over,
        "target": target,
        "agenda_words": day_words(case.agenda_meeting_at) if case.agenda_meeting_at else "",
        "add_url": add_url if not case.agenda_meeting_id else "",
    }


@object_view("panel", MANAGE_PANEL)
def waiting_list(request: HttpRequest, panel) -> HttpResponse:
    """The cases waiting for the panel, longest waiting first, a page at a time, filtered by how they
    came, those over the 10-day target and those not yet on an agenda. The same queries for one case
    or a page of them."""
    filters = WaitingListFilterForm(request.GET)
    context = {"panel": panel, "filters": filters, "filtered": False, "target_days": OFFER_TARGET_DAYS}
    if not filters.is_valid():
        return render(request, "panels/waiting_list.html", context, status=400)
    chosen = filters.cleaned_data
    # The page shows a few columns of each case: read those alone (the API reads the whole case).
    cases = (
        selectors.waiting_list(user=request.user, panel=panel)
        .select_related(None)
        .select_related("level_of_need")
        .only("id", "reference", "panel_route", "panel_waiting_since", "panel_note", "level_of_need__name")
    )
    if chosen["route"]:
        cases = cases.filter(panel_route=chosen["route"])
    if chosen["over"]:
        cases = cases.filter(over_target())
    if chosen["unplaced"]:
        cases = cases.filter(agenda_meeting_id__isnull=True)
    page, querystring = page_of(request, cases, WAITING_PAGE_SIZE)
    next_meeting = services.next_meeting(panel)
    add_url = agenda_add_url(next_meeting.pk) if next_meeting else ""
    context.update(
        page_obj=page,
        querystring=querystring,
        rows=[_waiting_row(case, add_url=add_url) for case in page.object_list],
        next_meeting=next_meeting,
        next_meeting_words=day_words(next_meeting.starts_at) if next_meeting else "",
        filtered=bool(chosen["route"] or chosen["over"] or chosen["unplaced"]),
    )
    return render(request, "panels/waiting_list.html", context)


urlpatterns = [
    path("panels/", panel_list, name="list"),
    path("panels/new/", panel_new, name="panel-new"),
    path("panels/<int:panel_id>/", panel_detail, name="panel"),
    path("panels/<int:panel_id>/members/add/", member_add, name="member-add"),
    path("panels/<int:panel_id>/members/<int:panel_member_id>/end/", member_end, name="member-end"),
    path("panels/<int:panel_id>/waiting-list/", waiting_list, name="waiting-list"),
]
