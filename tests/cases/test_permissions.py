import pytest
from django.test.utils import CaptureQueriesContext
from django.db import connection
from tests.conftest import open_case


def test_explore(world, client_for):
    a = open_case(world, members=[(world.school_practitioner, "School")])
    try:
        b = open_case(world, locality=world.south, lead=world.other_lead)
        print("south ok", b.status, b.team, b.locality)
    except Exception as e:
        print("south failed", type(e), e)
    c = client_for(world.lead)
    r = c.get(f"/cases/{a.pk}/")
    print(r.status_code)
    c2 = client_for(world.health_practitioner)
    from cases.models import AccessLog
    n = AccessLog.objects.count()
    r = c2.get(f"/cases/{a.pk}/")
    print(r.status_code, AccessLog.objects.count() - n)
    r = c2.post(f"/cases/{a.pk}/notes/add/", {"kind": "note", "summary": "x"})
    print("post", r.status_code)
    r = client_for(world.lead).post(f"/cases/{a.pk}/notes/add/", {"kind": "note", "summary": "x"})
    print("post lead", r.status_code, r.headers.get("Location"))
    for u in ["lead", "duty_manager", "analyst"]:
        cl = client_for(getattr(world, u))
        cl.get("/cases/")
        with CaptureQueriesContext(connection) as ctx:
            r = cl.get("/cases/")
        print(u, r.status_code, len(ctx))
        with CaptureQueriesContext(connection) as ctx:
            r = cl.get("/api/v1/cases/")
        print(u, "api", r.status_code, len(ctx), r.json() if r.status_code != 200 else r.json()["count"])
    for q in ctx.captured_queries:
        print(q["sql"][:200])
    from django.apps import apps
    print(apps.get_model("cases", "CaseEvent"))
    r = c2.get(f"/api/v1/cases/{a.pk}/")
    print(r.status_code, r.content)
    r = c2.get(f"/api/v1/cases/999999/")
    print(r.status_code, r.content)
