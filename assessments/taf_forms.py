"""The TAF meeting pages' forms. They check what was typed; the rules (in the future, members of
the team and of the family, someone invited, every invitee's attendance) are the services' and come
back through `add_service_errors`, on the field they name."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Field, Fieldset, Layout, Size, Submit
from django import forms
from django.utils import timezone

from cases.forms import GDSForm, gds_date
from panels.words import parse_time

from .models import Attendance
from .taf import attendee_name

ENTER_TIME = "Enter the time of the meeting, like 10am or 2:30pm"


class TimeTextField(forms.CharField):
    """A time as people type it ("10am", "2:30pm", "14:00")."""

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise forms.ValidationError(ENTER_TIME, code="invalid")
        return parsed


def _when_fields(prefix: str, noun: str) -> dict[str, forms.Field]:
    date = gds_date(
        f"Date of the {noun}",
        f"Enter the date of the {noun}",
        noun=f"The date of the {noun}",
        help_text="For example, 27 3 2027",
    )
    time = TimeTextField(
        label="Time",
        help_text="For example, 10am or 2:30pm",
        error_messages={"required": ENTER_TIME},
        max_length=20,
    )
    place = forms.CharField(
        label="Where is it?",
        max_length=200,
        help_text="For example, Hill School meeting room, or the family's home",
        error_messages={
            "required": f"Enter where the {noun} is",
            "max_length": "The place must be 200 characters or fewer",
        },
    )
    return {f"{prefix}starts_at": date, f"{prefix}time": time, f"{prefix}place": place}


def _combine(day: datetime.date | None, time: datetime.time | None) -> datetime.datetime | None:
    if day is None or time is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day, time))


class MeetingPlanForm(GDSForm):
    """When and where, and who is invited: members of the team, members of the family, others."""

    submit_label = "Plan the meeting"

    def __init__(self, *args, members, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {str(member.user_id): member for member in members}
        self.people = {str(person.pk): person for person in people}
        self.fields.update(_when_fields("", "meeting"))
        self.fields["members"] = forms.MultipleChoiceField(
            label="Members of the team around the family",
            choices=[(key, f"{member.user.get_full_name()}, {member.role}") for key, member in self.members.items()],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": "Choose members of the team around the family"},
        )
        self.fields["people"] = forms.MultipleChoiceField(
            label="Members of the family",
            choices=[(key, person.full_name) for key, person in self.people.items()],
            widget=forms.CheckboxSelectMultiple,
            required=False,
            error_messages={"invalid_choice": "Choose members of the family"},
        )
        self.fields["others"] = forms.CharField(
            label="Anyone else (optional)",
            help_text="One a line, by name and role, for example an interpreter",
            widget=forms.Textarea(attrs={"rows": 3}),
            required=False,
        )
        self.helper.layout = Layout(
            Field("starts_at"),
            Field.text("time", field_width=10),
            Field.text("place"),
            Fieldset(
                Field.checkboxes("members", small=True),
                Field.checkboxes("people", small=True),
                Field.textarea("others"),
                legend="Who is invited?",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", self.submit_label),
        )

    def starts_at(self) -> datetime.datetime | None:
        return _combine(self.cleaned_data.get("starts_at"), self.cleaned_data.get("time"))

    def invited(self) -> dict:
        data = self.cleaned_data
        return {
            "members": [self.members[key].user for key in data.get("members", [])],
            "people": [self.people[key] for key in data.get("people", [])],
            "others": (data.get("others") or "").splitlines(),
        }


class MeetingMoveForm(GDSForm):
    submit_label = "Move the meeting"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(_when_fields("", "meeting"))
        self.helper.layout = Layout(
            Field("starts_at"),
            Field.text("time", field_width=10),
            Field.text("place"),
            Submit("submit", self.submit_label),
        )

    def starts_at(self) -> datetime.datetime | None:
        return _combine(self.cleaned_data.get("starts_at"), self.cleaned_data.get("time"))


class MeetingCancelForm(GDSForm):
    submit_label = "Cancel the meeting"

    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Enter why the meeting is cancelled"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout(
            Field.textarea("reason"), Submit("submit", self.submit_label, css_class="govuk-button--warning")
        )


def attendance_field(attendee_id: int) -> str:
    return f"attendance_{attendee_id}"


class MeetingRecordForm(GDSForm):
    """Who came (each invitee), the minutes, decisions and changes to the plan, and the next meeting."""

    submit_label = "Save the meeting"

    def __init__(self, *args, attendees, **kwargs):
        super().__init__(*args, **kwargs)
        self.attendees = list(attendees)
        choices = [
            (value.value, value.label) for value in (Attendance.ATTENDED, Attendance.APOLOGIES, Attendance.ABSENT)
        ]
        layout = []
        for attendee in self.attendees:
            name = attendee_name(attendee)
            self.fields[attendance_field(attendee.pk)] = forms.ChoiceField(
                label=name,
                choices=choices,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"Select whether {name} attended",
                    "invalid_choice": f"Select whether {name} attended",
                },
            )
            layout.append(Field.radios(attendance_field(attendee.pk), inline=True, small=True))
        self.fields["minutes"] = forms.CharField(
            label="Minutes",
            widget=forms.Textarea(attrs={"rows": 8}),
            error_messages={"required": "Enter the minutes of the meeting"},
        )
        self.fields["decisions"] = forms.CharField(
            label="Decisions (optional)", widget=forms.Textarea(attrs={"rows": 4}), required=False
        )
        self.fields["plan_changes"] = forms.CharField(
            label="Changes to the plan (optional)", widget=forms.Textarea(attrs={"rows": 4}), required=False
        )
        self.fields.update(_when_fields("next_", "next meeting"))
        self.helper.layout = Layout(
            Fieldset(*layout, legend="Who came?", legend_size=Size.MEDIUM),
            Field.textarea("minutes"),
            Field.textarea("decisions"),
            Field.textarea("plan_changes"),
            Fieldset(
                Field("next_starts_at"),
                Field.text("next_time", field_width=10),
                Field.text("next_place"),
                legend="The next meeting",
                legend_size=Size.MEDIUM,
            ),
            Submit("submit", self.submit_label),
        )

    def attendance(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data.get(attendance_field(a.pk), "") for a in self.attendees}

    def next_starts_at(self) -> datetime.datetime | None:
        return _combine(self.cleaned_data.get("next_starts_at"), self.cleaned_data.get("next_time"))
