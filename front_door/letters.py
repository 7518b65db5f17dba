"""The referrer's outcome letter: a PDF made with WeasyPrint from templates/front_door/pdf/ (tagged
PDF/UA, with its language and title), stored with the referral, and delivered one of two ways:

- emailed through the outbox, held there for a grace period (REFERRER_LETTER_GRACE_MINUTES) so that
  an amendment made within it replaces the letter instead of sending a second one;
- for a referrer without an email address, listed on the front door's "letters to post or phone",
  where a duty manager or contact officer records that they posted it or told the referrer by phone.

A member of the public gets a letter that says only what they need (their request was received,
whether the family will be offered support and by whom, or where else to turn); a practitioner gets
the decision in full. An amendment after a letter went sends one correction that says which letter
it replaces.

The same letters, made and sent the same way, tell the referrer the Early Help Panel's decision for
a family the front door sent to it (`panels.letters`): `letter_make_and_send` takes what a letter is
about (`LetterAbout`), the front door's decision or the panel's.

The 72-hour clock ("referrer told within 72 hours", DOMAIN.md) is met when the referrer is told:
when the outbox has sent the email (`letters_record_emailed`, which the beat runs every minute,
backdates the clock to the moment it was sent), or when the letter is recorded as posted or phoned
(`letter_record_sent`). Making a letter does not meet it.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases import services as case_services
from cases.deadlines import deadline_meet
from cases.models import Notification, User
from cases.notifications import notification_cancel, notification_queue
from earlyhelp.pdf import html_to_pdf

from .models import (
    LETTER_DELIVERED,
    Decision,
    DecisionOutcome,
    LetterStatus,
    Referral,
    ReferrerLetter,
)

LETTER_CLOCK = "referrer-letter"

L = LetterStatus
ALLOWED_TRANSITIONS: dict[tuple[str, str], str] = {
    (L.QUEUED, L.EMAILED): "the outbox sent it",
    (L.QUEUED, L.TO_POST): "the email could not be sent",
    (L.QUEUED, L.REPLACED): "amended within the grace period",
    (L.TO_POST, L.POSTED): "sent by post",
    (L.TO_POST, L.PHONED): "told by phone",
    (L.TO_POST, L.REPLACED): "amended before it was posted",
}
SENT_HOW = {L.POSTED: "sent by post", L.PHONED: "told by phone"}

PROFESSIONAL_NEXT_STEPS = {
    DecisionOutcome.STEP_UP: (
        "The referral meets the threshold for children's social care. A social worker will contact the family. "
        "Please keep supporting the family as you do now, and call us at once if you think a child is at risk "
        "of harm."
    ),
    DecisionOutcome.MORE_INFORMATION: (
        "We have asked other agencies that know the family what they know, so that we can decide what help is "
        "right. We will write to you again with our decision. Please keep supporting the family until then."
    ),
}


def grace_period() -> datetime.timedelta:
    return datetime.timedelta(minutes=settings.REFERRER_LETTER_GRACE_MINUTES)


def _professional_next_steps(decision: Decision) -> str:
    if decision.outcome in PROFESSIONAL_NEXT_STEPS:
        return PROFESSIONAL_NEXT_STEPS[decision.outcome]
    if decision.destination is not None and decision.destination.opens_case:
        return (
            "The family will be offered early help, as the decision above says. "
            "A lead professional will contact the family to agree a plan with them."
        )
    if decision.destination is not None:
        return (
            "We will not open an early help case for the family. The decision above says where the referral "
            "goes instead."
        )
    return "No further action is needed from the front door."


def _public_next_steps(decision: Decision) -> dict:
    """What a member of the public is told: whether the family will be offered support and by whom,
    or that it will not and where else to turn. A destination that names a level of need (the
    panel's) is given as the early help service."""
    if decision.outcome == DecisionOutcome.STEP_UP:
        return {
            "offered_by": "Children's social care",
            "paragraphs": ["The family will be offered support.", "A social worker will contact the family."],
        }
    if decision.outcome == DecisionOutcome.MORE_INFORMATION:
        return {
            "paragraphs": [
                "We have not yet decided how best to help the family.",
                "We will write to you again when we have decided.",
            ],
        }
    destination = decision.destination
    if destination is not None and destination.opens_case:
        return {
            "offered_by": "Our early help service" if destination.goes_to_panel else destination.name,
            "paragraphs": [
                "The family will be offered support.",
                "Someone from the service will contact the family to agree with them what help they would like.",
            ],
        }
    return {"paragraphs": ["Our early help service will not be working with the family."], "elsewhere": True}


def letter_common_context(referral: Referral, *, corrects: ReferrerLetter | None = None) -> dict:
    """What every letter to a referrer shows, whatever decision it tells: the address, the council,
    who signs, how to reach the front door, and the letter it corrects."""
    lines = referral.referrer_address_lines
    return {
        "referral": referral,
        "corrects": corrects,
        "corrects_date": (corrects.sent_at or corrects.created_at) if corrects else None,
        "address_lines": [referral.referrer_name, *lines] if lines and referral.referrer_name else lines,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "signatory": settings.LETTER_SIGNATORY,
        "logo_path": settings.COUNCIL_LOGO_PATH,
        "front_door_phone": settings.FRONT_DOOR_PHONE,
        "front_door_email": settings.FRONT_DOOR_EMAIL,
        "date": timezone.localdate(),
    }


def letter_context(decision: Decision, *, corrects: ReferrerLetter | None = None) -> dict:
    return {
        **letter_common_context(decision.referral, corrects=corrects),
        "decision": decision,
        "next_steps": _professional_next_steps(decision),
        "public": _public_next_steps(decision),
    }


def letter_template(referral: Referral) -> str:
    if referral.from_the_public:
        return "front_door/pdf/public_letter.html"
    return "front_door/pdf/referrer_letter.html"


def letter_html(decision: Decision, *, corrects: ReferrerLetter | None = None) -> str:
    return render_to_string(letter_template(decision.referral), letter_context(decision, corrects=corrects))


def pdf_from_html(html: str) -> bytes:
    """A letter as a tagged PDF (PDF/UA-1: a structure tree, the language and the title)."""
    return html_to_pdf(html)


def letter_render(decision: Decision, *, corrects: ReferrerLetter | None = None) -> bytes:
    return pdf_from_html(letter_html(decision, corrects=corrects))


@dataclass(frozen=True)
class LetterAbout:
    """What a letter tells the referrer: one decision, the front door's (`field="decision"`) or the
    Early Help Panel's (`field="panel_decision"`), with how to make its PDF and its email."""

    field: str
    record: object
    referral_id: int
    # The decisions of the same kind it amends: the one it amends, the one that one amends, and so on.
    amends: list[int]
    render: Callable[[ReferrerLetter | None], bytes]
    # Whether a later decision amends it, or already has its letter (checked with the referral locked).
    superseded: Callable[[], bool]
    subject: str
    subject_changed: str


def amended_chain(model, decision) -> list[int]:
    """The decisions `decision` corrects: the one it amends, the one that one amends, and so on."""
    chain = []
    current = decision.amends_id
    while current is not None:
        chain.append(current)
        current = model.objects.filter(pk=current).values_list("amends_id", flat=True).first()
    return chain


def _superseded(decision: Decision) -> bool:
    """A later decision amends this one, or already has its letter: that letter tells the referrer
    (a task that arrives late must not send an old decision after a newer one)."""
    return (
        Decision.objects.filter(referral_id=decision.referral_id, pk__gt=decision.pk)
        .filter(Q(amends=decision) | Q(letter__isnull=False))
        .exists()
    )


def _move(letter: ReferrerLetter, to: str, **fields) -> None:
    if (letter.status, to) not in ALLOWED_TRANSITIONS:
        raise ValidationError(f"A letter that is {letter.get_status_display().lower()} cannot be changed.")
    letter.status = to
    for name, value in fields.items():
        setattr(letter, name, value)
    letter.save(update_fields=["status", *fields])


def _withdraw_waiting(about: LetterAbout) -> list[ReferrerLetter]:
    """Take back the referral's letters of the same kind not yet sent: an emailed one still held in
    the outbox, a letter to post that nobody has posted. Returns them; a letter the outbox has
    already taken is left to go (it is no longer waiting)."""
    withdrawn = []
    waiting = ReferrerLetter.objects.select_for_update().filter(
        referral_id=about.referral_id, status__in=[L.QUEUED, L.TO_POST], **{f"{about.field}__isnull": False}
    )
    for letter in waiting.order_by("id"):
        if letter.status == L.QUEUED and not notification_cancel(dedupe_key=f"referrer-letter:{letter.pk}"):
            continue
        withdrawn.append(letter)
    return withdrawn


def _corrected_letter(about: LetterAbout, *, withdrawn: list[ReferrerLetter] | None = None) -> ReferrerLetter | None:
    """The latest letter about a decision this one amends that reached the referrer, or is on its
    way (the outbox has it): the correction says it replaces it. Without `withdrawn` (the letters
    just taken back), a guess: an emailed letter still in its grace period will be taken back."""
    if not about.amends:
        return None
    letters = ReferrerLetter.objects.filter(**{f"{about.field}_id__in": about.amends}).defer("pdf")
    if withdrawn is None:
        gone = Q(status__in=LETTER_DELIVERED) | Q(status=L.QUEUED, send_after__lte=timezone.now())
    else:
        gone = Q(status__in=[*LETTER_DELIVERED, L.QUEUED]) & ~Q(pk__in=[letter.pk for letter in withdrawn])
    return letters.filter(gone).order_by("-created_at", "-id").first()


def front_door_letter_about(decision: Decision) -> LetterAbout:
    reference = decision.referral.reference
    return LetterAbout(
        field="decision",
        record=decision,
        referral_id=decision.referral_id,
        amends=amended_chain(Decision, decision),
        render=lambda corrects: letter_render(decision, corrects=corrects),
        superseded=lambda: _superseded(decision),
        subject=f"Your referral {reference}: our decision",
        subject_changed=f"Your referral {reference}: our decision has changed",
    )


def letter_create_and_send(*, decision_id: int) -> ReferrerLetter | None:
    """Make the letter for a front door decision once (a second call returns the first) and send it
    on its way (`letter_make_and_send`). Returns None when the decision is gone, amended, or followed
    by a decision whose letter is made (that letter tells the referrer)."""
    decision = (
        Decision.objects.select_related("referral", "destination", "level_of_need").filter(pk=decision_id).first()
    )
    if decision is None:
        return None
    return letter_make_and_send(front_door_letter_about(decision))


def letter_make_and_send(about: LetterAbout) -> ReferrerLetter | None:
    """Make the letter about a decision once (a second call returns the first) and send it on its
    way: into the outbox, held for the grace period, when the referrer gave an email address; else
    onto the front door's list of letters to post or phone.

    Besides: a letter of the same kind for the referral not yet sent (held in the outbox, or not yet
    posted) is replaced by this one and never sent; an amendment of a decision whose letter went is
    a correction that names it. Returns None when the decision is amended, or followed by a decision
    whose letter is made (that letter tells the referrer). The 72-hour clock is met when the letter
    is sent, not here."""
    mine = {about.field: about.record}
    existing = ReferrerLetter.objects.filter(**mine).first()
    if existing:
        return existing
    # Made outside the transaction (it takes a moment and locks nothing); made again in the rare
    # case that what it corrects changed meanwhile.
    corrects = _corrected_letter(about)
    pdf = about.render(corrects)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=about.referral_id)
        existing = ReferrerLetter.objects.filter(**mine).first()
        if existing:
            return existing
        if about.superseded():
            return None
        withdrawn = _withdraw_waiting(about)
        now_corrects = _corrected_letter(about, withdrawn=withdrawn)
        if now_corrects != corrects:
            corrects = now_corrects
            pdf = about.render(corrects)
        send_after = timezone.now() + grace_period()
        letter = ReferrerLetter.objects.create(
            **mine,
            referral=referral,
            pdf=pdf,
            corrects=corrects,
            status=L.QUEUED if referral.referrer_email else L.TO_POST,
            send_after=send_after if referral.referrer_email else None,
        )
        for earlier in withdrawn:
            _move(earlier, L.REPLACED, replaced_by=letter, notification=None)
        if referral.referrer_email:
            subject = about.subject_changed if letter.corrects_id else about.subject
            letter.notification = _queue_email(letter, referral, subject=subject, send_after=send_after)
            letter.save(update_fields=["notification"])
    return letter


