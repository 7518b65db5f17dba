"""Who may see what of the front door: the one place that decides, for pages and the API alike.

- A referral: the front door (duty managers and contact officers) sees every referral that was
  sent, and the drafts it is recording itself; anyone else only the referrals they made. Only duty
  managers triage (claim, match, decide, amend); only a practitioner of an agency edits their own
  unsent web referral.
- A referrer's outcome letter: the referrer who made the referral, and duty managers; a letter to
  post or phone, the front door (duty managers and contact officers), who print and send it.
- A request to a partner agency (a MASH enquiry about a referral, or the panel's request about a
  case): the practitioners of the agency asked. Analysts and administrators are not practitioners
  and see none. Who asks the panel's requests: `may_ask_partners_about_case`.

Each record reaches a user only through its `*_get_for_user` function, which logs the view (naming
the case and every known child the referral names, so the view is in each child's access log) or
the refusal, and answers 404 alike for "missing" and "not yours".
"""

from __future__ import annotations

from django.db.models import Case as Conditional
from django.db.models import Q, QuerySet, Value, When
from django.http import Http404, HttpRequest

from cases.access import register_record_kind
from cases.audit import RecordType, Subject, fetch_logged, people_ids
from cases.models import AccessLog, Case, FamilyMembership, Person, User
from cases.permissions import CHANGE_CASE, VIEW_CASE, case_get_for_user, user_has_case_perm
from cases.roles import FRONT_DOOR_ROLES, Role

from .models import (
    Channel,
    InformationRequest,
    LetterStatus,
    Referral,
    ReferralPerson,
    ReferralStatus,
    ReferrerLetter,
)

VIEW_REFERRAL = "view_referral"
TRIAGE_REFERRAL = "triage_referral"
EDIT_REFERRAL_DRAFT = "edit_referral_draft"
DOWNLOAD_LETTER = "download_letter"
# A letter to post or phone: the front door (duty managers and contact officers) prints it and
# records that the referrer was told.
SEND_LETTER = "send_letter"
PRINT_LETTER = "print_letter"
# How a look at a letter is logged: a download is an export of the family's record, a print a print.
LETTER_ACTIONS = {
    DOWNLOAD_LETTER: AccessLog.Action.EXPORT,
    PRINT_LETTER: AccessLog.Action.PRINT,
    SEND_LETTER: AccessLog.Action.VIEW,
}
CONFIRM_CONTACT = "confirm_contact"
ANSWER_INFORMATION_REQUEST = "answer_information_request"
# Asking partner agencies about a case before the panel (`case_to_ask_partners_get_for_user`).
ASK_PARTNERS = "ask_partners"
# A referrer's own sent referral, read-only ("my referrals"): nobody else's, whatever their role.
VIEW_OWN_REFERRAL = "view_own_referral"
REFERRAL_PERMS = (VIEW_REFERRAL, TRIAGE_REFERRAL, EDIT_REFERRAL_DRAFT, VIEW_OWN_REFERRAL)


def is_front_door(user: User) -> bool:
    return user.is_authenticated and user.has_role(*FRONT_DOOR_ROLES)


def is_duty_manager(user: User) -> bool:
    return user.is_authenticated and user.has_role(Role.DUTY_MANAGER)


def referral_access_filter(user: User, perm: str = VIEW_REFERRAL) -> Q:
    """A filter on Referral for the referrals `user` holds `perm` on."""
    if perm not in REFERRAL_PERMS:
        raise ValueError(f"unknown referral permission {perm}")
    nothing = Q(pk__in=[])
    if not user.is_authenticated or not user.is_active:
        return nothing
    sent = ~Q(status=ReferralStatus.DRAFT)
    if perm == TRIAGE_REFERRAL:
        return sent if is_duty_manager(user) else nothing
    if perm == VIEW_OWN_REFERRAL:
        return Q(referrer_id=user.pk) & sent
    if perm == EDIT_REFERRAL_DRAFT:
        return Q(referrer_id=user.pk, channel=Channel.PRACTITIONER) if user.makes_referrals else nothing
    condition = Q(referrer_id=user.pk)
    if is_front_door(user):
        condition |= sent | Q(status=ReferralStatus.DRAFT, recorded_by_id=user.pk)
    return condition


def referrals_for_user(
    user: User, perm: str = VIEW_REFERRAL, queryset: QuerySet[Referral] | None = None
) -> QuerySet[Referral]:
    queryset = Referral.objects.all() if queryset is None else queryset
    return queryset.filter(referral_access_filter(user, perm))


