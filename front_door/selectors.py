"""Reads of the front door: the queue, a referral for triage with its matches and the family's
history, 'my referrals', and the partners' information requests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.postgres.expressions import ArraySubquery
from django.contrib.postgres.search import TrigramSimilarity
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    TextChoices,
    Value,
    When,
)
from django.db.models import Case as Conditional
from django.utils import timezone

from cases.models import Case, CaseStatus, Deadline, FamilyMembership, Person, Timescale, User

from .models import (
    Channel,
    Decision,
    InformationRequest,
    LetterStatus,
    Referral,
    ReferralPerson,
    ReferralStatus,
    ReferrerLetter,
)
from .permissions import information_requests_for_user

OPEN_STATUSES = (ReferralStatus.AWAITING_DECISION, ReferralStatus.MORE_INFORMATION)
RE_REFERRAL_WINDOW = datetime.timedelta(days=365)
MATCH_LIMIT = 8
DECISION_TIMESCALE = "front-door-decision"


class QueueShow(TextChoices):
    """The parts of the queue a duty manager can ask for (the home page counts each)."""

    NEW = "new", "New (not yet claimed)"
    DUE_SOON = "due-soon", "Due soon"
    OVERDUE = "overdue", "Overdue"
    PARTNERS_ANSWERED = "partners-answered", "Partners answered"
    WAITING_FOR_PARTNERS = "waiting-for-partners", "Waiting for partner agencies"


class QueueSort(TextChoices):
    RECEIVED = "received", "Received (oldest first)"
    DUE = "due", "Decision due (soonest first)"


def _unanswered_requests() -> Exists:
    return Exists(InformationRequest.objects.filter(referral=OuterRef("pk"), answered_at__isnull=True))


def _queue_conditions(now: datetime.datetime, due_soon: datetime.timedelta) -> dict[str, Q]:
    """Each part of the queue as a condition on an open referral. A referral awaiting a decision is
    new (nobody has claimed it and the 24-hour clock has more than `due_soon` left), due soon, or
    overdue; a MASH decision met the clock, and its referral then waits for the partners asked, until
    every one of them has answered."""
    waiting = Q(status=ReferralStatus.AWAITING_DECISION)
    asked = Q(status=ReferralStatus.MORE_INFORMATION)
    return {
        QueueShow.NEW: waiting & Q(claimed_by__isnull=True) & Q(decision_due_at__gte=now + due_soon),
        QueueShow.DUE_SOON: waiting & Q(decision_due_at__gte=now, decision_due_at__lt=now + due_soon),
        QueueShow.OVERDUE: waiting & Q(decision_due_at__lt=now),
        QueueShow.PARTNERS_ANSWERED: asked & ~_unanswered_requests(),
        QueueShow.WAITING_FOR_PARTNERS: asked & _unanswered_requests(),
    }


def queue_due_soon() -> datetime.timedelta:
    """How soon is "due soon": the decision clock's reminder window (4 hours unless configured)."""
    hours = Timescale.objects.filter(code=DECISION_TIMESCALE).values_list("reminder_before_hours", flat=True).first()
    return datetime.timedelta(hours=hours or 4)


def _name_words(search: str) -> list[str]:
    return search.split()[:5]


