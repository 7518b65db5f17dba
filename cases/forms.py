"""Forms of the shared record. Every form derives from GDSForm: GOV.UK layout through
crispy-forms-gds, browser validation off (errors come from the server, worded the GOV.UK way)."""

from __future__ import annotations

import datetime
import re

from crispy_forms.layout import LayoutObject
from crispy_forms.utils import TEMPLATE_PACK, render_field
from crispy_forms_gds.fields import DateInputField
from crispy_forms_gds.helper import FormHelper
from crispy_forms_gds.layout import Layout, Size, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.forms.models import ModelChoiceIterator
from django.template.loader import render_to_string
from django.utils import timezone

from .models import PANEL_RETURN_ROUTES, Agency, ChronologyEntry, ClosureReason, Consent, Person, Team, User
from .roles import PRACTITIONER_ROLES, Role


class SingleQueryChoiceIterator(ModelChoiceIterator):
    """Django's iterator asks COUNT and then opens a cursor for every list of choices; this one
    reads the list once and counts what it read."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


class GDSForm(forms.Form):
    submit_label = "Continue"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            if isinstance(field, forms.ModelChoiceField):
                field.iterator = SingleQueryChoiceIterator
                field.widget.choices = field.choices
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.label_size = Size.SMALL
        self.helper.legend_size = Size.SMALL
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    def add_service_errors(self, error) -> None:
        """Show a service's ValidationError on the fields it names, or above the form."""
        if hasattr(error, "error_dict"):
            for field, messages in error.message_dict.items():
                self.add_error(field if field in self.fields else None, messages)
        else:
            self.add_error(None, error.messages)


class GDSDateField(DateInputField):
    """The GOV.UK date input (day, month, year), with errors worded the GOV.UK way.

    The library's own cleaning shows Python's words for an impossible date ("day is out of range
    for month"), fails with a server error on very long numbers, takes a two-digit year as the first
    century, and, when the date is optional, drops a half-filled date without a word."""

    def __init__(self, *, noun: str, **kwargs):
        self.noun = noun
        super().__init__(**kwargs)

    def clean(self, value):
        parts = [str(part).strip() if part is not None else "" for part in (value or [])][:3]
        parts += [""] * (3 - len(parts))
        if not any(parts):
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return None
        missing = [name for name, part in zip(("day", "month", "year"), parts, strict=True) if not part]
        if missing:
            raise ValidationError(f"{self.noun} must include a {' and '.join(missing)}", code="incomplete")
        if not all(re.fullmatch(r"[0-9]{1,4}", part) for part in parts):
            raise ValidationError(f"{self.noun} must be a real date", code="invalid_date")
        day, month, year = parts
        if len(year) != 4:
            raise ValidationError("Year must include 4 numbers", code="invalid_year")
        try:
            value = datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValidationError(f"{self.noun} must be a real date", code="invalid_date")
        self.validate(value)
        self.run_validators(value)
        return value


class RevealingRadios(LayoutObject):
    """GOV.UK radios whose options reveal the questions that belong to them (the Design System's
    conditional reveal, as govuk-frontend 5 marks it up: `data-aria-controls`). Without JavaScript
    every option's questions are shown, each under its option; with it, only the chosen one's.
    `reveals` maps an option's value to the names of its fields; fields the form lacks are skipped."""

    template = "includes/revealing_radios.html"

    def __init__(self, field: str, reveals: dict[str, list[str]], *, legend_size: str = Size.SMALL):
        self.field = field
        self.reveals = reveals
        self.legend_size = legend_size
        self.fields = [field, *(name for names in reveals.values() for name in names)]

    def render(self, form, context, template_pack=TEMPLATE_PACK, **kwargs):
        bound = form[self.field]
        chosen = "" if bound.value() is None else str(bound.value())
        items = []
        for position, (value, label) in enumerate(bound.field.choices, start=1):
            names = [name for name in self.reveals.get(str(value), ()) if name in form.fields]
            parts = [render_field(name, form, context, template_pack=template_pack) for name in names]
            checked = str(value) == chosen
            items.append({"value": value, "label": label, "position": position, "checked": checked, "parts": parts})
        return render_to_string(
            self.template,
            {
                "field": bound,
                "items": items,
                "legend_size": Size.for_legend(self.legend_size),
                "form_show_errors": True,
            },
        )


def gds_date(label: str, required_message: str, *, noun: str = "The date", **kwargs) -> GDSDateField:
    """A date question; `noun` names the date in error messages ("The date of the decision")."""
    field = GDSDateField(label=label, noun=noun, **kwargs)
    field.error_messages["required"] = required_message
    field.error_messages["incomplete"] = required_message
    return field


