"""The referrer's outcome letter: a PDF made with WeasyPrint from templates/front_door/pdf/, stored
with the referral and sent through the outbox. Small, so it is made in one task per decision."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from weasyprint import HTML

from cases.deadlines import deadline_meet
from cases.notifications import notification_queue

from .models import Decision, DecisionOutcome, ReferrerLetter

NEXT_STEPS = {
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


def letter_render(decision: Decision) -> bytes:
    referral = decision.referral
    if decision.outcome == DecisionOutcome.EARLY_HELP:
        next_steps = f"The family will be offered: {decision.destination.name}. " + (
            "A lead professional will contact the family to agree a plan with them."
            if decision.destination.opens_case
            else "No further action is needed from the front door."
        )
    else:
        next_steps = NEXT_STEPS[decision.outcome]
    html = render_to_string(
        "front_door/pdf/referrer_letter.html",
        {
            "referral": referral,
            "decision": decision,
            "next_steps": next_steps,
            "council_name": settings.COUNCIL_NAME,
            "service_name": settings.SERVICE_NAME,
            "signatory": settings.LETTER_SIGNATORY,
            "logo_path": settings.COUNCIL_LOGO_PATH,
            "date": timezone.localdate(),
        },
    )
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf()


def letter_create_and_send(*, decision_id: int) -> ReferrerLetter | None:
    """Make the letter for a decision once (a second call returns the first), stop the 72-hour clock
    and send it to the referrer. Returns None if the decision is gone."""
    decision = (
        Decision.objects.select_related("referral", "destination", "level_of_need").filter(pk=decision_id).first()
    )
    if decision is None:
        return None
    existing = ReferrerLetter.objects.filter(decision=decision).first()
    if existing:
        return existing
    pdf = letter_render(decision)  # outside the transaction: it takes a moment and locks nothing
    with transaction.atomic():
        letter, created = ReferrerLetter.objects.get_or_create(
            decision=decision, defaults={"referral": decision.referral, "pdf": pdf}
        )
        if not created:
            return letter
        referral = decision.referral
        deadline_meet(timescale_code="referrer-letter", subject_type="referral", subject_id=referral.pk)
        if referral.referrer_email:
            notification_queue(
                dedupe_key=f"referrer-letter:{letter.pk}",
                recipient=referral.referrer,
                email=referral.referrer_email,
                subject=f"Your referral {referral.reference}: our decision",
                body=(
                    f"We have made a decision on referral {referral.reference}. The letter is attached."
                    + (
                        f"\n\nYou can also see it at {settings.SITE_URL.rstrip('/')}/referrals/mine/"
                        if referral.referrer_id
                        else ""
                    )
                ),
                attachment_name=f"{referral.reference}.pdf",
                attachment=pdf,
            )
    return letter
