"""How referrals come in through pages: three journeys of question pages, each a draft saved between
pages and then check your answers:
- the practitioner's referral (signed in: the draft's id in the URL, checked against its referrer);
- the public form (no account: the draft's id kept in the session, never in a URL, and a
  honeypot, a signed timestamp and a throttle per address instead of a third-party service);
- the contact a contact officer records from a phone call or an email (the draft in the session);
and the list of contacts still to be confirmed in writing, and a referrer's own sent referral."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import object_view, public, roles_required
from cases.models import Person
from cases.roles import FRONT_DOOR_ROLES, PRACTITIONER_ROLES

from . import intake_forms as forms
from . import selectors, services
from .models import Channel, Decision, DecisionOutcome, Referral, ReferralPerson, ReferralStatus
from .permissions import CONFIRM_CONTACT, EDIT_REFERRAL_DRAFT, VIEW_OWN_REFERRAL, letters_for_user

logger = logging.getLogger(__name__)

PAGE_SIZE = 25

# The public form: a person takes more than MIN_SECONDS from its first page to sending it, and a
# form started more than MAX_SECONDS ago is refused (the token would otherwise be reusable by a
# script for ever).
MIN_SECONDS = 3
MAX_SECONDS = 2 * 60 * 60
TOKEN_SALT = "front_door.public_referral.started"
HONEYPOT = "leave_blank"
THROTTLE_WINDOW = 60 * 60
SENT_SESSION_KEY = "front_door_public_sent"
STARTED_SESSION_KEY = "front_door_public_started"
TOO_FAST = "Sorry, the form was sent too quickly for us to accept it. Check your answers and select Send again."
TIMED_OUT = "Sorry, this form timed out. Check your answers and select Send again."


# --- The journeys ----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Journey:
    """One way in: its pages (step, title), the forms of its questions, its words, and where its
    draft is kept (`keyed`: the draft's id in the URL; otherwise in the session under `session_key`)."""

    name: str
    caption: str
    steps: tuple[tuple[str, str], ...]
    child_form: type
    adult_form: type
    address_form: type
    concerns_form: type
    consent_form: type
    about_form: type | None = None
    send_label: str = "Send referral"
    keyed: bool = False
    session_key: str = ""
    # Where each answer that services.referral_check_complete finds missing is given: the page, and
    # the field the error summary links to.
    answer_pages: tuple[tuple[str, str, str], ...] = ()

    @property
    def step_names(self) -> list[str]:
        return [name for name, _title in self.steps]

    def title(self, step: str) -> str:
        return dict(self.steps)[step]

    def url(self, referral: Referral | None, step: str, **kwargs) -> str:
        if self.keyed:
            kwargs["referral_id"] = referral.pk
        return reverse(f"front_door:{self.name}-{step}", kwargs=kwargs)

    def answer_page(self, field: str) -> tuple[str, str] | None:
        return next(((step, anchor) for name, step, anchor in self.answer_pages if name == field), None)


PEOPLE_ANSWERS = (("children", "children", "id_first_name"),)
CONSENT_ANSWERS = (
    ("consent_given", "consent", "id_consent_given_1"),
    ("consent_not_sought_reason", "consent", "id_consent_not_sought_reason"),
)
ABOUT_ANSWERS = (
    ("referrer_name", "about", "id_referrer_name"),
    ("referrer_email", "about", "id_referrer_email"),
)

PRACTITIONER = Journey(
    name="referral",
    caption="Make a referral",
    steps=(
        ("children", "The children"),
        ("adults", "Parents and carers"),
        ("address", "The family's address"),
        ("concerns", "Your concerns"),
        ("consent", "The family's agreement"),
        ("check", "Check your answers"),
    ),
    child_form=forms.ChildForm,
    adult_form=forms.AdultForm,
    address_form=forms.AddressForm,
    concerns_form=forms.ConcernsForm,
    consent_form=forms.ConsentForm,
    keyed=True,
    answer_pages=(*PEOPLE_ANSWERS, ("concerns", "concerns", "id_concerns"), *CONSENT_ANSWERS),
)
PUBLIC = Journey(
    name="public",
    caption="Ask for help for a child or family",
    steps=(
        ("about", "About you"),
        ("children", "The children"),
        ("adults", "Parents and carers"),
        ("address", "Where the children live"),
        ("concerns", "Your worries"),
        ("consent", "The family's agreement"),
        ("check", "Check your answers"),
    ),
    about_form=forms.PublicAboutForm,
    child_form=forms.PublicChildForm,
    adult_form=forms.AdultForm,
    address_form=forms.OptionalAddressForm,
    concerns_form=forms.PublicConcernsForm,
    consent_form=forms.PublicConsentForm,
    send_label="Send",
    session_key="front_door_public_draft",
    answer_pages=(
        *ABOUT_ANSWERS,
        *PEOPLE_ANSWERS,
        ("concerns", "concerns", "id_concerns"),
        *CONSENT_ANSWERS,
    ),
)
CONTACT = Journey(
    name="contact",
    caption="Record a contact",
    steps=(
        ("about", "Who contacted us"),
        ("children", "The children"),
        ("adults", "Parents and carers"),
        ("address", "Where the children live"),
        ("concerns", "Their worries"),
        ("consent", "The family's agreement"),
        ("check", "Check the contact"),
    ),
    about_form=forms.ContactAboutForm,
    child_form=forms.ContactChildForm,
    adult_form=forms.AdultForm,
    address_form=forms.OptionalAddressForm,
    concerns_form=forms.ContactConcernsForm,
    consent_form=forms.ConsentForm,
    send_label="Record the contact",
    session_key="front_door_contact_draft",
    answer_pages=(
        *ABOUT_ANSWERS,
        *PEOPLE_ANSWERS,
        ("concerns", "concerns", "id_concerns"),
        *CONSENT_ANSWERS,
    ),
)


def _from_check(request: HttpRequest) -> bool:
    return request.GET.get("from") == "check"


def _next_url(request: HttpRequest, journey: Journey, referral: Referral, step: str) -> str:
    """The next question, or back to check your answers when the person came from there."""
    if _from_check(request):
        return journey.url(referral, "check")
    names = journey.step_names
    return journey.url(referral, names[names.index(step) + 1])


def _back_url(request: HttpRequest, journey: Journey, referral: Referral, step: str) -> str:
    if _from_check(request):
        return journey.url(referral, "check")
    names = journey.step_names
    index = names.index(step)
    if index:
        return journey.url(referral, names[index - 1])
    return reverse("front_door:referral-new")


def _with_from(request: HttpRequest, url: str) -> str:
    return url + ("?from=check" if _from_check(request) else "")


def _people_step(person: ReferralPerson) -> str:
    return "adults" if person.kind == Person.Kind.ADULT else "children"


def _question_page(request, journey: Journey, referral, step: str, form, **extra) -> HttpResponse:
    return render(
        request,
        extra.pop("template", "front_door/intake/question.html"),
        {
            "journey": journey,
            "referral": referral,
            "form": form,
            "step": step,
            "title": extra.pop("title", None) or journey.title(step),
            "back_url": extra.pop("back_url", None) or _back_url(request, journey, referral, step),
            "honeypot": HONEYPOT,
            **extra,
        },
    )


# --- Pages every journey shares ------------------------------------------------------------------------------------


def _people_page(request, journey: Journey, referral: Referral, actor, step: str) -> HttpResponse:
    """The people of one kind added so far, each with links to change or remove them, and the
    question page to add another."""
    form_class = journey.adult_form if step == "adults" else journey.child_form
    form = form_class(request.POST or None)
    people = [p for p in referral.people.all() if _people_step(p) == step]
    if request.method == "POST":
        continuing = "continue" in request.POST
        # Continuing with the form left empty moves on, unless no child has been added yet (adults
        # are optional: the referrer may not know them).
        if continuing and not form.has_input() and (people or step == "adults"):
            return redirect(_next_url(request, journey, referral, step))
        if form.is_valid():
            try:
                person = services.referral_person_add(referral=referral, data=form.person_data())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if continuing:
                    return redirect(_next_url(request, journey, referral, step))
                messages.success(request, f"{person.full_name} added")
                return redirect(request.get_full_path())
    person_links = [
        {
            "person": person,
            "change_url": _with_from(request, journey.url(referral, "person", person_id=person.pk)),
            "remove_url": _with_from(request, journey.url(referral, "person-remove", person_id=person.pk)),
        }
        for person in people
    ]
    return _question_page(
        request, journey, referral, step, form, template="front_door/intake/people.html", people=person_links
    )


def _draft_person(referral: Referral, person_id: int) -> ReferralPerson:
    person = next((p for p in referral.people.all() if p.pk == person_id), None)
    if person is None:
        raise Http404("No one found")
    return person


def _person_page(request, journey: Journey, referral: Referral, actor, person_id: int) -> HttpResponse:
    """One person's own question page, filled in with their answers, to correct them."""
    person = _draft_person(referral, person_id)
    step = _people_step(person)
    form_class = journey.adult_form if step == "adults" else journey.child_form
    form = forms.as_edit_page(
        form_class(request.POST if request.method == "POST" else None, initial=form_class.initial_from(person))
    )
    list_url = _with_from(request, journey.url(referral, step))
    if request.method == "POST" and form.is_valid():
        try:
            person = services.referral_draft_person_update(
                actor=actor, referral=referral, person_id=person.pk, data=form.person_data()
            )
        except ReferralPerson.DoesNotExist:
            raise Http404("No one found") from None
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            messages.success(request, f"{person.full_name}'s details saved")
            return redirect(journey.url(referral, "check") if _from_check(request) else list_url)
    return _question_page(
        request,
        journey,
        referral,
        step,
        form,
        title=f"Change {person.full_name}'s details",
        back_url=journey.url(referral, "check") if _from_check(request) else list_url,
    )


def _person_remove_page(request, journey: Journey, referral: Referral, actor, person_id: int) -> HttpResponse:
    """Asks "Are you sure?" before a person typed into a draft is removed (a page: works without JavaScript)."""
    person = _draft_person(referral, person_id)
    back_url = _with_from(request, journey.url(referral, _people_step(person)))
    if request.method == "POST":
        try:
            services.referral_draft_person_remove(actor=actor, referral=referral, person_id=person.pk)
        except ReferralPerson.DoesNotExist:
            raise Http404("No one found") from None
        messages.success(request, f"{person.full_name} removed")
        return redirect(back_url)
    return render(
        request,
        "front_door/intake/confirm_remove.html",
        {
            "journey": journey,
            "title": f"Are you sure you want to remove {person.full_name}?",
            "warning": "Their details will be removed from this referral. You can add them again afterwards.",
            "button": f"Yes, remove {person.full_name}",
            "back_url": back_url,
        },
    )


def _answers_page(request, journey: Journey, referral: Referral, actor, step: str) -> HttpResponse:
    """A page of answers saved onto the draft itself (about the referrer, address, concerns, consent)."""
    form_class, initial, values = _answer_form(journey, referral, step)
    form = form_class(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_draft_update(actor=actor, referral=referral, **values(form))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(_next_url(request, journey, referral, step))
    return _question_page(request, journey, referral, step, form)


ADDRESS_FIELDS = ["address_line_1", "address_line_2", "town", "postcode"]
CONCERNS_FIELDS = ["concerns", "tried_before", "level_of_need", "expected_outcome"]


def _answer_form(journey: Journey, referral: Referral, step: str) -> tuple[type, dict, Callable]:
    """The form of an answers page, what it shows to start with, and the draft's fields from it."""
    if step == "about":
        return journey.about_form, journey.about_form.initial_from(referral), lambda form: form.values()
    if step == "address":
        initial = {name: getattr(referral, name) for name in ADDRESS_FIELDS}
        return journey.address_form, initial, lambda form: {name: form.cleaned_data[name] for name in ADDRESS_FIELDS}
    if step == "concerns":
        if hasattr(journey.concerns_form, "initial_from"):
            return journey.concerns_form, journey.concerns_form.initial_from(referral), lambda form: form.values()
        initial = {name: getattr(referral, name) for name in CONCERNS_FIELDS}
        initial["level_of_need"] = referral.level_of_need_id
        return (
            journey.concerns_form,
            initial,
            lambda form: {name: form.cleaned_data[name] for name in CONCERNS_FIELDS},
        )
    initial = {
        "consent_given": {True: "yes", False: "no"}.get(referral.consent_given),
        "consent_not_sought_reason": referral.consent_not_sought_reason,
    }
    return journey.consent_form, initial, lambda form: forms.consent_values(form.cleaned_data)


def _check_errors(journey: Journey, referral: Referral, error: ValidationError) -> list[dict]:
    """The service's list of what is missing, each linking to the page where it is answered, in the
    order of the check page's sections."""
    order = journey.step_names
    errors = []
    for field, field_messages in error.message_dict.items():
        step, anchor = journey.answer_page(field) or ("check", "")
        url = f"{journey.url(referral, step)}?from=check#{anchor}" if anchor else ""
        errors += [{"message": message, "url": url, "order": order.index(step)} for message in field_messages]
    return sorted(errors, key=lambda e: e["order"])


def _check_page(request, journey: Journey, referral: Referral, errors: list[dict], status: int = 200) -> HttpResponse:
    return render(
        request,
        "front_door/intake/check.html",
        {
            "journey": journey,
            "referral": referral,
            "children": [
                {"person": p, "change_url": journey.url(referral, "person", person_id=p.pk) + "?from=check"}
                for p in referral.children
            ],
            "adults": [
                {"person": p, "change_url": journey.url(referral, "person", person_id=p.pk) + "?from=check"}
                for p in referral.adults
            ],
            "errors": errors,
            "back_url": journey.url(referral, "consent"),
            "change": {step: journey.url(referral, step) + "?from=check" for step in journey.step_names},
            "check_url": journey.url(referral, "check"),
            "delete_url": journey.url(referral, "delete"),
            "honeypot": HONEYPOT,
        },
        status=status,
    )


def _draft_delete_page(request, journey: Journey, referral: Referral, actor, done_url: str) -> HttpResponse:
    """Asks "Are you sure?" before a draft and everything typed into it is deleted."""
    name = draft_name(referral)
    if request.method == "POST":
        try:
            services.referral_draft_delete(actor=actor, referral=referral)
        except Referral.DoesNotExist:
            raise Http404("No draft found") from None
        if journey.session_key:
            request.session.pop(journey.session_key, None)
        messages.success(
            request,
            "Your answers have been deleted" if journey is PUBLIC else f"Draft deleted: {name.removeprefix('Draft: ')}",
        )
        return redirect(done_url)
    return render(
        request,
        "front_door/intake/confirm_remove.html",
        {
            "journey": journey,
            "title": (
                "Are you sure you want to delete your answers?"
                if journey is PUBLIC
                else "Are you sure you want to delete this draft?"
            ),
            "lead": "" if journey is PUBLIC else name,
            "warning": "Everything typed into it will be deleted. This cannot be undone.",
            "button": "Yes, delete this draft",
            "back_url": request.GET.get("back") if _safe_back(request) else journey.url(referral, "check"),
        },
    )


def _safe_back(request: HttpRequest) -> bool:
    # Only one of this service's own pages (a path), never another site.
    back = request.GET.get("back", "")
    return back.startswith("/") and not back.startswith("//")


def draft_name(referral: Referral) -> str:
    """A draft named by its children: "Draft: referral for Amy and Ben Smith"."""
    children = referral.children
    if not children:
        return "Draft: no children added yet"
    surnames = {child.last_name for child in children}
    if len(surnames) == 1:
        names = [child.first_name for child in children]
        return f"Draft: referral for {_and(names)} {children[0].last_name}"
    return f"Draft: referral for {_and([child.full_name for child in children])}"


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


# --- Practitioners: the draft's id in the URL ---------------------------------------------------------------------


def _require_agency(user) -> None:
    # A referral is made on behalf of an agency; an account without one cannot make it.
    if not user.agency_id:
        raise PermissionDenied("Your account is not part of an agency.")


# The practitioner's own web referral. An unsent draft is the referrer's own typing, so its pages
# are not logged as views of a record.
own_referral = object_view("referral", EDIT_REFERRAL_DRAFT, log=False)


def draft_page(view):
    """A question page of the practitioner's own draft; once sent, its pages go to the confirmation."""

    @wraps(view)
    def wrapped(request: HttpRequest, referral: Referral, **kwargs) -> HttpResponse:
        if referral.status != ReferralStatus.DRAFT:
            return redirect("front_door:referral-submitted", referral_id=referral.pk)
        prefetch_related_objects([referral], Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
        return view(request, referral, **kwargs)

    return own_referral(require_http_methods(["GET", "POST"])(wrapped))


@roles_required(*PRACTITIONER_ROLES)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """The start page; starting makes a draft, so nothing typed afterwards is lost. The drafts
    started and not sent are listed by the children in them, to go on with or delete."""
    _require_agency(request.user)
    if request.method == "POST":
        referral = services.referral_create(channel=Channel.PRACTITIONER, actor=request.user)
        return redirect("front_door:referral-children", referral_id=referral.pk)
    drafts = (
        Referral.objects.filter(referrer=request.user, channel=Channel.PRACTITIONER, status=ReferralStatus.DRAFT)
        .prefetch_related(Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
        .order_by("-updated_at", "-id")[:10]
    )
    return render(
        request,
        "front_door/intake/start.html",
        {
            "drafts": [{"referral": draft, "name": draft_name(draft)} for draft in drafts],
            "kept_for_days": services.DRAFT_KEPT_FOR.days,
        },
    )


@draft_page
def referral_children(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _people_page(request, PRACTITIONER, referral, request.user, "children")


@draft_page
def referral_adults(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _people_page(request, PRACTITIONER, referral, request.user, "adults")


@draft_page
def referral_person(request: HttpRequest, referral: Referral, person_id: int) -> HttpResponse:
    return _person_page(request, PRACTITIONER, referral, request.user, person_id)


@draft_page
def referral_person_remove(request: HttpRequest, referral: Referral, person_id: int) -> HttpResponse:
    return _person_remove_page(request, PRACTITIONER, referral, request.user, person_id)


@draft_page
def referral_address(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _answers_page(request, PRACTITIONER, referral, request.user, "address")


@draft_page
def referral_concerns(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _answers_page(request, PRACTITIONER, referral, request.user, "concerns")


@draft_page
def referral_consent(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _answers_page(request, PRACTITIONER, referral, request.user, "consent")


@draft_page
def referral_check(request: HttpRequest, referral: Referral) -> HttpResponse:
    """Every answer with a link to change it; sending calls the service, whose list of what is
    missing becomes the error summary, each error linking to the page where it is answered."""
    errors = []
    if request.method == "POST":
        try:
            sent = services.referral_submit(referral=referral, actor=request.user)
        except ValidationError as error:
            errors = _check_errors(PRACTITIONER, referral, error)
        else:
            return redirect("front_door:referral-submitted", referral_id=sent.pk)
    return _check_page(request, PRACTITIONER, referral, errors)


@draft_page
def referral_delete(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _draft_delete_page(request, PRACTITIONER, referral, request.user, reverse("front_door:referral-new"))


@own_referral
def referral_submitted(request: HttpRequest, referral: Referral) -> HttpResponse:
    if referral.status == ReferralStatus.DRAFT:
        return redirect("front_door:referral-check", referral_id=referral.pk)
    return render(request, "front_door/intake/submitted.html", {"referral": referral})


# --- A referrer's own sent referral ---------------------------------------------------------------------------


def _outcome_words(referral: Referral, decision: Decision | None) -> str:
    """What became of the referral, in the words its referrer may see: the outcome and where the
    family was sent, never the duty manager's reasons."""
    if referral.status == ReferralStatus.MORE_INFORMATION:
        return "The front door is asking partner agencies what they know about the family before deciding."
    if decision is None:
        return "Not decided yet. The front door decides within 24 hours of receiving a referral."
    if decision.outcome == DecisionOutcome.STEP_UP:
        return "Passed to children's social care, who will contact the family."
    if decision.outcome == DecisionOutcome.EARLY_HELP:
        return f"The family will be offered early help or other support: {decision.destination.name}."
    return decision.get_outcome_display()


@object_view("referral", VIEW_OWN_REFERRAL)
def referral_sent(request: HttpRequest, referral: Referral) -> HttpResponse:
    """A referrer's own sent referral, read-only: what was sent (the children, their parents and
    carers, the concerns and the family's agreement) and what became of it, with the letters."""
    prefetch_related_objects([referral], Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
    decision = selectors.current_decision(referral=referral)
    letters = list(letters_for_user(request.user).filter(referral=referral).defer("pdf").order_by("created_at", "id"))
    return render(
        request,
        "front_door/intake/sent.html",
        {
            "referral": referral,
            "children": referral.children,
            "adults": referral.adults,
            "decision": decision,
            "outcome": _outcome_words(referral, decision),
            "letters": letters,
        },
    )


# --- Drafts kept in the session: the public form and contacts --------------------------------------------------


def _session_draft(request: HttpRequest, journey: Journey, actor) -> Referral | None:
    """The draft this browser is writing, if it is still there and still `actor`'s (for the public,
    a draft nobody owns: its id lives only in this session)."""
    referral_id = request.session.get(journey.session_key)
    if not isinstance(referral_id, int):
        return None
    referral = (
        Referral.objects.filter(pk=referral_id, status=ReferralStatus.DRAFT)
        .prefetch_related(Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
        .first()
    )
    if referral is None or not services.draft_belongs_to(referral, actor):
        request.session.pop(journey.session_key, None)
        return None
    return referral


def _public_actor(request: HttpRequest) -> None:
    # The public form is anonymous, signed in or not: a practitioner using it is not its referrer.
    return None


def _contact_actor(request: HttpRequest):
    return request.user


def session_draft_page(journey: Journey, actor_of: Callable):
    """A question page of the draft kept in this browser's session. Without one, the first page."""

    def decorator(view):
        @wraps(view)
        def wrapped(request: HttpRequest, **kwargs) -> HttpResponse:
            actor = actor_of(request)
            referral = _session_draft(request, journey, actor)
            if referral is None:
                return _no_draft(request, journey)
            return view(request, referral, actor, **kwargs)

        return require_http_methods(["GET", "POST"])(wrapped)

    return decorator


def _no_draft(request: HttpRequest, journey: Journey) -> HttpResponse:
    if journey is PUBLIC:
        # A page of its own, not a redirect: the person may have come back after their session ended.
        return render(request, "front_door/intake/public_no_draft.html")
    return redirect(journey.url(None, "about"))


def _about_page(request: HttpRequest, journey: Journey, actor, create: Callable) -> HttpResponse:
    """The first page: who is asking. Saving it makes the draft (kept in the session), or updates
    the one this browser is already writing."""
    referral = _session_draft(request, journey, actor)
    initial = journey.about_form.initial_from(referral) if referral else {}
    form = journey.about_form(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if referral is None:
                referral = create(form)
                request.session[journey.session_key] = referral.pk
            else:
                services.referral_draft_update(actor=actor, referral=referral, **form.values())
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(_next_url(request, journey, referral, "about"))
    return _question_page(
        request,
        journey,
        referral,
        "about",
        form,
        template=f"front_door/intake/{journey.name}_about.html",
        back_url="" if not _from_check(request) else journey.url(referral, "check"),
        started=request.POST.get("started") or form_token(),
    )


# --- The public form -------------------------------------------------------------------------------------------


def form_token(issued_at: float | None = None) -> str:
    """A signed record of when the form was started."""
    return signing.dumps({"t": time.time() if issued_at is None else issued_at}, salt=TOKEN_SALT)


def form_token_problem(value: str | None) -> str | None:
    """Why the form cannot be accepted on timing grounds, or None."""
    try:
        issued_at = float(signing.loads(value or "", salt=TOKEN_SALT)["t"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return TIMED_OUT
    age = time.time() - issued_at
    if age < MIN_SECONDS:
        return TOO_FAST
    if age > MAX_SECONDS:
        return TIMED_OUT
    return None


def _throttle_key(request: HttpRequest) -> str:
    # REMOTE_ADDR, as in cases.audit: behind a trusted proxy, earlyhelp.middleware has put the
    # client's address there. Hashed: the cache need not hold people's addresses.
    address = request.META.get("REMOTE_ADDR") or "unknown"
    return "front_door:public-referrals:" + hashlib.sha256(address.encode()).hexdigest()


def _over_limit(request: HttpRequest) -> bool:
    try:
        return (cache.get(_throttle_key(request)) or 0) >= settings.PUBLIC_REFERRAL_RATE
    except Exception:
        # A cache outage must not turn families away: the form stays open, and we say so in the log.
        logger.warning("Public referral throttle unavailable", exc_info=True)
        return False


def _count_submission(request: HttpRequest) -> None:
    key = _throttle_key(request)
    try:
        if not cache.add(key, 1, timeout=THROTTLE_WINDOW):
            try:
                cache.incr(key)
            except ValueError:  # expired between the two calls
                cache.add(key, 1, timeout=THROTTLE_WINDOW)
    except Exception:
        logger.warning("Public referral throttle unavailable", exc_info=True)


def _not_accepted(request: HttpRequest, referral: Referral | None) -> HttpResponse:
    """A program filled in the honeypot: nothing it typed is kept."""
    if referral is not None:
        services.referral_draft_delete(actor=None, referral=referral)
    request.session.pop(PUBLIC.session_key, None)
    return render(request, "front_door/intake/public_not_accepted.html", status=400)


@public
@require_http_methods(["GET", "POST"])
def public_refer(request: HttpRequest) -> HttpResponse:
    """The public form's first page, "About you". Its hidden `started` stamps when the form was
    started: sending it within MIN_SECONDS, or more than MAX_SECONDS later, is refused."""
    if request.method == "POST":
        if request.POST.get(HONEYPOT, "").strip():
            return _not_accepted(request, _session_draft(request, PUBLIC, None))
        started = request.POST.get("started", "")
        if STARTED_SESSION_KEY not in request.session and form_token_problem(started) != TIMED_OUT:
            request.session[STARTED_SESSION_KEY] = started

    def create(form) -> Referral:
        return services.referral_create(channel=Channel.PUBLIC, actor=None, **form.values())

    return _about_page(request, PUBLIC, None, create)


@public
@session_draft_page(PUBLIC, _public_actor)
def public_children(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _people_page(request, PUBLIC, referral, actor, "children")


@public
@session_draft_page(PUBLIC, _public_actor)
def public_adults(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _people_page(request, PUBLIC, referral, actor, "adults")


@public
@session_draft_page(PUBLIC, _public_actor)
def public_person(request: HttpRequest, referral: Referral, actor, person_id: int) -> HttpResponse:
    return _person_page(request, PUBLIC, referral, actor, person_id)


@public
@session_draft_page(PUBLIC, _public_actor)
def public_person_remove(request: HttpRequest, referral: Referral, actor, person_id: int) -> HttpResponse:
    return _person_remove_page(request, PUBLIC, referral, actor, person_id)


@public
@session_draft_page(PUBLIC, _public_actor)
def public_address(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, PUBLIC, referral, actor, "address")


@public
@session_draft_page(PUBLIC, _public_actor)
def public_concerns(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, PUBLIC, referral, actor, "concerns")


@public
@session_draft_page(PUBLIC, _public_actor)
def public_consent(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, PUBLIC, referral, actor, "consent")


@public
@session_draft_page(PUBLIC, _public_actor)
def public_check(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    """Check your answers, and send. Sending is where the form's protections apply: the honeypot,
    the throttle per address and the time since the form was started; a timing problem is listed in
    the error summary with anything still missing."""
    if request.method != "POST":
        return _check_page(request, PUBLIC, referral, [])
    if request.POST.get(HONEYPOT, "").strip():
        return _not_accepted(request, referral)
    if _over_limit(request):
        answers = {"concerns": referral.concerns, "help_wanted": referral.expected_outcome}
        return render(request, "front_door/intake/public_too_many.html", {"answers": answers}, status=429)
    errors = []
    problem = form_token_problem(request.session.get(STARTED_SESSION_KEY))
    if problem:
        errors.append({"message": problem, "url": "", "order": -1})
        if problem == TIMED_OUT:
            request.session[STARTED_SESSION_KEY] = form_token()
    missing = services.referral_check_complete(referral)
    if missing:
        errors += _check_errors(PUBLIC, referral, ValidationError(missing))
    if not errors:
        try:
            sent = services.referral_submit(referral=referral, actor=None)
        except ValidationError as error:
            errors = _check_errors(PUBLIC, referral, error)
        else:
            _count_submission(request)
            received = request.session.get(SENT_SESSION_KEY, {})
            received[sent.reference] = sent.duplicate_of.reference if sent.duplicate_of else ""
            request.session[SENT_SESSION_KEY] = dict(list(received.items())[-10:])
            request.session.pop(PUBLIC.session_key, None)
            request.session.pop(STARTED_SESSION_KEY, None)
            return redirect("front_door:public-received", reference=sent.reference)
    return _check_page(request, PUBLIC, referral, errors)


@public
@session_draft_page(PUBLIC, _public_actor)
def public_delete(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _draft_delete_page(request, PUBLIC, referral, actor, reverse("front_door:public-refer"))


@public
def public_received(request: HttpRequest, reference: str) -> HttpResponse:
    """The confirmation, shown to the browser that sent the form; a reference is not personal data,
    but whether it repeats an earlier one is only shown to whoever sent it."""
    sent = request.session.get(SENT_SESSION_KEY, {})
    known = reference in sent
    return render(
        request,
        "front_door/intake/public_received.html",
        {"reference": reference if known else "", "earlier_reference": sent.get(reference, "")},
    )


# --- Contact officers: phone calls and emails ------------------------------------------------------------------


def contact_page(view):
    return roles_required(*FRONT_DOOR_ROLES)(session_draft_page(CONTACT, _contact_actor)(view))


@roles_required(*FRONT_DOOR_ROLES)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    """The first page of a contact: how they contacted us and who they are. A contact not yet
    recorded is kept in this session, to go on with."""

    def create(form) -> Referral:
        return services.referral_create(actor=request.user, **form.values())

    return _about_page(request, CONTACT, request.user, create)


@contact_page
def contact_children(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _people_page(request, CONTACT, referral, actor, "children")


@contact_page
def contact_adults(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _people_page(request, CONTACT, referral, actor, "adults")


@contact_page
def contact_person(request: HttpRequest, referral: Referral, actor, person_id: int) -> HttpResponse:
    return _person_page(request, CONTACT, referral, actor, person_id)


@contact_page
def contact_person_remove(request: HttpRequest, referral: Referral, actor, person_id: int) -> HttpResponse:
    return _person_remove_page(request, CONTACT, referral, actor, person_id)


@contact_page
def contact_address(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, CONTACT, referral, actor, "address")


@contact_page
def contact_concerns(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, CONTACT, referral, actor, "concerns")


@contact_page
def contact_consent(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _answers_page(request, CONTACT, referral, actor, "consent")


@contact_page
def contact_check(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    errors = []
    if request.method == "POST":
        try:
            sent = services.referral_submit(referral=referral, actor=actor)
        except ValidationError as error:
            errors = _check_errors(CONTACT, referral, error)
        else:
            request.session.pop(CONTACT.session_key, None)
            return redirect("front_door:contact-recorded", reference=sent.reference)
    return _check_page(request, CONTACT, referral, errors)


@contact_page
def contact_delete(request: HttpRequest, referral: Referral, actor) -> HttpResponse:
    return _draft_delete_page(request, CONTACT, referral, actor, reverse("front_door:contact-new"))


@roles_required(*FRONT_DOOR_ROLES)
def contact_recorded(request: HttpRequest, reference: str) -> HttpResponse:
    referral = (
        Referral.objects.select_related("duplicate_of")
        .filter(reference=reference, recorded_by=request.user, channel__in=[Channel.PHONE, Channel.EMAIL])
        .first()
    )
    if referral is None:
        raise Http404("No contact found")
    return render(request, "front_door/intake/contact_recorded.html", {"referral": referral})


@roles_required(*FRONT_DOOR_ROLES)
def contacts_awaiting(request: HttpRequest) -> HttpResponse:
    """The contacts this officer recorded that the caller has not yet confirmed in writing."""
    page = Paginator(selectors.contacts_awaiting_confirmation(user=request.user), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(request, "front_door/intake/contacts_awaiting.html", {"page_obj": page, "querystring": ""})


@roles_required(*FRONT_DOOR_ROLES)
@object_view("recorded_contact", CONFIRM_CONTACT, log=False)
@require_POST
def contact_confirm(request: HttpRequest, referral: Referral) -> HttpResponse:
    try:
        services.referral_confirm_in_writing(actor=request.user, referral=referral)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{referral.reference} marked as confirmed in writing")
    page = request.POST.get("page", "")
    return redirect(reverse("front_door:contacts-awaiting") + (f"?page={page}" if page.isdigit() else ""))


def _journey_paths(prefix: str, journey: Journey, views: dict[str, Callable]) -> list:
    """The question pages of a journey kept in the session, under `prefix`."""
    routes = {
        "children": "children/",
        "adults": "parents-and-carers/",
        "person": "people/<int:person_id>/",
        "person-remove": "people/<int:person_id>/remove/",
        "address": "address/",
        "concerns": "concerns/",
        "consent": "agreement/",
        "check": "check/",
        "delete": "delete/",
    }
    return [path(prefix + routes[step], view, name=f"{journey.name}-{step}") for step, view in views.items()]


urlpatterns = [
    path("referrals/new/", referral_new, name="referral-new"),
    path("referrals/<int:referral_id>/children/", referral_children, name="referral-children"),
    path("referrals/<int:referral_id>/adults/", referral_adults, name="referral-adults"),
    path("referrals/<int:referral_id>/people/<int:person_id>/", referral_person, name="referral-person"),
    path(
        "referrals/<int:referral_id>/people/<int:person_id>/remove/",
        referral_person_remove,
        name="referral-person-remove",
    ),
    path("referrals/<int:referral_id>/address/", referral_address, name="referral-address"),
    path("referrals/<int:referral_id>/concerns/", referral_concerns, name="referral-concerns"),
    path("referrals/<int:referral_id>/consent/", referral_consent, name="referral-consent"),
    path("referrals/<int:referral_id>/check/", referral_check, name="referral-check"),
    path("referrals/<int:referral_id>/delete/", referral_delete, name="referral-delete"),
    path("referrals/<int:referral_id>/submitted/", referral_submitted, name="referral-submitted"),
    path("referrals/<int:referral_id>/", referral_sent, name="referral-sent"),
    path("refer/", public_refer, name="public-refer"),
    path("refer/", public_refer, name="public-about"),
    *_journey_paths(
        "refer/",
        PUBLIC,
        {
            "children": public_children,
            "adults": public_adults,
            "person": public_person,
            "person-remove": public_person_remove,
            "address": public_address,
            "concerns": public_concerns,
            "consent": public_consent,
            "check": public_check,
            "delete": public_delete,
        },
    ),
    path("refer/received/<str:reference>/", public_received, name="public-received"),
    path("front-door/contacts/new/", contact_new, name="contact-new"),
    path("front-door/contacts/new/", contact_new, name="contact-about"),
    *_journey_paths(
        "front-door/contacts/new/",
        CONTACT,
        {
            "children": contact_children,
            "adults": contact_adults,
            "person": contact_person,
            "person-remove": contact_person_remove,
            "address": contact_address,
            "concerns": contact_concerns,
            "consent": contact_consent,
            "check": contact_check,
            "delete": contact_delete,
        },
    ),
    path("front-door/contacts/recorded/<str:reference>/", contact_recorded, name="contact-recorded"),
    path("front-door/contacts/awaiting-confirmation/", contacts_awaiting, name="contacts-awaiting"),
    path("front-door/contacts/<int:referral_id>/confirm/", contact_confirm, name="contact-confirm"),
]
