"""Forms of the front door's intake: the practitioner's question pages, the public form and the
contact officers' record of a phone call or email. Every form is a GDSForm: GOV.UK layout, browser
validation off, errors worded the GOV.UK way. The forms check what a person can see is wrong with
an answer; the services still decide what a complete referral is."""

from __future__ import annotations

import datetime
import re

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from crispy_forms_gds.widgets import DateInputWidget
from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.forms import GDSForm, RevealingRadios, gds_date
from cases.models import Agency, Gender, LevelOfNeed, Person
from cases.validators import (
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

from .models import Channel, ReferrerRelationship
from .services import PersonData

YES_NO = [("yes", "Yes"), ("no", "No")]
TEXT_LIMIT = 10_000
# An expected date of birth more than this far ahead is a typing mistake (a pregnancy is 42 weeks).
MAX_PREGNANCY = datetime.timedelta(weeks=42)
CONSENT_HINT = (
    "Early help is voluntary, so families must agree to a referral. The only reason to refer without "
    "their agreement is that asking them would put a child at risk. If you think a child is at risk "
    "of significant harm, contact children's social care now."
)
REASON_LABEL = "If no, why would asking them put a child at risk?"
REASON_HINT = (
    "For example, asking would warn someone who is harming a child. If asking would not put a child "
    "at risk, ask them first."
)
REASON_REQUIRED = "Explain why asking the family would put a child at risk"


# --- Fields and checks shared by every channel ---------------------------------------------------------------


def name_field(label: str, who: str, which: str, *, required: bool = True) -> forms.CharField:
    """`who` names the person in errors ("the child's"), `which` the part of the name ("first")."""
    return forms.CharField(
        label=label,
        max_length=100,
        required=required,
        error_messages={
            "required": f"Enter {who} {which} name",
            "max_length": f"{who[0].upper()}{who[1:]} {which} name must be 100 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )


def text_field(label: str, required_message: str = "", *, what: str, required: bool = True, **kwargs):
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": required_message,
            "max_length": f"{what} must be {TEXT_LIMIT:,} characters or fewer",
        },
        **kwargs,
    )


def yes_no_field(label: str, required_message: str, **kwargs) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": required_message, "invalid_choice": required_message},
        **kwargs,
    )


def nhs_number_field(label: str = "NHS number (optional)") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        help_text="10 digits, like 943 476 5919",
        error_messages={"max_length": "Enter an NHS number with 10 digits, like 943 476 5919"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "inputmode": "numeric", "spellcheck": "false"}),
    )


