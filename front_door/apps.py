from django.apps import AppConfig


class FrontDoorConfig(AppConfig):
    name = "front_door"

    def ready(self) -> None:
        # The front door's record kinds (referral, letter, information request) for the pages'
        # declarations, and its parts of the shared record's pages.
        from . import parts, permissions  # noqa: F401

        parts.register()
