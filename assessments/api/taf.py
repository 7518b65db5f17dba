"""The TAF meetings and reviews API: a case's meetings (and planning one), a case's reviews (and
recording one). The pages' access functions decide (`taf_permissions`): meetings and reviews for
those who see the family's details; a member of the team who does not sees only the next meeting
they are invited to, its time and place (the rest null). Every write goes through the services;
their refusals are 400s naming the fields as sent."""

from __future__ import annotations

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field, extend_schema_view
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from cases.models import Person, User
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser
from front_door.api.serializers import text

from .. import reviews, taf, taf_selectors
from ..models import ActionStatus, Plan, Reading, ReviewDecision, ReviewProgress, TafAttendee, TafMeeting
from ..taf_permissions import MANAGE_TAF, VIEW_TAF, invited_meeting, may_see_meetings, may_see_reviews

NO_SUCH_CASE = OpenApiResponse(DETAIL, description="No such case, or not one the caller may see (the same answer)")
NO_SUCH_CASE_TO_MANAGE = OpenApiResponse(
    DETAIL,
    description="No such case, or not one the caller leads or manages with the family's details (the same answer)",
)


# --- Shapes ------------------------------------------------------------------------------------------


class TafAttendeeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=["member", "family", "other"])
    user = serializers.IntegerField(allow_null=True, help_text="A member of the team: their user id")
    person = serializers.IntegerField(allow_null=True, help_text="A family member: their person id")
    name = serializers.CharField()
    attendance = serializers.CharField()


class TafMeetingSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    place = serializers.CharField()
    status = serializers.CharField()
    minutes = serializers.CharField(allow_null=True, help_text="Null for a viewer who does not see the family")
    decisions = serializers.CharField(allow_null=True)
    plan_changes = serializers.CharField(allow_null=True)
    cancelled_reason = serializers.CharField(allow_null=True)
    attendees = TafAttendeeSerializer(many=True, allow_null=True)


def meeting_data(meeting: TafMeeting, *, full: bool = True) -> dict:
    if not full:
        return {
            "id": meeting.pk,
            "starts_at": meeting.starts_at,
            "place": meeting.place,
            "status": meeting.status,
            **dict.fromkeys(("minutes", "decisions", "plan_changes", "cancelled_reason", "attendees")),
        }
    return {
        "id": meeting.pk,
        "starts_at": meeting.starts_at,
        "place": meeting.place,
        "status": meeting.status,
        "minutes": meeting.minutes,
        "decisions": meeting.decisions,
        "plan_changes": meeting.plan_changes,
        "cancelled_reason": meeting.cancelled_reason,
        "attendees": [
            {
                "id": a.pk,
                "kind": "member" if a.user_id else "family" if a.person_id else "other",
                "user": a.user_id,
                "person": a.person_id,
                "name": taf.attendee_name(a),
                "attendance": a.attendance,
            }
            for a in meeting.attendees.all()
        ],
    }


class TafMeetingCreateSerializer(serializers.Serializer):
    starts_at = serializers.DateTimeField(
        error_messages={
            "required": "Enter the date and time of the meeting",
            "null": "Enter the date and time of the meeting",
            "invalid": "Enter the date and time of the meeting like 2027-01-14T10:00:00Z",
        }
    )
    place = text("where the meeting is", max_length=200, required=True)
    members = serializers.ListField(
        child=serializers.IntegerField(error_messages={"invalid": "Enter each member as a user id"}),
        required=False,
        default=list,
        help_text="Members of the team around the family invited: user ids",
    )
    people = serializers.ListField(
        child=serializers.IntegerField(error_messages={"invalid": "Enter each family member as a person id"}),
        required=False,
        default=list,
        help_text="Members of the family invited: person ids",
    )
    others = serializers.ListField(
        child=serializers.CharField(max_length=200),
        required=False,
        default=list,
        help_text="Anyone else invited, by name and role",
    )


class ReviewProgressSerializer(serializers.Serializer):
    action = serializers.IntegerField()
    what = serializers.CharField(source="action.what")
    status = serializers.CharField()
    note = serializers.CharField()


class ReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    held_on = serializers.DateField()
    summary = serializers.CharField()
    family_view = serializers.CharField()
    decision = serializers.CharField()
    decision_note = serializers.CharField()
    reading = serializers.IntegerField(source="reading_id", allow_null=True)
    plan_version = serializers.IntegerField(source="plan_version_id", allow_null=True)
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")
    recorded_at = serializers.DateTimeField()
    progress = serializers.SerializerMethodField(help_text="The review's word on each open action of the plan")

    @extend_schema_field(ReviewProgressSerializer(many=True))
    def get_progress(self, review) -> list[dict]:
        return [
            {"action": row.action_id, "what": row.action.what, "status": row.status, "note": row.note}
            for row in review.progress.all()
        ]


class ReviewProgressInSerializer(serializers.Serializer):
    action = serializers.IntegerField(error_messages={"required": "Enter the action's id"})
    status = serializers.ChoiceField(
        choices=ActionStatus.values,
        error_messages={"invalid_choice": f"Select the status as one of {', '.join(ActionStatus.values)}"},
    )
    note = serializers.CharField(allow_blank=True, default="")


