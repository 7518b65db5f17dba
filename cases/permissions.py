"""Who may see and change a case: the one place that decides, for pages and the API alike.

Access comes from three sources, combined in one indexed query:
- grants in CaseUserObjectPermission (django-guardian, direct foreign keys), made and removed only by
  the team services: the lead professional and every current member of the team around the family;
- role scopes: duty managers read every case (the front door needs the history); panel coordinators
  work on the cases of their locality (all of them for a county-wide panel); team managers on the
  cases of their team, and on their agency's cases not yet given to a team;
- nothing else: analysts read aggregates only, administrators configure.

What a permitted viewer may see of a family's details then depends on the family's consent to share
with the viewer's agency (`details_visible_expression`, one SQL expression for lists and pages).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar, Generic, TypeVar

from django.contrib.auth.models import Permission
from django.db.models import BooleanField, Expression, ExpressionWrapper, Model, Q, QuerySet, Value

from earlyhelp.db.precompiled import Precompiled, PrecompiledList

from .models import Case, Consent, User
from .roles import Role

M = TypeVar("M", bound=Model)

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


_PERMISSION_IDS: dict[str, int] = {}
GRANTED_SQL = (
    "{case}.id IN (SELECT content_object_id FROM cases_caseuserobjectpermission"
    " WHERE user_id = %s AND permission_id = %s)"
)


def case_permission_id(perm: str) -> int:
    """The id of a case permission, read once per process (cleared after migrate and flush).

    Lists filter grants on this constant rather than joining auth_permission and content types:
    with the join, the planner expects one grant per user and scans every case."""
    if perm not in _PERMISSION_IDS:
        _PERMISSION_IDS[perm] = Permission.objects.get_by_natural_key(perm, "cases", "case").pk
    return _PERMISSION_IDS[perm]


def permission_ids_clear(**_kwargs) -> None:
    _PERMISSION_IDS.clear()
    ForUser.clear_all()


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
    # The cases the user was granted `perm` on (as lead professional or TAF member), written as SQL:
    # compiled from a queryset it cost half a millisecond a time, and a page asks up to four times.
    q = Q(
        CaseSQL(
            GRANTED_SQL,
            [user.pk, case_permission_id(perm)],
        )
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
            # Cases allocated to the agency but not yet to one of its teams.
            q |= Q(lead_agency_id=user.agency_id, team__isnull=True)
    return q


def cases_for_user(user: User, perm: str = VIEW_CASE, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    condition = case_access_filter(user, perm)
    return queryset if condition is None else queryset.filter(condition)


def user_has_case_perm(user: User, case: Case, perm: str) -> bool:
    return cases_for_user(user, perm, Case.objects.filter(pk=case.pk)).exists()


def case_perm_annotations(user: User) -> dict[str, Expression]:
    """One boolean column per case permission `user` may hold, named after the permission."""
    annotations = {}
    for perm in CASE_PERMS:
        condition = case_access_filter(user, perm)
        annotations[perm] = Value(True) if condition is None else ExpressionWrapper(condition, BooleanField())
    return annotations


def case_perms_for_user(user: User, case: Case) -> frozenset[str]:
    """Every case permission `user` holds on `case`, in one query (a page asks for all of them)."""
    row = Case.objects.filter(pk=case.pk).annotate(**case_perm_annotations(user)).values(*CASE_PERMS).first() or {}
    return frozenset(perm for perm in CASE_PERMS if row.get(perm))


def user_locality_id(user: User) -> int | None:
    """The locality a user's team covers; None for county-wide teams."""
    return user.team.locality_id if user.team_id else None


class CaseSQL(Expression):
    """A boolean condition on the query's Case table written once as SQL, `{case}` standing for the
    table's alias (so it holds in a subquery too). Compiling the same condition from Q objects and
    nested Exists cost more than running it: about 5 ms a query."""

    output_field = BooleanField()

    def __init__(self, template: str, params: list):
        super().__init__()
        self.template, self.params = template, params

    def as_sql(self, compiler, connection):
        alias = compiler.query.base_table or compiler.query.get_meta().db_table
        return self.template.format(case=compiler.quote_name_unless_alias(alias)), list(self.params)

    def get_group_by_cols(self):
        return [self]

    def __repr__(self) -> str:
        return f"CaseSQL({self.template!r}, {self.params!r})"


# The family's latest decision (per person) on sharing with an agency: a row of `latest` with no
# newer row for the same person. `{status}` is the test on that latest row.
_LATEST_SHARING = """EXISTS (
    SELECT 1 FROM {consent} latest
    WHERE latest.family_id = {{case}}."family_id" AND latest.scope = %s AND latest.agency_id = %s
      AND latest.status {status}
      AND NOT EXISTS (
        SELECT 1 FROM {consent} newer
        WHERE newer.family_id = latest.family_id AND newer.scope = latest.scope
          AND newer.agency_id = latest.agency_id AND newer.person_id = latest.person_id
          AND (newer.recorded_at > latest.recorded_at
               OR (newer.recorded_at = latest.recorded_at AND newer.id > latest.id))))"""