def postcode_field(required: bool = True) -> forms.CharField:
    return forms.CharField(
        label="Postcode" if required else "Postcode (optional)",
        required=required,
        max_length=10,
        error_messages={"required": "Enter the postcode", "max_length": "Enter a real postcode, like AA1 1AA"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
    )


def address_fields(required: bool) -> dict[str, forms.Field]:
    optional = "" if required else " (optional)"
    return {
        "address_line_1": forms.CharField(
            label=f"Address line 1{optional}",
            max_length=200,
            required=required,
            error_messages={
                "required": "Enter the first line of the address",
                "max_length": "Address line 1 must be 200 characters or fewer",
            },
            widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        ),
        "address_line_2": forms.CharField(
            label="Address line 2 (optional)",
            max_length=200,
            required=False,
            error_messages={"max_length": "Address line 2 must be 200 characters or fewer"},
            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
        ),
        "town": forms.CharField(
            label=f"Town or city{optional}",
            max_length=100,
            required=required,
            error_messages={
                "required": "Enter the town or city",
                "max_length": "The town or city must be 100 characters or fewer",
            },
            widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds", "autocomplete": "address-level2"}),
        ),
        "postcode": postcode_field(required),
    }


def clean_nhs_number(value: str) -> str:
    value = normalise_nhs_number(value)
    if value:
        validate_nhs_number(value)
    return value


def clean_upn(value: str) -> str:
    value = normalise_upn(value)
    if value:
        validate_upn(value)
    return value


def clean_postcode(value: str) -> str:
    if not value.strip():
        return ""
    validate_postcode(value)
    return normalise_postcode(value)


def check_date_of_birth(value: datetime.date | None) -> datetime.date | None:
    if value and value > timezone.localdate():
        raise ValidationError("Enter a date of birth in the past")
    return value


def consent_values(cleaned_data: dict) -> dict:
    """The model's consent fields from the yes/no answer; a reason given with 'yes' is not kept."""
    given = cleaned_data["consent_given"] == "yes"
    return {
        "consent_given": given,
        "consent_not_sought_reason": "" if given else cleaned_data["consent_not_sought_reason"].strip(),
    }


def any_input(form: forms.Form, names) -> bool:
    """Whether the person typed anything into the named fields (dates arrive as three parts)."""
    for name in names:
        widget = form.fields[name].widget
        keys = (
            [f"{form.add_prefix(name)}_{i}" for i in range(3)]
            if isinstance(widget, DateInputWidget)
            else [form.add_prefix(name)]
        )
        if any(str(form.data.get(key, "")).strip() for key in keys):
            return True
    return False


class ConsentMixin:
    """'Have they agreed?' and, only for 'no', the one accepted reason: asking would put a child at risk."""

    def clean(self):
        cleaned_data = super().clean()
        if cleaned_data.get("consent_given") == "no" and not cleaned_data.get("consent_not_sought_reason", "").strip():
            self.add_error("consent_not_sought_reason", REASON_REQUIRED)
        return cleaned_data


def consent_fields(label: str, required_message: str) -> dict[str, forms.Field]:
    return {
        "consent_given": yes_no_field(label, required_message, help_text=CONSENT_HINT),
        "consent_not_sought_reason": text_field(
            REASON_LABEL, what="Why asking would put a child at risk", required=False, help_text=REASON_HINT
        ),
    }


def send_button(label: str) -> Submit:
    # GOV.UK Frontend ignores a second click within a second: one click, one referral.
    return Submit("submit", label, data_module="govuk-button", data_prevent_double_click="true")


def add_another_layout(form: forms.Form, add_label: str) -> Layout:
    """Every question, then "Continue" and a secondary button that adds this one and asks again."""
    return Layout(
        *form.fields,
        HTML('<div class="govuk-button-group">'),
        Submit("continue", "Continue"),
        Submit("add", add_label, css_class="govuk-button--secondary"),
        HTML("</div>"),
    )


def as_edit_page(form: forms.Form) -> forms.Form:
    """A person's question page opened to correct them: their questions and one button."""
    form.helper.layout = Layout(*form.fields, Submit("submit", "Save and continue"))
    return form


# --- Practitioner question pages ----------------------------------------------------------------------------


class ChildForm(GDSForm):
    first_name = name_field("First name", "the child's", "first")
    last_name = name_field("Last name", "the child's", "last")
    date_of_birth = gds_date(
        "Date of birth",
        "Enter the child's date of birth, or the expected date of birth for an unborn baby",
        noun="Date of birth",
        required=False,
        help_text="For example, 27 3 2016",
    )
    expected_date_of_birth = gds_date(
        "Or, for an unborn baby, the expected date of birth",
        "Enter the expected date of birth",
        noun="Expected date of birth",
        required=False,
        help_text="Leave this blank if the child has been born",
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the child's gender, or select Not known",
            "invalid_choice": "Select the child's gender, or select Not known",
        },
    )
    nhs_number = nhs_number_field()
    upn = forms.CharField(
        label="Unique Pupil Number (optional)",
        required=False,
        max_length=20,
        help_text="13 characters: a letter and 12 digits, from the child's school",
        error_messages={"max_length": "Enter a Unique Pupil Number with 13 characters: a letter followed by 12 digits"},
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20", "spellcheck": "false"}),
    )
    school = forms.CharField(
        label="School or setting (optional)",
        max_length=200,
        required=False,
        help_text="For example, their school, nursery or childminder",
        error_messages={"max_length": "The school or setting must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = add_another_layout(self, "Add this child")

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])

    def clean_upn(self):
        return clean_upn(self.cleaned_data["upn"])

    def clean_date_of_birth(self):
        return check_date_of_birth(self.cleaned_data["date_of_birth"])

    def clean_expected_date_of_birth(self):
        value = self.cleaned_data["expected_date_of_birth"]
        if value and value > timezone.localdate() + MAX_PREGNANCY:
            raise ValidationError("The expected date of birth must be within the next 42 weeks")
        return value

    def clean(self):
        cleaned_data = super().clean()
        born, expected = cleaned_data.get("date_of_birth"), cleaned_data.get("expected_date_of_birth")
        if "date_of_birth" in cleaned_data and "expected_date_of_birth" in cleaned_data:
            if born is None and expected is None:
                self.add_error("date_of_birth", self.fields["date_of_birth"].error_messages["required"])
            elif born and expected:
                self.add_error("expected_date_of_birth", "Enter a date of birth or an expected date of birth, not both")
        return cleaned_data

    def has_input(self) -> bool:
        return any_input(self, self.fields)

    @classmethod
    def initial_from(cls, person) -> dict:
        return {name: getattr(person, name) for name in cls.base_fields}

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        unborn = d["expected_date_of_birth"] is not None
        return PersonData(
            kind=Person.Kind.UNBORN if unborn else Person.Kind.CHILD,
            first_name=d["first_name"],
            last_name=d["last_name"],
            date_of_birth=d["date_of_birth"],
            expected_date_of_birth=d["expected_date_of_birth"],
            gender=d["gender"],
            nhs_number=d["nhs_number"],
            upn=d["upn"],
            school=d["school"],
        )


