"""Reads of subject access: the requests, and the inventory of everything held about one person.

The inventory is a list of groups (`GROUPS`), each one kind of record (`ItemType`) read by one
queryset scoped to the person: the person, the families they belong to (and so each family's cases),
and the referrals that name them. Each record becomes an `Item`: a title, a date, its fields as
words, and whether it is likely to name a third party. The redaction page reads a page of one group
at a time (two queries); the export walks every group with `.iterator()` in chunks.

Who viewed the record (the access log) is not an item: its rows name practitioners doing their job
and are given in full (in the JSON) and summarised per person and kind of record (in the PDF), read
by `access_rows` and `access_summary`."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db.models import Count, Max, Min, Q, QuerySet
from django.utils import dateformat, timezone

from assessments.assessment_forms import TRIANGLE, section_form
from assessments.models import (
    PER_PERSON_SECTIONS,
    Assessment,
    AssessmentSection,
    FamilyGroupConference,
    Plan,
    PlanAction,
    Reading,
    Review,
    SectionKind,
    TafMeeting,
)
from cases.models import (
    AccessLog,
    Case,
    ChronologyEntry,
    Consent,
    Family,
    IdentifiedNeed,
    LevelOfNeed,
    Person,
    Relationship,
)
from front_door.models import Decision, Handover, InformationRequest, Referral, ReferrerLetter
from outcomes.models import Closure
from panels.models import PanelDecision

from .models import ItemType, Redaction, SubjectAccessRequest


def requests_list() -> QuerySet[SubjectAccessRequest]:
    """Every request, newest first, with its person and who opened it (one query a page)."""
    return SubjectAccessRequest.objects.select_related("person", "opened_by").order_by("-opened_at", "-id")


@dataclass(frozen=True)
class Scope:
    """Whose record, and the families, cases and referrals it reaches (read once, two queries)."""

    person: Person
    family_ids: tuple[int, ...]
    case_ids: tuple[int, ...]

    @property
    def referrals(self) -> Q:
        return Q(people__person_id=self.person.pk) | Q(family_id__in=self.family_ids) | Q(case_id__in=self.case_ids)


def scope_of(person: Person) -> Scope:
    family_ids = tuple(person.memberships.values_list("family_id", flat=True).order_by("family_id"))
    case_ids = tuple(Case.objects.filter(family_id__in=family_ids).values_list("pk", flat=True).order_by("pk"))
    return Scope(person=person, family_ids=family_ids, case_ids=case_ids)


@dataclass
class Item:
    type: str
    id: int
    title: str
    when: datetime.date | datetime.datetime | None
    fields: list[tuple[str, str]] = field(default_factory=list)
    third_party: bool = False

    @property
    def key(self) -> str:
        return f"{self.type}:{self.id}"

    @property
    def excerpt(self) -> str:
        words = "; ".join(f"{label}: {value}" for label, value in self.fields if value)
        return words if len(words) <= 400 else words[:399] + "…"


@dataclass(frozen=True)
class Group:
    key: str
    title: str
    item_type: str
    rows: Callable[[Scope], QuerySet]
    item: Callable[[Any, Scope], Item]
    # The export's item, where it reads more than the redaction page shows (None: `item`).
    full: Callable[[Any, Scope], Item] | None = None
    # A lookup the group's items share, made once per page or export and given to `item` and `full`
    # as `shared` (None: they take none). It lives as long as the call: nothing is kept across requests.
    shared: Callable[[], Any] | None = None


def _name(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _words(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime.datetime):
        return dateformat.format(timezone.localtime(value), "j F Y, g:ia")
    if isinstance(value, datetime.date):
        return dateformat.format(value, "j F Y")
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k.replace('_', ' ')}: {_words(v)}" for k, v in value.items())
    return str(value)


def _person_item(person: Person, scope: Scope) -> Item:
    own = person.pk == scope.person.pk
    return Item(
        ItemType.PERSON,
        person.pk,
        person.full_name if own else f"Another person: {person.full_name}",
        person.date_of_birth,
        [
            ("Name", person.full_name),
            ("Other names", person.other_names),
            ("Kind", person.get_kind_display()),
            ("Date of birth", _words(person.date_of_birth)),
            ("Expected date of birth", _words(person.expected_date_of_birth)),
            ("Gender", person.get_gender_display()),
            ("Ethnicity", person.get_ethnicity_display()),
            ("First language", person.first_language),
            ("Interpreter needed", _words(person.interpreter_needed)),
            ("Disability", person.disability),
            ("Special educational needs", person.get_send_support_display() if person.send_support else ""),
            ("NHS number", person.nhs_number),
            ("Unique Pupil Number", person.upn),
            ("Local ID", person.local_id),
            ("School or setting", person.school.name if person.school_id else person.school_name),
            ("Phone", person.phone),
            ("Email", person.email),
            ("Address", person.address),
            ("Do not contact", _words(person.do_not_contact) if person.do_not_contact else ""),
        ],
        third_party=not own,
    )


def _family_item(family: Family, scope: Scope) -> Item:
    return Item(
        ItemType.FAMILY,
        family.pk,
        family.name,
        family.created_at,
        [
            ("Name", family.name),
            ("Address", family.address),
            ("Locality", family.locality.name if family.locality_id else ""),
        ],
    )


def _relationship_item(rel: Relationship, scope: Scope) -> Item:
    words = f"{rel.related_person.full_name} is {rel.get_kind_display().lower()} of {rel.person.full_name}"
    return Item(ItemType.RELATIONSHIP, rel.pk, words, None, [("Relationship", words)])


def _referral_item(referral: Referral, scope: Scope) -> Item:
    referrer = referral.referrer_name or _name(referral.referrer)
    return Item(
        ItemType.REFERRAL,
        referral.pk,
        f"Referral {referral.reference or referral.pk}",
        referral.received_at or referral.created_at,
        [
            ("Reference", referral.reference or ""),
            ("Status", referral.get_status_display()),
            ("How it came", referral.get_channel_display()),
            ("Referrer", referrer),
            ("Referrer's role", referral.referrer_role),
            ("Referrer's agency", referral.referrer_agency.name if referral.referrer_agency_id else ""),
            (
                "Referrer's relationship",
                referral.get_referrer_relationship_display() if referral.referrer_relationship else "",
            ),
            (
                "Address",
                ", ".join(
                    p for p in [referral.address_line_1, referral.address_line_2, referral.town, referral.postcode] if p
                ),
            ),
            ("Concerns", referral.concerns),
            ("What has been tried before", referral.tried_before),
            ("What the referrer hopes for", referral.expected_outcome),
            ("People named", ", ".join(p.first_name + " " + p.last_name for p in referral.people.all())),
        ],
        # A referrer who is not a practitioner (a neighbour, a relative) is a third party.
        third_party=bool(referral.referrer_name or referral.referrer_relationship) or len(referral.people.all()) > 1,
    )


def _decision_item(decision: Decision, scope: Scope) -> Item:
    return Item(
        ItemType.DECISION,
        decision.pk,
        f"Decision on referral {decision.referral.reference or decision.referral_id}: {decision.get_outcome_display()}",
        decision.decided_at,
        [
            ("Outcome", decision.get_outcome_display()),
            ("Level of need", decision.level_of_need.name),
            ("Reason", decision.reason),
            ("Decided by", _name(decision.decided_by)),
        ],
    )


def _letter_item(letter: ReferrerLetter, scope: Scope) -> Item:
    return Item(
        ItemType.LETTER,
        letter.pk,
        f"Letter to the referrer about referral {letter.referral.reference or letter.referral_id}: {letter.kind_label}",
        letter.created_at,
        [
            ("About", letter.kind_label),
            ("Status", letter.get_status_display()),
            ("Sent", _words(letter.sent_at)),
            ("The letter", f"letters/letter-{letter.pk}.pdf in this export"),
        ],
        # A letter to the referrer names the referrer.
        third_party=True,
    )


def _case_item(case: Case, scope: Scope) -> Item:
    return Item(
        ItemType.CASE,
        case.pk,
        f"Case {case.reference}",
        case.opened_at,
        [
            ("Reference", case.reference),
            ("Kind", case.get_kind_display()),
            ("Status", case.get_status_display()),
            ("Level of need", case.level_of_need.name),
            ("Lead agency", case.lead_agency.name if case.lead_agency_id else ""),
            ("Lead professional", _name(case.lead_professional)),
            ("Opened", _words(case.opened_at)),
            ("Closed", _words(case.closed_at)),
            ("Closure summary", case.closure_summary),
            ("Note for the panel", case.panel_note),
        ],
    )


def _chronology_item(entry: ChronologyEntry, scope: Scope) -> Item:
    return Item(
        ItemType.CHRONOLOGY,
        entry.pk,
        entry.summary,
        entry.occurred_at,
        [
            ("Kind", entry.get_kind_display()),
            ("Case", entry.case.reference if entry.case_id else ""),
            ("Summary", entry.summary),
            ("Note", entry.body),
            ("Written by", _name(entry.author)),
            ("Agency", entry.author_agency.name if entry.author_agency_id else ""),
        ],
        third_party=entry.kind != ChronologyEntry.Kind.EVENT,  # a practitioner's free text
    )


def _consent_item(consent: Consent, scope: Scope) -> Item:
    return Item(
        ItemType.CONSENT,
        consent.pk,
        f"{consent.get_scope_display()}: {consent.get_status_display()} ({consent.person.full_name})",
        consent.decided_on,
        [
            ("Whose consent", consent.person.full_name),
            ("For", consent.get_scope_display()),
            ("Agency", consent.agency.name if consent.agency_id else ""),
            ("Decision", consent.get_status_display()),
            ("Evidence", consent.get_evidence_display() if consent.evidence else ""),
            ("Decided on", _words(consent.decided_on)),
            ("Why not sought", consent.not_sought_reason),
            ("Witness", consent.witness),
            ("Capacity judgement", consent.capacity_judgement),
            ("Recorded by", _name(consent.recorded_by)),
        ],
        third_party=consent.person_id != scope.person.pk,
    )


def _assessment_item(assessment: Assessment, scope: Scope) -> Item:
    return Item(
        ItemType.ASSESSMENT,
        assessment.pk,
        f"Early help assessment of case {assessment.case.reference}, version {assessment.version}",
        assessment.started_at,
        [
            ("Status", assessment.get_status_display()),
            ("Started by", _name(assessment.started_by)),
            ("Submitted", _words(assessment.submitted_at)),
            ("Decided", _words(assessment.decided_at)),
            ("Manager's note", assessment.decision_note),
            ("Decision", assessment.get_outcome_display() if assessment.outcome else ""),
        ],
    )


class SectionWords:
    """Each kind of assessment section's questions in words, and the levels of need by name, shared by
    the sections of one page or export. A section's own form names its questions, but the reason
    section's form reads the levels of need each time it is built: so a form is built once per kind
    (and per person, for the sections per person, whose questions name them) and the levels are read
    once (all of them, a level no longer offered too): at most two queries however many sections."""

    def __init__(self) -> None:
        self._questions: dict[tuple[str, int | None], list[tuple[str, str, dict[str, str]]]] = {}
        self._levels: dict[str, str] | None = None

    def questions(self, section: AssessmentSection) -> list[tuple[str, str, dict[str, str]]]:
        """The section's questions: each answer's key, its question and its choices' words by value."""
        key = (section.kind, section.person_id if section.kind in PER_PERSON_SECTIONS else None)
        if key not in self._questions:
            questions = []
            for name, form_field in section_form(section).fields.items():
                if name == "completed":
                    continue
                choices = {str(k): str(v) for k, v in getattr(form_field, "choices", []) or []}
                if name == "level_of_need":
                    choices = {**choices, **self.levels()}
                questions.append((name, str(form_field.label), choices))
            self._questions[key] = questions
        return self._questions[key]

    def levels(self) -> dict[str, str]:
        if self._levels is None:
            self._levels = dict(LevelOfNeed.objects.values_list("code", "name"))
        return self._levels


