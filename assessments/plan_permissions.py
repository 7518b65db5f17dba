"""Who may see and change the family plan: the one place that decides, for pages and the API alike.
One function per kind of object; each takes a case from `cases.permissions.case_get_for_user`
(which checked VIEW_CASE and logged the view), so `case.perms` and `case.details_visible` are set.

- **The plan** (its outcomes, actions, contingency and exit plans, versions): seen by those who see
  the case *and* the family's details (`case.details_visible`). A partner agency the family has not
  agreed to share with sees none of it, as it sees no people.
- **Changing the plan** (create it, its outcomes and actions, agree it): MANAGE_CASE (the lead
  professional and the case's team manager), while the case is active.
- **An action**: seen in full by those who see the plan. Its owner (`owner_user`, while a current
  member of the team around the family) always sees its title (what, due date, status and the
  case's reference), even when the family has not agreed to share with their agency, and may record
  progress on it. MANAGE_CASE may record progress on any action. Only while the case is active and
  the action is still in the plan.

Consent is read afresh on every request (`case_get_for_user` computes `details_visible`), so a
withdrawal applies on the member's next request.
"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from cases.access import register_record_kind
from cases.models import Case, CaseMember, CaseStatus, User
from cases.permissions import MANAGE_CASE, VIEW_CASE, case_get_for_user

from .models import OPEN_ACTION_STATUSES, PlanAction, PlanOutcome, PlanVersion

VIEW_PLAN = VIEW_CASE
EDIT_PLAN = MANAGE_CASE


def _active(case: Case) -> bool:
    return case.status == CaseStatus.ACTIVE


# --- The plan --------------------------------------------------------------------------------------


def may_see_plan(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer sees its plan (outcomes, actions,
    contingency and exit plans, versions, the PDF). No query."""
    return VIEW_PLAN in case.perms and bool(getattr(case, "details_visible", False))


def may_edit_plan(case: Case) -> bool:
    """Whether the viewer may create or change the plan now (outcomes, actions, contingency and exit
    plans, the family's agreement). No query."""
    return EDIT_PLAN in case.perms and may_see_plan(case) and _active(case)


# --- Outcomes ----------------------------------------------------------------------------------------


def may_see_outcome(case: Case) -> bool:
    """Outcomes are the family's words: seen with the plan."""
    return may_see_plan(case)


def may_edit_outcome(case: Case, outcome) -> bool:
    return may_edit_plan(case) and outcome.ended_at is None


# --- Actions -----------------------------------------------------------------------------------------


def member_of(user: User, case: Case) -> bool:
    """Whether `user` is a current member of the case's team around the family (one query)."""
    return CaseMember.objects.filter(case_id=case.pk, user_id=user.pk, ended_at__isnull=True).exists()


def owns_action(user: User, action: PlanAction, *, member: bool) -> bool:
    """`member`: whether `user` is a current member of the action's case (`member_of`)."""
    return action.owner_user_id is not None and action.owner_user_id == user.pk and member


def may_see_action(user: User, case: Case, action: PlanAction, *, member: bool) -> bool:
    """The whole action (with its outcome, measure and progress notes) with the plan; its title
    only (`may_see_action_title`) for its owner without sight of the plan."""
    return may_see_plan(case) or owns_action(user, action, member=member)


def may_see_action_title(user: User, case: Case, action: PlanAction, *, member: bool) -> bool:
    """Its owner sees what, due date, status and the case's reference, whatever the consent."""
    return may_see_action(user, case, action, member=member)


def may_update_action(user: User, case: Case, action: PlanAction, *, member: bool) -> bool:
    """Record progress (a note and a new status): its owner while a current member, or MANAGE_CASE;
    only on an active case and while the action is in the plan."""
    if action.ended_at is not None or not _active(case):
        return False
    return (MANAGE_CASE in case.perms and may_see_plan(case)) or owns_action(user, action, member=member)


def may_edit_action(case: Case, action: PlanAction) -> bool:
    """Change or end the action itself (what, owner, due date, measure): those who edit the plan."""
    return may_edit_plan(case) and action.ended_at is None


