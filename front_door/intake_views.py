"""How referrals come in through pages: the practitioner's question pages (a draft saved between
pages, then check your answers), the public form (no account: a honeypot, a signed timestamp and a
throttle per address instead of a third-party service) and the contacts a contact officer records
from a phone call or an email, with the list of those still to be confirmed in writing."""

from __future__ import annotations

import hashlib
import logging
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods, require_POST

from cases.access import object_view, public, roles_required
from cases.models import Person
from cases.roles import FRONT_DOOR_ROLES, PRACTITIONER_ROLES

from . import intake_forms as forms
from . import selectors, services
from .models import Channel, Referral, ReferralPerson, ReferralStatus
from .permissions import CONFIRM_CONTACT, EDIT_REFERRAL_DRAFT

logger = logging.getLogger(__name__)

PAGE_SIZE = 25

# The public form: a person takes more than MIN_SECONDS to fill it in, and a form served more than
# MAX_SECONDS ago is refused (the token would otherwise be reusable by a script for ever).
MIN_SECONDS = 3
MAX_SECONDS = 2 * 60 * 60
TOKEN_SALT = "front_door.public_referral.started"
HONEYPOT = "leave_blank"
THROTTLE_WINDOW = 60 * 60
SENT_SESSION_KEY = "front_door_public_sent"
TOO_FAST = "Sorry, the form was sent too quickly for us to accept it. Check your answers and select Send again."
TIMED_OUT = "Sorry, this form timed out. Check your answers and select Send again."


# --- Practitioners: question pages and check your answers ----------------------------------------------------

STEPS = [
    ("children", "The children"),
    ("adults", "Parents and carers"),
    ("address", "The family's address"),
    ("concerns", "Your concerns"),
    ("consent", "The family's agreement"),
    ("check", "Check your answers"),
]
STEP_NAMES = [name for name, _ in STEPS]
# Where each answer that services.referral_check_complete finds missing is given: the page, and
# the field the error summary links to. Anything else is listed without a link.
ANSWER_PAGES = {
    "children": ("children", "id_first_name"),
    "concerns": ("concerns", "id_concerns"),
    "consent_given": ("consent", "id_consent_given_1"),
    "consent_not_sought_reason": ("consent", "id_consent_not_sought_reason"),
}


def _step_url(referral: Referral, step: str) -> str:
    return reverse(f"front_door:referral-{step}", kwargs={"referral_id": referral.pk})


def _next_url(request: HttpRequest, referral: Referral, step: str) -> str:
    """The next question, or back to check your answers when the person came from there."""
    if request.GET.get("from") == "check":
        return _step_url(referral, "check")
    return _step_url(referral, STEP_NAMES[STEP_NAMES.index(step) + 1])


def _back_url(request: HttpRequest, referral: Referral, step: str) -> str:
    if request.GET.get("from") == "check":
        return _step_url(referral, "check")
    index = STEP_NAMES.index(step)
    return _step_url(referral, STEP_NAMES[index - 1]) if index else reverse("front_door:referral-new")


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
        return view(request, referral, **kwargs)

    return own_referral(require_http_methods(["GET", "POST"])(wrapped))


def _question_page(request, referral, step, form, **extra) -> HttpResponse:
    return render(
        request,
        extra.pop("template", "front_door/intake/question.html"),
        {
            "referral": referral,
            "form": form,
            "step": step,
            "title": dict(STEPS)[step],
            "back_url": _back_url(request, referral, step),
            **extra,
        },
    )


@roles_required(*PRACTITIONER_ROLES)
@require_http_methods(["GET", "POST"])
def referral_new(request: HttpRequest) -> HttpResponse:
    """The start page; starting makes a draft, so nothing typed afterwards is lost."""
    _require_agency(request.user)
    if request.method == "POST":
        referral = services.referral_create(channel=Channel.PRACTITIONER, actor=request.user)
        return redirect("front_door:referral-children", referral_id=referral.pk)
    drafts = (
        Referral.objects.filter(referrer=request.user, channel=Channel.PRACTITIONER, status=ReferralStatus.DRAFT)
        .prefetch_related(Prefetch("people", queryset=ReferralPerson.objects.order_by("kind", "id")))
        .order_by("-created_at", "-id")[:10]
    )
    return render(request, "front_door/intake/start.html", {"drafts": drafts})


