from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.utils import timezone

from cases.forms import GDSForm, gds_date

from .annex_a import FORMATS, XLSX


class AnnexAForm(GDSForm):
    submit_label = "Make the lists"

    inspection_date = gds_date(
        "Inspection date",
        "Enter the inspection date",
        noun="The inspection date",
        help_text="The lists cover the six months before it. For example, 3 3 2027",
    )
    format = forms.ChoiceField(
        label="Which files do you want?",
        choices=list(FORMATS.items()),
        initial=XLSX,
        widget=forms.RadioSelect,
        error_messages={"required": "Select which files you want", "invalid_choice": "Select which files you want"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("inspection_date", "format", Submit("submit", self.submit_label))

    def clean_inspection_date(self) -> datetime.date:
        value = self.cleaned_data["inspection_date"]
        if value > timezone.localdate() + datetime.timedelta(days=366):
            raise forms.ValidationError("The inspection date must be within the next year")
        if value.year < 2000:
            raise forms.ValidationError("The inspection date must be after 1 January 2000")
        return value

    def parameters(self) -> dict[str, str]:
        return {
            "inspection_date": self.cleaned_data["inspection_date"].isoformat(),
            "format": self.cleaned_data["format"],
        }