class AdultForm(GDSForm):
    first_name = name_field("First name", "their", "first")
    last_name = name_field("Last name", "their", "last")
    date_of_birth = gds_date(
        "Date of birth (optional)",
        "Enter their date of birth",
        noun="Date of birth",
        required=False,
        help_text="For example, 3 2 1988",
    )
    relationship = forms.CharField(
        label="Relationship to the children",
        max_length=100,
        help_text="For example, mother, stepfather or grandmother",
        error_messages={
            "required": "Enter their relationship to the children",
            "max_length": "The relationship must be 100 characters or fewer",
        },
    )
    parental_responsibility = yes_no_field(
        "Do they have parental responsibility?",
        "Select yes if they have parental responsibility for the children",
        help_text="Birth mothers, and fathers named on the birth certificate, usually have it",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = add_another_layout(self, "Add this person")

    def clean_date_of_birth(self):
        return check_date_of_birth(self.cleaned_data["date_of_birth"])

    def has_input(self) -> bool:
        return any_input(self, self.fields)

    @classmethod
    def initial_from(cls, person) -> dict:
        initial = {name: getattr(person, name) for name in ("first_name", "last_name", "date_of_birth", "relationship")}
        initial["parental_responsibility"] = "yes" if person.parental_responsibility else "no"
        return initial

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            kind=Person.Kind.ADULT,
            first_name=d["first_name"],
            last_name=d["last_name"],
            date_of_birth=d["date_of_birth"],
            relationship=d["relationship"],
            parental_responsibility=d["parental_responsibility"] == "yes",
        )


class AddressForm(GDSForm):
    submit_label = "Save and continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(address_fields(required=True))
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    def clean_postcode(self):
        return clean_postcode(self.cleaned_data["postcode"])


