# Production image: gunicorn for the web, the same image for the Celery worker and beat. It installs
# the runtime lock only (no test, lint, browser or load-testing tools) and leaves the tests out
# (.dockerignore); the benchmark's code is copied but not installed as an app in production settings.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=earlyhelp.settings.production
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 1000 earlyhelp
WORKDIR /app
COPY requirements.lock .
RUN pip install --no-cache-dir -r requirements.lock
COPY . .
# collectstatic needs settings to load; the key is thrown away with this build step.
RUN SECRET_KEY=build-only-$(head -c 48 /dev/urandom | base64 | tr -d '\n') ALLOWED_HOSTS=build \
    python manage.py collectstatic --no-input -v 0 && chown -R earlyhelp /app/var
USER earlyhelp
EXPOSE 8000
CMD ["gunicorn", "earlyhelp.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--forwarded-allow-ips", "*", "--access-logfile", "-"]
