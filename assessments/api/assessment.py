"""The Early Help Assessment API: a case's assessment (the latest version and the list of versions),
one version, saving a section of the latest version, submitting it, and the team manager's approval
or return. The pages' access functions decide (`assessment_permissions`), each view declares its
access (cases/access.py), every write is a service of `assessment_services`, and a section's
answers are checked by the page's own form for that section (`assessment_forms`)."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from cases.roles import Role
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import NON_FIELD, service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser
from front_door.api.serializers import text

from .. import assessment_selectors as selectors
from .. import assessment_services as services
from ..assessment_forms import APPROVE, RETURN, section_form
from ..assessment_permissions import (
    DECIDE_ASSESSMENT,
    VIEW_ASSESSMENT,
    WRITE_ASSESSMENT,
    may_decide_assessment,
    may_see_assessment,
)
from ..models import Assessment, AssessmentDecision, AssessmentSection, AssessmentStatus, SectionKind, SectionStatus
from .serializers import NeedDescriptorSerializer

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
NO_SUCH_VERSION = OpenApiResponse(
    DETAIL, description="No such case or version, or not one whose family's details the caller may see"
)
NO_SUCH_CASE_TO_WRITE = OpenApiResponse(
    DETAIL,
    description="No such case or section, or not one the caller leads or manages with the family's details",
)
LOCKED = OpenApiResponse(DETAIL, description="The assessment cannot be changed now (submitted, approved, or none)")


# --- Shapes -----------------------------------------------------------------------------------------


class AssessmentSectionSerializer(serializers.ModelSerializer):
    title = serializers.SerializerMethodField()
    person = serializers.IntegerField(source="person_id", allow_null=True, help_text="For a per-person section")
    answers = serializers.DictField(help_text="The section's answers, by question (see the section's page)")
    updated_by = serializers.CharField(source="updated_by.get_full_name", allow_null=True, default=None)
    # Plain text with the values named (an enum here would collide with other apps' "status").
    kind = serializers.CharField(help_text="One of: " + ", ".join(SectionKind.values))
    status = serializers.CharField(help_text="One of: " + ", ".join(SectionStatus.values))

    class Meta:
        model = AssessmentSection
        fields = ["id", "kind", "person", "title", "status", "answers", "updated_at", "updated_by"]

    def get_title(self, section: AssessmentSection) -> str:
        return services.section_title(section)


class AssessmentNeedSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="need.id")
    person = serializers.IntegerField(source="need.person_id", allow_null=True, help_text="None: the whole family")
    area = serializers.CharField(source="need.area.code", help_text="The outcome area's code")
    area_name = serializers.CharField(source="need.area.name")
    framework = serializers.CharField(
        source="need.area.framework",
        read_only=True,
        help_text="The outcomes framework version the area belongs to, as 'Supporting Families 2022'",
    )
    descriptor = NeedDescriptorSerializer(
        source="need.descriptor", read_only=True, allow_null=True, help_text="None: no descriptor was chosen"
    )
    description = serializers.CharField(source="need.description")
    status = serializers.CharField(source="need.status")


class AssessmentVersionSerializer(serializers.ModelSerializer):
    started_by = serializers.CharField(source="started_by.get_full_name")
    submitted_by = serializers.CharField(source="submitted_by.get_full_name", allow_null=True, default=None)
    decided_by = serializers.CharField(source="decided_by.get_full_name", allow_null=True, default=None)
    status = serializers.CharField(help_text="One of: " + ", ".join(AssessmentStatus.values))
    outcome = serializers.CharField(
        help_text="The decision, copied when submitted: empty, or one of " + ", ".join(AssessmentDecision.values)
    )

    class Meta:
        model = Assessment
        fields = [
            *("id", "version", "status", "started_at", "started_by", "submitted_at", "submitted_by"),
            *("decided_at", "decided_by", "decision_note", "outcome"),
        ]


class AssessmentSerializer(AssessmentVersionSerializer):
    sections = serializers.SerializerMethodField()
    needs = serializers.SerializerMethodField()

    class Meta(AssessmentVersionSerializer.Meta):
        fields = [*AssessmentVersionSerializer.Meta.fields, "sections", "needs"]

    @extend_schema_field(AssessmentSectionSerializer(many=True))
    def get_sections(self, assessment: Assessment) -> list[dict]:
        return AssessmentSectionSerializer(selectors.ordered_sections(assessment), many=True).data

    @extend_schema_field(AssessmentNeedSerializer(many=True))
    def get_needs(self, assessment: Assessment) -> list[dict]:
        return AssessmentNeedSerializer(selectors.assessment_needs(assessment), many=True).data


class CaseAssessmentSerializer(serializers.Serializer):
    latest = AssessmentSerializer(allow_null=True, help_text="The latest version, or none before it is started")
    versions = AssessmentVersionSerializer(many=True, help_text="Every version, newest first")


class AssessmentSectionSaveSerializer(serializers.Serializer):
    answers = serializers.DictField(
        help_text="The section's answers by question, as its page asks them (a worry rating as a number)",
        error_messages={"not_a_dict": "Enter the answers as an object of questions and answers"},
    )
    completed = serializers.BooleanField(
        help_text="Whether the section is completed (its required answers given) or still in progress",
        error_messages={
            "required": "Say whether the section is completed",
            "invalid": "Say whether the section is completed as true or false",
        },
    )


class AssessmentDecideSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[APPROVE, RETURN],
        error_messages={
            "required": "Select whether you approve the assessment",
            "invalid_choice": "Select whether you approve the assessment: approve or return",
        },
    )
    note = text("comments", max_length=5000)


def _error_key(name: str) -> str:
    """A section form's field as the API names it: `answers.<question>`, `completed`, or no field."""
    if name == NON_FIELD_ERRORS:
        return NON_FIELD
    return name if name == "completed" else f"answers.{name}"


