"""The project package. The Celery app lives in `earlyhelp.celery` and is loaded by
`cases.apps.CasesConfig.ready`, not here: importing this package (as `python -m
earlyhelp.devservices` does) must not set DJANGO_SETTINGS_MODULE for the commands it starts."""
