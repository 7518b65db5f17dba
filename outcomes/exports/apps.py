from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """Large exports (the Ofsted inspection lists, the claims list, case reports of the largest cases):
    made by a Celery task with a progress page, kept 24 hours, downloaded once by whoever asked."""

    name = "outcomes.exports"
    label = "outcomes_exports"

    def ready(self) -> None:
        from . import parts

        parts.register()