class NoteForm(GDSForm):
    submit_label = "Save note"
    kind = forms.ChoiceField(
        label="What kind of note is this?",
        choices=[
            (k.value, k.label)
            for k in (ChronologyEntry.Kind.NOTE, ChronologyEntry.Kind.CONTACT, ChronologyEntry.Kind.MEETING)
        ],
        widget=forms.RadioSelect,
        error_messages={"required": "Choose what kind of note this is"},
    )
    summary = forms.CharField(
        label="Summary",
        max_length=300,
        error_messages={
            "required": "Enter a short summary of the note",
            "max_length": "The summary must be 300 characters or fewer",
        },
    )
    body = forms.CharField(label="Note", widget=forms.Textarea, required=False)
    occurred_on = gds_date(
        "When did this happen?",
        "Enter the date this happened",
        noun="The date this happened",
        required=False,
        help_text="For example, 27 3 2026. Leave blank for today.",
    )

    def clean_occurred_on(self):
        value = self.cleaned_data.get("occurred_on")
        if value and value > timezone.localdate():
            raise forms.ValidationError("The date must be today or in the past")
        return value


class MemberAddForm(GDSForm):
    submit_label = "Add to the team"
    user = forms.ModelChoiceField(
        label="Practitioner",
        queryset=User.objects.none(),
        empty_label="Select a practitioner",
        error_messages={
            "required": "Choose the practitioner to add",
            "invalid_choice": "Choose the practitioner to add",
        },
    )
    role = forms.CharField(
        label="What will they do for the family?",
        max_length=200,
        help_text="For example, school nurse or family support worker",
        error_messages={"required": "Enter what they will do for the family"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Practitioners of an agency only: analysts and administrators do not work with families.
        self.fields["user"].queryset = (
            User.objects.filter(is_active=True, agency__isnull=False, groups__name__in=PRACTITIONER_ROLES)
            .select_related("agency")
            .distinct()
        )
        self.fields["user"].label_from_instance = lambda u: f"{u.get_full_name()}, {u.agency}"


class AllocateForm(GDSForm):
    submit_label = "Allocate"
    lead_agency = forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.filter(active=True),
        empty_label="Select an agency",
        error_messages={"required": "Choose the lead agency", "invalid_choice": "Choose the lead agency"},
    )
    team = forms.ModelChoiceField(
        label="Team (optional)",
        # Only teams that can take a case: one with a team manager to assign its lead professional
        # (not the front door's or the panel's own teams).
        queryset=Team.objects.filter(
            Exists(User.objects.filter(team=OuterRef("pk"), is_active=True, groups__name=Role.TEAM_MANAGER))
        ).select_related("agency"),
        empty_label="Select a team",
        required=False,
        error_messages={"invalid_choice": "Choose a team of the lead agency"},
    )


class AssignLeadProfessionalForm(GDSForm):
    submit_label = "Assign lead professional"
    lead_professional = forms.ModelChoiceField(
        label="Lead professional",
        queryset=User.objects.none(),
        empty_label="Select a lead professional",
        error_messages={"required": "Choose the lead professional", "invalid_choice": "Choose the lead professional"},
    )

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = User.objects.filter(is_active=True, groups__name=Role.LEAD_PROFESSIONAL).select_related("agency")
        if case is not None and case.lead_agency_id:
            queryset = queryset.filter(agency_id=case.lead_agency_id)
        self.fields["lead_professional"].queryset = queryset.distinct()
        self.fields["lead_professional"].label_from_instance = lambda u: f"{u.get_full_name()}, {u.agency}"


class ClosureForm(GDSForm):
    submit_label = "Continue"
    reason = forms.ModelChoiceField(
        label="Why is the case closing?",
        queryset=ClosureReason.objects.active(),
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the case is closing",
            "invalid_choice": "Choose why the case is closing",
        },
    )
    summary = forms.CharField(
        label="Summary of progress",
        widget=forms.Textarea,
        error_messages={"required": "Enter a summary of the progress made and why the case can close"},
    )

    def __init__(self, *args, unallocated: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if unallocated:
            # The case never started: there is no progress to summarise, only why it is closing.
            self.fields["summary"].label = "Why is the case closing before allocation?"
            self.fields["summary"].error_messages["required"] = "Enter why the case is closing"


class ManagerNoteForm(GDSForm):
    note = forms.CharField(label="Manager's note", widget=forms.Textarea, required=False)


class ReturnClosureForm(GDSForm):
    submit_label = "Return to the lead professional"
    note = forms.CharField(
        label="What needs to happen before the case can close?",
        widget=forms.Textarea,
        error_messages={"required": "Enter what needs to happen before the case can close"},
    )


class ReturnToPanelForm(GDSForm):
    submit_label = "Send back to the panel"
    route = forms.ChoiceField(
        label="Why is the case going back to the panel?",
        choices=[(route.value, route.label) for route in PANEL_RETURN_ROUTES],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Choose why the case is going back to the panel",
            "invalid_choice": "Choose why the case is going back to the panel",
        },
    )
    note = forms.CharField(
        label="What should the panel know?",
        help_text="What has been tried, and what is getting in the way. The panel reads this before it decides.",
        widget=forms.Textarea,
        error_messages={"required": "Enter why the case is going back to the panel"},
    )


