"""Demo data: closures with their outcomes (a step of `cases.demo`), made through the services only.

- Every case waiting for its closure to be signed off has its needs and their outcomes recorded with
  the request, so a team manager signs off a closure that says what the family achieved.
- Six families of other lead professionals are taken through the whole journey (an approved
  assessment with three needs, a plan covering them, a closure signed off, and the six-month check):
  the first meets the Supporting Families claim rule (`outcomes.claims`); each of the others fails
  exactly one of its conditions, as `JOURNEYS` says: one outcome did not last; only two needs were
  identified; the plan does not cover one need; one outcome was only partly achieved; the assessment
  was submitted (the plan follows a submitted assessment) but never approved. Their closures are
  dated seven months ago in the story (the services date them today), so the claims list shows them.
  The conditions no family fails, because the services do not let a case get there: no lead
  professional (closing a case is requested by its lead professional, and no service takes the lead
  away from a case), needs under two framework versions (needs are recorded in the active
  framework's areas only, and the demo has one framework), no dependent children or expectant parent
  (the families these cases are of have children, and no service of the app takes a child out of
  a family), and a need without evidence (a closure request needs evidence for every need).
- The second family is referred again (today, the school phoning): the duty manager links the children
  and the family at triage and decides, and the decision stores the closed case as the one the
  referral is a re-referral of, so the dashboard counts a re-referral within 12 months."""

from __future__ import annotations

import datetime

from django.db.models import Q
from django.utils import timezone

from assessments import assessment_services, plans
from assessments.demo_assessment import _consent, _fill, _manager_of
from assessments.models import Assessment
from cases import needs as case_needs
from cases import services as case_services
from cases.demo import DemoContext, demo_step
from cases.models import Case, CaseStatus, ClosureReason, Destination, IdentifiedNeed, LevelOfNeed, OutcomeArea, Person
from front_door import services as front_door_services
from front_door.letters import letter_create_and_send
from front_door.models import Channel, DecisionOutcome, Referral

from . import services
from .models import Closure, ClosureDestination

# After the lead professionals' work (up to 495): it closes cases that work made.
OUTCOMES = 520
STORY_CLOSED_DAYS_AGO = 212

# How each family's whole journey goes (the keywords of `_whole_journey`), in the order of their
# cases: the first meets the claim rule, the second's outcome did not last (it is referred again),
# each other fails one more condition of the rule.
JOURNEYS: list[dict[str, bool | int]] = [
    {},
    {"lasted": False},
    {"needs": 2},
    {"covered": False},
    {"partly": True},
    {"approved": False},
]

# (the need, the evidence of its outcome, the code of its outcome area)
NEEDS = [
    (
        "Persistent absence from school",
        "Attendance above 95% for the last term, from the school's register",
        "good-education",
    ),
    (
        "Rent arrears and a notice from the landlord",
        "A payment plan kept for four months; the landlord's letter",
        "financial-stability",
    ),
    (
        "Arguments at home most evenings",
        "The family's Family Star 'family routine' score went from 3 to 7",
        "family-relationships",
    ),
]


def _destinations() -> dict[str, ClosureDestination]:
    return {destination.code: destination for destination in ClosureDestination.objects.all()}


def _areas() -> dict[str, OutcomeArea]:
    return {area.code: area for area in OutcomeArea.objects.filter(framework__active=True)}


def _needs(case: Case) -> list[IdentifiedNeed]:
    areas = _areas()
    child = Person.objects.filter(memberships__family=case.family_id, kind=Person.Kind.CHILD).order_by("id").first()
    return [
        case_needs.need_record(
            actor=case.lead_professional,
            case=case,
            area=areas[code],
            person=child if index == 0 else None,
            description=what,
        )
        for index, (what, _evidence, code) in enumerate(NEEDS)
    ]


def _record(case: Case, needs: list[IdentifiedNeed], *, destination: ClosureDestination, partly: bool) -> Closure:
    evidence = {what: shows for what, shows, _code in NEEDS}
    return services.closure_request_record(
        actor=case.lead_professional,
        case=case,
        destination=destination,
        feedback_timely="yes",
        feedback_knew_lead="yes",
        feedback_told_once="no" if partly else "yes",
        feedback_words="We had one person to ring, and she kept coming back.",
        answers=[
            services.NeedAnswer(
                need=need,
                achieved="partly" if partly and index == 1 else "yes",
                evidence_note=evidence.get(need.description, "Seen at the last review"),
            )
            for index, need in enumerate(needs)
        ],
    )


@demo_step(OUTCOMES)
def demo_closure_outcomes(context: DemoContext) -> None:
    destinations = _destinations()
    if not destinations:
        return
    waiting = list(
        Case.objects.filter(status=CaseStatus.CLOSURE_REQUESTED, closures__isnull=True)
        .select_related("family", "lead_professional")
        .order_by("id")
    )
    for number, case in enumerate(waiting):
        needs = list(IdentifiedNeed.objects.filter(case=case)) or _needs(case)
        _record(
            case,
            needs,
            destination=destinations["universal" if number % 2 == 0 else "single-agency"],
            partly=number % 2 == 1,
        )
    reason = ClosureReason.objects.get(code="outcomes-met")
    journeys = list(
        Case.objects.filter(status=CaseStatus.ACTIVE, assessments__isnull=True)
        .exclude(Q(lead_professional__username="lead.professional") | Q(lead_professional__isnull=True))
        .select_related("family", "lead_professional", "team")
        .order_by("opened_at", "id")[: len(JOURNEYS)]
    )
    for case, how in zip(journeys, JOURNEYS, strict=False):
        _whole_journey(case, reason, destinations["universal"], **how)
    if len(journeys) >= 2:
        _referred_again(context, Case.objects.select_related("family").get(pk=journeys[1].pk))


