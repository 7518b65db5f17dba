"""The lean GOV.UK field renderer: what a person typed or chose survives an error, errors are
tied to their fields, and ids match the error summary's links."""

import datetime

from django import forms
from django.template import Context, Template

from cases.forms import GDSForm, gds_date


class ExampleForm(GDSForm):
    colour = forms.ChoiceField(
        label="Colour", choices=[("red", "Red"), ("blue", "Blue")], widget=forms.RadioSelect, help_text="Pick one"
    )
    sizes = forms.MultipleChoiceField(
        label="Sizes", choices=[("s", "Small"), ("m", "Medium"), ("l", "Large")], widget=forms.CheckboxSelectMultiple
    )
    reason = forms.CharField(label="Reason", widget=forms.Textarea(attrs={"rows": 3}))
    name = forms.CharField(label="Name", max_length=5)
    when = gds_date("When", "Enter the date")


def render(form) -> str:
    return Template("{% load gds %}{% gds_fields form %}").render(Context({"form": form}))


def test_a_refused_form_keeps_every_answer_and_ties_each_error_to_its_field():
    form = ExampleForm(
        {
            "colour": "blue",
            "sizes": ["s", "l"],
            "reason": "",
            "name": "Zoë <b>Ó</b>",
            "when_0": "31",
            "when_1": "2",
            "when_2": "2026",
        }
    )
    assert not form.is_valid()

    html = render(form)

    assert 'id="id_colour_2" value="blue" checked' in html
    assert 'id="id_colour_1" value="red">' in html
    assert 'id="id_sizes_1" value="s" checked' in html and 'id="id_sizes_3" value="l" checked' in html
    assert 'id="id_sizes_2" value="m">' in html
    assert 'value="Zoë &lt;b&gt;Ó&lt;/b&gt;"' in html  # kept, and escaped
    assert 'name="when_0" value="31"' in html and 'name="when_2" value="2026"' in html
    assert 'id="id_reason_1_error"' in html and "This field is required." in html
    assert 'aria-describedby="id_reason_1_error"' in html
    assert 'aria-describedby="id_when_1_error"' in html
    assert "must be a real date" in html
    assert 'aria-describedby="id_colour_hint"' in html  # a hint, no error
    assert html.count("govuk-form-group--error") == 3  # reason, name and when; colour and sizes are fine


def test_an_unbound_form_shows_its_initial_values():
    form = ExampleForm(initial={"colour": "red", "when": datetime.date(2026, 3, 9), "reason": "Because"})

    html = render(form)

    assert 'id="id_colour_1" value="red" checked' in html
    assert 'name="when_0" value="9"' in html and 'name="when_1" value="3"' in html
    assert ">\nBecause</textarea>" in html
    assert "govuk-form-group--error" not in html


def test_a_govuk_tag_has_its_colour_and_escapes_its_text():
    from cases.templatetags.gds import govuk_tag

    assert govuk_tag("Overdue", "red") == '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    assert govuk_tag("<b>Open</b>") == '<strong class="govuk-tag">&lt;b&gt;Open&lt;/b&gt;</strong>'
