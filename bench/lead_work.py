"""The synthetic county's lead professional work (issue 12), in proportion to its cases: for every
case that has had a lead professional and has none of this work yet, an Early Help Assessment (most
approved, some in a second version, the youngest active cases' still in progress), identified needs,
a family plan with outcomes and SMART actions (owned by the lead professional, by members of the
team around the family, or by a parent) with progress notes and versions, Team Around the Family
meetings about every six weeks (the next one planned on an active case), reviews at 1, 3 and 6 months
and then every 3, and Family Star Plus readings at the plan and at each review; with the clocks an
active case runs (the assessment's, the next TAF's, the next review's). Rows go in with COPY, like
the rest of the county (`generate_dataset`), and a second run adds nothing to a case that has them.

The benchmark's pages read `benchmark_lead_case()`: the active case with the most plan actions."""

from __future__ import annotations

import datetime
import json
import random
from collections import defaultdict

from django import forms
from django.db import connection
from django.db.models import Count

from assessments.assessment_forms import SECTION_FORMS
from assessments.models import (
    ActionStatus,
    ActionUpdate,
    Assessment,
    AssessmentNeed,
    AssessmentSection,
    Attendance,
    OutcomeTool,
    Plan,
    PlanAction,
    PlanOutcome,
    PlanVersion,
    Reading,
    Review,
    ReviewDecision,
    ReviewProgress,
    Score,
    SectionKind,
    TafAttendee,
    TafMeeting,
    TafMeetingStatus,
)
from bench.copy import IdAllocator, copy_rows
from cases.models import Case, CaseStatus, Deadline, DeadlineAlarm, IdentifiedNeed, OutcomeArea, Timescale
from cases.roles import Role

DAY = datetime.timedelta(days=1)
WORDS = [
    "Mum says mornings are calmer since the visual timetable went up on the fridge.",
    "School attendance has risen to 92% this half term; the breakfast club place helps.",
    "The family would like help with the rent arrears and the letter from the landlord.",
    "Sam said he likes football club and wants to keep going on Saturdays.",
    "Dad is attending the parenting course at the family hub on Tuesdays.",
    "The health visitor will check the baby's weight again in two weeks.",
]
OUTCOMES = [
    "We want the children to get to school on time every day.",
    "We want to feel on top of the bills and not worry about losing the flat.",
    "We want fewer arguments at bedtime.",
    "I want to feel less anxious and to get out of the house more.",
]
ACTIONS = [
    ("Set up a morning routine chart with the children", "School attendance each week"),
    ("Go with mum to the housing advice drop-in", "Arrears plan agreed with the landlord"),
    ("Refer dad to the parenting course", "Sessions attended"),
    ("Book the GP appointment about sleep", "Appointment attended"),
    ("Offer a breakfast club place", "Days attended a week"),
    ("Check in with Sam weekly at lunchtime", "Sam's own score out of 10"),
]


# The tables written, each row's id handed out up front, in the order they are loaded (a row's
# foreign keys point at tables above it).
TABLES = {
    "assessment": Assessment,
    "section": AssessmentSection,
    "need": IdentifiedNeed,
    "need_link": AssessmentNeed,
    "plan": Plan,
    "outcome": PlanOutcome,
    "outcome_need": PlanOutcome.needs.through,
    "action": PlanAction,
    "update": ActionUpdate,
    "version": PlanVersion,
    "meeting": TafMeeting,
    "attendee": TafAttendee,
    "reading": Reading,
    "score": Score,
    "review": Review,
    "progress": ReviewProgress,
    "deadline": Deadline,
    "alarm": DeadlineAlarm,
}


def _json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


def _answers(kind: str, rng: random.Random) -> dict:
    """Answers of the kind's form as a person would give them: text in every text field, the first
    real choice of each choice, a worry rating of 0 to 10."""
    answers = {}
    for name, field in SECTION_FORMS[kind]().fields.items():
        if name == "completed":
            continue
        if isinstance(field, forms.TypedChoiceField):
            answers[name] = rng.randint(0, 10) if name.endswith("_worry") else None
        elif isinstance(field, forms.ModelChoiceField):
            first = field.queryset.first()
            answers[name] = first.pk if first else None
        elif isinstance(field, forms.ChoiceField):
            choices = [value for value, _label in field.choices if value not in ("", None)]
            answers[name] = choices[0] if choices else ""
        else:
            answers[name] = rng.choice(WORDS)
    return answers


