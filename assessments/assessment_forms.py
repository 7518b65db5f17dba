"""The Early Help Assessment's forms: one per kind of section, and the form that adds an identified
need. Each section's form ends with the GOV.UK question "Have you completed this section?": a
section marked completed must have its required answers; one the user will come back to keeps
whatever was typed (still checked for length and choices). Its cleaned data, without that
question, are the section's answers (JSON) that `assessment_services.assessment_section_save`
keeps; the API checks what it is sent with the same forms.
"""

from __future__ import annotations

from collections.abc import Iterable

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils.html import format_html

from cases.forms import GDSForm
from cases.models import LevelOfNeed, OutcomeArea, OutcomeDescriptor, Person
from cases.needs import DESCRIPTOR_NOT_OF_AREA

from .models import AssessmentDecision, AssessmentSection, SectionKind

TEXT_MAX = 10000

# The assessment triangle (../shared/DOMAIN.md): each domain's dimensions, in order.
TRIANGLE: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "development",
        "Child's developmental needs",
        [
            ("health", "Health"),
            ("education", "Education"),
            ("emotional", "Emotional and behavioural development"),
            ("identity", "Identity"),
            ("relationships", "Family and social relationships"),
            ("presentation", "Social presentation"),
            ("self_care", "Self-care skills"),
        ],
    ),
    (
        "parenting",
        "Parenting capacity",
        [
            ("basic_care", "Basic care"),
            ("safety", "Ensuring safety"),
            ("warmth", "Emotional warmth"),
            ("stimulation", "Stimulation"),
            ("boundaries", "Guidance and boundaries"),
            ("stability", "Stability"),
        ],
    ),
    (
        "environment",
        "Family and environmental factors",
        [
            ("family_history", "Family history and functioning"),
            ("wider_family", "Wider family"),
            ("housing", "Housing"),
            ("employment", "Employment"),
            ("income", "Income"),
            ("integration", "Family's social integration"),
            ("community", "Community resources"),
        ],
    ),
]
DIMENSIONS: list[tuple[str, str]] = [dimension for _code, _name, dimensions in TRIANGLE for dimension in dimensions]
WORRY_MIN, WORRY_MAX = 0, 10

COMPLETED = "yes"
COMPLETED_CHOICES = [
    (COMPLETED, "Yes, I've completed this section"),
    ("no", "No, I'll come back to it later"),
]

HOW_GATHERED = [
    ("conversation", "Talking with them"),
    ("activity", "An activity, such as drawing, play or a worksheet"),
    ("observation", "Watching them (for a baby or young child)"),
    ("someone_trusted", "Through someone they trust"),
    ("other", "Another way"),
]


def text_field(label: str, *, help_text: str = "", rows: int = 5, max_length: int = TEXT_MAX) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={"max_length": f"{label} must be {max_length:,} characters or fewer"},
    )


def radio_field(label: str, choices, message: str, *, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=False,
        help_text=help_text,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": message},
    )


class SectionForm(GDSForm):
    """A section's questions, then whether the section is completed. `required` maps a field to the
    message shown when the section is marked completed without it."""

    submit_label = "Save and return to the task list"
    kind: str = ""

    def __init__(self, *args, section: AssessmentSection | None = None, person: Person | None = None, **kwargs):
        self.section = section
        self.person = person or (section.person if section is not None and section.person_id else None)
        if section is not None and "initial" not in kwargs and not args:
            initial = dict(section.answers or {})
            if section.status != "not_started":
                initial["completed"] = COMPLETED if section.status == "completed" else "no"
            kwargs["initial"] = initial
        super().__init__(*args, **kwargs)
        self.required: dict[str, str] = {}
        self.build()
        self.fields["completed"] = forms.ChoiceField(
            label="Have you completed this section?",
            choices=COMPLETED_CHOICES,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select whether you have completed this section",
                "invalid_choice": "Select whether you have completed this section",
            },
        )
        self.helper.layout = Layout(
            *self.layout(), Field.radios("completed", legend_size=Size.MEDIUM), Submit("submit", self.submit_label)
        )

    @property
    def name(self) -> str:
        return self.person.full_name if self.person else ""

    def build(self) -> None:
        """Add the section's fields to `self.fields` and their messages to `self.required`."""

    def layout(self) -> list:
        return [
            Field.radios(name, legend_size=Size.SMALL)
            if isinstance(field.widget, forms.RadioSelect)
            else Field.textarea(name)
            if isinstance(field.widget, forms.Textarea)
            else Field(name)
            for name, field in self.fields.items()
            if name != "completed"  # asked last, by __init__
        ]

    def clean(self):
        data = super().clean()
        if data.get("completed") == COMPLETED:
            for name, message in self.required.items():
                if name in self.fields and not self.errors.get(name) and data.get(name) in (None, ""):
                    self.add_error(name, message)
        return data

    @property
    def completed(self) -> bool:
        return self.cleaned_data.get("completed") == COMPLETED

    def answers(self) -> dict:
        """The cleaned data as the section keeps them (JSON), without the completed question."""
        return {name: value for name, value in self.cleaned_data.items() if name != "completed"}


