"""A deterministic, realistic synthetic county: `manage.py generate_dataset --families N --seed S`.

For N = 60,000: about 150,000 people, 250,000 referrals (re-referrals and duplicates among them),
40,000 cases in every state, 2,000,000 chronology entries, consents, MASH requests, decisions,
deadlines, team memberships with their grants, and access-log rows. Rows go in with COPY, in one
transaction, with triggers off for the load (the history triggers would double every write; the
synthetic past has no history to keep). Everyone is synthetic.

The Early Help Panel: a panel per locality (fortnightly, on its own weekday) with standing members,
a year of meetings (held ones with attendance, about 8 to 20 agenda items each, a decision per item
(mostly allocations; some deferred to the next meeting, some not for the panel) and a few actions;
the next three scheduled), and a waiting list: most cases awaiting allocation wait for their
locality's panel (`panel_route`, `panel_waiting_since`), their 10-day `front-door-to-offer` clocks
running. The benchmark's meeting page and agenda PDF use `benchmark_meeting()`: the first scheduled
meeting of the first locality's panel, whose agenda has exactly 20 items (its locality's waiting
cases first) and has been sent. A second run adds no panels where a locality has one.
"""

from __future__ import annotations

import datetime
import random
import time

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from bench.copy import IdAllocator, copy_rows
from bench.lead_work import LeadWork
from cases.models import (
    AccessLog,
    Agency,
    AgencyType,
    BankHoliday,
    Case,
    CaseMember,
    CaseStatus,
    CaseUserObjectPermission,
    ChronologyEntry,
    ClosureReason,
    Consent,
    Deadline,
    DeadlineAlarm,
    Destination,
    Family,
    FamilyMembership,
    LevelOfNeed,
    Locality,
    Person,
    Relationship,
    Team,
    Timescale,
    User,
)
from cases.roles import Role
from cases.synthetic import FIRST_NAMES_ADULT, FIRST_NAMES_CHILD, LAST_NAMES, STREETS, synthetic_nhs_number
from front_door.models import Decision, DecisionOutcome, InformationRequest, Referral, ReferralPerson
from front_door.selectors import RE_REFERRAL_WINDOW
from panels.models import (
    AgendaItem,
    Attendance,
    Frequency,
    Meeting,
    MeetingAction,
    MeetingStatus,
    NotForPanelRoute,
    Panel,
    PanelDecision,
    PanelMember,
    PanelOutcome,
)
from panels.scheduling import MEETINGS_AHEAD, slot_starts_at, slots

BENCH_PASSWORD = "bench-password-123"
TOWNS = ["Northbridge", "Exton", "Southmere", "Westford", "Eastleigh Vale", "Kingsholme", "Ashcombe", "Bramley"]
MORE_LAST = [
    "Fernández",
    "Wiśniewski",
    "Ó Súilleabháin",
    "Nguyễn",
    "Zoë-Ann",
    "Østergaard",
    "Kaur",
    "Singh",
    "Adeyemi",
    "O'Brien",
    "McAllister",
    "Haddad",
    "Kovács",
    "Yılmaz",
    "Popescu",
    "Dubois",
]
# The long tail of a county's surnames: hundreds of place-name surnames, each held by a few
# households, as real registers have (the most common surname is about 1% of people).
TAIL_LAST = [
    head + tail
    for head in (
        "Ash Black Brad Brook Cald Chad Cran Dun East Fair Gold Green Hart Hazel Holl Kirk Lang Lind Marl Mid "
        "North Ock Pem Red Rush Shel South Stan Thorn Under Wake West Whit Wood Al Bel Brom Cot Fen Hal"
    ).split()
    for tail in "ley ton worth ford wood field well more by ham stone bury dale cott ridge brook hurst wick".split()
]
MORE_FIRST = ["Zoë", "Oisín", "Saoirse", "Łukasz", "Anaïs", "Jesús", "Björn", "Chiamaka", "Aoife", "Renée"]
NOTE_SUMMARIES = [
    "Home visit",
    "Phone call with mum",
    "School attendance update",
    "TAF meeting",
    "Review of the family plan",
    "Health visitor update",
    "Housing officer update",
    "Call with dad",
    "Visit to the child at school",
    "Family support session",
    "Parenting course attended",
    "Missed appointment",
    "Text message to the family",
]
NOTE_BODIES = [
    "Talked about morning routines and getting to school on time. Agreed to try a visual timetable.",
    "Discussed the rent arrears letter and agreed to go to the housing advice drop-in together.",
    "Attendance this half term is improving. The school will keep the breakfast club place open.",
    "The family said things feel calmer at home. Next visit in two weeks.",
]


# The benchmark's meeting: the first scheduled meeting of the first locality's panel, 20 items.
BENCHMARK_AGENDA_ITEMS = 20
PANEL_WEEKS = 52


def benchmark_meeting() -> Meeting | None:
    """The meeting the benchmark's meeting page and agenda PDF load (see the module's docstring)."""
    panel = Panel.objects.filter(locality__code="bench-0", active=True).order_by("id").first()
    if panel is None:
        return None
    return panel.meetings.filter(status=MeetingStatus.SCHEDULED).order_by("starts_at", "id").first()


