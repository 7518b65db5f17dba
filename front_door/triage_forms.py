"""Forms of the duty managers' side of the front door and of the partners' answers. They check
what was typed; the rules (a destination for early help, agencies for a MASH enquiry, one
amendment per decision) are the services' and come back through `add_service_errors`."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from cases.forms import GDSForm, RevealingRadios, gds_date
from cases.models import Agency, Destination, LevelOfNeed, Person

from .models import DecisionOutcome
from .services import SCHOOL_TYPES

# A date the partners are asked to answer by means the end of that working day.
DUE_TIME = datetime.time(17, 0)


# The questions each outcome reveals (besides its destinations, added from the configuration).
MASH_QUESTIONS = ["agencies", "question", "due_on"]


def destination_field_name(outcome: str) -> str:
    """The early help destination keeps the name `destination`; an outcome a council has given
    destinations of its own gets one field each, so that without JavaScript (every outcome's
    questions on show) each posts its own answer."""
    return "destination" if outcome == DecisionOutcome.EARLY_HELP else f"destination_{outcome}"


class DecisionForm(GDSForm):
    """The decision, with each outcome's questions revealed under it: the destinations that fit it
    (configuration), and for a MASH enquiry the agencies, the question and the date. When anyone
    named would get a new record, the duty manager confirms it (`new_people`)."""

    submit_label = "Record the decision"
    outcome_choices = DecisionOutcome.choices
    asks_partners = True

    outcome = forms.ChoiceField(
        label="What is your decision?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies should be asked for information?",
        help_text="Select all that apply.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select the agencies to ask for information"},
    )
    question = forms.CharField(
        label="What do you need to know from them?",
        help_text="The agencies see this question, the children's names, dates of birth, NHS numbers and "
        "Unique Pupil Numbers, and the address.",
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
    )
    due_on = gds_date(
        "When do you need the answers by? (optional)",
        "Enter the date the answers are due",
        noun="The date the answers are due",
        required=False,
        help_text="For example, 27 3 2026. Leave blank for the usual 1 working day.",
    )
    level_of_need = forms.ModelChoiceField(
        label="Level of need",
        queryset=LevelOfNeed.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the level of need", "invalid_choice": "Select the level of need"},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason for the decision"},
    )
    # How many decisions the referral had when the page was shown: the service refuses the decision
    # if another was recorded meanwhile (two duty managers at once).
    decisions_seen = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)

    def __init__(self, *args, referral=None, new_people: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = self.outcome_choices
        self.fields["level_of_need"].queryset = LevelOfNeed.objects.active()
        if self.asks_partners:
            self.fields["agencies"].queryset = self.agencies_to_ask(referral)
            self.fields["agencies"].label_from_instance = lambda a: f"{a.name} ({a.agency_type.name})"
        else:
            for name in MASH_QUESTIONS:
                del self.fields[name]
        # One read of the destinations, shared out to the outcomes they fit.
        destinations = list(Destination.objects.active())
        self.destinations: dict[str, Destination] = {}
        reveals: dict[str, list[str]] = {}
        outcomes = [value for value, _label in self.outcome_choices]
        for outcome in outcomes:
            fitting = [d for d in destinations if d.fits(outcome)]
            names = []
            if fitting:
                name = destination_field_name(outcome)
                self.fields[name] = forms.ChoiceField(
                    label="Where does the referral go?",
                    choices=[(str(d.pk), d.name) for d in fitting],
                    widget=forms.RadioSelect,
                    required=False,
                    error_messages={"invalid_choice": "Select a destination"},
                )
                self.destinations.update({str(d.pk): d for d in fitting})
                names.append(name)
            if outcome == DecisionOutcome.MORE_INFORMATION and self.asks_partners:
                names += MASH_QUESTIONS
            reveals[outcome] = names
        self.new_people = new_people
        if new_people:
            self.fields["confirm_new_people"] = forms.BooleanField(
                label=(
                    "I confirm a new record will be made for the person not linked to a known record"
                    if new_people == 1
                    else f"I confirm new records will be made for the {new_people} people not linked to a known record"
                ),
                required=False,
            )
        revealed = [name for names in reveals.values() for name in names]
        # Fields in the order of the page, so the error summary lists errors in that order.
        order = ["outcome", *revealed, "level_of_need", "reason", "confirm_new_people"]
        self.order_fields(order)
        self.helper.layout = Layout(
            RevealingRadios("outcome", reveals),
            *(name for name in self.fields if name not in ["outcome", *revealed]),
            Submit("submit", self.submit_label),
        )

    @staticmethod
    def agencies_to_ask(referral):
        """Every agency but the county's hundreds of schools and settings, of which only the
        children's own and the referrer's are offered: a list a duty manager can read."""
        agencies = Agency.objects.filter(active=True).select_related("agency_type")
        if referral is None:
            return agencies
        known = ~Q(agency_type__code__in=SCHOOL_TYPES) | Q(
            pk__in=Person.objects.filter(referrals__referral=referral, school__isnull=False).values("school_id")
        )
        if referral.referrer_agency_id:
            known |= Q(pk=referral.referrer_agency_id)
        return agencies.filter(known).order_by("agency_type__sort_order", "name")

    def clean(self):
        data = super().clean()
        outcome = data.get("outcome")
        # Without JavaScript every question is on show: answers to questions that do not apply to
        # the chosen outcome are dropped, not refused.
        chosen = data.get(destination_field_name(outcome)) if outcome else None
        data["destination"] = self.destinations.get(chosen) if chosen else None
        data["due_at"] = None
        if self.asks_partners:
            if outcome != DecisionOutcome.MORE_INFORMATION:
                data["agencies"], data["question"] = [], ""
            else:
                if not data.get("question", "").strip():
                    self.add_error("question", "Enter what you need to know from the agencies")
                due_on = data.get("due_on")
                if due_on:
                    data["due_at"] = timezone.make_aware(datetime.datetime.combine(due_on, DUE_TIME))
        data["confirm_new_people"] = bool(data.get("confirm_new_people"))
        return data

    def add_service_errors(self, error) -> None:
        """The service names the API's fields: here the destination is the chosen outcome's, and the
        due time is the date asked for."""
        if hasattr(error, "error_dict"):
            outcome = self.cleaned_data.get("outcome") or ""
            renamed = {"destination": destination_field_name(outcome), "due_at": "due_on"}
            error = ValidationError(
                {renamed.get(field, field): messages for field, messages in error.message_dict.items()}
            )
        super().add_service_errors(error)

    def information_requests(self) -> list[tuple[Agency, str]]:
        question = self.cleaned_data.get("question", "")
        return [(agency, question) for agency in self.cleaned_data.get("agencies", [])]


class DecisionAmendForm(DecisionForm):
    """A correction: a final outcome only (asking partners is a new MASH decision, not an amendment)."""

    submit_label = "Record the amended decision"
    outcome_choices = [(value, label) for value, label in DecisionOutcome.choices if value != "more_information"]
    asks_partners = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].label = "What is the correct decision?"
        self.fields["reason"].label = "Reason for the amended decision"
        self.fields["reason"].help_text = "Say what was wrong with the earlier decision and why this one is right"


class AnswerForm(GDSForm):
    submit_label = "Send the answer"
    answer = forms.CharField(
        label="What does your agency know about the family?",
        help_text="Share what is necessary and proportionate to keep the children safe",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what your agency knows about the family"},
    )