class ReviewCreateSerializer(serializers.Serializer):
    held_on = serializers.DateField(
        error_messages={
            "required": "Enter the date the review was held",
            "null": "Enter the date the review was held",
            "invalid": "Enter the date the review was held as a real date in the format 2026-11-30",
        }
    )
    progress = ReviewProgressInSerializer(many=True, required=False, default=list, help_text="One for each open action")
    reading = serializers.IntegerField(
        allow_null=True,
        required=False,
        default=None,
        help_text="The id of the case's outcome tool reading taken for the review (within 14 days of it)",
    )
    family_view = text("the family's view", required=True)
    summary = text("a summary of progress", required=True)
    decision = serializers.ChoiceField(
        choices=ReviewDecision.values,
        error_messages={
            "required": "Select the decision of the review",
            "invalid_choice": f"Select the decision as one of {', '.join(ReviewDecision.values)}",
        },
    )
    decision_note = text("about the decision")
    panel_route = serializers.CharField(required=False, allow_blank=True, default="")


# --- Views -------------------------------------------------------------------------------------------


@extend_schema_view(
    get=extend_schema(
        summary="The case's TAF meetings, the latest first",
        description=(
            "For a member of the team around the family whose agency the family has not agreed to share with: only "
            "the next meeting they are invited to, with its time and place (minutes, decisions and attendees null)."
        ),
        responses={200: TafMeetingSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Plan the case's next TAF meeting and invite people (its lead professional or team manager)",
        request=TafMeetingCreateSerializer,
        responses={
            201: TafMeetingSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_MANAGE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseTafMeetings(RecordAPIView, generics.ListAPIView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_TAF)),
        "POST": (SIGNED_IN, ("case", MANAGE_TAF), CASE_DETAILS),
    }
    parser_classes = [JSONBodyParser]
    serializer_class = TafMeetingSerializer

    def list(self, request, *args, **kwargs):
        case = self.record()
        if not may_see_meetings(case):
            meeting = invited_meeting(user=request.user, case=case)
            rows = [meeting_data(meeting, full=False)] if meeting else []
            page = self.paginate_queryset(rows)
            return self.get_paginated_response(TafMeetingSerializer(page, many=True).data)
        meetings = taf_selectors.case_meetings(case=case).prefetch_related(
            Prefetch("attendees", queryset=TafAttendee.objects.select_related("user", "person"))
        )
        page = self.paginate_queryset(meetings)
        return self.get_paginated_response(TafMeetingSerializer([meeting_data(m) for m in page], many=True).data)

    def post(self, request, case_id: int):
        case = self.record(log=False)
        if not case.details_visible:
            raise NotFound("No case found")
        data = validated(TafMeetingCreateSerializer(data=request.data))
        members = list(User.objects.filter(pk__in=data["members"]))
        people = list(Person.objects.filter(pk__in=data["people"]))
        if len(members) != len(set(data["members"])):
            raise ValidationError({"members": ["Choose members of the team around the family"]})
        if len(people) != len(set(data["people"])):
            raise ValidationError({"people": ["Choose members of the family"]})
        with service_errors():
            meeting = taf.taf_meeting_plan(
                actor=request.user,
                case=case,
                starts_at=data["starts_at"],
                place=data["place"],
                members=members,
                people=people,
                others=data["others"],
            )
        meeting = TafMeeting.objects.prefetch_related("attendees__user", "attendees__person").get(pk=meeting.pk)
        return Response(TafMeetingSerializer(meeting_data(meeting)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="The case's reviews, the latest first, each with its progress on the plan's actions",
        responses={200: ReviewSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Record the case's next review (its lead professional or team manager, active cases)",
        description=(
            "`progress` gives every open action of the plan a status and a note. Errors name the field as sent, an "
            "action's as `progress.<action id>` and `progress.<action id>.note`. The decision's next step (amend the "
            "plan, step up, request closure) is the caller's to take; back to the panel happens here."
        ),
        request=ReviewCreateSerializer,
        responses={
            201: ReviewSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_MANAGE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseReviews(RecordAPIView, generics.ListAPIView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_TAF), CASE_DETAILS),
        "POST": (SIGNED_IN, ("case", MANAGE_TAF), CASE_DETAILS),
    }
    parser_classes = [JSONBodyParser]
    serializer_class = ReviewSerializer

    def case(self, *, log: bool = True):
        case = self.record(log=log)
        if not may_see_reviews(case):
            raise NotFound("No case found")
        return case

    def get_queryset(self):
        return taf_selectors.case_reviews(case=self.case()).prefetch_related(
            Prefetch("progress", queryset=ReviewProgress.objects.select_related("action").order_by("id"))
        )

    def post(self, request, case_id: int):
        case = self.case(log=False)
        data = validated(ReviewCreateSerializer(data=request.data))
        reading = None
        if data["reading"] is not None:
            reading = Reading.objects.filter(pk=data["reading"], case=case).first()
            if reading is None:
                raise ValidationError({"reading": ["There is no reading with that id for this family"]})
        progress = {row["action"]: (row["status"], row["note"]) for row in data["progress"]}
        plan = Plan.objects.filter(case=case).first()
        rename = {}
        open_ids = list(reviews.open_actions(plan=plan).values_list("pk", flat=True)) if plan else []
        for action_id in {*progress, *open_ids}:
            rename[reviews.progress_field(action_id)] = f"progress.{action_id}"
            rename[reviews.progress_note_field(action_id)] = f"progress.{action_id}.note"
        with service_errors(rename=rename):
            review = reviews.review_record(
                actor=request.user,
                case=case,
                held_on=data["held_on"],
                progress=progress,
                reading=reading,
                family_view=data["family_view"],
                summary=data["summary"],
                decision=data["decision"],
                decision_note=data["decision_note"],
                panel_route=data["panel_route"],
            )
        review = self.get_queryset().get(pk=review.pk)
        return Response(ReviewSerializer(review).data, status=status.HTTP_201_CREATED)