def _section_fields(section: AssessmentSection, words: SectionWords, *, full: bool) -> list[tuple[str, str]]:
    """The section's answers under their questions, in words. The child's domains give every
    dimension in the export (`full`), and only those with something recorded on the redaction page."""
    answers = section.answers or {}
    if section.kind == SectionKind.CHILD_DOMAINS:
        fields = []
        for _code, title, dimensions in TRIANGLE:
            for code, dimension in dimensions:
                strengths, needs = answers.get(f"{code}_strengths"), answers.get(f"{code}_needs")
                worry = answers.get(f"{code}_worry")
                if not full and not strengths and not needs and worry in (None, ""):
                    continue
                fields.append(
                    (
                        f"{title}: {dimension}",
                        f"Strengths: {strengths or 'None recorded'}. "
                        f"Needs: {needs or 'None recorded'}. "
                        f"Worry rating: {worry if worry not in (None, '') else 'Not rated'} out of 10",
                    )
                )
        return fields
    if section.kind == SectionKind.NEEDS:
        return [("Needs", "Each need the assessment identified is under Identified needs")]
    fields = []
    for name, question, choices in words.questions(section):
        value = answers.get(name)
        fields.append((question, _words(choices.get(str(value), value) if choices else value)))
    return fields


def _section_item(section: AssessmentSection, scope: Scope, shared: SectionWords | None = None) -> Item:
    """The section, its answers under their questions in words (`shared`: the page's `SectionWords`)."""
    return _section(section, scope, shared or SectionWords(), full=False)


