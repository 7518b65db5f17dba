"""The panel's parts of the shared record's pages (cases/extensions.py): the "Panels" menu item, the home
page's sections (the waiting list in numbers for coordinators, the next meetings for standing members,
the cases the panel allocated for team managers) and the case page's "Early Help Panel" section.

Also the words the panel pages share (a schedule, a meeting's date and time, GOV.UK style) and the
summaries those sections read, each a fixed number of queries."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.utils import timezone

from cases.extensions import CaseSection, HomePanel, MenuItem, registry
from cases.models import Case, CaseStatus, Deadline, PanelRoute, User
from cases.permissions import CHANGE_CASE, cases_for_user, cases_with_visibility
from cases.roles import PRACTITIONER_ROLES, Role

from . import selectors
from .models import ClosureNotice, Meeting, MeetingStatus, Panel, PanelMember, PanelOutcome
from .permissions import is_coordinator
from .selectors import OFFER_TARGET_DAYS

HOME_ROWS = 10
LEAD_PROFESSIONAL_CLOCK = "lead-professional"
ON_THE_WAY = (CaseStatus.AWAITING_ALLOCATION, CaseStatus.AWAITING_LEAD_PROFESSIONAL)


# --- Words ------------------------------------------------------------------------------------------


def time_words(value: datetime.time) -> str:
    """A time the GOV.UK way: "10am", "2:30pm", "midday", "midnight"."""
    if (value.hour, value.minute) == (12, 0):
        return "midday"
    if (value.hour, value.minute) == (0, 0):
        return "midnight"
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


def day_words(value: datetime.datetime | datetime.date) -> str:
    """ "8 December 2026"."""
    if isinstance(value, datetime.datetime):
        value = timezone.localtime(value)
    return f"{value.day} {value:%B %Y}"


def when_words(moment: datetime.datetime) -> str:
    """A meeting's date and time: "Tuesday 8 December 2026 at 10am"."""
    local = timezone.localtime(moment)
    return f"{local:%A} {day_words(local)} at {time_words(local.time())}"


def schedule_words(panel: Panel) -> str:
    """ "Every two weeks on Tuesday at 10am"."""
    return f"{panel.get_frequency_display()} on {panel.get_weekday_display()} at {time_words(panel.meets_at)}"