def details_visible_expression(user: User) -> Expression:
    """A boolean SQL expression on Case: may the family's details be shown to `user`?

    The lead professional, the lead agency, the case's team manager, the panel coordinator of the
    locality and the front door see them; a partner agency sees them only while the family's latest
    decision on sharing with that agency is 'given' (for each person who decided), never while a
    refusal or withdrawal is the latest word of anyone. Used per row on lists and for one case alike.
    """
    if user.is_superuser or user.has_role(Role.DUTY_MANAGER):
        return Value(True)
    if user.has_role(Role.PANEL_COORDINATOR) and user_locality_id(user) is None:
        return Value(True)
    terms, params = ['{case}."lead_professional_id" = %s'], [user.pk]
    if user.agency_id:
        terms.append('{case}."lead_agency_id" = %s')
        params.append(user.agency_id)
    if user.has_role(Role.TEAM_MANAGER) and user.team_id:
        terms.append('{case}."team_id" = %s')
        params.append(user.team_id)
    if user.has_role(Role.PANEL_COORDINATOR):
        terms.append('{case}."locality_id" = %s')
        params.append(user_locality_id(user))
    if user.agency_id:
        consent = Consent._meta.db_table
        given = _LATEST_SHARING.format(consent=consent, status="= %s")
        blocked = _LATEST_SHARING.format(consent=consent, status="IN (%s, %s)")
        terms.append(f"({given} AND NOT {blocked})")
        params += [Consent.Scope.SHARING, user.agency_id, Consent.Status.GIVEN]
        params += [Consent.Scope.SHARING, user.agency_id, Consent.Status.REFUSED, Consent.Status.WITHDRAWN]
    return CaseSQL("(" + " OR ".join(terms) + ")", params)


def cases_with_visibility(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Annotate each case with `details_visible` for `user` (one query for the whole list)."""
    return queryset.annotate(details_visible=details_visible_expression(user))


# --- Queries of cases compiled once per kind of user ---------------------------------------------
# The rules above write different SQL for different users, but only by what this section calls a
# user's shape (superuser or not, roles, whether they have an agency and a team, whether their
# team's locality is set); the rest is ids. So a query of cases "as this user may see them" can be
# compiled once per shape (earlyhelp/db/precompiled.py) with a stand-in user whose ids are
# placeholders, and then bound to each real user's ids.

USER_IDS = frozenset({"user_id", "agency_id", "team_id", "locality_id"})


class _TeamStandIn:
    __slots__ = ("locality_id",)

    def __init__(self, locality_id: int | None):
        self.locality_id = locality_id


class UserStandIn:
    """A user as the rules above read one. Only what they read is here (slots): a rule that reads
    anything else fails when the query is compiled, instead of compiling SQL that ignores it. `team`
    is set only for panel coordinators, the only users whose rules read their team's locality."""

    __slots__ = ("pk", "agency_id", "team_id", "team", "roles", "is_superuser")
    is_authenticated = True
    is_active = True

    def __init__(self, shape: tuple, ids: dict[str, int]):
        self.is_superuser, self.roles = shape[0], shape[1]
        self.pk = ids["user_id"]
        self.agency_id = ids.get("agency_id")
        self.team_id = ids.get("team_id")
        if Role.PANEL_COORDINATOR in self.roles:
            self.team = _TeamStandIn(ids.get("locality_id"))

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))


def access_shape(user: User) -> tuple[tuple, dict[str, int]] | None:
    """What of `user` decides the SQL of the rules above, and the ids the SQL binds; None for a
    signed-out or deactivated user (whose queries are built as they always were)."""
    if not user.is_authenticated or not user.is_active:
        return None
    ids = {"user_id": user.pk}
    if user.agency_id:
        ids["agency_id"] = user.agency_id
    if user.team_id:
        ids["team_id"] = user.team_id
    locality_id = user_locality_id(user) if user.has_role(Role.PANEL_COORDINATOR) else None
    if locality_id is not None:
        ids["locality_id"] = locality_id
    return (user.is_superuser, frozenset(user.roles), *sorted(ids)), ids


class ForUser(Generic[M]):
    """`ForUser(lambda user, case_id: cases_for_user(user).filter(pk=case_id))`: the query compiled
    once per shape of user; `.page(user, limit=1, case_id=...)` runs it for a real user."""

    _all: ClassVar[list[ForUser]] = []

    def __init__(self, build: Callable[..., QuerySet[M]]):
        self.build = build
        self.by_shape: dict[tuple, Precompiled[M]] = {}
        ForUser._all.append(self)

    def _compiled_for(self, shape: tuple) -> Precompiled[M]:
        if shape not in self.by_shape:

            def build(**ids: int) -> QuerySet[M]:
                user_ids = {name: value for name, value in ids.items() if name in USER_IDS}
                others = {name: value for name, value in ids.items() if name not in USER_IDS}
                return self.build(UserStandIn(shape, user_ids), **others)

            self.by_shape[shape] = Precompiled(build, unused_ok=USER_IDS)
        return self.by_shape[shape]

    def page(self, user: User, *, limit: int, offset: int = 0, **ids: int) -> list[M]:
        found = access_shape(user)
        if found is None:
            return list(self.build(user, **ids)[offset : offset + limit])
        shape, user_ids = found
        return self._compiled_for(shape).page(limit=limit, offset=offset, **user_ids, **ids)

    def first(self, user: User, **ids: int) -> M | None:
        """The one row a look-up by id finds for `user`, or None."""
        found = self.page(user, limit=1, **ids)
        return found[0] if found else None

    def lazy(self, user: User, **ids: int) -> PrecompiledList[M] | QuerySet[M]:
        """All of it, for a Paginator: counted, then read a page at a time."""
        found = access_shape(user)
        if found is None:
            return self.build(user, **ids)
        shape, user_ids = found
        return self._compiled_for(shape).lazy(**user_ids, **ids)

    @classmethod
    def clear_all(cls) -> None:
        """Forget every compiled query: they hold permission ids, which a migrate or flush renumbers."""
        for query in cls._all:
            query.by_shape.clear()
