"""The dashboard's filters: the period (two GOV.UK date inputs, the last 12 months when left empty)
and a locality, sent with GET so the page works without JavaScript and its address can be shared."""

from __future__ import annotations

import datetime

from django import forms

from cases.forms import GDSForm, gds_date
from cases.models import Locality

from .selectors import default_period

LONGEST_PERIOD_DAYS = 5 * 366


class DashboardFilterForm(GDSForm):
    submit_label = "Apply filters"

    from_date = gds_date(
        "From", "Enter the start date", noun="The start date", required=False, help_text="For example, 1 4 2026"
    )
    to_date = gds_date(
        "To", "Enter the end date", noun="The end date", required=False, help_text="For example, 31 3 2027"
    )
    locality = forms.ModelChoiceField(
        queryset=Locality.objects.order_by("name"),
        required=False,
        empty_label="All localities",
        error_messages={"invalid_choice": "Select a locality from the list"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.form_method = "get"

    def clean(self):
        data = super().clean()
        first, last = default_period()
        if data.get("from_date") is None and "from_date" not in self.errors:
            data["from_date"] = first if data.get("to_date") is None else data["to_date"] - datetime.timedelta(days=364)
        if data.get("to_date") is None and "to_date" not in self.errors:
            data["to_date"] = last
        if self.errors:
            return data
        if data["to_date"] < data["from_date"]:
            self.add_error("to_date", "The end date must be the same as or after the start date")
        elif (data["to_date"] - data["from_date"]).days > LONGEST_PERIOD_DAYS:
            self.add_error("to_date", "The period must be 5 years or shorter")
        return data


def unbound_period() -> dict:
    first, last = default_period()
    return {"from_date": first, "to_date": last, "locality": None}
