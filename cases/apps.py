from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "cases"

    def ready(self) -> None:
        # Load the Celery app so that `shared_task`s queue to our broker from web processes too.
        from earlyhelp import celery  # noqa: F401
