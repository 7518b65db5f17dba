import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.production")
application = get_wsgi_application()

# A page makes many short-lived objects (query compilers, model instances, template contexts), and
# with Python's default thresholds the cycle collector would walk the long-lived ones loaded at start
# (Django, the URL patterns, compiled templates) again and again while serving it. Those are set
# aside for good, and young objects are collected less often.
gc.freeze()
gc.set_threshold(int(os.environ.get("GC_THRESHOLD", "50000")), 20, 100)