def referral_queue(
    *,
    locality_id: int | None = None,
    level_id: int | None = None,
    channel: str = "",
    overdue: bool = False,
    show: str = "",
    search: str = "",
    sort: str = QueueSort.RECEIVED,
    due_soon: datetime.timedelta | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Referral]:
    """Referrals awaiting a decision, oldest first (or by when the decision is due), each with what
    the queue shows: `partners_answered` (a MASH enquiry all of whose partners have answered).

    `show` is one part of the queue (`QueueShow`; `due_soon` is its window, the decision clock's
    reminder by default); `search` finds a reference (exactly, in any case) or the people named,
    each word the start or part of a first name or surname of one person (served by the trigram
    indexes on their names)."""
    now = now or timezone.now()
    queryset = (
        Referral.objects.filter(status__in=OPEN_STATUSES)
        .select_related("locality", "level_of_need", "claimed_by", "referrer_agency", "duplicate_of")
        .prefetch_related(Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
        .annotate(
            partners_answered=ExpressionWrapper(
                Q(status=ReferralStatus.MORE_INFORMATION) & ~_unanswered_requests(), output_field=BooleanField()
            )
        )
    )
    if locality_id:
        queryset = queryset.filter(locality_id=locality_id)
    if level_id:
        queryset = queryset.filter(level_of_need_id=level_id)
    if channel:
        queryset = queryset.filter(channel=channel)
    if overdue and not show:
        show = QueueShow.OVERDUE
    if show:
        # Only "new" and "due soon" need the window: the API's overdue filter reads no configuration.
        if due_soon is None and show in (QueueShow.NEW, QueueShow.DUE_SOON):
            due_soon = queue_due_soon()
        queryset = queryset.filter(_queue_conditions(now, due_soon or datetime.timedelta(0))[show])
    if search:
        named = ReferralPerson.objects.filter(referral=OuterRef("pk"))
        for word in _name_words(search):
            named = named.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word))
        queryset = queryset.filter(Q(reference=search.strip().upper()) | Exists(named))
    # Step ups from early help (harm suspected) come first, whatever the order asked for.
    urgent = Conditional(When(channel=Channel.STEP_UP, then=Value(0)), default=Value(1))
    if sort == QueueSort.DUE:
        # Those whose clock is running, soonest first; then those waiting for partners.
        return queryset.order_by(
            urgent,
            Conditional(When(status=ReferralStatus.AWAITING_DECISION, then=Value(0)), default=Value(1)),
            F("decision_due_at").asc(nulls_last=True),
            "received_at",
            "id",
        )
    return queryset.order_by(urgent, "received_at", "id")


def referral_decisions(*, referral: Referral) -> list[Decision]:
    """Every decision on the referral, oldest first, amendments included."""
    return list(
        Decision.objects.filter(referral_id=referral.pk)
        .select_related("destination", "level_of_need", "decided_by", "amends")
        .order_by("decided_at", "id")
    )


def current_decision(*, referral: Referral) -> Decision | None:
    """The latest decision not amended by a later one."""
    return (
        referral.decisions.filter(amended_by__isnull=True)
        .select_related("destination", "level_of_need", "decided_by")
        .order_by("-decided_at", "-id")
        .first()
    )


@dataclass
class Candidate:
    person: Person
    score: float
    reasons: list[str] = field(default_factory=list)


def _candidates_query(rp: ReferralPerson, postcode: str) -> QuerySet[Person]:
    """Known people who may be `rp`, scored and ranked by the database, best MATCH_LIMIT first.
    Served by the NHS number and UPN unique indexes, the trigram indexes on names and the
    date-of-birth index."""
    condition = Q(last_name__trigram_similar=rp.last_name) & (
        Q(first_name__trigram_similar=rp.first_name) | Q(date_of_birth=rp.date_of_birth)
    )
    same_nhs = same_upn = same_dob = Value(False)
    if rp.date_of_birth:
        condition |= Q(date_of_birth=rp.date_of_birth) & Q(first_name__trigram_similar=rp.first_name)
        same_dob = Q(date_of_birth=rp.date_of_birth)
    if rp.nhs_number:
        condition |= Q(nhs_number=rp.nhs_number)
        same_nhs = Q(nhs_number=rp.nhs_number)
    if rp.upn:
        condition |= Q(upn=rp.upn)
        same_upn = Q(upn=rp.upn)
    same_postcode = (
        Exists(FamilyMembership.objects.filter(person=OuterRef("pk"), family__postcode=postcode))
        if postcode
        else Value(False)
    )

    def points(flag, weight: float):
        return Conditional(When(flag, then=Value(weight)), default=Value(0.0), output_field=FloatField())

    return (
        Person.objects.filter(condition)
        .annotate(
            for_referral_person=Value(rp.pk),
            similarity=(TrigramSimilarity("first_name", rp.first_name) + TrigramSimilarity("last_name", rp.last_name))
            / 2,
            same_nhs=ExpressionWrapper(same_nhs, output_field=BooleanField()),
            same_upn=ExpressionWrapper(same_upn, output_field=BooleanField()),
            same_dob=ExpressionWrapper(same_dob, output_field=BooleanField()),
            same_postcode=ExpressionWrapper(same_postcode, output_field=BooleanField()),
        )
        .annotate(
            score=F("similarity")
            + points(Q(same_nhs=True), 2)
            + points(Q(same_upn=True), 2)
            + points(Q(same_dob=True), 1)
            + points(Q(same_postcode=True), 0.5)
        )
        .order_by("-score", "id")[:MATCH_LIMIT]
    )