def referral_known_people(referral_id: int) -> tuple[int, ...]:
    """The known people a referral names: those linked to a record, and those whose NHS number or
    Unique Pupil Number is a known person's, before anyone has linked them. Two small indexed
    queries: the referral's people, then the identifiers among known people (the partial unique
    indexes on NHS number and UPN serve a lookup that excludes the empty identifier, as they do)."""
    named = list(ReferralPerson.objects.filter(referral_id=referral_id).values_list("person_id", "nhs_number", "upn"))
    linked = {person_id for person_id, _nhs, _upn in named if person_id}
    nhs_numbers = sorted({nhs for _id, nhs, _upn in named if nhs})
    upns = sorted({upn for _id, _nhs, upn in named if upn})
    matched: set[int] = set()
    if nhs_numbers or upns:
        by_identifier = (Q(nhs_number__in=nhs_numbers) & ~Q(nhs_number="")) | (Q(upn__in=upns) & ~Q(upn=""))
        matched = set(Person.objects.filter(by_identifier).values_list("pk", flat=True))
    return people_ids(sorted(linked | matched))


def _referral_subject(referral_id: int) -> Subject | None:
    case_id = Referral.objects.filter(pk=referral_id).values_list("case_id", flat=True).first()
    exists = case_id is not None or Referral.objects.filter(pk=referral_id).exists()
    return Subject(case_id=case_id, person_ids=referral_known_people(referral_id)) if exists else None


