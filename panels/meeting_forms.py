"""Forms of a panel meeting's pages. They check what was typed; the rules (a reason to move or cancel,
a lead agency and the level 3 confirmation for an allocation, decisions only at the meeting) are the
services' and come back through `add_service_errors`."""

from __future__ import annotations

import datetime

from crispy_forms_gds.layout import Layout, Submit
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone

from cases.forms import GDSForm, RevealingRadios, SingleQueryChoiceIterator, gds_date
from cases.models import Agency, ClosureReason, Team, User

from .models import Attendance, NotForPanelRoute, PanelOutcome
from .words import parse_time


class MeetingMoveForm(GDSForm):
    submit_label = "Move the meeting"

    date = gds_date(
        "What is the new date?",
        "Enter the new date of the meeting",
        noun="The new date",
        help_text="For example, 8 12 2026",
    )
    time = forms.CharField(
        label="What is the new time?",
        help_text="For example, 10am or 2:30pm",
        max_length=20,
        error_messages={"required": "Enter the new time of the meeting"},
    )
    reason = forms.CharField(
        label="Why is the meeting moving?",
        help_text="The members are told the new date and time",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the meeting is moving"},
    )

    def clean_time(self):
        value = parse_time(self.cleaned_data["time"])
        if value is None:
            raise ValidationError("Enter a real time, for example 10am or 2:30pm")
        return value

    def clean(self):
        data = super().clean()
        if data.get("date") and data.get("time"):
            data["starts_at"] = timezone.make_aware(datetime.datetime.combine(data["date"], data["time"]))
        return data

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict"):
            error = ValidationError(
                {
                    ("date" if field == "starts_at" else field): messages
                    for field, messages in error.message_dict.items()
                }
            )
        super().add_service_errors(error)


class MeetingCancelForm(GDSForm):
    submit_label = "Cancel the meeting"

    reason = forms.CharField(
        label="Why is the meeting cancelled?",
        help_text="The members are told it is cancelled",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the meeting is cancelled"},
    )


class AttendanceForm(GDSForm):
    """One question per standing member: present, sent apologies or absent (each a GOV.UK fieldset)."""

    submit_label = "Save attendance"

    def __init__(self, *args, members: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {}
        for member, attendance in members:
            name = f"member_{member.pk}"
            who = str(member)
            self.members[name] = member
            self.fields[name] = forms.ChoiceField(
                label=who,
                help_text=member.role,
                choices=Attendance.Status.choices,
                widget=forms.RadioSelect,
                initial=attendance.status if attendance else None,
                error_messages={
                    "required": f"Select whether {who} was present, sent apologies or was absent",
                    "invalid_choice": f"Select whether {who} was present, sent apologies or was absent",
                },
            )
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    def statuses(self) -> dict[int, str]:
        return {member.pk: self.cleaned_data[name] for name, member in self.members.items()}


# The reason of each outcome has a field of its own, so that without JavaScript (every outcome's
# questions on show) each posts its own answer.
REASON_FIELDS = {
    PanelOutcome.ALLOCATE: "allocate_reason",
    PanelOutcome.NOT_FOR_PANEL: "not_for_panel_reason",
    PanelOutcome.DEFER: "defer_reason",
    PanelOutcome.STEP_UP: "step_up_reason",
}
REVEALS = {
    PanelOutcome.ALLOCATE: ["lead_agency", "team", "threshold_confirmed", "allocate_reason"],
    PanelOutcome.NOT_FOR_PANEL: ["not_for_panel_route", "closure_reason", "not_for_panel_reason"],
    PanelOutcome.DEFER: ["defer_reason"],
    PanelOutcome.STEP_UP: ["step_up_reason"],
}


def agencies() -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
        label="Lead agency",
        queryset=Agency.objects.filter(active=True).order_by("name"),
        empty_label="Select an agency",
        required=False,
        error_messages={"invalid_choice": "Select the lead agency from the list"},
    )


def teams() -> forms.ModelChoiceField:
    field = forms.ModelChoiceField(
        label="Team (optional)",
        help_text="The team of the lead agency that will find the lead professional",
        queryset=Team.objects.filter(agency__active=True).select_related("agency").order_by("agency__name", "name"),
        empty_label="Select a team",
        required=False,
        error_messages={"invalid_choice": "Select the team from the list"},
    )
    field.label_from_instance = lambda team: f"{team.name}, {team.agency.name}"
    return field