def _section_item_full(section: AssessmentSection, scope: Scope, shared: SectionWords | None = None) -> Item:
    """The section for the export: as the redaction page has it, every dimension of the child's domains."""
    return _section(section, scope, shared or SectionWords(), full=True)


def _section(section: AssessmentSection, scope: Scope, words: SectionWords, *, full: bool) -> Item:
    about = f" ({section.person.full_name})" if section.person_id else ""
    return Item(
        ItemType.ASSESSMENT_SECTION,
        section.pk,
        f"Assessment of case {section.assessment.case.reference} v{section.assessment.version}: "
        f"{section.get_kind_display()}{about}",
        section.updated_at,
        _section_fields(section, words, full=full),
        # A section about another member of the family, or family-wide free text.
        third_party=section.person_id is None or section.person_id != scope.person.pk,
    )


def _need_item(need: IdentifiedNeed, scope: Scope) -> Item:
    return Item(
        ItemType.NEED,
        need.pk,
        f"{need.area.name}: {need.description[:80]}",
        need.recorded_at,
        [
            ("About", need.person.full_name if need.person_id else "The whole family"),
            ("Area", need.area.name),
            ("Need", need.description),
            ("Status", need.get_status_display()),
            ("Note", need.status_note),
        ],
        third_party=need.person_id is not None and need.person_id != scope.person.pk,
    )


