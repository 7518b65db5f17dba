"""The panel's parts of the shared record's pages (cases/extensions.py): the "Panels" menu item, the home
page's sections (the waiting list in numbers for coordinators, the next meetings for standing members,
the cases the panel allocated for team managers) and the case page's "Early Help Panel" section.

What the sections show is read by `panels.selectors`, each a fixed number of queries; here it is only put in
words for the templates."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone

from cases.extensions import CaseSection, HomePanel, MenuItem, registry
from cases.models import Case, CaseStatus
from cases.permissions import CHANGE_CASE
from cases.roles import PRACTITIONER_ROLES, Role

from . import selectors
from .models import MeetingStatus, PanelOutcome
from .permissions import is_coordinator
from .selectors import OFFER_TARGET_DAYS
from .words import day_words, route_words, when_words

HOME_ROWS = 10
ON_THE_WAY = (CaseStatus.AWAITING_ALLOCATION, CaseStatus.AWAITING_LEAD_PROFESSIONAL)


# --- Words ------------------------------------------------------------------------------------------


def decision_words(decision) -> str:
    """A panel decision in a line, capitalised: "Lead agency Hill School (Family Support)"; "" for
    no decision."""
    from .services import decision_summary

    if decision is None:
        return ""
    summary = decision_summary(decision)
    return summary[0].upper() + summary[1:]


# --- The home page ----------------------------------------------------------------------------------


def _waiting_for_the_panel(request: HttpRequest) -> dict:
    """Per panel the coordinator runs: cases waiting, how many over 10 days, the next meeting. Two
    queries."""
    panels = list(selectors.with_next_meeting(selectors.managed_panels(user=request.user)))
    counts = selectors.waiting_counts(panels=panels)
    rows = [
        {
            "panel": panel,
            "waiting": counts[panel.pk]["waiting"],
            "over": counts[panel.pk]["over"],
            "next_meeting_words": when_words(panel.next_meeting_at) if panel.next_meeting_at else "",
        }
        for panel in panels
    ]
    return {"rows": rows, "target_days": OFFER_TARGET_DAYS}


def _your_panel_meetings(request: HttpRequest) -> dict | None:
    """The next meeting of each panel the practitioner sits on, or nothing for those who sit on none.
    One query."""
    panels = list(selectors.member_panels(user=request.user))
    if not panels:
        return None
    for panel in panels:
        panel.next_meeting_words = when_words(panel.next_meeting_at) if panel.next_meeting_at else ""
    return {"panels": panels}


def _allocated_by_the_panel(request: HttpRequest) -> dict | None:
    """The agency's cases the panel allocated, waiting for a lead professional, each with the date the
    lead professional is due by. One query."""
    if not request.user.agency_id:
        return None
    now = timezone.now()
    rows = list(selectors.allocated_awaiting_lead_professional(user=request.user)[:HOME_ROWS])
    for case in rows:
        case.overdue = case.lead_due_at < now
    return {"cases": rows}


# --- The case page ----------------------------------------------------------------------------------


def _decision_row(decision: dict, *, details: bool) -> dict:
    """A decision of `selectors.case_at_the_panel` in words."""
    from .services import decision_summary_words

    summary = decision_summary_words(
        outcome=decision["outcome"],
        lead_agency=decision["lead_agency"] or "",
        team=decision["team"] or "",
        not_for_panel_route=decision["not_for_panel_route"],
    )
    full_name = f"{decision['decided_by_first_name']} {decision['decided_by_last_name']}".strip()
    return {
        "summary": summary[0].upper() + summary[1:],
        "outcome": decision["outcome"],
        "reason": decision["reason"] if details else "",
        "decided_by": full_name or decision["decided_by_username"],
        "decided_on": day_words(decision["decided_at"]),
        "amendment_reason": decision["amendment_reason"] if details else "",
        "is_amendment": decision["amends_id"] is not None,
    }


def _early_help_panel(request: HttpRequest, case: Case) -> dict | None:
    """The case at the panel: whether it waits (since when, how it came, the note sent with a return,
    the meeting it is on), its history at panels with every decision and amendment, the closure
    notice the coordinators were told of, and, on its way to a lead professional, who supports the
    family meanwhile. One query (`selectors.case_at_the_panel`), whatever the case's history."""
    record = selectors.case_at_the_panel(case=case)
    items = record["items"]
    if not items and not case.waits_for_panel and case.status not in ON_THE_WAY:
        return None
    notice = record["notice"] if case.status == CaseStatus.CLOSED and items else None
    details = case.details_visible
    manages = is_coordinator(request.user) and CHANGE_CASE in case.perms
    on_agenda = None
    history = []
    for item in items:
        decisions = item["decisions"]
        if item["status"] == MeetingStatus.SCHEDULED and not decisions:
            on_agenda = {
                "meeting_id": item["meeting_id"],
                "panel_name": item["panel"],
                "words": when_words(item["starts_at"]),
            }
        history.append(
            {
                "meeting_id": item["meeting_id"],
                "meeting_words": day_words(item["starts_at"]),
                "panel_name": item["panel"],
                "route": route_words(item["route"]),
                "decisions": [_decision_row(decision, details=details) for decision in decisions],
            }
        )
    return {
        "waiting": case.waits_for_panel,
        "waiting_since": day_words(case.panel_waiting_since) if case.panel_waiting_since else "",
        "route": case.get_panel_route_display() if case.panel_route else "",
        "note": case.panel_note if details else "",
        "on_agenda": on_agenda,
        "history": history,
        "notice": notice,
        "notice_words": day_words(notice["told_at"]) if notice else "",
        "on_the_way": case.status in ON_THE_WAY,
        "referrer_agency": selectors.referrer_agency_name(record["referral"]) if case.status in ON_THE_WAY else "",
        "manages": manages,
        "can_ask": manages and case.is_open,
        "allocate": PanelOutcome.ALLOCATE,
    }


MENU_ITEMS = [MenuItem("Panels", "panels:list", roles=frozenset({Role.PANEL_COORDINATOR}), order=25)]
HOME_PANELS = [
    HomePanel(
        key="panel-waiting",
        roles=frozenset({Role.PANEL_COORDINATOR}),
        template="panels/parts/waiting.html",
        context=_waiting_for_the_panel,
        order=25,
    ),
    HomePanel(
        key="panel-meetings",
        roles=PRACTITIONER_ROLES,
        template="panels/parts/meetings.html",
        context=_your_panel_meetings,
        order=26,
    ),
    HomePanel(
        key="panel-allocated",
        roles=frozenset({Role.TEAM_MANAGER}),
        template="panels/parts/allocated.html",
        context=_allocated_by_the_panel,
        order=45,
    ),
]
CASE_SECTIONS = [
    CaseSection(key="early-help-panel", template="panels/parts/case_section.html", context=_early_help_panel, order=17)
]


def register() -> None:
    registry.add(*MENU_ITEMS, *HOME_PANELS, *CASE_SECTIONS)
