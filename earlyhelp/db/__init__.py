"""The database backend: Django's PostgreSQL backend with server-side binding (see base.py)."""