def referral_get_for_user(
    *,
    user: User,
    referral_id: int,
    perm: str = VIEW_REFERRAL,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Referral:
    """The referral if `user` holds `perm` on it, else 404; the view or the refusal is logged."""
    return fetch_logged(
        user=user,
        record_type=RecordType.REFERRAL,
        record_id=referral_id,
        fetch=lambda: (
            referrals_for_user(user, perm)
            .select_related(
                *("referrer", "referrer_agency", "level_of_need", "family", "case"),
                *("duplicate_of", "claimed_by", "recorded_by", "locality", "re_referral_of__closure_reason"),
            )
            .filter(pk=referral_id)
            .first()
        ),
        subject_of=lambda referral: Subject(case_id=referral.case_id, person_ids=referral_known_people(referral.pk)),
        refused=lambda: _referral_subject(referral_id),
        request=request,
        log=log,
    )


def letters_for_user(user: User, perm: str = DOWNLOAD_LETTER) -> QuerySet[ReferrerLetter]:
    """The outcome letters `user` holds `perm` on. To download: those of the referrals they made
    (not a letter replaced before it was sent), and, for duty managers, every letter (contact
    officers see referrals, not the letters sent about them). To send: the letters to post or phone,
    and those already posted, phoned or replaced (to say so), for the front door."""
    if not user.is_authenticated or not user.is_active:
        return ReferrerLetter.objects.none()
    if perm in (SEND_LETTER, PRINT_LETTER):
        if not is_front_door(user):
            return ReferrerLetter.objects.none()
        return ReferrerLetter.objects.filter(
            status__in=[LetterStatus.TO_POST, LetterStatus.POSTED, LetterStatus.PHONED, LetterStatus.REPLACED]
        )
    condition = Q(referral__referrer_id=user.pk) & ~Q(status=LetterStatus.REPLACED)
    if is_duty_manager(user):
        condition |= ~Q(referral__status=ReferralStatus.DRAFT)
    return ReferrerLetter.objects.filter(condition)


def letter_get_for_user(
    *,
    user: User,
    referral_id: int,
    letter_id: int,
    perm: str = DOWNLOAD_LETTER,
    request: HttpRequest | None = None,
    log: bool = True,
) -> ReferrerLetter:
    """The letter (with its referral) if `user` holds `perm` on it, else 404. A download is an
    export of the family's record and a print a print: logged as such (`LETTER_ACTIONS`), and a
    refusal too."""
    return fetch_logged(
        user=user,
        record_type=RecordType.REFERRER_LETTER,
        record_id=letter_id,
        fetch=lambda: (
            letters_for_user(user, perm)
            .select_related("referral")
            .filter(pk=letter_id, referral_id=referral_id)
            .first()
        ),
        subject_of=lambda letter: Subject(
            case_id=letter.referral.case_id, person_ids=referral_known_people(letter.referral_id)
        ),
        refused=lambda: (
            _referral_subject(referral_id)
            if ReferrerLetter.objects.filter(pk=letter_id, referral_id=referral_id).exists()
            else None
        ),
        request=request,
        action=LETTER_ACTIONS.get(perm, AccessLog.Action.VIEW),
        log=log,
    )


def information_requests_for_user(user: User) -> QuerySet[InformationRequest]:
    """The requests addressed to `user`'s agency, for its practitioners: MASH enquiries about a
    referral and the panel's requests about a case alike."""
    if not user.is_authenticated or not user.is_active or not (user.is_practitioner and user.agency_id):
        return InformationRequest.objects.none()
    return InformationRequest.objects.filter(agency_id=user.agency_id)


def case_family_people(case_id: int) -> tuple[int, ...]:
    """The people of a case's family, children first: whom a view of a request about the case names."""
    return people_ids(
        FamilyMembership.objects.filter(family__cases__pk=case_id)
        .order_by(
            Conditional(When(person__kind=Person.Kind.ADULT, then=Value(1)), default=Value(0)),
            "person__last_name",
            "person__first_name",
            "person_id",
        )
        .values_list("person_id", flat=True)
    )


def _information_request_subject(referral_id: int | None, case_id: int | None) -> Subject:
    """Whose record a request is: the referral's (its case and known people) or the case's (the case
    and its family's people)."""
    if case_id is not None:
        return Subject(case_id=case_id, person_ids=case_family_people(case_id))
    return _referral_subject(referral_id) or Subject()


def information_request_get_for_user(
    *,
    user: User,
    request_id: int,
    perm: str = ANSWER_INFORMATION_REQUEST,
    request: HttpRequest | None = None,
    log: bool = True,
) -> InformationRequest:
    """One request to `user`'s agency, with what it is about (its referral, or its case and family),
    else 404. A MASH enquiry is logged like the referral it is about (it names the same children);
    a panel request names the case and its family's people, whose details the page shows."""

    def refused() -> Subject | None:
        ids = InformationRequest.objects.filter(pk=request_id).values_list("referral_id", "case_id").first()
        return _information_request_subject(*ids) if ids is not None else None

    def subject_of(enquiry: InformationRequest) -> Subject:
        if enquiry.for_panel:
            return _information_request_subject(None, enquiry.case_id)
        return Subject(case_id=enquiry.referral.case_id, person_ids=referral_known_people(enquiry.referral_id))

    return fetch_logged(
        user=user,
        record_type=RecordType.INFORMATION_REQUEST,
        record_id=request_id,
        fetch=lambda: (
            information_requests_for_user(user)
            .select_related("referral", "case", "case__family", "agency", "requested_by", "answered_by")
            .filter(pk=request_id)
            .first()
        ),
        subject_of=subject_of,
        refused=refused,
        request=request,
        log=log,
    )


def may_ask_partners_about_case(user: User, case: Case) -> bool:
    """Who asks partner agencies about a case before the panel: a panel coordinator who may change
    the case (their locality's, or any for the county's coordinator), or a duty manager. A case
    read through `case_get_for_user` carries the user's permissions on it (`perms`): no query then."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.has_role(Role.DUTY_MANAGER):
        return True
    if not user.has_role(Role.PANEL_COORDINATOR):
        return False
    perms = getattr(case, "perms", None)
    return CHANGE_CASE in perms if perms is not None else user_has_case_perm(user, case, CHANGE_CASE)


def case_to_ask_partners_get_for_user(
    *,
    user: User,
    case_id: int,
    perm: str = ASK_PARTNERS,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Case:
    """The case, for asking partner agencies about it (`may_ask_partners_about_case`), else 404;
    logged as a view of the case (`case_get_for_user`, which it is). Duty managers read every case
    and may ask about any; a panel coordinator needs to be able to change it."""
    if perm != ASK_PARTNERS:
        raise ValueError(f"unknown permission {perm} for asking partners about a case")
    if not user.is_authenticated or not user.has_role(Role.DUTY_MANAGER, Role.PANEL_COORDINATOR):
        raise Http404("No case found")
    case_perm = VIEW_CASE if user.has_role(Role.DUTY_MANAGER) else CHANGE_CASE
    return case_get_for_user(user=user, case_id=case_id, perm=case_perm, request=request, log=log)


def recorded_contact_get_for_user(
    *,
    user: User,
    referral_id: int,
    perm: str = CONFIRM_CONTACT,
    request: HttpRequest | None = None,
    log: bool = True,
) -> Referral:
    """A phone or email contact that `user` recorded at the front door and that still awaits the
    caller's written confirmation, else 404: the officer who took the call marks it confirmed."""
    return fetch_logged(
        user=user,
        record_type=RecordType.REFERRAL,
        record_id=referral_id,
        fetch=lambda: (
            Referral.objects.filter(
                pk=referral_id,
                recorded_by_id=user.pk,
                channel__in=[Channel.PHONE, Channel.EMAIL],
                confirmed_in_writing_at__isnull=True,
            )
            .exclude(status=ReferralStatus.DRAFT)
            .filter(referral_access_filter(user, VIEW_REFERRAL))
            .first()
        ),
        subject_of=lambda referral: Subject(case_id=referral.case_id, person_ids=referral_known_people(referral.pk)),
        refused=lambda: _referral_subject(referral_id),
        request=request,
        log=log,
    )


register_record_kind("referral", referral_get_for_user, "referral_id")
register_record_kind("recorded_contact", recorded_contact_get_for_user, "referral_id")
register_record_kind("letter", letter_get_for_user, "referral_id", "letter_id")
register_record_kind("information_request", information_request_get_for_user, "request_id")
register_record_kind("case_to_ask_partners", case_to_ask_partners_get_for_user, "case_id")