def re_referral_of(family_cases: list[dict], received: datetime.datetime) -> int | None:
    """The id of the family's latest case closed within RE_REFERRAL_WINDOW before `received`: the
    rule of `front_door.selectors.re_referral_case`, on the rows being generated."""
    closed = [
        row
        for row in family_cases
        if row["status"] == CaseStatus.CLOSED and received - RE_REFERRAL_WINDOW <= row["closed_at"] <= received
    ]
    return max(closed, key=lambda row: (row["closed_at"], row["id"]))["id"] if closed else None


def chronology_row(
    rng: random.Random,
    *,
    entry_id: int,
    family_id: int,
    case_id: int,
    k: int,
    occurred: datetime.datetime,
    author_id: int | None,
    agency_id: int | None,
) -> dict:
    """A case's k-th chronology entry as the county has them: three notes to an event."""
    note = k % 4 != 0
    return {
        "id": entry_id,
        "family_id": family_id,
        "case_id": case_id,
        "kind": "note" if note else "event",
        "event": "" if note else "case_updated",
        "occurred_at": occurred,
        "recorded_at": occurred,
        "author_id": author_id,
        "author_agency_id": agency_id,
        "summary": rng.choice(NOTE_SUMMARIES),
        "body": rng.choice(NOTE_BODIES) if note else "",
    }


class Command(BaseCommand):
    help = "Generate a deterministic synthetic county for benchmarks (see bench/README.md)."

    def add_arguments(self, parser):
        parser.add_argument("--families", type=int, default=1000)
        parser.add_argument("--seed", type=int, default=2026)

    def handle(self, *args, families: int, seed: int, **options):
        started = time.monotonic()
        generator = Generator(families=families, seed=seed, log=self.stdout.write)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL session_replication_role = replica")
            counts = generator.run()
            # The lead professionals' work on the cases (bench.lead_work), once the county's own ids
            # are settled.
            counts |= LeadWork(rng=generator.rng, now=generator.now, log=self.stdout.write).run()
            # Then their closures, the outcomes and the claims (bench.outcome_work, which reads this
            # module's notes).
            from bench.outcome_work import OutcomeWork

            counts |= OutcomeWork(rng=generator.rng, now=generator.now, log=self.stdout.write).run()
        with connection.cursor() as cursor:
            # As autovacuum would leave a county's database: statistics, visibility maps for
            # index-only scans, and no rows waiting in a GIN index's pending list. (Inside a
            # transaction, as in the tests, statistics only: VACUUM cannot run there.)
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE")
        self.stdout.write(
            f"Generated in {time.monotonic() - started:.0f} s: "
            + ", ".join(f"{name} {count:,}" for name, count in counts.items())
        )