class ConcernsForm(GDSForm):
    submit_label = "Save and continue"
    concerns = text_field(
        "What are you worried about?",
        "Enter what you are worried about",
        what="What you are worried about",
        help_text="What is happening for the child and family, how long it has been happening, and its effect",
    )
    tried_before = text_field(
        "What has been tried already?",
        "Enter what has been tried already, or say that nothing has",
        what="What has been tried already",
        help_text="Support your agency or others have given, and how it went",
    )
    level_of_need = forms.ModelChoiceField(
        label="What level of need do you think the family has?",
        queryset=LevelOfNeed.objects.none(),
        widget=forms.RadioSelect,
        empty_label=None,
        error_messages={
            "required": "Select the level of need you think the family has",
            "invalid_choice": "Select the level of need you think the family has",
        },
    )
    expected_outcome = text_field(
        "What do you expect to happen as a result of this referral?",
        "Enter what you expect to happen as a result of this referral",
        what="What you expect to happen",
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level_of_need"].queryset = LevelOfNeed.objects.active()


class ConsentForm(ConsentMixin, GDSForm):
    submit_label = "Save and continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            consent_fields(
                "Have the people with parental responsibility agreed to this referral?",
                "Select yes if the people with parental responsibility have agreed to this referral",
            )
        )
        # "If no, why" is revealed under "No" (shown there without JavaScript).
        self.helper.layout = Layout(
            RevealingRadios("consent_given", {"no": ["consent_not_sought_reason"]}, legend_size=Size.MEDIUM),
            Submit("submit", self.submit_label),
        )


# --- The public form and contact officers' contacts: question pages like the practitioner's ----------------------


def order_as_shown(form: forms.Form) -> None:
    """Put the form's fields in the order its layout shows them, so the error summary lists the
    errors in the order of the fields on the page (Django lists them in the order the fields were
    declared, where a subclass's and those added in __init__ come last)."""
    form.order_fields([pointer.name for pointer in form.helper.layout.get_field_names()])


