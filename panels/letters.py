"""The referrer's letter about the Early Help Panel's decision, for a family the front door sent to
the panel: made and sent exactly as the front door's letters are (`front_door.letters`: a tagged PDF,
emailed through the outbox after a grace period or listed for the front door to post or phone, seen
in "my referrals"), but saying what the panel decided.

A letter is made for the panel's decisions that settle what happens to the family (allocate, not for
the panel, step up), not for a deferral. An amendment that changes what the letter says (another lead
agency or team) sends a correction; one that changes only the panel's reasons, which the letters never
give, sends nothing."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q
from django.template.loader import render_to_string
from django.utils import timezone

from cases.models import PanelRoute
from front_door.letters import (
    LetterAbout,
    amended_chain,
    letter_common_context,
    letter_make_and_send,
    pdf_from_html,
)
from front_door.models import Referral, ReferrerLetter

from .models import NotForPanelRoute, PanelDecision, PanelOutcome

LETTER_OUTCOMES = (PanelOutcome.ALLOCATE, PanelOutcome.NOT_FOR_PANEL, PanelOutcome.STEP_UP)
# What the letter says, beyond the outcome: an amendment that changes none of it tells the referrer nothing new.
LETTER_SAYS = ("outcome", "lead_agency_id", "team_id", "not_for_panel_route")

PROFESSIONAL_NEXT_STEPS = {
    PanelOutcome.STEP_UP: [
        "The panel asked the front door to look at the family's needs again as a safeguarding concern, so that "
        "children's social care can decide whether a social worker should work with the family.",
        "Please keep supporting the family as you do now, and call us at once if you think a child is at risk of harm.",
    ],
    NotForPanelRoute.FRONT_DOOR: [
        "The panel decided that the family does not need a multi-agency plan agreed by the panel. The front door "
        "will look at the family's needs again and decide what help is right.",
        "Please keep supporting the family until then.",
    ],
    NotForPanelRoute.SINGLE_AGENCY: [
        "The panel decided that the family's needs can be met by the support of a single agency, without a "
        "multi-agency plan.",
        "Please keep supporting the family as you do now. If their needs grow, contact the front door.",
    ],
    NotForPanelRoute.UNIVERSAL: [
        "The panel decided that the family's needs can be met by universal services, such as their school, "
        "nursery, GP or health visitor.",
        "Please keep supporting the family as you do now. If their needs grow, contact the front door.",
    ],
}
LOOKING_AGAIN = {
    "paragraphs": [
        "We are looking again at how best to help the family.",
        "We will be in touch with the family.",
    ]
}
NOT_WORKING_WITH_THE_FAMILY = {
    "paragraphs": ["Our early help panel will not be working with the family."],
    "elsewhere": True,
}


def panel_letter_referral(decision: PanelDecision) -> Referral | None:
    """The referral whose referrer is told the decision: the one the front door sent to the panel
    (its current decision goes to the panel). None for a deferral, or for a case that came back to
    the panel from its lead professional (the referrer was told long ago; the family's team knows)."""
    if decision.outcome not in LETTER_OUTCOMES or decision.item.route != PanelRoute.FRONT_DOOR:
        return None
    return (
        Referral.objects.filter(
            case_id=decision.item.case_id,
            decisions__destination__goes_to_panel=True,
            decisions__amended_by__isnull=True,
        )
        .order_by("-received_at", "-id")
        .first()
    )


def _says_nothing_new(decision: PanelDecision) -> bool:
    """An amendment that changes nothing the letter says, when a letter about an earlier decision of
    the chain exists (a chain without one still needs its letter)."""
    if decision.amends_id is None:
        return False
    amended = decision.amends
    if any(getattr(amended, field) != getattr(decision, field) for field in LETTER_SAYS):
        return False
    return ReferrerLetter.objects.filter(panel_decision_id__in=amended_chain(PanelDecision, decision)).exists()


def _professional_next_steps(decision: PanelDecision) -> list[str]:
    if decision.outcome == PanelOutcome.ALLOCATE:
        return [
            f"{decision.lead_agency.name} will lead the early help for the family. It will give the family a lead "
            "professional within a week, who will contact the family to agree a plan with them and the people "
            "who support them.",
            "Until the lead professional contacts the family, please keep supporting the family as you do now.",
        ]
    if decision.outcome == PanelOutcome.STEP_UP:
        return PROFESSIONAL_NEXT_STEPS[PanelOutcome.STEP_UP]
    return PROFESSIONAL_NEXT_STEPS[decision.not_for_panel_route]


def _public_next_steps(decision: PanelDecision) -> dict:
    """What a member of the public is told: whether the family will be offered support and by whom,
    or that the panel will not work with them and where else to turn. Never the panel's reasons, or
    that there was a safeguarding concern."""
    if decision.outcome == PanelOutcome.ALLOCATE:
        return {
            "offered_by": decision.lead_agency.name,
            "paragraphs": [
                "The family will be offered support.",
                "Someone from the service will contact the family to agree with them what help they would like.",
            ],
        }
    if decision.outcome == PanelOutcome.STEP_UP or decision.not_for_panel_route == NotForPanelRoute.FRONT_DOOR:
        return LOOKING_AGAIN
    return NOT_WORKING_WITH_THE_FAMILY


def panel_letter_html(decision: PanelDecision, referral: Referral, *, corrects: ReferrerLetter | None = None) -> str:
    meeting = decision.item.meeting
    template = "panels/pdf/public_letter.html" if referral.from_the_public else "panels/pdf/referrer_letter.html"
    return render_to_string(
        template,
        {
            **letter_common_context(referral, corrects=corrects),
            "decision": decision,
            "panel": meeting.panel,
            "met_on": timezone.localtime(meeting.starts_at),
            "next_steps": _professional_next_steps(decision),
            "public": _public_next_steps(decision),
        },
    )


def panel_letter_create_and_send(*, decision_id: int) -> ReferrerLetter | None:
    """Make the letter about a panel decision once (a second call returns the first) and send it on
    its way, as the front door's letters go. None when no letter is due: a deferral, a family that did
    not come from the front door, an amendment that changes nothing the letter says, or a decision
    amended or followed by one whose letter is made."""
    decision = (
        PanelDecision.objects.select_related("item__meeting__panel", "lead_agency", "team", "amends")
        .filter(pk=decision_id)
        .first()
    )
    if decision is None:
        return None
    referral = panel_letter_referral(decision)
    if referral is None or _says_nothing_new(decision):
        return None
    reference = referral.reference
    return letter_make_and_send(
        LetterAbout(
            field="panel_decision",
            record=decision,
            referral_id=referral.pk,
            amends=amended_chain(PanelDecision, decision),
            render=lambda corrects: pdf_from_html(panel_letter_html(decision, referral, corrects=corrects)),
            superseded=lambda: (
                PanelDecision.objects.filter(item_id=decision.item_id, pk__gt=decision.pk)
                .filter(Q(amends=decision) | Q(letter__isnull=False))
                .exists()
            ),
            subject=f"Your referral {reference}: the Early Help Panel's decision",
            subject_changed=f"Your referral {reference}: the Early Help Panel's decision has changed",
        )
    )


def decisions_without_letters(*, since) -> list[int]:
    """The current panel decisions since `since` that may still owe the referrer a letter (the task
    queued when they were made may have been lost with a worker): the sweep hands each to
    `panel_letter_create_and_send`, which decides (an amendment of the reasons only owes none)."""
    sent_by_the_front_door = Referral.objects.filter(
        case_id=OuterRef("item__case_id"), decisions__destination__goes_to_panel=True
    )
    return list(
        PanelDecision.objects.filter(
            Exists(sent_by_the_front_door),
            decided_at__gte=since,
            outcome__in=LETTER_OUTCOMES,
            item__route=PanelRoute.FRONT_DOOR,
            amended_by__isnull=True,
            letter__isnull=True,
        ).values_list("pk", flat=True)
    )
