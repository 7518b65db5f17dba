from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Large exports (the Ofsted inspection lists, the claims list, case reports of the largest cases):
    made by a Celery task with a progress page, kept 24 hours, downloaded once by whoever asked."""

    name = "outcomes.exports"
    label = "outcomes_exports"

    def ready(self) -> None:
        from . import annex_a, parts, permissions  # noqa: F401 (the Annex A kind and the export record kind register)

        parts.register()
