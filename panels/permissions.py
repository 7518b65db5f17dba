"""Who may see and run a panel: the one place that decides, for pages and the API alike.

- A panel's coordinators run it: panel coordinators whose team covers its locality, and the county's
  coordinators (whose team covers no one locality) every panel. Nobody else manages a panel.
- Its standing members (the people who attend for an agency) see its meetings and their agendas;
  on an agenda, a family's details only where the family agreed to share with the member's agency
  (`cases.permissions.details_visible_expression`, the rule of the case pages), otherwise the
  case's reference and level of need only.
- Analysts and administrators see no panel; team managers see their agency's allocations through
  the case pages.

A panel or meeting reaches a user only through `panel_get_for_user` and `meeting_get_for_user`
(404 alike for missing and not yours); each view of a meeting's agenda is in the access log of
every case whose details it showed (`agenda_log_views`).
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from cases.access import register_record_kind
from cases.audit import client_address
from cases.models import AccessLog, User
from cases.permissions import user_locality_id
from cases.roles import Role

from .models import AgendaItem, Meeting, MeetingAction, Panel, PanelDecision, PanelMember

VIEW_PANEL = "view_panel"
MANAGE_PANEL = "manage_panel"
PANEL_PERMS = (VIEW_PANEL, MANAGE_PANEL)
AGENDA_RECORD = "panel_agenda"


def is_coordinator(user: User) -> bool:
    return user.is_authenticated and user.is_active and user.has_role(Role.PANEL_COORDINATOR)


def coordinates_county(user: User) -> bool:
    """A coordinator whose team covers no one locality runs every panel."""
    return is_coordinator(user) and user_locality_id(user) is None


def panel_access_filter(user: User, perm: str = VIEW_PANEL) -> Q:
    """A filter on Panel for the panels `user` holds `perm` on."""
    if perm not in PANEL_PERMS:
        raise ValueError(f"unknown panel permission {perm}")
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    condition = nothing
    if is_coordinator(user):
        if coordinates_county(user):
            return Q()
        condition = Q(locality_id=user_locality_id(user))
    if perm == VIEW_PANEL and user.is_practitioner:
        membership = PanelMember.objects.filter(panel=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True)
        condition |= Q(Exists(membership))
    return condition


def panels_for_user(user: User, perm: str = VIEW_PANEL, queryset: QuerySet[Panel] | None = None) -> QuerySet[Panel]:
    queryset = Panel.objects.all() if queryset is None else queryset
    return queryset.filter(panel_access_filter(user, perm))


def panel_perms(user: User, panel: Panel) -> frozenset[str]:
    return frozenset(perm for perm in PANEL_PERMS if panels_for_user(user, perm).filter(pk=panel.pk).exists())


def _perms_on_reached(user: User, panel: Panel) -> frozenset[str]:
    """The user's permissions on a panel they just reached through `panels_for_user` (with either
    permission), without a query: whoever manages a panel also views it (see `panel_access_filter`),
    so they view it, and they manage it as `may_manage_panel` says (the rule of MANAGE_PANEL there)."""
    return frozenset((VIEW_PANEL, MANAGE_PANEL) if may_manage_panel(user, panel) else (VIEW_PANEL,))


def may_manage_panel(user: User, panel: Panel) -> bool:
    return is_coordinator(user) and (coordinates_county(user) or panel.locality_id == user_locality_id(user))


def panel_get_for_user(
    *, user: User, panel_id: int, perm: str = VIEW_PANEL, request: HttpRequest | None = None, log: bool = True
) -> Panel:
    """The panel if `user` holds `perm` on it, else 404. A panel names no family: not logged."""
    panel = panels_for_user(user, perm).select_related("locality", "chair").filter(pk=panel_id).first()
    if panel is None:
        raise Http404("No panel found")
    panel.perms = _perms_on_reached(user, panel)
    return panel


def meeting_get_for_user(
    *, user: User, meeting_id: int, perm: str = VIEW_PANEL, request: HttpRequest | None = None, log: bool = True
) -> Meeting:
    """A meeting of a panel `user` holds `perm` on, else 404, with `perms` (the user's on its panel).
    What its agenda shows is logged by the page that shows it (`agenda_log_views`)."""
    meeting = (
        Meeting.objects.filter(panel__in=panels_for_user(user, perm))
        .select_related("panel", "panel__locality", "panel__chair")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise Http404("No meeting found")
    meeting.perms = _perms_on_reached(user, meeting.panel)
    return meeting


def agenda_log_views(
    *, user: User, meeting: Meeting, items, request: HttpRequest | None = None, action: str = AccessLog.Action.VIEW
) -> None:
    """Write the access log for a look at a meeting's agenda (page, PDF or API): one entry per case
    whose family's details it showed, naming the case, written in one statement."""
    at, address = timezone.now(), client_address(request)
    path = request.path[:300] if request is not None else ""
    AccessLog.objects.bulk_create(
        AccessLog(
            at=at,
            user_id=user.pk,
            action=action,
            record_type=AGENDA_RECORD,
            record_id=item.pk,
            case_id=item.case_id,
            ip_address=address,
            path=path,
        )
        for item in items
        if getattr(item, "details_visible", False)
    )


def agenda_item_get_for_user(
    *, user: User, item_id: int, perm: str = VIEW_PANEL, request: HttpRequest | None = None, log: bool = True
) -> AgendaItem:
    """An agenda item, if `user` holds `perm` on its meeting (`meeting_get_for_user`), else 404; with
    its case, and its meeting (with the meeting's `perms`)."""
    meeting_id = AgendaItem.objects.filter(pk=item_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise Http404("No agenda item found")
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id, perm=perm, request=request, log=log)
    item = meeting.items.select_related("case").filter(pk=item_id).first()
    if item is None:
        raise Http404("No agenda item found")
    item.meeting = meeting
    return item


def panel_decision_get_for_user(
    *, user: User, panel_decision_id: int, perm: str = VIEW_PANEL, request: HttpRequest | None = None, log: bool = True
) -> PanelDecision:
    """A panel decision, if `user` holds `perm` on its meeting, else 404; with its item, and the item
    with its case and meeting."""
    meeting_id = PanelDecision.objects.filter(pk=panel_decision_id).values_list("item__meeting_id", flat=True).first()
    if meeting_id is None:
        raise Http404("No decision found")
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id, perm=perm, request=request, log=log)
    decision = (
        PanelDecision.objects.filter(pk=panel_decision_id, item__meeting=meeting)
        .select_related("item__case", "lead_agency", "team", "closure_reason", "decided_by", "amends")
        .first()
    )
    if decision is None:
        raise Http404("No decision found")
    decision.item.meeting = meeting
    return decision


def meeting_action_get_for_user(
    *, user: User, action_id: int, perm: str = VIEW_PANEL, request: HttpRequest | None = None, log: bool = True
) -> MeetingAction:
    """A meeting's action, if `user` holds `perm` on its meeting, else 404; with its meeting."""
    meeting_id = MeetingAction.objects.filter(pk=action_id).values_list("meeting_id", flat=True).first()
    if meeting_id is None:
        raise Http404("No action found")
    meeting = meeting_get_for_user(user=user, meeting_id=meeting_id, perm=perm, request=request, log=log)
    action = MeetingAction.objects.filter(pk=action_id, meeting=meeting).select_related("owner").first()
    if action is None:
        raise Http404("No action found")
    action.meeting = meeting
    return action


register_record_kind("panel", panel_get_for_user, "panel_id")
register_record_kind("meeting", meeting_get_for_user, "meeting_id")
register_record_kind("agenda_item", agenda_item_get_for_user, "item_id")
register_record_kind("panel_decision", panel_decision_get_for_user, "panel_decision_id")
register_record_kind("meeting_action", meeting_action_get_for_user, "action_id")
