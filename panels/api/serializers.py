"""The Early Help Panel API's shapes. Output serializers read what `panels.selectors` give (a case's
`family_name` is null unless the family agreed to share with the caller); input serializers check
types only, with messages a person can act on: every rule stays in `panels.services`."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.api.serializers import FAMILY_HELP
from cases.models import Agency, ClosureReason, PanelRoute, Team
from front_door.api.serializers import CodeField, StrictBoolean, Text, text

from ..models import (
    Attendance,
    Frequency,
    MeetingStatus,
    NotForPanelRoute,
    PanelOutcome,
    Weekday,
)
from ..parts import route_words
from ..selectors import days_since


def choice(choices, **kwargs) -> serializers.ChoiceField:
    """A choice field whose values the schema lists in place rather than as a shared named enum:
    "status" and "outcome" already name other choice sets in this API (cases, referrals), and one
    name for two sets would make drf-spectacular guess at names."""
    values = [value for value, _label in choices]
    schema = {"allOf": [{"type": "integer" if isinstance(values[0], int) else "string", "enum": values}]}
    field_class = extend_schema_field(schema)(type("InlineChoiceField", (serializers.ChoiceField,), {}))
    return field_class(choices=choices, **kwargs)


def route_of(code: str) -> dict | None:
    """How a case came to the panel, as its code and words; None for no route."""
    if not code:
        return None
    return {"code": code, "label": route_words(code, unknown=code)}


# --- References -------------------------------------------------------------------------------------


class PanelRouteSerializer(serializers.Serializer):
    code = choice(PanelRoute.choices, read_only=True, help_text="The route's code, as the case record gives it")
    label = serializers.CharField(read_only=True, help_text="How the case came to the panel, in words")


class NextMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)


class NamedRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)


class AgendaCaseSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)


# --- Panels -------------------------------------------------------------------------------------------


class ScheduleSerializer(serializers.Serializer):
    frequency = serializers.ChoiceField(choices=Frequency.choices, read_only=True)
    weekday = serializers.ChoiceField(
        choices=Weekday.choices, read_only=True, help_text="0 Monday, 1 Tuesday, 2 Wednesday, 3 Thursday, 4 Friday"
    )
    time = serializers.TimeField(source="meets_at", read_only=True, help_text="Local time (Europe/London)")
    duration_minutes = serializers.IntegerField(read_only=True)


class PanelSerializer(serializers.Serializer):
    """A panel as the list shows it. `next_meeting` and `managed` come from `selectors.panels_list`
    (or are set on the panel by the detail view)."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    locality = serializers.CharField(
        source="locality.name",
        allow_null=True,
        default=None,
        read_only=True,
        help_text="null for a panel that covers the whole county",
    )
    schedule = ScheduleSerializer(source="*", read_only=True)
    venue = serializers.CharField(read_only=True)
    next_meeting = serializers.SerializerMethodField(help_text="The next scheduled meeting; null when none is")
    managed = serializers.BooleanField(read_only=True, help_text="The caller coordinates this panel")

    @extend_schema_field(NextMeetingSerializer(allow_null=True))
    def get_next_meeting(self, panel) -> dict | None:
        if panel.next_meeting_id is None:
            return None
        return {"id": panel.next_meeting_id, "starts_at": panel.next_meeting_at}


class PanelMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    agency = NamedRecordSerializer(read_only=True)
    name = serializers.SerializerMethodField(help_text="The person who attends for the agency; null when none is named")
    role = serializers.CharField(read_only=True)
    added_at = serializers.DateTimeField(read_only=True)

    def get_name(self, member) -> str | None:
        return member.user.get_full_name() if member.user_id else None


class MeetingSummarySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    status = choice(MeetingStatus.choices, read_only=True, help_text="scheduled, held or cancelled")
    venue = serializers.SerializerMethodField(help_text="Where it meets: the meeting's own venue, else the panel's")
    moved_from = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When it was to start before it moved; null if it never moved"
    )
    agenda_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    cases = serializers.IntegerField(source="item_count", read_only=True, help_text="Cases on its agenda")

    def get_venue(self, meeting) -> str:
        return meeting.venue or meeting.panel.venue


