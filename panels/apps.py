from django.apps import AppConfig


class PanelsConfig(AppConfig):
    name = "panels"

    def ready(self) -> None:
        # The panel's record kinds (panel, meeting) for the pages' declarations, its parts of the shared
        # record's pages (menu, home, case page), and what it does when the shared record closes a case
        # it allocated.
        from cases.signals import case_moved, case_panel_withdrawn

        from . import parts, permissions, receivers  # noqa: F401

        parts.register()
        case_moved.connect(receivers.case_closed_tell_panel, dispatch_uid="panels-closure-notice")
        case_moved.connect(receivers.case_moved_leave_agenda, dispatch_uid="panels-agenda-case-moved")
        case_panel_withdrawn.connect(receivers.case_withdrawn_leave_agenda, dispatch_uid="panels-agenda-case-withdrawn")