def _queue_email(
    letter: ReferrerLetter, referral: Referral, *, subject: str, send_after: datetime.datetime
) -> Notification:
    if referral.from_the_public:
        subject = f"Your request for help, reference {referral.reference}"
    return notification_queue(
        dedupe_key=f"referrer-letter:{letter.pk}",
        recipient=referral.referrer,
        email=referral.referrer_email,
        subject=subject,
        body=(
            f"We have a letter for you about reference {referral.reference}. It is attached."
            + (
                f"\n\nYou can also see it at {settings.SITE_URL.rstrip('/')}/referrals/mine/"
                if referral.referrer_id
                else ""
            )
        ),
        attachment_name=f"{referral.reference}.pdf",
        attachment=bytes(letter.pdf),
        send_after=send_after,
    )


def _record_told(letter: ReferrerLetter, *, sent_at: datetime.datetime, summary: str, actor: User | None) -> None:
    """The referrer has been told: the 72-hour clock of the front door's decision stops (at the
    moment they were told), and the family's chronology says so."""
    if not letter.from_panel:
        deadline_meet(
            timescale_code=LETTER_CLOCK, subject_type="referral", subject_id=letter.referral_id, met_at=sent_at
        )
    referral = letter.referral
    if referral.family_id:
        case_services.chronology_record(
            family=referral.family,
            case=referral.case,
            event="referrer_letter_sent",
            actor=actor,
            occurred_at=sent_at,
            summary=summary,
        )


