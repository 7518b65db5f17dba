"""The front door's form for a step down from children's social care: who hands over, why, the
handover summary, the family's address and level of need, the family's agreement, and up to
CHILD_SLOTS children and ADULT_SLOTS adults (a slot left empty is skipped: no JavaScript needed).
The rules are `step_down.referral_from_step_down`'s; its errors come back onto these fields."""

from __future__ import annotations

from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms

from cases.forms import GDSForm, gds_date
from cases.models import Gender, LevelOfNeed, Person

from .services import PersonData
from .step_down import StepDownData

CHILD_SLOTS = 4
ADULT_SLOTS = 2
CHILD_FIELDS = ("first_name", "last_name", "date_of_birth", "gender", "nhs_number", "school")
ADULT_FIELDS = ("first_name", "last_name", "relationship", "parental_responsibility")


def _text(label: str, *, required: bool = True, message: str = "", max_length: int = 200, **kwargs):
    field = forms.CharField(label=label, required=required, max_length=max_length, **kwargs)
    if message:
        field.error_messages["required"] = message
    field.error_messages["max_length"] = f"{label} must be {max_length} characters or fewer"
    return field


class StepDownForm(GDSForm):
    submit_label = "Hand the family to early help"

    def __init__(self, *args, levels: list[LevelOfNeed], **kwargs):
        super().__init__(*args, **kwargs)
        f = self.fields
        f["social_worker"] = _text("Social care worker", message="Enter the name of the social care worker")
        f["social_care_team"] = _text("Social care team", message="Enter the social care team")
        f["social_worker_email"] = forms.EmailField(
            label="Social care worker's email address (optional)",
            required=False,
            error_messages={"invalid": "Enter an email address in the correct format, like name@example.com"},
        )
        f["reason"] = forms.CharField(
            label="Why is the family stepping down to early help?",
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={"required": "Enter why the family is stepping down to early help"},
        )
        f["summary"] = forms.CharField(
            label="Handover summary",
            help_text="What social care did, what is still needed, risks to know about, and who the family trusts",
            widget=forms.Textarea(attrs={"rows": 8}),
            error_messages={"required": "Enter the handover summary"},
        )
        self.levels = {str(level.pk): level for level in levels}
        f["level_of_need"] = forms.ChoiceField(
            label="Level of need",
            choices=[(key, level.name) for key, level in self.levels.items()],
            widget=forms.RadioSelect,
            error_messages={"required": "Select the level of need", "invalid_choice": "Select the level of need"},
        )
        f["address_line_1"] = _text("Address line 1", message="Enter the first line of the family's address")
        f["address_line_2"] = _text("Address line 2 (optional)", required=False)
        f["town"] = _text("Town or city (optional)", required=False, max_length=100)
        f["postcode"] = _text("Postcode", message="Enter the family's postcode", max_length=8)
        f["family_agreed"] = forms.BooleanField(
            label="The family agreed to early help support",
            error_messages={
                "required": "Confirm that the family agreed to early help: it is offered only with their agreement"
            },
        )
        child_sets = []
        for slot in range(1, CHILD_SLOTS + 1):
            prefix = f"child_{slot}_"
            f[prefix + "first_name"] = _text("First name", required=False, max_length=100)
            f[prefix + "last_name"] = _text("Last name", required=False, max_length=100)
            f[prefix + "date_of_birth"] = gds_date(
                "Date of birth", "Enter the child's date of birth", noun="Date of birth", required=False
            )
            f[prefix + "gender"] = forms.ChoiceField(
                label="Gender", choices=Gender.choices, required=False, initial=Gender.UNKNOWN
            )
            f[prefix + "nhs_number"] = _text("NHS number (optional)", required=False, max_length=12)
            f[prefix + "school"] = _text("School or setting (optional)", required=False)
            child_sets.append(
                Fieldset(
                    Field.text(prefix + "first_name"),
                    Field.text(prefix + "last_name"),
                    Field(prefix + "date_of_birth"),
                    Field.select(prefix + "gender"),
                    Field.text(prefix + "nhs_number", field_width=10),
                    Field.text(prefix + "school"),
                    legend=f"Child {slot}" + (" (optional)" if slot > 1 else ""),
                    legend_size=Size.SMALL,
                )
            )
        adult_sets = []
        for slot in range(1, ADULT_SLOTS + 1):
            prefix = f"adult_{slot}_"
            f[prefix + "first_name"] = _text("First name", required=False, max_length=100)
            f[prefix + "last_name"] = _text("Last name", required=False, max_length=100)
            f[prefix + "relationship"] = _text("Relationship to the children", required=False, max_length=100)
            f[prefix + "parental_responsibility"] = forms.BooleanField(
                label="Has parental responsibility", required=False
            )
            adult_sets.append(
                Fieldset(
                    Field.text(prefix + "first_name"),
                    Field.text(prefix + "last_name"),
                    Field.text(prefix + "relationship"),
                    Field.checkbox(prefix + "parental_responsibility"),
                    legend=f"Parent or carer {slot} (optional)",
                    legend_size=Size.SMALL,
                )
            )
        self.helper.layout = Layout(
            Fieldset(
                Field.text("social_worker"),
                Field.text("social_care_team"),
                Field.text("social_worker_email"),
                legend="Who is handing over",
                legend_size=Size.MEDIUM,
            ),
            Field.textarea("reason"),
            Field.textarea("summary"),
            Field.radios("level_of_need", legend_size=Size.SMALL),
            Fieldset(
                Field.text("address_line_1"),
                Field.text("address_line_2"),
                Field.text("town", field_width=20),
                Field.text("postcode", field_width=10),
                legend="The family's address",
                legend_size=Size.MEDIUM,
            ),
            HTML('<h2 class="govuk-heading-m">Children</h2>'),
            *child_sets,
            HTML('<h2 class="govuk-heading-m">Parents and carers</h2>'),
            *adult_sets,
            Field.checkbox("family_agreed"),
            Submit("submit", self.submit_label),
        )
        # Which service field each person's slot is, for errors: people[<index>] in `people_slots`.
        self.people_slots: list[str] = []

    def clean(self):
        data = super().clean()
        for slot in range(1, CHILD_SLOTS + 1):
            prefix = f"child_{slot}_"
            used = any(data.get(prefix + name) for name in ("first_name", "last_name", "date_of_birth", "nhs_number"))
            if used and not data.get(prefix + "date_of_birth") and prefix + "date_of_birth" not in self.errors:
                self.add_error(prefix + "date_of_birth", "Enter the child's date of birth")
        return data

    def step_down_data(self) -> StepDownData:
        data = self.cleaned_data
        people: list[PersonData] = []
        self.people_slots = []
        for slot in range(1, CHILD_SLOTS + 1):
            prefix = f"child_{slot}_"
            if not any(data.get(prefix + name) for name in ("first_name", "last_name", "date_of_birth", "nhs_number")):
                continue
            people.append(
                PersonData(
                    kind=Person.Kind.CHILD,
                    first_name=data.get(prefix + "first_name", ""),
                    last_name=data.get(prefix + "last_name", ""),
                    date_of_birth=data.get(prefix + "date_of_birth"),
                    gender=data.get(prefix + "gender") or Gender.UNKNOWN,
                    nhs_number=data.get(prefix + "nhs_number", ""),
                    school=data.get(prefix + "school", ""),
                )
            )
            self.people_slots.append(prefix)
        for slot in range(1, ADULT_SLOTS + 1):
            prefix = f"adult_{slot}_"
            if not any(data.get(prefix + name) for name in ("first_name", "last_name", "relationship")):
                continue
            people.append(
                PersonData(
                    kind=Person.Kind.ADULT,
                    first_name=data.get(prefix + "first_name", ""),
                    last_name=data.get(prefix + "last_name", ""),
                    relationship=data.get(prefix + "relationship", ""),
                    parental_responsibility=bool(data.get(prefix + "parental_responsibility")),
                )
            )
            self.people_slots.append(prefix)
        return StepDownData(
            summary=data["summary"],
            reason=data["reason"],
            social_worker=data["social_worker"],
            social_care_team=data["social_care_team"],
            social_worker_email=data.get("social_worker_email") or "",
            address_line_1=data["address_line_1"],
            address_line_2=data.get("address_line_2", ""),
            town=data.get("town", ""),
            postcode=data["postcode"],
            level_of_need=self.levels[data["level_of_need"]],
            family_agreed=bool(data.get("family_agreed")),
            people=people,
        )

    def add_service_errors(self, error) -> None:
        """The service's errors on the fields they name: a person's (`people[<i>].<field>`) on their slot."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for name, messages in error.message_dict.items():
            field = name
            if name.startswith("people[") and "]." in name:
                index = int(name[len("people[") : name.index("]")])
                rest = name[name.index("].") + 2 :]
                if index < len(self.people_slots):
                    field = self.people_slots[index] + rest
            if name == "children":
                field = "child_1_first_name"
            self.add_error(field if field in self.fields else None, messages)