class FamilyForm(SectionForm):
    kind = SectionKind.FAMILY

    def build(self) -> None:
        self.fields["professionals"] = text_field(
            "Professionals involved with the family",
            help_text="For each: their name, agency and role, one to a line. Write 'None' if there are none.",
        )
        self.fields["notes"] = text_field(
            "Anything else about the family's household and network (optional)",
            help_text="For example, someone important to the children who is not recorded",
        )
        self.required = {"professionals": "Enter the professionals involved with the family, or write 'None'"}


class ReasonForm(SectionForm):
    kind = SectionKind.REASON

    def build(self) -> None:
        levels = list(LevelOfNeed.objects.filter(active=True))
        self.fields["reason"] = text_field(
            "Why does the family need an early help assessment?",
            help_text="What the family and the professionals are worried about, and what the family wants help with",
        )
        self.fields["level_of_need"] = radio_field(
            "What is the family's level of need?",
            [(level.code, level.name) for level in levels],
            "Select the family's level of need",
        )
        self.fields["level_explanation"] = text_field("Why is this the level of need? (optional)", rows=3)
        self.required = {
            "reason": "Enter why the family needs an early help assessment",
            "level_of_need": "Select the family's level of need",
        }


class ChildVoiceForm(SectionForm):
    kind = SectionKind.CHILD_VOICE

    def build(self) -> None:
        name = self.name
        self.fields["words"] = text_field(
            f"What did {name} say?",
            help_text="In their own words: what is going well, what worries them, what they would like to change",
        )
        self.fields["how_gathered"] = radio_field(
            f"How were {name}'s views gathered?", HOW_GATHERED, f"Select how {name}'s views were gathered"
        )
        self.fields["how_details"] = text_field("Tell us more about how their views were gathered (optional)", rows=3)
        self.required = {
            "words": f"Enter what {name} said, in their words",
            "how_gathered": f"Select how {name}'s views were gathered",
        }


class CarerVoiceForm(SectionForm):
    kind = SectionKind.CARER_VOICE

    def build(self) -> None:
        name = self.name
        self.fields["words"] = text_field(
            f"What did {name} say?", help_text="In their own words: how things are for the family, what worries them"
        )
        self.fields["hopes"] = text_field(f"What would {name} like to change? (optional)", rows=3)
        self.required = {"words": f"Enter what {name} said, in their words"}


class StrengthsForm(SectionForm):
    kind = SectionKind.STRENGTHS

    def build(self) -> None:
        self.fields["strengths"] = text_field(
            "What are the family's strengths?",
            help_text="What is working well, who helps them, what they have managed before",
        )
        self.required = {"strengths": "Enter the family's strengths"}


def worry_field(dimension: str) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=f"{dimension}: how worried are you?",
        help_text=f"{WORRY_MIN} is no worry, {WORRY_MAX} is the most worried",
        choices=[("", "Choose a rating")] + [(value, str(value)) for value in range(WORRY_MIN, WORRY_MAX + 1)],
        coerce=int,
        empty_value=None,
        required=False,
        error_messages={
            "invalid_choice": f"The worry rating for {dimension} must be a number from {WORRY_MIN} to {WORRY_MAX}"
        },
    )


