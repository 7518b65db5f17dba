from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    """Outcomes, closure and evidence: reads every other app and is imported by none. Each part keeps
    its own module and registers its parts of the shared record's pages here."""

    name = "outcomes"

    def ready(self) -> None:
        from cases.extensions import registry

        from . import claims_export, parts  # noqa: F401 (claims_export registers its export kind)
        from .case_report import parts as case_report_parts
        from .closure import QUESTIONS
        from .dashboard import parts as dashboard_parts

        registry.add(QUESTIONS)
        parts.register()
        dashboard_parts.register()
        case_report_parts.register()
