"""Who may see and change a case, and see a family's details: the one place that decides, for pages
and the API alike. Every rule is built afresh from the user on each call, with the public ORM.

Access to a case comes from three sources, combined in one indexed query:
- grants in CaseUserObjectPermission (django-guardian, direct foreign keys), made and removed only by
  the team services: the lead professional and every current member of the team around the family;
- role scopes: duty managers read every case (the front door needs the history); panel coordinators
  work on the cases of their locality (all of them when their team covers the whole county); team
  managers on the cases of their team, and on their agency's cases not yet given to a team;
- nothing else: analysts read aggregates only, and administrators (superusers included) configure
  the system and read case records only through a role they are also given.

What a permitted viewer may see of a family's details then depends on the family's consent to share
with the viewer's agency (`details_visible_expression`, one SQL expression for lists and pages).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import Permission
from django.contrib.postgres.expressions import ArraySubquery
from django.db.models import BooleanField, CharField, Expression, F, OuterRef, Q, QuerySet, Value, When
from django.db.models import Case as Conditional
from django.http import HttpRequest

from .audit import RecordType, Subject, fetch_logged
from .models import Case, CaseUserObjectPermission, Consent, Person, User
from .roles import Role

VIEW_CASE = "view_case"
CHANGE_CASE = "change_case"
MANAGE_CASE = "manage_case"
CASE_PERMS = (VIEW_CASE, CHANGE_CASE, MANAGE_CASE)
# A person's record: for the front door, and for those who may see the details of one of the
# person's families' cases.
VIEW_PERSON = "view_person"

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


def case_permission_id(perm: str) -> int:
    """The id of a case permission, a constant of the database read once per process (forgotten
    after migrate and flush, which may renumber it).

    Grants are filtered on this id rather than by joining auth_permission and content types: with
    the join, the planner expects one grant per user and scans every case."""
    if perm not in _PERMISSION_IDS:
        _PERMISSION_IDS[perm] = Permission.objects.get_by_natural_key(perm, "cases", "case").pk
    return _PERMISSION_IDS[perm]


def permission_ids_clear(**_kwargs) -> None:
    _PERMISSION_IDS.clear()


@dataclass(frozen=True)
class Scope:
    """Cases a role gives `perms` on: those whose fields have the values in `where`, or every case
    when `where` is None. The one statement of the role rules, read as a filter on the database
    (`case_access_filter`) and as a test of one case already read (`case_perms`)."""

    perms: tuple[str, ...]
    where: dict[str, int | None] | None


def role_scopes(user: User) -> list[Scope]:
    """What `user`'s roles give: duty managers read every case; panel coordinators work on their
    locality's cases (every case when their team covers the county); team managers on their team's,
    and on their agency's cases not yet given to a team."""
    scopes = []
    if user.has_role(Role.DUTY_MANAGER):
        scopes.append(Scope(ROLE_SCOPE_PERMS[Role.DUTY_MANAGER], None))
    if user.has_role(Role.PANEL_COORDINATOR):
        locality_id = user_locality_id(user)
        where = None if locality_id is None else {"locality_id": locality_id}
        scopes.append(Scope(ROLE_SCOPE_PERMS[Role.PANEL_COORDINATOR], where))
    if user.has_role(Role.TEAM_MANAGER):
        if user.team_id:
            scopes.append(Scope(ROLE_SCOPE_PERMS[Role.TEAM_MANAGER], {"team_id": user.team_id}))
        if user.agency_id:
            where = {"lead_agency_id": user.agency_id, "team_id": None}
            scopes.append(Scope(ROLE_SCOPE_PERMS[Role.TEAM_MANAGER], where))
    return scopes


def role_scope_filter(user: User, perm: str, prefix: str = "") -> Q | None:
    """The cases `user`'s roles alone (not their grants) give `perm` on, as a filter through the
    relation `prefix` ("case__" from a row that points at a case); None means every case."""
    condition = None
    for scope in role_scopes(user):
        if perm in scope.perms:
            if scope.where is None:
                return None
            term = Q(**{f"{prefix}{field}": value for field, value in scope.where.items()})
            condition = term if condition is None else condition | term
    return Q(pk__in=[]) if condition is None else condition


def user_locality_id(user: User) -> int | None:
    """The locality a user's team covers; None when they have no team or it covers the county."""
    return user.team.locality_id if user.team_id else None


def _granted(user: User, perm: str) -> QuerySet[CaseUserObjectPermission]:
    return CaseUserObjectPermission.objects.filter(user_id=user.pk, permission_id=case_permission_id(perm))


def case_access_filter(user: User, perm: str = VIEW_CASE) -> Q | None:
    """A filter on Case for the cases `user` holds `perm` on; None means every case."""
    if perm not in CASE_PERMS:
        raise ValueError(f"unknown case permission {perm}")
    if not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    condition = Q(pk__in=_granted(user, perm).values("content_object_id"))
    for scope in role_scopes(user):
        if perm in scope.perms:
            if scope.where is None:
                return None
            condition |= Q(**scope.where)
    return condition


