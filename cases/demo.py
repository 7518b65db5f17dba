"""Demo data for `make run`, made through the services, the way a council's staff would make it.

Each app keeps its demo data in its own `demo` module and registers its steps there with
`@demo_step(order)`; `load_demo_data` imports every installed app's `demo` module (as Django's admin
autodiscovers `admin` modules) and runs the registered steps in order, in one transaction, once.
A step receives the `DemoContext` the steps share: the localities, agencies, teams and users by
name, and one seeded random number generator, so the same data comes out every time.

The steps today, by order:
- 100 `cases`: localities, agencies, teams and a user for every role (`SHARED_RECORD`);
- 200 `front_door`: referrals from every channel, the duty managers' queue at every clock state,
  and decisions that open the cases, with their letters to the referrers (`FRONT_DOOR`);
- 400 `cases`: the cases the front door opened moved through their lifecycle by the people whose
  work it is (`CASE_LIFECYCLE`).
Panels, assessments and outcomes add demo modules of their own the same way, each writing only
through its own services and those of the apps below it (panels at 300, between the front door and
the lifecycle; assessments and outcomes after it). The shared record imports none of them.

Everyone in the demo is synthetic (`cases.synthetic`). The administrator configures and is used for
nothing else: no demo case action is taken by a superuser.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import (
    Agency,
    AgencyType,
    Case,
    CaseStatus,
    ClosureReason,
    Consent,
    Locality,
    Person,
    Team,
    User,
)
from .roles import Role

DEMO_PASSWORD = "demo-password-123"

# The order of the steps registered here; other apps' steps go in the gaps (see the docstring).
SHARED_RECORD = 100
FRONT_DOOR = 200
CASE_LIFECYCLE = 400


@dataclass
class DemoContext:
    """What the steps share, filled in by the earlier ones."""

    rng: random.Random
    localities: dict[str, Locality] = field(default_factory=dict)
    agencies: dict[str, Agency] = field(default_factory=dict)
    teams: dict[str, Team] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoStep:
    order: int
    name: str
    run: Callable[[DemoContext], None]


# Keyed by the function's dotted name, so a module imported twice registers its steps once.
_STEPS: dict[str, DemoStep] = {}


def demo_step(order: int) -> Callable[[Callable[[DemoContext], None]], Callable[[DemoContext], None]]:
    """Register a function of a `demo` module as a step of the demo data, run in `order`."""

    def register(function: Callable[[DemoContext], None]) -> Callable[[DemoContext], None]:
        name = f"{function.__module__}.{function.__qualname__}"
        _STEPS[name] = DemoStep(order=order, name=name, run=function)
        return function

    return register


def demo_steps() -> list[DemoStep]:
    return sorted(_STEPS.values(), key=lambda step: (step.order, step.name))


def demo_loaded() -> bool:
    return User.objects.filter(username="duty.manager").exists()


def demo_run(*, seed: int = 2026) -> bool:
    """Run every registered step in order, in one transaction, unless the demo users exist.
    Returns whether it loaded anything. The apps' `demo` modules must be imported first
    (`load_demo_data` autodiscovers them)."""
    with transaction.atomic():
        if demo_loaded():
            return False
        context = DemoContext(rng=random.Random(seed))
        for step in demo_steps():
            step.run(context)
    return True


# --- The shared record: localities, agencies, teams, users ---------------------------------------

# (code, name, postcode districts): a referral's postcode places it in a locality.
LOCALITIES = [
    ("north", "North", "EX1 EX2 EX4"),
    ("central", "Central", "EX5 EX7"),
    ("south", "South", "EX8 EX10 EX12"),
]
# (name, agency type, locality, CIN census referral source)
AGENCIES = [
    ("Exampleshire Family Support", "council-early-help", "central", "5D"),
    ("Exampleshire Children's Social Care", "childrens-social-care", "central", "5A"),
    ("Riverside Primary School", "school", "north", "2A"),
    ("Hillcrest Academy", "school", "south", "2A"),
    ("St Anne's CE Primary School", "school", "central", "2A"),
    ("Exampleshire Health Visiting", "health", "central", "3B"),
    ("Northgate Surgery", "health", "north", "3A"),
    ("Exampleshire Police", "police", "central", "6"),
    ("Exampleshire Homes", "housing", "central", "4"),
    ("Bridges Family Charity", "voluntary", "south", "8"),
    ("Little Acorns Nursery", "early-years", "north", "2B"),
    ("Exampleshire Youth Hub", "voluntary", "north", "8"),
]
COUNCIL = "Exampleshire Family Support"
# (agency, team, locality): a team without a locality works county-wide.
TEAMS = [
    (COUNCIL, "Early Help Panel", None),
    (COUNCIL, "Front Door", "central"),
    (COUNCIL, "North Family Support", "north"),
    (COUNCIL, "Central Family Support", "central"),
]
# (username, first name, last name, agency, team, roles, job title)
USERS = [
    ("duty.manager", "Dana", "Fielding", COUNCIL, "Front Door", [Role.DUTY_MANAGER], "Front door duty manager"),
    (
        "panel.coordinator",
        "Priya",
        "Coleman",
        COUNCIL,
        "Early Help Panel",
        [Role.PANEL_COORDINATOR],
        "Early help panel coordinator",
    ),
    (
        "lead.professional",
        "Leon",
        "Parry",
        COUNCIL,
        "North Family Support",
        [Role.LEAD_PROFESSIONAL, Role.REFERRER],
        "Family support worker",
    ),
    (
        "school.practitioner",
        "Sam",
        "Okoro",
        "Riverside Primary School",
        None,
        [Role.REFERRER],
        "Designated safeguarding lead",
    ),
    (
        "team.manager",
        "Tessa",
        "Marsh",
        COUNCIL,
        "North Family Support",
        [Role.TEAM_MANAGER],
        "Family support team manager",
    ),
    ("analyst", "Ali", "Nash", COUNCIL, None, [Role.ANALYST], "Performance analyst"),
    ("contact.officer", "Cara", "Bell", COUNCIL, "Front Door", [Role.CONTACT_OFFICER], "Customer support officer"),
    ("health.visitor", "Hannah", "Reid", "Exampleshire Health Visiting", None, [Role.REFERRER], "Health visitor"),
    (
        "bridges.keyworker",
        "Kofi",
        "Asante",
        "Bridges Family Charity",
        None,
        [Role.LEAD_PROFESSIONAL, Role.REFERRER],
        "Family keyworker",
    ),
    (
        "bridges.manager",
        "Joy",
        "Adeyemi",
        "Bridges Family Charity",
        None,
        [Role.TEAM_MANAGER],
        "Family services manager",
    ),
    (
        "second.lead",
        "Megan",
        "Lloyd",
        COUNCIL,
        "North Family Support",
        [Role.LEAD_PROFESSIONAL, Role.REFERRER],
        "Family support worker",
    ),
    # Two people with two roles each, as small councils have them.
    (
        "manager.coordinator",
        "Nadia",
        "Rahman",
        COUNCIL,
        "Central Family Support",
        [Role.TEAM_MANAGER, Role.PANEL_COORDINATOR],
        "Central team manager and panel coordinator",
    ),
    (
        "duty.lead",
        "Owen",
        "Pryce",
        COUNCIL,
        "Front Door",
        [Role.DUTY_MANAGER, Role.LEAD_PROFESSIONAL],
        "Duty manager and family support worker",
    ),
]


@demo_step(SHARED_RECORD)
def demo_people_and_places(context: DemoContext) -> None:
    """Localities, agencies, teams and a user for every role; `admin` is the administrator."""
    for code, name, districts in LOCALITIES:
        context.localities[code] = Locality.objects.get_or_create(
            code=code, defaults={"name": name, "postcode_districts": districts}
        )[0]
    for name, type_code, locality, source in AGENCIES:
        context.agencies[name] = Agency.objects.get_or_create(
            name=name,
            defaults={
                "agency_type": AgencyType.objects.get(code=type_code),
                "locality": context.localities[locality],
                "referral_source_code": source,
            },
        )[0]
    for agency, name, locality in TEAMS:
        context.teams[name] = Team.objects.get_or_create(
            agency=context.agencies[agency],
            name=name,
            defaults={"locality": context.localities[locality] if locality else None},
        )[0]
    # One hash for every demo account: hashing is slow on purpose, and they share one published password.
    password = make_password(DEMO_PASSWORD)
    groups = {group.name: group for group in Group.objects.all()}
    for username, first, last, agency, team, roles, title in USERS:
        user = User.objects.create(
            username=username,
            password=password,
            first_name=first,
            last_name=last,
            email=f"{username}@example.org",
            agency=context.agencies[agency],
            team=context.teams.get(team),
            job_title=title,
        )
        user.groups.set([groups[role] for role in roles])
        context.users[username] = user
    admin = User.objects.create(
        username="admin",
        password=password,
        is_staff=True,
        is_superuser=True,
        email="admin@example.org",
        first_name="Ada",
        last_name="Admin",
        agency=context.agencies[COUNCIL],
        job_title="System administrator",
    )
    admin.groups.set([groups[Role.ADMINISTRATOR]])


# --- The shared record: the cases the front door opened, through their lifecycle ------------------

# What share of the cases ends in each status, the oldest cases furthest along.
LIFECYCLE = [
    (CaseStatus.CLOSED, 6),
    (CaseStatus.CLOSURE_REQUESTED, 4),
    (CaseStatus.ACTIVE, 16),
    (CaseStatus.AWAITING_LEAD_PROFESSIONAL, 6),
    (CaseStatus.AWAITING_ALLOCATION, 8),
]
STEPS_TO = {
    CaseStatus.AWAITING_ALLOCATION: 0,
    CaseStatus.AWAITING_LEAD_PROFESSIONAL: 1,
    CaseStatus.ACTIVE: 2,
    CaseStatus.CLOSURE_REQUESTED: 3,
    CaseStatus.CLOSED: 4,
}
NOTES = [
    ("Home visit with the family", "Met the family at home. Talked about routines and school attendance."),
    ("Phone call with mum", "Mum says the new bedtime routine is working most nights. Next visit in two weeks."),
    ("School meeting", "Met the class teacher and the family: attendance is improving, homework club agreed."),
    ("Home visit with the family", "The children showed me their reward chart. Rent arrears plan agreed."),
]


def _targets(count: int) -> list[str]:
    """The status each of `count` cases (oldest first) should reach, in LIFECYCLE's proportions."""
    total = sum(share for _status, share in LIFECYCLE)
    targets: list[str] = []
    for status, share in LIFECYCLE:
        targets += [status] * round(count * share / total)
    targets = targets[:count]
    return targets + [CaseStatus.AWAITING_ALLOCATION] * (count - len(targets))


