"""The error summary lists errors in the order of the fields on the page: every intake form's
fields are in the order its layout shows them (Django lists errors in the order of the form's
fields, where a subclass's fields and those added in __init__ would otherwise come last)."""

import re

import pytest
from django.template.loader import render_to_string

from front_door import intake_forms

FORMS = [
    intake_forms.ChildForm,
    intake_forms.AdultForm,
    intake_forms.AddressForm,
    intake_forms.ConcernsForm,
    intake_forms.ConsentForm,
    intake_forms.PublicAboutForm,
    intake_forms.PublicChildForm,
    intake_forms.OptionalAddressForm,
    intake_forms.PublicConcernsForm,
    intake_forms.PublicConsentForm,
    intake_forms.ContactAboutForm,
    intake_forms.ContactChildForm,
    intake_forms.ContactConcernsForm,
]


@pytest.mark.parametrize("form_class", FORMS, ids=lambda form_class: form_class.__name__)
def test_fields_are_in_the_order_the_page_shows_them(db, form_class):
    form = form_class()

    shown = [pointer.name for pointer in form.helper.layout.get_field_names()]

    assert list(form.fields) == shown


def test_every_error_of_a_page_is_listed_in_the_order_of_its_fields(db):
    form = intake_forms.ContactAboutForm(
        data={"channel": "", "referrer_name": "", "referrer_relationship": "", "referrer_postcode": "EX"}
    )
    assert not form.is_valid()

    summary = render_to_string("includes/error_summary.html", {"form": form})

    assert re.findall(r'<a href="#([^"]+)">', summary) == [
        "id_channel_1",
        "id_referrer_name",
        "id_referrer_relationship_1",
        "id_referrer_email",
        "id_referrer_postcode",
    ]
