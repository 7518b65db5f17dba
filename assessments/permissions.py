"""Who may see and record outcome tool readings: the one place that decides, for pages and the API.

- Seeing a case's readings needs the case (`cases.permissions.case_get_for_user`, VIEW_CASE) and its
  family's details to be visible to the viewer: the scores say how a family and its children are
  doing, which is the family's business as much as their names (a partner agency the family has not
  agreed to share with sees no readings, as it sees no people).
- Recording one needs MANAGE_CASE on the case: the lead professional (granted to them by
  `case_assign_lead_professional`) and the case's team manager (their role's scope). Members of the
  team around the family contribute to a reading with the family, but the lead professional, who
  coordinates the plan, records it. Duty managers, panel coordinators, analysts and administrators
  do not record readings. Only while the case is active (`services.reading_record` checks).
"""

from __future__ import annotations

from cases.models import Case, CaseStatus
from cases.permissions import MANAGE_CASE, VIEW_CASE

VIEW_READINGS = VIEW_CASE
RECORD_READING = MANAGE_CASE


def may_see_readings(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may see its readings."""
    return bool(getattr(case, "details_visible", False))


def may_record_reading(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may record a reading now."""
    return RECORD_READING in case.perms and may_see_readings(case) and case.status == CaseStatus.ACTIVE
