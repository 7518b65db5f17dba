"""Pages of the front door after a referral is received: the duty managers' queue, triage (matching,
the family's history, claim, decision, amendment), the partners' answers to MASH enquiries, and the
referrer's own referrals with their outcome letters."""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Case as Conditional
from django.db.models import Prefetch, Value, When, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import object_view, roles_required
from cases.models import FamilyMembership, LevelOfNeed, Locality, Person
from cases.paging import page_of
from cases.querystring import parse_id
from cases.roles import PRACTITIONER_ROLES, Role

from . import selectors, services
from .models import Decision, DecisionOutcome, Referral, ReferralPerson, ReferralStatus
from .permissions import ANSWER_INFORMATION_REQUEST, DOWNLOAD_LETTER, TRIAGE_REFERRAL
from .queue_forms import QueueFilterForm
from .triage_forms import AnswerForm, DecisionAmendForm, DecisionForm

PAGE_SIZE = 25


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def _duration(seconds: float) -> str:
    hours = int(seconds // 3600)
    if hours >= 1:
        return _plural(hours, "hour")
    return _plural(max(1, int(seconds // 60)), "minute")


def time_left(due_at: datetime.datetime | None, now: datetime.datetime) -> tuple[str, bool]:
    """How long is left before the decision is due ("3 hours left"), or how overdue it is."""
    if due_at is None:
        return "No deadline", False
    seconds = (due_at - now).total_seconds()
    if seconds >= 0:
        return f"{_duration(seconds)} left", False
    return f"Overdue by {_duration(-seconds)}", True


def _clock(referral, now: datetime.datetime) -> tuple[str, bool]:
    # A MASH decision met the 24-hour clock: the referral now waits on the partners' answers.
    if referral.status == ReferralStatus.MORE_INFORMATION:
        return "Waiting for partner agencies", False
    return time_left(referral.decision_due_at, now)


def _age(person: ReferralPerson, today: datetime.date) -> str:
    if person.kind == Person.Kind.UNBORN:
        return "unborn"
    born = person.date_of_birth
    if born is None:
        return "age not known"
    years = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return "under 1" if years < 1 else str(years)


def _children_summary(referral, today: datetime.date) -> list[str]:
    return [f"{child.full_name} ({_age(child, today)})" for child in referral.children]


def _surnames(referral) -> str:
    """The family's surname as the referral gives it: the children's, then any other the adults
    named have, each once."""
    names = [p.last_name for p in referral.children] + [p.last_name for p in referral.adults]
    return ", ".join(dict.fromkeys(name for name in names if name))


def _queue_clock(referral, now: datetime.datetime) -> tuple[str, bool]:
    # A MASH decision met the 24-hour clock: the referral then waits on the partners' answers.
    if referral.status == ReferralStatus.MORE_INFORMATION:
        return ("Partners answered" if referral.partners_answered else "Waiting for partner agencies"), False
    return time_left(referral.decision_due_at, now)


# --- The queue ---------------------------------------------------------------------------------


@roles_required(Role.DUTY_MANAGER)
def queue(request: HttpRequest) -> HttpResponse:
    """Referrals awaiting a decision, oldest first or by when they are due, with the time left on
    the 24-hour clock; searched by name or reference and filtered (`QueueFilterForm`). Filters that
    are not among the choices offered get a message and a 400, and no list."""
    now = timezone.now()
    due_soon = selectors.queue_due_soon()
    due_soon_hours = int(due_soon.total_seconds() // 3600)
    data = request.GET.copy()
    if data.get("overdue") == "1" and not data.get("show"):
        data["show"] = selectors.QueueShow.OVERDUE  # the older link to overdue referrals
    filters = QueueFilterForm(
        data,
        localities=list(Locality.objects.values_list("pk", "name")),
        levels=list(LevelOfNeed.objects.active().values_list("pk", "name")),
        due_soon_hours=due_soon_hours,
    )
    context = {"filters": filters, "due_soon_hours": due_soon_hours, "filtered": False, "rows": []}
    if not filters.is_valid():
        return render(request, "front_door/triage/queue.html", context, status=400)
    chosen = filters.cleaned_data
    page, querystring = page_of(
        request,
        selectors.referral_queue(
            locality_id=chosen["locality"],
            level_id=chosen["level"],
            channel=chosen["channel"],
            show=chosen["show"],
            search=chosen["search"],
            sort=chosen["sort"],
            due_soon=due_soon,
            now=now,
        ),
        PAGE_SIZE,
    )
    today = timezone.localdate(now)
    for referral in page.object_list:
        left, is_overdue = _queue_clock(referral, now)
        context["rows"].append(
            {
                "referral": referral,
                "time_left": left,
                "overdue": is_overdue,
                "family": _surnames(referral),
                "children": _children_summary(referral, today),
            }
        )
    context.update(
        page_obj=page,
        querystring=querystring,
        filtered=any(chosen[name] for name in ("search", "show", "locality", "level", "channel")),
    )
    return render(request, "front_door/triage/queue.html", context)


# --- Triage --------------------------------------------------------------------------------------


def _prefetch_people(referral) -> None:
    # The people are read once, for their matches, what the decision will do, and the history.
    prefetch_related_objects(
        [referral], Prefetch("people", queryset=ReferralPerson.objects.select_related("person").order_by("kind", "id"))
    )


def _people_with_candidates(referral) -> list[dict]:
    """Each person the referral names, with the known people who may be them (those not yet
    linked), and what a decision will do for them: keep their link, link them to the person their
    NHS number or UPN identifies, or make a new record. Two queries for all of them at most."""
    people = list(referral.people.all())
    candidates = selectors.people_candidates([rp for rp in people if not rp.person_id], referral.postcode)
    known = selectors.people_known_by_identifier(people)
    return [
        {
            "referral_person": rp,
            "candidates": candidates.get(rp.pk, []),
            "will_link_to": rp.person or known.get(rp.pk),
            "by_identifier": rp.pk in known,
        }
        for rp in people
    ]


def family_name(referral, people: list[dict]) -> str:
    """How the page names the family: the family the referral joined, or the surname of the first
    child named (adults' surnames may differ)."""
    if referral.family_id:
        return referral.family.name
    first = next((item["referral_person"] for item in people if item["referral_person"].kind != "adult"), None)
    first = first or next((item["referral_person"] for item in people), None)
    return f"{first.last_name} family" if first else "Family"


def _triage_page(
    request: HttpRequest, referral, form: DecisionForm | None, people: list[dict], status: int = 200
) -> HttpResponse:
    decisions = selectors.referral_decisions(referral=referral)
    if form is not None and "decisions_seen" in form.fields:
        # The decisions this page shows, so a decision sent from it is refused if another came since
        # (shown again after an error: as the page now stands, keeping what was typed).
        if form.is_bound:
            form.data = form.data.copy()
            form.data["decisions_seen"] = len(decisions)
        else:
            form.initial["decisions_seen"] = len(decisions)
    amended_by = {d.amends_id: d for d in decisions if d.amends_id}
    current = next((d for d in reversed(decisions) if d.pk not in amended_by), None)
    history = selectors.family_history(referral=referral)
    is_open = referral.status in selectors.OPEN_STATUSES
    claimed_by_other = bool(referral.claimed_by_id and referral.claimed_by_id != request.user.pk)
    now = timezone.now()
    left, overdue = _clock(referral, now)
    context = {
        "referral": referral,
        "family_name": family_name(referral, people),
        "people": people,
        "new_people": [item["referral_person"] for item in people if item["will_link_to"] is None],
        "history": history,
        "decisions": [{"decision": d, "amended_by": amended_by.get(d.pk)} for d in decisions],
        "current": current,
        "can_amend": bool(
            current
            and referral.status == ReferralStatus.DECIDED
            and current.outcome != DecisionOutcome.MORE_INFORMATION
        ),
        # Enquiries come only from a MASH decision and letters only from a decision: a referral
        # still waiting for its first decision has neither, and is not asked for them.
        "information_requests": list(
            referral.information_requests.select_related("agency", "requested_by", "answered_by").order_by(
                "requested_at", "id"
            )
        )
        if any(d.outcome == DecisionOutcome.MORE_INFORMATION for d in decisions)
        else [],
        "letters": list(referral.letters.defer("pdf").select_related("decision").order_by("created_at", "id"))
        if decisions
        else [],
        "is_open": is_open,
        "claimed_by_other": claimed_by_other,
        "form": form if is_open else None,
        "time_left": left,
        "overdue": overdue,
        "now": now,
    }
    return render(request, "front_door/triage/triage.html", context, status=status)


@roles_required(Role.DUTY_MANAGER)
@object_view("referral", TRIAGE_REFERRAL)
@require_http_methods(["GET", "POST"])
def triage(request: HttpRequest, referral: Referral) -> HttpResponse:
    """The referral, the people it names with their possible matches and what the decision will do
    for each, the family's history, and the decision form (a POST records the decision)."""
    _prefetch_people(referral)
    people = _people_with_candidates(referral)
    form = DecisionForm(
        request.POST if request.method == "POST" else None,
        initial={"level_of_need": referral.level_of_need_id},
        referral=referral,
        new_people=sum(1 for item in people if item["will_link_to"] is None),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            decision = services.referral_decide(
                actor=request.user,
                referral=referral,
                outcome=data["outcome"],
                level_of_need=data["level_of_need"],
                reason=data["reason"],
                destination=data["destination"],
                information_requests=form.information_requests(),
                due_at=data["due_at"],
                confirm_new_people=data["confirm_new_people"],
                decisions_seen=data.get("decisions_seen"),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Decision recorded: {_decision_words(decision)}")
            return redirect("front_door:triage", referral_id=referral.pk)
    return _triage_page(request, referral, form, people)


def _decision_words(decision: Decision) -> str:
    words = decision.get_outcome_display()
    if decision.destination_id:
        words += f": {decision.destination.name}"
    return words


@roles_required(Role.DUTY_MANAGER)
@object_view("referral", TRIAGE_REFERRAL, log=False)
@require_POST
def claim(request: HttpRequest, referral: Referral) -> HttpResponse:
    try:
        services.referral_claim(actor=request.user, referral=referral)
    except ValidationError as error:  # ReferralClaimed too: someone else got there first
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "You are working on this referral")
    return redirect("front_door:triage", referral_id=referral.pk)


@roles_required(Role.DUTY_MANAGER)
@object_view("referral", TRIAGE_REFERRAL, log=False)
@require_POST
def release(request: HttpRequest, referral: Referral) -> HttpResponse:
    services.referral_release(actor=request.user, referral=referral)
    messages.success(request, "You have released this referral for another duty manager")
    return redirect("front_door:triage", referral_id=referral.pk)


@roles_required(Role.DUTY_MANAGER)
@object_view("referral", TRIAGE_REFERRAL, log=False)
@require_POST
def person_link(request: HttpRequest, referral: Referral, referral_person_id: int) -> HttpResponse:
    """'This is the same person' (a candidate's id) or 'Record as a new person' ("new")."""
    referral_person = get_object_or_404(ReferralPerson, pk=referral_person_id, referral=referral)
    if referral_person.person_id:
        messages.error(request, f"{referral_person.full_name} is already linked to a record")
        return redirect("front_door:triage", referral_id=referral.pk)
    choice = request.POST.get("person", "")
    person = None
    if choice != "new":
        # Only a person the matching offered: never an id from the browser alone.
        candidates = {c.person.pk: c.person for c in selectors.person_candidates(referral_person, referral.postcode)}
        person = candidates.get(parse_id(choice))
        if person is None:
            messages.error(request, f"Choose one of the records found for {referral_person.full_name}")
            return redirect("front_door:triage", referral_id=referral.pk)
    try:
        services.referral_person_link(actor=request.user, referral_person=referral_person, person=person)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("front_door:triage", referral_id=referral.pk)
    if person is None:
        messages.success(request, f"{referral_person.full_name} recorded as a new person")
    else:
        messages.success(request, f"{referral_person.full_name} linked to the existing record")
    return redirect("front_door:triage", referral_id=referral.pk)


@roles_required(Role.DUTY_MANAGER)
@object_view("referral", TRIAGE_REFERRAL)
@require_http_methods(["GET", "POST"])
def decision_amend(request: HttpRequest, referral: Referral, decision_id: int) -> HttpResponse:
    """Correct a decision by recording a new one that amends it; the old one is kept as it was."""
    decision = get_object_or_404(
        Decision.objects.select_related("destination", "level_of_need", "decided_by"), pk=decision_id, referral=referral
    )
    initial = {"outcome": decision.outcome, "level_of_need": decision.level_of_need_id}
    if decision.destination_id:
        initial["destination"] = decision.destination_id
    form = DecisionAmendForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.decision_amend(
                actor=request.user,
                decision=decision,
                outcome=data["outcome"],
                level_of_need=data["level_of_need"],
                reason=data["reason"],
                destination=data["destination"],
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"Decision amended: {_decision_words(new)}")
            return redirect("front_door:triage", referral_id=referral.pk)
    return render(request, "front_door/triage/amend.html", {"referral": referral, "decision": decision, "form": form})


# --- Partners' answers to MASH enquiries ---------------------------------------------------------


@roles_required(*PRACTITIONER_ROLES)
def information_requests(request: HttpRequest) -> HttpResponse:
    """The requests addressed to the user's agency (the front door's MASH enquiries and the Early
    Help Panel's requests), open ones first."""
    page, querystring = page_of(request, selectors.information_requests_open(user=request.user), PAGE_SIZE)
    now = timezone.now()
    rows = [{"request": r, "overdue": r.answered_at is None and r.due_at < now} for r in page.object_list]
    return render(
        request,
        "front_door/triage/information_requests.html",
        {"page_obj": page, "rows": rows, "querystring": querystring},
    )


@object_view("information_request", ANSWER_INFORMATION_REQUEST)
@require_http_methods(["GET", "POST"])
def information_request(request: HttpRequest, enquiry) -> HttpResponse:
    """One request: the question, what identifies the family, and the agency's answer. A MASH
    enquiry shows the referral's people; a panel request the case reference and the family's
    people. Another agency's request is 404, as is one that does not exist."""
    form = None
    if enquiry.answered_at is None:
        form = AnswerForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                services.information_request_answer(
                    actor=request.user, request=enquiry, answer=form.cleaned_data["answer"]
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                asker = "the Early Help Panel" if enquiry.for_panel else "the front door"
                messages.success(request, f"Answer sent to {asker} for {enquiry.reference}")
                return redirect("front_door:information-requests")
    if enquiry.for_panel:
        family = enquiry.case.family
        people, family_address, referred_address = _family_details(family.pk), family.address, ""
    else:
        people = _identifying_details(enquiry.referral)
        family_address, referred_address = _addresses(enquiry.referral)
    return render(
        request,
        "front_door/triage/information_request.html",
        {
            "information_request": enquiry,
            "referral": enquiry.referral,
            "case": enquiry.case,
            "people": people,
            "address": family_address,
            "referred_address": referred_address,
            "form": form,
            "overdue": enquiry.answered_at is None and enquiry.due_at < timezone.now(),
        },
    )


def _family_details(family_id: int) -> list[dict]:
    """What a partner agency needs to find a case's family in its own records: each person of the
    family, children first, as the shared record knows them. One query."""
    memberships = (
        FamilyMembership.objects.filter(family_id=family_id)
        .select_related("person")
        .order_by(
            Conditional(When(person__kind=Person.Kind.ADULT, then=Value(1)), default=Value(0)),
            "person__last_name",
            "person__first_name",
            "person_id",
        )
    )
    return [
        {
            "name": membership.person.full_name,
            "as_referred": "",
            "kind": membership.person.kind,
            "date_of_birth": membership.person.date_of_birth,
            "expected_date_of_birth": membership.person.expected_date_of_birth,
            "nhs_number": membership.person.nhs_number,
            "upn": membership.person.upn,
        }
        for membership in memberships
    ]


def _identifying_details(referral: Referral) -> list[dict]:
    """What a partner agency needs to find each child in its own records: the known record's
    details once the person is linked (the referrer's spelling given "as referred" when it differs),
    else what the referrer gave. One query for the people and their records."""
    rows = []
    for rp in referral.people.exclude(kind="adult").select_related("person").order_by("kind", "id"):
        known = rp.person
        record = known or rp
        rows.append(
            {
                "name": record.full_name,
                "as_referred": rp.full_name if known and rp.full_name.lower() != known.full_name.lower() else "",
                "kind": rp.kind,
                "date_of_birth": record.date_of_birth,
                "expected_date_of_birth": record.expected_date_of_birth,
                "nhs_number": record.nhs_number,
                "upn": record.upn,
            }
        )
    return rows


def _addresses(referral: Referral) -> tuple[str, str]:
    """The family's address on its record (once the referral is linked to a family), and the address
    as referred when it is different (else "")."""
    recorded = referral.family.address if referral.family_id else ""
    if not recorded:
        return referral.address, ""
    return recorded, referral.address if referral.address and referral.address != recorded else ""


# --- The referrer's own referrals -----------------------------------------------------------------


@roles_required(*PRACTITIONER_ROLES)
def my_referrals(request: HttpRequest) -> HttpResponse:
    """The referrals the user made, each with its current outcome and the letters sent."""
    page, querystring = page_of(request, selectors.my_referrals_rows(user=request.user), PAGE_SIZE)
    rows = [
        {
            "referral": referral,
            "first_names": referral.child_names,
            "outcome": DecisionOutcome(referral.outcome).label if referral.outcome else None,
            "destination": referral.destination_name,
            "letters": [
                {"pk": pk, "created_at": created_at, "from_panel": panel_decision is not None}
                for pk, created_at, panel_decision in zip(
                    referral.letter_ids, referral.letter_dates, referral.letter_panel_decisions, strict=True
                )
            ],
        }
        for referral in page.object_list
    ]
    return render(
        request, "front_door/triage/my_referrals.html", {"page_obj": page, "rows": rows, "querystring": querystring}
    )


@object_view("letter", DOWNLOAD_LETTER)
def letter_download(request: HttpRequest, letter) -> HttpResponse:
    """The outcome letter as a PDF, for the referrer who made the referral and for duty managers;
    anyone else gets 404. Each download is logged as an export."""
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{letter.referral.reference}.pdf"'
    return response


urlpatterns = [
    path("front-door/", queue, name="queue"),
    path("front-door/referrals/<int:referral_id>/", triage, name="triage"),
    path("front-door/referrals/<int:referral_id>/claim/", claim, name="claim"),
    path("front-door/referrals/<int:referral_id>/release/", release, name="release"),
    path(
        "front-door/referrals/<int:referral_id>/people/<int:referral_person_id>/link/",
        person_link,
        name="person-link",
    ),
    path(
        "front-door/referrals/<int:referral_id>/decisions/<int:decision_id>/amend/",
        decision_amend,
        name="decision-amend",
    ),
    path("front-door/information-requests/", information_requests, name="information-requests"),
    path("front-door/information-requests/<int:request_id>/", information_request, name="information-request"),
    path("referrals/mine/", my_referrals, name="my-referrals"),
    path("referrals/<int:referral_id>/letters/<int:letter_id>/", letter_download, name="letter-download"),
]