def over_target_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """A case the front door received before this moment is over the 10-day target (more than
    `OFFER_TARGET_DAYS` days ago, counted in calendar days as `selectors.days_since` counts)."""
    today = timezone.localdate(now or timezone.now())
    day = today - datetime.timedelta(days=OFFER_TARGET_DAYS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


# --- Reads ------------------------------------------------------------------------------------------


def _next_meeting(field: str, output_field) -> Subquery:
    upcoming = Meeting.objects.filter(
        panel=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return Subquery(upcoming.values(field)[:1], output_field=output_field)


def with_next_meeting(panels: QuerySet[Panel]) -> QuerySet[Panel]:
    """Each panel with its next meeting: `next_meeting_id`, `next_meeting_at`, `next_agenda_sent_at`."""
    return panels.annotate(
        next_meeting_id=_next_meeting("pk", IntegerField()),
        next_meeting_at=_next_meeting("starts_at", DateTimeField()),
        next_agenda_sent_at=_next_meeting("agenda_sent_at", DateTimeField()),
    )


def waiting_counts(*, panels: list[Panel], now: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """For each panel, how many cases wait for it (`waiting`) and how many of them are over the 10-day
    target (`over`). One query, grouped by locality, however many panels and cases."""
    if not panels:
        return {}
    clock = Deadline.objects.filter(
        subject_type="case", subject_id=OuterRef("pk"), timescale__code=selectors.OFFER_CLOCK
    ).order_by("-started_at")
    rows = (
        Case.objects.filter(status=CaseStatus.AWAITING_ALLOCATION)
        .exclude(panel_route="")
        .annotate(
            received_at=Coalesce(Subquery(clock.values("started_at")[:1], output_field=DateTimeField()), F("opened_at"))
        )
        .order_by()
        .values("locality_id")
        .annotate(waiting=Count("pk"), over=Count("pk", filter=Q(received_at__lt=over_target_before(now))))
    )
    by_locality = {row["locality_id"]: row for row in rows}
    counts = {}
    for panel in panels:
        chosen = list(by_locality.values()) if panel.locality_id is None else [by_locality.get(panel.locality_id)]
        chosen = [row for row in chosen if row]
        counts[panel.pk] = {"waiting": sum(r["waiting"] for r in chosen), "over": sum(r["over"] for r in chosen)}
    return counts


def member_panels(*, user: User) -> QuerySet[Panel]:
    """The active panels `user` sits on as a standing member, each with its next meeting."""
    seat = PanelMember.objects.filter(panel=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True)
    return with_next_meeting(Panel.objects.filter(Exists(seat), active=True)).order_by("name")


def allocated_awaiting_lead_professional(*, user: User) -> QuerySet[Case]:
    """The cases of `user`'s agency the panel allocated that still wait for a lead professional, with
    the lead-professional clock's due time (`lead_due_at`), soonest first. One query."""
    clock = Deadline.objects.filter(
        subject_type="case",
        subject_id=OuterRef("pk"),
        timescale__code=LEAD_PROFESSIONAL_CLOCK,
        met_at__isnull=True,
        cancelled_at__isnull=True,
    ).order_by("-started_at")
    cases = Case.objects.filter(status=CaseStatus.AWAITING_LEAD_PROFESSIONAL, lead_agency_id=user.agency_id)
    return (
        cases_with_visibility(user, cases_for_user(user, queryset=cases))
        .annotate(lead_due_at=Subquery(clock.values("due_at")[:1], output_field=DateTimeField()))
        .filter(lead_due_at__isnull=False)
        .select_related("team")
        .order_by("lead_due_at", "pk")
    )


# --- The home page ----------------------------------------------------------------------------------


def _waiting_for_the_panel(request: HttpRequest) -> dict:
    """Per panel the coordinator runs: cases waiting, how many over 10 days, the next meeting. Two
    queries."""
    panels = list(with_next_meeting(selectors.managed_panels(user=request.user)))
    counts = waiting_counts(panels=panels)
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
    panels = list(member_panels(user=request.user))
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
    rows = list(allocated_awaiting_lead_professional(user=request.user)[:HOME_ROWS])
    for case in rows:
        case.overdue = case.lead_due_at < now
    return {"cases": rows}


# --- The case page ----------------------------------------------------------------------------------


def _referrer_agency_name(case: Case) -> str:
    """The agency of the practitioner whose referral brought the case, if one did. One query."""
    from front_door.models import Channel, Referral

    referral = (
        Referral.objects.filter(case=case, received_at__isnull=False)
        .order_by("-received_at", "-pk")
        .values("channel", "referrer_agency__name")
        .first()
    )
    if referral and referral["channel"] in (Channel.PRACTITIONER, Channel.API):
        return referral["referrer_agency__name"] or ""
    return ""


def _decision_row(decision, *, details: bool) -> dict:
    from .services import decision_summary

    summary = decision_summary(decision)
    return {
        "summary": summary[0].upper() + summary[1:],
        "outcome": decision.outcome,
        "reason": decision.reason if details else "",
        "decided_by": decision.decided_by.get_full_name() or decision.decided_by.username,
        "decided_on": day_words(decision.decided_at),
        "amendment_reason": decision.amendment_reason if details else "",
        "is_amendment": decision.amends_id is not None,
    }


def _early_help_panel(request: HttpRequest, case: Case) -> dict | None:
    """The case at the panel: whether it waits (since when, how it came, the note sent with a return,
    the meeting it is on), its history at panels with every decision and amendment, the closure
    notice the coordinators were told of, and, on its way to a lead professional, who supports the
    family meanwhile. At most four queries; one for a case that never came to the panel."""
    items = selectors.case_panel_items(case=case)
    notice = None
    if case.status == CaseStatus.CLOSED and items:
        notice = ClosureNotice.objects.filter(case=case).select_related("closure_reason", "panel").first()
    if not items and not case.waits_for_panel and case.status not in ON_THE_WAY:
        return None
    details = case.details_visible
    manages = is_coordinator(request.user) and CHANGE_CASE in case.perms
    on_agenda = None
    history = []
    for item in items:
        decisions = list(item.decisions.all())
        meeting = item.meeting
        if meeting.status == MeetingStatus.SCHEDULED and not decisions:
            on_agenda = {"meeting": meeting, "words": when_words(meeting.starts_at)}
        history.append(
            {
                "meeting": meeting,
                "meeting_words": day_words(meeting.starts_at),
                "panel_name": meeting.panel.name,
                "route": PanelRoute(item.route).label if item.route in PanelRoute.values else "",
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
        "notice_words": day_words(notice.told_at) if notice else "",
        "on_the_way": case.status in ON_THE_WAY,
        "referrer_agency": _referrer_agency_name(case) if case.status in ON_THE_WAY else "",
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