class PanelDetailSerializer(PanelSerializer):
    members = serializers.SerializerMethodField(help_text="Its current standing members")
    upcoming_meetings = serializers.SerializerMethodField(help_text="Its scheduled meetings, soonest first")

    @extend_schema_field(PanelMemberSerializer(many=True))
    def get_members(self, panel) -> list[dict]:
        return PanelMemberSerializer(self.context["members"], many=True).data

    @extend_schema_field(MeetingSummarySerializer(many=True))
    def get_upcoming_meetings(self, panel) -> list[dict]:
        return MeetingSummarySerializer(self.context["meetings"], many=True).data


# --- The waiting list -------------------------------------------------------------------------------


class WaitingCaseSerializer(serializers.Serializer):
    """A case waiting for the panel, read from `selectors.waiting_list`."""

    id = serializers.IntegerField(read_only=True)
    reference = serializers.CharField(read_only=True)
    family = serializers.CharField(source="family_name", allow_null=True, read_only=True, help_text=FAMILY_HELP)
    level_of_need = serializers.CharField(source="level_of_need.name", read_only=True)
    route = serializers.SerializerMethodField(help_text="How the case came to wait for the panel")
    waiting_since = serializers.DateTimeField(source="panel_waiting_since", read_only=True, allow_null=True)
    received_at = serializers.DateTimeField(
        read_only=True, help_text="When the front door received the referral (the 10-day clock's start)"
    )
    offer_due_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the 10-day clock to an offer of help is due; null if none"
    )
    days_waiting = serializers.SerializerMethodField(help_text="Whole days since it started waiting")
    partners_asked = serializers.IntegerField(read_only=True, help_text="Partner agencies asked about the case")
    partners_answered = serializers.IntegerField(read_only=True, help_text="Of them, how many answered")
    agenda_meeting_id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="The upcoming meeting whose agenda it is on; null if none"
    )

    @extend_schema_field(PanelRouteSerializer(allow_null=True))
    def get_route(self, case) -> dict | None:
        return route_of(case.panel_route)

    def get_days_waiting(self, case) -> int | None:
        return days_since(case.panel_waiting_since)


# --- Meetings ------------------------------------------------------------------------------------------


class PanelDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    item = serializers.IntegerField(source="item_id", read_only=True, help_text="The agenda item decided")
    outcome = choice(PanelOutcome.choices, read_only=True, help_text="allocate, not_for_panel, defer or step_up")
    lead_agency = NamedRecordSerializer(read_only=True, allow_null=True, help_text="For an allocation; null otherwise")
    team = NamedRecordSerializer(read_only=True, allow_null=True)
    threshold_confirmed = serializers.BooleanField(read_only=True)
    not_for_panel_route = serializers.ChoiceField(
        choices=NotForPanelRoute.choices, allow_blank=True, read_only=True, help_text="Blank unless not for the panel"
    )
    closure_reason = serializers.CharField(
        source="closure_reason.code",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Not for the panel: the code of the reason the case closed with",
    )
    reason = serializers.CharField(read_only=True)
    deferred_to = serializers.IntegerField(
        source="deferred_to_id", read_only=True, allow_null=True, help_text="For a deferral: the next meeting's id"
    )
    decided_by = serializers.CharField(source="decided_by.get_full_name", read_only=True)
    decided_at = serializers.DateTimeField(read_only=True)
    amends = serializers.IntegerField(
        source="amends_id", read_only=True, allow_null=True, help_text="The decision this one amends; null if none"
    )
    amendment_reason = serializers.CharField(read_only=True)


class AgendaItemSerializer(serializers.Serializer):
    """An item of `selectors.agenda`: its case with `family_name` for the caller, and `decision`."""

    id = serializers.IntegerField(read_only=True)
    position = serializers.IntegerField(read_only=True)
    case = AgendaCaseSerializer(read_only=True)
    family = serializers.CharField(source="case.family_name", allow_null=True, read_only=True, help_text=FAMILY_HELP)
    level_of_need = serializers.CharField(source="case.level_of_need.name", read_only=True)
    route = serializers.SerializerMethodField(help_text="How the case came to the panel; null if not recorded")
    decision = PanelDecisionSerializer(read_only=True, allow_null=True, help_text="The current decision, if any")
    amended = serializers.SerializerMethodField(help_text="The current decision amends an earlier one")

    @extend_schema_field(PanelRouteSerializer(allow_null=True))
    def get_route(self, item) -> dict | None:
        return route_of(item.route)

    def get_amended(self, item) -> bool:
        return item.decision is not None and item.decision.amends_id is not None