def _whole_journey(
    case: Case,
    reason: ClosureReason,
    destination: ClosureDestination,
    *,
    lasted: bool = True,
    needs: int = 3,
    covered: bool = True,
    partly: bool = False,
    approved: bool = True,
) -> None:
    """From assessment to the six-month check, as the lead professional and their manager would.
    By default the family meets the claim rule; otherwise: the first outcome did not last (`lasted`),
    only the assessment's two needs (`needs=2`), the plan leaves the last need out (`covered`), the
    second outcome only partly achieved (`partly`), the assessment left submitted (`approved`)."""
    lead, manager = case.lead_professional, _manager_of(case)
    if manager is None:
        return
    _consent(case, lead)
    assessment = assessment_services.assessment_start(actor=lead, case=case)
    _fill(assessment, lead)  # every section, and two needs
    if needs > 2:
        assessment_services.assessment_need_add(
            actor=lead, assessment=assessment, area=_areas()["family-relationships"], description=NEEDS[2][0]
        )
    assessment = assessment_services.assessment_submit(actor=lead, assessment=Assessment.objects.get(pk=assessment.pk))
    if approved:
        assessment_services.assessment_approve(actor=manager, assessment=assessment, note="Agreed.")
    identified = list(IdentifiedNeed.objects.filter(case=case).order_by("recorded_at", "id"))
    plan = plans.plan_create(actor=lead, case=case, contingency_plan="", exit_plan="")
    plans.plan_outcome_add(
        actor=lead,
        plan=plan,
        text="We get on and the children are in school",
        needs=identified if covered else identified[:-1],
    )
    case_services.case_request_closure(
        actor=lead, case=case, reason=reason, summary="Every need met and the family managing on their own."
    )
    closure = _record(case, identified, destination=destination, partly=partly)
    case_services.case_sign_off_closure(actor=manager, case=case, note="Significant and sustained progress.")
    services.closure_sign_off(actor=manager, case=case, significant_and_sustained=True)
    closed = timezone.now() - datetime.timedelta(days=STORY_CLOSED_DAYS_AGO)
    Closure.objects.filter(pk=closure.pk).update(decided_at=closed)
    Case.objects.filter(pk=case.pk).update(closed_at=closed)
    closure.refresh_from_db()
    outcomes = list(closure.need_outcomes.order_by("id"))
    services.sustained_check_record(
        actor=manager,
        closure=closure,
        answers={
            outcome.pk: (lasted or index > 0, "Checked with the school and the family")
            for index, outcome in enumerate(outcomes)
        },
    )


def _referred_again(context: DemoContext, closed: Case) -> Referral | None:
    """The family whose outcome did not last, referred again by the school seven months after their
    case closed (a phone call, so its letter waits on the front door's list to post or phone): the
    duty manager links the children and the family at triage, then decides (advice, no new case);
    the decision stores the closed case as the one this is a re-referral of."""
    officer, duty = context.users.get("contact.officer"), context.users.get("duty.manager")
    school = context.agencies.get("Riverside Primary School")
    advice = Destination.objects.filter(code="universal-advice").first()
    if None in (officer, duty, school, advice) or closed.status != CaseStatus.CLOSED:
        return None
    family = closed.family
    children = list(family.people.filter(kind=Person.Kind.CHILD).order_by("date_of_birth", "id"))
    referral = front_door_services.referral_receive(
        channel=Channel.PHONE,
        actor=officer,
        referrer_agency=school,
        referrer_name="Grace Adeyemi",
        referrer_role="Attendance officer",
        referrer_phone="01632 960456",
        people=[
            front_door_services.PersonData(
                kind=child.kind,
                first_name=child.first_name,
                last_name=child.last_name,
                date_of_birth=child.date_of_birth,
                gender=child.gender,
            )
            for child in children
        ],
        address_line_1=family.address_line_1,
        town=family.town,
        postcode=family.postcode,
        concerns=f"{children[0].first_name} has missed school again this term; mum says the rent arrears are back.",
        level_of_need=LevelOfNeed.objects.get(code="level-2"),
        consent_given=True,
    )
    known = {(child.first_name, child.last_name, child.date_of_birth): child for child in children}
    for named in referral.people.filter(person__isnull=True):
        front_door_services.referral_person_link(
            actor=duty, referral_person=named, person=known[(named.first_name, named.last_name, named.date_of_birth)]
        )
    front_door_services.referral_family_link(actor=duty, referral=referral, family=family)
    decision = front_door_services.referral_decide(
        actor=duty,
        referral=referral,
        outcome=DecisionOutcome.EARLY_HELP,
        level_of_need=LevelOfNeed.objects.get(code="level-1"),
        destination=advice,
        reason="Their case closed seven months ago: advice to the school and money advice for mum are enough now.",
        confirm_new_people=True,
    )
    letter_create_and_send(decision_id=decision.pk)  # as the front door's demo makes its letters
    return referral