# --- Views ------------------------------------------------------------------------------------------


class _AssessmentView(RecordAPIView):
    parser_classes = [JSONBodyParser]

    def case(self, *, log: bool = True):
        case = self.record(log=log)
        if not may_see_assessment(case):
            raise NotFound("No case found")
        return case

    def latest_writable(self, case) -> Assessment:
        assessment = selectors.assessment_full(case=case)
        if assessment is None:
            raise ValidationError({NON_FIELD: ["Start the assessment first"]})
        if assessment.status not in services.WRITABLE:
            raise ValidationError({NON_FIELD: [services.LOCKED]})
        return assessment

    def full(self, case, version: int | None = None) -> dict:
        return AssessmentSerializer(selectors.assessment_full(case=case, version=version)).data


class CaseAssessment(_AssessmentView):
    access = {"GET": (SIGNED_IN, ("case", VIEW_ASSESSMENT), CASE_DETAILS)}

    @extend_schema(
        summary="The case's early help assessment: its latest version in full, and every version",
        responses={200: CaseAssessmentSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    )
    def get(self, request, case_id: int):
        case = self.case()
        latest = selectors.assessment_full(case=case)
        return Response(
            {
                "latest": AssessmentSerializer(latest).data if latest else None,
                "versions": AssessmentVersionSerializer(selectors.case_assessments(case=case), many=True).data,
            }
        )


class CaseAssessmentVersion(_AssessmentView):
    access = {"GET": (SIGNED_IN, ("case", VIEW_ASSESSMENT), CASE_DETAILS)}

    @extend_schema(
        summary="One version of the case's early help assessment, in full",
        responses={200: AssessmentSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_VERSION},
    )
    def get(self, request, case_id: int, version: int):
        case = self.case()
        assessment = selectors.assessment_full(case=case, version=version)
        if assessment is None:
            raise NotFound("No such version")
        return Response(AssessmentSerializer(assessment).data)


class CaseAssessmentSection(_AssessmentView):
    access = {"POST": (SIGNED_IN, ("case", WRITE_ASSESSMENT), CASE_DETAILS)}

    @extend_schema(
        summary="Save a section of the latest version (the lead professional or team manager, active cases)",
        description=(
            "`answers` are the section's questions as its page asks them; with `completed` true its required "
            "answers must be given. Errors name each question as `answers.<question>`."
        ),
        request=AssessmentSectionSaveSerializer,
        responses={
            200: AssessmentSectionSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_WRITE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, case_id: int, section_id: int):
        case = self.case(log=False)
        data = validated(AssessmentSectionSaveSerializer(data=request.data))
        assessment = self.latest_writable(case)
        section = selectors.section_of(assessment=assessment, section_id=section_id)
        if section is None:
            raise NotFound("No such section")
        form_data = {
            name: ("" if value is None else str(value) if not isinstance(value, str) else value)
            for name, value in data["answers"].items()
        }
        form_data["completed"] = "yes" if data["completed"] else "no"
        form = section_form(section, form_data)
        unknown = sorted(set(data["answers"]) - set(form.fields) - {"completed"})
        if unknown:
            raise ValidationError({"answers": [f"This section has no question “{unknown[0][:60]}”"]})
        if not form.is_valid():
            raise ValidationError({_error_key(name): list(errors) for name, errors in form.errors.items()})
        with service_errors(rename={name: f"answers.{name}" for name in form.fields if name != "completed"}):
            saved = services.assessment_section_save(
                actor=request.user, section=section, answers=form.answers(), completed=form.completed
            )
        saved = selectors.section_of(assessment=assessment, section_id=saved.pk)
        return Response(AssessmentSectionSerializer(saved).data)


class CaseAssessmentSubmit(_AssessmentView):
    access = {"POST": (SIGNED_IN, ("case", WRITE_ASSESSMENT), CASE_DETAILS)}

    @extend_schema(
        summary="Submit the latest version to the team manager (every section completed, the decision answered)",
        request=None,
        responses={
            200: AssessmentSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_WRITE,
        },
    )
    def post(self, request, case_id: int):
        case = self.case(log=False)
        assessment = self.latest_writable(case)
        with service_errors():
            services.assessment_submit(actor=request.user, assessment=assessment)
        return Response(self.full(case, assessment.version))


class CaseAssessmentDecide(_AssessmentView):
    access = {"POST": (SIGNED_IN, ("roles", frozenset({Role.TEAM_MANAGER})), ("case", DECIDE_ASSESSMENT), CASE_DETAILS)}
    roles_message = "Only a team manager can approve or return an assessment"

    @extend_schema(
        summary="Approve the submitted assessment, or return it with comments (a team manager of the case)",
        description="A team manager never decides an assessment they submitted themselves (403).",
        request=AssessmentDecideSerializer,
        responses={
            200: AssessmentSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_WRITE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, case_id: int):
        case = self.case(log=False)
        data = validated(AssessmentDecideSerializer(data=request.data))
        assessment = selectors.assessment_full(case=case)
        if assessment is None or assessment.status != AssessmentStatus.SUBMITTED:
            raise ValidationError({NON_FIELD: ["There is no submitted assessment to approve or return"]})
        if not may_decide_assessment(request.user, case, assessment):
            raise PermissionDenied(services.OWN_SUBMISSION)
        with service_errors():
            if data["decision"] == APPROVE:
                services.assessment_approve(actor=request.user, assessment=assessment, note=data["note"])
            else:
                services.assessment_return(actor=request.user, assessment=assessment, note=data["note"])
        return Response(self.full(case, assessment.version))


urlpatterns = [
    path("cases/<int:case_id>/assessment/", CaseAssessment.as_view(), name="api-case-assessment"),
    path(
        "cases/<int:case_id>/assessment/versions/<int:version>/",
        CaseAssessmentVersion.as_view(),
        name="api-case-assessment-version",
    ),
    path(
        "cases/<int:case_id>/assessment/sections/<int:section_id>/",
        CaseAssessmentSection.as_view(),
        name="api-case-assessment-section",
    ),
    path("cases/<int:case_id>/assessment/submit/", CaseAssessmentSubmit.as_view(), name="api-case-assessment-submit"),
    path("cases/<int:case_id>/assessment/decide/", CaseAssessmentDecide.as_view(), name="api-case-assessment-decide"),
]
