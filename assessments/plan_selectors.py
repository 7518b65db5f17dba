"""Reads of the family plan, each a small fixed number of queries however big the plan is."""

from __future__ import annotations

from django.db.models import OuterRef, Prefetch, QuerySet, Subquery
from django.utils import timezone

from cases.models import Case, CaseMember, FamilyMembership, IdentifiedNeed, Person, User

from .models import ActionUpdate, Plan, PlanAction, PlanOutcome, PlanVersion

VERSIONS_SHOWN = 20
UPDATES_SHOWN = 25


def plan_of(case: Case) -> Plan | None:
    """The case's plan, or None (one query)."""
    return Plan.objects.filter(case_id=case.pk).select_related("created_by", "updated_by").first()


def actions_with_latest(queryset: QuerySet[PlanAction]) -> QuerySet[PlanAction]:
    """Each action with its latest progress (`latest_note`, `latest_status`, `latest_at`,
    `latest_by_first`, `latest_by_last`) read in the same query."""
    latest = ActionUpdate.objects.filter(action_id=OuterRef("pk")).order_by("-recorded_at", "-id")
    return queryset.annotate(
        latest_note=Subquery(latest.values("note")[:1]),
        latest_status=Subquery(latest.values("status")[:1]),
        latest_at=Subquery(latest.values("recorded_at")[:1]),
        latest_by_first=Subquery(latest.values("recorded_by__first_name")[:1]),
        latest_by_last=Subquery(latest.values("recorded_by__last_name")[:1]),
    )


def plan_outcomes(plan: Plan) -> list[PlanOutcome]:
    """The outcomes still in the plan, with their needs (two queries)."""
    needs = IdentifiedNeed.objects.select_related("area__framework", "descriptor", "person").order_by(
        "recorded_at", "id"
    )
    return list(plan.outcomes.filter(ended_at__isnull=True).prefetch_related(Prefetch("needs", queryset=needs)))


def plan_actions(plan: Plan) -> list[PlanAction]:
    """The actions still in the plan, soonest due first, with owners and latest progress (one query)."""
    queryset = plan.actions.filter(ended_at__isnull=True).select_related("owner_user__agency", "owner_person")
    return list(actions_with_latest(queryset).order_by("due_on", "id"))


def plan_versions(plan: Plan) -> QuerySet[PlanVersion]:
    """The plan's kept versions, newest first (for `cases.paging.page_of`)."""
    return plan.versions.select_related("made_by").order_by("-number")


def action_updates(action: PlanAction) -> QuerySet[ActionUpdate]:
    """The progress recorded on an action, newest first (for `cases.paging.page_of`)."""
    return action.updates.select_related("recorded_by").order_by("-recorded_at", "-id")


def case_needs(case: Case) -> list[IdentifiedNeed]:
    """The needs identified for the family, for an outcome to answer (one query)."""
    return list(
        IdentifiedNeed.objects.filter(case_id=case.pk).select_related("area", "person").order_by("recorded_at", "id")
    )


def team_members(case: Case) -> list[User]:
    """The current members of the team around the family, as users (one query)."""
    members = CaseMember.objects.filter(case_id=case.pk, ended_at__isnull=True).select_related("user__agency")
    return [member.user for member in members.order_by("-is_lead", "added_at")]


def family_members(case: Case) -> list[Person]:
    memberships = FamilyMembership.objects.filter(family_id=case.family_id).select_related("person")
    return [membership.person for membership in memberships.order_by("person__last_name", "person__first_name")]


def is_overdue(action: PlanAction) -> bool:
    return action.is_open and action.due_on < timezone.localdate()
