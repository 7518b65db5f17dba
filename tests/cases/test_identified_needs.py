"""Identified needs: recorded by the case's lead professional (or their manager) for a family member
or the whole family, tagged to an area of the active outcomes framework, their status changed by
the allowed moves only, each written in the chronology; read grouped by area in one query; the
framework's versions, one active at a time; the admin."""

import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from cases import services
from cases.models import ChronologyEntry, IdentifiedNeed, NeedStatus, OutcomeArea, OutcomeFramework
from cases.needs import (
    NEED_TRANSITIONS,
    case_needs_by_area,
    need_record,
    need_update_status,
    outcome_areas_active,
    outcome_framework_activate,
)
from tests.conftest import open_case
from tests.factories import PersonFactory

N = NeedStatus

# Written out by hand, so a change to the service's table has to be made here too.
EXPECTED_TRANSITIONS = {
    (N.OPEN, N.MET),
    (N.OPEN, N.NO_LONGER_A_NEED),
    (N.MET, N.OPEN),
    (N.NO_LONGER_A_NEED, N.OPEN),
}


def area(code: str) -> OutcomeArea:
    return OutcomeArea.objects.get(framework__active=True, code=code)


def child_of(case):
    return case.family.people.get(kind="child")


@pytest.fixture
def case(world):
    return open_case(world, status="active", members=[(world.school_practitioner, "School")])


def test_the_lead_records_a_need_about_a_child_and_the_chronology_says_so(world, case):
    child = child_of(case)

    need = need_record(
        actor=world.lead,
        case=case,
        area=area("good-education"),
        person=child,
        description="  Attendance 78% this term.  ",
    )

    need.refresh_from_db()
    assert (need.status, need.person, need.recorded_by) == (N.OPEN, child, world.lead)
    assert need.description == "Attendance 78% this term."
    assert need.status_changed_at is None
    entry = ChronologyEntry.objects.get(case=case, event="need_identified")
    assert entry.summary == f"Need identified (Getting a good education) for {child.full_name}"
    assert entry.body == "Attendance 78% this term."
    assert entry.author == world.lead


def test_a_need_of_the_whole_family_has_no_person(world, case):
    need = need_record(actor=world.team_manager, case=case, area=area("housing"), description="Rent arrears.")

    assert need.person is None
    assert ChronologyEntry.objects.get(case=case, event="need_identified").summary == (
        "Need identified (Secure housing) for the whole family"
    )


def test_what_is_missing_or_wrong_is_said_for_each_field(world, case):
    stranger = PersonFactory(kind="child")
    # An area of a version that is not active (Troubled Families 2015 is seeded inactive).
    old_area = OutcomeArea.objects.get(framework__name="Troubled Families", code="crime-and-anti-social-behaviour")

    with pytest.raises(ValidationError) as error:
        need_record(actor=world.lead, case=case, area=old_area, person=stranger, description="  ")

    assert error.value.message_dict == {
        "area": ["Choose the outcome area the need is about"],
        "person": ["Choose a member of this family, or the whole family"],
        "description": ["Enter what the need is"],
    }
    with pytest.raises(ValidationError) as error:
        need_record(actor=world.lead, case=case, area=None, description="Debt.")
    assert error.value.message_dict == {"area": ["Choose the outcome area the need is about"]}
    assert not IdentifiedNeed.objects.exists()


@pytest.mark.parametrize("who", ["school_practitioner", "other_lead", "panel_coordinator", "duty_manager"])
def test_only_the_lead_or_their_manager_records_needs(world, case, who):
    with pytest.raises(PermissionDenied):
        need_record(actor=getattr(world, who), case=case, area=area("housing"), description="Rent arrears.")

    assert not IdentifiedNeed.objects.exists()


def test_a_closed_case_takes_no_new_needs_and_its_needs_do_not_change(world):
    case = open_case(world, status="closure_requested")
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")
    services.case_sign_off_closure(actor=world.team_manager, case=case)

    with pytest.raises(ValidationError, match="The case is closed"):
        need_record(actor=world.lead, case=case, area=area("housing"), description="Damp.")
    with pytest.raises(ValidationError, match="The case is closed"):
        need_update_status(actor=world.lead, need=need, status=N.MET)


def test_the_service_table_is_the_expected_one():
    assert set(NEED_TRANSITIONS) == EXPECTED_TRANSITIONS