def _people_page(request, referral, step: str, form_class, kind_filter) -> HttpResponse:
    form = form_class(request.POST or None)
    people = [p for p in referral.people.all() if kind_filter(p)]
    if request.method == "POST":
        continuing = "continue" in request.POST
        # Continuing with the form left empty moves on, unless no child has been added yet (adults
        # are optional: the referrer may not know them).
        if continuing and not form.has_input() and (people or step == "adults"):
            return redirect(_next_url(request, referral, step))
        if form.is_valid():
            try:
                person = services.referral_person_add(referral=referral, data=form.person_data())
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if continuing:
                    return redirect(_next_url(request, referral, step))
                messages.success(request, f"{person.full_name} added")
                return redirect(request.get_full_path())
    return _question_page(request, referral, step, form, template="front_door/intake/people.html", people=people)


@draft_page
def referral_children(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _people_page(request, referral, "children", forms.ChildForm, lambda p: p.kind != Person.Kind.ADULT)


@draft_page
def referral_adults(request: HttpRequest, referral: Referral) -> HttpResponse:
    return _people_page(request, referral, "adults", forms.AdultForm, lambda p: p.kind == Person.Kind.ADULT)


@own_referral
@require_POST
def referral_person_remove(request: HttpRequest, referral: Referral, person_id: int) -> HttpResponse:
    if referral.status != ReferralStatus.DRAFT:
        return redirect("front_door:referral-submitted", referral_id=referral.pk)
    try:
        person = services.referral_draft_person_remove(actor=request.user, referral=referral, person_id=person_id)
    except ReferralPerson.DoesNotExist:
        raise Http404("No one found") from None
    messages.success(request, f"{person.full_name} removed")
    step = "adults" if person.kind == Person.Kind.ADULT else "children"
    target = _step_url(referral, step)
    return redirect(target + ("?from=check" if request.GET.get("from") == "check" else ""))


def _answers_page(request, referral, step: str, form_class, initial: dict, to_fields) -> HttpResponse:
    """A page of answers saved onto the draft itself (address, concerns, consent)."""
    form = form_class(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.referral_draft_update(actor=request.user, referral=referral, **to_fields(form.cleaned_data))
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect(_next_url(request, referral, step))
    return _question_page(request, referral, step, form)


@draft_page
def referral_address(request: HttpRequest, referral: Referral) -> HttpResponse:
    names = ["address_line_1", "address_line_2", "town", "postcode"]
    return _answers_page(
        request,
        referral,
        "address",
        forms.AddressForm,
        {name: getattr(referral, name) for name in names},
        lambda d: {name: d[name] for name in names},
    )


@draft_page
def referral_concerns(request: HttpRequest, referral: Referral) -> HttpResponse:
    names = ["concerns", "tried_before", "level_of_need", "expected_outcome"]
    initial = {name: getattr(referral, name) for name in names}
    initial["level_of_need"] = referral.level_of_need_id
    return _answers_page(
        request, referral, "concerns", forms.ConcernsForm, initial, lambda d: {name: d[name] for name in names}
    )


@draft_page
def referral_consent(request: HttpRequest, referral: Referral) -> HttpResponse:
    initial = {
        "consent_given": {True: "yes", False: "no"}.get(referral.consent_given),
        "consent_not_sought_reason": referral.consent_not_sought_reason,
    }
    return _answers_page(request, referral, "consent", forms.ConsentForm, initial, forms.consent_values)


@draft_page
def referral_check(request: HttpRequest, referral: Referral) -> HttpResponse:
    """Every answer with a link to change it; sending calls the service, whose list of what is
    missing becomes the error summary, each error linking to the page where it is answered."""
    errors = []
    if request.method == "POST":
        try:
            referral = services.referral_submit(referral=referral, actor=request.user)
        except ValidationError as error:
            for field, field_messages in error.message_dict.items():
                step, anchor = ANSWER_PAGES.get(field, ("check", ""))
                url = f"{_step_url(referral, step)}?from=check#{anchor}" if anchor else ""
                errors += [{"message": message, "url": url} for message in field_messages]
        else:
            return redirect("front_door:referral-submitted", referral_id=referral.pk)
    return render(
        request,
        "front_door/intake/check.html",
        {
            "referral": referral,
            "children": referral.children,
            "adults": referral.adults,
            "errors": errors,
            "back_url": _step_url(referral, "consent"),
            "change": {step: _step_url(referral, step) + "?from=check" for step in STEP_NAMES},
        },
    )


@own_referral
def referral_submitted(request: HttpRequest, referral: Referral) -> HttpResponse:
    if referral.status == ReferralStatus.DRAFT:
        return redirect("front_door:referral-check", referral_id=referral.pk)
    return render(request, "front_door/intake/submitted.html", {"referral": referral})


# --- The public form ---------------------------------------------------------------------------------------------


def form_token(issued_at: float | None = None) -> str:
    """A signed record of when the form was served."""
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


@public
@require_http_methods(["GET", "POST"])
def public_refer(request: HttpRequest) -> HttpResponse:
    started = request.POST.get("started", "")
    if request.method == "POST":
        if request.POST.get(HONEYPOT, "").strip():
            return render(request, "front_door/intake/public_not_accepted.html", status=400)
        if _over_limit(request):
            return render(request, "front_door/intake/public_too_many.html", {"answers": request.POST}, status=429)
        form = forms.PublicReferralForm(request.POST)
        problem = form_token_problem(started)
        if form.is_valid() and problem is None:
            try:
                referral = services.referral_receive(
                    channel=Channel.PUBLIC, actor=None, people=form.people(), **form.referral_fields()
                )
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                _count_submission(request)
                sent = request.session.get(SENT_SESSION_KEY, {})
                sent[referral.reference] = referral.duplicate_of.reference if referral.duplicate_of else ""
                request.session[SENT_SESSION_KEY] = dict(list(sent.items())[-10:])
                return redirect("front_door:public-received", reference=referral.reference)
        if problem:
            form.add_error(None, problem)
        if problem == TIMED_OUT:
            started = form_token()
    else:
        form = forms.PublicReferralForm()
        started = form_token()
    return render(
        request,
        "front_door/intake/public_form.html",
        {"form": form, "started": started, "honeypot": HONEYPOT},
    )


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


@roles_required(*FRONT_DOOR_ROLES)
@require_http_methods(["GET", "POST"])
def contact_new(request: HttpRequest) -> HttpResponse:
    form = forms.ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            referral = services.referral_receive(
                channel=form.cleaned_data["channel"],
                actor=request.user,
                people=form.people(),
                **form.referral_fields(),
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            return redirect("front_door:contact-recorded", reference=referral.reference)
    return render(request, "front_door/intake/contact_form.html", {"form": form})


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


urlpatterns = [
    path("referrals/new/", referral_new, name="referral-new"),
    path("referrals/<int:referral_id>/children/", referral_children, name="referral-children"),
    path("referrals/<int:referral_id>/adults/", referral_adults, name="referral-adults"),
    path(
        "referrals/<int:referral_id>/people/<int:person_id>/remove/",
        referral_person_remove,
        name="referral-person-remove",
    ),
    path("referrals/<int:referral_id>/address/", referral_address, name="referral-address"),
    path("referrals/<int:referral_id>/concerns/", referral_concerns, name="referral-concerns"),
    path("referrals/<int:referral_id>/consent/", referral_consent, name="referral-consent"),
    path("referrals/<int:referral_id>/check/", referral_check, name="referral-check"),
    path("referrals/<int:referral_id>/submitted/", referral_submitted, name="referral-submitted"),
    path("refer/", public_refer, name="public-refer"),
    path("refer/received/<str:reference>/", public_received, name="public-received"),
    path("front-door/contacts/new/", contact_new, name="contact-new"),
    path("front-door/contacts/recorded/<str:reference>/", contact_recorded, name="contact-recorded"),
    path("front-door/contacts/awaiting-confirmation/", contacts_awaiting, name="contacts-awaiting"),
    path("front-door/contacts/<int:referral_id>/confirm/", contact_confirm, name="contact-confirm"),
]
