"""The audit trail: every view of a case or person is in the append-only access log, written in the
transaction that reads the record; refusals too; administrators can see who viewed a child; and
django-pghistory keeps every change to a case, even one made by a bulk update."""

from __future__ import annotations

import re

import pytest
from django.apps import apps
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from cases.models import AccessLog, Case, CaseStatus, Person, User
from tests.conftest import open_case

MISSING_ID = 987_654_321
ADDRESS = "198.51.100.23"  # TEST-NET-2: documentation addresses only
# pghistory's middleware prefixes each write and savepoint with its context.
PGHISTORY_CONTEXT = re.compile(
    r"^SELECT set_config\('pghistory\.context_id'.*?'pghistory\.context_metadata'.*?, true\); "
)

CASE_VIEWS = [
    pytest.param("/cases/{}/", id="case page"),
    pytest.param("/api/v1/cases/{}/", id="api case detail"),
]
CASE_ENDPOINTS = [
    *CASE_VIEWS,
    pytest.param("/api/v1/cases/{}/chronology/", id="api chronology"),
    pytest.param("/cases/{}/notes/add/", id="add note page"),
]


def new_rows(before: int):
    return AccessLog.objects.filter(pk__gt=before).order_by("pk")


def last_log_id() -> int:
    return AccessLog.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


# --- Views are logged ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", CASE_VIEWS)
def test_viewing_a_case_writes_one_row(world, client_for, url):
    case = open_case(world)
    before = last_log_id()

    response = client_for(world.lead).get(url.format(case.pk), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    row = new_rows(before).get()
    assert (row.user, row.action, row.case, row.record_type, row.record_id) == (
        world.lead,
        "view",
        case,
        "case",
        case.pk,
    )
    assert row.ip_address == ADDRESS
    assert row.path == url.format(case.pk)
    assert row.person is None


@pytest.mark.parametrize("url", CASE_VIEWS)
def test_the_row_is_written_in_the_transaction_that_reads_the_case(world, client_for, url):
    """The case is read and its view logged inside one atomic block (a savepoint, as the test runs
    in a transaction): neither can be kept without the other."""
    case = open_case(world)
    client = client_for(world.lead)

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url.format(case.pk)).status_code == 200

    sql = [PGHISTORY_CONTEXT.sub("", query["sql"]) for query in captured.captured_queries]
    insert = next(i for i, s in enumerate(sql) if s.startswith('INSERT INTO "cases_accesslog"'))
    read = next(i for i, s in enumerate(sql) if 'FROM "cases_case"' in s and f'"cases_case"."id" = {case.pk}' in s)
    opened = max(i for i, s in enumerate(sql[:read]) if s.startswith("SAVEPOINT "))
    savepoint = sql[opened].removeprefix("SAVEPOINT ")
    released = sql.index(f"RELEASE SAVEPOINT {savepoint}")
    assert opened < read < insert < released
    assert not [s for s in sql[opened:released] if s.startswith(("RELEASE SAVEPOINT", "ROLLBACK"))]


def test_viewing_a_person_writes_a_row_with_the_person(world, client_for):
    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    before = last_log_id()

    response = client_for(world.lead).get(f"/cases/people/{child.pk}/", REMOTE_ADDR=ADDRESS)

    assert response.status_code == 200
    row = new_rows(before).get()
    assert (row.user, row.action, row.person, row.record_type, row.record_id) == (
        world.lead,
        "view",
        child,
        "person",
        child.pk,
    )
    assert row.ip_address == ADDRESS


# --- Refusals are logged; missing records are not ------------------------------------------------


@pytest.mark.parametrize("url", CASE_ENDPOINTS)
def test_a_refused_case_writes_a_denied_row(world, client_for, url):
    case = open_case(world)
    before = last_log_id()

    response = client_for(world.health_practitioner).get(url.format(case.pk), REMOTE_ADDR=ADDRESS)

    assert response.status_code == 404
    row = new_rows(before).get()
    assert (row.user, row.action, row.record_type, row.record_id) == (
        world.health_practitioner,
        "denied",
        "case",
        case.pk,
    )
    assert row.ip_address == ADDRESS
    assert row.case == case


def test_a_refused_person_writes_a_denied_row(world, client_for):
    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    before = last_log_id()

    response = client_for(world.health_practitioner).get(f"/cases/people/{child.pk}/")

    assert response.status_code == 404
    row = new_rows(before).get()
    assert (row.user, row.action, row.record_type, row.record_id) == (
        world.health_practitioner,
        "denied",
        "person",
        child.pk,
    )
    assert row.person == child  # so the administrator's "who viewed this child" shows refusals too


