"""Settings, all from the environment (see .env.example), safe on their own: DEBUG is off unless
DEBUG=1, so the app refuses to start without a SECRET_KEY and turns on the secure cookie, HSTS and
redirect settings that `manage.py check --deploy` looks for. The entry points (manage.py, wsgi.py,
asgi.py, celery.py) default to `earlyhelp.settings.production`; `make run` and the other development
commands choose `earlyhelp.settings.development`, and the tests `earlyhelp.settings.test`.
"""

from datetime import timedelta
from pathlib import Path
from urllib.parse import unquote

import environ
from csp.constants import NONCE, SELF
from django.core.exceptions import ImproperlyConfigured

from earlyhelp.schedule import BEAT_SCHEDULE

BASE_DIR = Path(__file__).resolve().parent.parent.parent
env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("SECRET_KEY", default="development-only-not-secret-" + "x" * 40)
else:
    SECRET_KEY = env.str("SECRET_KEY", default="")
    if len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "Set SECRET_KEY (50 characters or more) when DEBUG=0."
            " On a developer's machine, name the development settings instead:"
            " DJANGO_SETTINGS_MODULE=earlyhelp.settings.development (the Makefile's commands do)."
        )

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
COUNCIL_NAME = env.str("COUNCIL_NAME", default="Exampleshire Council")
SERVICE_NAME = env.str("SERVICE_NAME", default="Early Help")
# Where a family stepped down from children's social care goes (front_door/step_down.py): "panel"
# (the locality panel's waiting list) or "team" (straight to a team: STEP_DOWN_TEAMS, a JSON object
# of locality code to team name, "*" for any other locality; a locality with none goes to the panel).
STEP_DOWN_ROUTE = env.str("STEP_DOWN_ROUTE", default="panel")
STEP_DOWN_TEAMS = env.json("STEP_DOWN_TEAMS", default={})
PHASE = env.str("PHASE", default="Beta")
# The referrer letter: who signs it and the council's logo (a file path or URL; optional).
LETTER_SIGNATORY = env.str("LETTER_SIGNATORY", default="Front Door Service Manager")
COUNCIL_LOGO_PATH = env.str("COUNCIL_LOGO_PATH", default="")
# How to reach the front door, printed wherever a letter says "contact the front door".
FRONT_DOOR_PHONE = env.str("FRONT_DOOR_PHONE", default="01632 960 000")
FRONT_DOOR_EMAIL = env.str("FRONT_DOOR_EMAIL", default="frontdoor@example.gov.uk")
# Minutes a referrer's letter waits before it is emailed: an amendment within them replaces it.
REFERRER_LETTER_GRACE_MINUTES = env.int("REFERRER_LETTER_GRACE_MINUTES", default=15)
# Public referral form: submissions allowed per address per hour.
PUBLIC_REFERRAL_RATE = env.int("PUBLIC_REFERRAL_RATE", default=5)
# Years of England and Wales bank holidays kept ahead for the working-day clocks (cases/bank_holidays.py).
BANK_HOLIDAY_YEARS_AHEAD = env.int("BANK_HOLIDAY_YEARS_AHEAD", default=5)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "axes",
    "crispy_forms",
    "crispy_forms_gds",
    "pgtrigger",
    "pghistory",
    "csp",
    "cases",
    "front_door",
    "panels",
    "assessments",
    "outcomes",
    "outcomes.exports",
    "outcomes.subject_access",
]

MIDDLEWARE = [
    # First: everything after it reads the client's address from REMOTE_ADDR (see TRUSTED_PROXIES).
    "earlyhelp.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise, so static files keep their own caching; everything else passes through it.
    "earlyhelp.middleware.NoStoreMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "cases.middleware.SessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Before any view: a query string with a null byte is answered 400 (cases.querystring).
    "cases.middleware.NullByteQueryMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "pghistory.middleware.HistoryMiddleware",
    "axes.middleware.AxesMiddleware",
]

# History context (who, which URL) is attached to requests that change records; a GET changes no
# tracked record (its access-log row is append-only and not history-tracked), so it skips the cost.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

ROOT_URLCONF = "earlyhelp.urls"
WSGI_APPLICATION = "earlyhelp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "cases.context_processors.service",
            ],
        },
    },
]

DATABASES = {"default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/earlyhelp")}
DATABASES["default"]["ENGINE"] = "earlyhelp.db"  # Django's PostgreSQL backend, see earlyhelp/db/base.py
# An embedded server is reached through its socket directory, which arrives percent-encoded.
DATABASES["default"]["HOST"] = unquote(DATABASES["default"]["HOST"])
# Connections are kept ten minutes: a new one plans every statement again before it is prepared.
# (Not under runserver, which serves each client connection in a thread of its own and would keep
# one database connection per finished thread: the development settings turn this off.)
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=600)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The planner's random_page_cost is set on the database by a migration in cases, not sent at
# connection start: a connection pooler such as PgBouncer refuses startup options.
# Parameters bound on the server, so psycopg 3 prepares a statement the fifth time a connection
# runs it and PostgreSQL stops re-planning it (planning was most of the database time of a page).
# DB_PREPARE_THRESHOLD= (empty) turns preparing off, for a transaction-pooling PgBouncer.
DATABASES["default"].setdefault("OPTIONS", {})
DATABASES["default"]["OPTIONS"]["server_side_binding"] = env.bool("DB_SERVER_SIDE_BINDING", default=True)
_prepare_threshold = env.str("DB_PREPARE_THRESHOLD", default="5")
DATABASES["default"]["OPTIONS"]["prepare_threshold"] = int(_prepare_threshold) if _prepare_threshold else None
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env.str("REDIS_URL", default="redis://127.0.0.1:6379/0")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
# The analysts' county-wide counts are kept this long (the pages say when they were counted).
FIGURES_CACHE_SECONDS = env.int("FIGURES_CACHE_SECONDS", default=300)

