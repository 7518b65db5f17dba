"""The project package. The Celery app is loaded here, as Celery's Django guide does, so that
`shared_task`s queue to our broker from web processes too. Loading it defaults
DJANGO_SETTINGS_MODULE to the production settings for this process and the commands it starts:
development commands (the Makefile's, earlyhelp.devrun's) and the tests name their own."""

from .celery import app as celery_app

__all__ = ("celery_app",)
