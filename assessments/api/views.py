"""The outcome readings API: a case's readings, and recording one. The pages' access function
(`case_get_for_user`), selectors and service decide who sees and does what; each view declares its
access (cases/access.py) and the declaration is the check. Readings show only to those who see the
family's details (`permissions.may_see_readings`), like the case page's section."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from cases.models import Person
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser

from .. import selectors, services
from ..permissions import RECORD_READING, VIEW_READINGS, may_see_readings
from .serializers import ReadingCreateSerializer, ReadingSerializer

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
NO_SUCH_CASE_TO_RECORD = OpenApiResponse(
    DETAIL,
    description="No such case, or not one the caller leads or manages with the family's details (the same answer)",
)


@extend_schema_view(
    get=extend_schema(
        summary="The case's outcome tool readings, oldest first",
        responses={200: ReadingSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Record an outcome tool reading (the case's lead professional or team manager, active cases)",
        description=(
            "`scores` gives every area of the tool a score in its scale, by the area's code. A tool about one "
            "child or young person needs `person`, a child of the case's family. Errors name the field as sent, "
            "a score's as `scores.<area code>`."
        ),
        request=ReadingCreateSerializer,
        responses={
            201: ReadingSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_RECORD,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseReadings(RecordAPIView, generics.ListAPIView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_READINGS), CASE_DETAILS),
        "POST": (SIGNED_IN, ("case", RECORD_READING), CASE_DETAILS),
    }
    parser_classes = [JSONBodyParser]
    serializer_class = ReadingSerializer

    def case(self, *, log: bool = True):
        case = self.record(log=log)
        if not may_see_readings(case):
            raise NotFound("No case found")
        return case

    def get_queryset(self):
        return selectors.case_readings(case=self.case())

    def post(self, request, case_id: int):
        # The case first: someone who may not record on it gets 404, whatever they sent.
        case = self.case(log=False)
        data = validated(ReadingCreateSerializer(data=request.data))
        tool = data["tool"]
        areas = {area.code: area for area in tool.areas.all()}
        unknown = sorted(set(data["scores"]) - set(areas))
        if unknown:
            codes = ", ".join(areas)
            raise ValidationError({"scores": [f"{tool.name} has no area “{unknown[0][:60]}”: use {codes}"]})
        person = None
        if data["person"] is not None:
            person = Person.objects.filter(pk=data["person"]).first()
            if person is None:
                raise ValidationError({"person": ["There is no person with that id in this family"]})
        rename = {services.area_field(area.pk): f"scores.{code}" for code, area in areas.items()}
        with service_errors(rename=rename):
            reading = services.reading_record(
                actor=request.user,
                case=case,
                tool=tool,
                person=person,
                taken_on=data["taken_on"],
                scores={areas[code].pk: value for code, value in data["scores"].items()},
                note=data["note"],
            )
        reading = selectors.case_readings(case=case).get(pk=reading.pk)
        return Response(ReadingSerializer(reading).data, status=status.HTTP_201_CREATED)
