"""The Early Help Panel's demo data (a step of `cases.demo`, between the front door and the case
lifecycle), made only through the services of the panel, the shared record and the front door.

A North panel (fortnightly, Tuesday 10am, at the North Family Hub) and a South panel (weekly,
Thursday 2pm), both run by the county's coordinator (`panel.coordinator`), with standing members.
Families referred to the panel by the front door (new referrals in North and South: the front
door's own demo sends its panel cases to Central, which has no panel) go through the last three
North meetings and the last South meeting: allocated, deferred and allocated, not for the panel;
one allocated to the Bridges charity still has no lead professional, its week long overdue; one
allocated to the North team was led, then sent back as disengaged and waits again. The next North
meeting has its agenda sent (a case deferred to it and two from the waiting list); more cases wait,
some past the 10 days from the front door to an offer; partners have been asked about two of them
(one agency has answered, two are late).

Like the front door's demo, each stage runs at today's time and is then placed in the past
(`front_door.demo.Timeline`, extended here to the panel's rows and the cases' waiting and closing
times). A meeting the services made ahead is moved onto a past slot of its panel's schedule before
its stages run, as the calendar of a panel that has met for months would hold it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadline_meet, deadline_start
from cases.demo import DemoContext, demo_step
from cases.models import BankHoliday, Case, CaseMember, Notification, PanelRoute
from cases.roles import Role
from front_door import services as front_door_services
from front_door.demo import CONCERNS, EXPECTED, LETTER_AFTER, FrontDoorDemo, _household
from front_door.letters import letter_create_and_send
from front_door.models import Decision, DecisionOutcome, LetterStatus, Referral, ReferrerLetter

from . import services
from .letters import panel_letter_create_and_send
from .models import (
    AgendaItem,
    Attendance,
    Frequency,
    Meeting,
    MeetingAction,
    NotForPanelRoute,
    Panel,
    PanelDecision,
    PanelMember,
    PanelOutcome,
    Weekday,
)
from .scheduling import FREQUENCY_DAYS, meetings_schedule, slot_starts_at, slots

PANELS = 300
OFFER_CLOCK = "front-door-to-offer"
COORDINATOR = "panel.coordinator"
COUNCIL = "Exampleshire Family Support"
BRIDGES = "Bridges Family Charity"
# Households of `front_door.demo._household` are placed by number: 0 mod 3 North, 2 mod 3 South.
NORTH_NUMBERS = range(300, 400, 3)
SOUTH_NUMBERS = range(302, 400, 3)


def _days(n: float) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _hours(n: float) -> datetime.timedelta:
    return datetime.timedelta(hours=n)


@dataclass
class Story:
    """A family referred to the panel: its referral, decision and case."""

    name: str
    referral: Referral
    case: Case


class PanelDemo(FrontDoorDemo):
    def __init__(self, context: DemoContext) -> None:
        super().__init__(context)
        self.now = timezone.now()
        self.coordinator = self.users[COORDINATOR]
        self.holidays = set(BankHoliday.objects.values_list("date", flat=True))
        self.stories: dict[str, Story] = {}
        self.numbers = {"north": iter(NORTH_NUMBERS), "south": iter(SOUTH_NUMBERS)}

    def ago(self, moment: datetime.datetime) -> datetime.timedelta:
        return max(datetime.timedelta(0), self.now - moment)

    def run(self) -> None:
        north, south = self.panels()
        past_north = self.past_meetings(north, 3)
        (past_south,) = self.past_meetings(south, 1)
        n1, n2, n3 = (meeting.starts_at for meeting in past_north)
        s1 = past_south.starts_at
        # The families, each referred before the meeting that first discussed it.
        self.referred("A", "north", n1 - _days(10))
        self.referred("C", "north", n1 - _days(8))
        self.referred("D", "north", n1 - _days(9))
        self.referred("E", "north", n2 - _days(9))
        self.referred("G", "north", n3 - _days(10))
        self.referred("H", "north", n3 - _days(8))
        self.referred("P", "south", s1 - _days(9))
        self.referred("Q", "south", s1 - _days(8))
        # Waiting now: over the 10 days, and within them.
        self.referred("M", "north", self.now - _days(15))
        self.referred("J", "north", self.now - _days(12))
        self.referred("K", "north", self.now - _days(4))
        self.referred("R", "south", self.now - _days(11))
        self.referred("T", "south", self.now - _days(3))
        self.partners()
        self.north_meetings(*past_north)
        self.south_meeting(past_south)
        self.upcoming(north)
        self.timeline.place()
        self.place_panel_rows()
        self.letters()

    # --- Panels and their calendars ---------------------------------------------------------------

    def panels(self) -> tuple[Panel, Panel]:
        users, agencies, localities = self.users, self.agencies, self.context.localities
        coordinator = self.coordinator
        today = timezone.localdate()
        # The North fortnight falls so that its last meeting was in the past week: what it allocated
        # still has days to find a lead professional (the South's weekly meeting covers the days when
        # it has not).
        last_tuesday = today - _days((today.weekday() - Weekday.TUESDAY) % 7)
        if slot_starts_at(Panel(meets_at=datetime.time(10, 0)), last_tuesday, self.holidays) > self.now - _hours(3):
            last_tuesday -= _days(7)

        def create() -> tuple[Panel, Panel]:
            north = services.panel_create(
                actor=coordinator,
                name="North Early Help Panel",
                locality=localities["north"],
                first_meeting_on=last_tuesday - _days(7 * 26),
                weekday=Weekday.TUESDAY,
                meets_at=datetime.time(10, 0),
                frequency=Frequency.FORTNIGHTLY,
                venue="North Family Hub",
                chair=coordinator,
            )
            south = services.panel_create(
                actor=coordinator,
                name="South Early Help Panel",
                locality=localities["south"],
                first_meeting_on=today - _days(7 * 26),
                weekday=Weekday.THURSDAY,
                meets_at=datetime.time(14, 0),
                frequency=Frequency.WEEKLY,
                venue="Southmere Children's Centre",
                chair=coordinator,
            )
            members = {
                north: [
                    (COUNCIL, "team.manager", "Family support team manager"),
                    ("Riverside Primary School", "school.practitioner", "Designated safeguarding lead"),
                    ("Exampleshire Health Visiting", "health.visitor", "Health visitor"),
                    (BRIDGES, "bridges.keyworker", "Family keyworker"),
                    ("Exampleshire Police", None, "Police early intervention officer"),
                ],
                south: [
                    ("Hillcrest Academy", None, "Designated safeguarding lead"),
                    ("Exampleshire Health Visiting", "health.visitor", "Health visitor"),
                    (BRIDGES, "bridges.keyworker", "Family keyworker"),
                    (BRIDGES, "bridges.manager", "Family services manager"),
                    ("Exampleshire Police", None, "Police early intervention officer"),
                ],
            }
            for panel, rows in members.items():
                for agency, username, role in rows:
                    services.panel_member_add(
                        actor=coordinator,
                        panel=panel,
                        agency=agencies[agency],
                        user=users[username] if username else None,
                        role=role,
                    )
            return north, south

        return self.timeline.at(_days(7 * 26), create)

    def past_meetings(self, panel: Panel, count: int) -> list[Meeting]:
        """Move `count` of the meetings the schedule made ahead onto the panel's last slots that
        have passed (by three hours at least: the meeting is over), then let the schedule make its
        meetings ahead again."""
        step = FREQUENCY_DAYS[panel.frequency]
        today = timezone.localdate()
        candidates = slots(panel, from_date=today - _days(step * (count + 2)), count=count + 4)
        past = [slot for slot in candidates if slot_starts_at(panel, slot, self.holidays) < self.now - _hours(3)][
            -count:
        ]
        made = list(panel.meetings.order_by("starts_at"))[:count]
        for meeting, slot in zip(made, past, strict=True):
            Meeting.objects.filter(pk=meeting.pk).update(
                slot_on=slot, starts_at=slot_starts_at(panel, slot, self.holidays)
            )
        meetings_schedule(panel=panel)
        return list(Meeting.objects.filter(pk__in=[m.pk for m in made]).order_by("starts_at"))

    # --- The families ------------------------------------------------------------------------------

    def referred(self, name: str, locality: str, received_at: datetime.datetime) -> Story:
        """A family referred at `received_at` and decided three hours later to the panel: the case
        waits for it, its 10-day clock counted from the referral's receipt."""
        number = next(self.numbers[locality])
        household = _household(self.context.rng, number)
        received = self.ago(received_at)
        referral = self.receive(
            received,
            people=household.people,
            **self.source(number, household),
            **household.address(),
            concerns=CONCERNS[number % len(CONCERNS)].format(child=household.children[0].first_name),
            expected_outcome=EXPECTED,
            level_of_need=self.levels["level-3"],
            consent_given=True,
        )

        def decide() -> Case:
            duty_manager = self.users["duty.manager"]
            front_door_services.referral_decide(
                actor=duty_manager,
                referral=referral,
                outcome=DecisionOutcome.EARLY_HELP,
                level_of_need=self.levels["level-3"],
                destination=self.destinations["early-help-panel"],
                reason="Needs across school, health and home: the panel to agree the lead agency.",
                confirm_new_people=True,
            )
            referral.refresh_from_db()
            case = referral.case
            # The front door makes the case wait for the panel and starts its 10-day clock; where it
            # does not yet, the shared record's services do it here, as the decision would.
            if not case.panel_route:
                case = case_services.case_open(
                    actor=duty_manager,
                    family=case.family,
                    level_of_need=case.level_of_need,
                    panel_route=PanelRoute.FRONT_DOOR,
                )
            deadline_start(
                timescale_code=OFFER_CLOCK,
                subject_type="case",
                subject_id=case.pk,
                case=case,
                reference=case.reference,
                started_at=referral.received_at,
                remind_role=Role.PANEL_COORDINATOR,
            )
            return case

        case = self.timeline.at(received - _hours(3), decide)
        story = Story(name=name, referral=referral, case=case)
        self.stories[name] = story
        return story

    def case(self, name: str) -> Case:
        return Case.objects.get(pk=self.stories[name].case.pk)

    def partners(self) -> None:
        """Before the panel, the coordinator asks partners what they know: about J (on the next North
        agenda) the school and health visiting, health visiting has answered; about R (waiting in
        South) the academy and the police, neither has answered and the date has passed."""
        agencies, coordinator = self.agencies, self.coordinator

        def ask(name: str, names: list[str], question: str, due_in: datetime.timedelta):
            return lambda: front_door_services.case_information_requests_create(
                actor=coordinator,
                case=self.case(name),
                agencies=[agencies[agency] for agency in names],
                question=question,
                due_at=timezone.now() + due_in,
            )

        asked = self.timeline.at(
            _days(5),
            ask(
                "J",
                ["Riverside Primary School", "Exampleshire Health Visiting"],
                "What support have you given the family this year, and what worries you now?",
                _days(7),
            ),
        )
        health = next(request for request in asked if request.agency.name == "Exampleshire Health Visiting")
        self.answer(
            health,
            _days(2),
            actor="health.visitor",
            answer="Known to us since the baby was born: weight checks are on track; mum has missed two "
            "appointments since the summer and told us she is struggling to sleep.",
        )
        self.timeline.at(
            _days(9),
            ask(
                "R",
                ["Hillcrest Academy", "Exampleshire Police"],
                "Do you know the family, and have you any concerns about the children?",
                _days(5),
            ),
        )

    # --- The meetings ------------------------------------------------------------------------------

    def agenda(self, meeting: Meeting, names: list[str], *, at: datetime.datetime | None = None) -> None:
        """The coordinator puts cases on the agenda and sends it, at `at` (six days before the
        meeting unless given)."""

        def build() -> None:
            for name in names:
                services.agenda_add(actor=self.coordinator, meeting=meeting, case=self.case(name))
            services.agenda_send(actor=self.coordinator, meeting=meeting)

        self.timeline.at(self.ago(at or meeting.starts_at - _days(6)), build)

    def item(self, meeting: Meeting, name: str) -> AgendaItem:
        return AgendaItem.objects.get(meeting=meeting, case_id=self.stories[name].case.pk)

    def at_meeting(self, meeting: Meeting, work) -> None:
        self.timeline.at(self.ago(meeting.starts_at + datetime.timedelta(minutes=20)), work)

    def attendance(self, meeting: Meeting, absent: tuple[str, ...] = (), apologies: tuple[str, ...] = ()) -> None:
        statuses = {}
        for member in meeting.panel.members.select_related("agency", "user"):
            key = member.user.username if member.user_id else member.agency.name
            status = Attendance.Status.PRESENT
            if key in absent:
                status = Attendance.Status.ABSENT
            elif key in apologies:
                status = Attendance.Status.APOLOGIES
            statuses[member.pk] = status
        services.attendance_record(actor=self.coordinator, meeting=meeting, statuses=statuses)

    def allocate(self, meeting: Meeting, name: str, agency: str, team: str | None, reason: str) -> None:
        services.decision_record(
            actor=self.coordinator,
            item=self.item(meeting, name),
            outcome=PanelOutcome.ALLOCATE,
            lead_agency=self.agencies[agency],
            team=self.context.teams[team] if team else None,
            threshold_confirmed=True,
            reason=reason,
        )

    def complete(self, meeting: Meeting, notes: str) -> None:
        self.timeline.at(
            self.ago(meeting.starts_at + _hours(2)),
            lambda: services.meeting_complete(actor=self.coordinator, meeting=meeting, notes=notes),
        )

    def north_meetings(self, n1: Meeting, n2: Meeting, n3: Meeting) -> None:
        users = self.users
        # N1: A and D allocated and deferred; C not for the panel.
        self.agenda(n1, ["A", "D", "C"])

        def first() -> None:
            self.attendance(n1, apologies=("Exampleshire Police",))
            self.allocate(
                n1,
                "A",
                COUNCIL,
                "North Family Support",
                "School attendance, mum's low mood and rent arrears: the family want a family support worker.",
            )
            services.decision_record(
                actor=self.coordinator,
                item=self.item(n1, "D"),
                outcome=PanelOutcome.DEFER,
                reason="The panel needs the health visitor's view of the younger children before deciding.",
            )
            services.decision_record(
                actor=self.coordinator,
                item=self.item(n1, "C"),
                outcome=PanelOutcome.NOT_FOR_PANEL,
                not_for_panel_route=NotForPanelRoute.UNIVERSAL,
                reason="Needs are met by the school's pastoral support and the children's centre's groups.",
            )
            services.action_add(
                actor=self.coordinator,
                meeting=n1,
                item=self.item(n1, "A"),
                description="Share this term's attendance record with the lead professional",
                owner=users["school.practitioner"],
                due_on=timezone.localdate(n1.starts_at) + _days(7),
            )

        self.at_meeting(n1, first)
        self.complete(n1, "Quorate. Police sent apologies and will send written updates before the next meeting.")
        action = MeetingAction.objects.get(meeting=n1)
        self.timeline.at(
            self.ago(n1.starts_at + _days(3)),
            lambda: services.action_done(actor=users["school.practitioner"], action=action),
        )
        # A's lead professional, assigned by the North team's manager two days later.
        self.timeline.at(
            self.ago(n1.starts_at + _days(2)),
            lambda: case_services.case_assign_lead_professional(
                actor=users["team.manager"], case=self.case("A"), lead_professional=users["lead.professional"]
            ),
        )
        # N2: D (deferred to it) allocated to the charity; E not for the panel.
        self.agenda(n2, ["E"])

        def second() -> None:
            self.attendance(n2, absent=("Exampleshire Police",))
            self.allocate(
                n2,
                "D",
                BRIDGES,
                None,
                "The health visitor confirmed the concerns; the charity already knows the older child.",
            )
            services.decision_record(
                actor=self.coordinator,
                item=self.item(n2, "E"),
                outcome=PanelOutcome.NOT_FOR_PANEL,
                not_for_panel_route=NotForPanelRoute.SINGLE_AGENCY,
                reason="The school's family liaison officer can meet these needs on her own.",
            )

        self.at_meeting(n2, second)
        self.complete(n2, "Quorate. The police were absent without apologies: the chair will write to them.")
        # N3: G allocated to the North team; H deferred to the next meeting.
        self.agenda(n3, ["G", "H"])

        def third() -> None:
            self.attendance(n3, apologies=("bridges.keyworker",))
            self.allocate(
                n3,
                "G",
                COUNCIL,
                "North Family Support",
                "Several needs across the family, who agree to work with a family support worker.",
            )
            services.decision_record(
                actor=self.coordinator,
                item=self.item(n3, "H"),
                outcome=PanelOutcome.DEFER,
                reason="Ask the health visiting team what support the family has had this year.",
            )
            services.action_add(
                actor=self.coordinator,
                meeting=n3,
                item=self.item(n3, "H"),
                description="Tell the panel what support the family has had from health visiting this year",
                owner=users["health.visitor"],
                due_on=timezone.localdate(n3.starts_at) + _days(10),
            )

        self.at_meeting(n3, third)
        self.complete(n3, "Quorate. Bridges sent apologies; their manager will confirm capacity by email.")
        # A, led since N1, goes back to the panel: the family stopped answering.
        self.timeline.at(
            _days(4),
            lambda: case_services.case_return_to_panel(
                actor=users["lead.professional"],
                case=self.case("A"),
                route=PanelRoute.DISENGAGED,
                note="Mum has not answered calls or opened the door for three visits since half term.",
            ),
        )

    def south_meeting(self, s1: Meeting) -> None:
        self.agenda(s1, ["P", "Q"], at=s1.starts_at - _days(4))

        def held() -> None:
            self.attendance(s1, apologies=("Hillcrest Academy",))
            self.allocate(
                s1,
                "P",
                BRIDGES,
                None,
                "A young carer and his mum both need support: the charity's keyworker knows the family.",
            )
            services.decision_record(
                actor=self.coordinator,
                item=self.item(s1, "Q"),
                outcome=PanelOutcome.NOT_FOR_PANEL,
                not_for_panel_route=NotForPanelRoute.SINGLE_AGENCY,
                reason="Housing's tenancy support officer will work with the family on the arrears.",
            )

        self.at_meeting(s1, held)
        self.complete(s1, "Quorate. Hillcrest Academy sent apologies.")

    def upcoming(self, north: Panel) -> None:
        """The next North meeting: H (deferred to it) and two waiting cases, the agenda sent
        yesterday. M, K (North) and R, T (South) wait, with A sent back as disengaged."""
        meeting = services.next_meeting(north)
        self.agenda(meeting, ["J", "K"], at=self.now - _days(1))

    # --- The referrers' letters --------------------------------------------------------------------

    def letters(self) -> None:
        """The letter of each of this step's front door decisions, as `FrontDoorDemo.letters` makes
        the front door's (made once the stories are placed, a few minutes after the decision; an
        emailed one sent then, meeting its clock; one to post older than a week told by phone), then
        the letter of each of the panel's decisions on a family the front door sent to it, made the
        same way (they meet no clock). Only this step's: the front door's letters are made and placed
        already."""
        referrals = [story.referral.pk for story in self.stories.values()]
        decisions = Decision.objects.filter(referral_id__in=referrals).order_by("decided_at", "pk")
        for decision_id, decided_at in list(decisions.values_list("pk", "decided_at")):
            self.place_letter(letter_create_and_send(decision_id=decision_id), decided_at + LETTER_AFTER)
        cases = Referral.objects.filter(pk__in=referrals, case__isnull=False).values("case_id")
        panel_decisions = PanelDecision.objects.filter(item__case_id__in=cases).order_by("decided_at", "pk")
        for decision_id, decided_at in list(panel_decisions.values_list("pk", "decided_at")):
            self.place_letter(panel_letter_create_and_send(decision_id=decision_id), decided_at + LETTER_AFTER)

    def place_letter(self, letter: ReferrerLetter | None, made: datetime.datetime) -> None:
        if letter is None:
            return
        told_at = None
        if letter.status == LetterStatus.QUEUED:
            told_at = made
            Notification.objects.filter(pk=letter.notification_id).update(status=Notification.Status.SENT, sent_at=made)
            ReferrerLetter.objects.filter(pk=letter.pk).update(
                status=LetterStatus.EMAILED, created_at=made, sent_at=made
            )
        elif letter.status == LetterStatus.TO_POST and made < self.now - _days(7):
            told_at = made + _hours(1)
            ReferrerLetter.objects.filter(pk=letter.pk).update(
                created_at=made, status=LetterStatus.PHONED, sent_by=self.users["contact.officer"], sent_at=told_at
            )
        else:
            ReferrerLetter.objects.filter(pk=letter.pk).update(created_at=made)
        if told_at is not None and not letter.from_panel:
            deadline_meet(
                timescale_code=front_door_services.LETTER_CLOCK,
                subject_type="referral",
                subject_id=letter.referral_id,
                met_at=told_at,
            )

    # --- Placing the panel's rows in time ----------------------------------------------------------

    def place_panel_rows(self) -> None:
        """Move the panel's own stamps (and the cases' waiting and closing times) back with the stage
        they were made in, as `Timeline.place` does for the front door's and the record's."""
        first = self.timeline.stages[0][0]
        moved = self.timeline.moved
        Panel.objects.filter(created_at__gte=first).update(created_at=moved("created_at"))
        PanelMember.objects.filter(added_at__gte=first).update(added_at=moved("added_at"))
        Meeting.objects.filter(Q(agenda_sent_at__gte=first) | Q(held_at__gte=first)).update(
            agenda_sent_at=moved("agenda_sent_at"), held_at=moved("held_at")
        )
        AgendaItem.objects.filter(added_at__gte=first).update(added_at=moved("added_at"))
        Attendance.objects.filter(recorded_at__gte=first).update(recorded_at=moved("recorded_at"))
        PanelDecision.objects.filter(decided_at__gte=first).update(decided_at=moved("decided_at"))
        MeetingAction.objects.filter(created_at__gte=first).update(
            created_at=moved("created_at"), done_at=moved("done_at")
        )
        Case.objects.filter(panel_waiting_since__gte=first).update(panel_waiting_since=moved("panel_waiting_since"))
        Case.objects.filter(closed_at__gte=first).update(closed_at=moved("closed_at"))
        CaseMember.objects.filter(added_at__gte=first).update(added_at=moved("added_at"))


@demo_step(PANELS)
def demo_panels(context: DemoContext) -> None:
    PanelDemo(context).run()