def _candidate(person: Person) -> Candidate:
    reasons = []
    if person.same_nhs:
        reasons.append("Same NHS number")
    if person.same_upn:
        reasons.append("Same Unique Pupil Number")
    if person.same_dob:
        reasons.append("Same date of birth")
    if person.similarity >= 0.99:
        reasons.append("Same name")
    elif person.similarity >= 0.3:
        reasons.append(f"Similar name ({person.similarity:.0%})")
    if person.same_postcode:
        reasons.append("Lives at the same postcode")
    return Candidate(person=person, score=person.score, reasons=reasons)


def people_candidates(referral_people: list[ReferralPerson], postcode: str = "") -> dict[int, list[Candidate]]:
    """For each of `referral_people` (by id), the known people who may be them, best first, each
    with why it matched. One query, however many people the referral names."""
    found: dict[int, list[Candidate]] = {rp.pk: [] for rp in referral_people}
    queries = [_candidates_query(rp, postcode) for rp in referral_people]
    if not queries:
        return found
    combined = queries[0].union(*queries[1:], all=True) if len(queries) > 1 else queries[0]
    for person in combined:
        found[person.for_referral_person].append(_candidate(person))
    for candidates in found.values():
        candidates.sort(key=lambda c: (-c.score, c.person.pk))
    return found


def person_candidates(referral_person: ReferralPerson, postcode: str = "") -> list[Candidate]:
    """Known people who may be this person, best first, each with why it matched. One query."""
    return people_candidates([referral_person], postcode)[referral_person.pk]


@dataclass
class FamilyHistory:
    referrals: list[Referral]
    cases: list[Case]
    re_referral_of: Case | None


def re_referral_case(*, referral: Referral) -> Case | None:
    """The closed case this referral is a re-referral of: the latest-closed case of the family the
    referral is linked to, or of a family of anyone it names who is linked to a known person, closed
    within RE_REFERRAL_WINDOW (12 months) before the referral was received. None when nothing is
    linked. One query (with the case's closure reason), the rule the triage page shows and the
    decision stores (`services.referral_decide`), so the two never disagree."""
    linked_people = ReferralPerson.objects.filter(referral_id=referral.pk, person__isnull=False).values("person_id")
    families = Q(family_id__in=FamilyMembership.objects.filter(person_id__in=linked_people).values("family_id"))
    if referral.family_id:
        families |= Q(family_id=referral.family_id)
    received = referral.received_at or timezone.now()
    return (
        Case.objects.filter(
            families,
            status=CaseStatus.CLOSED,
            closed_at__gte=received - RE_REFERRAL_WINDOW,
            closed_at__lte=received,
        )
        .select_related("closure_reason")
        .order_by("-closed_at", "-pk")
        .first()
    )


def family_history(*, referral: Referral) -> FamilyHistory:
    """Earlier referrals and cases of the families of everyone linked, and whether this is a
    re-referral within 12 months of a closed case: the link the decision stored, else the rule
    worked out now (`re_referral_case`; a referral not yet decided, or decided before links were
    stored)."""
    person_ids = [p.person_id for p in referral.people.all() if p.person_id]
    family_filter = Q(family__memberships__person_id__in=person_ids)
    if referral.family_id:
        family_filter |= Q(family_id=referral.family_id)
    if referral.re_referral_of_id:
        re_referral_of = referral.re_referral_of
    elif person_ids or referral.family_id:
        re_referral_of = re_referral_case(referral=referral)
    else:
        return FamilyHistory(referrals=[], cases=[], re_referral_of=None)
    earlier = list(
        Referral.objects.filter(family_filter)
        .exclude(pk=referral.pk)
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("referrer_agency")
        .distinct()
        .order_by("-received_at")[:20]
    )
    cases = list(
        Case.objects.filter(family_filter)
        .select_related("level_of_need", "lead_professional", "closure_reason")
        .distinct()
        .order_by("-opened_at")[:20]
    )
    return FamilyHistory(referrals=earlier, cases=cases, re_referral_of=re_referral_of)


