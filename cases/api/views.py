"""The API of the shared record. The same access functions, selectors and services as the pages
decide who sees and does what; each view declares its access (cases/access.py) and the
declaration is the check."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response
from rest_framework.settings import api_settings

from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, NO_SUCH_PAGE, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE

from .. import selectors, services
from ..access import SIGNED_IN, DeclaredAccess, RecordAPIView, fetch_record
from ..models import CaseStatus
from ..permissions import CHANGE_CASE, MANAGE_CASE, VIEW_CASE
from ..roles import CASE_LIST_ROLES, Role
from .serializers import CaseDetailSerializer, CaseListSerializer, ChronologyEntrySerializer, ReturnToPanelSerializer

NO_SUCH_CASE = OpenApiResponse(DETAIL, description="No such case, or not one the caller may see (the same answer)")


@extend_schema_view(
    get=extend_schema(
        parameters=[
            OpenApiParameter("status", str, enum=CaseStatus.values, description="Only the cases with this status")
        ],
        responses={
            200: CaseListSerializer(many=True),
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_PAGE,
        },
    )
)
class CaseList(generics.ListAPIView):
    """Cases the caller works on, newest first."""

    permission_classes = [DeclaredAccess]
    access = (SIGNED_IN, ("roles", CASE_LIST_ROLES))
    serializer_class = CaseListSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status") or None
        if status is not None and status not in CaseStatus.values:
            raise ValidationError({"status": [f"Select a valid status: one of {', '.join(CaseStatus.values)}"]})
        return selectors.case_api_rows(selectors.case_list_for_user(user=self.request.user, status=status))


@extend_schema_view(get=extend_schema(responses={200: CaseDetailSerializer, 401: UNAUTHENTICATED, 404: NO_SUCH_CASE}))
class CaseDetail(RecordAPIView, generics.RetrieveAPIView):
    """One case; the family's details only where the family agreed to share them with the caller."""

    access = (SIGNED_IN, ("case", VIEW_CASE))
    serializer_class = CaseDetailSerializer

    def get_object(self):
        case = self.record()
        self.extra_context = case_detail_context(case)
        return case

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **getattr(self, "extra_context", {})}


def case_detail_context(case) -> dict:
    """What `CaseDetailSerializer` reads besides the case: its team, and its people where the
    family's details are visible to the caller."""
    context = {"members": list(selectors.case_members(case=case))}
    if case.details_visible:
        context["people"] = list(selectors.case_people(case=case))
    return context


def _service_errors(error: DjangoValidationError) -> ValidationError:
    """A service's refusal as the API's 400: its messages under the fields it names."""
    if not hasattr(error, "error_dict"):
        return ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages})
    return ValidationError(
        {
            (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
            for field, messages in error.message_dict.items()
        }
    )


class CaseReturnToPanel(RecordAPIView):
    """Send an active case back to the panel (its lead professional or their team manager)."""

    access = (SIGNED_IN, ("roles", frozenset({Role.LEAD_PROFESSIONAL, Role.TEAM_MANAGER})), ("case", MANAGE_CASE))
    serializer_class = ReturnToPanelSerializer

    @extend_schema(
        summary="Send an active case back to the panel",
        description=(
            "`route`: `stuck`, `refused` (the family refused to engage) or `disengaged`, with a `note` for the "
            "panel. The case then awaits allocation and waits for the panel; its lead agency, team and lead "
            "professional carry on until the panel decides. 403 for a case that is not active, or a caller who "
            "does not lead it or manage its team."
        ),
        request=ReturnToPanelSerializer,
        responses={
            200: CaseDetailSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, case_id: int):
        # The case first: someone who may not manage it gets 404, whatever they sent.
        case = self.record(log=False)
        if not services.action_allowed(actor=request.user, case=case, action="return_to_panel", perms=case.perms):
            raise PermissionDenied("You cannot send this case back to the panel now.")
        sent = ReturnToPanelSerializer(data=request.data)
        sent.is_valid(raise_exception=True)
        try:
            services.case_return_to_panel(
                actor=request.user, case=case, route=sent.validated_data["route"], note=sent.validated_data["note"]
            )
        except DjangoValidationError as error:
            raise _service_errors(error)
        returned = fetch_record("case", VIEW_CASE, request, {"case_id": case.pk}, log=False)
        return Response(CaseDetailSerializer(returned, context=case_detail_context(returned)).data)


@extend_schema_view(
    get=extend_schema(
        responses={200: ChronologyEntrySerializer(many=True), 401: UNAUTHENTICATED, 404: NO_SUCH_CASE},
        description="404 for no such case, or no such page of its timeline.",
    ),
    post=extend_schema(
        responses={
            201: ChronologyEntrySerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
        description="404 for no such case, or a case the caller may read but not add to.",
    ),
)
class CaseChronology(RecordAPIView, generics.ListCreateAPIView):
    """The family's timeline as the caller may see it; POST adds a note (team members only)."""

    access = {"GET": (SIGNED_IN, ("case", VIEW_CASE)), "POST": (SIGNED_IN, ("case", CHANGE_CASE))}
    serializer_class = ChronologyEntrySerializer

    def get_queryset(self):
        return selectors.case_chronology(case=self.record(), user=self.request.user)

    def create(self, request, *args, **kwargs):
        # The case first: someone who may not write to it gets 404, whatever they sent.
        self.case = self.record(log=False)
        return super().create(request, *args, **kwargs)

    def perform_create(self, serializer: serializers.Serializer):
        case = self.case
        data = serializer.validated_data
        try:
            serializer.instance = services.chronology_note_add(
                actor=self.request.user,
                case=case,
                kind=data["kind"],
                summary=data["summary"],
                body=data.get("body", ""),
                occurred_at=data.get("occurred_at"),
            )
        except DjangoValidationError as error:
            raise ValidationError(error.message_dict if hasattr(error, "error_dict") else error.messages)