class PanelDecisionForm(GDSForm):
    """The panel's decision on one case, each outcome's questions revealed under it."""

    submit_label = "Record the decision"

    outcome = forms.ChoiceField(
        label="What did the panel decide?",
        choices=PanelOutcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": "Select the panel's decision", "invalid_choice": "Select the panel's decision"},
    )
    lead_agency = agencies()
    team = teams()
    threshold_confirmed = forms.BooleanField(
        label="The panel confirmed the family's needs meet level 3", required=False
    )
    allocate_reason = forms.CharField(
        label="Notes for the lead agency (optional)", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    not_for_panel_route = forms.ChoiceField(
        label="Where does the family go instead?",
        choices=NotForPanelRoute.choices,
        widget=forms.RadioSelect,
        required=False,
        error_messages={"invalid_choice": "Select where the family goes instead"},
    )
    closure_reason = forms.ModelChoiceField(
        label="Reason the case closes (optional)",
        help_text="Leave it unselected for the usual reason for where the family goes",
        queryset=ClosureReason.objects.none(),
        empty_label="Select a reason",
        required=False,
        error_messages={"invalid_choice": "Select the reason from the list"},
    )
    not_for_panel_reason = forms.CharField(
        label="Why is the case not for the panel?", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    defer_reason = forms.CharField(
        label="What is needed before the next meeting", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    step_up_reason = forms.CharField(
        label="The safeguarding concern for the front door", widget=forms.Textarea(attrs={"rows": 4}), required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["closure_reason"].queryset = ClosureReason.objects.active()
        self.fields["closure_reason"].widget.choices = self.fields["closure_reason"].choices
        self.helper.layout = Layout(RevealingRadios("outcome", REVEALS), Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        # Without JavaScript every question is on show: answers that do not belong to the chosen
        # outcome are dropped, not refused.
        outcome = data.get("outcome") or ""
        data["reason"] = data.get(REASON_FIELDS.get(outcome, ""), "") or ""
        return data

    def decision_kwargs(self) -> dict:
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "reason": data["reason"],
            "lead_agency": data.get("lead_agency"),
            "team": data.get("team"),
            "threshold_confirmed": bool(data.get("threshold_confirmed")),
            "not_for_panel_route": data.get("not_for_panel_route") or "",
            "closure_reason": data.get("closure_reason"),
        }

    def add_service_errors(self, error) -> None:
        """The service says `reason`: here it is the chosen outcome's own question."""
        if hasattr(error, "error_dict"):
            outcome = (self.cleaned_data or {}).get("outcome") or ""
            renamed = {"reason": REASON_FIELDS.get(outcome, "reason")}
            error = ValidationError(
                {renamed.get(field, field): messages for field, messages in error.message_dict.items()}
            )
        super().add_service_errors(error)


class DecisionAmendForm(GDSForm):
    """Why the decision is amended, its new reason and, for an allocation still waiting for its lead
    professional, a new lead agency and team."""

    submit_label = "Amend the decision"

    amendment_reason = forms.CharField(
        label="Why is the decision being amended?",
        help_text="The decision stays on the record as it was; your amendment is recorded beside it",
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter why the decision is being amended"},
    )
    reason = forms.CharField(label="Reason for the decision", widget=forms.Textarea(attrs={"rows": 4}), required=False)

    # The reason's question for each outcome, and what to say when it is left empty (the service says
    # only "Enter the reason": the page names what is missing, as when the decision was recorded).
    REASON_QUESTIONS = {
        PanelOutcome.ALLOCATE: ("Notes for the lead agency (optional)", ""),
        PanelOutcome.NOT_FOR_PANEL: ("Why is the case not for the panel?", "Enter why the case is not for the panel"),
        PanelOutcome.DEFER: ("What is needed before the next meeting", "Enter what is needed before the next meeting"),
        PanelOutcome.STEP_UP: (
            "The safeguarding concern for the front door",
            "Enter the safeguarding concern for the front door",
        ),
    }

    def __init__(self, *args, decision, can_change_agency: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].initial = decision.reason
        self.fields["reason"].label, self.reason_missing = self.REASON_QUESTIONS[decision.outcome]
        if can_change_agency:
            self.fields["lead_agency"] = agencies()
            self.fields["lead_agency"].initial = decision.lead_agency_id
            self.fields["team"] = teams()
            self.fields["team"].initial = decision.team_id
            for name in ("lead_agency", "team"):
                self.fields[name].iterator = SingleQueryChoiceIterator
                self.fields[name].widget.choices = self.fields[name].choices
        self.helper.layout = Layout(*self.fields, Submit("submit", self.submit_label))

    def clean(self):
        data = super().clean()
        if "lead_agency" in self.fields and not data.get("lead_agency") and not self.has_error("lead_agency"):
            self.add_error("lead_agency", "Select the lead agency")
        return data

    def add_service_errors(self, error) -> None:
        if hasattr(error, "error_dict") and "reason" in error.error_dict and self.reason_missing:
            messages = error.message_dict
            messages["reason"] = [self.reason_missing]
            error = ValidationError(messages)
        super().add_service_errors(error)


class ActionForm(GDSForm):
    submit_label = "Add the action"

    description = forms.CharField(
        label="What needs to be done?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": "Enter what needs to be done",
            "max_length": "What needs to be done must be 500 characters or fewer",
        },
    )
    owner = forms.ModelChoiceField(
        label="Who will do it?",
        queryset=User.objects.none(),
        empty_label="Select a person",
        error_messages={"required": "Select who will do it", "invalid_choice": "Select who will do it"},
    )
    due_on = gds_date(
        "When is it due?",
        "Enter the date it is due by",
        noun="The date it is due by",
        help_text="For example, 8 12 2026",
    )
    item = forms.ChoiceField(label="Which case is it about? (optional)", required=False)

    def __init__(self, *args, meeting, actor: User, items: list, **kwargs):
        super().__init__(*args, **kwargs)
        people = (
            User.objects.filter(is_active=True)
            .filter(
                Q(panel_memberships__panel_id=meeting.panel_id, panel_memberships__ended_at__isnull=True)
                | Q(pk=actor.pk)
                | Q(pk=meeting.panel.chair_id)
            )
            .select_related("agency")
            .distinct()
            .order_by("last_name", "first_name", "pk")
        )
        owner = self.fields["owner"]
        owner.queryset = people
        owner.label_from_instance = lambda user: f"{user.get_full_name() or user.username} ({user.agency})"
        owner.widget.choices = owner.choices
        self.items = {str(item.pk): item for item in items}
        self.fields["item"].choices = [("", "Select a case")] + [(str(item.pk), item.case.reference) for item in items]
        self.fields["item"].error_messages["invalid_choice"] = "Select a case on this meeting's agenda"

    def clean_item(self):
        value = self.cleaned_data.get("item")
        return self.items.get(value) if value else None


class CompleteForm(GDSForm):
    submit_label = "Complete the meeting"

    notes = forms.CharField(
        label="General notes (optional)",
        help_text="What the minutes should say beyond the decisions and actions",
        widget=forms.Textarea(attrs={"rows": 6}),
        required=False,
    )
