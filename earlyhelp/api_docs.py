from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated


class SchemaView(SpectacularAPIView):
    permission_classes = [IsAuthenticated]


class SwaggerView(SpectacularSwaggerSplitView):
    permission_classes = [IsAuthenticated]
