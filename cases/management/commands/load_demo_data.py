"""Demo data for `make run`: localities, agencies, a user for every role and about 40 families
in every state of the case lifecycle. Idempotent: it does nothing once the demo users exist.
All people are synthetic."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from cases import services
from cases.models import (
    Agency,
    AgencyType,
    ClosureReason,
    Consent,
    Family,
    FamilyMembership,
    Gender,
    LevelOfNeed,
    Locality,
    Person,
    Relationship,
    Team,
    User,
)
from cases.roles import Role
from cases.synthetic import (
    FIRST_NAMES_ADULT,
    FIRST_NAMES_CHILD,
    LAST_NAMES,
    POSTCODES,
    STREETS,
    TOWNS,
    synthetic_nhs_number,
    synthetic_upn,
)

DEMO_PASSWORD = "demo-password-123"

LOCALITIES = [("north", "North"), ("central", "Central"), ("south", "South")]
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
# (username, first, last, agency, team, roles, job title)
USERS = [
    (
        "duty.manager",
        "Dana",
        "Fielding",
        "Exampleshire Family Support",
        "Front Door",
        [Role.DUTY_MANAGER],
        "Front door duty manager",
    ),
    (
        "panel.coordinator",
        "Priya",
        "Coleman",
        "Exampleshire Family Support",
        "Early Help Panel",
        [Role.PANEL_COORDINATOR],
        "Early help panel coordinator",
    ),
    (
        "lead.professional",
        "Leon",
        "Parry",
        "Exampleshire Family Support",
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
        "Exampleshire Family Support",
        "North Family Support",
        [Role.TEAM_MANAGER],
        "Family support team manager",
    ),
    ("analyst", "Ali", "Nash", "Exampleshire Family Support", None, [Role.ANALYST], "Performance analyst"),
    (
        "contact.officer",
        "Cara",
        "Bell",
        "Exampleshire Family Support",
        "Front Door",
        [Role.CONTACT_OFFICER],
        "Customer support officer",
    ),
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
        "second.lead",
        "Megan",
        "Lloyd",
        "Exampleshire Family Support",
        "North Family Support",
        [Role.LEAD_PROFESSIONAL, Role.REFERRER],
        "Family support worker",
    ),
]
# How many families in each state.
STATES = [
    ("awaiting_allocation", 8),
    ("awaiting_lead_professional", 6),
    ("active", 16),
    ("closure_requested", 4),
    ("closed", 6),
]


class Command(BaseCommand):
    help = "Load demo localities, agencies, users and about 40 synthetic families (once)."

    def handle(self, *args, **options):
        if User.objects.filter(username="duty.manager").exists():
            self.stdout.write("Demo data already loaded.")
            return
        with transaction.atomic():
            self._load()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))

    def _load(self) -> None:
        rng = random.Random(2026)
        localities = {
            code: Locality.objects.get_or_create(code=code, defaults={"name": name})[0] for code, name in LOCALITIES
        }
        agencies = {}
        for name, type_code, locality, source in AGENCIES:
            agencies[name] = Agency.objects.get_or_create(
                name=name,
                defaults={
                    "agency_type": AgencyType.objects.get(code=type_code),
                    "locality": localities[locality],
                    "referral_source_code": source,
                },
            )[0]
        council = agencies["Exampleshire Family Support"]
        teams = {
            "Early Help Panel": Team.objects.get_or_create(agency=council, name="Early Help Panel")[0],
            "Front Door": Team.objects.get_or_create(
                agency=council, name="Front Door", defaults={"locality": localities["central"]}
            )[0],
            "North Family Support": Team.objects.get_or_create(
                agency=council, name="North Family Support", defaults={"locality": localities["north"]}
            )[0],
        }
        users = {}
        for username, first, last, agency, team, roles, title in USERS:
            user = User.objects.create_user(
                username=username,
                password=DEMO_PASSWORD,
                first_name=first,
                last_name=last,
                email=f"{username}@example.org",
                agency=agencies[agency],
                team=teams.get(team),
                job_title=title,
            )
            user.groups.set(Group.objects.filter(name__in=roles))
            users[username] = user
        admin = User.objects.create_superuser(
            username="admin",
            password=DEMO_PASSWORD,
            email="admin@example.org",
            first_name="Ada",
            last_name="Admin",
            agency=council,
            job_title="System administrator",
        )
        admin.groups.set(Group.objects.filter(name=Role.ADMINISTRATOR))

        levels = list(LevelOfNeed.objects.order_by("sort_order"))
        reasons = {r.code: r for r in ClosureReason.objects.all()}
        school = agencies["Riverside Primary School"]
        number = 0
        for state, count in STATES:
            for _ in range(count):
                number += 1
                family = self._family(rng, number, localities, school)
                case = services.case_open(
                    actor=users["duty.manager"], family=family, level_of_need=levels[2 if number % 3 else 1]
                )
                # Demo history: spread the opening dates over the last year.
                opened = timezone.now() - datetime.timedelta(days=rng.randint(2, 360))
                case.opened_at = opened
                case.save(update_fields=["opened_at"])
                self._advance(case, state, number, users, agencies, reasons, school)

    def _family(self, rng: random.Random, number: int, localities, school: Agency) -> Family:
        last = LAST_NAMES[number % len(LAST_NAMES)]
        locality = list(localities.values())[number % 3]
        family = Family.objects.create(
            name=f"{last} family",
            address_line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
            town=TOWNS[number % 3],
            postcode=rng.choice(POSTCODES),
            locality=locality,
        )
        today = timezone.localdate()
        parent = Person.objects.create(
            kind=Person.Kind.ADULT,
            first_name=rng.choice(FIRST_NAMES_ADULT),
            last_name=last,
            date_of_birth=today - datetime.timedelta(days=rng.randint(22 * 365, 45 * 365)),
            gender=rng.choice([Gender.FEMALE, Gender.MALE]),
            nhs_number=synthetic_nhs_number(rng),
            first_language=rng.choice(["English", "English", "Polish", "Urdu", "Vietnamese"]),
        )
        parent.interpreter_needed = parent.first_language not in ("English",) and rng.random() < 0.5
        parent.save(update_fields=["interpreter_needed"])
        FamilyMembership.objects.create(family=family, person=parent, parental_responsibility=True)
        for _ in range(rng.randint(1, 3)):
            child = Person.objects.create(
                kind=Person.Kind.CHILD,
                first_name=rng.choice(FIRST_NAMES_CHILD),
                last_name=last,
                date_of_birth=today - datetime.timedelta(days=rng.randint(365, 16 * 365)),
                gender=rng.choice([Gender.FEMALE, Gender.MALE]),
                nhs_number=synthetic_nhs_number(rng),
                upn=synthetic_upn(rng),
                school=school if rng.random() < 0.6 else None,
            )
            FamilyMembership.objects.create(family=family, person=child)
            Relationship.objects.create(person=child, related_person=parent, kind=Relationship.Kind.PARENT)
        return family

    def _advance(self, case, state, number, users, agencies, reasons, school) -> None:
        if state == "awaiting_allocation":
            return
        coordinator, manager = users["panel.coordinator"], users["team.manager"]
        lead_agency = agencies["Bridges Family Charity"] if number % 7 == 0 else agencies["Exampleshire Family Support"]
        team = None if lead_agency.name == "Bridges Family Charity" else manager.team
        services.case_allocate(actor=coordinator, case=case, lead_agency=lead_agency, team=team)
        if state == "awaiting_lead_professional":
            return
        if lead_agency.name == "Bridges Family Charity":
            lead = users["bridges.keyworker"]
            manager = User.objects.get(username="admin")
        else:
            lead = users["lead.professional"] if number % 4 else users["second.lead"]
        services.case_assign_lead_professional(actor=manager, case=case, lead_professional=lead)
        parent = case.family.memberships.filter(person__kind=Person.Kind.ADULT).first().person
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
        if number % 2 == 0:
            services.case_member_add(
                actor=lead, case=case, user=users["school.practitioner"], role="Designated safeguarding lead"
            )
            # Most families agree to share with the school; one in five declines.
            services.consent_record(
                actor=lead,
                family=case.family,
                person=parent,
                scope=Consent.Scope.SHARING,
                agency=school,
                status=Consent.Status.REFUSED if number % 5 == 0 else Consent.Status.GIVEN,
                evidence="" if number % 5 == 0 else Consent.Evidence.WRITTEN,
                decided_on=timezone.localdate(),
                case=case,
            )
        if number % 3 == 0:
            services.case_member_add(actor=lead, case=case, user=users["health.visitor"], role="Health visitor")
        services.chronology_note_add(
            actor=lead,
            case=case,
            summary="Home visit with the family",
            body="Met the family at home. Talked about routines and school attendance. Next visit in two weeks.",
            kind="contact",
        )
        if state == "active":
            return
        services.case_request_closure(
            actor=lead,
            case=case,
            reason=reasons["outcomes-met"],
            summary="Attendance is above 95% for a term and the family say routines are working.",
        )
        if state == "closure_requested":
            return
        services.case_sign_off_closure(actor=manager, case=case, note="Sustained and significant progress.")
