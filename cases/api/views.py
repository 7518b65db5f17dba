"""The API of the shared record. The same access functions, selectors and services as the pages
decide who sees and does what; each view declares its access (cases/access.py) and the
declaration is the check."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError

from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, NO_SUCH_PAGE, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE

from .. import selectors, services
from ..access import SIGNED_IN, DeclaredAccess, RecordAPIView
from ..models import CaseStatus
from ..permissions import CHANGE_CASE, VIEW_CASE
from ..roles import CASE_LIST_ROLES
from .serializers import CaseDetailSerializer, CaseListSerializer, ChronologyEntrySerializer

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
        self.extra_context = {"members": list(selectors.case_members(case=case))}
        if case.details_visible:
            self.extra_context["people"] = list(selectors.case_people(case=case))
        return case

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **getattr(self, "extra_context", {})}


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