def _plan_item(plan: Plan, scope: Scope) -> Item:
    return Item(
        ItemType.PLAN,
        plan.pk,
        f"Family plan of case {plan.case.reference}",
        plan.agreed_on or plan.created_at,
        [
            ("Outcomes", " | ".join(outcome.text for outcome in plan.outcomes.all())),
            ("Contingency plan", plan.contingency_plan),
            ("Exit plan", plan.exit_plan),
            ("Agreed on", _words(plan.agreed_on)),
        ],
    )


def _action_item(action: PlanAction, scope: Scope) -> Item:
    owner = action.owner_person.full_name if action.owner_person_id else _name(action.owner_user)
    return Item(
        ItemType.PLAN_ACTION,
        action.pk,
        f"Action: {action.what[:80]}",
        action.due_on,
        [
            ("What", action.what),
            ("Who", owner),
            ("Due", _words(action.due_on)),
            ("How progress is measured", action.measure),
            ("Status", action.get_status_display()),
        ],
    )


def _meeting_item(meeting: TafMeeting, scope: Scope) -> Item:
    return Item(
        ItemType.TAF_MEETING,
        meeting.pk,
        f"Team Around the Family meeting of case {meeting.case.reference}",
        meeting.starts_at,
        [
            ("Status", meeting.get_status_display()),
            ("Where", meeting.place),
            ("Minutes", meeting.minutes),
            ("Decisions", meeting.decisions),
            ("Changes to the plan", meeting.plan_changes),
            ("Why cancelled", meeting.cancelled_reason),
        ],
        third_party=bool(meeting.minutes),
    )


def _review_item(review: Review, scope: Scope) -> Item:
    return Item(
        ItemType.REVIEW,
        review.pk,
        f"Review {review.number} of case {review.case.reference}",
        review.held_on,
        [
            ("Held on", _words(review.held_on)),
            ("Progress overall", review.summary),
            ("The family's view", review.family_view),
            ("Decision", review.get_decision_display()),
            ("Decision note", review.decision_note),
            ("Recorded by", _name(review.recorded_by)),
        ],
    )


def _closure_item(closure: Closure, scope: Scope) -> Item:
    return Item(
        ItemType.CLOSURE,
        closure.pk,
        f"Closure of case {closure.case.reference}: {closure.get_status_display()}",
        closure.requested_at,
        [
            ("Status", closure.get_status_display()),
            ("Requested by", _name(closure.requested_by)),
            ("Where the family went", closure.destination.name),
            ("The family's feedback", closure.feedback_words),
            ("Manager's note", closure.manager_note),
            ("Decided", _words(closure.decided_at)),
        ],
    )