class MeetingAttendanceSerializer(serializers.Serializer):
    """A standing member with their attendance at the meeting (status null until recorded)."""

    member = serializers.IntegerField(source="member.pk", read_only=True)
    agency = serializers.CharField(source="member.agency.name", read_only=True)
    name = serializers.SerializerMethodField()
    role = serializers.CharField(source="member.role", read_only=True)
    status = choice(
        Attendance.Status.choices,
        source="attendance.status",
        read_only=True,
        allow_null=True,
        help_text="present, apologies or absent; null until recorded",
    )
    recorded_at = serializers.DateTimeField(source="attendance.recorded_at", read_only=True, allow_null=True)

    def get_name(self, row) -> str | None:
        return row.member.user.get_full_name() if row.member.user_id else None


class MeetingAttendanceListSerializer(serializers.Serializer):
    attendance = MeetingAttendanceSerializer(many=True, read_only=True, help_text="Every standing member's attendance")


class MeetingActionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    description = serializers.CharField(read_only=True)
    owner = serializers.CharField(source="owner.get_full_name", read_only=True)
    owner_agency = serializers.CharField(source="owner.agency.name", read_only=True, allow_null=True, default=None)
    due_on = serializers.DateField(read_only=True)
    done_at = serializers.DateTimeField(read_only=True, allow_null=True)
    item = serializers.IntegerField(source="item_id", read_only=True, allow_null=True)
    case = serializers.CharField(
        source="item.case.reference", read_only=True, allow_null=True, default=None, help_text="The case's reference"
    )


class MeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    panel = NamedRecordSerializer(read_only=True)
    starts_at = serializers.DateTimeField(read_only=True)
    status = choice(MeetingStatus.choices, read_only=True, help_text="scheduled, held or cancelled")
    venue = serializers.SerializerMethodField()
    moved_from = serializers.DateTimeField(read_only=True, allow_null=True)
    move_reason = serializers.CharField(read_only=True)
    cancel_reason = serializers.CharField(read_only=True)
    agenda_sent_at = serializers.DateTimeField(read_only=True, allow_null=True)
    held_at = serializers.DateTimeField(read_only=True, allow_null=True)
    managed = serializers.SerializerMethodField(help_text="The caller coordinates this panel")
    items = serializers.SerializerMethodField(help_text="The agenda, in order")
    attendance = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()

    def get_venue(self, meeting) -> str:
        return meeting.venue or meeting.panel.venue

    def get_managed(self, meeting) -> bool:
        return self.context["managed"]

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_items(self, meeting) -> list[dict]:
        return AgendaItemSerializer(self.context["items"], many=True).data

    @extend_schema_field(MeetingAttendanceSerializer(many=True))
    def get_attendance(self, meeting) -> list[dict]:
        return MeetingAttendanceSerializer(self.context["attendance"], many=True).data

    @extend_schema_field(MeetingActionSerializer(many=True))
    def get_actions(self, meeting) -> list[dict]:
        return MeetingActionSerializer(self.context["actions"], many=True).data


# --- What callers send -------------------------------------------------------------------------------

OBJECT_MESSAGES = {"invalid": "Send a JSON object", "null": "Send a JSON object"}


def record_id(noun: str, queryset, **kwargs) -> serializers.PrimaryKeyRelatedField:
    return serializers.PrimaryKeyRelatedField(
        queryset=queryset,
        error_messages={
            "required": f"Select the {noun}",
            "null": f"Select the {noun}",
            "incorrect_type": f"Enter the {noun}'s id as a number",
            "does_not_exist": f"There is no {noun} with the id {{pk_value}}",
        },
        **kwargs,
    )


def id_number(noun: str, *, missing: str, no_such: str, help_text: str) -> serializers.IntegerField:
    """The id of a record the service looks up itself (within its rules, so no queryset here): a
    number that fits an id, with `missing` when left out and `no_such` for one that cannot be one."""
    return serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text=help_text,
        error_messages={
            "required": missing,
            "null": missing,
            "invalid": f"Enter the {noun}'s id as a number",
            "min_value": no_such,
            "max_value": no_such,
            "max_string_length": no_such,
        },
    )


