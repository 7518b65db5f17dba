"""The family plan's forms. They check what was typed; the rules (a current member of the team or a
family member as owner, a due date not in the past, needs of this family, who may, an active case)
are `plans`' and come back through `add_service_errors`."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import Field, Layout, Size, Submit
from django import forms
from django.utils import timezone

from cases.forms import GDSForm, gds_date

from .models import ActionStatus
from .plans import TEXT_MAX


def _text_field(label: str, required: str | None, noun: str, *, help_text: str = "", rows: int = 4) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=bool(required),
        max_length=TEXT_MAX,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
        error_messages={
            "required": required or "",
            "max_length": f"{noun} must be {TEXT_MAX} characters or fewer",
        },
    )


class PlanForm(GDSForm):
    submit_label = "Save the plan"

    def __init__(self, *args, submit_label: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contingency_plan"] = _text_field(
            "Contingency plan (optional)",
            None,
            "The contingency plan",
            help_text="What happens if the plan does not work",
        )
        self.fields["exit_plan"] = _text_field(
            "Exit plan (optional)", None, "The exit plan", help_text="How the family will know support can end"
        )
        self.helper.layout = Layout(
            Field.textarea("contingency_plan"),
            Field.textarea("exit_plan"),
            Submit("submit", submit_label or self.submit_label),
        )


class OutcomeForm(GDSForm):
    submit_label = "Save outcome"

    def __init__(self, *args, needs, **kwargs):
        super().__init__(*args, **kwargs)
        self.needs = {str(need.pk): need for need in needs}
        self.fields["text"] = _text_field(
            "What does the family want to be different?",
            "Enter the outcome in the family's words",
            "The outcome",
            help_text="In the family's own words",
            rows=3,
        )
        self.fields["needs"] = forms.MultipleChoiceField(
            label="Which needs does it answer?",
            choices=[
                Choice(
                    key,
                    need.description[:120],
                    hint=f"{need.area}: {need.person.full_name if need.person_id else 'the whole family'}",
                )
                for key, need in self.needs.items()
            ],
            widget=forms.CheckboxSelectMultiple,
            error_messages={
                "required": "Select the needs this outcome answers",
                "invalid_choice": "Select needs identified for this family",
            },
        )
        self.helper.layout = Layout(
            Field.textarea("text"),
            Field.checkboxes("needs", legend_size=Size.SMALL),
            Submit("submit", self.submit_label),
        )

    def clean_needs(self):
        return [self.needs[key] for key in self.cleaned_data["needs"]]


def owner_key(user=None, person=None) -> str:
    return f"user-{user.pk}" if user is not None else f"person-{person.pk}"


class ActionForm(GDSForm):
    """What, who (a member of the team or a family member, one list of radios), by when, how progress
    is measured, the outcome it serves, and (when changing it) its status."""

    submit_label = "Save action"

    def __init__(self, *args, members, people, outcomes, with_status: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.owners = {owner_key(user=user): ("user", user) for user in members}
        self.owners |= {owner_key(person=person): ("person", person) for person in people}
        self.outcomes = {str(outcome.pk): outcome for outcome in outcomes}
        self.fields["what"] = _text_field("What will be done?", "Enter what will be done", "What will be done", rows=3)
        owner_choices = [
            Choice(
                owner_key(user=user),
                user.get_full_name() or user.username,
                hint=f"Team around the family{f', {user.agency}' if user.agency_id else ''}",
            )
            for user in members
        ] + [Choice(owner_key(person=person), person.full_name, hint="Family member") for person in people]
        self.fields["owner"] = forms.ChoiceField(
            label="Who will do it?",
            choices=owner_choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select who will do it: a member of the team around the family or a family member",
                "invalid_choice": "Select who will do it: a member of the team around the family or a family member",
            },
        )
        self.fields["due_on"] = gds_date(
            "When will it be done by?",
            "Enter the date it will be done by",
            noun="The date it will be done by",
            help_text="For example, 27 3 2027",
        )
        self.fields["measure"] = _text_field(
            "How will progress be measured?",
            "Enter how progress will be measured",
            "How progress is measured",
            help_text="What the family and the team will see when it is done",
            rows=3,
        )
        self.fields["outcome"] = forms.ChoiceField(
            label="Which outcome is it for? (optional)",
            choices=[("", "No one outcome"), *((key, outcome.text[:100]) for key, outcome in self.outcomes.items())],
            required=False,
            error_messages={"invalid_choice": "Select an outcome of this plan"},
        )
        layout = [
            Field.textarea("what"),
            Field.radios("owner", legend_size=Size.SMALL),
            Field("due_on"),
            Field.textarea("measure"),
            Field.select("outcome"),
        ]
        if with_status:
            self.fields["status"] = _status_field("What is its status?")
            layout.append(Field.radios("status", legend_size=Size.SMALL))
        self.helper.layout = Layout(*layout, Submit("submit", self.submit_label))

    def clean_due_on(self):
        value = self.cleaned_data["due_on"]
        if value < timezone.localdate() and value != self.initial.get("due_on"):
            raise forms.ValidationError("The date it will be done by must be today or in the future")
        return value

    def clean_owner(self):
        return self.owners[self.cleaned_data["owner"]]

    def clean_outcome(self):
        key = self.cleaned_data.get("outcome")
        return self.outcomes[key] if key else None

    def owner_kwargs(self) -> dict:
        kind, who = self.cleaned_data["owner"]
        return {"owner_user": who if kind == "user" else None, "owner_person": who if kind == "person" else None}


def _status_field(label: str) -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label,
        choices=ActionStatus.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the action's status now",
            "invalid_choice": "Select the action's status now",
        },
    )


class ProgressForm(GDSForm):
    submit_label = "Save progress"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["note"] = _text_field("What has been done?", "Enter what has been done", "The note", rows=4)
        self.fields["status"] = _status_field("What is its status now?")
        self.helper.layout = Layout(
            Field.textarea("note"), Field.radios("status", legend_size=Size.SMALL), Submit("submit", self.submit_label)
        )


class AgreeForm(GDSForm):
    submit_label = "Record the family's agreement"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agreed_on"] = gds_date(
            "When did the family agree the plan?",
            "Enter the date the family agreed the plan",
            noun="The date the family agreed the plan",
            help_text="For example, 27 3 2026",
        )
        self.helper.layout = Layout(Field("agreed_on"), Submit("submit", self.submit_label))

    def clean_agreed_on(self):
        value = self.cleaned_data["agreed_on"]
        if value > timezone.localdate():
            raise forms.ValidationError("The date the family agreed the plan must be today or in the past")
        return value


class ConfirmForm(GDSForm):
    """A confirmation page's one button."""

    def __init__(self, *args, submit_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(Submit("submit", submit_label, css_class="govuk-button--warning"))
