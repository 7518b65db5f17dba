"""The synthetic county's closures and outcomes (issue 13), in proportion to its cases: every closed
case that had a lead professional and identified needs gets its signed-off closure request (each
need's outcome with its evidence, where the family went, their feedback, the manager's judgement;
about one in twelve first returned to the lead professional), its six-month `sustained-check`
clock (answered for most closures older than six months, some overdue, the younger ones running),
and the county's analysts have claimed for about half of the families that meet the claim rule;
every case waiting for its closure to be signed off has its request waiting. Two of the closed
cases that meet the claim rule are given a long history: one has `REPORT_CASE_ENTRIES` chronology
entries (its manager's case report is about 20 pages, printed while the manager waits), the other
`LARGEST_CASE_ENTRIES` (the largest case in the county: its report is made by a task). Rows go in
with COPY, like the rest of the county, and a second run adds nothing to a case that has a closure.

The benchmark's claims list, dashboard and case reports read these rows (`report_cases`)."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict

from django.db import connection
from django.db.models import Count

from bench.copy import IdAllocator, copy_rows
from bench.management.commands.generate_dataset import chronology_row
from cases.deadlines import timescale_due
from cases.models import Case, CaseStatus, ChronologyEntry, Deadline, DeadlineAlarm, OutcomeFramework, Timescale
from cases.roles import Role
from outcomes.claims import SUSTAINED_AFTER, claim_checks
from outcomes.models import Achieved, Claim, Closure, ClosureDestination, ClosureStatus, FeedbackAnswer, NeedOutcome
from outcomes.services import SUSTAINED_CHECK

DAY = datetime.timedelta(days=1)
REPORT_CASE_ENTRIES = 200  # the most a report printed while the manager waits has (LARGE_CHRONOLOGY)
LARGEST_CASE_ENTRIES = 500
EVIDENCE = [
    "Attendance for the last half term is 96%, from the school's register.",
    "The rent arrears are cleared and the landlord has withdrawn the notice.",
    "Mum has finished the parenting course and uses the bedtime routine every night.",
    "The GP confirms the referral to talking therapies was taken up and completed.",
    "Family Star Plus reading shows the family now 'finding what works' in this area.",
    "Dad started work four weeks ago; the payslips were seen at the last visit.",
]
SUSTAINED = [
    "Still attending well: 94% this term.",
    "No new arrears; the tenancy is secure.",
    "Mum says the routine has held and the school agrees.",
    "Things slipped a little in the summer but are back on track.",
]
FEEDBACK = [
    "We only had to explain things once and everyone knew what the plan was.",
    "It helped to have one person to ring.",
    "It took a while to get started but it was worth it.",
    "",
]
MANAGER_NOTES = [
    "Good progress on every need; the family know how to get help again.",
    "Signed off: the plan's outcomes are met and the school will keep an eye on attendance.",
    "",
]
RETURN_NOTES = [
    "Please add the evidence for the housing need before I sign this off.",
    "The family's feedback has not been asked for: please ask at the closing visit.",
]
TABLES = {
    "closure": Closure,
    "need_outcome": NeedOutcome,
    "claim": Claim,
    "sustained_check": Deadline,
    "sustained_check_alarm": DeadlineAlarm,
    "long_history": ChronologyEntry,
}


def _feedback(rng: random.Random) -> str:
    return rng.choices(list(FeedbackAnswer.values), weights=[8, 1, 1])[0]


class OutcomeWork:
    def __init__(self, *, rng: random.Random, now: datetime.datetime, log):
        self.rng, self.now, self.log = rng, now, log
        self.ids = {name: IdAllocator(model) for name, model in TABLES.items()}
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.destinations = list(ClosureDestination.objects.filter(active=True).values_list("pk", flat=True))
        self.clock = Timescale.objects.get(code=SUSTAINED_CHECK)
        self.framework = OutcomeFramework.objects.filter(active=True).values_list("pk", flat=True).first()
        self.claimed: set[int] = set()
        self.signed_off: list[int] = []  # the first two cases signed off
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT u.id, u.agency_id, g.name FROM cases_user u
                JOIN cases_user_groups ug ON ug.user_id = u.id JOIN auth_group g ON g.id = ug.group_id
                WHERE g.name IN (%s, %s) AND u.is_active ORDER BY u.id
                """,
                [Role.TEAM_MANAGER.value, Role.ANALYST.value],
            )
            self.managers: dict[int | None, list[int]] = defaultdict(list)
            self.analysts: list[int] = []
            for user_id, agency_id, role in cursor.fetchall():
                if role == Role.ANALYST:
                    self.analysts.append(user_id)
                else:
                    self.managers[agency_id].append(user_id)
        self.any_manager = [user for users in self.managers.values() for user in users]

    def take(self, name: str) -> int:
        return self.ids[name].take()

    def add(self, name: str, row: dict) -> dict:
        self.rows[name].append(row)
        return row

    def manager(self, agency_id: int | None) -> int:
        return self.rng.choice(self.managers.get(agency_id) or self.any_manager)

    # --- reading the county ---------------------------------------------------------------------------
    def cases(self) -> list[dict]:
        """Closed cases and cases waiting for their closure to be signed off, that had a lead
        professional and identified needs and have no closure recorded yet, with their needs, whether
        the family has children and whether the case's assessment was approved."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.id, c.reference, c.family_id, c.status, c.closed_at, c.opened_at,
                       c.lead_professional_id, c.lead_agency_id,
                       EXISTS (SELECT 1 FROM assessments_assessment a
                               WHERE a.case_id = c.id AND a.status = 'approved') AS approved
                FROM cases_case c
                WHERE c.status IN (%s, %s) AND c.lead_professional_id IS NOT NULL
                  AND EXISTS (SELECT 1 FROM cases_identifiedneed n WHERE n.case_id = c.id)
                  AND NOT EXISTS (SELECT 1 FROM outcomes_closure x WHERE x.case_id = c.id)
                ORDER BY c.id
                """,
                [CaseStatus.CLOSED.value, CaseStatus.CLOSURE_REQUESTED.value],
            )
            columns = [column.name for column in cursor.description]
            cases = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            cursor.execute(
                """
                SELECT n.case_id, n.id FROM cases_identifiedneed n
                JOIN cases_case c ON c.id = n.case_id
                WHERE c.status IN (%s, %s) ORDER BY n.id
                """,
                [CaseStatus.CLOSED.value, CaseStatus.CLOSURE_REQUESTED.value],
            )
            needs: dict[int, list[int]] = defaultdict(list)
            for case_id, need_id in cursor.fetchall():
                needs[case_id].append(need_id)
        for case in cases:
            case["needs"] = needs[case["id"]]
        return cases

    # --- one case -------------------------------------------------------------------------------------
    def closure(self, case: dict, *, status: str, requested: datetime.datetime, decided=None) -> dict:
        rng = self.rng
        row = {
            "id": self.take("closure"),
            "case_id": case["id"],
            "status": status,
            "requested_by_id": case["lead_professional_id"],
            "requested_at": requested,
            "destination_id": rng.choice(self.destinations),
            "came_through_panel": rng.random() < 0.25,
            "feedback_timely": _feedback(rng),
            "feedback_knew_lead": _feedback(rng),
            "feedback_told_once": _feedback(rng),
            "feedback_words": rng.choice(FEEDBACK),
            "manager_note": "",
        }
        if decided is not None:
            row["decided_by_id"] = self.manager(case["lead_agency_id"])
            row["decided_at"] = decided
        return self.add("closure", row)

    def outcomes(self, closure: dict, needs: list[int]) -> list[dict]:
        rows = []
        for need_id in needs:
            achieved = self.rng.choices(list(Achieved.values), weights=[70, 18, 12])[0]
            rows.append(
                self.add(
                    "need_outcome",
                    {
                        "id": self.take("need_outcome"),
                        "closure_id": closure["id"],
                        "need_id": need_id,
                        "achieved": achieved,
                        "evidence_note": self.rng.choice(EVIDENCE),
                    },
                )
            )
        return rows

    def case(self, case: dict) -> None:
        rng = self.rng
        if case["status"] == CaseStatus.CLOSURE_REQUESTED:
            requested = max(case["opened_at"], self.now - rng.randint(0, 10) * DAY)
            self.outcomes(self.closure(case, status=ClosureStatus.REQUESTED, requested=requested), case["needs"])
            return
        closed = case["closed_at"]
        requested = closed - rng.randint(1, 6) * DAY
        if rng.random() < 0.08:  # returned once, then asked again
            returned = self.closure(
                case, status=ClosureStatus.RETURNED, requested=requested - 7 * DAY, decided=requested - 5 * DAY
            )
            returned["manager_note"] = rng.choice(RETURN_NOTES)
            self.outcomes(returned, case["needs"])
        closure = self.closure(case, status=ClosureStatus.SIGNED_OFF, requested=requested, decided=closed)
        if len(self.signed_off) < 2:
            self.signed_off.append(case["id"])
        closure["significant_and_sustained"] = rng.random() < 0.7
        closure["manager_note"] = rng.choice(MANAGER_NOTES)
        outcomes = self.outcomes(closure, case["needs"])
        if any(row["achieved"] != Achieved.NO for row in outcomes):
            self.sustained_check(case, closure, outcomes)

    def sustained_check(self, case: dict, closure: dict, outcomes: list[dict]) -> None:
        """The six-month clock, answered (most of those due), overdue, or running."""
        rng = self.rng
        due = timescale_due(self.clock, closure["decided_at"])
        checked = None
        if due <= self.now and rng.random() < 0.85:
            checked = min(self.now, max(closure["decided_at"] + SUSTAINED_AFTER, due - rng.randint(0, 10) * DAY))
            closure["sustained_checked_at"] = checked
            closure["sustained_checked_by_id"] = self.manager(case["lead_agency_id"])
            for row in outcomes:
                if row["achieved"] != Achieved.NO:
                    row["sustained"] = rng.random() < 0.85
                    row["sustained_note"] = rng.choice(SUSTAINED)
        remind_at = max(closure["decided_at"], due - datetime.timedelta(hours=self.clock.reminder_before_hours))
        deadline = self.add(
            "sustained_check",
            {
                "id": self.take("sustained_check"),
                "timescale_id": self.clock.pk,
                "subject_type": "closure",
                "subject_id": closure["id"],
                "case_id": case["id"],
                "reference": case["reference"],
                "remind_role": Role.TEAM_MANAGER,
                "remind_agency_id": case["lead_agency_id"],
                "escalate_role": Role.TEAM_MANAGER,
                "escalate_agency_id": case["lead_agency_id"],
                "started_at": closure["decided_at"],
                "remind_at": remind_at,
                "due_at": due,
                "met_at": checked,
            },
        )
        if checked is None:
            for kind, at in (("reminder", remind_at), ("escalation", due)):
                if at > self.now:
                    self.add(
                        "sustained_check_alarm",
                        {
                            "id": self.take("sustained_check_alarm"),
                            "deadline_id": deadline["id"],
                            "kind": kind,
                            "goes_off_at": at,
                        },
                    )

    def claims(self) -> list[Case]:
        """Once the closures are in: each answered closure not yet claimed for is checked against the
        claim rule as the claims list checks it (`claim_checks`), and about half of those that meet
        it were claimed by an analyst a few weeks after the check; the others wait on the list.
        Returns the cases of the closures that meet the rule, oldest first."""
        rng = self.rng
        candidates = list(
            Closure.objects.filter(status=ClosureStatus.SIGNED_OFF, sustained_checked_at__isnull=False)
            .exclude(case__family__claims__isnull=False)
            .select_related("case")
            .order_by("id")
        )
        meeting = [check.closure for check in claim_checks(candidates) if check.meets]
        for closure in meeting:
            family_id = closure.case.family_id
            if not self.analysts or family_id in self.claimed or rng.random() >= 0.5:
                continue
            self.claimed.add(family_id)
            checked = closure.sustained_checked_at
            self.add(
                "claim",
                {
                    "id": self.take("claim"),
                    "family_id": family_id,
                    "framework_id": self.framework,
                    "closure_id": closure.pk,
                    "claimed_by_id": rng.choice(self.analysts),
                    "claimed_at": min(self.now, checked + rng.randint(7, 40) * DAY),
                    "note": f"Claim batch {checked:%Y-%m}",
                },
            )
        return [closure.case for closure in meeting]

    def history(self, case: Case, entries: int) -> None:
        """Chronology entries (three notes to an event, as the county's) up to `entries` in all, by
        the case's lead professional, between its opening and its closure."""
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*), min(author_agency_id) FROM cases_chronologyentry WHERE case_id = %s", [case.pk]
            )
            have, agency_id = cursor.fetchone()
        span = max(1, int((case.closed_at - case.opened_at).total_seconds()))
        for k in range(have, entries):
            self.add(
                "long_history",
                chronology_row(
                    self.rng,
                    entry_id=self.take("long_history"),
                    family_id=case.family_id,
                    case_id=case.pk,
                    k=k,
                    occurred=case.opened_at + datetime.timedelta(seconds=self.rng.randrange(span)),
                    author_id=case.lead_professional_id,
                    agency_id=agency_id,
                ),
            )

    def copy(self, names: list[str]) -> dict[str, int]:
        counts = {}
        for name in names:
            counts[name] = copy_rows(TABLES[name], self.rows.pop(name, []))
            self.log(f"  outcomes, {name}: {counts[name]:,}")
        return counts

    def run(self) -> dict[str, int]:
        with connection.cursor() as cursor:
            cursor.execute("SELECT family_id FROM outcomes_claim")
            self.claimed = {family_id for (family_id,) in cursor.fetchall()}
        for case in self.cases():
            self.case(case)
        counts = self.copy(["closure", "need_outcome", "sustained_check", "sustained_check_alarm"])
        meeting = self.claims()
        # The long histories: two closed cases that meet the rule, else the first two signed off; of
        # families with no other case where there is one (a report shows the family's chronology).
        fallback = Case.objects.filter(pk__in=self.signed_off).order_by("id")
        alone = set(
            Case.objects.values("family_id").annotate(n=Count("id")).filter(n=1).values_list("family_id", flat=True)
        )
        candidates = sorted([*meeting, *fallback], key=lambda case: case.family_id not in alone)
        for case, entries in zip(candidates[:2], (REPORT_CASE_ENTRIES, LARGEST_CASE_ENTRIES), strict=False):
            self.history(case, entries)
        counts |= self.copy(["claim", "long_history"])
        for allocator in self.ids.values():
            allocator.finish()
        return counts


def report_cases() -> tuple[int | None, int | None]:
    """The benchmark's case reports: the case of about 20 pages (`REPORT_CASE_ENTRIES` chronology
    entries) and the largest case (`LARGEST_CASE_ENTRIES`), by their ids; None where missing."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT case_id, count(*) FROM cases_chronologyentry
            WHERE case_id IN (SELECT case_id FROM outcomes_closure WHERE status = 'signed_off')
            GROUP BY case_id HAVING count(*) IN (%s, %s) ORDER BY count(*), case_id
            """,
            [REPORT_CASE_ENTRIES, LARGEST_CASE_ENTRIES],
        )
        found = {entries: case_id for case_id, entries in cursor.fetchall()}
    return found.get(REPORT_CASE_ENTRIES), found.get(LARGEST_CASE_ENTRIES)
