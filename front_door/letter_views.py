"""The front door's letters to post or phone: the referrers who gave no email address (or whose
email could not be sent), each letter printable with the referrer's address, and the record that it
was sent by post or told by phone, which meets the 72-hour clock."""

from __future__ import annotations

from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from cases.access import object_view, roles_required
from cases.forms import GDSForm
from cases.paging import page_of
from cases.roles import FRONT_DOOR_ROLES

from . import selectors
from .letters import letter_record_sent
from .models import LetterStatus, ReferrerRelationship
from .permissions import PRINT_LETTER, SEND_LETTER

PAGE_SIZE = 25


class LetterSentForm(GDSForm):
    submit_label = "Record"

    how = forms.ChoiceField(
        label="How did you tell them?",
        choices=[(LetterStatus.POSTED.value, "Sent by post"), (LetterStatus.PHONED.value, "Told by phone")],
        widget=forms.RadioSelect,
        error_messages={"required": "Select how you told them", "invalid_choice": "Select how you told them"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("how", Submit("submit", self.submit_label))


def _who(referral) -> str:
    """Who the referrer is, in words: a practitioner's agency, or their relationship to the family."""
    if referral.referrer_agency_id:
        return referral.referrer_agency.name
    return ReferrerRelationship(referral.referrer_relationship).label


@roles_required(*FRONT_DOOR_ROLES)
@require_GET
def letters_to_post(request: HttpRequest) -> HttpResponse:
    """The letters waiting to be posted or phoned, oldest first, with when each must be sent by."""
    page, querystring = page_of(request, selectors.letters_to_post(), PAGE_SIZE)
    now = timezone.now()
    rows = [
        {
            "letter": letter,
            "referral": letter.referral,
            "overdue": letter.tell_by is not None and letter.tell_by < now,
        }
        for letter in page.object_list
    ]
    return render(
        request,
        "front_door/letters/to_post.html",
        {"page_obj": page, "rows": rows, "querystring": querystring},
    )


@object_view("letter", SEND_LETTER)
@require_http_methods(["GET", "POST"])
def letter_to_post(request: HttpRequest, letter) -> HttpResponse:
    """One letter to post or phone: who it is for, how to reach them, the letter to print, and the
    record that they were told."""
    referral = letter.referral
    form = None
    if letter.status == LetterStatus.TO_POST:
        form = LetterSentForm(request.POST if request.method == "POST" else None)
        if request.method == "POST" and form.is_valid():
            try:
                letter = letter_record_sent(actor=request.user, letter=letter, how=form.cleaned_data["how"])
            except ValidationError as error:
                form.add_service_errors(error)
            else:
                if letter.status == LetterStatus.POSTED:
                    messages.success(request, f"Letter for {referral.reference} recorded as sent by post")
                else:
                    messages.success(request, f"Recorded that you told the referrer for {referral.reference} by phone")
                return redirect("front_door:letters-to-post")
    if letter.status != LetterStatus.TO_POST:
        letter = type(letter).objects.select_related("sent_by", "replaced_by").defer("pdf").get(pk=letter.pk)
    return render(
        request,
        "front_door/letters/letter.html",
        {
            "letter": letter,
            "referral": referral,
            "who": _who(referral),
            "address_lines": referral.referrer_address_lines,
            "form": form,
        },
    )


@object_view("letter", PRINT_LETTER)
@require_GET
def letter_print(request: HttpRequest, letter) -> HttpResponse:
    """The letter as a PDF to print (opened in the browser); each opening is logged as a print."""
    response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{letter.referral.reference}.pdf"'
    return response


urlpatterns = [
    path("front-door/letters/", letters_to_post, name="letters-to-post"),
    path(
        "front-door/referrals/<int:referral_id>/letters/<int:letter_id>/send/",
        letter_to_post,
        name="letter-to-post",
    ),
    path(
        "front-door/referrals/<int:referral_id>/letters/<int:letter_id>/print/",
        letter_print,
        name="letter-print",
    ),
]
