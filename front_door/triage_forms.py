"""Forms of the duty managers' side of the front door and of the partners' answers. They check
what was typed; the rules (a destination for early help, agencies for a MASH enquiry, one
amendment per decision) are the services' and come back through `add_service_errors`."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.db.models import Q
from django.utils import timezone

from cases.forms import GDSForm, gds_date
from cases.models import Agency, Destination, LevelOfNeed, Person

from .models import DecisionOutcome

# A date the partners are asked to answer by means the end of that working day.
DUE_TIME = datetime.time(17, 0)


SCHOOL_TYPES = ("school", "early-years")


class DecisionForm(GDSForm):
    submit_label = "Record the decision"
    outcome_choices = DecisionOutcome.choices

    outcome = forms.ChoiceField(
        label="What is your decision?",
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    level_of_need = forms.ModelChoiceField(
        label="Level of need",
        queryset=LevelOfNeed.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={"required": "Select the level of need", "invalid_choice": "Select the level of need"},
    )
    destination = forms.ModelChoiceField(
        label="Where does the referral go?",
        help_text="Only for early help or other support",
        queryset=Destination.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        required=False,
        error_messages={"invalid_choice": "Select where the referral goes"},
    )
    reason = forms.CharField(
        label="Reason for the decision",
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={"required": "Enter the reason for the decision"},
    )
    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies should be asked for information?",
        help_text="Only for a MASH enquiry. Select all that apply.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        error_messages={"invalid_choice": "Select the agencies to ask for information"},
    )
    question = forms.CharField(
        label="What do you need to know from them?",
        help_text="Only for a MASH enquiry. The agencies see this question, the children's names and dates of "
        "birth and the address.",
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

    def __init__(self, *args, referral=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = self.outcome_choices
        self.fields["level_of_need"].queryset = LevelOfNeed.objects.active()
        self.fields["destination"].queryset = Destination.objects.active()
        if "agencies" in self.fields:
            self.fields["agencies"].queryset = self.agencies_to_ask(referral)
            self.fields["agencies"].label_from_instance = lambda a: f"{a.name} ({a.agency_type.name})"

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
        if outcome != DecisionOutcome.EARLY_HELP:
            data["destination"] = None
        if "agencies" in self.fields:
            if outcome != DecisionOutcome.MORE_INFORMATION:
                data["agencies"], data["question"], data["due_at"] = [], "", None
            else:
                if not data.get("question", "").strip():
                    self.add_error("question", "Enter what you need to know from the agencies")
                due_on = data.get("due_on")
                data["due_at"] = None
                if due_on:
                    due_at = timezone.make_aware(datetime.datetime.combine(due_on, DUE_TIME))
                    if due_at <= timezone.now():
                        self.add_error("due_on", "The date the answers are due must be in the future")
                    data["due_at"] = due_at
        return data

    def information_requests(self) -> list[tuple[Agency, str]]:
        question = self.cleaned_data.get("question", "")
        return [(agency, question) for agency in self.cleaned_data.get("agencies", [])]


class DecisionAmendForm(DecisionForm):
    """A correction: a final outcome only (asking partners is a new MASH decision, not an amendment)."""

    submit_label = "Record the amended decision"
    outcome_choices = [(value, label) for value, label in DecisionOutcome.choices if value != "more_information"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("agencies", "question", "due_on"):
            del self.fields[name]
        self.fields["outcome"].label = "What is the correct decision?"
        self.fields["reason"].label = "Reason for the amended decision"
        self.fields["reason"].help_text = "Say what was wrong with the earlier decision and why this one is right"
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))


class AnswerForm(GDSForm):
    submit_label = "Send the answer"
    answer = forms.CharField(
        label="What does your agency know about the family?",
        help_text="Share what is necessary and proportionate to keep the children safe",
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={"required": "Enter what your agency knows about the family"},
    )
