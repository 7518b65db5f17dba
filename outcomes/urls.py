from .closure_views import urlpatterns

app_name = "outcomes"

__all__ = ["app_name", "urlpatterns"]