class DomainsForm(SectionForm):
    """The assessment triangle for one child: each domain a fieldset, each dimension with its
    strengths, needs and a worry rating from 0 to 10."""

    kind = SectionKind.CHILD_DOMAINS

    def build(self) -> None:
        for _domain, _title, dimensions in TRIANGLE:
            for code, dimension in dimensions:
                self.fields[f"{code}_strengths"] = text_field(f"{dimension}: strengths", rows=2, max_length=5000)
                self.fields[f"{code}_needs"] = text_field(f"{dimension}: needs", rows=2, max_length=5000)
                self.fields[f"{code}_worry"] = worry_field(dimension)
                self.required[f"{code}_worry"] = f"Select a worry rating for {dimension.lower()}"

    def layout(self) -> list:
        parts = []
        for _domain, title, dimensions in TRIANGLE:
            inner = []
            for code, dimension in dimensions:
                inner += [
                    HTML(format_html('<h3 class="govuk-heading-s">{}</h3>', dimension)),
                    Field.textarea(f"{code}_strengths"),
                    Field.textarea(f"{code}_needs"),
                    Field(f"{code}_worry"),
                ]
            parts.append(Fieldset(*inner, legend=title, legend_size=Size.MEDIUM, legend_tag="h2"))
        return parts


class HistoryForm(SectionForm):
    kind = SectionKind.HISTORY

    def build(self) -> None:
        self.fields["tried_before"] = text_field(
            "What has been tried before?",
            help_text="Support the family has had, from whom, and how it went. Write 'None' if there has been none.",
        )
        self.fields["what_helped"] = text_field("What helped, and what did not? (optional)", rows=3)
        self.required = {"tried_before": "Enter what has been tried before, or write 'None'"}


class AnalysisForm(SectionForm):
    kind = SectionKind.ANALYSIS

    def build(self) -> None:
        self.fields["analysis"] = text_field(
            "Your analysis",
            help_text="What the information means for the children: what is working well, what you are worried about "
            "and why, and what needs to happen",
            rows=8,
        )
        self.required = {"analysis": "Enter your analysis"}


class NeedsForm(SectionForm):
    """The needs themselves are added and removed with `NeedAddForm`; this form only says whether
    the list is complete."""

    kind = SectionKind.NEEDS
    submit_label = "Save and return to the task list"

    def layout(self) -> list:
        return []


class DecisionForm(SectionForm):
    kind = SectionKind.DECISION

    def build(self) -> None:
        self.fields["decision"] = radio_field(
            "What is the decision?",
            [
                Choice(AssessmentDecision.SINGLE_AGENCY, "Support from a single agency"),
                Choice(AssessmentDecision.TAF, "A Team Around the Family"),
                Choice(AssessmentDecision.STEP_UP, "Step up to children's social care"),
            ],
            "Select the decision",
        )
        self.fields["reasons"] = text_field("Why is this the decision?", rows=5)
        self.required = {"decision": "Select the decision", "reasons": "Enter the reasons for the decision"}


SECTION_FORMS: dict[str, type[SectionForm]] = {
    form.kind: form
    for form in (
        FamilyForm,
        ReasonForm,
        ChildVoiceForm,
        CarerVoiceForm,
        StrengthsForm,
        DomainsForm,
        HistoryForm,
        AnalysisForm,
        NeedsForm,
        DecisionForm,
    )
}


def section_form(section: AssessmentSection, data=None) -> SectionForm:
    """The form of `section`'s kind, bound to `data` (a POST or an API body) or filled with its answers."""
    form_class = SECTION_FORMS[section.kind]
    if data is None:
        return form_class(section=section)
    return form_class(data, section=section)


# --- Identified needs -------------------------------------------------------------------------------

WHOLE_FAMILY = "family"


