"""The outcomes app's parts of the shared record's pages (`cases.extensions`): the case page's
"Closure and outcomes" section and the team managers' home panel of outcomes to check six months
after closure. Each reads one query."""

from __future__ import annotations

from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import OuterRef, Q, Subquery
from django.db.models.functions import JSONObject
from django.http import HttpRequest
from django.utils import timezone

from cases.extensions import CaseSection, HomePanel, MenuItem, registry
from cases.models import Case, CaseStatus, Deadline
from cases.permissions import MANAGE_CASE, role_scope_filter
from cases.roles import Role

from .models import Achieved, Closure, ClosureStatus, NeedOutcome
from .services import SUSTAINED_CHECK, may_check_sustained

HOME_ROWS = 10


def _closure_section(request: HttpRequest, case: Case) -> dict | None:
    """What was recorded when the case closed (or is asked to close): each need's outcome, where the
    family went, their feedback, the manager's decision and the six-month check. Only on a case
    closing or closed, to viewers who see the family's details. One query."""
    if case.status not in (CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED) or not case.details_visible:
        return None
    outcomes = (
        NeedOutcome.objects.filter(closure_id=OuterRef("pk"))
        .order_by("need__recorded_at", "need_id")
        .values(
            row=JSONObject(
                id="id",
                area="need__area__name",
                description="need__description",
                person_first="need__person__first_name",
                person_last="need__person__last_name",
                achieved="achieved",
                evidence_note="evidence_note",
                reading_tool="evidence_reading__tool__name",
                reading_taken_on="evidence_reading__taken_on",
                has_file="evidence_file",
                sustained="sustained",
                sustained_note="sustained_note",
            )
        )
    )
    closure = (
        Closure.objects.filter(case_id=case.pk)
        .exclude(status=ClosureStatus.RETURNED)
        .select_related("destination", "requested_by", "decided_by")
        .annotate(
            outcome_rows=ArraySubquery(outcomes),
            check_due_at=Subquery(
                Deadline.objects.filter(
                    subject_type="closure",
                    subject_id=OuterRef("pk"),
                    timescale__code=SUSTAINED_CHECK,
                    met_at__isnull=True,
                    cancelled_at__isnull=True,
                ).values("due_at")[:1]
            ),
        )
        .order_by("-requested_at")
        .first()
    )
    if closure is None:
        return None
    closure.case = case  # whose lead agency may check it: the case the page already read
    rows = []
    for row in closure.outcome_rows:
        person = f"{row['person_first'] or ''} {row['person_last'] or ''}".strip()
        rows.append(
            {**row, "who": person or "the whole family", "achieved_words": dict(Achieved.choices)[row["achieved"]]}
        )
    return {
        "closure": closure,
        "outcomes": rows,
        "check_due_at": closure.check_due_at,
        "may_check": closure.status == ClosureStatus.SIGNED_OFF
        and closure.sustained_checked_at is None
        and may_check_sustained(request.user, closure),
    }


def _outcomes_to_check(request: HttpRequest) -> dict | None:
    """The closed cases the manager answers for (`may_check_sustained`: those their role manages)
    whose six-month check is running, soonest due first. One query."""
    if not request.user.agency_id and not request.user.team_id:
        return None
    managed = role_scope_filter(request.user, MANAGE_CASE, prefix="case__")
    if managed is None:
        managed = Q()
    now = timezone.now()
    rows = list(
        Deadline.objects.filter(
            managed, timescale__code=SUSTAINED_CHECK, met_at__isnull=True, cancelled_at__isnull=True
        )
        .order_by("due_at", "id")
        .values("case_id", "reference", "due_at")[:HOME_ROWS]
    )
    for row in rows:
        row["overdue"] = row["due_at"] < now
    return {"rows": rows}


CASE_SECTIONS = [
    CaseSection(
        key="closure-outcomes", template="outcomes/parts/closure_section.html", context=_closure_section, order=45
    )
]
HOME_PANELS = [
    HomePanel(
        key="outcomes-to-check",
        roles=frozenset({Role.TEAM_MANAGER}),
        template="outcomes/parts/to_check.html",
        context=_outcomes_to_check,
        order=60,
    )
]


MENU_ITEMS = [MenuItem("Claims", "outcomes:claims", roles=frozenset({Role.ANALYST, Role.TEAM_MANAGER}), order=70)]


def register() -> None:
    registry.add(*CASE_SECTIONS, *HOME_PANELS, *MENU_ITEMS)