@pytest.mark.parametrize("url", [*CASE_ENDPOINTS, pytest.param("/cases/people/{}/", id="person page")])
def test_a_missing_record_writes_no_row(world, client_for, url):
    open_case(world)
    before = last_log_id()

    response = client_for(world.lead).get(url.format(MISSING_ID))

    assert response.status_code == 404
    assert not new_rows(before).exists()


# --- The log is append-only ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda rows: rows.update(action=AccessLog.Action.PRINT), id="update"),
        pytest.param(lambda rows: rows.update(user=None, ip_address=None), id="update who and where"),
        pytest.param(lambda rows: rows.delete(), id="delete"),
    ],
)
def test_the_access_log_cannot_be_changed(world, client_for, change):
    case = open_case(world)
    client_for(world.lead).get(f"/cases/{case.pk}/", REMOTE_ADDR=ADDRESS)
    rows = AccessLog.objects.filter(case=case)

    with pytest.raises(DatabaseError, match="Cannot update or delete rows"), transaction.atomic():
        change(rows)

    assert list(rows.values_list("user", "action", "ip_address")) == [(world.lead.pk, "view", ADDRESS)]


# --- Who viewed this child? ---------------------------------------------------------------------


def rename(user: User, first: str, last: str) -> str:
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    return f"{first} {last}"


def test_an_administrator_sees_who_viewed_a_child(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    other_case = open_case(world, members=[(world.health_practitioner, "Health visitor")])
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    lead = rename(world.lead, "Rosalind", "Ashcombe")
    duty = rename(world.duty_manager, "Barnaby", "Featherstone")
    school = rename(world.school_practitioner, "Wilhelmina", "Neverlooked")
    health = rename(world.health_practitioner, "Cosmo", "Elsewhere")
    client_for(world.lead).get(f"/cases/{case.pk}/")
    client_for(world.duty_manager).get(f"/cases/people/{child.pk}/")
    client_for(world.health_practitioner).get(f"/cases/{other_case.pk}/")

    response = client_for(world.administrator).get(f"/cases/access-log/?person={child.pk}")

    assert response.status_code == 200
    page = response.content.decode()
    assert escape(child.full_name) in page
    assert escape(lead) in page
    assert escape(duty) in page
    assert case.reference in page
    assert escape(school) not in page  # in the team, but never opened the record
    assert escape(health) not in page  # viewed another family only
    assert other_case.reference not in page


@pytest.mark.parametrize(
    "viewer", ["lead", "team_manager", "duty_manager", "panel_coordinator", "analyst", "school_practitioner"]
)
def test_only_administrators_see_the_access_log(world, client_for, viewer):
    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    client_for(world.lead).get(f"/cases/{case.pk}/")

    response = client_for(getattr(world, viewer)).get(f"/cases/access-log/?person={child.pk}")

    assert response.status_code == 403
    assert "Who viewed a record" not in response.content.decode()


# --- Change history ----------------------------------------------------------------------------------


def test_history_keeps_a_bulk_update_of_a_case(world):
    case = open_case(world)
    CaseEvent = apps.get_model("cases", "CaseEvent")
    before = CaseEvent.objects.filter(pgh_obj=case).count()

    Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSURE_REQUESTED)

    events = CaseEvent.objects.filter(pgh_obj=case).order_by("-pgh_id")
    assert events.count() == before + 1
    assert (events[0].pgh_label, events[0].status) == ("update", CaseStatus.CLOSURE_REQUESTED)
    assert events[1].status == CaseStatus.ACTIVE


def test_who_viewed_a_child_gives_each_view_once_however_many_the_family(world):
    """A view logged with the child and their family's case is one row, not one per family member."""
    from cases.audit import Subject, access_log_record
    from cases.selectors import person_viewers

    case = open_case(world)
    child = Person.objects.get(memberships__family=case.family, kind=Person.Kind.CHILD)
    assert case.family.memberships.count() > 1
    access_log_record(
        user=world.lead,
        action=AccessLog.Action.VIEW,
        record_type="case",
        record_id=case.pk,
        subject=Subject(case_id=case.pk, person_ids=(child.pk,)),
    )

    rows = list(person_viewers(person=child))

    assert len(rows) == len({row.pk for row in rows}) == AccessLog.objects.filter(case=case).count()