class NeedAddForm(GDSForm):
    """A need the assessment identified: who it is about (a member of the family, or the whole
    family), the outcome area of the active framework it is tagged to, optionally the area's
    descriptor of need it matches, and what it is. The descriptors are one list grouped by area
    (works without JavaScript); one of another area than the one chosen is refused."""

    submit_label = "Add the need"

    def __init__(
        self,
        *args,
        people: list[Person],
        areas: list[OutcomeArea],
        descriptors: Iterable[OutcomeDescriptor] = (),
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.people = {str(person.pk): person for person in people}
        self.areas = {str(area.pk): area for area in areas}
        self.descriptors = {str(d.pk): d for d in descriptors if str(d.area_id) in self.areas}
        self.fields["person"] = forms.ChoiceField(
            label="Who is the need about?",
            choices=[(WHOLE_FAMILY, "The whole family")] + [(key, p.full_name) for key, p in self.people.items()],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select who the need is about, or the whole family",
                "invalid_choice": "Select who the need is about, or the whole family",
            },
        )
        self.fields["area"] = forms.ChoiceField(
            label="Which outcome area is it about?",
            choices=[("", "Choose an outcome area")] + [(key, area.name) for key, area in self.areas.items()],
            error_messages={
                "required": "Select the outcome area the need is about",
                "invalid_choice": "Select the outcome area the need is about",
            },
        )
        groups: dict[int, list[tuple[str, str]]] = {}
        for key, descriptor in self.descriptors.items():
            groups.setdefault(descriptor.area_id, []).append((key, descriptor.text))
        self.fields["descriptor"] = forms.ChoiceField(
            label="Which descriptor of need fits it best? (optional)",
            help_text="The framework's descriptors, grouped by outcome area: choose one from the area above",
            required=False,
            choices=[("", "None chosen")]
            + [(area.name, groups[area.pk]) for area in self.areas.values() if area.pk in groups],
            error_messages={"invalid_choice": "Choose a descriptor of need from the list, or none"},
        )
        self.fields["description"] = forms.CharField(
            label="What is the need?",
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 3}),
            error_messages={
                "required": "Enter what the need is",
                "max_length": "What the need is must be 5,000 characters or fewer",
            },
        )
        self.helper.layout = Layout(
            Field.radios("person", legend_size=Size.SMALL),
            Field("area"),
            Field("descriptor"),
            Field.textarea("description"),
            Submit("submit", self.submit_label, css_class="govuk-button--secondary"),
        )

    def clean_person(self) -> Person | None:
        value = self.cleaned_data["person"]
        return None if value == WHOLE_FAMILY else self.people[value]

    def clean_area(self) -> OutcomeArea:
        return self.areas[self.cleaned_data["area"]]

    def clean_descriptor(self) -> OutcomeDescriptor | None:
        value = self.cleaned_data["descriptor"]
        return self.descriptors[value] if value else None

    def clean(self):
        cleaned = super().clean()
        area, descriptor = cleaned.get("area"), cleaned.get("descriptor")
        if area is not None and descriptor is not None and descriptor.area_id != area.pk:
            self.add_error("descriptor", DESCRIPTOR_NOT_OF_AREA)
        return cleaned

    def clean_description(self) -> str:
        value = self.cleaned_data["description"].strip()
        if not value:
            raise forms.ValidationError("Enter what the need is")
        return value


# --- The manager's decision ---------------------------------------------------------------------------

APPROVE, RETURN = "approve", "return"


class DecideForm(GDSForm):
    submit_label = "Save the decision"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decision"] = forms.ChoiceField(
            label="Do you approve the assessment?",
            choices=[(APPROVE, "Yes, approve it"), (RETURN, "No, return it to the lead professional for changes")],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select whether you approve the assessment",
                "invalid_choice": "Select whether you approve the assessment",
            },
        )
        self.fields["note"] = forms.CharField(
            label="Comments",
            help_text="If you return it, say what needs to change",
            required=False,
            max_length=5000,
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"max_length": "Comments must be 5,000 characters or fewer"},
        )
        self.helper.layout = Layout(
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.textarea("note"),
            Submit("submit", self.submit_label),
        )

    def clean(self):
        data = super().clean()
        if data.get("decision") == RETURN and not (data.get("note") or "").strip():
            self.add_error("note", "Enter what needs to change before the assessment can be approved")
        return data
