from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Its parts of the shared record's pages (the case page's "Outcome tools" section).
        from . import parts

        parts.register()
