"""The coordinator's form to ask partner agencies about a case before the Early Help Panel. It checks
what was typed; the rules (who may ask, an open case, a due date in the future) are the service's
and come back through `add_service_errors`."""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.utils import timezone

from cases.forms import GDSForm, gds_date
from cases.models import Agency, Case, Person

from .services import DUE_NOT_IN_FUTURE, ENTER_QUESTION, SCHOOL_TYPES, SELECT_AGENCIES
from .triage_forms import DUE_TIME


def agencies_to_ask_about(case: Case) -> QuerySet[Agency]:
    """The active agencies a coordinator may ask, by kind then name: every agency but the county's
    hundreds of schools and settings, of which the ones the family's children attend are offered."""
    family_schools = Person.objects.filter(memberships__family_id=case.family_id, school__isnull=False)
    return (
        Agency.objects.filter(active=True)
        .filter(~Q(agency_type__code__in=SCHOOL_TYPES) | Q(pk__in=family_schools.values("school_id")))
        .select_related("agency_type")
        .order_by("agency_type__sort_order", "agency_type__name", "name")
    )


class CaseInformationRequestForm(GDSForm):
    submit_label = "Ask the agencies"

    agencies = forms.ModelMultipleChoiceField(
        label="Which agencies do you want to ask?",
        help_text="Select all that apply.",
        queryset=Agency.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": SELECT_AGENCIES,
            "invalid_choice": SELECT_AGENCIES,
            "invalid_pk_value": SELECT_AGENCIES,
        },
    )
    question = forms.CharField(
        label="What do you need to know from them?",
        help_text="The agencies see this question, the case reference, and the names, dates of birth and "
        "address of the family's people.",
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=10_000,
        error_messages={
            "required": ENTER_QUESTION,
            "max_length": "The question must be 10,000 characters or fewer",
        },
    )
    due_on = gds_date(
        "When do you need the answers by?",
        "Enter the date the answers are due",
        noun="The date the answers are due",
        help_text="For example, 27 3 2027.",
    )

    def __init__(self, *args, case: Case, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = self.fields["agencies"]
        agencies.queryset = agencies_to_ask_about(case)
        agencies.label_from_instance = lambda agency: f"{agency.name} ({agency.agency_type.name})"

    def clean(self):
        data = super().clean()
        due_on = data.get("due_on")
        data["due_at"] = None
        if due_on:
            data["due_at"] = timezone.make_aware(datetime.datetime.combine(due_on, DUE_TIME))
            if data["due_at"] <= timezone.now():
                self.add_error("due_on", DUE_NOT_IN_FUTURE)
        return data

    def add_service_errors(self, error) -> None:
        """The service names the due time `due_at`: here it is the date asked for."""
        if hasattr(error, "error_dict"):
            renamed = {"due_at": "due_on", "agency": "agencies"}
            error = ValidationError(
                {renamed.get(field, field): messages for field, messages in error.message_dict.items()}
            )
        super().add_service_errors(error)
