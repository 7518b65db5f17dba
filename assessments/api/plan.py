"""The family plan API: a case's plan; the caller's own open actions across their cases; recording
progress on an action (its owner, or the lead professional or team manager); adding an action (the
lead professional or team manager). The pages' access functions decide (`plan_permissions`), each
view declares its access (cases/access.py), and every write is a service of `plans`.

A member of the team around the family whose agency the family has not agreed to share with gets no
plan (404, as for a case they cannot see), but reads their own actions' titles through
`/api/v1/plan-actions/` and records progress on them."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, DeclaredAccess, RecordAPIView
from cases.models import CaseMember, FamilyMembership, Person, User
from cases.permissions import VIEW_CASE
from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import NON_FIELD, service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser
from front_door.api.serializers import text

from .. import plan_selectors as selectors
from .. import plans
from ..models import ActionStatus, ActionUpdate, PlanAction
from ..plan_permissions import (
    EDIT_PLAN,
    VIEW_PLAN,
    may_see_plan,
    may_update_action,
    own_open_actions,
)
from .serializers import NeedDescriptorSerializer

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
NO_SUCH_CASE_TO_EDIT = OpenApiResponse(
    DETAIL, description="No such case, or not one the caller leads or manages with the family's details"
)
NO_SUCH_ACTION = OpenApiResponse(
    DETAIL, description="No such case or action, or not one the caller may see (the same answer)"
)


# --- Shapes -----------------------------------------------------------------------------------------


class PlanActionSerializer(serializers.ModelSerializer):
    owner = serializers.SerializerMethodField(help_text="The owner's name (and agency, for a practitioner)")
    owner_user = serializers.IntegerField(source="owner_user_id", allow_null=True, help_text="A member of the team")
    owner_person = serializers.IntegerField(source="owner_person_id", allow_null=True, help_text="A family member")
    outcome = serializers.IntegerField(source="outcome_id", allow_null=True)
    overdue = serializers.SerializerMethodField()
    latest_note = serializers.CharField(allow_null=True, read_only=True, help_text="The latest progress recorded")
    latest_status = serializers.CharField(allow_null=True, read_only=True, help_text="The status it gave")
    latest_at = serializers.DateTimeField(allow_null=True, read_only=True, help_text="When it was recorded")

    class Meta:
        model = PlanAction
        fields = [
            *("id", "outcome", "what", "owner", "owner_user", "owner_person", "due_on", "measure", "status"),
            *("overdue", "latest_note", "latest_status", "latest_at", "updated_at"),
        ]

    def get_owner(self, action: PlanAction) -> str:
        return plans.owner_name(action)

    def get_overdue(self, action: PlanAction) -> bool:
        return selectors.is_overdue(action)


class PlanNeedSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    area = serializers.CharField()
    framework = serializers.CharField(
        help_text="The outcomes framework version the area belongs to, as 'Supporting Families 2022'"
    )
    descriptor = NeedDescriptorSerializer(allow_null=True, help_text="None: no descriptor was chosen")


class PlanOutcomeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField(help_text="In the family's words")
    needs = PlanNeedSerializer(many=True)


class PlanVersionBriefSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    reason = serializers.CharField()
    made_at = serializers.DateTimeField()


class PlanBodySerializer(serializers.Serializer):
    contingency_plan = serializers.CharField()
    exit_plan = serializers.CharField()
    agreed_on = serializers.DateField(allow_null=True)
    updated_at = serializers.DateTimeField()
    outcomes = PlanOutcomeSerializer(many=True)
    actions = PlanActionSerializer(many=True)
    versions = PlanVersionBriefSerializer(many=True)


class CasePlanSerializer(serializers.Serializer):
    case = serializers.IntegerField()
    reference = serializers.CharField()
    plan = PlanBodySerializer(allow_null=True, help_text="Null until the plan is started")


class OwnPlanActionSerializer(serializers.ModelSerializer):
    """An action's title: what its owner always sees, whatever the family agreed to share."""

    case = serializers.IntegerField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = PlanAction
        fields = ["id", "case", "case_reference", "what", "due_on", "status", "overdue"]

    def get_overdue(self, action: PlanAction) -> bool:
        return selectors.is_overdue(action)


class PlanProgressSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.get_full_name")

    class Meta:
        model = ActionUpdate
        fields = ["id", "note", "status", "recorded_by", "recorded_at"]


STATUS_ERRORS = {
    "required": "Select the action's status now",
    "null": "Select the action's status now",
    "invalid_choice": "Select the action's status: " + ", ".join(ActionStatus.values),
}


class PlanProgressCreateSerializer(serializers.Serializer):
    note = text("what has been done", max_length=plans.TEXT_MAX, required=True)
    status = serializers.ChoiceField(choices=ActionStatus.choices, error_messages=STATUS_ERRORS)


def _id_field(message: str, **kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(
        required=False, allow_null=True, default=None, error_messages={"invalid": message}, **kwargs
    )


class PlanActionCreateSerializer(serializers.Serializer):
    what = text("what will be done", max_length=plans.TEXT_MAX, required=True)
    owner_user = _id_field(
        "Enter the owner as the id of a member of the team", help_text="A current member of the team around the family"
    )
    owner_person = _id_field("Enter the owner as the id of a family member", help_text="A member of the family")
    due_on = serializers.DateField(
        error_messages={
            "required": "Enter the date it will be done by",
            "null": "Enter the date it will be done by",
            "invalid": "Enter the date it will be done by as a real date in the format 2027-03-27",
        }
    )
    measure = text("how progress will be measured", max_length=plans.TEXT_MAX, required=True)
    outcome = _id_field("Enter the outcome as the id of one of the plan's outcomes", help_text="Optional")


# --- Views ------------------------------------------------------------------------------------------


def _plan_body(plan) -> dict:
    outcomes = selectors.plan_outcomes(plan)
    return {
        "contingency_plan": plan.contingency_plan,
        "exit_plan": plan.exit_plan,
        "agreed_on": plan.agreed_on,
        "updated_at": plan.updated_at,
        "outcomes": [
            {
                "id": outcome.pk,
                "text": outcome.text,
                "needs": [
                    {
                        "id": n.pk,
                        "description": n.description,
                        "area": str(n.area),
                        "framework": str(n.area.framework),
                        "descriptor": n.descriptor,
                    }
                    for n in outcome.needs.all()
                ],
            }
            for outcome in outcomes
        ],
        "actions": selectors.plan_actions(plan),
        # The 20 latest versions (the plan page pages through them all).
        "versions": [
            {"number": v.number, "reason": v.reason, "made_at": v.made_at}
            for v in selectors.plan_versions(plan)[: selectors.VERSIONS_SHOWN]
        ],
    }


@extend_schema(
    summary="The case's family plan: outcomes, actions with their latest progress, contingency and exit plans",
    responses={200: CasePlanSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
)
class CasePlan(RecordAPIView):
    access = {"GET": (SIGNED_IN, ("case", VIEW_PLAN), CASE_DETAILS)}
    serializer_class = CasePlanSerializer

    def get(self, request, case_id: int):
        case = self.record()
        if not may_see_plan(case):
            raise NotFound("No case found")
        plan = selectors.plan_of(case)
        body = {"case": case.pk, "reference": case.reference, "plan": _plan_body(plan) if plan else None}
        return Response(CasePlanSerializer(body).data)


@extend_schema(
    summary="Add an action to the case's plan (the lead professional or team manager, active cases)",
    description=(
        "Exactly one owner: `owner_user` (a current member of the team around the family) or `owner_person` "
        "(a member of the family). `due_on` today or later. A practitioner given the action is told by email."
    ),
    request=PlanActionCreateSerializer,
    responses={
        201: PlanActionSerializer,
        400: FIELD_ERRORS,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NO_SUCH_CASE_TO_EDIT,
        415: UNSUPPORTED_MEDIA_TYPE,
    },
)
class CasePlanActions(RecordAPIView):
    access = {"POST": (SIGNED_IN, ("case", EDIT_PLAN), CASE_DETAILS)}
    parser_classes = [JSONBodyParser]
    serializer_class = PlanActionCreateSerializer

    def post(self, request, case_id: int):
        case = self.record(log=False)
        if not may_see_plan(case):
            raise NotFound("No case found")
        plan = selectors.plan_of(case)
        if plan is None:
            raise ValidationError({NON_FIELD: ["Start the family's plan first"]})
        data = validated(PlanActionCreateSerializer(data=request.data))
        owner_user = owner_person = outcome = None
        errors = {}
        if data["owner_user"] is not None:
            owner_user = User.objects.filter(
                pk__in=CaseMember.objects.filter(case_id=case.pk, ended_at__isnull=True).values("user_id"),
                pk=data["owner_user"],
            ).first()
            if owner_user is None:
                errors["owner_user"] = ["Enter the id of a current member of the team around the family"]
        if data["owner_person"] is not None:
            owner_person = Person.objects.filter(
                pk__in=FamilyMembership.objects.filter(family_id=case.family_id).values("person_id"),
                pk=data["owner_person"],
            ).first()
            if owner_person is None:
                errors["owner_person"] = ["Enter the id of a member of this family"]
        if data["owner_user"] is None and data["owner_person"] is None:
            errors["owner_user"] = ["Enter who will do it: owner_user (a member of the team) or owner_person"]
        elif data["owner_user"] is not None and data["owner_person"] is not None:
            errors["owner_person"] = ["Enter one owner only: owner_user or owner_person"]
        if data["outcome"] is not None:
            outcome = plan.outcomes.filter(pk=data["outcome"], ended_at__isnull=True).first()
            if outcome is None:
                errors["outcome"] = ["Enter the id of one of this plan's outcomes"]
        if errors:
            raise ValidationError(errors)
        with service_errors(rename={"owner": "owner_user" if owner_user else "owner_person"}):
            action = plans.plan_action_add(
                actor=request.user,
                plan=plan,
                what=data["what"],
                due_on=data["due_on"],
                measure=data["measure"],
                owner_user=owner_user,
                owner_person=owner_person,
                outcome=outcome,
            )
        action = selectors.actions_with_latest(
            PlanAction.objects.select_related("owner_user__agency", "owner_person")
        ).get(pk=action.pk)
        return Response(PlanActionSerializer(action).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="Record progress on an action (its owner, or the lead professional or team manager)",
    description=(
        "A note of what has been done and the action's status now. An action's owner may record progress "
        "even when the family has not agreed to share its details with their agency."
    ),
    request=PlanProgressCreateSerializer,
    responses={
        201: PlanProgressSerializer,
        400: FIELD_ERRORS,
        401: UNAUTHENTICATED,
        403: FORBIDDEN,
        404: NO_SUCH_ACTION,
        415: UNSUPPORTED_MEDIA_TYPE,
    },
)
class ActionProgress(RecordAPIView):
    access = {"POST": (SIGNED_IN, ("plan_action", VIEW_CASE))}
    parser_classes = [JSONBodyParser]
    serializer_class = PlanProgressCreateSerializer

    def post(self, request, case_id: int, plan_action_id: int):
        action = self.record(log=False)
        if not may_update_action(request.user, action.case, action, member=action.member):
            raise PermissionDenied(plans.NOT_ALLOWED_PROGRESS)
        data = validated(PlanProgressCreateSerializer(data=request.data))
        with service_errors():
            update = plans.action_progress_record(
                actor=request.user, action=action, note=data["note"], status=data["status"]
            )
        return Response(PlanProgressSerializer(update).data, status=status.HTTP_201_CREATED)


@extend_schema(
    summary="The caller's own open actions across their cases, overdue first (titles only)",
    responses={200: OwnPlanActionSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN},
)
class OwnActions(generics.ListAPIView):
    permission_classes = [DeclaredAccess]
    access = {"GET": (SIGNED_IN,)}
    serializer_class = OwnPlanActionSerializer

    def get_queryset(self):
        return own_open_actions(self.request.user)


urlpatterns = [
    path("cases/<int:case_id>/plan/", CasePlan.as_view(), name="api-case-plan"),
    path("cases/<int:case_id>/plan/actions/", CasePlanActions.as_view(), name="api-case-plan-actions"),
    path(
        "cases/<int:case_id>/plan/actions/<int:plan_action_id>/progress/",
        ActionProgress.as_view(),
        name="api-plan-action-progress",
    ),
    path("plan-actions/", OwnActions.as_view(), name="api-own-plan-actions"),
]