class PublicChildForm(GDSForm):
    """A child, as a member of the public or a caller can tell us about them: the name, and the date
    of birth and school if they know them."""

    first_name = name_field("First name", "the child's", "first")
    last_name = name_field("Last name", "the child's", "last")
    date_of_birth = gds_date(
        "Date of birth (optional)",
        "Enter the child's date of birth",
        noun="Date of birth",
        required=False,
        help_text="If you know it. For example, 27 3 2016",
    )
    school = forms.CharField(
        label="School, nursery or childminder (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The school or setting must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = add_another_layout(self, "Add this child")
        order_as_shown(self)

    def clean_date_of_birth(self):
        return check_date_of_birth(self.cleaned_data["date_of_birth"])

    def has_input(self) -> bool:
        return any_input(self, self.fields)

    def person_data(self) -> PersonData:
        d = self.cleaned_data
        return PersonData(
            kind=Person.Kind.CHILD,
            first_name=d["first_name"],
            last_name=d["last_name"],
            date_of_birth=d["date_of_birth"],
            nhs_number=d.get("nhs_number", ""),
            school=d["school"],
        )

    @classmethod
    def initial_from(cls, person) -> dict:
        return {
            "first_name": person.first_name,
            "last_name": person.last_name,
            "date_of_birth": person.date_of_birth,
            "nhs_number": person.nhs_number,
            "school": person.school,
        }


class ContactChildForm(PublicChildForm):
    """A contact officer may be given the child's NHS number too (a health visitor calling)."""

    field_order = ["first_name", "last_name", "date_of_birth", "nhs_number", "school"]
    nhs_number = nhs_number_field()

    def clean_nhs_number(self):
        return clean_nhs_number(self.cleaned_data["nhs_number"])


class OptionalAddressForm(AddressForm):
    """The family's address, if the person telling us knows it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(address_fields(required=False))
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))
        order_as_shown(self)


class PublicConcernsForm(GDSForm):
    submit_label = "Save and continue"
    concerns = text_field(
        "What are you worried about?",
        "Enter what you are worried about",
        what="What you are worried about",
        help_text="Tell us what is happening and how long it has been happening",
    )
    help_wanted = text_field(
        "What help would you like? (optional)",
        what="The help you would like",
        required=False,
        help_text="If you are not sure, leave this blank",
    )

    def values(self) -> dict:
        return {"concerns": self.cleaned_data["concerns"], "expected_outcome": self.cleaned_data["help_wanted"]}

    @staticmethod
    def initial_from(referral) -> dict:
        return {"concerns": referral.concerns, "help_wanted": referral.expected_outcome}


class ContactConcernsForm(PublicConcernsForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerns"].label = "What are they worried about?"
        self.fields["concerns"].error_messages["required"] = "Enter what they are worried about"
        self.fields["help_wanted"].label = "What help would they like? (optional)"
        self.fields["help_wanted"].help_text = ""


class PublicConsentForm(ConsentForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(
            consent_fields(
                "Does the family know you are asking for help, and do they agree?",
                "Select yes if the family knows you are asking for help and agrees",
            )
        )
        self.fields["consent_given"].help_text = (
            "We work with families who agree to get help. If you have not asked them because asking would put "
            "a child at risk, select no and tell us why."
        )
        self.fields["consent_not_sought_reason"].help_text = ""


def phone_field(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=40,
        required=False,
        error_messages={"max_length": "Enter a phone number, like 01632 960 001 or 07700 900 982"},
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "class": "govuk-input--width-20"}),
    )


def email_field(label: str) -> forms.EmailField:
    return forms.EmailField(
        label=label,
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "The email address must be 254 characters or fewer",
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
    )


def clean_phone(value: str) -> str:
    value = value.strip()
    if value and (not re.fullmatch(r"[0-9 ()+\-]+", value) or not 10 <= len(re.sub(r"\D", "", value)) <= 15):
        raise ValidationError("Enter a phone number, like 01632 960 001, 07700 900 982 or +44 808 157 0192")
    return value


class ReachableMixin:
    """At least one way to tell the referrer what happens next."""

    reachable_message = "Enter an email address or phone number so we can tell you what happens next"

    def clean_referrer_phone(self):
        return clean_phone(self.cleaned_data["referrer_phone"])

    def clean(self):
        cleaned_data = super().clean()
        if (
            "referrer_email" in cleaned_data
            and "referrer_phone" in cleaned_data
            and not (cleaned_data["referrer_email"] or cleaned_data["referrer_phone"])
        ):
            self.add_error("referrer_email", self.reachable_message)
        return cleaned_data


def referrer_address_fields(whose: str) -> dict[str, forms.Field]:
    """Where to post the outcome letter to someone without an email address: optional. `whose`
    names them in errors ("Your", "Their")."""
    return {
        "referrer_address_line_1": forms.CharField(
            label="Address line 1",
            max_length=200,
            required=False,
            error_messages={"max_length": f"{whose} address line 1 must be 200 characters or fewer"},
            widget=forms.TextInput(attrs={"autocomplete": "address-line1"}),
        ),
        "referrer_address_line_2": forms.CharField(
            label="Address line 2",
            max_length=200,
            required=False,
            error_messages={"max_length": f"{whose} address line 2 must be 200 characters or fewer"},
            widget=forms.TextInput(attrs={"autocomplete": "address-line2"}),
        ),
        "referrer_town": forms.CharField(
            label="Town or city",
            max_length=100,
            required=False,
            error_messages={"max_length": "The town or city must be 100 characters or fewer"},
            widget=forms.TextInput(attrs={"class": "govuk-!-width-two-thirds", "autocomplete": "address-level2"}),
        ),
        "referrer_postcode": forms.CharField(
            label="Postcode",
            max_length=10,
            required=False,
            error_messages={"max_length": "Enter a real postcode, like AA1 1AA"},
            widget=forms.TextInput(attrs={"class": "govuk-input--width-10", "autocomplete": "postal-code"}),
        ),
    }


REFERRER_ADDRESS = ["referrer_address_line_1", "referrer_address_line_2", "referrer_town", "referrer_postcode"]


class ReferrerAddressMixin:
    def clean_referrer_postcode(self):
        return clean_postcode(self.cleaned_data["referrer_postcode"])

    def address_fieldset(self, legend: str, hint: str) -> Fieldset:
        return Fieldset(
            HTML(f'<div class="govuk-hint">{hint}</div>'), *REFERRER_ADDRESS, legend=legend, legend_size=Size.SMALL
        )


class PublicAboutForm(ReachableMixin, ReferrerAddressMixin, GDSForm):
    """The first page of the public form: who is asking, and how to tell them what happens next."""

    submit_label = "Save and continue"
    referrer_relationship = forms.ChoiceField(
        label="Who are you?",
        choices=[c for c in ReferrerRelationship.choices if c[0] != ReferrerRelationship.PRACTITIONER],
        widget=forms.RadioSelect,
        error_messages={"required": "Select who you are", "invalid_choice": "Select who you are"},
    )
    referrer_name = forms.CharField(
        label="Your name",
        max_length=200,
        error_messages={"required": "Enter your name", "max_length": "Your name must be 200 characters or fewer"},
        widget=forms.TextInput(attrs={"autocomplete": "name", "spellcheck": "false"}),
    )
    referrer_email = email_field("Email address")
    referrer_phone = phone_field("Phone number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(referrer_address_fields("Your"))
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(
            Field.radios("referrer_relationship", legend_size=Size.MEDIUM),
            "referrer_name",
            HTML(
                '<p class="govuk-body">Give us an email address, a phone number or both, '
                "so we can tell you what happens next.</p>"
            ),
            "referrer_email",
            "referrer_phone",
            self.address_fieldset(
                "Your address (optional)", "If you do not have an email address, we can post our letter to you."
            ),
            send_button(self.submit_label),
        )
        order_as_shown(self)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    @classmethod
    def initial_from(cls, referral) -> dict:
        return {name: getattr(referral, name) for name in [*cls.base_fields, *REFERRER_ADDRESS]}


class ContactAboutForm(ReachableMixin, ReferrerAddressMixin, GDSForm):
    """The first page of a contact: how they contacted us, and who they are."""

    submit_label = "Save and continue"
    reachable_message = "Enter the caller's email address or phone number, so we can tell them what happens next"
    channel = forms.ChoiceField(
        label="How did they contact us?",
        choices=[(Channel.PHONE.value, "Phone call"), (Channel.EMAIL.value, "Email")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how they contacted us",
            "invalid_choice": "Select how they contacted us",
        },
    )
    referrer_name = forms.CharField(
        label="Their name",
        max_length=200,
        error_messages={
            "required": "Enter the name of the person who contacted us",
            "max_length": "Their name must be 200 characters or fewer",
        },
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    referrer_relationship = forms.ChoiceField(
        label="Who are they?",
        choices=ReferrerRelationship.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select who the person who contacted us is",
            "invalid_choice": "Select who the person who contacted us is",
        },
    )
    referrer_agency = forms.ModelChoiceField(
        label="Their agency (optional)",
        queryset=Agency.objects.none(),
        required=False,
        empty_label="Not from an agency",
        error_messages={"invalid_choice": "Select their agency from the list"},
    )
    referrer_role = forms.CharField(
        label="Their job title (optional)",
        max_length=200,
        required=False,
        error_messages={"max_length": "The job title must be 200 characters or fewer"},
    )
    referrer_email = email_field("Their email address")
    referrer_phone = phone_field("Their phone number")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["referrer_agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        self.fields.update(referrer_address_fields("Their"))
        self.helper.layout = Layout(
            Field.radios("channel", inline=True, legend_size=Size.MEDIUM),
            "referrer_name",
            Field.radios("referrer_relationship"),
            "referrer_agency",
            "referrer_role",
            "referrer_email",
            "referrer_phone",
            self.address_fieldset(
                "Their address (optional)", "If they have no email address, we post our letter to them."
            ),
            Submit("submit", self.submit_label),
        )
        order_as_shown(self)

    def values(self) -> dict:
        return {name: self.cleaned_data[name] for name in self.fields}

    @classmethod
    def initial_from(cls, referral) -> dict:
        initial = {name: getattr(referral, name) for name in [*cls.base_fields, *REFERRER_ADDRESS]}
        initial["referrer_agency"] = referral.referrer_agency_id
        return initial
