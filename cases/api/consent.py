"""The consent API: a family's consent decisions, newest first, and recording one decision made in
the app (the date, how it was made and who witnessed it; a signed form is uploaded through the page).
The same service as the page (`cases.services.consent_record`) holds the rules."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser

from .. import services
from ..access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from ..models import Agency, Consent, FamilyMembership
from ..permissions import CHANGE_CASE, VIEW_CASE

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
# The API's names for the consent's fields (`consent_...`: a decision's own words, unlike the other
# records' `status` and `method`).
RENAME = {
    "scope": "consent_for",
    "status": "consent_decision",
    "method": "consent_method",
    "evidence": "consent_evidence",
}
PAGE = 100


class ConsentSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.IntegerField()
    person_name = serializers.CharField()
    consent_for = serializers.ChoiceField(choices=Consent.Scope.choices)
    agency = serializers.CharField(allow_null=True, help_text="The agency, for sharing")
    consent_decision = serializers.ChoiceField(choices=Consent.Status.choices)
    decided_on = serializers.DateField()
    consent_evidence = serializers.CharField(help_text="written (a signed form), verbal, electronic, or blank")
    consent_method = serializers.CharField(help_text="in_person, phone, video, writing, or blank")
    witness = serializers.CharField()
    has_signed_form = serializers.BooleanField(help_text="Downloadable from the case's consent page")
    capacity_judgement = serializers.CharField(help_text="Why a young person is able to decide for themselves")
    not_sought_reason = serializers.CharField()
    recorded_at = serializers.DateTimeField()

    @staticmethod
    def row(consent: Consent) -> dict:
        return {
            "id": consent.pk,
            "person": consent.person_id,
            "person_name": consent.person.full_name,
            "consent_for": consent.scope,
            "agency": consent.agency.name if consent.agency_id else None,
            "consent_decision": consent.status,
            "decided_on": consent.decided_on,
            "consent_evidence": consent.evidence,
            "consent_method": consent.method,
            "witness": consent.witness,
            "has_signed_form": bool(consent.evidence_file),
            "capacity_judgement": consent.capacity_judgement,
            "not_sought_reason": consent.not_sought_reason,
            "recorded_at": consent.recorded_at,
        }


class ConsentListSerializer(serializers.Serializer):
    consents = ConsentSerializer(many=True)


class ConsentCreateSerializer(serializers.Serializer):
    person = serializers.IntegerField(
        help_text="An adult with parental responsibility, or a young person of 11 or over"
    )
    consent_for = serializers.ChoiceField(choices=[Consent.Scope.ASSESSMENT, Consent.Scope.SHARING])
    agency = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="For sharing")
    consent_decision = serializers.ChoiceField(choices=Consent.Status.choices)
    decided_on = serializers.DateField()
    consent_method = serializers.ChoiceField(
        choices=Consent.Method.choices, required=False, allow_blank=True, default="", help_text="For consent given"
    )
    witness = serializers.CharField(required=False, allow_blank=True, default="", max_length=200)
    capacity_judgement = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    not_sought_reason = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


@extend_schema_view(
    get=extend_schema(
        summary="The family's consent decisions, newest first (the latest 100)",
        responses={200: ConsentListSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Record one person's consent decision made in the app (the date, how, and who witnessed it)",
        description=(
            "Consent given needs `consent_method` and `witness` (a signed form is uploaded on the case's consent "
            "page). A young person decides with `capacity_judgement`. `not_sought` is for the assessment only, "
            "by a team manager, with `not_sought_reason`."
        ),
        request=ConsentCreateSerializer,
        responses={
            201: ConsentSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseConsents(RecordAPIView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_CASE), CASE_DETAILS),
        "POST": (SIGNED_IN, ("case", CHANGE_CASE), CASE_DETAILS),
    }
    parser_classes = [JSONBodyParser]
    serializer_class = ConsentSerializer

    def case(self, *, log: bool = True):
        case = self.record(log=log)
        if not case.details_visible:
            raise NotFound("No case found")
        return case

    def get(self, request, case_id: int):
        case = self.case()
        consents = (
            Consent.objects.filter(family_id=case.family_id)
            .select_related("person", "agency")
            .order_by("-recorded_at", "-id")[:PAGE]
        )
        return Response(ConsentListSerializer({"consents": [ConsentSerializer.row(c) for c in consents]}).data)

    def post(self, request, case_id: int):
        case = self.case(log=False)
        data = validated(ConsentCreateSerializer(data=request.data))
        membership = (
            FamilyMembership.objects.filter(family_id=case.family_id, person_id=data["person"])
            .select_related("person")
            .first()
        )
        if membership is None:
            raise ValidationError({"person": ["There is no person with that id in this family"]})
        agency = None
        if data["agency"] is not None:
            agency = Agency.objects.filter(pk=data["agency"], active=True).first()
            if agency is None:
                raise ValidationError({"agency": ["There is no agency with that id"]})
        given = data["consent_decision"] == Consent.Status.GIVEN
        with service_errors(rename=RENAME):
            consent = services.consent_record(
                actor=request.user,
                family=case.family,
                case=case,
                person=membership.person,
                scope=data["consent_for"],
                status=data["consent_decision"],
                agency=agency,
                evidence=Consent.Evidence.VERBAL if given else "",
                decided_on=data["decided_on"],
                method=data["consent_method"],
                witness=data["witness"],
                capacity_judgement=data["capacity_judgement"],
                not_sought_reason=data["not_sought_reason"],
            )
        consent = Consent.objects.select_related("person", "agency").get(pk=consent.pk)
        return Response(ConsentSerializer(ConsentSerializer.row(consent)).data, status=status.HTTP_201_CREATED)
