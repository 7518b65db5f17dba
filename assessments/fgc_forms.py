"""The family group conference pages' forms: the offer, the family's answer, and the conference
held. They check what was typed; the rules (dates in order, one at a time, who may) are the `fgc`
services' and come back through `add_service_errors`."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from cases.forms import GDSForm, gds_date

from .models import ConferenceResponse

EXAMPLE = "For example, 27 3 2026"


class FgcOfferForm(GDSForm):
    submit_label = "Record the offer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offered_on"] = gds_date(
            "When was the family offered a family group conference?",
            "Enter the date it was offered",
            noun="The date it was offered",
            help_text=EXAMPLE,
        )
        self.helper.layout = Layout(Field("offered_on"), Submit("submit", self.submit_label))


class FgcResponseForm(GDSForm):
    submit_label = "Record their answer"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["response"] = forms.ChoiceField(
            label="What did the family say?",
            choices=[
                (ConferenceResponse.ACCEPTED.value, "They accepted"),
                (ConferenceResponse.DECLINED.value, "They declined"),
            ],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select whether the family accepted or declined",
                "invalid_choice": "Select whether the family accepted or declined",
            },
        )
        self.fields["responded_on"] = gds_date(
            "When did they answer?",
            "Enter the date of their answer",
            noun="The date of their answer",
            help_text=EXAMPLE,
        )
        self.helper.layout = Layout(
            Field.radios("response", legend_size=Size.MEDIUM),
            Field("responded_on"),
            Submit("submit", self.submit_label),
        )


class FgcHeldForm(GDSForm):
    submit_label = "Record the conference"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["held_on"] = gds_date(
            "When was the conference held?",
            "Enter the date it was held",
            noun="The date it was held",
            help_text=EXAMPLE,
        )
        self.fields["attended"] = forms.CharField(
            label="Who attended?",
            help_text="Family members, friends and professionals, one a line",
            max_length=5_000,
            widget=forms.Textarea(attrs={"rows": 5}),
            error_messages={
                "required": "Enter who attended",
                "max_length": "Who attended must be 5,000 characters or fewer",
            },
        )
        self.fields["family_plan"] = forms.CharField(
            label="The family's plan",
            help_text="The plan the family made at the conference, in their words",
            max_length=20_000,
            widget=forms.Textarea(attrs={"rows": 10}),
            error_messages={
                "required": "Enter the family's plan from the conference",
                "max_length": "The family's plan must be 20,000 characters or fewer",
            },
        )
        self.helper.layout = Layout(
            Field("held_on"),
            Field.textarea("attended", rows=5),
            Field.textarea("family_plan", rows=10),
            Submit("submit", self.submit_label),
        )