def set_status(need, status, actor):
    IdentifiedNeed.objects.filter(pk=need.pk).update(
        status=status, status_changed_at=need.recorded_at, status_changed_by=actor
    )


@pytest.mark.parametrize(("frm", "to"), sorted(EXPECTED_TRANSITIONS))
def test_each_allowed_change_of_status_is_made(world, case, frm, to):
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")
    set_status(need, frm, world.lead)

    changed = need_update_status(actor=world.lead, need=need, status=to, note="Why it changed.")

    assert IdentifiedNeed.objects.get(pk=need.pk).status == changed.status == to


FORBIDDEN = sorted(set(itertools.permutations(N.values, 2)) - EXPECTED_TRANSITIONS)


@pytest.mark.parametrize(("frm", "to"), FORBIDDEN)
def test_each_forbidden_change_of_status_is_refused(world, case, frm, to):
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")
    set_status(need, frm, world.lead)

    with pytest.raises(ValidationError):
        need_update_status(actor=world.lead, need=need, status=to, note="Why it changed.")

    assert IdentifiedNeed.objects.get(pk=need.pk).status == frm


def test_there_are_forbidden_changes_to_test():
    assert FORBIDDEN == [(N.MET, N.NO_LONGER_A_NEED), (N.NO_LONGER_A_NEED, N.MET)]


def test_a_need_met_records_who_and_when_in_the_need_its_history_and_the_chronology(world, case):
    need = need_record(
        actor=world.lead, case=case, area=area("good-education"), person=child_of(case), description="Attendance."
    )

    met = need_update_status(actor=world.team_manager, need=need, status=N.MET)

    met.refresh_from_db()
    assert (met.status, met.status_changed_by, met.status_note) == (N.MET, world.team_manager, "")
    assert met.status_changed_at is not None
    assert list(met.events.order_by("pgh_id").values_list("status", flat=True)) == [N.OPEN, N.MET]
    entry = ChronologyEntry.objects.get(case=case, event="need_status_changed")
    assert entry.summary == f"Need met (Getting a good education) for {child_of(case).full_name}"


def test_no_longer_a_need_and_opening_again_say_why(world, case):
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")

    with pytest.raises(ValidationError) as error:
        need_update_status(actor=world.lead, need=need, status=N.NO_LONGER_A_NEED, note=" ")
    assert error.value.message_dict == {"note": ["Enter why it is no longer a need"]}
    need_update_status(actor=world.lead, need=need, status=N.NO_LONGER_A_NEED, note="The family moved.")
    with pytest.raises(ValidationError) as error:
        need_update_status(actor=world.lead, need=need, status=N.OPEN)
    assert error.value.message_dict == {"note": ["Enter why the need has opened again"]}
    with pytest.raises(ValidationError) as error:
        need_update_status(actor=world.lead, need=need, status=N.NO_LONGER_A_NEED, note="Again.")
    assert error.value.message_dict == {"status": ["The need is already no longer a need"]}
    with pytest.raises(ValidationError) as error:
        need_update_status(actor=world.lead, need=need, status="solved", note="Again.")
    assert error.value.message_dict == {"status": ["Choose whether the need is met, no longer a need, or open"]}

    reopened = need_update_status(actor=world.lead, need=need, status=N.OPEN, note="Arrears again.")

    assert (reopened.status, reopened.status_note) == (N.OPEN, "Arrears again.")
    assert ChronologyEntry.objects.filter(case=case, event="need_status_changed").count() == 2


def test_a_team_member_does_not_change_a_needs_status(world, case):
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")

    with pytest.raises(PermissionDenied):
        need_update_status(actor=world.school_practitioner, need=need, status=N.MET)

    assert IdentifiedNeed.objects.get(pk=need.pk).status == N.OPEN


def test_the_database_refuses_a_changed_status_without_who_changed_it(world, case):
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")

    with pytest.raises(IntegrityError), transaction.atomic():
        IdentifiedNeed.objects.filter(pk=need.pk).update(status=N.MET)


