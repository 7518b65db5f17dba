"""The Early Help Panel's API: panels, the waiting list, meetings with their agendas, and (coordinators)
agenda, attendance, decisions and amendments. The pages' access functions, selectors and services
decide who sees and does what; each view declares its access (cases/access.py) and the declaration
is the check. A family's name shows only where the family agreed to share with the caller's agency,
and each look at an agenda that showed one is in the access log (`agenda_log_views`)."""

from __future__ import annotations

import re
from types import SimpleNamespace

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from cases.access import SIGNED_IN, DeclaredAccess, RecordAPIView
from cases.roles import PRACTITIONER_ROLES, Role
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, NO_SUCH_PAGE, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser

from .. import selectors, services
from ..models import AgendaItem
from ..permissions import MANAGE_PANEL, VIEW_PANEL, agenda_log_views
from .serializers import (
    AgendaItemCreateSerializer,
    AgendaItemSerializer,
    MeetingAttendanceListSerializer,
    MeetingAttendanceRecordSerializer,
    MeetingSerializer,
    PanelDecisionAmendSerializer,
    PanelDecisionCreateSerializer,
    PanelDecisionSerializer,
    PanelDetailSerializer,
    PanelSerializer,
    WaitingCaseSerializer,
)

# --- Who may call ----------------------------------------------------------------------------------------

# Standing members are practitioners of their agencies; analysts and administrators see no panel.
MEMBERS = ("roles", PRACTITIONER_ROLES)
COORDINATORS = ("roles", frozenset({Role.PANEL_COORDINATOR}))
COORDINATORS_ONLY = "Only the panel's coordinators can do that."

NO_SUCH_PANEL = OpenApiResponse(DETAIL, description="No such panel, or not one the caller may see (the same answer)")
NO_SUCH_MEETING = OpenApiResponse(
    DETAIL, description="No such meeting, or not one of a panel the caller may see (the same answer)"
)
NO_SUCH_ITEM = OpenApiResponse(
    DETAIL, description="No such agenda item, or not on a meeting of a panel the caller coordinates (the same answer)"
)
NO_SUCH_DECISION = OpenApiResponse(
    DETAIL, description="No such decision, or not of a panel the caller coordinates (the same answer)"
)
WRITE_ANSWERS = {400: FIELD_ERRORS, 401: UNAUTHENTICATED, 403: FORBIDDEN, 415: UNSUPPORTED_MEDIA_TYPE}


# --- Panels ------------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="The panels the caller sits on or coordinates",
        responses={200: PanelSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_PAGE},
    )
)
class PanelList(generics.ListAPIView):
    """Active panels, by name, each with its schedule, its next meeting and whether the caller runs it."""

    permission_classes = [DeclaredAccess]
    access = (SIGNED_IN, MEMBERS)
    serializer_class = PanelSerializer

    def get_queryset(self):
        return selectors.panels_list(user=self.request.user)


class PanelDetail(RecordAPIView):
    access = (SIGNED_IN, MEMBERS, ("panel", VIEW_PANEL))
    serializer_class = PanelDetailSerializer

    @extend_schema(
        summary="A panel, its standing members and its upcoming meetings",
        responses={200: PanelDetailSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_PANEL},
    )
    def get(self, request, panel_id: int):
        panel = self.record()
        meetings = list(selectors.panel_meetings(panel=panel, upcoming=True).order_by("starts_at", "id"))
        for meeting in meetings:
            meeting.panel = panel
        now = timezone.now()
        following = next((meeting for meeting in meetings if meeting.starts_at >= now), None)
        panel.next_meeting_id = following.pk if following else None
        panel.next_meeting_at = following.starts_at if following else None
        panel.managed = MANAGE_PANEL in panel.perms
        context = {"members": list(selectors.panel_members(panel=panel)), "meetings": meetings}
        return Response(PanelDetailSerializer(panel, context=context).data)