def action_get_for_user(*, user: User, case: Case, action_id: int) -> tuple[PlanAction, bool]:
    """The action `action_id` of `case` (from `case_get_for_user`) if `user` may see it, with whether
    `user` is a current member of the case; 404 otherwise (missing and not yours alike). Two queries."""
    action = (
        PlanAction.objects.select_related("owner_user", "owner_person", "outcome")
        .filter(pk=action_id, case_id=case.pk)
        .first()
    )
    if action is None:
        raise Http404("No action found")
    member = action.owner_user_id == user.pk and member_of(user, case)
    if not may_see_action(user, case, action, member=member):
        raise Http404("No action found")
    return action, member


def own_open_actions(user: User) -> QuerySet[PlanAction]:
    """`user`'s open actions across every case where they are still a member of the team around the
    family, with the case (for its reference): overdue first, then soonest due. One query (the index
    `plan_action_owner_idx`). Titles only are for every owner; the family's details are not read."""
    current = CaseMember.objects.filter(case_id=OuterRef("case_id"), user_id=user.pk, ended_at__isnull=True)
    return (
        PlanAction.objects.filter(
            owner_user_id=user.pk,
            ended_at__isnull=True,
            status__in=OPEN_ACTION_STATUSES,
            case__status=CaseStatus.ACTIVE,
        )
        .filter(Exists(current))
        .select_related("case")
        .order_by("due_on", "id")
    )


# --- Records reached by URL (cases.access record kinds) --------------------------------------------------


def _case_for(*, user: User, case_id: int, perm: str, request, log: bool) -> Case:
    return case_get_for_user(user=user, case_id=case_id, perm=perm, request=request, log=log)


def plan_action_get_for_user(
    *, user: User, case_id: int, plan_action_id: int, perm: str = VIEW_CASE, request=None, log: bool = True
) -> PlanAction:
    """An action of a case `user` holds `perm` on, with `action.case` the case as `case_get_for_user`
    gives it and `action.member` whether `user` is a current member of its team. With VIEW_CASE: for
    those who see the plan, and for its owner while a member (titles only without the family's
    consent); with EDIT_PLAN: for those who may see the plan. Else 404 (missing and not yours alike)."""
    case = _case_for(user=user, case_id=case_id, perm=perm, request=request, log=log)
    if perm != VIEW_CASE and not may_see_plan(case):
        raise Http404("No action found")
    action, member = action_get_for_user(user=user, case=case, action_id=plan_action_id)
    action.case, action.member = case, member
    return action


def plan_outcome_get_for_user(
    *, user: User, case_id: int, outcome_id: int, perm: str = VIEW_CASE, request=None, log: bool = True
) -> PlanOutcome:
    """An outcome still in the plan of a case whose plan `user` sees, with `outcome.case`; else 404."""
    case = _case_for(user=user, case_id=case_id, perm=perm, request=request, log=log)
    outcome = None
    if may_see_outcome(case):
        outcome = PlanOutcome.objects.filter(pk=outcome_id, plan__case_id=case.pk, ended_at__isnull=True).first()
    if outcome is None:
        raise Http404("No outcome found")
    outcome.case = case
    return outcome


def plan_version_get_for_user(
    *, user: User, case_id: int, version_id: int, perm: str = VIEW_CASE, request=None, log: bool = True
) -> PlanVersion:
    """A version of the plan of a case whose plan `user` sees, with `version.case`; else 404."""
    case = _case_for(user=user, case_id=case_id, perm=perm, request=request, log=log)
    version = None
    if may_see_plan(case):
        version = (
            PlanVersion.objects.select_related("made_by", "plan").filter(pk=version_id, plan__case_id=case.pk).first()
        )
    if version is None:
        raise Http404("No version found")
    version.case = case
    return version


def register() -> None:
    register_record_kind("plan_action", plan_action_get_for_user, "case_id", "plan_action_id")
    register_record_kind("plan_outcome", plan_outcome_get_for_user, "case_id", "outcome_id")
    register_record_kind("plan_version", plan_version_get_for_user, "case_id", "version_id")


register()
