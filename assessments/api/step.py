"""The API of a case's handovers with children's social care and its family group conferences, with
the pages' access functions (`step_permissions`, `fgc_permissions`) and services:

- `GET /api/v1/cases/<id>/handovers/`: the case's step ups (with the front door's latest decision)
  and step downs (with the handover summary), newest first;
- `POST /api/v1/cases/<id>/step-ups/`: step the case up to the front door (`reason`);
- `GET/POST /api/v1/cases/<id>/family-group-conferences/`: the conferences; offer one (`offered_on`);
- `POST .../family-group-conferences/<fgc_id>/answer/` (`response`, `responded_on`) and
  `POST .../family-group-conferences/<fgc_id>/held/` (`held_on`, `attended`, `family_plan`).

Reading needs the case and its family's details; writing, MANAGE_CASE and the details (404 for
anyone else, whatever they sent). A 400 names the fields as sent."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser
from front_door.api.serializers import date, text
from front_door.step_up import referral_from_step_up

from .. import fgc
from ..fgc_permissions import RECORD_FGC, VIEW_FGC, case_conferences, may_see_fgc
from ..models import ConferenceResponse, FamilyGroupConference
from ..step_permissions import STEP_UP, VIEW_HANDOVERS, may_see_handovers
from ..step_selectors import case_handover_rows

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
NO_SUCH_CASE_TO_CHANGE = OpenApiResponse(
    DETAIL,
    description="No such case (or conference), or not one the caller leads or manages with the family's details",
)
WRITE_RESPONSES = {
    400: FIELD_ERRORS,
    401: UNAUTHENTICATED,
    403: FORBIDDEN,
    404: NO_SUCH_CASE_TO_CHANGE,
    415: UNSUPPORTED_MEDIA_TYPE,
}


# --- Shapes -------------------------------------------------------------------------------------


class HandoverSerializer(serializers.Serializer):
    referral_id = serializers.IntegerField()
    reference = serializers.CharField()
    direction = serializers.CharField(help_text="step_up or step_down")
    made_at = serializers.DateTimeField()
    made_by = serializers.CharField(allow_blank=True)
    reason = serializers.CharField()
    summary = serializers.CharField(allow_blank=True, help_text="A step down's handover summary")
    social_worker = serializers.CharField(allow_blank=True)
    social_care_team = serializers.CharField(allow_blank=True)
    waiting = serializers.BooleanField(help_text="A step up still waiting for the front door's decision")
    duplicate_of = serializers.CharField(allow_blank=True)
    decision_outcome = serializers.CharField(allow_blank=True, help_text="The front door's latest decision")
    decision_outcome_label = serializers.CharField(allow_blank=True)
    decision_destination = serializers.CharField(allow_blank=True)
    decision_reason = serializers.CharField(allow_blank=True)
    decided_at = serializers.DateTimeField(allow_null=True)
    decided_by = serializers.CharField(allow_blank=True)


class StepUpCreateSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "Send a JSON object with the reason", "null": "Send a JSON object"}

    reason = text("why the family needs children's social care", required=True)


class StepUpCreatedSerializer(serializers.Serializer):
    referral_id = serializers.IntegerField()
    reference = serializers.CharField()


class ConferenceSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")

    class Meta:
        model = FamilyGroupConference
        fields = ["id", "offered_on", "response", "responded_on", "held_on", "attended", "family_plan", "recorded_by"]


class OfferSerializer(serializers.Serializer):
    default_error_messages = {"invalid": "Send a JSON object with offered_on", "null": "Send a JSON object"}

    offered_on = date("the date it was offered")


class AnswerSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Send a JSON object with response and responded_on",
        "null": "Send a JSON object",
    }

    response = serializers.ChoiceField(
        choices=[ConferenceResponse.ACCEPTED.value, ConferenceResponse.DECLINED.value],
        error_messages={
            "required": "Select whether the family accepted or declined: accepted or declined",
            "null": "Select whether the family accepted or declined: accepted or declined",
            "invalid_choice": "Select whether the family accepted or declined: accepted or declined",
        },
    )
    responded_on = date("the date of their answer")


class HeldSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Send a JSON object with held_on, attended and family_plan",
        "null": "Send a JSON object",
    }

    held_on = date("the date it was held")
    attended = text("who attended", max_length=5_000)
    family_plan = text("the family's plan from the conference", max_length=20_000)


# --- Views --------------------------------------------------------------------------------------


class _CaseView(RecordAPIView):
    def case(self, *, log: bool = True):
        case = self.record(log=log)
        if not case.details_visible:
            raise NotFound("No case found")
        return case


@extend_schema_view(
    get=extend_schema(
        summary="The case's step ups and step downs, newest first",
        responses={200: HandoverSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    )
)
class CaseHandovers(_CaseView):
    access = (SIGNED_IN, ("case", VIEW_HANDOVERS), CASE_DETAILS)
    serializer_class = HandoverSerializer
    pagination_class = None

    def get(self, request, case_id: int):
        case = self.case()
        if not may_see_handovers(case):
            raise NotFound("No case found")
        return Response(HandoverSerializer(case_handover_rows(case), many=True).data)


class CaseStepUp(_CaseView):
    access = (SIGNED_IN, ("case", STEP_UP), CASE_DETAILS)
    parser_classes = [JSONBodyParser]
    serializer_class = StepUpCreateSerializer

    @extend_schema(
        summary="Step the case up to the front door (harm suspected): the lead professional or team manager",
        description=(
            "Makes an urgent referral on the front door's step up channel with the case linked and tells the duty "
            "managers at once. A step up still waiting for the front door's decision is returned (200) rather than "
            "made again."
        ),
        request=StepUpCreateSerializer,
        responses={201: StepUpCreatedSerializer, 200: StepUpCreatedSerializer, **WRITE_RESPONSES},
    )
    def post(self, request, case_id: int):
        case = self.case(log=False)
        data = validated(StepUpCreateSerializer(data=request.data))
        before = {row.referral_id for row in case_handover_rows(case)}
        with service_errors():
            try:
                referral = referral_from_step_up(actor=request.user, case=case, reason=data["reason"])
            except DjangoPermissionDenied as error:
                raise PermissionDenied(error.args[0] if error.args else None) from error
        made = referral.pk not in before
        return Response(
            StepUpCreatedSerializer({"referral_id": referral.pk, "reference": referral.reference}).data,
            status=status.HTTP_201_CREATED if made else status.HTTP_200_OK,
        )


@extend_schema_view(
    get=extend_schema(
        summary="The case's family group conferences, the latest offer first",
        responses={200: ConferenceSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Offer the family a family group conference (the lead professional or team manager, active cases)",
        request=OfferSerializer,
        responses={201: ConferenceSerializer, **WRITE_RESPONSES},
    ),
)
class CaseConferences(_CaseView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_FGC), CASE_DETAILS),
        "POST": (SIGNED_IN, ("case", RECORD_FGC), CASE_DETAILS),
    }
    parser_classes = [JSONBodyParser]
    serializer_class = ConferenceSerializer
    pagination_class = None

    def get(self, request, case_id: int):
        case = self.case()
        if not may_see_fgc(case):
            raise NotFound("No case found")
        return Response(ConferenceSerializer(case_conferences(case), many=True).data)

    def post(self, request, case_id: int):
        case = self.case(log=False)
        data = validated(OfferSerializer(data=request.data))
        with service_errors():
            try:
                conference = fgc.fgc_offer(actor=request.user, case=case, offered_on=data["offered_on"])
            except DjangoPermissionDenied as error:
                raise PermissionDenied(error.args[0] if error.args else None) from error
        conference.recorded_by = request.user
        return Response(ConferenceSerializer(conference).data, status=status.HTTP_201_CREATED)


class _ConferenceWrite(RecordAPIView):
    access = (SIGNED_IN, ("fgc", RECORD_FGC))
    parser_classes = [JSONBodyParser]

    def conference(self, fgc_id: int):
        _case, conference = self.record(log=False)
        return conference

    def answer(self, conference) -> Response:
        conference = FamilyGroupConference.objects.select_related("recorded_by").get(pk=conference.pk)
        return Response(ConferenceSerializer(conference).data)


class ConferenceAnswer(_ConferenceWrite):
    serializer_class = AnswerSerializer

    @extend_schema(
        summary="Record the family's answer to a family group conference offer",
        request=AnswerSerializer,
        responses={200: ConferenceSerializer, **WRITE_RESPONSES},
    )
    def post(self, request, case_id: int, fgc_id: int):
        conference = self.conference(fgc_id)
        data = validated(AnswerSerializer(data=request.data))
        with service_errors():
            try:
                conference = fgc.fgc_respond(
                    actor=request.user,
                    conference=conference,
                    response=data["response"],
                    responded_on=data["responded_on"],
                )
            except DjangoPermissionDenied as error:
                raise PermissionDenied(error.args[0] if error.args else None) from error
        return self.answer(conference)


class ConferenceHeld(_ConferenceWrite):
    serializer_class = HeldSerializer

    @extend_schema(
        summary="Record a family group conference held: the date, who attended, the family's plan",
        request=HeldSerializer,
        responses={200: ConferenceSerializer, **WRITE_RESPONSES},
    )
    def post(self, request, case_id: int, fgc_id: int):
        conference = self.conference(fgc_id)
        data = validated(HeldSerializer(data=request.data))
        with service_errors():
            try:
                conference = fgc.fgc_record_held(
                    actor=request.user,
                    conference=conference,
                    held_on=data["held_on"],
                    attended=data["attended"],
                    family_plan=data["family_plan"],
                )
            except DjangoPermissionDenied as error:
                raise PermissionDenied(error.args[0] if error.args else None) from error
        return self.answer(conference)


urlpatterns = [
    path("cases/<int:case_id>/handovers/", CaseHandovers.as_view(), name="api-case-handovers"),
    path("cases/<int:case_id>/step-ups/", CaseStepUp.as_view(), name="api-case-step-up"),
    path("cases/<int:case_id>/family-group-conferences/", CaseConferences.as_view(), name="api-case-fgc-list"),
    path(
        "cases/<int:case_id>/family-group-conferences/<int:fgc_id>/answer/",
        ConferenceAnswer.as_view(),
        name="api-case-fgc-answer",
    ),
    path(
        "cases/<int:case_id>/family-group-conferences/<int:fgc_id>/held/",
        ConferenceHeld.as_view(),
        name="api-case-fgc-held",
    ),
]
