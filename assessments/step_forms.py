"""The step up page's form: why the family needs children's social care. The rule (a reason, who
may, an active case) is `front_door.step_up.referral_from_step_up`'s."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms

from cases.forms import GDSForm


class StepUpForm(GDSForm):
    submit_label = "Continue"

    reason = forms.CharField(
        label="Why does the family need children's social care?",
        help_text=(
            "What harm you suspect and what you have seen or been told. The front door's duty managers "
            "are told at once and read this first."
        ),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 8}),
        error_messages={
            "required": "Enter why the family needs children's social care",
            "max_length": "The reason must be 10,000 characters or fewer",
        },
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("reason", label_size=Size.MEDIUM), Submit("submit", self.submit_label)
        )
