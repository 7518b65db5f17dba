"""Reads of the Early Help Panel, each a fixed number of queries however much there is, and each
filtered by `panels.permissions` (and, for a family's details, by `cases.permissions`)."""

from __future__ import annotations

import datetime

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    JSONField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, JSONObject
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from cases.models import Case, CaseStatus, Deadline, PanelRoute, User
from cases.permissions import cases_for_user, cases_with_visibility
from front_door.models import Channel, InformationRequest, Referral

from .models import (
    AgendaItem,
    Attendance,
    ClosureNotice,
    Meeting,
    MeetingAction,
    MeetingStatus,
    Panel,
    PanelDecision,
    PanelMember,
)
from .permissions import MANAGE_PANEL, VIEW_PANEL, panels_for_user

OFFER_CLOCK = "front-door-to-offer"
OFFER_TARGET_DAYS = 10
LEAD_PROFESSIONAL_CLOCK = "lead-professional"


# --- The waiting list --------------------------------------------------------------------------------


def _waiting_for_a_panel() -> QuerySet[Case]:
    return Case.objects.filter(status=CaseStatus.AWAITING_ALLOCATION).exclude(panel_route="")


def waiting_cases(panel: Panel) -> QuerySet[Case]:
    """The cases waiting for `panel`: of its locality (every locality for the county's panel)."""
    cases = _waiting_for_a_panel()
    if panel.locality_id is not None:
        cases = cases.filter(locality_id=panel.locality_id)
    return cases


def _case_clock(code: str, field: str, *, running: bool = False) -> Subquery:
    """A moment (`started_at`, `due_at`) of each case's latest clock of timescale `code` (with
    `running`, only a clock neither met nor cancelled)."""
    clock = Deadline.objects.filter(subject_type="case", subject_id=OuterRef("pk"), timescale__code=code)
    if running:
        clock = clock.filter(met_at__isnull=True, cancelled_at__isnull=True)
    return Subquery(clock.order_by("-started_at").values(field)[:1], output_field=DateTimeField())


def _offer_clock(field: str) -> Subquery:
    """The front-door-to-offer clock of each case (started when the front door received the
    referral): when it started, or when it is due."""
    return _case_clock(OFFER_CLOCK, field)


def _received_at() -> Coalesce:
    """When the front door received the referral: the 10-day clock's start, else the case's opening."""
    return Coalesce(_offer_clock("started_at"), F("opened_at"))


def _on_upcoming_agenda() -> QuerySet[AgendaItem]:
    """The case's items on the agenda of a scheduled meeting, not yet decided (for OuterRef("pk"))."""
    return AgendaItem.objects.filter(
        case=OuterRef("pk"), meeting__status=MeetingStatus.SCHEDULED, decisions__isnull=True
    ).order_by("meeting__starts_at")