def case_perms(user: User, case: Case, granted_permission_ids) -> frozenset[str]:
    """Every case permission `user` holds on `case` (a row already read): those granted to them on
    it (the ids of their grants on this case) and those their roles' scopes give."""
    perms = {perm for perm in CASE_PERMS if case_permission_id(perm) in set(granted_permission_ids)}
    for scope in role_scopes(user):
        if scope.where is None or all(getattr(case, field) == value for field, value in scope.where.items()):
            perms.update(scope.perms)
    return frozenset(perms)


def cases_for_user(user: User, perm: str = VIEW_CASE, queryset: QuerySet[Case] | None = None) -> QuerySet[Case]:
    queryset = Case.objects.all() if queryset is None else queryset
    condition = case_access_filter(user, perm)
    return queryset if condition is None else queryset.filter(condition)


def user_has_case_perm(user: User, case: Case, perm: str) -> bool:
    return cases_for_user(user, perm, Case.objects.filter(pk=case.pk)).exists()


class CaseSQL(Expression):
    """A boolean condition on the query's Case table written once as SQL, `{case}` standing for the
    table's alias (so it holds in a subquery too). The consent rule below is clearer in SQL than as
    nested Exists, and PostgreSQL plans it well."""

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
    Users with no access to the case see nothing of it anyway; this decides only what they see.
    """
    if not user.is_authenticated or not user.is_active:
        return Value(False)
    if user.has_role(Role.DUTY_MANAGER):
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


def visible_family_name(user: User) -> Expression:
    """The family's name where its details are visible to `user`, else NULL: a column of each case
    row, so lists and the API show the column and never the family."""
    return Conditional(
        When(details_visible_expression(user), then=F("family__name")), default=Value(None), output_field=CharField()
    )


def cases_with_visibility(user: User, queryset: QuerySet[Case]) -> QuerySet[Case]:
    """Each case with `details_visible` for `user`, and `family_name` (see `visible_family_name`)."""
    return queryset.annotate(details_visible=details_visible_expression(user), family_name=visible_family_name(user))


# --- One case or person, checked and logged -------------------------------------------------------


def case_get_for_user(
    *,
    user: User,
    case_id: int,
    perm: str = VIEW_CASE,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Case:
    """The case if `user` holds `perm` on it, else 404: the same answer for 'missing' and 'not
    yours'. The view is written to the access log, and so is a refusal of a case that exists
    (naming the case, so "who viewed this child" shows refused attempts too).

    The case comes with `details_visible`, `family_name` and `perms`: every case permission `user`
    holds on it, read in the same query."""

    grants = CaseUserObjectPermission.objects.filter(content_object=OuterRef("pk"), user_id=user.pk)

    def fetch() -> Case | None:
        return (
            cases_with_visibility(user, cases_for_user(user, perm))
            .annotate(granted_permission_ids=ArraySubquery(grants.values("permission_id")))
            .select_related(
                *("family", "level_of_need", "locality", "lead_agency", "team"),
                *("lead_professional", "closure_reason"),
            )
            .filter(pk=case_id)
            .first()
        )

    def refused() -> Subject | None:
        return Subject(case_id=case_id) if Case.objects.filter(pk=case_id).exists() else None

    case = fetch_logged(
        user=user,
        record_type=RecordType.CASE,
        record_id=case_id,
        fetch=fetch,
        subject_of=lambda case: Subject(case_id=case.pk),
        refused=refused,
        request=request,
        log=log,
    )
    case.perms = case_perms(user, case, case.granted_permission_ids)
    return case


def person_get_for_user(
    *, user: User, person_id: int, perm: str = VIEW_PERSON, request: HttpRequest | None = None, log: bool = True
) -> Person:
    """A person's record, for users who may see the details of a case of one of the person's
    families, or who work at the front door. Logged like a case."""

    def allowed(person: Person) -> bool:
        return user.has_role(Role.DUTY_MANAGER, Role.CONTACT_OFFICER) or (
            cases_with_visibility(user, cases_for_user(user, VIEW_CASE).filter(family__memberships__person=person))
            .filter(details_visible=True)
            .exists()
        )

    def fetch() -> Person | None:
        person = Person.objects.select_related("school").filter(pk=person_id).first()
        return person if person is not None and allowed(person) else None

    return fetch_logged(
        user=user,
        record_type=RecordType.PERSON,
        record_id=person_id,
        fetch=fetch,
        subject_of=lambda person: Subject(person_ids=(person.pk,)),
        refused=lambda: Subject(person_ids=(person_id,)) if Person.objects.filter(pk=person_id).exists() else None,
        request=request,
        log=log,
    )
