from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Its parts of the shared record's pages (the case page's "Outcome tools" section).
        from . import parts

        parts.register()

        # TAF meetings and reviews: access kinds, the plan_agreed receiver, home panel, case actions.
        from . import taf_parts

        taf_parts.register()
