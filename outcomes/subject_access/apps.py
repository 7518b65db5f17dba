from django.apps import AppConfig


class SubjectAccessConfig(AppConfig):
    """Subject access requests: everything held about one person, checked by an administrator who marks
    what to withhold and why, then made as a PDF and a JSON file by an export job (`outcomes.exports`)."""

    name = "outcomes.subject_access"
    label = "outcomes_subject_access"

    def ready(self) -> None:
        from . import export, parts, permissions  # noqa: F401 (the export kind and the record kind register)

        parts.register()