def _information_request_item(asked: InformationRequest, scope: Scope) -> Item:
    return Item(
        ItemType.INFORMATION_REQUEST,
        asked.pk,
        f"Request to {asked.agency.name}",
        asked.requested_at,
        [
            ("Asked of", asked.agency.name),
            ("Question", asked.question),
            ("Asked by", _name(asked.requested_by)),
            ("Answer", asked.answer),
            ("Answered by", _name(asked.answered_by)),
            ("Answered", _words(asked.answered_at)),
        ],
        # A partner's answer is its practitioners' account, often of others.
        third_party=bool(asked.answer),
    )


def _panel_decision_item(decision: PanelDecision, scope: Scope) -> Item:
    return Item(
        ItemType.PANEL_DECISION,
        decision.pk,
        f"Early Help Panel decision on case {decision.item.case.reference}: {decision.get_outcome_display()}",
        decision.decided_at,
        [
            ("Outcome", decision.get_outcome_display()),
            ("Lead agency", decision.lead_agency.name if decision.lead_agency_id else ""),
            ("Reason", decision.reason),
            ("Why it was amended", decision.amendment_reason),
            ("Decided by", _name(decision.decided_by)),
        ],
    )


def _handover_item(handover: Handover, scope: Scope) -> Item:
    return Item(
        ItemType.HANDOVER,
        handover.pk,
        handover.get_direction_display(),
        handover.made_at,
        [
            ("Direction", handover.get_direction_display()),
            ("Reason", handover.reason),
            ("Handover summary", handover.summary),
            ("Social care worker", handover.social_worker),
            ("Social care team", handover.social_care_team),
        ],
    )


def _conference_item(conference: FamilyGroupConference, scope: Scope) -> Item:
    return Item(
        ItemType.CONFERENCE,
        conference.pk,
        f"Family group conference of case {conference.case.reference}",
        conference.offered_on,
        [
            ("Offered on", _words(conference.offered_on)),
            ("The family's answer", conference.get_response_display()),
            ("Held on", _words(conference.held_on)),
            ("Who attended", conference.attended),
            ("The family's plan", conference.family_plan),
        ],
        third_party=bool(conference.attended),
    )


def _reading_item(reading: Reading, scope: Scope) -> Item:
    return Item(
        ItemType.READING,
        reading.pk,
        f"{reading.tool.name} reading" + (f" about {reading.person.full_name}" if reading.person_id else ""),
        reading.taken_on,
        [
            ("Scores", ", ".join(f"{score.area.name}: {score.value}" for score in reading.scores.all())),
            ("Note", reading.note),
            ("Recorded by", _name(reading.recorded_by)),
        ],
        third_party=reading.person_id is not None and reading.person_id != scope.person.pk,
    )


