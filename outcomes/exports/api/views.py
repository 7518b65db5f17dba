from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.response import Response

from cases.access import SIGNED_IN, RecordAPIView
from earlyhelp.api_docs import DETAIL, UNAUTHENTICATED

from ..permissions import VIEW_EXPORT
from .serializers import ExportSerializer

NO_SUCH_EXPORT = OpenApiResponse(
    DETAIL, description="No such export, or one the caller did not ask for (the same answer)"
)


class ExportDetail(RecordAPIView):
    """An export's status, for the person who asked for it: the same access as its progress page."""

    access = (SIGNED_IN, ("export", VIEW_EXPORT))
    serializer_class = ExportSerializer

    @extend_schema(
        summary="Where an export stands: rows done of rows, and where to download it once it is ready",
        responses={200: ExportSerializer, 401: UNAUTHENTICATED, 404: NO_SUCH_EXPORT},
    )
    def get(self, request, export_id: int):
        return Response(ExportSerializer(self.record()).data)
