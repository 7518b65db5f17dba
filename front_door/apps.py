from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "front_door"

    def ready(self) -> None:
        # The front door's record kinds (referral, letter, information request, a case to ask
        # partners about) for the pages' declarations, its parts of the shared record's pages, and
        # what it does when the shared record closes a case partners were asked about.
        from cases.signals import case_moved

        from . import parts, permissions, receivers  # noqa: F401

        parts.register()
        case_moved.connect(receivers.case_closed_stop_chasing_partners, dispatch_uid="front-door-partner-clocks")