GROUPS: list[Group] = [
    Group(
        "person",
        "Their details",
        ItemType.PERSON,
        lambda s: Person.objects.filter(pk=s.person.pk).select_related("school"),
        _person_item,
    ),
    Group(
        "families",
        "Families",
        ItemType.FAMILY,
        lambda s: Family.objects.filter(pk__in=s.family_ids).select_related("locality").order_by("pk"),
        _family_item,
    ),
    Group(
        "members",
        "Other family members",
        ItemType.PERSON,
        lambda s: (
            Person.objects.filter(memberships__family_id__in=s.family_ids)
            .exclude(pk=s.person.pk)
            .select_related("school")
            .distinct()
            .order_by("last_name", "first_name", "pk")
        ),
        _person_item,
    ),
    Group(
        "relationships",
        "Relationships",
        ItemType.RELATIONSHIP,
        lambda s: (
            Relationship.objects.filter(Q(person=s.person) | Q(related_person=s.person))
            .select_related("person", "related_person")
            .order_by("pk")
        ),
        _relationship_item,
    ),
    Group(
        "referrals",
        "Referrals",
        ItemType.REFERRAL,
        lambda s: (
            Referral.objects.filter(s.referrals)
            .exclude(status="draft")
            .select_related("referrer", "referrer_agency")
            .prefetch_related("people")
            .distinct()
            .order_by("created_at", "pk")
        ),
        _referral_item,
    ),
    Group(
        "decisions",
        "Front door decisions",
        ItemType.DECISION,
        lambda s: (
            Decision.objects.filter(referral__in=Referral.objects.filter(s.referrals).values("pk"))
            .select_related("referral", "level_of_need", "decided_by")
            .order_by("decided_at", "pk")
        ),
        _decision_item,
    ),
    Group(
        "information",
        "Requests to partner agencies",
        ItemType.INFORMATION_REQUEST,
        lambda s: (
            InformationRequest.objects.filter(
                Q(referral__in=Referral.objects.filter(s.referrals).values("pk")) | Q(case_id__in=s.case_ids)
            )
            .select_related("agency", "requested_by", "answered_by")
            .order_by("requested_at", "pk")
        ),
        _information_request_item,
    ),
    Group(
        "letters",
        "Letters",
        ItemType.LETTER,
        lambda s: (
            ReferrerLetter.objects.filter(referral__in=Referral.objects.filter(s.referrals).values("pk"))
            .select_related("referral")
            .defer("pdf")
            .order_by("created_at", "pk")
        ),
        _letter_item,
    ),
    Group(
        "cases",
        "Cases",
        ItemType.CASE,
        lambda s: (
            Case.objects.filter(pk__in=s.case_ids)
            .select_related("level_of_need", "lead_agency", "lead_professional")
            .order_by("opened_at", "pk")
        ),
        _case_item,
    ),
    Group(
        "panel",
        "Early Help Panel decisions",
        ItemType.PANEL_DECISION,
        lambda s: (
            PanelDecision.objects.filter(item__case_id__in=s.case_ids)
            .select_related("item__case", "lead_agency", "decided_by")
            .order_by("decided_at", "pk")
        ),
        _panel_decision_item,
    ),
    Group(
        "handovers",
        "Handovers with children's social care",
        ItemType.HANDOVER,
        lambda s: Handover.objects.filter(
            Q(case_id__in=s.case_ids) | Q(referral__in=Referral.objects.filter(s.referrals).values("pk"))
        ).order_by("made_at", "pk"),
        _handover_item,
    ),
    Group(
        "chronology",
        "Chronology and case notes",
        ItemType.CHRONOLOGY,
        lambda s: (
            ChronologyEntry.objects.filter(family_id__in=s.family_ids)
            .select_related("case", "author", "author_agency")
            .order_by("occurred_at", "pk")
        ),
        _chronology_item,
    ),
    Group(
        "consents",
        "Consent",
        ItemType.CONSENT,
        lambda s: (
            Consent.objects.filter(family_id__in=s.family_ids)
            .select_related("person", "agency", "recorded_by")
            .order_by("recorded_at", "pk")
        ),
        _consent_item,
    ),
    Group(
        "assessments",
        "Assessments",
        ItemType.ASSESSMENT,
        lambda s: (
            Assessment.objects.filter(case_id__in=s.case_ids)
            .select_related("case", "started_by")
            .order_by("started_at", "pk")
        ),
        _assessment_item,
    ),
    Group(
        "sections",
        "Assessment sections",
        ItemType.ASSESSMENT_SECTION,
        lambda s: (
            AssessmentSection.objects.filter(assessment__case_id__in=s.case_ids)
            .exclude(status="not_started")
            .select_related("assessment__case", "person")
            .order_by("assessment_id", "pk")
        ),
        _section_item,
        _section_item_full,
        SectionWords,
    ),
    Group(
        "needs",
        "Identified needs",
        ItemType.NEED,
        lambda s: (
            IdentifiedNeed.objects.filter(case_id__in=s.case_ids)
            .select_related("person", "area")
            .order_by("recorded_at", "pk")
        ),
        _need_item,
    ),
    Group(
        "plans",
        "Family plans",
        ItemType.PLAN,
        lambda s: (
            Plan.objects.filter(case_id__in=s.case_ids)
            .select_related("case")
            .prefetch_related("outcomes")
            .order_by("created_at", "pk")
        ),
        _plan_item,
    ),
    Group(
        "actions",
        "Plan actions",
        ItemType.PLAN_ACTION,
        lambda s: (
            PlanAction.objects.filter(case_id__in=s.case_ids)
            .select_related("owner_person", "owner_user")
            .order_by("due_on", "pk")
        ),
        _action_item,
    ),
    Group(
        "meetings",
        "Team Around the Family meetings",
        ItemType.TAF_MEETING,
        lambda s: TafMeeting.objects.filter(case_id__in=s.case_ids).select_related("case").order_by("starts_at", "pk"),
        _meeting_item,
    ),
    Group(
        "conferences",
        "Family group conferences",
        ItemType.CONFERENCE,
        lambda s: (
            FamilyGroupConference.objects.filter(case_id__in=s.case_ids)
            .select_related("case")
            .order_by("offered_on", "pk")
        ),
        _conference_item,
    ),
    Group(
        "reviews",
        "Reviews",
        ItemType.REVIEW,
        lambda s: (
            Review.objects.filter(case_id__in=s.case_ids)
            .select_related("case", "recorded_by")
            .order_by("held_on", "pk")
        ),
        _review_item,
    ),
    Group(
        "readings",
        "Outcome tool readings",
        ItemType.READING,
        lambda s: (
            Reading.objects.filter(case_id__in=s.case_ids)
            .select_related("tool", "person", "recorded_by")
            .prefetch_related("scores__area")
            .order_by("taken_on", "pk")
        ),
        _reading_item,
    ),
    Group(
        "closures",
        "Closures",
        ItemType.CLOSURE,
        lambda s: (
            Closure.objects.filter(case_id__in=s.case_ids)
            .select_related("case", "requested_by", "destination")
            .order_by("requested_at", "pk")
        ),
        _closure_item,
    ),
]
GROUPS_BY_KEY = {group.key: group for group in GROUPS}