AUTH_USER_MODEL = "cases.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "cases.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Object permissions are decided by cases.permissions (one query for lists), not guardian's backend.
SILENCED_SYSTEM_CHECKS = ["guardian.W001"]
LOGIN_URL = "sign-in"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "sign-in"

# Lock an account (by username and address) after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The address is REMOTE_ADDR as ClientAddressMiddleware leaves it, the same one the access log and
# the public form's throttle read: never X-Forwarded-For on its own (which anyone can send).
AXES_CLIENT_IP_CALLABLE = "cases.audit.client_address"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions read from the cache (Redis) and written through to the database, so a page reads none.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
# Shared office computers: 30 minutes idle, 12 hours at most (SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
SESSION_MAX_AGE_SECONDS = env.int("SESSION_MAX_AGE_SECONDS", default=12 * 60 * 60)
# The idle limit is renewed by a page at most once a minute (cases.middleware), not by every one.
SESSION_TOUCH_SECONDS = env.int("SESSION_TOUCH_SECONDS", default=60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_COOKIES = env.bool("SECURE_COOKIES", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
if SECURE_COOKIES:
    # __Host- cookies: Secure, Path=/, and never shared with another subdomain.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
if env.bool("BEHIND_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The proxies (addresses or networks, comma-separated) whose X-Forwarded-For is believed: behind
# them, the client's address is the right-most one in it that is not a trusted proxy
# (earlyhelp.middleware.ClientAddressMiddleware). Empty: REMOTE_ADDR is the client.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": [SELF, NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True
DATE_FORMAT = "j F Y"
# GOV.UK style, "3:17pm": the "a" of a format says "pm", not "p.m.", through the project's own
# en_GB words (locale/).
TIME_FORMAT = "g:ia"
DATETIME_FORMAT = "j F Y, g:ia"
LOCALE_PATHS = [BASE_DIR / "locale"]
# The same formats for the en_GB locale, whose own ones Django prefers to the settings above.
FORMAT_MODULE_PATH = ["earlyhelp.formats"]

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

REST_FRAMEWORK = {
    # Token first, so an anonymous caller is told 401 (with WWW-Authenticate), not 403.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "earlyhelp.api_parsers.JSONBodyParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    # Denied by default: every API view names who may use it (see tests/test_access_declared.py).
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_RATES": {"user": "600/minute", "anon": "30/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Early Help API",
    "DESCRIPTION": "Referrals and the shared case record for partner systems.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # Swagger UI served from our own static files: no CDN, and the CSP holds.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Nullable nested objects written the way OpenAPI 3.0.3 validators read them (earlyhelp/api_docs.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "earlyhelp.api_docs.nullable_references",
    ],
    # Three models have a `kind` choice set; name each enum after its model so partner systems
    # get stable names in the schema (drf-spectacular warns at `check --deploy` otherwise).
    "ENUM_NAME_OVERRIDES": {
        "CaseKindEnum": "cases.models.Case.Kind",
        "PersonKindEnum": "cases.models.Person.Kind",
        "ChronologyEntryKindEnum": "cases.models.ChronologyEntry.Kind",
        "CaseStatusEnum": "cases.models.CaseStatus",
        "ActionStatusEnum": "assessments.models.ActionStatus",
    },
}

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE = BEAT_SCHEDULE

# Development writes each message to a file under var/mail (not to the console: letters carry
# children's details, and the console is the server log).
EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.filebased.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
# Seconds an SMTP server may take to answer: a sender that hung longer would outlive the outbox's
# timeout after which its batch is treated as abandoned (cases.notifications.SENDING_TIMEOUT).
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=30)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="early-help@example.org")
# Where the phase banner's "give your feedback" link goes: a form's address (FEEDBACK_URL) or,
# without one, an email address (FEEDBACK_EMAIL, by default the service's own address).
FEEDBACK_URL = env.str("FEEDBACK_URL", default="")
FEEDBACK_EMAIL = env.str("FEEDBACK_EMAIL", default="") or DEFAULT_FROM_EMAIL
# GOV.UK Notify: when a key is set, messages go through Notify instead of email.
NOTIFY_API_KEY = env.str("NOTIFY_API_KEY", default="")
NOTIFY_EMAIL_TEMPLATE_ID = env.str("NOTIFY_EMAIL_TEMPLATE_ID", default="")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Request logs carry URLs only (never personal data in URLs: records are addressed by id).
    # WeasyPrint reports each step of every PDF at INFO.
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "axes": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}
