import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "earlyhelp.settings.base")
application = get_wsgi_application()

# A page makes tens of thousands of short-lived objects (query compilers, model instances, template
# contexts) and Python's cycle collector would run through every one of them dozens of times a page.
# The objects loaded at start (Django, the URL patterns, compiled templates) are set aside for good,
# and young objects are collected less often.
gc.freeze()
gc.set_threshold(int(os.environ.get("GC_THRESHOLD", "50000")), 20, 100)
