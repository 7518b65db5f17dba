from rest_framework import serializers

from ..models import PANEL_RETURN_ROUTES, Case, CaseMember, CaseStatus, ChronologyEntry, Person

FAMILY_HELP = "null unless the family agreed to share their details with the caller's agency"
# A case's fields, in the list and in the detail alike.
CASE_FIELDS = [
    *("id", "reference", "kind", "status", "family", "level_of_need", "locality", "lead_agency"),
    *("lead_professional", "opened_at", "closed_at"),
]


def full_name(first: str | None, last: str | None) -> str | None:
    return f"{first or ''} {last or ''}".strip() or None


class CaseListSerializer(serializers.Serializer):
    """A case as lists show it, read from a row of values (`selectors.case_api_rows`). `family` is
    the family's name where the family agreed to share their details with the caller, else null:
    the selector's `family_name` column decides."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(choices=Case.Kind.choices, read_only=True)
    status = serializers.ChoiceField(choices=CaseStatus.choices, read_only=True)
    family = serializers.CharField(source="family_name", allow_null=True, read_only=True, help_text=FAMILY_HELP)
    level_of_need = serializers.CharField(source="level_of_need__name", read_only=True)
    locality = serializers.CharField(source="locality__name", allow_null=True, read_only=True)
    lead_agency = serializers.CharField(source="lead_agency__name", allow_null=True, read_only=True)
    lead_professional = serializers.SerializerMethodField()
    opened_at = serializers.DateTimeField(read_only=True)
    closed_at = serializers.DateTimeField(allow_null=True, read_only=True)

    def get_lead_professional(self, row) -> str | None:
        return full_name(row["lead_professional__first_name"], row["lead_professional__last_name"])


class CaseSerializer(serializers.ModelSerializer):
    """A case, read from the case itself: the same fields as a row of the list."""

    family = serializers.CharField(source="family_name", allow_null=True, read_only=True, help_text=FAMILY_HELP)
    level_of_need = serializers.CharField(source="level_of_need.name", read_only=True)
    lead_professional = serializers.SerializerMethodField()
    lead_agency = serializers.CharField(source="lead_agency.name", allow_null=True, default=None, read_only=True)
    locality = serializers.CharField(source="locality.name", allow_null=True, default=None, read_only=True)

    class Meta:
        model = Case
        fields = CASE_FIELDS

    def get_lead_professional(self, case) -> str | None:
        return case.lead_professional.get_full_name() if case.lead_professional else None


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = [
            "id",
            "kind",
            "first_name",
            "last_name",
            "other_names",
            "date_of_birth",
            "expected_date_of_birth",
            "gender",
            "ethnicity",
            "first_language",
            "interpreter_needed",
            "nhs_number",
            "upn",
        ]


class MemberSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="user.get_full_name")
    agency = serializers.CharField(source="user.agency.name", allow_null=True)

    class Meta:
        model = CaseMember
        fields = ["id", "name", "agency", "role", "is_lead", "added_at"]


class CaseDetailSerializer(CaseSerializer):
    details_visible = serializers.BooleanField()
    members = serializers.SerializerMethodField()
    people = serializers.SerializerMethodField()
    panel_route = serializers.ChoiceField(
        choices=Case._meta.get_field("panel_route").choices,
        allow_blank=True,
        read_only=True,
        help_text="How the case came to wait for the panel; blank when it does not wait for one",
    )
    panel_waiting_since = serializers.DateTimeField(
        allow_null=True, read_only=True, help_text="When the case started waiting for the panel; null when it does not"
    )

    class Meta(CaseSerializer.Meta):
        fields = CaseSerializer.Meta.fields + [
            *("details_visible", "members", "people"),
            *("panel_route", "panel_waiting_since"),
        ]

    def get_members(self, case) -> list[dict]:
        return MemberSerializer(self.context["members"], many=True).data

    def get_people(self, case) -> list[dict]:
        return PersonSerializer(self.context.get("people", []), many=True).data


class ReturnToPanelSerializer(serializers.Serializer):
    """Sending an active case back to the panel."""

    route = serializers.ChoiceField(
        choices=[(route.value, route.label) for route in PANEL_RETURN_ROUTES],
        error_messages={
            "required": "Choose why the case is going back to the panel",
            "null": "Choose why the case is going back to the panel",
            "invalid_choice": "Choose why the case is going back to the panel: stuck, refused or disengaged",
        },
    )
    note = serializers.CharField(
        error_messages={
            "required": "Enter why the case is going back to the panel",
            "blank": "Enter why the case is going back to the panel",
            "null": "Enter why the case is going back to the panel",
        },
        help_text="Why the case is going back: what has been tried, and what is getting in the way",
    )


class ChronologyEntrySerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.get_full_name", read_only=True, allow_null=True)
    author_agency = serializers.CharField(source="author_agency.name", read_only=True, allow_null=True)
    # Every kind is read; a note added through the API is a note, contact or meeting (the service
    # refuses the rest with its own message).
    kind = serializers.ChoiceField(
        choices=ChronologyEntry.Kind.choices,
        default=ChronologyEntry.Kind.NOTE,
        help_text="Adding a note: note, contact or meeting",
    )
    event = serializers.CharField(read_only=True, help_text="Machine name of a recorded event; blank for a note")
    summary = serializers.CharField(max_length=300, error_messages={"blank": "Enter a short summary of the note"})
    body = serializers.CharField(required=False, allow_blank=True, default="")
    occurred_at = serializers.DateTimeField(required=False)

    class Meta:
        model = ChronologyEntry
        fields = ["id", "kind", "event", "occurred_at", "recorded_at", "summary", "body", "author", "author_agency"]
        read_only_fields = ["id", "event", "recorded_at", "author", "author_agency"]
