"""The front door's parts of the shared record's pages (cases/extensions.py): its menu items, the
queue on the duty managers' home page, the contacts on the contact officers', the referral figures
on the analysts', and the referrals and partner requests sections of the case page."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from cases.extensions import CaseSection, HomePanel, MenuItem, registry
from cases.models import Case
from cases.roles import FRONT_DOOR_ROLES, PRACTITIONER_ROLES, Role

from . import selectors
from .models import Channel, DecisionOutcome, ReferrerRelationship
from .permissions import is_duty_manager, may_ask_partners_about_case
from .selectors import QueueShow

CASE_REFERRALS_SHOWN = 10


def _queue(request: HttpRequest) -> dict:
    """The queue in numbers, each part a link to the queue showing it: new, due within the decision
    clock's reminder window, overdue, and those whose partners have all answered."""
    due_soon = selectors.queue_due_soon()
    counts = selectors.queue_summary(due_soon=due_soon)
    queue = reverse("front_door:queue")
    hours = int(due_soon.total_seconds() // 3600)
    parts = [
        (QueueShow.NEW, "New (not yet claimed)", counts["new"]),
        (QueueShow.DUE_SOON, f"Due within {hours} hour{'' if hours == 1 else 's'}", counts["due_soon"]),
        (QueueShow.OVERDUE, "Overdue", counts["overdue"]),
        (QueueShow.PARTNERS_ANSWERED, "Partners answered", counts["partners_answered"]),
        (QueueShow.WAITING_FOR_PARTNERS, "Waiting for partner agencies", counts["waiting_for_partners"]),
    ]
    return {
        "counts": counts,
        "due_soon_hours": hours,
        "queue_url": queue,
        "parts": [
            {"label": label, "count": count, "url": f"{queue}?{urlencode({'show': show})}", "urgent": show == "overdue"}
            for show, label, count in parts
        ]
        + [_letters_to_post_part()],
    }


def _letters_to_post_part() -> dict:
    """The letters waiting to be posted or phoned, a link to their list."""
    count = selectors.letters_to_post_count()
    return {"label": "Letters to post or phone", "count": count, "url": reverse("front_door:letters-to-post")}


def _contacts(request: HttpRequest) -> dict:
    return {
        "awaiting": selectors.contacts_awaiting_confirmation(user=request.user).count(),
        "letters_to_post": _letters_to_post_part(),
    }


def _partner_requests(request: HttpRequest, case: Case) -> dict | None:
    """What partner agencies were asked about the family before the panel, and their answers, for
    those who may see the family's details; with the link to ask, for those who may. Two queries at
    most (the requests, and a coordinator's permission when the case does not carry it)."""
    if not case.details_visible:
        return None
    return {
        "requests": list(selectors.case_information_requests(case=case)),
        "can_ask": case.is_open and may_ask_partners_about_case(request.user, case),
        "now": timezone.now(),
    }


def _referrals(request: HttpRequest, case: Case) -> dict | None:
    """The referrals behind the case, for those who may see the family's details."""
    if not case.details_visible:
        return None
    referrals = list(selectors.case_referrals(case=case)[:CASE_REFERRALS_SHOWN])
    for referral in referrals:
        referral["outcome_label"] = DecisionOutcome(referral["outcome"]).label if referral["outcome"] else None
        referral["from"] = referral["referrer_agency__name"] or (
            ReferrerRelationship(referral["referrer_relationship"]).label
            if referral["referrer_relationship"]
            else Channel(referral["channel"]).label
        )
    return {"referrals": referrals, "can_triage": is_duty_manager(request.user)}


def _figures(request: HttpRequest) -> dict:
    return {"figures": selectors.referral_figures()}


MENU_ITEMS = [
    MenuItem("Front door", "front_door:queue", roles=frozenset({Role.DUTY_MANAGER}), order=20),
    MenuItem("My referrals", "front_door:my-referrals", roles=PRACTITIONER_ROLES, needs_agency=True, order=30),
    MenuItem(
        "Information requests", "front_door:information-requests", roles=PRACTITIONER_ROLES, needs_agency=True, order=40
    ),
    MenuItem("Make a referral", "front_door:referral-new", roles=PRACTITIONER_ROLES, needs_agency=True, order=50),
    MenuItem("Record a contact", "front_door:contact-new", roles=FRONT_DOOR_ROLES, order=60),
]
HOME_PANELS = [
    HomePanel(
        key="front-door-queue",
        roles=frozenset({Role.DUTY_MANAGER}),
        template="front_door/panels/queue.html",
        context=_queue,
        order=5,
    ),
    HomePanel(
        key="contacts-awaiting-confirmation",
        roles=frozenset({Role.CONTACT_OFFICER}),
        template="front_door/panels/contacts.html",
        context=_contacts,
        order=6,
    ),
    # After the shared record's figures (cases/parts.py): the referrals the front door received.
    HomePanel(
        key="referral-figures",
        roles=frozenset({Role.ANALYST}),
        template="front_door/panels/figures.html",
        context=_figures,
        order=95,
    ),
]
CASE_SECTIONS = [
    CaseSection(key="referrals", template="front_door/sections/referrals.html", context=_referrals, order=15),
    CaseSection(
        key="partner-requests",
        template="front_door/sections/partner_requests.html",
        context=_partner_requests,
        order=16,
    ),
]


def register() -> None:
    registry.add(*MENU_ITEMS, *HOME_PANELS, *CASE_SECTIONS)