def my_referrals(*, user: User) -> QuerySet[Referral]:
    """A referrer's referrals (drafts aside), newest first, with their people, decisions and letters."""
    return (
        Referral.objects.filter(referrer=user)
        .exclude(status=ReferralStatus.DRAFT)
        .prefetch_related(
            Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")),
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("destination")
                .prefetch_related(Prefetch("letter", queryset=ReferrerLetter.objects.defer("pdf")))
                .order_by("-decided_at", "-id"),
            ),
        )
        .order_by("-received_at", "-id")
    )


def my_referrals_rows(*, user: User) -> QuerySet[Referral]:
    """`my_referrals` with only what the "my referrals" page shows, as columns of each referral's
    row: the children's first names (`child_names`), the latest decision's outcome and destination
    (`outcome`, `destination_name`), and the letters' ids and dates, oldest first (`letter_ids`,
    `letter_dates`, and `letter_panel_decisions`: the panel decision a letter tells, or None for the
    front door's). One query a page, and no objects but the referrals."""
    children = ReferralPerson.objects.filter(referral=OuterRef("pk")).exclude(kind=Person.Kind.ADULT)
    latest = Decision.objects.filter(referral=OuterRef("pk")).order_by("-decided_at", "-id")
    # A letter replaced before it was sent never reached the referrer.
    letters = (
        ReferrerLetter.objects.filter(referral=OuterRef("pk"))
        .exclude(status=LetterStatus.REPLACED)
        .order_by("created_at", "id")
    )
    return (
        my_referrals(user=user)
        .prefetch_related(None)
        .only("reference", "status", "received_at")
        .annotate(
            child_names=ArraySubquery(children.order_by("kind", "id").values("first_name")),
            outcome=Subquery(latest.values("outcome")[:1]),
            destination_name=Subquery(latest.values("destination__name")[:1]),
            letter_ids=ArraySubquery(letters.values("id")),
            letter_dates=ArraySubquery(letters.values("created_at")),
            letter_panel_decisions=ArraySubquery(letters.values("panel_decision_id")),
        )
    )


def contacts_awaiting_confirmation(*, user: User) -> QuerySet[Referral]:
    """The phone and email contacts `user` recorded that are not yet confirmed in writing, oldest
    first, each with its children."""
    return (
        Referral.objects.filter(
            recorded_by=user,
            channel__in=[Channel.PHONE, Channel.EMAIL],
            confirmed_in_writing_at__isnull=True,
        )
        .exclude(status=ReferralStatus.DRAFT)
        .select_related("referrer_agency")
        .prefetch_related(
            Prefetch("people", queryset=ReferralPerson.objects.exclude(kind=Person.Kind.ADULT).order_by("id"))
        )
        .order_by("received_at", "id")
    )


def information_requests_open(*, user: User) -> QuerySet[InformationRequest]:
    """The requests to `user`'s agency, about referrals (MASH) and cases (the panel) alike, open ones
    first, then by due date; each with what it is about and who asked."""
    return (
        information_requests_for_user(user)
        .select_related("referral", "case", "requested_by")
        # Open ones first (PostgreSQL puts nulls last in ascending order), then by due date.
        .order_by(F("answered_at").asc(nulls_first=True), "due_at", "id")
    )


def queue_summary(*, now: datetime.datetime | None = None, due_soon: datetime.timedelta) -> dict[str, int]:
    """The duty managers' queue in numbers, in one query: referrals awaiting a decision, and each
    part of the queue (`QueueShow`, keyed by its value with "-" as "_"; see `_queue_conditions`)
    with the same conditions as the queue filtered to it, and those a duty manager is working on."""
    now = now or timezone.now()
    conditions = _queue_conditions(now, due_soon)
    parts = {show.replace("-", "_"): Count("pk", filter=condition) for show, condition in conditions.items()}
    return Referral.objects.filter(status__in=OPEN_STATUSES).aggregate(
        awaiting_decision=Count("pk", filter=Q(status=ReferralStatus.AWAITING_DECISION)),
        claimed=Count("pk", filter=Q(claimed_by__isnull=False)),
        **parts,
    )


def case_information_requests(*, case: Case) -> QuerySet[InformationRequest]:
    """The partner agencies asked about `case` before the panel, oldest first, with the agency
    (the index on case and requested_at serves it). One query, however many."""
    return (
        InformationRequest.objects.filter(case_id=case.pk)
        .select_related("agency")
        .only("agency__name", "question", "requested_at", "due_at", "answer", "answered_at", "case_id")
        .order_by("requested_at", "id")
    )


