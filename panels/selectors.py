"""Reads of the Early Help Panel, each a fixed number of queries however much there is, and each
filtered by `panels.permissions` (and, for a family's details, by `cases.permissions`)."""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from cases.models import Case, CaseStatus, Deadline, User
from cases.permissions import cases_with_visibility
from front_door.models import InformationRequest

from .models import AgendaItem, Attendance, Meeting, MeetingAction, MeetingStatus, Panel, PanelDecision, PanelMember
from .permissions import MANAGE_PANEL, VIEW_PANEL, panels_for_user

OFFER_CLOCK = "front-door-to-offer"
OFFER_TARGET_DAYS = 10


def waiting_cases(panel: Panel) -> QuerySet[Case]:
    """The cases waiting for `panel`: of its locality (every locality for the county's panel)."""
    cases = Case.objects.filter(status=CaseStatus.AWAITING_ALLOCATION).exclude(panel_route="")
    if panel.locality_id is not None:
        cases = cases.filter(locality_id=panel.locality_id)
    return cases


def _offer_clock(field: str) -> Subquery:
    """The front-door-to-offer clock of each case (started when the front door received the
    referral): when it started, or when it is due."""
    clock = Deadline.objects.filter(
        subject_type="case", subject_id=OuterRef("pk"), timescale__code=OFFER_CLOCK
    ).order_by("-started_at")
    return Subquery(clock.values(field)[:1], output_field=DateTimeField())


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
    placed = AgendaItem.objects.filter(
        case=OuterRef("pk"), meeting__status=MeetingStatus.SCHEDULED, decisions__isnull=True
    ).order_by("meeting__starts_at")
    return (
        cases_with_visibility(user, waiting_cases(panel))
        .select_related("level_of_need", "locality")
        .annotate(
            received_at=Coalesce(_offer_clock("started_at"), F("opened_at")),
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


def panels_list(*, user: User) -> QuerySet[Panel]:
    """The panels `user` may see, each with its next meeting and how many cases wait for it."""
    next_meeting = Meeting.objects.filter(
        panel=OuterRef("pk"), status=MeetingStatus.SCHEDULED, starts_at__gte=timezone.now()
    ).order_by("starts_at")
    return (
        panels_for_user(user, VIEW_PANEL)
        .filter(active=True)
        .select_related("locality", "chair")
        .annotate(
            next_meeting_id=Subquery(next_meeting.values("pk")[:1]),
            next_meeting_at=Subquery(next_meeting.values("starts_at")[:1], output_field=DateTimeField()),
            managed=Exists(panels_for_user(user, MANAGE_PANEL).filter(pk=OuterRef("pk"))),
        )
        .order_by("name")
    )


def managed_panels(*, user: User) -> QuerySet[Panel]:
    return panels_for_user(user, MANAGE_PANEL).filter(active=True).select_related("locality").order_by("name")


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


def agenda(*, user: User, meeting: Meeting) -> list[AgendaItem]:
    """The meeting's agenda in order, each item with its case (with `details_visible` and
    `family_name` for `user`), its current decision (`decision`, or None) and whether it was amended.
    Two queries."""
    cases = cases_with_visibility(user, Case.objects.all()).select_related(
        "level_of_need", "family", "lead_agency", "team", "locality"
    )
    items = list(
        meeting.items.select_related("added_by")
        .prefetch_related(
            Prefetch("case", queryset=cases), Prefetch("decisions", queryset=_current_decisions(), to_attr="current")
        )
        .order_by("position", "id")
    )
    for item in items:
        item.details_visible = item.case.details_visible
        item.decision = item.current[-1] if item.current else None
    return items


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
    """Each standing member (current, or recorded at this meeting) with their attendance, if recorded."""
    recorded = {a.member_id: a for a in meeting.attendance.all()}
    members = PanelMember.objects.filter(panel_id=meeting.panel_id).filter(
        Q(ended_at__isnull=True) | Q(pk__in=list(recorded))
    )
    return [(member, recorded.get(member.pk)) for member in members.select_related("agency", "user")]


def meeting_actions(*, meeting: Meeting) -> QuerySet[MeetingAction]:
    return meeting.actions.select_related("owner", "owner__agency", "item__case").order_by("due_on", "id")


def case_panel_items(*, case: Case) -> list[AgendaItem]:
    """The case's times on a panel's agenda, newest first, with every decision (amendments too)."""
    return list(
        case.panel_items.select_related("meeting__panel")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=PanelDecision.objects.select_related("lead_agency", "team", "decided_by", "amends").order_by(
                    "decided_at", "id"
                ),
            )
        )
        .order_by("-meeting__starts_at")
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