@extend_schema_view(
    get=extend_schema(
        summary="The panel's waiting list (its coordinators)",
        description=(
            "Cases waiting for the panel, longest waiting first, with how each came, the 10-day clock, what "
            "partners were asked and answered, and the upcoming meeting whose agenda holds it. `family` is "
            "null unless the family agreed to share their details with the caller's agency."
        ),
        responses={
            200: WaitingCaseSerializer(many=True),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: OpenApiResponse(DETAIL, description="No such panel, one the caller does not coordinate, or page"),
        },
    )
)
class WaitingList(RecordAPIView, generics.ListAPIView):
    access = (SIGNED_IN, COORDINATORS, ("panel", MANAGE_PANEL))
    roles_message = COORDINATORS_ONLY
    serializer_class = WaitingCaseSerializer

    def get_queryset(self):
        return selectors.waiting_list(user=self.request.user, panel=self.record())


# --- Meetings --------------------------------------------------------------------------------------------


def _agenda(request, meeting) -> list[AgendaItem]:
    """The meeting's agenda as the caller may see it, each look at a family's details logged."""
    items = selectors.agenda(user=request.user, meeting=meeting)
    agenda_log_views(user=request.user, meeting=meeting, items=items, request=request)
    return items


class MeetingDetail(RecordAPIView):
    access = (SIGNED_IN, MEMBERS, ("meeting", VIEW_PANEL))
    serializer_class = MeetingSerializer

    @extend_schema(
        summary="A meeting: its agenda with decisions, attendance and actions",
        description=(
            "For the panel's standing members and coordinators. On the agenda, `family` is null unless the "
            "family agreed to share their details with the caller's agency; each family shown is logged."
        ),
        responses={200: MeetingSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_MEETING},
    )
    def get(self, request, meeting_id: int):
        meeting = self.record()
        context = {
            "managed": MANAGE_PANEL in meeting.perms,
            "items": _agenda(request, meeting),
            "attendance": _attendance_rows(meeting),
            "actions": list(selectors.meeting_actions(meeting=meeting)),
        }
        return Response(MeetingSerializer(meeting, context=context).data)


class AgendaItemCreate(RecordAPIView):
    access = {"POST": (SIGNED_IN, COORDINATORS, ("meeting", MANAGE_PANEL))}
    roles_message = COORDINATORS_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = AgendaItemCreateSerializer

    @extend_schema(
        summary="Put a waiting case on the meeting's agenda, last (coordinators)",
        description="A case is on one upcoming agenda at a time; adding it again to the same meeting answers its item.",
        request=AgendaItemCreateSerializer,
        responses={201: AgendaItemSerializer, **WRITE_ANSWERS, 404: NO_SUCH_MEETING},
    )
    def post(self, request, meeting_id: int):
        # The meeting first: someone who may not run it gets 404, whatever they sent.
        meeting = self.record(log=False)
        data = validated(AgendaItemCreateSerializer(data=request.data))
        case = selectors.waiting_cases(meeting.panel).filter(pk=data["case"]).first()
        if case is None:
            raise ValidationError({"case": ["Select a case waiting for this panel"]})
        with service_errors():
            item = services.agenda_add(actor=request.user, meeting=meeting, case=case)
        shown = selectors.agenda(user=request.user, meeting=meeting, item_id=item.pk)
        agenda_log_views(user=request.user, meeting=meeting, items=shown, request=request)
        return Response(AgendaItemSerializer(shown[0]).data, status=status.HTTP_201_CREATED)


def _attendance_rows(meeting) -> list[SimpleNamespace]:
    return [
        SimpleNamespace(member=member, attendance=attendance)
        for member, attendance in selectors.meeting_attendance(meeting=meeting)
    ]


MEMBER_KEY = re.compile(r"member_(\d+)")


