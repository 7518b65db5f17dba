"""The review page's form: the date, progress on each open action of the plan, the reading, the
family's view, a summary and the decision. The rules are `reviews.review_record`'s; its errors come
back on the fields they name."""

from __future__ import annotations

from crispy_forms_gds.choices import Choice
from crispy_forms_gds.layout import HTML, Field, Fieldset, Layout, Size, Submit
from django import forms
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from cases.forms import GDSForm, gds_date

from .models import ActionStatus, ReviewDecision
from .reviews import panel_route_choices, progress_field, progress_note_field


def action_owner(action) -> str:
    if action.owner_user_id:
        return action.owner_user.get_full_name()
    return action.owner_person.full_name if action.owner_person_id else ""


def _progress_so_far(action) -> str:
    """Where the action stands before the review: its status and, when the view read it
    (`latest_note`, `latest_at`), the latest progress recorded on it."""
    now = f"Now: {action.get_status_display().lower()}"
    note = getattr(action, "latest_note", None)
    if not note:
        return f"{now}. No progress recorded yet."
    when = timezone.localtime(action.latest_at)
    return f"{now}. Latest progress, {when:%-d %B %Y}: {note[:300]}"


class ReviewForm(GDSForm):
    submit_label = "Save the review"

    def __init__(self, *args, case, actions, readings, **kwargs):
        super().__init__(*args, **kwargs)
        self.actions = list(actions)
        self.readings = {str(reading.pk): reading for reading in readings}
        self.fields["held_on"] = gds_date(
            "When was the review held?",
            "Enter the date the review was held",
            noun="The date the review was held",
            help_text="For example, 27 3 2026",
        )
        progress_layout = []
        for action in self.actions:
            name, note = progress_field(action.pk), progress_note_field(action.pk)
            what = action.what[:60]
            self.fields[name] = forms.ChoiceField(
                label=f"{action.what} ({action_owner(action)}, by {action.due_on:%-d %B %Y})",
                choices=ActionStatus.choices,
                widget=forms.RadioSelect,
                help_text=_progress_so_far(action),
                error_messages={
                    "required": f"Select the progress on “{what}”",
                    "invalid_choice": f"Select the progress on “{what}”",
                },
            )
            self.fields[note] = forms.CharField(
                label="What was done",
                widget=forms.Textarea(attrs={"rows": 2}),
                error_messages={"required": f"Enter what was done on “{what}”"},
            )
            progress_layout += [Field.radios(name, inline=True, small=True), Field.textarea(note)]
        self.fields["reading"] = forms.ChoiceField(
            label="Which outcome tool reading was taken for this review?",
            choices=[
                Choice(
                    key,
                    f"{reading.tool.name}{', ' + reading.person.full_name if reading.person_id else ''}",
                    hint=f"Taken {reading.taken_on:%-d %B %Y}",
                )
                for key, reading in self.readings.items()
            ],
            widget=forms.RadioSelect,
            error_messages={
                "required": "Choose the outcome tool reading taken for this review, or record one first",
                "invalid_choice": "Choose the outcome tool reading taken for this review, or record one first",
            },
        )
        record_link = format_html(
            '<p class="govuk-body">{} <a class="govuk-link" href="{}">Record a reading</a> first, then come back.</p>',
            "Readings taken in the last 14 days are listed."
            if self.readings
            else "No reading was taken in the last 14 days.",
            reverse("assessments:reading-tool-choose", args=[case.pk]),
        )
        self.fields["family_view"] = forms.CharField(
            label="The family's view",
            help_text="In their words",
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"required": "Enter the family's view"},
        )
        self.fields["summary"] = forms.CharField(
            label="Progress overall",
            widget=forms.Textarea(attrs={"rows": 4}),
            error_messages={"required": "Enter a summary of progress"},
        )
        self.fields["decision"] = forms.ChoiceField(
            label="What did the review decide?",
            choices=ReviewDecision.choices,
            widget=forms.RadioSelect,
            error_messages={
                "required": "Select the decision of the review",
                "invalid_choice": "Select the decision of the review",
            },
        )
        self.fields["panel_route"] = forms.ChoiceField(
            label="If it goes back to the panel, why?",
            choices=panel_route_choices(),
            widget=forms.RadioSelect,
            required=False,
            error_messages={"invalid_choice": "Select why the case is going back to the panel"},
        )
        self.fields["decision_note"] = forms.CharField(
            label="About the decision",
            help_text="Needed to go back to the panel or to step up: why",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
        self.helper.layout = Layout(
            Field("held_on"),
            Fieldset(
                *progress_layout,
                legend="Progress on each action of the plan" if self.actions else "The plan has no open actions",
                legend_size=Size.MEDIUM,
            ),
            Field.radios("reading", legend_size=Size.MEDIUM) if self.readings else HTML(""),
            HTML(record_link),
            Field.textarea("family_view"),
            Field.textarea("summary"),
            Field.radios("decision", legend_size=Size.MEDIUM),
            Field.radios("panel_route", small=True),
            Field.textarea("decision_note"),
            Submit("submit", self.submit_label),
        )
        if not self.readings:
            # Nothing to choose from: the service's error shows above the form, with the link here.
            del self.fields["reading"]

    def clean_reading(self):
        key = self.cleaned_data.get("reading")
        return self.readings.get(key) if key else None

    def progress(self) -> dict[int, tuple[str, str]]:
        data = self.cleaned_data
        return {
            action.pk: (data.get(progress_field(action.pk), ""), data.get(progress_note_field(action.pk), ""))
            for action in self.actions
        }
