"""The API of the shared record. The same selectors and services as the pages decide who sees what."""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import generics, serializers
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import IsAuthenticated

from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, NO_SUCH_PAGE, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE

from .. import selectors, services
from ..permissions import CHANGE_CASE
from .serializers import CaseDetailSerializer, CaseListSerializer, ChronologyEntrySerializer

NO_SUCH_CASE = OpenApiResponse(DETAIL, description="No such case, or not one the caller may see (the same answer)")


@extend_schema_view(
    get=extend_schema(
        responses={200: CaseListSerializer(many=True), 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_PAGE}
    )
)
class CaseList(generics.ListAPIView):
    """Cases the caller works on, newest first."""

    permission_classes = [IsAuthenticated]
    serializer_class = CaseListSerializer

    def get_queryset(self):
        status = self.request.query_params.get("status") or None
        if status is None:
            return selectors.CASE_LIST.lazy(self.request.user)  # compiled once per shape of user
        return selectors.case_list_for_user(user=self.request.user, status=status)


@extend_schema_view(get=extend_schema(responses={200: CaseDetailSerializer, 401: UNAUTHENTICATED, 404: NO_SUCH_CASE}))
class CaseDetail(generics.RetrieveAPIView):
    """One case; the family's details only where the family agreed to share them with the caller."""

    permission_classes = [IsAuthenticated]
    serializer_class = CaseDetailSerializer

    def get_object(self):
        case = selectors.case_get_for_user(user=self.request.user, case_id=self.kwargs["case_id"], request=self.request)
        self._context = {"members": list(selectors.case_members(case=case))}
        if case.details_visible:
            self._context["people"] = list(selectors.case_people(case=case))
        return case

    def get_serializer_context(self):
        return {**super().get_serializer_context(), **getattr(self, "_context", {})}


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
class CaseChronology(generics.ListCreateAPIView):
    """The family's timeline as the caller may see it; POST adds a note (team members only)."""

    permission_classes = [IsAuthenticated]
    serializer_class = ChronologyEntrySerializer

    def get_queryset(self):
        case = selectors.case_get_for_user(user=self.request.user, case_id=self.kwargs["case_id"], request=self.request)
        return selectors.case_chronology(case=case, user=self.request.user)

    def perform_create(self, serializer: serializers.Serializer):
        case = selectors.case_get_for_user(
            user=self.request.user, case_id=self.kwargs["case_id"], perm=CHANGE_CASE, request=self.request, log=False
        )
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