def test_a_cases_needs_come_grouped_by_area_in_the_frameworks_order_in_one_query(
    world, case, django_assert_num_queries
):
    child, parent = child_of(case), case.family.people.get(kind="adult")
    housing = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")
    attendance = need_record(
        actor=world.lead, case=case, area=area("good-education"), person=child, description="Attendance."
    )
    debt = need_record(
        actor=world.lead, case=case, area=area("financial-stability"), person=parent, description="Debt."
    )
    exclusion = need_record(
        actor=world.lead, case=case, area=area("good-education"), person=child, description="Exclusions."
    )
    need_update_status(actor=world.lead, need=attendance, status=N.MET)
    other = open_case(world, status="active")
    need_record(actor=world.lead, case=other, area=area("housing"), description="Someone else's.")

    with django_assert_num_queries(1):
        groups = case_needs_by_area(case=case)
        rows = [
            (g.area.name, g.open_count, [(n.description, str(n.person or ""), n.recorded_by.username) for n in g.needs])
            for g in groups
        ]

    assert rows == [
        (
            "Getting a good education",
            1,
            [("Attendance.", child.full_name, "lead"), ("Exclusions.", child.full_name, "lead")],
        ),
        ("Secure housing", 1, [("Rent arrears.", "", "lead")]),
        ("Financial stability", 1, [("Debt.", parent.full_name, "lead")]),
    ]
    assert [n.pk for g in groups for n in g.needs] == [attendance.pk, exclusion.pk, housing.pk, debt.pk]


def test_the_query_count_does_not_grow_with_the_needs(world, case, django_assert_num_queries):
    for code in ("good-education", "housing", "crime", "health", "early-years", "domestic-abuse"):
        for person in (None, child_of(case)):
            need_record(actor=world.lead, case=case, area=area(code), person=person, description=f"{code} need.")

    with django_assert_num_queries(1):
        groups = case_needs_by_area(case=case)
        names = [(g.area.framework.name, str(n.person or ""), n.recorded_by.username) for g in groups for n in g.needs]

    assert len(groups) == 6
    assert len(names) == 12


def test_a_new_version_made_active_takes_over_and_the_old_one_keeps_its_needs(world, case):
    old = OutcomeFramework.objects.get(active=True)
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")
    new = OutcomeFramework.objects.create(name="Supporting Families", version="2026")
    OutcomeArea.objects.create(framework=new, code="housing", name="Safe and secure housing", position=1)

    outcome_framework_activate(framework=new)

    assert list(OutcomeFramework.objects.filter(active=True)) == [new]
    assert [a.name for a in outcome_areas_active()] == ["Safe and secure housing"]
    with pytest.raises(ValidationError):
        need_record(actor=world.lead, case=case, area=old.areas.get(code="housing"), description="Damp in the bedroom.")
    assert IdentifiedNeed.objects.get(pk=need.pk).area.framework == old
    assert [g.area.name for g in case_needs_by_area(case=case)] == ["Secure housing"]


def test_the_database_keeps_one_version_active(world):
    with pytest.raises(IntegrityError), transaction.atomic():
        OutcomeFramework.objects.create(name="Local outcomes", version="1", active=True)


def test_the_admin_lists_versions_and_makes_one_active(world, client_for):
    admin = client_for(world.superuser)
    new = OutcomeFramework.objects.create(name="Local outcomes", version="1")

    listing = admin.get("/admin/cases/outcomeframework/")
    page = admin.get(f"/admin/cases/outcomeframework/{new.pk}/change/")
    response = admin.post(
        "/admin/cases/outcomeframework/",
        {"action": "make_active", "_selected_action": [new.pk]},
        follow=True,
    )

    assert listing.status_code == 200 and "Supporting Families" in listing.content.decode()
    assert page.status_code == 200
    assert "Local outcomes 1 is now the active version" in response.content.decode()
    assert list(OutcomeFramework.objects.filter(active=True)) == [new]


def test_the_admin_shows_needs_without_changing_them(world, case, client_for):
    admin = client_for(world.superuser)
    need = need_record(actor=world.lead, case=case, area=area("housing"), description="Rent arrears.")

    listing = admin.get("/admin/cases/identifiedneed/")
    page = admin.get(f"/admin/cases/identifiedneed/{need.pk}/change/")
    add = admin.get("/admin/cases/identifiedneed/add/")
    post = admin.post(f"/admin/cases/identifiedneed/{need.pk}/change/", {"status": "met"})

    assert (listing.status_code, page.status_code, add.status_code, post.status_code) == (200, 200, 403, 403)
    assert IdentifiedNeed.objects.get(pk=need.pk).status == N.OPEN