class AgendaItemCreateSerializer(serializers.Serializer):
    default_error_messages = OBJECT_MESSAGES

    case = id_number(
        "case",
        missing="Select the case to put on the agenda",
        no_such="Enter the id of a case waiting for this panel",
        help_text="The id of a case waiting for this panel",
    )


class PanelDecisionCreateSerializer(serializers.Serializer):
    default_error_messages = OBJECT_MESSAGES

    outcome = choice(
        PanelOutcome.choices,
        help_text="allocate, not_for_panel, defer or step_up",
        error_messages={
            "required": "Select the panel's decision",
            "null": "Select the panel's decision",
            "invalid_choice": f"Select the panel's decision: one of {', '.join(PanelOutcome.values)}",
        },
    )
    lead_agency = record_id(
        "lead agency",
        Agency.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Allocate: the agency's id",
    )
    team = record_id(
        "team", Team.objects.all(), required=False, allow_null=True, default=None, help_text="Allocate: optional"
    )
    threshold_confirmed = StrictBoolean(
        default=False,
        help_text="Allocate: the panel confirmed the family's needs meet level 3",
        error_messages={
            "invalid": "Enter whether the panel confirmed the threshold as true or false",
            "null": "Enter whether the panel confirmed the threshold as true or false",
        },
    )
    not_for_panel_route = serializers.ChoiceField(
        choices=NotForPanelRoute.choices,
        allow_blank=True,
        default="",
        help_text="Not for the panel: where the family goes instead",
        error_messages={
            "null": "Select where the family goes instead",
            "invalid_choice": f"Select where the family goes instead: one of {', '.join(NotForPanelRoute.values)}",
        },
    )
    closure_reason = CodeField(
        noun="closure reason",
        example="stepped-down",
        queryset=ClosureReason.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Not for the panel: the reason the case closes with, by code (a default fits the route)",
    )
    reason = text("the reason", help_text="Why; for a deferral, what is needed before the next meeting")


class KeptText(Text):
    """Text that may be left out (null or missing: keep what there is)."""

    def run_validation(self, data=serializers.empty):
        if data is None:
            return None
        return super().run_validation(data)


class PanelDecisionAmendSerializer(serializers.Serializer):
    default_error_messages = OBJECT_MESSAGES

    amendment_reason = text("why the decision is being amended", required=True)
    reason = KeptText(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=10_000,
        help_text="The decision's reason; leave out to keep it",
        error_messages={
            "invalid": "Enter the reason as text",
            "max_length": "The reason must be 10000 characters or fewer",
        },
    )
    lead_agency = record_id(
        "lead agency",
        Agency.objects.all(),
        required=False,
        allow_null=True,
        default=None,
        help_text="An allocation whose lead professional is not yet assigned: the new lead agency",
    )
    team = record_id("team", Team.objects.all(), required=False, allow_null=True, default=None)


class MeetingAttendanceMarkSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Enter each member's attendance as an object with a member and a status",
        "null": "Enter each member's attendance as an object with a member and a status",
    }

    member = id_number(
        "member",
        missing="Select the member",
        no_such="Select a standing member of this panel",
        help_text="A standing member's id (see the meeting's attendance)",
    )
    status = choice(
        Attendance.Status.choices,
        help_text="present, apologies or absent",
        error_messages={
            "required": "Select whether they were present",
            "null": "Select whether they were present",
            "invalid_choice": f"Select whether they were present: one of {', '.join(Attendance.Status.values)}",
        },
    )


class MeetingAttendanceRecordSerializer(serializers.Serializer):
    default_error_messages = OBJECT_MESSAGES

    attendance = serializers.ListField(
        child=MeetingAttendanceMarkSerializer(),
        allow_empty=False,
        max_length=200,
        error_messages={
            "required": "Enter who attended",
            "null": "Enter who attended",
            "not_a_list": "Enter the attendance as a list of members and statuses",
            "empty": "Enter who attended",
            "max_length": "Enter at most 200 members",
        },
    )

    def validate_attendance(self, marks: list[dict]) -> list[dict]:
        seen = set()
        for mark in marks:
            if mark["member"] in seen:
                raise serializers.ValidationError("Enter each member once")
            seen.add(mark["member"])
        return marks