def _requests(**filters) -> Subquery:
    counted = (
        InformationRequest.objects.filter(case=OuterRef("pk"), **filters)
        .order_by()
        .values("case")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def waiting_list(*, user: User, panel: Panel) -> QuerySet[Case]:
    """The panel's waiting list, longest waiting first, each case with what the coordinator needs to
    plan: how it came, its level of need, when the front door received the referral and the 10-day
    clock's due time, what partners were asked and answered, its place on an upcoming agenda, and
    the family's name where `user` may see it. One query (a page of it)."""
    placed = _on_upcoming_agenda()
    return (
        cases_with_visibility(user, waiting_cases(panel))
        .select_related("level_of_need", "locality")
        .annotate(
            received_at=_received_at(),
            offer_due_at=_offer_clock("due_at"),
            partners_asked=_requests(),
            partners_answered=_requests(answered_at__isnull=False),
            agenda_meeting_id=Subquery(placed.values("meeting_id")[:1]),
            agenda_meeting_at=Subquery(placed.values("meeting__starts_at")[:1], output_field=DateTimeField()),
        )
        .order_by("panel_waiting_since", "pk")
    )


def days_since(moment: datetime.datetime | None, now: datetime.datetime | None = None) -> int | None:
    if moment is None:
        return None
    now = now or timezone.now()
    return (timezone.localdate(now) - timezone.localdate(moment)).days


def over_target_before(now: datetime.datetime | None = None) -> datetime.datetime:
    """A case the front door received before this moment is over the 10-day target (more than
    `OFFER_TARGET_DAYS` days ago, counted in calendar days as `days_since` counts)."""
    today = timezone.localdate(now or timezone.now())
    day = today - datetime.timedelta(days=OFFER_TARGET_DAYS)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def over_target(now: datetime.datetime | None = None) -> Q:
    """A waiting case (annotated with `received_at`) over the 10-day target: one the front door sent
    to the panel more than `OFFER_TARGET_DAYS` days after it received the referral. A case its team
    sent back, or that social care stepped down, had its offer (or never came through the front
    door): the target is not its."""
    return Q(panel_route=PanelRoute.FRONT_DOOR, received_at__lt=over_target_before(now))


def waiting_to_add(*, user: User, panel: Panel) -> QuerySet:
    """The panel's waiting cases `user` may see that are on no upcoming agenda, longest waiting first:
    rows of `pk`, `reference` and `family_name` (None where `user` may not see the family's details),
    a select's options, not cases."""
    return (
        cases_with_visibility(user, waiting_cases(panel))
        .filter(~Exists(_on_upcoming_agenda()))
        .order_by("panel_waiting_since", "pk")
        .values("pk", "reference", "family_name")
    )


def waiting_counts(*, panels: list[Panel], now: datetime.datetime | None = None) -> dict[int, dict[str, int]]:
    """For each panel, how many cases wait for it (`waiting`) and how many of them are over the 10-day
    target (`over`). One query, grouped by locality, however many panels and cases."""
    if not panels:
        return {}
    rows = (
        _waiting_for_a_panel()
        .annotate(received_at=_received_at())
        .order_by()
        .values("locality_id")
        .annotate(waiting=Count("pk"), over=Count("pk", filter=over_target(now)))
    )
    by_locality = {row["locality_id"]: row for row in rows}
    counts = {}
    for panel in panels:
        chosen = list(by_locality.values()) if panel.locality_id is None else [by_locality.get(panel.locality_id)]
        chosen = [row for row in chosen if row]
        counts[panel.pk] = {"waiting": sum(r["waiting"] for r in chosen), "over": sum(r["over"] for r in chosen)}
    return counts


# --- Panels ----------------------------------------------------------------------------------------------


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


def panels_list(*, user: User) -> QuerySet[Panel]:
    """The panels `user` may see, each with its next meeting (`with_next_meeting`) and whether `user`
    runs it (`managed`)."""
    return (
        with_next_meeting(panels_for_user(user, VIEW_PANEL).filter(active=True))
        .select_related("locality", "chair")
        .annotate(managed=Exists(panels_for_user(user, MANAGE_PANEL).filter(pk=OuterRef("pk"))))
        .order_by("name")
    )


def managed_panels(*, user: User) -> QuerySet[Panel]:
    return panels_for_user(user, MANAGE_PANEL).filter(active=True).select_related("locality").order_by("name")


def member_panels(*, user: User) -> QuerySet[Panel]:
    """The active panels `user` sits on as a standing member, each with its next meeting."""
    seat = PanelMember.objects.filter(panel=OuterRef("pk"), user_id=user.pk, ended_at__isnull=True)
    return with_next_meeting(Panel.objects.filter(Exists(seat), active=True)).order_by("name")


def panel_meetings(*, panel: Panel, upcoming: bool) -> QuerySet[Meeting]:
    meetings = Meeting.objects.filter(panel=panel).annotate(item_count=Count("items"))
    now = timezone.now()
    if upcoming:
        return meetings.filter(status=MeetingStatus.SCHEDULED, starts_at__gte=now - datetime.timedelta(hours=12))
    return meetings.filter(Q(starts_at__lt=now - datetime.timedelta(hours=12)) | ~Q(status=MeetingStatus.SCHEDULED))


def panel_members(*, panel: Panel) -> QuerySet[PanelMember]:
    return panel.members.filter(ended_at__isnull=True).select_related("agency", "user")


def _current_decisions() -> QuerySet[PanelDecision]:
    return (
        PanelDecision.objects.filter(amended_by__isnull=True)
        .select_related("lead_agency", "team", "closure_reason", "decided_by", "deferred_to", "amends")
        .order_by("decided_at")
    )


def agenda(*, user: User, meeting: Meeting, item_id: int | None = None, brief: bool = False) -> list[AgendaItem]:
    """The meeting's agenda in order, each item with its case (with `details_visible` and
    `family_name` for `user`), its current decision (`decision`, or None) and whether it was amended;
    with `item_id`, that item alone (nothing if it is not on this agenda). `brief`, for the meeting
    page: only the columns it shows (the item's position and route; the case's reference and level
    of need), not whole cases for the papers. Three queries."""
    cases = cases_with_visibility(user, Case.objects.all())
    items = meeting.items.all() if item_id is None else meeting.items.filter(pk=item_id)
    if brief:
        cases = cases.select_related("level_of_need").only("id", "reference", "level_of_need__name")
        items = items.only("id", "meeting_id", "case_id", "position", "route")
    else:
        cases = cases.select_related("level_of_need", "family", "lead_agency", "team", "locality")
        items = items.select_related("added_by")
    items = list(
        items.prefetch_related(
            Prefetch("case", queryset=cases), Prefetch("decisions", queryset=_current_decisions(), to_attr="current")
        ).order_by("position", "id")
    )
    for item in items:
        item.details_visible = item.case.details_visible
        item.decision = item.current[-1] if item.current else None
    return items


def agenda_item(*, meeting: Meeting, item_id: int) -> AgendaItem | None:
    """The item `item_id` of the meeting's agenda with its case, or None if it is not on it."""
    item = AgendaItem.objects.filter(pk=item_id, meeting=meeting).select_related("case").first()
    if item is not None:
        item.meeting = meeting
    return item


def agenda_items(*, meeting: Meeting) -> QuerySet[AgendaItem]:
    """The meeting's items in order, each with its case (no family details: a form's choices)."""
    return meeting.items.select_related("case").order_by("position", "id")


def undecided_count(*, meeting: Meeting) -> int:
    """How many of the meeting's items have no decision yet."""
    return meeting.items.filter(decisions__isnull=True).count()


def latest_decision_id(*, decision: PanelDecision) -> int | None:
    """The id of the item's current decision: `decision` itself or its latest amendment."""
    return (
        PanelDecision.objects.filter(item_id=decision.item_id, amended_by__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )


def agenda_histories(*, items: list[AgendaItem]) -> dict[int, list]:
    """Each visible case's history for the papers: its chronology's events (newest first, at most 20),
    the front door's decisions on the referrals that brought it, and partners' answers. Three queries."""
    from cases.models import ChronologyEntry
    from front_door.models import Decision

    case_ids = [item.case_id for item in items if item.details_visible]
    family_ids = [item.case.family_id for item in items if item.details_visible]
    history: dict[int, dict] = {cid: {"events": [], "decisions": [], "answers": []} for cid in case_ids}
    family_case = {item.case.family_id: item.case_id for item in items if item.details_visible}
    entries = (
        ChronologyEntry.objects.filter(family_id__in=family_ids, kind=ChronologyEntry.Kind.EVENT)
        .select_related("author_agency")
        .order_by("family_id", "-occurred_at", "-id")
    )
    for entry in entries:
        events = history[family_case[entry.family_id]]["events"]
        if len(events) < 20:
            events.append(entry)
    decisions = (
        Decision.objects.filter(referral__case_id__in=case_ids)
        .select_related("referral", "level_of_need", "destination", "decided_by")
        .order_by("decided_at")
    )
    for decision in decisions:
        history[decision.referral.case_id]["decisions"].append(decision)
    for request in (
        InformationRequest.objects.filter(case_id__in=case_ids).select_related("agency").order_by("requested_at")
    ):
        history[request.case_id]["answers"].append(request)
    return history


def meeting_attendance(*, meeting: Meeting) -> list[tuple[PanelMember, Attendance | None]]:
    """Each standing member of the meeting's panel (current, or recorded at this meeting, by agency)
    with their attendance at it, or None until it is recorded. One query."""
    members = (
        PanelMember.objects.filter(panel_id=meeting.panel_id)
        .annotate(attendance_here=FilteredRelation("attendance", condition=Q(attendance__meeting_id=meeting.pk)))
        .filter(Q(ended_at__isnull=True) | Q(attendance_here__isnull=False))
        .select_related("agency", "user", "attendance_here")
    )
    # A member with no attendance here has no `attendance_here` set at all.
    return [(member, getattr(member, "attendance_here", None)) for member in members]


def meeting_actions(*, meeting: Meeting) -> QuerySet[MeetingAction]:
    return meeting.actions.select_related("owner", "owner__agency", "item__case").order_by("due_on", "id")


def case_at_the_panel(*, case: Case) -> dict:
    """The case's record at the panel, in one query however often it came: `items`, its times on a
    panel's agenda newest first, each with the meeting (`meeting_id`, `starts_at`, `status`,
    `panel`), the `route` it came by and its `decisions` oldest first (amendments too: `outcome`,
    `lead_agency`, `team`, `not_for_panel_route`, `reason`, `amendment_reason`, `amends_id`,
    `decided_at`, `decided_by_*`); `notice`, what the panel's coordinators were told when it closed
    (`panel`, `closure_reason`, `told_at`), if they were; and `referral`, the channel and referrer's
    agency of the latest referral received for it, if one was. Times are parsed back from the JSON."""
    decisions = (
        PanelDecision.objects.filter(item=OuterRef("pk"))
        .order_by("decided_at", "id")
        .values(
            row=JSONObject(
                outcome="outcome",
                lead_agency="lead_agency__name",
                team="team__name",
                not_for_panel_route="not_for_panel_route",
                reason="reason",
                amendment_reason="amendment_reason",
                amends_id="amends_id",
                decided_at="decided_at",
                decided_by_first_name="decided_by__first_name",
                decided_by_last_name="decided_by__last_name",
                decided_by_username="decided_by__username",
            )
        )
    )
    items = (
        AgendaItem.objects.filter(case=OuterRef("pk"))
        .order_by("-meeting__starts_at", "-id")
        .values(
            row=JSONObject(
                meeting_id="meeting_id",
                starts_at="meeting__starts_at",
                status="meeting__status",
                panel="meeting__panel__name",
                route="route",
                decisions=ArraySubquery(decisions),
            )
        )
    )
    notice = (
        ClosureNotice.objects.filter(case=OuterRef("pk"))
        .order_by("-closed_at")
        .values(row=JSONObject(panel="panel__name", closure_reason="closure_reason__name", told_at="told_at"))[:1]
    )
    referral = (
        Referral.objects.filter(case=OuterRef("pk"), received_at__isnull=False)
        .order_by("-received_at", "-pk")
        .values(row=JSONObject(channel="channel", agency="referrer_agency__name"))[:1]
    )
    record = (
        Case.objects.filter(pk=case.pk)
        .values(
            items=ArraySubquery(items),
            notice=Subquery(notice, output_field=JSONField()),
            referral=Subquery(referral, output_field=JSONField()),
        )
        .get()
    )
    for item in record["items"]:
        item["starts_at"] = parse_datetime(item["starts_at"])
        for decision in item["decisions"]:
            decision["decided_at"] = parse_datetime(decision["decided_at"])
    if record["notice"]:
        record["notice"]["told_at"] = parse_datetime(record["notice"]["told_at"])
    return record


def referrer_agency_name(referral: dict | None) -> str:
    """The agency of the practitioner whose referral (`case_at_the_panel`'s `referral`) brought the
    case: "" for a referral that came from someone else (a parent, a member of the public)."""
    if referral and referral["channel"] in (Channel.PRACTITIONER, Channel.API):
        return referral["agency"] or ""
    return ""


def allocated_awaiting_lead_professional(*, user: User) -> QuerySet[Case]:
    """The cases of `user`'s agency the panel allocated that still wait for a lead professional, with
    the lead-professional clock's due time (`lead_due_at`), soonest first. One query."""
    cases = Case.objects.filter(status=CaseStatus.AWAITING_LEAD_PROFESSIONAL, lead_agency_id=user.agency_id)
    return (
        cases_with_visibility(user, cases_for_user(user, queryset=cases))
        .annotate(lead_due_at=_case_clock(LEAD_PROFESSIONAL_CLOCK, "due_at", running=True))
        .filter(lead_due_at__isnull=False)
        .select_related("team")
        .order_by("lead_due_at", "pk")
    )


def agenda_people(*, items: list[AgendaItem]) -> dict[int, list]:
    """The people of each visible item's family, for the papers (keyed by case id): each person with
    their membership (`membership`, for parental responsibility) and `related` (what they are to the
    others of the family, in words: "Parent of Amara Okafor", or else what a referral said they are
    to the children: "Mother"). Three queries."""
    from cases.models import FamilyMembership, Relationship
    from front_door.models import ReferralPerson

    family_case: dict[int, list[int]] = {}
    for item in items:
        if item.details_visible:
            family_case.setdefault(item.case.family_id, []).append(item.case_id)
    people: dict[int, list] = {case_id: [] for case_ids in family_case.values() for case_id in case_ids}
    memberships = list(
        FamilyMembership.objects.filter(family_id__in=list(family_case))
        .select_related("person")
        .order_by("family_id", "person__kind", "person__date_of_birth", "person__last_name", "person__first_name")
    )
    person_ids = {m.person_id for m in memberships}
    # What a referral said an adult is to the children ("Mother"), the latest it said.
    said = dict(
        ReferralPerson.objects.filter(person_id__in=person_ids)
        .exclude(relationship="")
        .order_by("person_id", "-id")
        .distinct("person_id")
        .values_list("person_id", "relationship")
    )
    related: dict[int, list[str]] = {}
    for link in Relationship.objects.filter(person_id__in=person_ids, related_person_id__in=person_ids).select_related(
        "person"
    ):
        related.setdefault(link.related_person_id, []).append(f"{link.get_kind_display()} of {link.person.full_name}")
    for membership in memberships:
        person = membership.person
        person.membership = membership
        person.related = sorted(related.get(person.pk, [])) or ([said[person.pk]] if person.pk in said else [])
        for case_id in family_case[membership.family_id]:
            people[case_id].append(person)
    return people


def agenda_decisions(*, items: list[AgendaItem]) -> dict[int, list[PanelDecision]]:
    """Every decision of each item (keyed by item id), the first first and each amendment after the
    decision it amends, with who decided and what. One query."""
    decisions: dict[int, list[PanelDecision]] = {item.pk: [] for item in items}
    for decision in (
        PanelDecision.objects.filter(item_id__in=list(decisions))
        .select_related("lead_agency", "team", "closure_reason", "decided_by", "deferred_to")
        .order_by("item_id", "decided_at", "id")
    ):
        decisions[decision.item_id].append(decision)
    return decisions