def _letter_words(letter: ReferrerLetter) -> str:
    return "Early Help Panel outcome letter" if letter.from_panel else "Outcome letter"


def letters_record_emailed() -> int:
    """Follow the outbox: a letter whose email has gone is emailed (and its clock met at the moment
    it went); one whose email failed for good goes to the list of letters to post or phone, so no
    letter is left unsent without anyone knowing. Returns how many letters moved."""
    moved = 0
    followed = ReferrerLetter.objects.filter(
        status=L.QUEUED,
        notification__status__in=[Notification.Status.SENT, Notification.Status.FAILED],
    ).values_list("pk", flat=True)
    for pk in list(followed[:500]):
        with transaction.atomic():
            letter = (
                ReferrerLetter.objects.select_for_update(of=("self",), skip_locked=True)
                .select_related("notification", "referral", "referral__family", "referral__case")
                .defer("pdf")
                .filter(pk=pk, status=L.QUEUED)
                .first()
            )
            if letter is None or letter.notification is None:
                continue
            if letter.notification.status == Notification.Status.SENT:
                sent_at = letter.notification.sent_at or timezone.now()
                _move(letter, L.EMAILED, sent_at=sent_at)
                _record_told(
                    letter,
                    sent_at=sent_at,
                    summary=f"{_letter_words(letter)} for referral {letter.referral.reference} emailed to the referrer",
                    actor=None,
                )
            else:
                _move(letter, L.TO_POST)
            moved += 1
    return moved


@transaction.atomic
def letter_record_sent(*, actor: User, letter: ReferrerLetter, how: str) -> ReferrerLetter:
    """A duty manager or contact officer posted the letter (`how="posted"`) or told the referrer
    what it says by phone (`how="phoned"`). Who and when are kept with the letter and in the
    family's chronology; the 72-hour clock is met. A letter replaced meanwhile, or already recorded,
    is refused with a message."""
    if how not in SENT_HOW:
        raise ValidationError({"how": "Select how you told the referrer"})
    letter = (
        ReferrerLetter.objects.select_for_update(of=("self",))
        .select_related("referral", "referral__family", "referral__case")
        .defer("pdf")
        .get(pk=letter.pk)
    )
    if letter.status == L.REPLACED:
        raise ValidationError("This letter was replaced by a newer one before it was sent. Send the newer letter.")
    if letter.status != L.TO_POST:
        raise ValidationError("This letter has already been sent.")
    now = timezone.now()
    _move(letter, how, sent_at=now, sent_by=actor)
    _record_told(
        letter,
        sent_at=now,
        summary=f"{_letter_words(letter)} for referral {letter.referral.reference} {SENT_HOW[how]} to the referrer",
        actor=actor,
    )
    return letter