# The export reads each group in chunks of this many rows (prefetches run per chunk).
CHUNK = 500


def _maker(group: Group, *, full: bool) -> Callable[[Any, Scope], Item]:
    """The group's item (the export's, if `full`), with a lookup of its own if the group shares one."""
    make = (group.full or group.item) if full else group.item
    return make if group.shared is None else partial(make, shared=group.shared())


def page_items(group: Group, rows: Iterable, scope: Scope) -> list[Item]:
    """The redaction page's items of these rows of `group` (its lookup read once for them all)."""
    make = _maker(group, full=False)
    return [make(row, scope) for row in rows]


def group_items(group: Group, scope: Scope) -> Iterator[Item]:
    """Every item of `group`, read in chunks: memory stays flat however many there are."""
    make = _maker(group, full=True)
    for row in group.rows(scope).iterator(chunk_size=CHUNK):
        yield make(row, scope)


def items_by_key(scope: Scope, keys: Iterable[tuple[str, int]]) -> dict[tuple[str, int], Item]:
    """The items of the person's record named by these (type, id) keys, by key: each group of a
    kind asked for reads those ids (a query a group, and its prefetches). A key outside the record
    is not found."""
    wanted: dict[str, set[int]] = {}
    for item_type, item_id in keys:
        wanted.setdefault(str(item_type), set()).add(int(item_id))
    found: dict[tuple[str, int], Item] = {}
    for group in GROUPS:
        ids = wanted.get(group.item_type)
        if ids:
            for item in page_items(group, group.rows(scope).filter(pk__in=ids), scope):
                found[(str(item.type), item.id)] = item
    return found


def redactions_for(request: SubjectAccessRequest, items: list[Item]) -> dict[str, Redaction]:
    """The redactions of these items, by `Item.key` (one query)."""
    if not items:
        return {}
    wanted = Q()
    for item in items:
        wanted |= Q(item_type=item.type, item_id=item.id)
    return {
        f"{r.item_type}:{r.item_id}": r
        for r in Redaction.objects.filter(wanted, request=request).select_related("marked_by")
    }


def access_rows(scope: Scope) -> QuerySet[AccessLog]:
    """Who viewed the record: every log row naming the person or one of their families' cases, oldest
    first. (Not `cases.selectors.person_viewers`: its join through the family's memberships repeats a
    row naming both the person and a case once per member of the family.)"""
    return (
        AccessLog.objects.filter(Q(person_id=scope.person.pk) | Q(case_id__in=scope.case_ids))
        .select_related("user", "user__agency", "case")
        .order_by("at", "pk")
    )


def access_summary(scope: Scope) -> QuerySet:
    """Who viewed the record, a row per person, action and kind of record: how many times, first and
    last (one query, however many rows: the PDF's table and the request's page)."""
    return (
        AccessLog.objects.filter(Q(person_id=scope.person.pk) | Q(case_id__in=scope.case_ids))
        .values("user__first_name", "user__last_name", "user__username", "user__agency__name", "action", "record_type")
        .annotate(times=Count("id"), first_at=Min("at"), last_at=Max("at"))
        .order_by("-last_at", "user__username", "action", "record_type")
    )
