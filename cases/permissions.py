"""Who may see and change a case: the one place that decides, for pages and the API alike.

Access comes from three sources, combined in one indexed query:
- grants in CaseUserObjectPermission (django-guardian, direct foreign keys), made and removed only by
  the team services: the lead professional and every current member of the team around the family;
- role scopes: duty managers read every case (the front door needs the history); panel coordinators
  work on the cases of their locality (all of them for a county-wide panel); team managers on the
  cases of their team and of their agency;
- nothing else: analysts read aggregates only, administrators configure.

What a permitted viewer may see of a family's details then depends on the family's consent to share
with the viewer's agency (`case_details_visible`).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from .models import Case, CaseUserObjectPermission, Consent, User
from .roles import Role

VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
MANAGE_CASE = "manage_case"
CASE_PERMS = (VIEW_CASE, CHANGE_CASE, MANAGE_CASE)

# What each place in the team around the family is granted.
LEAD_PROFESSIONAL_PERMS = (VIEW_CASE, CHANGE_CASE, MANAGE_CASE)
MEMBER_PERMS = (VIEW_CASE, CHANGE_CASE)

# What each role's scope gives, on the cases in that scope.
ROLE_SCOPE_PERMS = {
    Role.DUTY_MANAGER: (VIEW_CASE,),
    Role.PANEL_COORDINATOR: (VIEW_CASE, CHANGE_CASE),
    Role.TEAM_MANAGER: (VIEW_CASE, CHANGE_CASE, MANAGE_CASE),
}


def case_access_filter(user: User, perm: str = VIEW_CASE) -> Q | None:
    """A filter on Case for the cases `user` holds `perm` on; None means every case."""
    if perm not in CASE_PERMS:
        raise ValueError(f"unknown case permission {perm}")
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    if user.is_superuser:
        return None
    if user.has_role(Role.DUTY_MANAGER) and perm in ROLE_SCOPE_PERMS[Role.DUTY_MANAGER]:
        return None
    q = Q(
        pk__in=CaseUserObjectPermission.objects.filter(
            user_id=user.pk, permission__codename=perm, permission__content_type__app_label="cases"
        ).values("content_object_id")
    )
    if user.has_role(Role.PANEL_COORDINATOR) and perm in ROLE_SCOPE_PERMS[Role.PANEL_COORDINATOR]:
        locality_id = user_locality_id(user)
        if locality_id is None:
            return None  # a coordinator whose team has no locality runs the county-wide panel
        q |= Q(locality_id=locality_id)
    if user.has_role(Role.TEAM_MANAGER) and perm in ROLE_SCOPE_PERMS[Role.TEAM_MANAGER]:
        if user.team_id:
            q |= Q(team_id=user.team_id)
        if user.agency_id:
            q |= Q(lead_agency_id=user.agency_id)
    return q


def cases_for_user(user: User, perm: str = VIEW_CASE, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    condition = case_access_filter(user, perm)
    return queryset if condition is None else queryset.filter(condition)


def user_has_case_perm(user: User, case: Case, perm: str) -> bool:
    return cases_for_user(user, perm, Case.objects.filter(pk=case.pk)).exists()


def user_locality_id(user: User) -> int | None:
    """The locality a user's team covers; None for county-wide teams."""
    return user.team.locality_id if user.team_id else None


def case_details_visible(user: User, case: Case) -> bool:
    """Whether the family's details on this case may be shown to `user`.

    The lead professional, the lead agency, managers and the front door see them; a partner agency
    sees them only while the family's latest decision on sharing with that agency is 'given' (for
    each person who decided), never after a refusal or withdrawal.
    """
    if user.is_superuser or user.has_role(Role.DUTY_MANAGER):
        return True
    if case.lead_professional_id == user.pk:
        return True
    if user.agency_id and user.agency_id == case.lead_agency_id:
        return True
    if user.has_role(Role.TEAM_MANAGER) and user.team_id and user.team_id == case.team_id:
        return True
    if user.has_role(Role.PANEL_COORDINATOR) and user_locality_id(user) in (None, case.locality_id):
        return True
    if not user.agency_id:
        return False
    latest = (
        Consent.objects.filter(family_id=case.family_id, scope=Consent.Scope.SHARING, agency_id=user.agency_id)
        .order_by("person_id", "-recorded_at", "-id")
        .distinct("person_id")
        .values_list("status", flat=True)
    )
    statuses = set(latest)
    return Consent.Status.GIVEN in statuses and not statuses & {Consent.Status.REFUSED, Consent.Status.WITHDRAWN}
