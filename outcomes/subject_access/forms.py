from __future__ import annotations

from crispy_forms_gds.layout import Layout, Submit
from django import forms

from cases.forms import GDSForm, gds_date

from .models import WithholdReason


class OpenForm(GDSForm):
    """Who asked and when: the due date is worked out from the date received."""

    submit_label = "Open the request"

    requester = forms.CharField(
        label="Who asked for the information?",
        help_text="For example, the person themselves, or a parent with parental responsibility",
        max_length=200,
        error_messages={
            "required": "Enter who asked for the information",
            "max_length": "Who asked must be 200 characters or fewer",
        },
    )
    received_on = gds_date(
        "When was the request received?",
        "Enter the date the request was received",
        noun="The date received",
        help_text="The response is due one calendar month later. For example, 3 3 2027",
    )
    notes = forms.CharField(
        label="Notes (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        error_messages={"max_length": "The notes must be 2,000 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("requester", "received_on", "notes", Submit("submit", self.submit_label))


class MarkForm(forms.Form):
    """Withhold or release the items ticked on one page of the redaction step. Rendered by hand in
    the page's table (a checkbox in each item's row)."""

    WITHHOLD = "withhold"
    RELEASE = "release"

    action = forms.ChoiceField(choices=[(WITHHOLD, "Withhold"), (RELEASE, "Release")])
    items = forms.MultipleChoiceField(
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Select the items", "invalid_choice": "Select the items"},
    )
    reason = forms.ChoiceField(
        required=False,
        choices=WithholdReason.choices,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": "Select why the items are withheld"},
    )
    explanation = forms.CharField(
        required=False,
        max_length=1000,
        error_messages={"max_length": "The explanation must be 1,000 characters or fewer"},
    )

    def __init__(self, *args, keys: list[str], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["items"].choices = [(key, key) for key in keys]

    def clean(self):
        data = super().clean()
        if data.get("action") == self.WITHHOLD:
            if not data.get("reason"):
                self.add_error("reason", "Select why the items are withheld")
            elif data["reason"] == WithholdReason.OTHER and not (data.get("explanation") or "").strip():
                self.add_error("explanation", "Explain why the items are withheld")
        return data

    def item_keys(self) -> list[tuple[str, int]]:
        return [(key.split(":")[0], int(key.split(":")[1])) for key in self.cleaned_data["items"]]
