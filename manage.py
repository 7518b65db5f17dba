#!/usr/bin/env python
import os
import sys

# Commands that only read the code (the models against the migrations) need no secret and serve
# nothing: they run with the development settings when none are named, so `manage.py makemigrations
# --check` works on a fresh checkout. Everything else defaults to production settings, which refuse to
# start without a SECRET_KEY.
CODE_ONLY_COMMANDS = {"makemigrations"}


def main() -> None:
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    default = "earlyhelp.settings.development" if command in CODE_ONLY_COMMANDS else "earlyhelp.settings.production"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", default)
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
