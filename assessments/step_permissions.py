"""Who may step a case up to the front door and see its handovers with children's social care: the
one place that decides, for the pages and the API.

- Seeing a case's step ups and step downs (the reasons, the handover summary, the front door's
  decisions) needs the case (`case_get_for_user`, VIEW_CASE) and its family's details to be visible
  to the viewer: they are about the family (a partner agency the family has not agreed to share
  with sees none of it).
- Stepping up needs MANAGE_CASE (the lead professional, the case's team manager), the family's
  details, and an active case (`front_door.step_up.referral_from_step_up` checks again).
"""

from __future__ import annotations

from cases.models import Case, CaseStatus
from cases.permissions import MANAGE_CASE, VIEW_CASE

VIEW_HANDOVERS = VIEW_CASE
STEP_UP = MANAGE_CASE


def may_see_handovers(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may see its handovers."""
    return bool(getattr(case, "details_visible", False))


def may_step_up(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may step it up now. No query."""
    return STEP_UP in case.perms and may_see_handovers(case) and case.status == CaseStatus.ACTIVE