@dataclass(frozen=True)
class _Route:
    """Who takes a case through its lifecycle: the coordinator allocates it to a lead agency (and
    team), whose manager assigns the lead professional and signs off the closure."""

    coordinator: str
    agency: str
    team: str | None
    manager: str
    leads: tuple[str, ...]


NORTH = _Route(
    "panel.coordinator", COUNCIL, "North Family Support", "team.manager", ("lead.professional", "second.lead")
)
BRIDGES = _Route("panel.coordinator", "Bridges Family Charity", None, "bridges.manager", ("bridges.keyworker",))
# The central team's manager runs the central panel too, and one duty manager also leads families.
CENTRAL = _Route("manager.coordinator", COUNCIL, "Central Family Support", "manager.coordinator", ("duty.lead",))


def _route(case: Case, number: int) -> _Route:
    if case.locality_id and case.locality.code == "central" and number % 2 == 0:
        return CENTRAL
    if number % 7 == 3:
        return BRIDGES
    return NORTH


@demo_step(CASE_LIFECYCLE)
def demo_case_lifecycle(context: DemoContext) -> None:
    """Move the cases the front door opened (all awaiting allocation) along their lifecycle: the oldest
    are closed, the newest still wait for allocation. Cases on the waiting list of a locality's panel
    are the panel's demo's (it keeps them waiting, or its meetings allocate them) and stay where
    they are; a case waiting in a locality with no panel is allocated here by its coordinator."""
    cases = list(
        Case.objects.filter(status=CaseStatus.AWAITING_ALLOCATION)
        .exclude(~Q(panel_route=""), locality__panels__active=True)
        .select_related("family", "locality")
        .order_by("opened_at", "id")
    )
    reasons = {reason.code: reason for reason in ClosureReason.objects.all()}
    for number, (case, target) in enumerate(zip(cases, _targets(len(cases)), strict=True)):
        _advance(context, case, target, number, reasons)


