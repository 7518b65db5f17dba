"""The step down API: children's social care hands a family to early help (`POST /api/v1/step-downs/`)
and reads a step down back (`GET /api/v1/step-downs/<referral_id>/`). The same service as the front
door's page (`step_down.referral_from_step_down`) decides; callers hold a front door role (the
social care system's account is given the contact officer's role). Errors as the rest of the front
door API: 400 with field paths as sent (`children[0].date_of_birth`)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from cases.access import SIGNED_IN, RecordAPIView
from cases.models import LevelOfNeed, Person
from cases.roles import FRONT_DOOR_ROLES
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_parsers import JSONBodyParser

from .. import services
from ..permissions import VIEW_REFERRAL
from ..step_down import StepDownData, referral_from_step_down
from ..step_permissions import step_down_get_for_user  # noqa: F401 (registers the record kind)
from ..step_selectors import referral_handover
from .serializers import AdultInSerializer, ChildInSerializer, CodeField, StrictBoolean, people_list, text
from .views import service_errors, validated

STEP_DOWN_ONLY = "Only the front door's accounts (duty managers and contact officers) can record a step down."


class StepDownCreateSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Send the step down as a JSON object with children, summary, reason and so on",
        "null": "Send the step down as a JSON object",
    }

    social_worker = text("the name of the social care worker", max_length=200, required=True)
    social_care_team = text("the social care team", max_length=200, required=True)
    social_worker_email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        default=str,
        error_messages={"invalid": "Enter an email address in the correct format, like name@example.org"},
    )
    social_worker_phone = text("the social care worker's phone number", max_length=40)
    reason = text("why the family is stepping down to early help", required=True)
    summary = text("the handover summary", required=True)
    children = people_list(ChildInSerializer(), plural="children", required=True)
    adults = people_list(AdultInSerializer(), plural="adults", required=False)
    address_line_1 = text("the first line of the family's address", max_length=200, required=True)
    address_line_2 = text("the second line of the address", max_length=200)
    town = text("the town or city", max_length=100)
    postcode = text("the family's postcode", max_length=10, required=True)
    level_of_need = CodeField(noun="level of need", example="level-3", queryset=LevelOfNeed.objects.active())
    family_agreed = StrictBoolean(
        error_messages={
            "required": "Confirm that the family agreed to early help: true",
            "null": "Confirm that the family agreed to early help: true",
            "invalid": "Confirm that the family agreed to early help: true",
        },
        help_text="Early help is offered only with the family's agreement: must be true",
    )


class StepDownSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="referral_id")
    reference = serializers.CharField()
    received_at = serializers.DateTimeField(source="made_at")
    social_worker = serializers.CharField()
    social_care_team = serializers.CharField()
    reason = serializers.CharField()
    summary = serializers.CharField()
    duplicate_of = serializers.CharField(allow_blank=True, help_text="The reference of the step down this repeats")
    case_id = serializers.IntegerField(allow_null=True)
    case_reference = serializers.CharField(allow_blank=True)
    on_panel_waiting_list = serializers.BooleanField()


def _payload(referral) -> dict:
    handover = referral_handover(referral_id=referral.pk)
    case = referral.case
    return {
        "referral_id": referral.pk,
        "reference": referral.reference,
        "made_at": handover.made_at,
        "social_worker": handover.social_worker,
        "social_care_team": handover.social_care_team,
        "reason": handover.reason,
        "summary": handover.summary,
        "duplicate_of": handover.duplicate_of,
        "case_id": case.pk if case else None,
        "case_reference": case.reference if case else "",
        "on_panel_waiting_list": bool(case and case.panel_route),
    }


class StepDownCreate(RecordAPIView):
    access = (SIGNED_IN, ("roles", FRONT_DOOR_ROLES))
    roles_message = STEP_DOWN_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = StepDownCreateSerializer

    @extend_schema(
        summary="Hand a family from children's social care to early help",
        description=(
            "Received at once as a referral on the step down channel; the family's early help case awaits "
            "allocation on the Early Help Panel's waiting list (or goes to the locality's team, as the council "
            "configures). A repeat within 7 days (the same child) is linked to the first (`duplicate_of`)."
        ),
        request=StepDownCreateSerializer,
        responses={
            201: StepDownSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request):
        data = dict(validated(StepDownCreateSerializer(data=request.data)))
        children, adults = data.pop("children"), data.pop("adults")
        people = [
            services.PersonData(
                kind=Person.Kind.UNBORN
                if child["expected_date_of_birth"] and not child["date_of_birth"]
                else Person.Kind.CHILD,
                **child,
            )
            for child in children
        ] + [services.PersonData(kind=Person.Kind.ADULT, **adult) for adult in adults]
        names = [f"children[{i}]" for i in range(len(children))] + [f"adults[{i}]" for i in range(len(adults))]
        with service_errors(people=names):
            referral = referral_from_step_down(actor=request.user, data=StepDownData(people=people, **data))
        referral.refresh_from_db()
        return Response(StepDownSerializer(_payload(referral)).data, status=status.HTTP_201_CREATED)


class StepDownDetail(RecordAPIView):
    access = (SIGNED_IN, ("step_down", VIEW_REFERRAL))
    serializer_class = StepDownSerializer

    @extend_schema(
        summary="A step down: the handover summary and the case it went to",
        description="For the front door and whoever recorded it; 404 for anyone else. Every view is logged.",
        responses={
            200: StepDownSerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: OpenApiResponse(DETAIL, description="No such step down, or not one the caller may see"),
        },
    )
    def get(self, request, referral_id: int):
        referral = self.record()
        return Response(StepDownSerializer(_payload(referral)).data)
