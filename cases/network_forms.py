"""Forms of the family network pages (cases/network_views.py): a person beyond the household, a
family member's contact details and safety flags, a relationship between two members."""

from __future__ import annotations

from django import forms

from .forms import GDSForm, gds_date
from .models import FamilyMembership, Gender, Person, Relationship

YES_NO = [("yes", "Yes"), ("no", "No")]


def _yes_no(label: str, message: str, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        help_text=help_text,
        choices=YES_NO,
        widget=forms.RadioSelect,
        error_messages={"required": message, "invalid_choice": message},
    )


def _text(label: str, max_length: int, what: str, *, required: bool = False, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        error_messages={
            "required": f"Enter {what.lower()}",
            "max_length": f"{what} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class FamilyMemberChoice(forms.ModelChoiceField):
    def label_from_instance(self, person: Person) -> str:
        return f"{person.full_name} ({person.get_kind_display().lower()})"


def _members(family_id: int):
    return Person.objects.filter(
        pk__in=FamilyMembership.objects.filter(family_id=family_id).values("person_id")
    ).order_by("kind", "date_of_birth", "last_name", "first_name", "pk")


class ContactFields(GDSForm):
    """Contact details and safety flags, shared by the add and change pages."""

    phone = _text("Phone number (optional)", 30, "Phone number", widget=forms.TextInput(attrs={"type": "tel"}))
    email = forms.EmailField(
        label="Email address (optional)",
        required=False,
        max_length=254,
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.com",
            "max_length": "Email address must be 254 characters or fewer",
        },
    )
    address = forms.CharField(
        label="Address (optional)",
        help_text="Where they live, when not with the family",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        max_length=1000,
        error_messages={"max_length": "Address must be 1000 characters or fewer"},
    )
    address_confidential = _yes_no(
        "Must their address be kept confidential?",
        "Select yes if their address must be kept confidential",
        help_text="Only the lead professional and managers will see it",
    )
    do_not_contact = _yes_no(
        "Must practitioners not contact them?",
        "Select yes if practitioners must not contact them",
        help_text="For example when contact would put a child or adult at risk",
    )

    def contact(self):
        from .network import ContactDetails

        data = self.cleaned_data
        return ContactDetails(
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            address=data.get("address", ""),
            do_not_contact=data.get("do_not_contact") == "yes",
            address_confidential=data.get("address_confidential") == "yes",
        )


class NetworkPersonAddForm(ContactFields):
    submit_label = "Add to the family network"
    first_name = _text("First name", 100, "Their first name", required=True)
    last_name = _text("Last name", 100, "Their last name", required=True)
    kind = forms.ChoiceField(
        label="Are they an adult or a child?",
        choices=[(Person.Kind.ADULT, "Adult"), (Person.Kind.CHILD, "Child or young person")],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select whether they are an adult or a child",
            "invalid_choice": "Select whether they are an adult or a child",
        },
    )
    gender = forms.ChoiceField(
        label="Gender",
        choices=Gender.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select their gender", "invalid_choice": "Select their gender"},
    )
    date_of_birth = gds_date(
        "Date of birth (optional)", "Enter their date of birth", noun="Date of birth", required=False
    )
    related_to = FamilyMemberChoice(
        label="Who in the family are they related to?",
        queryset=Person.objects.none(),
        empty_label="Select a family member",
        error_messages={
            "required": "Select who in the family they are related to",
            "invalid_choice": "Select who in the family they are related to",
        },
    )
    relationship = forms.ChoiceField(
        label="What are they to that person?",
        help_text="For example, the grandparent of the child",
        choices=[("", "Select a relationship"), *Relationship.Kind.choices],
        error_messages={"required": "Select how they are related", "invalid_choice": "Select how they are related"},
    )
    parental_responsibility = _yes_no(
        "Do they have parental responsibility?", "Select yes if they have parental responsibility"
    )

    field_order = [
        *("first_name", "last_name", "kind", "gender", "date_of_birth", "related_to", "relationship"),
        *("parental_responsibility", "phone", "email", "address", "address_confidential", "do_not_contact"),
    ]

    def __init__(self, *args, family_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["related_to"].queryset = _members(family_id)
        self.order_fields(self.field_order)
        from crispy_forms_gds.layout import Layout, Submit

        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))


class NetworkPersonChangeForm(ContactFields):
    submit_label = "Save changes"
    parental_responsibility = _yes_no(
        "Do they have parental responsibility?", "Select yes if they have parental responsibility"
    )
    in_household = _yes_no("Do they live in the household?", "Select yes if they live in the household")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.order_fields(
            ["in_household", "parental_responsibility", "phone", "email", "address", "address_confidential"]
        )
        from crispy_forms_gds.layout import Layout, Submit

        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    @staticmethod
    def initial_for(person: Person, membership: FamilyMembership) -> dict:
        def yes(value: bool) -> str:
            return "yes" if value else "no"

        return {
            "in_household": yes(membership.in_household),
            "parental_responsibility": yes(membership.parental_responsibility),
            "phone": person.phone,
            "email": person.email,
            "address": person.address,
            "address_confidential": yes(person.address_confidential),
            "do_not_contact": yes(person.do_not_contact),
        }


class RelationshipForm(GDSForm):
    submit_label = "Save relationship"
    related_person = FamilyMemberChoice(
        label="Who?",
        queryset=Person.objects.none(),
        empty_label="Select a family member",
        error_messages={"required": "Select who the relationship is of", "invalid_choice": "Select a family member"},
    )
    kind = forms.ChoiceField(
        label="Is",
        choices=[("", "Select a relationship"), *Relationship.Kind.choices],
        error_messages={"required": "Select the relationship", "invalid_choice": "Select the relationship"},
    )
    person = FamilyMemberChoice(
        label="Of whom?",
        queryset=Person.objects.none(),
        empty_label="Select a family member",
        error_messages={"required": "Select the other family member", "invalid_choice": "Select a family member"},
    )

    def __init__(self, *args, family_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        # One read of the family's people for both lists.
        people = list(_members(family_id))
        for name in ("related_person", "person"):
            self.fields[name].queryset = _members(family_id)
            self.fields[name].widget.choices = [("", "Select a family member")] + [
                (p.pk, self.fields[name].label_from_instance(p)) for p in people
            ]