class ConsentForm(GDSForm):
    """One person's decision: who (an adult with parental responsibility, or a young person judged
    able to decide), what for, the decision, and its evidence (the signed form uploaded, or how it was
    given and who witnessed it)."""

    submit_label = "Save consent"
    person = forms.ModelChoiceField(
        label="Who made the decision?",
        help_text=(
            "Adults with parental responsibility, and children and young people aged 11 or over who are "
            "judged able to decide for themselves"
        ),
        queryset=Person.objects.none(),
        widget=forms.RadioSelect,
        error_messages={"required": "Select who made the decision", "invalid_choice": "Select who made the decision"},
    )
    capacity_judgement = forms.CharField(
        label="If a young person decided for themselves: why are they able to make this decision?",
        help_text="Their understanding of what they agree to and what follows; their age alone is not enough",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    scope = forms.ChoiceField(
        label="What is the consent for?",
        choices=[(c.value, c.label) for c in (Consent.Scope.ASSESSMENT, Consent.Scope.SHARING)],
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select what the consent is for",
            "invalid_choice": "Select what the consent is for",
        },
    )
    agency = forms.ModelChoiceField(
        label="Agency (for sharing information)",
        queryset=Agency.objects.filter(active=True),
        empty_label="Select an agency",
        required=False,
        error_messages={"invalid_choice": "Select the agency the family agreed to share information with"},
    )
    status = forms.ChoiceField(
        label="Decision",
        choices=Consent.Status.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the decision", "invalid_choice": "Select the decision"},
    )
    decided_on = gds_date("Date of the decision", "Enter the date of the decision", noun="The date of the decision")
    evidence = forms.ChoiceField(
        label="If consent was given: how is it recorded?",
        choices=[
            (Consent.Evidence.WRITTEN, "A signed form: upload it below"),
            (Consent.Evidence.VERBAL, "Given to a practitioner: record how and who witnessed it"),
            (Consent.Evidence.ELECTRONIC, "By email or an electronic signature: record how and who witnessed it"),
        ],
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select how the consent given is recorded"},
    )
    evidence_file = forms.FileField(
        label="Signed consent form",
        help_text="A PDF, JPG or PNG, smaller than 10MB",
        required=False,
        # Larger files are refused by size after the upload; a name too long to store is not.
        max_length=200,
        error_messages={
            "invalid": "The selected file could not be read: select it again",
            "empty": "The selected file is empty",
            "max_length": "The name of the selected file must be 200 characters or fewer",
        },
    )
    method = forms.ChoiceField(
        label="How was the decision made?",
        choices=Consent.Method.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select how the decision was made"},
    )
    witness = forms.CharField(
        label="Who witnessed it?",
        help_text="Name and role, for example 'Sam Patel, family support worker'",
        max_length=200,
        required=False,
        error_messages={"max_length": "Who witnessed it must be 200 characters or fewer"},
    )
    not_sought_reason = forms.CharField(
        label="If consent to the assessment was not sought: why would asking put a child at risk?",
        help_text="Only a team manager can decide this",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )

    def __init__(self, *args, family=None, user=None, **kwargs):
        from django.db.models import Q

        from .models import FamilyMembership
        from .services import CONSENT_MIN_AGE

        super().__init__(*args, **kwargs)
        if family is not None:
            today = timezone.localdate()
            # Born on or before this day: CONSENT_MIN_AGE or older today.
            try:
                oldest_child_born = today.replace(year=today.year - CONSENT_MIN_AGE)
            except ValueError:  # 29 February
                oldest_child_born = today.replace(year=today.year - CONSENT_MIN_AGE, day=28)
            members = FamilyMembership.objects.filter(family=family)
            self.fields["person"].queryset = Person.objects.filter(
                Q(kind=Person.Kind.ADULT, pk__in=members.filter(parental_responsibility=True).values("person_id"))
                | Q(kind=Person.Kind.CHILD, date_of_birth__lte=oldest_child_born, pk__in=members.values("person_id"))
            ).order_by("kind", "date_of_birth", "pk")
            self.fields["person"].label_from_instance = lambda person: _consent_person_label(person, today)
        if user is None or not user.has_role(Role.TEAM_MANAGER):
            self.fields["status"].choices = [c for c in Consent.Status.choices if c[0] != Consent.Status.NOT_SOUGHT]
            del self.fields["not_sought_reason"]
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        if data.get("status") == Consent.Status.GIVEN:
            if not data.get("evidence"):
                self.add_error("evidence", "Select how the consent given is recorded")
            elif data["evidence"] == Consent.Evidence.WRITTEN and not data.get("evidence_file"):
                self.add_error("evidence_file", "Select the signed consent form")
        if data.get("evidence") != Consent.Evidence.WRITTEN:
            data["evidence_file"] = None
        return data


def _consent_person_label(person: Person, today: datetime.date) -> str:
    flag = " Do not contact." if person.do_not_contact else ""
    if person.kind == Person.Kind.ADULT:
        return f"{person.full_name} (adult with parental responsibility).{flag}"
    born = person.date_of_birth
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    return f"{person.full_name} (young person, aged {age}: record why they can decide).{flag}"
