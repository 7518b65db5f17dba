"""Demo data for `make run`: every app's `demo` module registers its steps (see cases.demo), and
this command imports them all and runs the steps in order, in one transaction, once: it does
nothing once the demo users exist. All people are synthetic."""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.utils.module_loading import autodiscover_modules

from cases.demo import demo_run


class Command(BaseCommand):
    help = "Load the demo localities, agencies, users, referrals and cases, made through the services (once)."

    def handle(self, *args, **options):
        autodiscover_modules("demo")
        if demo_run():
            self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        else:
            self.stdout.write("Demo data already loaded.")