class AttendanceRecord(RecordAPIView):
    access = {"POST": (SIGNED_IN, COORDINATORS, ("meeting", MANAGE_PANEL))}
    roles_message = COORDINATORS_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = MeetingAttendanceRecordSerializer

    @extend_schema(
        summary="Record who was present, sent apologies or was absent (coordinators)",
        description="Members left out keep what was recorded for them. Answers every standing member's attendance.",
        request=MeetingAttendanceRecordSerializer,
        responses={
            200: MeetingAttendanceListSerializer,
            **WRITE_ANSWERS,
            404: NO_SUCH_MEETING,
        },
    )
    def post(self, request, meeting_id: int):
        meeting = self.record(log=False)
        marks = validated(MeetingAttendanceRecordSerializer(data=request.data))["attendance"]
        index = {mark["member"]: position for position, mark in enumerate(marks)}
        try:
            services.attendance_record(
                actor=request.user, meeting=meeting, statuses={mark["member"]: mark["status"] for mark in marks}
            )
        except DjangoValidationError as error:
            raise _attendance_errors(error, index, meeting)
        return Response(MeetingAttendanceListSerializer({"attendance": _attendance_rows(meeting)}).data)


def _attendance_errors(error: DjangoValidationError, index: dict[int, int], meeting) -> ValidationError:
    """The service's refusal under the fields as sent: `attendance[0].member` for someone who is not a
    standing member, `attendance[0].status` for a status that does not fit."""
    if not hasattr(error, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    members = set(meeting.panel.members.values_list("pk", flat=True))
    errors: dict[str, list[str]] = {}
    for key, messages in error.message_dict.items():
        if (match := MEMBER_KEY.fullmatch(key)) and int(match[1]) in index:
            member_id = int(match[1])
            key = f"attendance[{index[member_id]}].{'status' if member_id in members else 'member'}"
        elif key == NON_FIELD_ERRORS:
            key = api_settings.NON_FIELD_ERRORS_KEY
        errors.setdefault(key, []).extend(messages)
    return ValidationError(errors)


# --- Decisions -------------------------------------------------------------------------------------------


class DecisionCreate(RecordAPIView):
    access = {"POST": (SIGNED_IN, COORDINATORS, ("agenda_item", MANAGE_PANEL))}
    roles_message = COORDINATORS_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = PanelDecisionCreateSerializer

    @extend_schema(
        summary="Record the panel's decision on an agenda item (coordinators, at the meeting)",
        description=(
            "`allocate` names the `lead_agency` (and optionally its `team`) with `threshold_confirmed`; "
            "`not_for_panel` says where the family goes (`not_for_panel_route`) and why, and closes the case; "
            "`defer` says what is needed before the next meeting, whose agenda the case joins; `step_up` sends "
            "the safeguarding concern to the front door and closes the case. One decision per item: a change "
            "is an amendment."
        ),
        request=PanelDecisionCreateSerializer,
        responses={201: PanelDecisionSerializer, **WRITE_ANSWERS, 404: NO_SUCH_ITEM},
    )
    def post(self, request, item_id: int):
        item = self.record(log=False)
        data = validated(PanelDecisionCreateSerializer(data=request.data))
        with service_errors():
            decision = services.decision_record(actor=request.user, item=item, **data)
        return Response(PanelDecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class AmendmentCreate(RecordAPIView):
    access = {"POST": (SIGNED_IN, COORDINATORS, ("panel_decision", MANAGE_PANEL))}
    roles_message = COORDINATORS_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = PanelDecisionAmendSerializer

    @extend_schema(
        summary="Amend a panel decision with a new one (coordinators)",
        description=(
            "The new decision `amends` the old, which stays on the record. The reason can always change; an "
            "allocation's lead agency and team while the case still waits for its lead professional. Only the "
            "latest decision can be amended."
        ),
        request=PanelDecisionAmendSerializer,
        responses={201: PanelDecisionSerializer, **WRITE_ANSWERS, 404: NO_SUCH_DECISION},
    )
    def post(self, request, panel_decision_id: int):
        decision = self.record(log=False)
        data = validated(PanelDecisionAmendSerializer(data=request.data))
        if data["team"] is not None and data["lead_agency"] is None:
            raise ValidationError({"lead_agency": ["Select the lead agency the team belongs to"]})
        with service_errors():
            amended = services.decision_amend(actor=request.user, decision=decision, **data)
        return Response(PanelDecisionSerializer(amended).data, status=status.HTTP_201_CREATED)
