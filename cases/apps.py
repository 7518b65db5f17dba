from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import parts
        from .permissions import permission_ids_clear

        # A flush (between transactional tests) or migrate may give permissions new ids.
        post_migrate.connect(permission_ids_clear, dispatch_uid="cases-permission-ids")
        # The shared record's own parts of the pages, registered as every app's are.
        parts.register()
