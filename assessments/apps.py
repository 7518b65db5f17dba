from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"

    def ready(self) -> None:
        # Its parts of the shared record's pages (the case page's "Outcome tools" section).
        from . import parts

        parts.register()

        # The Early Help Assessment: its clock, its case action and its home panel.
        from . import assessment_parts, assessment_receivers

        assessment_receivers.register()
        assessment_parts.register()

        # TAF meetings and reviews: access kinds, the plan_agreed receiver, home panel, case actions.
        from . import taf_parts

        taf_parts.register()

        # The family plan: its case action and the home page's "Your actions".
        from . import plan_parts

        plan_parts.register()

        # Step up to social care and family group conferences: their case actions.
        from . import fgc_parts, step_parts

        step_parts.register()
        fgc_parts.register()
