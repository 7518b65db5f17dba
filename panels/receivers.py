"""What the panel does when the shared record moves a case (`cases.signals.case_moved`)."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, User
from cases.notifications import notification_queue
from cases.permissions import user_locality_id
from cases.roles import Role

from .models import ClosureNotice, Panel, PanelDecision, PanelOutcome


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
