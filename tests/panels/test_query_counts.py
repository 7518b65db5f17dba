"""The panel pages the county-scale benchmark measures are held to its budget of 12 queries a page:
here the waiting list (as filtered too), for the coordinator of the panel's own locality, as
`make bench` asks for it. The meeting page of 20 items is held to it in test_meeting_pages.py."""

from panels import services
from tests.panels.conftest import offer_clock, waiting_case

BUDGET = 12
WAITING_LIST_QUERIES = 5  # what the page takes, filtered or not: held there, well under the budget


def waiting_for_days(w, days: int):
    case = waiting_case(w)
    offer_clock(case, days_ago=days)
    return case


def test_the_waiting_list_is_within_the_query_budget(world, panel, upcoming, client_for, django_assert_max_num_queries):
    w = world
    cases = [waiting_for_days(w, days) for days in range(30)]
    for case in cases[:5]:
        services.agenda_add(actor=w.panel_coordinator, meeting=upcoming[0], case=case)
    client = client_for(w.panel_coordinator)

    with django_assert_max_num_queries(WAITING_LIST_QUERIES):
        response = client.get(f"/panels/{panel.pk}/waiting-list/")
    with django_assert_max_num_queries(WAITING_LIST_QUERIES):
        filtered = client.get(f"/panels/{panel.pk}/waiting-list/?route=front_door&over=1&unplaced=1")

    assert response.status_code == filtered.status_code == 200
    assert "30 cases waiting" in response.content.decode()
    assert response.content.decode().count("/cases/") > filtered.content.decode().count("/cases/") > 0
