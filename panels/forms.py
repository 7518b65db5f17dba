"""The panel pages' forms: setting up a panel, adding a standing member, and the waiting list's filters.
They check what was typed; the rules (who may, one panel per locality, a practitioner of the agency)
are the services' and come back through `add_service_errors`."""

from __future__ import annotations

from django import forms

from cases.forms import GDSForm, gds_date
from cases.list_filters import ListFilterForm, choice
from cases.models import Agency, Locality, PanelRoute, User
from cases.permissions import user_locality_id
from cases.roles import PRACTITIONER_ROLES

from .models import Frequency, Weekday
from .permissions import coordinates_county
from .words import parse_time

COUNTY = "county"
ENTER_TIME = "Enter the time the panel meets, like 10am or 2:30pm"


def practitioners():
    return (
        User.objects.filter(is_active=True, agency__isnull=False, groups__name__in=PRACTITIONER_ROLES)
        .select_related("agency")
        .distinct()
        .order_by("first_name", "last_name", "pk")
    )


class TimeTextField(forms.CharField):
    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        parsed = parse_time(value)
        if parsed is None:
            raise forms.ValidationError(ENTER_TIME, code="invalid")
        return parsed


class PanelForm(GDSForm):
    submit_label = "Set up the panel"

    name = forms.CharField(
        label="Name of the panel",
        max_length=200,
        help_text="For example, North Early Help Panel",
        error_messages={
            "required": "Enter the name of the panel",
            "max_length": "The name must be 200 characters or fewer",
        },
    )
    locality = forms.ChoiceField(
        label="Which locality does the panel cover?",
        choices=[],
        error_messages={
            "required": "Select a locality, or the whole county",
            "invalid_choice": "Select a locality, or the whole county",
        },
    )
    frequency = forms.ChoiceField(
        label="How often does the panel meet?",
        choices=Frequency.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select how often the panel meets",
            "invalid_choice": "Select how often the panel meets",
        },
    )
    weekday = forms.TypedChoiceField(
        label="Which day of the week?",
        choices=Weekday.choices,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": "Select the day the panel meets",
            "invalid_choice": "Select the day the panel meets",
        },
    )
    meets_at = TimeTextField(
        label="What time does it start?",
        max_length=10,
        help_text="For example, 10am or 2:30pm",
        error_messages={"required": ENTER_TIME, "max_length": ENTER_TIME},
    )
    first_meeting_on = gds_date(
        "Date of the first meeting",
        "Enter the date of the first meeting",
        noun="The date of the first meeting",
        help_text="The schedule counts from this date. For example, 8 12 2026.",
    )
    venue = forms.CharField(
        label="Where does the panel meet? (optional)",
        max_length=200,
        required=False,
        help_text="A place, or how to join online",
        error_messages={"max_length": "Where the panel meets must be 200 characters or fewer"},
    )
    chair = forms.ModelChoiceField(
        label="Who chairs the panel? (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Select a practitioner",
        error_messages={"invalid_choice": "Select the chair from the list"},
    )

    def __init__(self, *args, user: User, **kwargs):
        super().__init__(*args, **kwargs)
        # A coordinator sets up a panel for what they cover: their locality, or any (and the county's).
        if coordinates_county(user):
            localities = list(Locality.objects.order_by("name").values_list("pk", "name"))
            options = [(COUNTY, "The whole county"), *((str(pk), name) for pk, name in localities)]
        else:
            own = Locality.objects.filter(pk=user_locality_id(user)).values_list("pk", "name")
            options = [(str(pk), name) for pk, name in own]
        self.fields["locality"].choices = [("", "Select a locality"), *options]
        chair = self.fields["chair"]
        chair.queryset = practitioners()
        chair.label_from_instance = lambda person: f"{person.get_full_name()} ({person.agency})"
        self.fields["meets_at"].widget.attrs.update({"class": "govuk-input--width-5", "spellcheck": "false"})

    def clean_locality(self) -> Locality | None:
        value = self.cleaned_data["locality"]
        if value == COUNTY:
            return None
        return Locality.objects.get(pk=int(value))


class PanelMemberForm(GDSForm):
    submit_label = "Add the member"

    agency = forms.ModelChoiceField(
        label="Agency",
        queryset=Agency.objects.none(),
        empty_label="Select an agency",
        error_messages={"required": "Select the agency", "invalid_choice": "Select the agency from the list"},
    )
    user = forms.ModelChoiceField(
        label="Who attends for the agency? (optional)",
        queryset=User.objects.none(),
        required=False,
        empty_label="Select a person",
        help_text="A practitioner of the agency you selected. Leave it empty if the agency sends whoever is free.",
        error_messages={"invalid_choice": "Select the person from the list"},
    )
    role = forms.CharField(
        label="Their role on the panel (optional)",
        max_length=200,
        required=False,
        help_text="For example, designated safeguarding lead",
        error_messages={"max_length": "The role must be 200 characters or fewer"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].queryset = Agency.objects.filter(active=True).order_by("name")
        person = self.fields["user"]
        person.queryset = practitioners()
        person.label_from_instance = lambda user: f"{user.get_full_name()} ({user.agency})"

    def clean(self):
        data = super().clean()
        agency, user = data.get("agency"), data.get("user")
        if agency is not None and user is not None and user.agency_id != agency.pk:
            self.add_error("user", f"Select a person who works for {agency.name}")
        return data


class WaitingListFilterForm(ListFilterForm):
    """The waiting list's filters: how the cases came, and only those over the 10-day target or not
    yet on an agenda."""

    route = choice(choices=PanelRoute.choices, label="how the case came", empty="Any way")
    over = forms.BooleanField(required=False)
    unplaced = forms.BooleanField(required=False)