class Generator:
    def __init__(self, *, families: int, seed: int, log):
        self.n = families
        self.rng = random.Random(seed)
        self.log = log
        self.now = timezone.now().replace(microsecond=0)
        self.counts: dict[str, int] = {}

    # --- helpers -------------------------------------------------------------------------------------
    def when(self, days_back_max: int, days_back_min: int = 0) -> datetime.datetime:
        seconds = self.rng.randint(days_back_min * 86400, days_back_max * 86400)
        return self.now - datetime.timedelta(seconds=seconds)

    def first_name(self, child: bool) -> str:
        if self.rng.random() < 0.08:
            return self.rng.choice(MORE_FIRST)
        return self.rng.choice(FIRST_NAMES_CHILD if child else FIRST_NAMES_ADULT)

    def last_name(self) -> str:
        draw = self.rng.random()
        if draw < 0.2:
            return self.rng.choice(LAST_NAMES)
        if draw < 0.3:
            return self.rng.choice(MORE_LAST)
        return self.rng.choice(TAIL_LAST)

    def count(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n
        self.log(f"  {name}: {self.counts[name]:,}")

    # --- the county ----------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        self.reference_data()
        self.families_and_people()
        self.cases()
        self.referrals()
        self.panels()
        self.chronology_and_audit()
        for allocator in self.allocators.values():
            allocator.finish()
        with connection.cursor() as cursor:
            cursor.execute("SELECT setval('case_reference_seq', %s)", [self.allocators["case"].next])
            cursor.execute("SELECT setval('referral_reference_seq', %s)", [self.allocators["referral"].next])
        return self.counts

    def reference_data(self) -> None:
        self.allocators = {
            name: IdAllocator(model)
            for name, model in {
                "family": Family,
                "person": Person,
                "case": Case,
                "referral": Referral,
                "referral_person": ReferralPerson,
                "decision": Decision,
                "chronology": ChronologyEntry,
                "member": CaseMember,
                "consent": Consent,
                "grant": CaseUserObjectPermission,
                "deadline": Deadline,
                "alarm": DeadlineAlarm,
                "access": AccessLog,
                "request": InformationRequest,
                "membership": FamilyMembership,
                "relationship": Relationship,
                "panel": Panel,
                "panel_member": PanelMember,
                "meeting": Meeting,
                "agenda_item": AgendaItem,
                "attendance": Attendance,
                "panel_decision": PanelDecision,
                "meeting_action": MeetingAction,
            }.items()
        }
        n_localities = 8
        self.localities = []
        for i in range(n_localities):
            locality, _ = Locality.objects.get_or_create(
                code=f"bench-{i}",
                defaults={
                    "name": f"{TOWNS[i]} locality",
                    "postcode_districts": " ".join(f"BX{i * 10 + d}" for d in range(10)),
                },
            )
            self.localities.append(locality)
        types = {t.code: t for t in AgencyType.objects.all()}
        password = make_password(BENCH_PASSWORD)
        groups = {g.name: g for g in Group.objects.all()}
        self.agencies: dict[str, list[Agency]] = {
            "school": [],
            "health": [],
            "police": [],
            "housing": [],
            "voluntary": [],
            "council-early-help": [],
        }
        self.practitioners: dict[int, list[User]] = {}
        schools = max(2, self.n // 300)
        plan = [
            ("school", schools, "School"),
            ("health", max(1, self.n // 2000), "Health centre"),
            ("police", 1, "Police"),
            ("housing", max(1, self.n // 20000), "Homes"),
            ("voluntary", max(1, self.n // 6000), "Family charity"),
        ]
        for type_code, count, label in plan:
            for i in range(count):
                agency, _ = Agency.objects.get_or_create(
                    name=f"Bench {label} {i + 1}",
                    defaults={
                        "agency_type": types[type_code],
                        "locality": self.localities[i % n_localities],
                        "referral_source_code": {
                            "school": "2A",
                            "health": "3A",
                            "police": "6",
                            "housing": "4",
                            "voluntary": "8",
                        }[type_code],
                    },
                )
                self.agencies[type_code].append(agency)
        council, _ = Agency.objects.get_or_create(
            name="Bench County Family Support",
            defaults={"agency_type": types["council-early-help"], "referral_source_code": "5D"},
        )
        self.council = council
        self.teams = [
            Team.objects.get_or_create(agency=council, name=f"Bench {loc.name} team", defaults={"locality": loc})[0]
            for loc in self.localities
        ]
        users, user_groups = [], []
        names = random.Random(len(self.localities))  # users' names: their own stream, so people's stay the same

        def user(username, agency, team, roles, title):
            u = User(
                username=username,
                password=password,
                first_name=names.choice(FIRST_NAMES_ADULT),
                last_name=names.choice(LAST_NAMES),
                email=f"{username}@example.org",
                agency=agency,
                team=team,
                job_title=title,
            )
            users.append((u, roles))
            return u

        existing = set(User.objects.filter(username__startswith="bench.").values_list("username", flat=True))
        if not existing:
            for i in range(10):
                user(f"bench.duty{i}", council, None, [Role.DUTY_MANAGER], "Duty manager")
            for i, team in enumerate(self.teams):
                user(f"bench.manager{i}", council, team, [Role.TEAM_MANAGER], "Team manager")
                user(f"bench.panel{i}", council, team, [Role.PANEL_COORDINATOR], "Panel coordinator")
                for j in range(max(2, self.n // 150 // len(self.teams))):
                    user(
                        f"bench.lead{i}.{j}",
                        council,
                        team,
                        [Role.LEAD_PROFESSIONAL, Role.REFERRER],
                        "Family support worker",
                    )
            for type_code, agencies in self.agencies.items():
                for agency in agencies:
                    for j in range(2):
                        user(f"bench.{type_code}{agency.pk}.{j}", agency, None, [Role.REFERRER], "Practitioner")
            for i in range(3):
                user(f"bench.analyst{i}", council, None, [Role.ANALYST], "Analyst")
            User.objects.bulk_create([u for u, _ in users], batch_size=2000)
            through = User.groups.through
            saved = {u.username: u.pk for u in User.objects.filter(username__startswith="bench.")}
            for u, roles in users:
                for role in roles:
                    user_groups.append(through(user_id=saved[u.username], group_id=groups[role].pk))
            through.objects.bulk_create(user_groups, batch_size=5000)
        bench_users = list(User.objects.filter(username__startswith="bench.").prefetch_related("groups"))
        self.leads_by_team: dict[int, list[User]] = {}
        self.partners: list[User] = []
        self.duty_managers = []
        for u in bench_users:
            roles = u.roles
            if Role.LEAD_PROFESSIONAL in roles:
                self.leads_by_team.setdefault(u.team_id, []).append(u)
            elif Role.DUTY_MANAGER in roles:
                self.duty_managers.append(u)
            elif Role.REFERRER in roles:
                self.partners.append(u)
        self.levels = list(LevelOfNeed.objects.order_by("sort_order"))
        # Early help decisions only: their destinations are those that fit early help.
        self.destinations = list(Destination.objects.filter(outcomes__contains=["early_help"]))
        self.reasons = list(ClosureReason.objects.all())
        self.permissions = {
            p.codename: p.pk
            for p in Permission.objects.filter(
                content_type__app_label="cases", codename__in=["view_case", "change_case", "manage_case"]
            )
        }
        self.timescales = {t.code: t for t in Timescale.objects.all()}
        self.count("users", len(bench_users))

    def families_and_people(self) -> None:
        rng, a = self.rng, self.allocators
        families, people, memberships, relationships = [], [], [], []
        self.family_people: dict[int, tuple[list[int], list[int]]] = {}
        self.family_locality: dict[int, int] = {}
        self.person_names: dict[int, tuple[str, str, datetime.date | None, str]] = {}
        used_nhs: set[str] = set(Person.objects.exclude(nhs_number="").values_list("nhs_number", flat=True))
        for _ in range(self.n):
            family_id = a["family"].take()
            last = self.last_name()
            li = rng.randrange(len(self.localities))
            locality = self.localities[li]
            postcode = (
                f"BX{li * 10 + rng.randrange(10)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
                f"{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"
            )
            families.append(
                {
                    "id": family_id,
                    "name": f"{last} family",
                    "address_line_1": f"{rng.randint(1, 240)} {rng.choice(STREETS)}",
                    "town": TOWNS[li],
                    "postcode": postcode,
                    "locality_id": locality.pk,
                    "created_at": self.when(3650),
                }
            )
            self.family_locality[family_id] = locality.pk
            adults, children = [], []
            for k in range(1 if rng.random() < 0.75 else 2):
                pid = a["person"].take()
                nhs = synthetic_nhs_number(rng)
                while nhs in used_nhs:
                    nhs = synthetic_nhs_number(rng)
                used_nhs.add(nhs)
                first = self.first_name(False)
                dob = (self.now - datetime.timedelta(days=rng.randint(20 * 365, 50 * 365))).date()
                people.append(
                    {
                        "id": pid,
                        "kind": "adult",
                        "first_name": first,
                        "last_name": last if k == 0 else self.last_name(),
                        "date_of_birth": dob,
                        "gender": rng.choice("MF"),
                        "ethnicity": rng.choice(["WBRI", "WBRI", "WBRI", "AIND", "BAFR", "WOTH", "MWBC"]),
                        "nhs_number": nhs,
                        "first_language": rng.choice(["English"] * 8 + ["Polish", "Urdu"]),
                        "created_at": self.now,
                    }
                )
                memberships.append(
                    {
                        "id": a["membership"].take(),
                        "family_id": family_id,
                        "person_id": pid,
                        "in_household": True,
                        "parental_responsibility": True,
                    }
                )
                adults.append(pid)
                self.person_names[pid] = (first, last, dob, nhs)
            for _k in range(rng.choice([1, 1, 1, 1, 1, 2, 2, 3])):
                pid = a["person"].take()
                nhs = synthetic_nhs_number(rng)
                while nhs in used_nhs:
                    nhs = synthetic_nhs_number(rng)
                used_nhs.add(nhs)
                first = self.first_name(True)
                dob = (self.now - datetime.timedelta(days=rng.randint(30, 17 * 365))).date()
                people.append(
                    {
                        "id": pid,
                        "kind": "child",
                        "first_name": first,
                        "last_name": last,
                        "date_of_birth": dob,
                        "gender": rng.choice("MF"),
                        "ethnicity": "NOBT",
                        "nhs_number": nhs,
                        "created_at": self.now,
                        "school_id": rng.choice(self.agencies["school"]).pk if rng.random() < 0.7 else None,
                    }
                )
                memberships.append(
                    {
                        "id": a["membership"].take(),
                        "family_id": family_id,
                        "person_id": pid,
                        "in_household": True,
                        "parental_responsibility": False,
                    }
                )
                relationships.append(
                    {"id": a["relationship"].take(), "person_id": pid, "related_person_id": adults[0], "kind": "parent"}
                )
                children.append(pid)
                self.person_names[pid] = (first, last, dob, nhs)
            self.family_people[family_id] = (adults, children)
        self.count("families", copy_rows(Family, families))
        self.count("people", copy_rows(Person, people))
        copy_rows(FamilyMembership, memberships)
        copy_rows(Relationship, relationships)

    def cases(self) -> None:
        rng, a = self.rng, self.allocators
        family_ids = list(self.family_people)
        n_cases = round(self.n * 2 / 3)
        chosen = [rng.choice(family_ids) for _ in range(n_cases)]
        cases, members, grants, consents = [], [], [], []
        self.case_rows: list[dict] = []
        open_by_family: set[int] = set()
        weights = [
            (CaseStatus.CLOSED, 60),
            (CaseStatus.ACTIVE, 25),
            (CaseStatus.AWAITING_ALLOCATION, 4),
            (CaseStatus.AWAITING_LEAD_PROFESSIONAL, 4),
            (CaseStatus.CLOSURE_REQUESTED, 7),
        ]
        statuses = [s for s, w in weights for _ in range(w)]
        p = self.permissions
        for family_id in chosen:
            status = rng.choice(statuses)
            if status != CaseStatus.CLOSED and family_id in open_by_family:
                status = CaseStatus.CLOSED  # a family has one open case at most
            if status != CaseStatus.CLOSED:
                open_by_family.add(family_id)
            case_id = a["case"].take()
            opened = self.when(3650, 5) if status == CaseStatus.CLOSED else self.when(400, 1)
            li = self.family_locality[family_id]
            team = next(t for t in self.teams if t.locality_id == li)
            allocated = status not in (CaseStatus.AWAITING_ALLOCATION,)
            has_lead = status in (CaseStatus.ACTIVE, CaseStatus.CLOSURE_REQUESTED, CaseStatus.CLOSED)
            lead = rng.choice(self.leads_by_team[team.pk]) if has_lead else None
            row = {
                "id": case_id,
                "reference": f"C-{opened.year}-{case_id:06d}",
                "family_id": family_id,
                "kind": "early_help" if rng.random() < 0.85 else "section_17",
                "status": status,
                "level_of_need_id": self.levels[rng.choice([1, 2, 2, 2, 3])].pk,
                "locality_id": li,
                "lead_agency_id": self.council.pk if allocated else None,
                "team_id": team.pk if allocated else None,
                "lead_professional_id": lead.pk if lead else None,
                "opened_at": opened,
            }
            if status == CaseStatus.AWAITING_ALLOCATION and rng.random() < 0.75:
                # Waiting for the locality's panel: most from a front door decision days ago, some sent
                # back by their lead agency; some waiting past the 10 days to an offer.
                opened = self.when(25, 0)
                route = "front_door" if rng.random() < 0.85 else rng.choice(["stuck", "refused", "disengaged"])
                row["opened_at"] = opened
                row["reference"] = f"C-{opened.year}-{case_id:06d}"
                row["panel_route"] = route
                row["panel_waiting_since"] = opened + datetime.timedelta(hours=rng.randint(1, 6))
                if route != "front_door":
                    row["panel_note"] = "The family have not answered calls or visits for a month."
            if status == CaseStatus.CLOSED:
                row["closed_at"] = min(self.now, opened + datetime.timedelta(days=rng.randint(30, 400)))
                row["closure_reason_id"] = rng.choice(self.reasons).pk
                row["closure_summary"] = "Outcomes reviewed with the family at the final TAF."
            elif status == CaseStatus.CLOSURE_REQUESTED:
                row["closure_reason_id"] = self.reasons[0].pk
                row["closure_summary"] = "Attendance has been good for two terms."
            cases.append(row)
            self.case_rows.append(row)
            adults, _children = self.family_people[family_id]
            if lead:
                members.append(
                    {
                        "id": a["member"].take(),
                        "case_id": case_id,
                        "user_id": lead.pk,
                        "role": "Lead professional",
                        "is_lead": True,
                        "added_at": opened,
                        "ended_at": row.get("closed_at"),
                    }
                )
                for codename in ("view_case", "change_case", "manage_case"):
                    grants.append(
                        {
                            "id": a["grant"].take(),
                            "content_object_id": case_id,
                            "user_id": lead.pk,
                            "permission_id": p[codename],
                        }
                    )
                consents.append(
                    {
                        "id": a["consent"].take(),
                        "family_id": family_id,
                        "person_id": adults[0],
                        "case_id": case_id,
                        "scope": "assessment",
                        "status": "given",
                        "evidence": "written",
                        "decided_on": opened.date(),
                        "recorded_by_id": lead.pk,
                        "recorded_at": opened,
                    }
                )
                for partner in rng.sample(self.partners, k=rng.randint(0, 3)):
                    members.append(
                        {
                            "id": a["member"].take(),
                            "case_id": case_id,
                            "user_id": partner.pk,
                            "role": "Team around the family",
                            "is_lead": False,
                            "added_at": opened,
                            "ended_at": row.get("closed_at"),
                        }
                    )
                    if status != CaseStatus.CLOSED:
                        for codename in ("view_case", "change_case"):
                            grants.append(
                                {
                                    "id": a["grant"].take(),
                                    "content_object_id": case_id,
                                    "user_id": partner.pk,
                                    "permission_id": p[codename],
                                }
                            )
                    given = rng.random() < 0.85
                    consents.append(
                        {
                            "id": a["consent"].take(),
                            "family_id": family_id,
                            "person_id": adults[0],
                            "case_id": case_id,
                            "scope": "sharing",
                            "agency_id": partner.agency_id,
                            "status": "given" if given else "refused",
                            "evidence": "written" if given else "",
                            "decided_on": opened.date(),
                            "recorded_by_id": lead.pk,
                            "recorded_at": opened,
                        }
                    )
        self.count("cases", copy_rows(Case, cases))
        self.count("team members", copy_rows(CaseMember, members))
        self.count("grants", copy_rows(CaseUserObjectPermission, grants))
        self.count("consents", copy_rows(Consent, consents))

    def referrals(self) -> None:
        rng, a = self.rng, self.allocators
        target = round(self.n * 250 / 60)
        referrals, people, decisions, requests, deadlines, alarms = [], [], [], [], [], []
        cases_by_family: dict[int, list[dict]] = {}
        for row in self.case_rows:
            cases_by_family.setdefault(row["family_id"], []).append(row)
        family_ids = list(self.family_people)
        queue_size = max(20, round(target * 0.006))
        decision_clock, letter_clock = self.timescales["front-door-decision"], self.timescales["referrer-letter"]
        previous_by_referrer_child: dict[tuple, int] = {}
        for index in range(target):
            referral_id = a["referral"].take()
            family_id = rng.choice(family_ids)
            in_queue = index >= target - queue_size
            received = self.when(2, 0) if in_queue else self.when(3650, 3)
            partner = rng.choice(self.partners)
            channel = rng.choice(["practitioner"] * 6 + ["public", "phone", "api", "email"])
            adults, children = self.family_people[family_id]
            li = self.family_locality[family_id]
            row = {
                "id": referral_id,
                "reference": f"EH-{received.year}-{referral_id:06d}",
                "status": "awaiting_decision" if in_queue else "decided",
                "channel": channel,
                "created_at": received,
                "received_at": received,
                "referrer_id": partner.pk if channel in ("practitioner", "api") else None,
                "referrer_agency_id": partner.agency_id if channel in ("practitioner", "api") else None,
                "referrer_relationship": "practitioner" if channel != "public" else "parent",
                "referrer_name": partner.get_full_name(),
                "referrer_email": partner.email,
                "recorded_by_id": self.duty_managers[0].pk if channel in ("phone", "email") else None,
                "concerns": rng.choice(NOTE_BODIES),
                "level_of_need_id": self.levels[rng.choice([1, 2, 2, 3])].pk,
                "consent_given": rng.random() > 0.03,
                "locality_id": li,
                "decision_due_at": received + datetime.timedelta(hours=24),
                "family_id": None if in_queue else family_id,
            }
            if row["consent_given"] is False:
                row["consent_not_sought_reason"] = "Asking the parent could put the child at risk of harm."
            key = (partner.pk, children[0])
            if key in previous_by_referrer_child and rng.random() < 0.3:
                row["duplicate_of_id"] = previous_by_referrer_child[key]
            previous_by_referrer_child.setdefault(key, referral_id)
            family_cases = cases_by_family.get(family_id)
            if family_cases and not in_queue and rng.random() < 0.5:
                row["case_id"] = family_cases[0]["id"]
            if not in_queue:
                # Decided, so the front door stored the link to the family's case closed within the
                # year before (front_door.selectors.re_referral_case), as the decision does.
                row["re_referral_of_id"] = re_referral_of(family_cases or [], received)
            referrals.append(row)
            for pid in [*children, adults[0]]:
                first, last, dob, nhs = self.person_names[pid]
                people.append(
                    {
                        "id": a["referral_person"].take(),
                        "referral_id": referral_id,
                        "kind": "adult" if pid == adults[0] else "child",
                        "first_name": first,
                        "last_name": last,
                        "date_of_birth": dob,
                        "gender": "U",
                        "nhs_number": nhs if rng.random() < 0.5 else "",
                        "parental_responsibility": pid == adults[0],
                        "person_id": None if in_queue else pid,
                    }
                )
            for clock in (decision_clock, letter_clock):
                due = received + datetime.timedelta(hours=clock.amount)
                deadline = {
                    "id": a["deadline"].take(),
                    "timescale_id": clock.pk,
                    "subject_type": "referral",
                    "subject_id": referral_id,
                    "reference": row["reference"],
                    "remind_role": Role.DUTY_MANAGER,
                    "escalate_role": Role.TEAM_MANAGER,
                    "started_at": received,
                    "due_at": due,
                    "remind_at": due - datetime.timedelta(hours=clock.reminder_before_hours),
                    "met_at": None
                    if in_queue
                    else received + datetime.timedelta(hours=rng.randint(1, clock.amount + 6)),
                }
                deadlines.append(deadline)
                if in_queue:
                    # A running clock's alarms still to go off (those in the past were swept).
                    for kind, at in (("reminder", deadline["remind_at"]), ("escalation", due)):
                        if at > self.now:
                            alarms.append(
                                {
                                    "id": a["alarm"].take(),
                                    "deadline_id": deadline["id"],
                                    "kind": kind,
                                    "goes_off_at": at,
                                }
                            )
            if not in_queue:
                outcome = rng.choice([DecisionOutcome.EARLY_HELP] * 8 + [DecisionOutcome.STEP_UP])
                destination = rng.choice(self.destinations) if outcome == DecisionOutcome.EARLY_HELP else None
                decisions.append(
                    {
                        "id": a["decision"].take(),
                        "referral_id": referral_id,
                        "outcome": outcome,
                        "level_of_need_id": row["level_of_need_id"],
                        "destination_id": destination.pk if destination else None,
                        "reason": "Needs met by a family support worker with a team around the family.",
                        "decided_by_id": rng.choice(self.duty_managers).pk,
                        "decided_at": received + datetime.timedelta(hours=rng.randint(1, 30)),
                    }
                )
                if rng.random() < 0.08:
                    agency = rng.choice(self.agencies["school"] + self.agencies["health"])
                    requests.append(
                        {
                            "id": a["request"].take(),
                            "referral_id": referral_id,
                            "agency_id": agency.pk,
                            "question": "What do you know about the children's attendance and health?",
                            "requested_by_id": self.duty_managers[0].pk,
                            "requested_at": received,
                            "due_at": received + datetime.timedelta(days=1),
                            "answer": "Attendance 82% this year; two missed health appointments.",
                            "answered_at": received + datetime.timedelta(hours=20),
                        }
                    )
        self.count("referrals", copy_rows(Referral, referrals))
        self.count("referral people", copy_rows(ReferralPerson, people))
        self.count("decisions", copy_rows(Decision, decisions))
        self.count("information requests", copy_rows(InformationRequest, requests))
        self.count("deadlines", copy_rows(Deadline, deadlines))
        self.count("deadline alarms", copy_rows(DeadlineAlarm, alarms))

    def panels(self) -> None:
        """A panel per locality with its members, a year of fortnightly meetings and their agendas,
        attendance, decisions and actions; the waiting cases' 10-day clocks."""
        rng, a = self.rng, self.allocators
        offer = self.timescales["front-door-to-offer"]
        deadlines, alarms = [], []
        for row in self.case_rows:
            if not row.get("panel_route"):
                continue
            started = row["opened_at"]
            due = started + datetime.timedelta(days=offer.amount)
            deadline = {
                "id": a["deadline"].take(),
                "timescale_id": offer.pk,
                "subject_type": "case",
                "subject_id": row["id"],
                "case_id": row["id"],
                "reference": row["reference"],
                "remind_role": Role.PANEL_COORDINATOR,
                "started_at": started,
                "due_at": due,
                "remind_at": due - datetime.timedelta(hours=offer.reminder_before_hours),
            }
            deadlines.append(deadline)
            for kind, at in (("reminder", deadline["remind_at"]), ("escalation", due)):
                if at > self.now:
                    alarms.append(
                        {"id": a["alarm"].take(), "deadline_id": deadline["id"], "kind": kind, "goes_off_at": at}
                    )
        self.count("deadlines", copy_rows(Deadline, deadlines))
        self.count("deadline alarms", copy_rows(DeadlineAlarm, alarms))

        has_panel = set(Panel.objects.filter(active=True).values_list("locality_id", flat=True))
        holidays = set(BankHoliday.objects.values_list("date", flat=True))
        coordinators = {
            u.team.locality_id: u
            for u in User.objects.filter(username__startswith="bench.panel").select_related("team")
            if u.team_id
        }
        managers = {
            u.team.locality_id: u
            for u in User.objects.filter(username__startswith="bench.manager").select_related("team")
            if u.team_id
        }
        partner_of: dict[int, User] = {}
        for partner in self.partners:
            partner_of.setdefault(partner.agency_id, partner)
        by_locality: dict[int, list[dict]] = {}
        for row in self.case_rows:
            by_locality.setdefault(row["locality_id"], []).append(row)
        panels, members, meetings, items, attendance, decisions, actions = [], [], [], [], [], [], []
        today = timezone.localdate(self.now)
        for li, locality in enumerate(self.localities):
            if locality.pk in has_panel:
                continue
            coordinator = coordinators[locality.pk]
            weekday = li % 5
            first = today - datetime.timedelta(weeks=PANEL_WEEKS)
            panel = Panel(
                id=a["panel"].take(),
                name=f"{locality.name} Early Help Panel",
                locality_id=locality.pk,
                chair_id=coordinator.pk,
                frequency=Frequency.FORTNIGHTLY,
                weekday=weekday,
                meets_at=datetime.time(10 if li % 2 == 0 else 14, 0),
                duration_minutes=120,
                venue=f"{TOWNS[li]} Family Hub",
                first_meeting_on=first,
                created_at=self.now - datetime.timedelta(weeks=PANEL_WEEKS + 2),
            )
            panels.append({f.attname: getattr(panel, f.attname) for f in Panel._meta.concrete_fields})
            standing = [(self.council.pk, managers[locality.pk].pk, "Family support team manager")]
            for type_code, role in (
                ("school", "Designated safeguarding lead"),
                ("health", "Health visitor"),
                ("police", "Police early intervention officer"),
                ("voluntary", "Family keyworker"),
            ):
                agencies = self.agencies[type_code]
                agency = agencies[li % len(agencies)]
                partner = partner_of.get(agency.pk)
                # The police attend as an agency, without a named person.
                standing.append((agency.pk, None if type_code == "police" else (partner.pk if partner else None), role))
            member_rows = []
            for agency_id, user_id, role in standing:
                member_rows.append(
                    {
                        "id": a["panel_member"].take(),
                        "panel_id": panel.id,
                        "agency_id": agency_id,
                        "user_id": user_id,
                        "role": role,
                        "added_at": panel.created_at,
                    }
                )
            members += member_rows
            owners = [m["user_id"] for m in member_rows if m["user_id"]]
            # The schedule: the held meetings of the year and the next three.
            dates = slots(panel, from_date=first, count=PANEL_WEEKS // 2 + MEETINGS_AHEAD + 2)
            held, ahead = [], []
            for slot in dates:
                starts = slot_starts_at(panel, slot, holidays)
                if starts < self.now - datetime.timedelta(hours=3):
                    held.append((slot, starts))
                elif starts >= self.now and len(ahead) < MEETINGS_AHEAD:
                    ahead.append((slot, starts))
            meeting_ids = []
            for slot, starts in held + ahead:
                is_held = starts < self.now
                meeting_ids.append(a["meeting"].take())
                meetings.append(
                    {
                        "id": meeting_ids[-1],
                        "panel_id": panel.id,
                        "slot_on": slot,
                        "starts_at": starts,
                        "status": MeetingStatus.HELD if is_held else MeetingStatus.SCHEDULED,
                        "venue": panel.venue,
                        "agenda_sent_at": starts - datetime.timedelta(days=5) if is_held else None,
                        "minutes_notes": "Quorate. Apologies recorded." if is_held else "",
                        "held_at": starts + datetime.timedelta(hours=2) if is_held else None,
                    }
                )
            # Held meetings discuss the cases of the locality opened in the fortnight before, each once
            # (a deferred case again at the next meeting).
            pool = sorted(
                (r for r in by_locality.get(locality.pk, []) if not r.get("panel_route")),
                key=lambda r: r["opened_at"],
            )
            cursor, carried = 0, []
            for index, (_slot, starts) in enumerate(held):
                meeting_id = meeting_ids[index]
                window = []
                while cursor < len(pool) and pool[cursor]["opened_at"] < starts - datetime.timedelta(days=1):
                    if pool[cursor]["opened_at"] >= starts - datetime.timedelta(days=21):
                        window.append(pool[cursor])
                    cursor += 1
                incoming, carried = carried, []
                chosen = incoming + rng.sample(window, k=min(len(window), rng.randint(8, 20)))
                for position, case in enumerate(chosen, start=1):
                    item_id = a["agenda_item"].take()
                    items.append(
                        {
                            "id": item_id,
                            "meeting_id": meeting_id,
                            "case_id": case["id"],
                            "position": position,
                            "route": "front_door",
                            "added_by_id": coordinator.pk,
                            "added_at": starts - datetime.timedelta(days=6),
                        }
                    )
                    draw = rng.random()
                    decision = {
                        "id": a["panel_decision"].take(),
                        "item_id": item_id,
                        "decided_by_id": coordinator.pk,
                        "decided_at": starts + datetime.timedelta(minutes=5 * position),
                    }
                    last = index == len(held) - 1
                    if draw < 0.1 and case.get("lead_agency_id") and case not in incoming and not last:
                        decision |= {
                            "outcome": PanelOutcome.DEFER,
                            "reason": "The panel needs the school's view before deciding.",
                            "deferred_to_id": meeting_ids[index + 1],
                        }
                        carried.append(case)
                    elif draw < 0.2 or not case.get("lead_agency_id"):
                        decision |= {
                            "outcome": PanelOutcome.NOT_FOR_PANEL,
                            "not_for_panel_route": rng.choice(
                                [NotForPanelRoute.SINGLE_AGENCY, NotForPanelRoute.UNIVERSAL]
                            ),
                            "reason": "Universal and single-agency support can meet these needs.",
                        }
                    else:
                        decision |= {
                            "outcome": PanelOutcome.ALLOCATE,
                            "lead_agency_id": case["lead_agency_id"],
                            "team_id": case["team_id"],
                            "threshold_confirmed": True,
                            "reason": "Needs across the family at level 3: a family support worker agreed.",
                        }
                    decisions.append(decision)
                for member in member_rows:
                    draw = rng.random()
                    attendance.append(
                        {
                            "id": a["attendance"].take(),
                            "meeting_id": meeting_id,
                            "member_id": member["id"],
                            "status": "present" if draw < 0.85 else ("apologies" if draw < 0.95 else "absent"),
                            "recorded_by_id": coordinator.pk,
                            "recorded_at": starts + datetime.timedelta(minutes=2),
                        }
                    )
                for _ in range(rng.randint(0, 3)):
                    due = starts.date() + datetime.timedelta(days=14)
                    actions.append(
                        {
                            "id": a["meeting_action"].take(),
                            "meeting_id": meeting_id,
                            "description": "Share the family's attendance and health updates with the lead agency",
                            "owner_id": rng.choice(owners) if owners else coordinator.pk,
                            "due_on": due,
                            "done_at": starts + datetime.timedelta(days=rng.randint(1, 14)) if due < today else None,
                            "created_by_id": coordinator.pk,
                            "created_at": starts + datetime.timedelta(hours=1),
                        }
                    )
            # The waiting list on the next meeting's agenda (sent): the first locality's has exactly
            # BENCHMARK_AGENDA_ITEMS, filled from its other cases if too few wait.
            waiting = sorted(
                (r for r in by_locality.get(locality.pk, []) if r.get("panel_route")),
                key=lambda r: r["panel_waiting_since"],
            )
            size = BENCHMARK_AGENDA_ITEMS if li == 0 else min(len(waiting), rng.randint(8, 20))
            chosen = waiting[:size]
            if len(chosen) < size:
                taken = {r["id"] for r in chosen}
                spare = [r for r in by_locality.get(locality.pk, []) + self.case_rows if r["id"] not in taken]
                for row in spare:
                    if len(chosen) == size:
                        break
                    if row["id"] not in taken:
                        chosen.append(row)
                        taken.add(row["id"])
            if ahead and chosen:
                meeting_id, starts = meeting_ids[len(held)], ahead[0][1]
                meetings[-len(ahead)]["agenda_sent_at"] = self.now - datetime.timedelta(days=1)
                for position, case in enumerate(chosen, start=1):
                    items.append(
                        {
                            "id": a["agenda_item"].take(),
                            "meeting_id": meeting_id,
                            "case_id": case["id"],
                            "position": position,
                            "route": case.get("panel_route") or "front_door",
                            "added_by_id": coordinator.pk,
                            "added_at": self.now - datetime.timedelta(days=1, hours=position),
                        }
                    )
        self.count("panels", copy_rows(Panel, panels))
        self.count("panel members", copy_rows(PanelMember, members))
        self.count("meetings", copy_rows(Meeting, meetings))
        self.count("agenda items", copy_rows(AgendaItem, items))
        self.count("attendance", copy_rows(Attendance, attendance))
        self.count("panel decisions", copy_rows(PanelDecision, decisions))
        self.count("meeting actions", copy_rows(MeetingAction, actions))

    def chronology_and_audit(self) -> None:
        rng, a = self.rng, self.allocators
        per_case = 50

        def entries():
            for row in self.case_rows:
                start = row["opened_at"]
                end = row.get("closed_at") or self.now
                span = max(1, int((end - start).total_seconds()))
                author = row["lead_professional_id"]
                for k in range(per_case):
                    yield chronology_row(
                        rng,
                        entry_id=a["chronology"].take(),
                        family_id=row["family_id"],
                        case_id=row["id"],
                        k=k,
                        occurred=start + datetime.timedelta(seconds=rng.randrange(span)),
                        author_id=author,
                        agency_id=self.council.pk if author else None,
                    )

        self.count("chronology entries", copy_rows(ChronologyEntry, entries()))

        def logs():
            for row in self.case_rows:
                for _ in range(5):
                    yield {
                        "id": a["access"].take(),
                        "at": self.when(365),
                        "user_id": row["lead_professional_id"] or self.duty_managers[0].pk,
                        "action": "view",
                        "record_type": "case",
                        "record_id": row["id"],
                        "case_id": row["id"],
                        "ip_address": "10.0.0.1",
                        "path": f"/cases/{row['id']}/",
                    }

        self.count("access log", copy_rows(AccessLog, logs()))
