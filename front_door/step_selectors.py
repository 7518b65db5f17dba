"""Reads of step ups and step downs (`models.Handover`): a case's handovers with the front door's
latest decision on each step up, in one query; and a step down's page."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import OuterRef, Subquery

from cases.models import Case, DecisionOutcome

from .models import Decision, Handover, HandoverDirection, ReferralStatus


@dataclass(frozen=True)
class HandoverRow:
    """One handover as the case shows it: what was handed over, by whom, and (a step up) the front
    door's latest decision, None while it waits."""

    referral_id: int
    reference: str
    direction: str
    direction_label: str
    made_at: datetime.datetime
    made_by: str
    reason: str
    summary: str
    social_worker: str
    social_care_team: str
    waiting: bool
    status_label: str
    duplicate_of: str
    decision_outcome: str
    decision_outcome_label: str
    decision_destination: str
    decision_reason: str
    decided_at: datetime.datetime | None
    decided_by: str
    amended: bool

    @property
    def step_up(self) -> bool:
        return self.direction == HandoverDirection.STEP_UP


def _rows(queryset) -> list[HandoverRow]:
    latest = Decision.objects.filter(referral=OuterRef("referral_id")).order_by("-decided_at", "-id")
    rows = queryset.select_related("referral", "referral__duplicate_of", "made_by").annotate(
        decision_outcome=Subquery(latest.values("outcome")[:1]),
        decision_destination=Subquery(latest.values("destination__name")[:1]),
        decision_reason=Subquery(latest.values("reason")[:1]),
        decided_at=Subquery(latest.values("decided_at")[:1]),
        decided_by_first=Subquery(latest.values("decided_by__first_name")[:1]),
        decided_by_last=Subquery(latest.values("decided_by__last_name")[:1]),
        decision_amends=Subquery(latest.values("amends_id")[:1]),
    )
    result = []
    for handover in rows:
        referral = handover.referral
        outcome = handover.decision_outcome or ""
        result.append(
            HandoverRow(
                referral_id=referral.pk,
                reference=referral.reference or "",
                direction=handover.direction,
                direction_label=handover.get_direction_display(),
                made_at=handover.made_at,
                made_by=handover.made_by.get_full_name() if handover.made_by_id else "",
                reason=handover.reason,
                summary=handover.summary,
                social_worker=handover.social_worker,
                social_care_team=handover.social_care_team,
                waiting=referral.status in (ReferralStatus.AWAITING_DECISION, ReferralStatus.MORE_INFORMATION),
                status_label=referral.get_status_display(),
                duplicate_of=referral.duplicate_of.reference if referral.duplicate_of_id else "",
                decision_outcome=outcome,
                decision_outcome_label=DecisionOutcome(outcome).label if outcome else "",
                decision_destination=handover.decision_destination or "",
                decision_reason=handover.decision_reason or "",
                decided_at=handover.decided_at,
                decided_by=f"{handover.decided_by_first or ''} {handover.decided_by_last or ''}".strip(),
                amended=handover.decision_amends is not None,
            )
        )
    return result


def case_handovers(*, case: Case, direction: str | None = None) -> list[HandoverRow]:
    """The case's step ups and step downs, newest first (one query, however many)."""
    queryset = Handover.objects.filter(case_id=case.pk)
    if direction:
        queryset = queryset.filter(direction=direction)
    return _rows(queryset.order_by("-made_at", "-id"))


def referral_handover(*, referral_id: int) -> HandoverRow | None:
    """The handover a referral carries, if it carries one."""
    rows = _rows(Handover.objects.filter(referral_id=referral_id))
    return rows[0] if rows else None