def _advance(context: DemoContext, case: Case, target: str, number: int, reasons: dict[str, ClosureReason]) -> None:
    steps = STEPS_TO[target]
    if steps == 0:
        return
    users, route = context.users, _route(case, number)
    manager = users[route.manager]
    case = services.case_allocate(
        actor=users[route.coordinator],
        case=case,
        lead_agency=context.agencies[route.agency],
        team=context.teams[route.team] if route.team else None,
    )
    if steps == 1:
        return
    lead = users[route.leads[number % len(route.leads)]]
    case = services.case_assign_lead_professional(actor=manager, case=case, lead_professional=lead)
    parent = case.family.memberships.filter(person__kind=Person.Kind.ADULT).order_by("id").first().person
    services.consent_record(
        actor=lead,
        family=case.family,
        person=parent,
        scope=Consent.Scope.ASSESSMENT,
        status=Consent.Status.GIVEN,
        evidence=Consent.Evidence.WRITTEN,
        decided_on=timezone.localdate(),
        case=case,
    )
    school = context.agencies["Riverside Primary School"]
    if number % 2 == 0:
        services.case_member_add(
            actor=lead, case=case, user=users["school.practitioner"], role="Designated safeguarding lead"
        )
        # Most families agree to share with the school; one in five declines.
        refused = number % 5 == 0
        services.consent_record(
            actor=lead,
            family=case.family,
            person=parent,
            scope=Consent.Scope.SHARING,
            agency=school,
            status=Consent.Status.REFUSED if refused else Consent.Status.GIVEN,
            evidence="" if refused else Consent.Evidence.WRITTEN,
            decided_on=timezone.localdate(),
            case=case,
        )
    if number % 3 == 0:
        services.case_member_add(actor=lead, case=case, user=users["health.visitor"], role="Health visitor")
    # Notes dated between the opening and today, as the work happened.
    now = timezone.now()
    for index in range(1 + number % 3):
        summary, body = NOTES[(number + index) % len(NOTES)]
        services.chronology_note_add(
            actor=lead,
            case=case,
            summary=summary,
            body=body,
            kind="contact",
            occurred_at=min(now, case.opened_at + (now - case.opened_at) * (index + 1) / 4),
        )
    if steps == 2:
        return
    services.case_request_closure(
        actor=lead,
        case=case,
        reason=reasons["outcomes-met"],
        summary="Attendance is above 95% for a term and the family say routines are working.",
    )
    if steps == 3:
        return
    services.case_sign_off_closure(actor=manager, case=case, note="Sustained and significant progress.")