class LeadWork:
    def __init__(self, *, rng: random.Random, now: datetime.datetime, log):
        self.rng, self.now, self.log = rng, now, log
        self.today = now.date()
        self.ids = {name: IdAllocator(model) for name, model in TABLES.items()}
        self.rows: dict[str, list[dict]] = defaultdict(list)
        self.answers = {kind: [_answers(kind, rng) for _ in range(3)] for kind in SECTION_FORMS}
        self.areas = list(OutcomeArea.objects.filter(framework__active=True).values_list("pk", flat=True))
        star = OutcomeTool.objects.get(code="family-star-plus")
        self.star, self.star_areas = star, list(star.areas.values_list("pk", flat=True))
        self.clocks = {timescale.code: timescale for timescale in Timescale.objects.all()}

    def take(self, name: str) -> int:
        return self.ids[name].take()

    def add(self, name: str, row: dict) -> dict:
        self.rows[name].append(row)
        return row

    # --- reading the county ---------------------------------------------------------------------------
    def cases(self) -> list[dict]:
        """Cases that have had a lead professional and have no assessment yet, with the family's people
        and the team around the family."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.id, c.reference, c.family_id, c.status, c.opened_at, c.closed_at,
                       c.lead_professional_id, c.lead_agency_id
                FROM cases_case c
                WHERE c.lead_professional_id IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM assessments_assessment a WHERE a.case_id = c.id)
                ORDER BY c.id
                """
            )
            columns = [column.name for column in cursor.description]
            cases = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
            cursor.execute(
                """
                SELECT m.family_id, p.id, p.kind, m.parental_responsibility
                FROM cases_familymembership m JOIN cases_person p ON p.id = m.person_id
                WHERE m.in_household ORDER BY p.id
                """
            )
            people: dict[int, list[tuple[int, str, bool]]] = defaultdict(list)
            for family_id, person_id, kind, responsibility in cursor.fetchall():
                people[family_id].append((person_id, kind, responsibility))
            cursor.execute("SELECT case_id, user_id FROM cases_casemember WHERE NOT is_lead ORDER BY id")
            members: dict[int, list[int]] = defaultdict(list)
            for case_id, user_id in cursor.fetchall():
                members[case_id].append(user_id)
        for case in cases:
            case["people"] = people.get(case["family_id"], [])
            case["members"] = members.get(case["id"], [])
        return cases

    # --- one case -------------------------------------------------------------------------------------
    def case(self, case: dict) -> None:
        rng = self.rng
        end = case["closed_at"] or self.now
        assigned = min(end, case["opened_at"] + rng.randint(3, 12) * DAY)
        started = min(end, assigned + rng.randint(1, 5) * DAY)
        active = case["status"] == CaseStatus.ACTIVE
        young = active and (self.now - started).days < 30
        lead = case["lead_professional_id"]
        adults = [p for p, kind, _pr in case["people"] if kind == "adult"]
        children = [p for p, kind, _pr in case["people"] if kind == "child"]
        carers = [p for p, kind, pr in case["people"] if kind == "adult" and pr] or adults[:1]

        submitted = None if young else min(end, started + rng.randint(10, 35) * DAY)
        versions = 2 if submitted and rng.random() < 0.1 else 1
        for version in range(1, versions + 1):
            last = version == versions
            in_progress = young or (last and versions == 2 and active and rng.random() < 0.5)
            assessment = self.add(
                "assessment",
                {
                    "id": self.take("assessment"),
                    "case_id": case["id"],
                    "version": version,
                    "status": "in_progress" if in_progress else "approved",
                    "started_at": started if version == 1 else submitted,
                    "started_by_id": lead,
                    "submitted_at": None if in_progress else submitted,
                    "submitted_by_id": None if in_progress else lead,
                    "decided_at": None if in_progress else submitted + DAY,
                    "decided_by_id": None,
                    "outcome": "" if in_progress else "taf",
                },
            )
            self.sections(assessment, carers, children, done=not in_progress)
        needs = self.needs(case, assessment_ids=[a["id"] for a in self.rows["assessment"][-versions:]], at=started)
        self.clock("assessment", case, started=assigned, met=submitted)
        if submitted is None:
            return
        self.plan_and_the_rest(case, needs, submitted, end, adults)

    def sections(self, assessment: dict, carers: list[int], children: list[int], *, done: bool) -> None:
        rng = self.rng
        kinds = [
            *((SectionKind.FAMILY, None), (SectionKind.REASON, None)),
            *((SectionKind.CHILD_VOICE, child) for child in children),
            *((SectionKind.CARER_VOICE, carer) for carer in carers),
            (SectionKind.STRENGTHS, None),
            *((SectionKind.CHILD_DOMAINS, child) for child in children),
            *((SectionKind.HISTORY, None), (SectionKind.ANALYSIS, None)),
            *((SectionKind.NEEDS, None), (SectionKind.DECISION, None)),
        ]
        for index, (kind, person) in enumerate(kinds):
            status = "completed" if done or index < len(kinds) // 2 else rng.choice(["in_progress", "not_started"])
            self.add(
                "section",
                {
                    "id": self.take("section"),
                    "assessment_id": assessment["id"],
                    "kind": kind,
                    "person_id": person,
                    "status": status,
                    "answers": _json({} if status == "not_started" else rng.choice(self.answers[kind])),
                    "updated_at": None if status == "not_started" else assessment["started_at"],
                    "updated_by_id": None if status == "not_started" else assessment["started_by_id"],
                },
            )

    def needs(self, case: dict, *, assessment_ids: list[int], at: datetime.datetime) -> list[int]:
        needs = []
        for _ in range(self.rng.randint(2, 4)):
            need = self.add(
                "need",
                {
                    "id": self.take("need"),
                    "case_id": case["id"],
                    "area_id": self.rng.choice(self.areas),
                    "description": self.rng.choice(WORDS),
                    "recorded_by_id": case["lead_professional_id"],
                    "recorded_at": at,
                },
            )
            needs.append(need["id"])
            for assessment_id in assessment_ids:
                self.add(
                    "need_link", {"id": self.take("need_link"), "assessment_id": assessment_id, "need_id": need["id"]}
                )
        return needs

    def plan_and_the_rest(
        self, case: dict, needs: list[int], submitted: datetime.datetime, end: datetime.datetime, adults: list[int]
    ) -> None:
        rng, lead = self.rng, case["lead_professional_id"]
        created = min(end, submitted + rng.randint(1, 5) * DAY)
        agreed = min(end, created + rng.randint(0, 6) * DAY)
        plan = self.add(
            "plan",
            {
                "id": self.take("plan"),
                "case_id": case["id"],
                "contingency_plan": "If attendance drops again, the school will call a TAF within a week.",
                "exit_plan": "When the family feels confident with routines and the arrears plan holds.",
                "agreed_on": agreed.date(),
                "created_at": created,
                "created_by_id": lead,
                "updated_at": agreed,
                "updated_by_id": lead,
            },
        )
        outcomes = []
        for position in range(rng.randint(2, 3)):
            outcome = self.add(
                "outcome",
                {
                    "id": self.take("outcome"),
                    "plan_id": plan["id"],
                    "text": OUTCOMES[(case["id"] + position) % len(OUTCOMES)],
                    "position": position,
                    "created_at": created,
                    "created_by_id": lead,
                },
            )
            outcomes.append(outcome["id"])
            self.add(
                "outcome_need",
                {
                    "id": self.take("outcome_need"),
                    "planoutcome_id": outcome["id"],
                    "identifiedneed_id": needs[position % len(needs)],
                },
            )
        closed = case["status"] == CaseStatus.CLOSED
        actions = []
        for index in range(rng.randint(3, 6)):
            draw = rng.random()
            what, measure = ACTIONS[(case["id"] + index) % len(ACTIONS)]
            due = (agreed + rng.randint(14, 120) * DAY).date()
            if closed or (due < self.today - 30 * DAY and rng.random() < 0.7):
                status = ActionStatus.DONE
            else:
                status = rng.choice(
                    [ActionStatus.NOT_STARTED, ActionStatus.ON_TRACK, ActionStatus.ON_TRACK, ActionStatus.BEHIND]
                )
            # A member of the team around the family, a parent, or the lead professional.
            owner_user, owner_person = lead, None
            if draw < 0.55 and case["members"]:
                owner_user = rng.choice(case["members"])
            elif draw > 0.85 and adults:
                owner_user, owner_person = None, adults[0]
            action = self.add(
                "action",
                {
                    "id": self.take("action"),
                    "plan_id": plan["id"],
                    "case_id": case["id"],
                    "outcome_id": outcomes[index % len(outcomes)],
                    "what": what,
                    "owner_user_id": owner_user,
                    "owner_person_id": owner_person,
                    "due_on": due,
                    "measure": measure,
                    "status": status,
                    "created_at": created,
                    "created_by_id": lead,
                    "updated_at": agreed,
                },
            )
            actions.append(action)
            for update in range(rng.randint(0, 3)):
                self.add(
                    "update",
                    {
                        "id": self.take("update"),
                        "action_id": action["id"],
                        "note": rng.choice(WORDS),
                        "status": status,
                        "recorded_by_id": action["owner_user_id"] or lead,
                        "recorded_at": min(end, agreed + (update + 1) * 10 * DAY),
                    },
                )
        self.version(plan, 1, "Agreed with the family", agreed, lead)
        self.reading(case, agreed.date())
        self.meetings(case, agreed, end)
        self.reviews(case, plan, actions, agreed, end)

    def version(self, plan: dict, number: int, reason: str, at: datetime.datetime, by: int) -> dict:
        return self.add(
            "version",
            {
                "id": self.take("version"),
                "plan_id": plan["id"],
                "number": number,
                "reason": reason,
                "content": _json({"outcomes": [], "actions": [], "contingency_plan": plan["contingency_plan"]}),
                "made_at": at,
                "made_by_id": by,
            },
        )

    def reading(self, case: dict, taken_on: datetime.date) -> int:
        reading = self.add(
            "reading",
            {
                "id": self.take("reading"),
                "case_id": case["id"],
                "tool_id": self.star.pk,
                "taken_on": taken_on,
                "recorded_by_id": case["lead_professional_id"],
                "recorded_at": datetime.datetime.combine(taken_on, datetime.time(12), tzinfo=datetime.UTC),
            },
        )
        for area in self.star_areas:
            self.add(
                "score",
                {
                    "id": self.take("score"),
                    "reading_id": reading["id"],
                    "area_id": area,
                    "value": self.rng.randint(3, 9),
                },
            )
        return reading["id"]

    def meetings(self, case: dict, agreed: datetime.datetime, end: datetime.datetime) -> None:
        rng, lead = self.rng, case["lead_professional_id"]
        at = agreed.replace(hour=10, minute=0, second=0, microsecond=0)
        active = case["status"] == CaseStatus.ACTIVE
        while True:
            at += rng.randint(35, 50) * DAY
            held = at < end - DAY
            if not held and not active:
                break
            meeting = self.add(
                "meeting",
                {
                    "id": self.take("meeting"),
                    "case_id": case["id"],
                    "starts_at": at,
                    "place": "Family hub, meeting room 2",
                    "status": TafMeetingStatus.HELD if held else TafMeetingStatus.PLANNED,
                    "minutes": rng.choice(WORDS) if held else "",
                    "decisions": "Carry on with the plan; the school to update at the next meeting." if held else "",
                    "planned_by_id": lead,
                    "planned_at": at - 40 * DAY,
                    "recorded_by_id": lead if held else None,
                    "recorded_at": at + DAY if held else None,
                },
            )
            for user in [lead, *case["members"]]:
                self.add(
                    "attendee",
                    {
                        "id": self.take("attendee"),
                        "meeting_id": meeting["id"],
                        "user_id": user,
                        "attendance": (rng.choice([Attendance.ATTENDED] * 4 + [Attendance.APOLOGIES]))
                        if held
                        else Attendance.INVITED,
                    },
                )
            if not held:
                self.clock("next-taf", case, started=at - 40 * DAY, due=at)
                break

    def reviews(self, case: dict, plan: dict, actions: list[dict], agreed: datetime.datetime, end) -> None:
        rng, lead = self.rng, case["lead_professional_id"]
        months = [1, 3, 6, *range(9, 60, 3)]
        for number, month in enumerate(months, start=1):
            due = agreed + month * 30 * DAY
            code = f"review-{number}" if number <= 3 else "review-next"
            if due + 7 * DAY > end:
                if case["status"] == CaseStatus.ACTIVE:
                    self.clock(code, case, started=agreed if number <= 3 else due - 90 * DAY, due=due)
                break
            held = due + rng.randint(-5, 7) * DAY
            version = self.version(plan, number + 1, f"Review {number}", held, lead)
            review = self.add(
                "review",
                {
                    "id": self.take("review"),
                    "case_id": case["id"],
                    "number": number,
                    "due_on": due.date(),
                    "held_on": held.date(),
                    "summary": rng.choice(WORDS),
                    "family_view": "Things are better at home; we want to keep going with the plan.",
                    "decision": ReviewDecision.CONTINUE,
                    "reading_id": self.reading(case, held.date()),
                    "plan_version_id": version["id"],
                    "recorded_by_id": lead,
                    "recorded_at": held,
                },
            )
            for action in actions:
                self.add(
                    "progress",
                    {
                        "id": self.take("progress"),
                        "review_id": review["id"],
                        "action_id": action["id"],
                        "status": action["status"],
                        "note": rng.choice(WORDS),
                    },
                )
            self.clock(code, case, started=agreed if number <= 3 else held - 90 * DAY, due=due, met=held)

    def clock(
        self,
        code: str,
        case: dict,
        *,
        started: datetime.datetime,
        due: datetime.datetime | None = None,
        met: datetime.datetime | None = None,
    ) -> None:
        timescale = self.clocks[code]
        due = due or started + datetime.timedelta(days=30)
        cancelled = case["closed_at"] if met is None and case["status"] == CaseStatus.CLOSED else None
        deadline = self.add(
            "deadline",
            {
                "id": self.take("deadline"),
                "timescale_id": timescale.pk,
                "subject_type": "case",
                "subject_id": case["id"],
                "case_id": case["id"],
                "reference": case["reference"],
                "remind_user_id": case["lead_professional_id"],
                "escalate_role": Role.TEAM_MANAGER,
                "escalate_agency_id": case["lead_agency_id"],
                "started_at": min(started, due),
                "remind_at": max(min(started, due), due - datetime.timedelta(hours=timescale.reminder_before_hours)),
                "due_at": due,
                "met_at": met,
                "cancelled_at": cancelled,
            },
        )
        if met is None and cancelled is None:
            for kind, at in (("reminder", deadline["remind_at"]), ("escalation", due)):
                if at > self.now:
                    self.add(
                        "alarm",
                        {"id": self.take("alarm"), "deadline_id": deadline["id"], "kind": kind, "goes_off_at": at},
                    )

    # --- all of it ------------------------------------------------------------------------------------
    def run(self) -> dict[str, int]:
        for case in self.cases():
            self.case(case)
        counts = {}
        for name, model in TABLES.items():
            counts[name] = copy_rows(model, self.rows.get(name, []))
            self.log(f"  lead work, {name}: {counts[name]:,}")
        for allocator in self.ids.values():
            allocator.finish()
        return counts


def benchmark_lead_case() -> Case | None:
    """The benchmark's case for the lead professional's pages: the active case with the most open
    plan actions (then the lowest id), with an assessment."""
    return (
        Case.objects.filter(status=CaseStatus.ACTIVE, assessments__isnull=False, plan__isnull=False)
        .annotate(actions=Count("plan_actions"))
        .order_by("-actions", "id")
        .select_related("lead_professional")
        .first()
    )
