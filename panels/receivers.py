"""What the panel does when the shared record moves a case (`cases.signals.case_moved`) or the front
door takes one off the waiting list (`cases.signals.case_panel_withdrawn`)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseStatus, User
from cases.notifications import notification_queue
from cases.permissions import user_locality_id
from cases.roles import Role

from .models import AgendaItem, ClosureNotice, Meeting, MeetingStatus, Panel, PanelDecision, PanelOutcome
from .words import day_words


def panel_coordinators(panel: Panel) -> list[User]:
    """Who runs `panel`: the coordinators of its locality; the county's coordinators for a county
    panel, or when its locality has none."""
    coordinators = list(
        User.objects.filter(is_active=True, groups__name=Role.PANEL_COORDINATOR)
        .exclude(email="")
        .select_related("team")
        .distinct()
    )
    local = [user for user in coordinators if panel.locality_id and user_locality_id(user) == panel.locality_id]
    return local or [user for user in coordinators if user_locality_id(user) is None]


def case_closed_tell_panel(sender, *, case, to_status: str, **kwargs) -> None:
    """A case the panel allocated has closed: its coordinators are told the closure reason (a link,
    not the family's details), and the panel section of the case page shows it."""
    if to_status != CaseStatus.CLOSED:
        return
    allocation = (
        PanelDecision.objects.filter(item__case=case, outcome=PanelOutcome.ALLOCATE, amended_by__isnull=True)
        .select_related("item__meeting__panel")
        .order_by("-decided_at")
        .first()
    )
    if allocation is None or case.closure_reason_id is None:
        return
    panel = allocation.item.meeting.panel
    notice, created = ClosureNotice.objects.get_or_create(
        case=case,
        closed_at=case.closed_at or timezone.now(),
        defaults={"panel": panel, "closure_reason_id": case.closure_reason_id},
    )
    if not created:
        return
    url = settings.SITE_URL.rstrip("/") + reverse("cases:case-detail", args=[case.pk])
    for coordinator in panel_coordinators(panel):
        notification_queue(
            dedupe_key=f"panel-closure:{notice.pk}:{coordinator.pk}",
            recipient=coordinator,
            subject=f"Case closed: {case.reference}",
            body=(
                f"{case.reference}, allocated by the {panel.name}, has closed. Reason: "
                f"{notice.closure_reason.name}.\n\n{url}"
            ),
        )


def case_moved_leave_agenda(sender, *, case, from_status: str, **kwargs) -> None:
    """A case that awaited allocation and has moved without waiting for the panel any more (allocated,
    or closed: by the front door's amendment, say) leaves the agenda of a meeting that has not decided
    on it. Only a case awaiting allocation is on such an agenda."""
    if from_status == CaseStatus.AWAITING_ALLOCATION and not case.panel_route:
        agenda_leave(case=case)


def case_withdrawn_leave_agenda(sender, *, case, **kwargs) -> None:
    """The front door took the case off the waiting list: it leaves the agenda it is on."""
    agenda_leave(case=case)


def agenda_leave(*, case: Case) -> int:
    """Take a case that no longer waits for the panel off each scheduled meeting's agenda that has not
    decided on it; the rest of that agenda closes up. Items the panel decided on, and held meetings,
    are the record and stay. When the agenda had been sent, the panel's coordinators are told (a
    link, not the family's details): the members hold papers for a case that will not be discussed.
    Returns how many items were taken off."""
    items = list(AgendaItem.objects.filter(case=case, meeting__status=MeetingStatus.SCHEDULED, decisions__isnull=True))
    for item in items:
        meeting = Meeting.objects.select_for_update().select_related("panel").get(pk=item.meeting_id)
        item_id = item.pk
        item.delete()
        order = meeting.items.order_by("position", "id").values_list("pk", flat=True)
        for position, pk in enumerate(order, start=1):
            AgendaItem.objects.filter(pk=pk).exclude(position=position).update(position=position)
        if meeting.agenda_sent_at is None:
            continue
        url = settings.SITE_URL.rstrip("/") + reverse("panels:meeting", args=[meeting.pk])
        day = day_words(meeting.starts_at)
        for coordinator in panel_coordinators(meeting.panel):
            notification_queue(
                dedupe_key=f"panel-agenda-left:{item_id}:{coordinator.pk}",
                recipient=coordinator,
                subject=f"Off the agenda: {case.reference}",
                body=(
                    f"{case.reference} no longer waits for the panel and has been taken off the agenda of the "
                    f"{meeting.panel.name} on {day}, which was sent to the members.\n\n{url}"
                ),
            )
    return len(items)
