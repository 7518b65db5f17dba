# The two commands: `make run` and `make test`. Nothing to install by hand: the first run makes
# .venv from requirements-dev.lock (the runtime lock, requirements.lock, and the development tools);
# PostgreSQL and Redis are embedded unless DATABASE_URL / REDIS_URL are set.
# Every command names its settings module: the entry points default to production settings.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
WITH_SERVICES := $(PY) -m earlyhelp.devservices --
PYTEST_WORKERS ?= 2
DEVELOPMENT := env DJANGO_SETTINGS_MODULE=earlyhelp.settings.development

.PHONY: run test lint check-migrations pytest assets migrations shell clean-data bench

$(STAMP): requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $(STAMP)

# earlyhelp.devrun starts its commands with the development settings.
run: $(STAMP)
	$(WITH_SERVICES) $(PY) -m earlyhelp.devrun

test: $(STAMP) lint
	$(WITH_SERVICES) $(MAKE) --no-print-directory check-migrations pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check-migrations:
	$(PY) manage.py makemigrations --check --dry-run --settings=earlyhelp.settings.test

pytest:
	$(PY) -m pytest --ds=earlyhelp.settings.test -n $(PYTEST_WORKERS) --dist loadgroup $(PYTEST_ARGS)

# The county-scale benchmark: generates (once) or reuses a 60,000-family synthetic county in a
# database of its own, then measures pages, search, PDFs, the deadline sweep and a load test.
# BENCH_ARGS="--families 5000 --skip-load" for a quick look.
bench: $(STAMP)
	$(WITH_SERVICES) $(DEVELOPMENT) $(PY) manage.py run_bench $(BENCH_ARGS)

# Rebuild the GOV.UK Frontend assets committed under static/ (needs Node.js and npm).
assets:
	cd frontend && npm ci --no-audit --no-fund && npm run build

migrations: $(STAMP)
	$(WITH_SERVICES) $(DEVELOPMENT) $(PY) manage.py makemigrations

shell: $(STAMP)
	$(WITH_SERVICES) $(DEVELOPMENT) $(PY) manage.py shell

clean-data:
	rm -rf var/pgdata var/redis var/celerybeat-schedule*
