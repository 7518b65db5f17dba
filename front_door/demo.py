"""The front door's demo data (a step of `cases.demo`), made only through the front door's services:
referrals from every channel, the duty managers' queue at every clock state, MASH enquiries that
partners have answered or not yet, and the decisions of the last year, with their letters to the
referrers, whose early help decisions open the cases that the shared record's lifecycle step then
takes on.

The services stamp the present: each story is told at today's time, one stage after another
(received, triaged, decided, answered), and then placed when it happened (`Timeline`), its clocks
with it.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db.models import DateTimeField, DurationField, Expression, F, Func, OuterRef, Subquery, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from cases.deadlines import deadline_meet
from cases.demo import FRONT_DOOR, LOCALITIES, DemoContext, demo_step
from cases.models import (
    Case,
    ChronologyEntry,
    Consent,
    Deadline,
    DeadlineAlarm,
    Destination,
    Family,
    Gender,
    LevelOfNeed,
    Notification,
    Person,
)
from cases.synthetic import (
    FIRST_NAMES_ADULT,
    FIRST_NAMES_CHILD,
    LAST_NAMES,
    POSTCODES,
    STREETS,
    synthetic_nhs_number,
    synthetic_upn,
)

from . import services
from .letters import letter_create_and_send
from .models import (
    Channel,
    Decision,
    DecisionOutcome,
    InformationRequest,
    LetterStatus,
    Referral,
    ReferrerLetter,
    ReferrerRelationship,
)
from .services import PersonData

T = TypeVar("T")
# How long after its decision the worker makes a letter.
LETTER_AFTER = datetime.timedelta(minutes=2)
TOWNS = {"north": "Northbridge", "central": "Exton", "south": "Southmere"}
CASE_FAMILIES = 40

# --- Placing the stories in time ------------------------------------------------------------------


class StageAgo(Func):
    """How far back the timeline places a time: the `ago` of the last stage that started at or before
    it, nothing before the first. PostgreSQL's width_bucket finds that stage among the stages' starts
    (in order), so a whole timeline is one expression a column, however many stages it has."""

    output_field = DurationField()

    def __init__(self, time: F, starts: list[datetime.datetime], agos: list[datetime.timedelta]) -> None:
        super().__init__(
            time,
            Value(starts, output_field=ArrayField(DateTimeField())),
            Value([datetime.timedelta(0), *agos], output_field=ArrayField(DurationField())),
        )

    def as_sql(self, compiler, connection, **extra_context):
        (time, time_params), (starts, starts_params), (agos, agos_params) = (
            compiler.compile(expression) for expression in self.get_source_expressions()
        )
        sql = f"(({agos})::interval[])[width_bucket({time}, ({starts})::timestamptz[]) + 1]"
        return sql, (*agos_params, *time_params, *starts_params)


class Timeline:
    """The stages of the demo's stories, each run at today's time and then placed `ago` in the past.

    The services stamp the present, so a stage's rows carry times from the moment it started until
    the next stage started. `place` moves every time stamped during a stage back by that stage's
    `ago`, all stages in one statement a column: times that happened (received, decided, answered,
    opened, recorded) by the stage they fall in, a due time by the stage of the start it was counted
    from (a referral's decision due by its receipt, a clock's reminder and deadline by its start,
    an enquiry's answer due by its asking), so every clock keeps its length."""

    def __init__(self) -> None:
        self.stages: list[tuple[datetime.datetime, datetime.timedelta]] = []

    def at(self, ago: datetime.timedelta, stage: Callable[[], T]) -> T:
        self.stages.append((timezone.now(), ago))
        return stage()

    def moved(self, column: str, start: str | None = None) -> Expression:
        """`column` moved back by the `ago` of the stage in which it (or `start`) was stamped."""
        return F(column) - StageAgo(
            F(start or column), [since for since, _ago in self.stages], [ago for _since, ago in self.stages]
        )

    def place(self) -> None:
        """Move everything stamped since the first stage back into its story (once, at the end)."""
        if not self.stages:
            return
        first = self.stages[0][0]
        moved = self.moved
        Referral.objects.filter(created_at__gte=first).update(
            created_at=moved("created_at"),
            received_at=moved("received_at"),
            decision_due_at=moved("decision_due_at", start="received_at"),
            claimed_at=moved("claimed_at"),
            confirmed_in_writing_at=moved("confirmed_in_writing_at"),
        )
        Decision.objects.filter(decided_at__gte=first).update(decided_at=moved("decided_at"))
        InformationRequest.objects.filter(requested_at__gte=first).update(
            requested_at=moved("requested_at"),
            due_at=moved("due_at", start="requested_at"),
            answered_at=moved("answered_at"),
        )
        clocks = list(Deadline.objects.filter(started_at__gte=first).values_list("pk", flat=True))
        Deadline.objects.filter(pk__in=clocks).update(
            started_at=moved("started_at"),
            remind_at=moved("remind_at", start="started_at"),
            due_at=moved("due_at", start="started_at"),
            met_at=moved("met_at"),
            cancelled_at=moved("cancelled_at"),
        )
        # A waiting alarm goes off at its clock's reminder or deadline.
        for kind, column in ((DeadlineAlarm.Kind.REMINDER, "remind_at"), (DeadlineAlarm.Kind.ESCALATION, "due_at")):
            DeadlineAlarm.objects.filter(deadline_id__in=clocks, kind=kind, went_off_at__isnull=True).update(
                goes_off_at=Subquery(Deadline.objects.filter(pk=OuterRef("deadline_id")).values(column)[:1])
            )
        ChronologyEntry.objects.filter(recorded_at__gte=first).update(
            occurred_at=moved("occurred_at"), recorded_at=moved("recorded_at")
        )
        Family.objects.filter(created_at__gte=first).update(created_at=moved("created_at"))
        Person.objects.filter(created_at__gte=first).update(created_at=moved("created_at"))
        Case.objects.filter(opened_at__gte=first).update(opened_at=moved("opened_at"))
        Consent.objects.filter(recorded_at__gte=first).update(
            recorded_at=moved("recorded_at"), decided_on=TruncDate(moved("recorded_at"))
        )


# --- Synthetic households ---------------------------------------------------------------------------


@dataclass
class Household:
    last_name: str
    address_line_1: str
    town: str
    postcode: str
    parent: PersonData
    children: list[PersonData]

    @property
    def people(self) -> list[PersonData]:
        return [*self.children, self.parent]

    def address(self) -> dict[str, str]:
        return {"address_line_1": self.address_line_1, "town": self.town, "postcode": self.postcode}


def _household(rng: random.Random, number: int) -> Household:
    last = LAST_NAMES[number % len(LAST_NAMES)]
    code, _name, districts = LOCALITIES[number % len(LOCALITIES)]
    postcode = rng.choice([p for p in POSTCODES if p.split()[0] in districts.split()])
    today = timezone.localdate()
    mother = rng.random() < 0.75
    parent = PersonData(
        kind=Person.Kind.ADULT,
        first_name=rng.choice(FIRST_NAMES_ADULT),
        last_name=last,
        date_of_birth=today - datetime.timedelta(days=rng.randint(22 * 365, 45 * 365)),
        gender=Gender.FEMALE if mother else Gender.MALE,
        nhs_number=synthetic_nhs_number(rng),
        relationship="Mother" if mother else "Father",
        parental_responsibility=True,
    )
    children = [
        PersonData(
            kind=Person.Kind.CHILD,
            first_name=rng.choice(FIRST_NAMES_CHILD),
            last_name=last,
            date_of_birth=today - datetime.timedelta(days=rng.randint(365, 16 * 365)),
            gender=rng.choice([Gender.FEMALE, Gender.MALE]),
            nhs_number=synthetic_nhs_number(rng),
            upn=synthetic_upn(rng),
            school="Riverside Primary School" if rng.random() < 0.6 else "",
        )
        for _ in range(rng.randint(1, 3))
    ]
    return Household(
        last_name=last,
        address_line_1=f"{rng.randint(1, 120)} {rng.choice(STREETS)}",
        town=TOWNS[code],
        postcode=postcode,
        parent=parent,
        children=children,
    )


def _child(first: str, last: str, years: int, gender: str, **extra) -> PersonData:
    born = timezone.localdate() - datetime.timedelta(days=years * 365 + 40)
    return PersonData(
        kind=Person.Kind.CHILD, first_name=first, last_name=last, date_of_birth=born, gender=gender, **extra
    )


def _adult(first: str, last: str, relationship: str, gender: str = Gender.FEMALE) -> PersonData:
    return PersonData(
        kind=Person.Kind.ADULT,
        first_name=first,
        last_name=last,
        gender=gender,
        relationship=relationship,
        parental_responsibility=relationship in ("Mother", "Father"),
    )


def _minutes(n: int) -> datetime.timedelta:
    return datetime.timedelta(minutes=n)


def _hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


# --- The decisions of the last year -----------------------------------------------------------------

CONCERNS = [
    "{child} has missed 18 days of school this term and is often late. Mum says mornings have been chaotic "
    "since dad moved out.",
    "The family are in a damp, overcrowded flat and {child} has had three chest infections this winter. "
    "Mum is low and says she cannot cope with the housing situation.",
    "Police attended a verbal argument between the parents last month; no injuries. {child} has been "
    "withdrawn and tearful at school since.",
    "{child} told staff she worries about her mum's drinking and often gets herself ready for school.",
    "Rent arrears after losing work; an eviction notice has been served. {child}'s attendance is dropping.",
    "{child}'s behaviour at home is hard to manage: tantrums, breaking things. The parents are asking for "
    "parenting support.",
    "{child} is a young carer for his mum, who has MS, and is falling behind at school.",
    "{child} has hardly left the house for six weeks because of anxiety and is on the CAMHS waiting list.",
]
EXPECTED = "Support for the family from a family support worker."
# The destinations that open a case, in turn, and why.
CASE_DESTINATIONS = [
    ("targeted-family-support", "Several needs across the family; they agree to work with a family support worker."),
    ("early-help-panel", "Complex needs across several agencies: the panel to agree the lead agency."),
    ("targeted-family-support", "The family want help with routines and school attendance."),
    ("targeted-youth-support", "A young person at risk of exclusion who wants a youth worker."),
    ("childrens-centre", "Early years needs that the children's centre's groups and outreach can meet."),
    ("other-early-help", "Needs that the council's parenting programme is set up for."),
]
# Decisions that open no case: (outcome, destination, level, reason).
NO_CASE = [
    (DecisionOutcome.STEP_UP, None, "level-4", "A child has an unexplained injury: referred to social care today."),
    (DecisionOutcome.STEP_UP, None, "level-4", "Domestic abuse with a baby in the home: social care today."),
    (DecisionOutcome.EARLY_HELP, "universal-advice", "level-1", "Advice on sleep and routines is enough."),
    (DecisionOutcome.NO_FURTHER_ACTION, None, "level-1", "The school's own support is working."),
]
# Case families referred again while their case is open.
REFERRED_AGAIN = (5, 17)
# Case families whose referral went to partners (MASH) before the decision.
ASKED_PARTNERS = (7, 27)


def _days_ago(number: int) -> datetime.timedelta:
    """When case family `number` was referred: the first a year ago, more of them recently."""
    share = (CASE_FAMILIES - 1 - number) / (CASE_FAMILIES - 1)
    return datetime.timedelta(days=2 + round(358 * share**2), hours=number % 7)


class FrontDoorDemo:
    def __init__(self, context: DemoContext) -> None:
        self.context = context
        self.users, self.agencies = context.users, context.agencies
        self.levels = {level.code: level for level in LevelOfNeed.objects.all()}
        self.destinations = {destination.code: destination for destination in Destination.objects.all()}
        self.timeline = Timeline()

    def run(self) -> None:
        families = [self.case_family(number) for number in range(CASE_FAMILIES)]
        for number in REFERRED_AGAIN:
            self.referred_again(number, *families[number])
        for index, decision in enumerate(NO_CASE):
            self.no_case(index, *decision)
        self.queue(families)
        self.awaiting_partners()
        self.timeline.place()
        self.letters()

    def letters(self) -> None:
        """Each decision's letter to the referrer. A Celery task makes it after the decision; here
        its work is done at once, once the stories are placed (so each letter gives its referral's
        own dates), and each letter is then placed a few minutes after its decision. An emailed
        letter went then and met its 72-hour clock; a letter to post made over a week ago was told
        by phone by the contact officer an hour after it was made; newer ones wait on the front
        door's list of letters to post or phone."""
        decisions = list(Decision.objects.order_by("decided_at", "pk").values_list("pk", "referral_id"))
        for decision_id, referral_id in decisions:
            letter = letter_create_and_send(decision_id=decision_id)
            if letter is not None and letter.status == LetterStatus.QUEUED:
                # As if the outbox had sent it and the front door's follow-up recorded it.
                Notification.objects.filter(pk=letter.notification_id).update(
                    status=Notification.Status.SENT, sent_at=timezone.now()
                )
                ReferrerLetter.objects.filter(pk=letter.pk).update(status=LetterStatus.EMAILED)
                deadline_meet(timescale_code=services.LETTER_CLOCK, subject_type="referral", subject_id=referral_id)
        decided = Decision.objects.filter(pk=OuterRef("decision_id")).values("decided_at")[:1]
        ReferrerLetter.objects.filter(decision_id__in=[pk for pk, _ in decisions]).update(
            created_at=Subquery(decided) + LETTER_AFTER
        )
        ReferrerLetter.objects.filter(status=LetterStatus.EMAILED).update(sent_at=F("created_at"))
        first_letter = (
            ReferrerLetter.objects.filter(referral_id=OuterRef("subject_id"), status=LetterStatus.EMAILED)
            .order_by("created_at")
            .values("created_at")[:1]
        )
        Deadline.objects.filter(
            timescale__code=services.LETTER_CLOCK,
            subject_type="referral",
            subject_id__in={referral_id for _, referral_id in decisions},
            met_at__isnull=False,
        ).update(met_at=Subquery(first_letter))
        phoned = ReferrerLetter.objects.filter(
            status=LetterStatus.TO_POST, created_at__lt=timezone.now() - datetime.timedelta(days=7)
        )
        for letter in phoned.defer("pdf"):
            told_at = letter.created_at + datetime.timedelta(hours=1)
            ReferrerLetter.objects.filter(pk=letter.pk).update(
                status=LetterStatus.PHONED, sent_by=self.users["contact.officer"], sent_at=told_at
            )
            deadline_meet(
                timescale_code=services.LETTER_CLOCK,
                subject_type="referral",
                subject_id=letter.referral_id,
                met_at=told_at,
            )

    # The stages of a story.

    def receive(self, ago: datetime.timedelta, *, people: list[PersonData], **fields) -> Referral:
        """A referral received `ago` before now; a phone contact more than a day old has been
        confirmed in writing."""

        def receive() -> Referral:
            referral = services.referral_receive(people=people, **fields)
            if referral.channel == Channel.PHONE and ago > datetime.timedelta(days=1):
                services.referral_confirm_in_writing(actor=fields["actor"], referral=referral)
            return referral

        return self.timeline.at(ago, receive)

    def decide(self, referral: Referral, ago: datetime.timedelta, *, actor: str = "duty.manager", **decision):
        """The duty manager's decision `ago` before now (its letter is made in `letters`)."""
        return self.timeline.at(
            ago,
            lambda: services.referral_decide(
                actor=self.users[actor], referral=referral, confirm_new_people=True, **decision
            ),
        )

    def answer(self, request: InformationRequest, ago: datetime.timedelta, *, actor: str, answer: str) -> None:
        self.timeline.at(
            ago,
            lambda: services.information_request_answer(actor=self.users[actor], request=request, answer=answer),
        )

    # The stories.

    def source(self, number: int, household: Household) -> dict:
        """Who makes referral `number`: the channels in turn, each as the real one records it."""
        kind = number % 6
        if kind == 0:
            return {"channel": Channel.PRACTITIONER, "actor": self.users["school.practitioner"]}
        if kind == 1:
            return {
                "channel": Channel.PHONE,
                "actor": self.users["contact.officer"],
                "referrer_agency": self.agencies["Exampleshire Police"],
                "referrer_name": "PC Daniel Brown",
                "referrer_role": "Police officer",
                "referrer_email": "daniel.brown@police.example.org",
            }
        if kind == 2:
            return {"channel": Channel.API, "actor": self.users["health.visitor"]}
        if kind == 3:
            return {
                "channel": Channel.PUBLIC,
                "actor": None,
                "referrer_relationship": ReferrerRelationship.PARENT,
                "referrer_name": f"{household.parent.first_name} {household.parent.last_name}",
                "referrer_email": f"parent{number}@example.com",
            }
        if kind == 4:
            return {"channel": Channel.PRACTITIONER, "actor": self.users["bridges.keyworker"]}
        # A nursery with no email address on file: its letter goes by post.
        return {
            "channel": Channel.PHONE,
            "actor": self.users["contact.officer"],
            "referrer_agency": self.agencies["Little Acorns Nursery"],
            "referrer_name": "Niamh Murphy",
            "referrer_role": "Nursery manager",
            "referrer_phone": "01632 960123",
        }

    def case_family(self, number: int) -> tuple[Household, Referral]:
        """A new family referred, and decided to early help that opens a case."""
        household = _household(self.context.rng, number)
        code, reason = CASE_DESTINATIONS[number % len(CASE_DESTINATIONS)]
        level = self.levels["level-2" if code in ("childrens-centre", "other-early-help") else "level-3"]
        received = _days_ago(number)
        referral = self.receive(
            received,
            people=household.people,
            **self.source(number, household),
            **household.address(),
            concerns=CONCERNS[number % len(CONCERNS)].format(child=household.children[0].first_name),
            expected_outcome=EXPECTED,
            level_of_need=level,
            consent_given=True,
        )
        decider = "duty.lead" if number % 4 == 3 else "duty.manager"
        decided = received - _hours((2, 5, 9, 20, 27)[number % 5])
        if number in ASKED_PARTNERS:
            asked = received - _hours(3)
            self.decide(
                referral,
                asked,
                actor=decider,
                outcome=DecisionOutcome.MORE_INFORMATION,
                level_of_need=level,
                reason="We need to know what health visiting knows before deciding.",
                information_requests=[
                    (self.agencies["Exampleshire Health Visiting"], "Are the children registered and seen?")
                ],
            )
            self.answer(
                referral.information_requests.get(),
                asked - _hours(5),
                actor="health.visitor",
                answer="Known to us: developmental checks are up to date; mum has asked for help with sleep.",
            )
            decided = asked - _hours(20)
        self.decide(
            referral,
            decided,
            actor=decider,
            outcome=DecisionOutcome.EARLY_HELP,
            level_of_need=level,
            destination=self.destinations[code],
            reason=reason,
        )
        return household, referral

    def referred_again(self, number: int, household: Household, first: Referral) -> None:
        """A family referred again while their case is open, by a relative who knows no NHS numbers:
        the duty manager links the children and the family at triage, and the decision joins the
        open case."""
        ago = _days_ago(number) / 2
        referral = self.receive(
            ago,
            people=[
                PersonData(kind=p.kind, first_name=p.first_name, last_name=p.last_name, date_of_birth=p.date_of_birth)
                for p in household.children
            ],
            channel=Channel.PUBLIC,
            actor=None,
            referrer_relationship=ReferrerRelationship.RELATIVE,
            referrer_name="Rachel Taylor",
            referrer_email=f"relative{number}@example.com",
            **household.address(),
            concerns=f"I am {household.children[0].first_name}'s aunt. Things have got worse at home again.",
            consent_given=True,
        )
        family = Family.objects.get(referrals=first)
        known = {(p.first_name, p.last_name, p.date_of_birth): p for p in family.people.all()}

        def triage() -> None:
            duty_manager = self.users["duty.manager"]
            for referral_person in referral.people.all():
                key = (referral_person.first_name, referral_person.last_name, referral_person.date_of_birth)
                services.referral_person_link(actor=duty_manager, referral_person=referral_person, person=known[key])
            services.referral_family_link(actor=duty_manager, referral=referral, family=family)

        self.timeline.at(ago - _hours(1), triage)
        self.decide(
            referral,
            ago - _hours(4),
            outcome=DecisionOutcome.EARLY_HELP,
            level_of_need=self.levels["level-3"],
            destination=self.destinations["targeted-family-support"],
            reason="The family's case is open: their lead professional is told of the new concerns.",
        )

    def no_case(self, index: int, outcome: str, code: str | None, level: str, reason: str) -> None:
        household = _household(self.context.rng, CASE_FAMILIES + index)
        received = datetime.timedelta(days=5 + 70 * index, hours=index)
        referral = self.receive(
            received,
            people=household.people,
            **self.source(index * 5, household),
            **household.address(),
            concerns=CONCERNS[index].format(child=household.children[0].first_name),
            expected_outcome=EXPECTED,
            consent_given=True,
        )
        self.decide(
            referral,
            received - _hours(3),
            outcome=outcome,
            level_of_need=self.levels[level],
            destination=self.destinations[code] if code else None,
            reason=reason,
        )

    def queue(self, families: list[tuple[Household, Referral]]) -> None:
        """The referrals awaiting a decision now, at every state of the 24-hour clock."""
        users, levels = self.users, self.levels
        # New: received minutes ago.
        self.receive(
            _minutes(6),
            channel=Channel.PRACTITIONER,
            actor=users["school.practitioner"],
            people=[
                _child("Leo", "Kowalski", 7, Gender.MALE, school="Riverside Primary School"),
                _adult("Agnieszka", "Kowalski", "Mother"),
            ],
            address_line_1="14 Mill Lane",
            town="Northbridge",
            postcode="EX1 1AB",
            concerns="Leo has come to school hungry most days this month and his uniform is not washed. Mum says "
            "she lost her job in March.",
            level_of_need=levels["level-2"],
            expected_outcome="Help for mum with money and food, and a check on how Leo is.",
            consent_given=True,
        )
        self.receive(
            _minutes(25),
            channel=Channel.PUBLIC,
            actor=None,
            referrer_relationship=ReferrerRelationship.PARENT,
            referrer_name="Grace Mensah",
            referrer_email="grace.mensah@example.com",
            people=[
                _child("Kwame", "Mensah", 13, Gender.MALE),
                _child("Ruby", "Mensah", 9, Gender.FEMALE),
                _adult("Grace", "Mensah", "Mother"),
            ],
            address_line_1="3 Orchard Close",
            town="Southmere",
            postcode="EX8 3HD",
            concerns="I am struggling with Kwame's anger at home. He has punched holes in the door and will not go "
            "to school. Ruby is scared of him.",
            expected_outcome="Someone to help me and Kwame.",
            consent_given=True,
        )
        self.receive(
            _minutes(48),
            channel=Channel.PHONE,
            actor=users["contact.officer"],
            referrer_relationship=ReferrerRelationship.PUBLIC,
            referrer_name="A neighbour (name withheld)",
            referrer_phone="07700 900456",
            people=[_child("Dylan", "Hughes", 4, Gender.MALE)],
            address_line_1="Flat 2, 40 Station Street",
            town="Exton",
            postcode="EX5 2RW",
            concerns="Hears shouting most nights and a small child crying for long periods; saw the boy alone in "
            "the garden in the rain last week.",
            consent_given=False,
            consent_not_sought_reason="The caller fears the parents would take it out on the child if they knew.",
        )
        # Due soon: within the reminder window before the 24 hours are up.
        self.receive(
            _hours(21),
            channel=Channel.API,
            actor=users["health.visitor"],
            people=[
                PersonData(
                    kind=Person.Kind.UNBORN,
                    first_name="Baby",
                    last_name="Novak",
                    expected_date_of_birth=timezone.localdate() + datetime.timedelta(days=60),
                ),
                _adult("Olena", "Novak", "Mother"),
            ],
            address_line_1="Room 6, Bridge Street Hostel",
            town="Exton",
            postcode="EX7 9NS",
            concerns="Olena is 19 and 30 weeks pregnant with her first baby, living in a hostel room with no family "
            "nearby. She has missed two antenatal appointments.",
            level_of_need=levels["level-3"],
            expected_outcome="A family support worker before the baby is born.",
            consent_given=True,
        )
        self.receive(
            _hours(22.5),
            channel=Channel.PRACTITIONER,
            actor=users["bridges.keyworker"],
            people=[_child("Yusuf", "Ahmed", 15, Gender.MALE), _adult("Hassan", "Ahmed", "Father", Gender.MALE)],
            address_line_1="88 Kings Road",
            town="Southmere",
            postcode="EX10 8LA",
            concerns="Yusuf is seen with older young people late at night, has new expensive clothes and has been "
            "excluded twice this term. Dad is worried he is being exploited.",
            level_of_need=levels["level-3"],
            expected_outcome="A youth worker, and the exploitation panel to know.",
            consent_given=True,
        )
        # Overdue: past the 24 hours.
        self.receive(
            _hours(27),
            channel=Channel.PUBLIC,
            actor=None,
            referrer_relationship=ReferrerRelationship.RELATIVE,
            referrer_name="Claire Evans",
            referrer_phone="07700 900789",
            people=[_child("Chloe", "Evans", 6, Gender.FEMALE), _child("Ethan", "Evans", 3, Gender.MALE)],
            address_line_1="21 Meadow Way",
            town="Northbridge",
            postcode="EX2 4QT",
            concerns="My daughter is drinking again and leaves the children with me without warning. Last weekend "
            "she did not come back for two days.",
            consent_given=False,
            consent_not_sought_reason="If my daughter knew, she might stop me seeing the children, and I keep them "
            "safe.",
        )
        # A child of a family helped last year, referred again by the school with the child's UPN (which
        # links them to the known record), and the family linked by the duty manager at triage.
        household, first = families[1]
        child = household.children[0]
        again = self.receive(
            _hours(31),
            channel=Channel.PRACTITIONER,
            actor=users["school.practitioner"],
            people=[
                PersonData(
                    kind=child.kind,
                    first_name=child.first_name,
                    last_name=child.last_name,
                    date_of_birth=child.date_of_birth,
                    gender=child.gender,
                    upn=child.upn,
                    school="Riverside Primary School",
                )
            ],
            **household.address(),
            concerns=f"{child.first_name}'s attendance has dropped to 78% again since the holidays; they say "
            "things at home are 'bad again'.",
            level_of_need=levels["level-3"],
            expected_outcome="The family support they had last year.",
            consent_given=True,
        )
        family = Family.objects.get(referrals=first)
        self.timeline.at(
            _hours(2),
            lambda: services.referral_family_link(actor=users["duty.manager"], referral=again, family=family),
        )
        # Claimed: one by the duty manager, one by the duty manager who also leads families.
        gp = self.receive(
            _hours(3),
            channel=Channel.PHONE,
            actor=users["contact.officer"],
            referrer_agency=self.agencies["Northgate Surgery"],
            referrer_name="Dr Priya Shah",
            referrer_role="GP",
            referrer_email="priya.shah@northgate.example.org",
            people=[_child("Mei", "Chen", 11, Gender.FEMALE), _adult("Thi Hoa", "Chen", "Mother")],
            address_line_1="7 Elm Grove",
            town="Northbridge",
            postcode="EX4 6PL",
            concerns="Mei has told her GP she has been self-harming. Mum is supportive but overwhelmed; the CAMHS "
            "waiting list is 14 weeks.",
            level_of_need=levels["level-3"],
            consent_given=True,
        )
        self.timeline.at(_minutes(20), lambda: services.referral_claim(actor=users["duty.manager"], referral=gp))
        toddler = self.receive(
            _hours(5),
            channel=Channel.PRACTITIONER,
            actor=users["health.visitor"],
            people=[_child("Freya", "Taylor", 2, Gender.FEMALE), _adult("Emma", "Taylor", "Mother")],
            address_line_1="19 Park Crescent",
            town="Exton",
            postcode="EX5 2RW",
            concerns="Freya is not meeting her milestones. Emma is low in mood and isolated since moving here.",
            level_of_need=levels["level-2"],
            expected_outcome="Children's centre groups and support for Emma.",
            consent_given=True,
        )
        self.timeline.at(_hours(1), lambda: services.referral_claim(actor=users["duty.lead"], referral=toddler))

    def awaiting_partners(self) -> None:
        """MASH enquiries: partners asked what they know; some have answered, some not yet."""
        users, agencies, level = self.users, self.agencies, self.levels["level-3"]
        answer = (
            "We know the family: we supported them for six months last year and closed with progress. "
            "No concerns since."
        )
        williams = self.receive(
            _hours(36),
            channel=Channel.PRACTITIONER,
            actor=users["school.practitioner"],
            people=[
                _child("Jayden", "Williams", 10, Gender.MALE, school="Riverside Primary School"),
                _child("Lily", "Williams", 6, Gender.FEMALE, school="Riverside Primary School"),
                _adult("Sarah", "Williams", "Mother"),
            ],
            address_line_1="5 Church Road",
            town="Northbridge",
            postcode="EX1 1AB",
            concerns="Jayden told his teacher the police came to the house on Saturday because 'dad was shouting at "
            "mum'. Lily has been very quiet since.",
            level_of_need=level,
            consent_given=False,
            consent_not_sought_reason="Asking the parents could put mum at risk if this is domestic abuse.",
        )
        self.decide(
            williams,
            _hours(30),
            outcome=DecisionOutcome.MORE_INFORMATION,
            level_of_need=level,
            reason="Possible domestic abuse: we need to know what partners know before deciding.",
            information_requests=[
                (agencies["Exampleshire Police"], "What call-outs to this address do you know of?"),
                (agencies["Exampleshire Health Visiting"], "Do you know the family, and any concerns?"),
                (agencies["Exampleshire Homes"], "Any reports from neighbours or repairs staff?"),
            ],
        )
        self.answer(
            williams.information_requests.get(agency=agencies["Exampleshire Health Visiting"]),
            _hours(26),
            actor="health.visitor",
            answer=answer,
        )
        jones = self.receive(
            _hours(7),
            channel=Channel.PHONE,
            actor=users["contact.officer"],
            referrer_agency=agencies["Exampleshire Police"],
            referrer_name="PC Daniel Brown",
            referrer_role="Police officer",
            referrer_email="daniel.brown@police.example.org",
            people=[
                _child("Noah", "Jones", 14, Gender.MALE),
                _child("Ava", "Jones", 8, Gender.FEMALE, school="Riverside Primary School"),
                _adult("Claire", "Jones", "Mother"),
            ],
            address_line_1="62 Victoria Avenue",
            town="Southmere",
            postcode="EX12 5GY",
            concerns="Noah was found by officers at 2am in the town centre, intoxicated. Mum says she cannot control "
            "him and is worried about his younger sister.",
            level_of_need=level,
            consent_given=True,
        )
        self.decide(
            jones,
            _hours(5),
            actor="duty.lead",
            outcome=DecisionOutcome.MORE_INFORMATION,
            level_of_need=level,
            reason="We need the schools' and the charity's view before deciding.",
            information_requests=[
                (agencies["Bridges Family Charity"], "Have you worked with the family?"),
                (agencies["Riverside Primary School"], "How is Ava doing at school?"),
                (agencies["Hillcrest Academy"], "What is Noah's attendance and behaviour like?"),
            ],
        )
        self.answer(
            jones.information_requests.get(agency=agencies["Bridges Family Charity"]),
            _hours(3),
            actor="bridges.keyworker",
            answer=answer,
        )


@demo_step(FRONT_DOOR)
def demo_front_door(context: DemoContext) -> None:
    FrontDoorDemo(context).run()
