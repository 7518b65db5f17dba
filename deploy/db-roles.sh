#!/bin/sh
# The application's database role for docker-compose: it logs in, owns nothing, and is given what
# it needs by the owner after each migration (`manage.py db_grant_app_role earlyhelp_app`, run by
# the migrate service): read and write on every table, but only add to and read the access log.
#
# The postgres image runs this once, when it first creates its data volume (mounted under
# /docker-entrypoint-initdb.d/). It is safe to run again, for example on a volume made before it
# existed, or to change the password:
#   docker compose exec db sh /docker-entrypoint-initdb.d/10-db-roles.sh
set -eu
: "${APP_DB_PASSWORD:?set APP_DB_PASSWORD in .env}"

psql -v ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname "${POSTGRES_DB:-postgres}" \
    -v app_password="$APP_DB_PASSWORD" <<'SQL'
SELECT 'CREATE ROLE earlyhelp_app' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'earlyhelp_app')
\gexec
ALTER ROLE earlyhelp_app WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS
    PASSWORD :'app_password';
SQL