def case_referrals(*, case: Case) -> QuerySet:
    """The referrals that brought the family to this case, newest first, as rows of values with
    their latest decision's outcome and destination, and the reference of the closed case each is a
    re-referral of (stored at the decision)."""
    latest = Decision.objects.filter(referral=OuterRef("pk")).order_by("-decided_at", "-id")
    return (
        Referral.objects.filter(case_id=case.pk)
        .exclude(status=ReferralStatus.DRAFT)
        .order_by("-received_at", "-id")
        .values(
            *("id", "reference", "channel", "received_at", "referrer_relationship", "referrer_agency__name"),
            re_referral_of_reference=F("re_referral_of__reference"),
            outcome=Subquery(latest.values("outcome")[:1]),
            destination_name=Subquery(latest.values("destination__name")[:1]),
        )
    )


def people_known_by_identifier(referral_people: list[ReferralPerson]) -> dict[int, Person]:
    """The known person each not-yet-linked referral person is, by NHS number or Unique Pupil
    Number (exact identifiers, so the decision links them without asking): one query for them all."""
    unlinked = [rp for rp in referral_people if rp.person_id is None and (rp.nhs_number or rp.upn)]
    nhs_numbers = {rp.nhs_number for rp in unlinked if rp.nhs_number}
    upns = {rp.upn for rp in unlinked if rp.upn}
    if not unlinked:
        return {}
    known = list(Person.objects.filter(Q(nhs_number__in=nhs_numbers) | Q(upn__in=upns)))
    by_nhs = {p.nhs_number: p for p in known if p.nhs_number}
    by_upn = {p.upn: p for p in known if p.upn}
    found = {}
    for rp in unlinked:
        person = by_nhs.get(rp.nhs_number) if rp.nhs_number else None
        person = person or (by_upn.get(rp.upn) if rp.upn else None)
        if person is not None:
            found[rp.pk] = person
    return found


def letters_to_post() -> QuerySet[ReferrerLetter]:
    """The letters the front door is to post, or tell the referrer by phone (they gave no email
    address, or the email could not be sent), oldest first, each with its referral and decision and
    when its 72-hour clock falls due (`tell_by`, None once met; None for a letter about the Early Help
    Panel's decision, which has no clock of its own: it goes as soon as it can)."""
    clock = Deadline.objects.filter(
        timescale__code="referrer-letter",
        subject_type="referral",
        subject_id=OuterRef("referral_id"),
        met_at__isnull=True,
        cancelled_at__isnull=True,
    ).values("due_at")[:1]
    return (
        ReferrerLetter.objects.filter(status=LetterStatus.TO_POST)
        .select_related("referral", "decision")
        .defer("pdf")
        .annotate(tell_by=Conditional(When(decision__isnull=False, then=Subquery(clock))))
        .order_by("created_at", "id")
    )


def letters_to_post_count() -> int:
    """How many letters wait to be posted or phoned (the partial index `letter_to_post_idx`)."""
    return ReferrerLetter.objects.filter(status=LetterStatus.TO_POST).count()


REFERRAL_FIGURES_CACHE_KEY = "front_door:referral-figures:v1"


def referral_figures() -> dict:
    """The analysts' referral counts for the 12 months to today (`referral_figures_count`), kept
    for FIGURES_CACHE_SECONDS as the shared record's figures are (`cases.selectors.case_figures`)."""
    if settings.FIGURES_CACHE_SECONDS <= 0:
        return referral_figures_count()
    figures = cache.get(REFERRAL_FIGURES_CACHE_KEY)
    if figures is None:
        figures = referral_figures_count()
        cache.set(REFERRAL_FIGURES_CACHE_KEY, figures, settings.FIGURES_CACHE_SECONDS)
    return figures


def referral_figures_count(*, since: datetime.datetime | None = None, until: datetime.datetime | None = None) -> dict:
    """Counts only, no names: the referrals received in the period (by default the 12 months to
    now) and, among them, the re-referrals within 12 months of a closed case (the link the decision
    stored). One query."""
    until = until or timezone.now()
    since = since or until - RE_REFERRAL_WINDOW
    counts = Referral.objects.filter(received_at__gte=since, received_at__lt=until).aggregate(
        received=Count("id"),
        re_referrals=Count("id", filter=Q(re_referral_of__isnull=False)),
    )
    return {**counts, "since": since, "until": until, "counted_at": timezone.now()}
