"""A council adds its own outcome tool, with its areas, in the admin; a tool with readings keeps its
scale."""

from assessments.models import OutcomeTool
from tests.assessments.conftest import record, tool
from tests.factories import UserFactory


def admin_client(client):
    client.force_login(UserFactory(username="tools-admin", is_superuser=True, is_staff=True))
    return client


def test_an_administrator_adds_a_tool_with_its_areas(db, client):
    client = admin_client(client)
    data = {
        **{"name": "Resilience scale", "code": "resilience", "version": "2", "subject": "family"},
        **{"scale_min": "0", "scale_max": "4", "higher_is_better": "on", "sort_order": "50", "active": "on"},
        **{"areas-TOTAL_FORMS": "2", "areas-INITIAL_FORMS": "0", "areas-MIN_NUM_FORMS": "1"},
        **{"areas-MAX_NUM_FORMS": "1000", "areas-0-sort_order": "1", "areas-0-name": "Coping"},
        **{"areas-0-code": "coping", "areas-1-sort_order": "2", "areas-1-name": "Support", "areas-1-code": "support"},
    }

    response = client.post("/admin/assessments/outcometool/add/", data)

    assert response.status_code == 302, response.context["errors"] if response.context else response
    added = OutcomeTool.objects.get(code="resilience")
    assert [area.name for area in added.areas.all()] == ["Coping", "Support"]
    assert added.scale_words == "0 to 4, higher is better"


def test_the_list_and_change_pages_show(db, client):
    client = admin_client(client)

    assert client.get("/admin/assessments/outcometool/").status_code == 200
    page = client.get(f"/admin/assessments/outcometool/{tool('my-star').pk}/change/")
    assert page.status_code == 200
    assert b'name="scale_max"' in page.content


def test_a_tool_with_readings_shows_its_scale_but_does_not_offer_to_change_it(world, case, client):
    record(case, "graded-care-profile-2", [1, 2, 3, 4])
    client = admin_client(client)

    page = client.get(f"/admin/assessments/outcometool/{tool('graded-care-profile-2').pk}/change/")

    assert page.status_code == 200
    assert b'name="scale_max"' not in page.content
    assert b'name="name"' in page.content


def test_each_area_field_is_named_by_its_column_and_row(db, client):
    client = admin_client(client)

    change = client.get(f"/admin/assessments/outcometool/{tool('graded-care-profile-2').pk}/change/").content.decode()
    add = client.get("/admin/assessments/outcometool/add/").content.decode()

    assert 'aria-label="Name of Physical care"' in change
    assert 'aria-label="Sort order of Care of safety"' in change
    assert 'aria-label="Name of a new area"' in add
