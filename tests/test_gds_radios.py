"""Radios as crispy-forms-gds renders them, through the project's override of its template
(templates/gds/layout/radios.html): inline radios keep GOV.UK Frontend's base class."""

from __future__ import annotations

import re

from crispy_forms.layout import Layout
from crispy_forms.utils import render_crispy_form
from crispy_forms_gds.layout import Field
from django import forms

from cases.forms import GDSForm


class AttendedForm(GDSForm):
    attended = forms.ChoiceField(
        label="Did they attend?", choices=[("yes", "Yes"), ("no", "No")], widget=forms.RadioSelect
    )
    how = forms.ChoiceField(
        label="How?", choices=[("room", "In the room"), ("call", "By phone")], widget=forms.RadioSelect
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Field.radios("attended", inline=True, small=True), Field.radios("how"))


def radios_classes(html: str) -> list[str]:
    return re.findall(r'<div class="(govuk-radios(?!__)[^"]*)"', html)


def test_inline_radios_keep_the_base_class_and_stacked_radios_are_unchanged():
    html = render_crispy_form(AttendedForm())

    assert radios_classes(html) == ["govuk-radios govuk-radios--inline govuk-radios--small", "govuk-radios"]
    assert html.count('data-module="govuk-radios"') == 2
