"""Who may print the manager's case report, and what it shows them.

- Printing needs the team manager role and the case (`cases.permissions.case_get_for_user`,
  VIEW_CASE): the team managers who manage it (their team's cases, their agency's cases not yet given
  to a team), and a partner agency's team manager who sits in the team around the family. Lead
  professionals and other practitioners print the papers of their own work instead (the assessment,
  the plan, a review: `assessments`); duty managers, panel coordinators, analysts and administrators
  do not print it.
- What it shows is what the case page shows the same reader: a family's details (people, genogram,
  referrals, consent, assessment, plan, meetings, reviews, outcome tools, needs) only where
  `details_visible`; otherwise the reference, the case's summary, the team around the family, the
  panel's decisions without their reasons, and what the reader's own agency wrote in the chronology.
- Who has had access to the case is for the managers who manage it (MANAGE_CASE), not for partners.
"""

from __future__ import annotations

from cases.models import Case, User
from cases.permissions import MANAGE_CASE, VIEW_CASE
from cases.roles import Role

PRINT_ROLES = (Role.TEAM_MANAGER,)
PRINT_CASE_REPORT = VIEW_CASE


def may_print_case_report(user: User, case: Case) -> bool:
    """For a case from `case_get_for_user`: whether `user` may print its report. No query."""
    return user.has_role(*PRINT_ROLES) and PRINT_CASE_REPORT in case.perms


def may_see_access(case: Case) -> bool:
    """Whether the reader sees who has had access to the case: those who manage it."""
    return MANAGE_CASE in case.perms and bool(getattr(case, "details_visible", False))
