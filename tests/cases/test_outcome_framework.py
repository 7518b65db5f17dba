"""The outcomes framework as versioned data: Supporting Families 2022's ten headline outcomes with
their descriptors of need and of the evidence of a good outcome, Troubled Families 2015's six
headline problems seeded inactive, a need pointing at a descriptor of its own area only, and the
admin where a council copies a version to make its own (and cannot delete one in use)."""

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from cases.models import DescriptorKind, IdentifiedNeed, OutcomeArea, OutcomeDescriptor, OutcomeFramework
from cases.needs import DESCRIPTOR_NOT_OF_AREA, need_record
from cases.outcome_frameworks import seed_supporting_families_descriptors, seed_troubled_families
from tests.conftest import open_case

NEED, EVIDENCE = DescriptorKind.NEED, DescriptorKind.EVIDENCE
FRAMEWORKS = "/admin/cases/outcomeframework/"


def kinds(area: OutcomeArea) -> tuple[int, int]:
    return (area.descriptors.filter(kind=NEED).count(), area.descriptors.filter(kind=EVIDENCE).count())


def test_each_supporting_families_outcome_has_descriptors_of_need_and_of_evidence(db):
    framework = OutcomeFramework.objects.get(name="Supporting Families", version="2022")
    counts = {area.code: kinds(area) for area in framework.areas.all()}

    assert framework.active and len(counts) == 10
    assert all(3 <= needs <= 6 and 1 <= evidence <= 3 for needs, evidence in counts.values()), counts
    education = framework.areas.get(code="good-education")
    assert education.descriptors.get(kind=NEED, code="persistent-absence").text.startswith("Persistent absence")
    assert education.descriptors.get(kind=EVIDENCE, code="attendance-above-90").text == (
        "Attendance above 90% for 3 consecutive school terms"
    )


def test_troubled_families_2015_is_seeded_inactive_with_its_six_headline_problems(db):
    framework = OutcomeFramework.objects.get(name="Troubled Families", version="2015")

    assert framework.active is False
    assert list(framework.areas.order_by("position").values_list("name", flat=True)) == [
        "Crime and anti-social behaviour",
        "Children not attending school regularly",
        "Children who need help",
        "Worklessness and financial exclusion",
        "Domestic violence and abuse",
        "Health problems",
    ]
    assert all(kinds(area)[0] >= 2 and kinds(area)[1] >= 1 for area in framework.areas.all())
    assert str(OutcomeFramework.objects.get(active=True)) == "Supporting Families 2022"


def test_seeding_again_adds_nothing_and_keeps_a_councils_wording(db):
    persistent = OutcomeDescriptor.objects.get(area__framework__version="2022", code="persistent-absence")
    persistent.text = "Attendance below 90%"
    persistent.save()
    before = OutcomeDescriptor.objects.count()

    seed_supporting_families_descriptors(django_apps)
    seed_troubled_families(django_apps)

    assert OutcomeDescriptor.objects.count() == before
    assert OutcomeFramework.objects.filter(name="Troubled Families").count() == 1
    persistent.refresh_from_db()
    assert persistent.text == "Attendance below 90%"


def test_a_need_points_at_a_descriptor_of_need_of_its_own_area_only(world):
    case = open_case(world)
    education = OutcomeArea.objects.get(framework__active=True, code="good-education")
    housing = OutcomeArea.objects.get(framework__active=True, code="housing")
    absence = education.descriptors.get(kind=NEED, code="persistent-absence")

    need = need_record(
        actor=world.lead, case=case, area=education, descriptor=absence, description="Attendance 78% this term."
    )

    assert IdentifiedNeed.objects.get(pk=need.pk).descriptor == absence
    for wrong in (housing.descriptors.filter(kind=NEED).first(), education.descriptors.filter(kind=EVIDENCE).first()):
        with pytest.raises(ValidationError) as error:
            need_record(actor=world.lead, case=case, area=education, descriptor=wrong, description="Absence.")
        assert error.value.message_dict == {"descriptor": [DESCRIPTOR_NOT_OF_AREA]}
    assert IdentifiedNeed.objects.count() == 1


def test_a_council_copies_a_version_with_its_areas_and_descriptors_then_makes_it_active(world, client_for):
    admin = client_for(world.superuser)
    source = OutcomeFramework.objects.get(active=True)

    copied = admin.post(FRAMEWORKS, {"action": "copy_as_new_version", "_selected_action": [source.pk]}, follow=True)
    admin.post(FRAMEWORKS, {"action": "copy_as_new_version", "_selected_action": [source.pk]})

    copy = OutcomeFramework.objects.get(name="Supporting Families", version="2022 copy")
    assert "Supporting Families 2022 copy made from Supporting Families 2022, inactive" in copied.content.decode()
    assert OutcomeFramework.objects.filter(name="Supporting Families", version="2022 copy 2").exists()
    assert copy.active is False
    assert list(copy.areas.values_list("code", "name", "position")) == list(
        source.areas.values_list("code", "name", "position")
    )
    assert sorted(
        OutcomeDescriptor.objects.filter(area__framework=copy).values_list("area__code", "kind", "code", "text")
    ) == sorted(
        OutcomeDescriptor.objects.filter(area__framework=source).values_list("area__code", "kind", "code", "text")
    )

    admin.post(FRAMEWORKS, {"action": "make_active", "_selected_action": [copy.pk]})

    assert list(OutcomeFramework.objects.filter(active=True)) == [copy]


def test_a_version_with_needs_cannot_be_deleted_and_an_unused_one_can(world, client_for):
    admin = client_for(world.superuser)
    case = open_case(world)
    old = OutcomeFramework.objects.get(name="Supporting Families", version="2022")
    need_record(actor=world.lead, case=case, area=old.areas.get(code="housing"), description="Rent arrears.")
    unused = OutcomeFramework.objects.get(name="Troubled Families")
    admin.post(FRAMEWORKS, {"action": "make_active", "_selected_action": [unused.pk]})

    refused = admin.post(f"{FRAMEWORKS}{old.pk}/delete/", {"post": "yes"}, follow=True)
    admin.post(FRAMEWORKS, {"action": "make_active", "_selected_action": [old.pk]})
    deleted = admin.post(f"{FRAMEWORKS}{unused.pk}/delete/", {"post": "yes"})

    assert "Supporting Families 2022 cannot be deleted: identified needs are tagged with its outcomes" in (
        refused.content.decode()
    )
    assert OutcomeFramework.objects.filter(pk=old.pk).exists()
    assert deleted.status_code == 302
    assert not OutcomeFramework.objects.filter(pk=unused.pk).exists()
    assert not OutcomeArea.objects.filter(framework_id=unused.pk).exists()


def test_an_areas_admin_page_edits_its_descriptors_with_labelled_fields(world, client_for):
    admin = client_for(world.superuser)
    area = OutcomeArea.objects.get(framework__active=True, code="housing")

    listing = admin.get("/admin/cases/outcomearea/")
    page = admin.get(f"/admin/cases/outcomearea/{area.pk}/change/").content.decode()

    assert listing.status_code == 200 and "Secure housing" in listing.content.decode()
    assert 'for="id_descriptors-0-text"' in page and 'for="id_descriptors-0-kind"' in page
    assert "The family is homeless or at risk of homelessness" in page
