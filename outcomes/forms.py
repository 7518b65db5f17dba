"""The outcomes app's own forms (the closure questions asked on the shared record's pages are in
`outcomes.closure`)."""

from __future__ import annotations

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms

from cases.forms import GDSForm


class SustainedCheckForm(GDSForm):
    """For each outcome achieved (or partly) at closure: did it last, and what shows it."""

    submit_label = "Save"

    def __init__(self, *args, outcomes: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.outcomes = outcomes
        layout = []
        for number, outcome in enumerate(outcomes, start=1):
            key = f"outcome_{outcome.pk}"
            need = outcome.need
            who = need.person.full_name if need.person_id else "the whole family"
            self.fields[key] = forms.ChoiceField(
                label="Has it lasted?",
                choices=[("yes", "Yes"), ("no", "No")],
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Say whether outcome {number} has lasted",
                    "invalid_choice": f"Say whether outcome {number} has lasted",
                },
            )
            self.fields[f"{key}_note"] = forms.CharField(
                label="What shows it (optional)",
                widget=forms.Textarea(attrs={"rows": 2}),
                required=False,
                max_length=5000,
            )
            layout.append(
                Fieldset(
                    Field.radios(key, legend_size=Size.SMALL, inline=True),
                    Field.textarea(f"{key}_note"),
                    legend=f"Outcome {number}: {need.area.name}, {who}: {need.description}",
                    legend_size=Size.MEDIUM,
                    legend_tag="h2",
                )
            )
        self.helper.layout = Layout(*layout, Submit("submit", self.submit_label))

    def answers(self) -> dict[int, tuple[bool, str]]:
        data = self.cleaned_data
        return {
            outcome.pk: (data[f"outcome_{outcome.pk}"] == "yes", data.get(f"outcome_{outcome.pk}_note") or "")
            for outcome in self.outcomes
        }
