"""The synthetic county: proportions, integrity and that the pages work on it."""

from django.apps import apps as django_apps
from django.core.management import call_command
from django.db import connection

from cases.configuration import seed_configuration
from cases.models import Case, CaseStatus, ChronologyEntry, Family, Person, User
from front_door.models import Referral, ReferralStatus


def test_a_small_county_is_generated_with_every_state_and_valid_links(db, client):
    call_command("generate_dataset", families=120, seed=7)

    assert Family.objects.count() == 120
    assert 250 <= Person.objects.count() <= 400
    assert Referral.objects.count() == 500
    assert Referral.objects.filter(duplicate_of__isnull=False).exists()
    assert Referral.objects.filter(status=ReferralStatus.AWAITING_DECISION).count() >= 20
    assert Case.objects.count() == 80
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    assert ChronologyEntry.objects.count() == 80 * 50
    assert Person.objects.filter(last_name__in=["Nguyễn", "Ó Súilleabháin", "Wiśniewski"]).exists()
    assert not Person.objects.exclude(nhs_number__startswith="999").exists()
    # Triggers were off for the load: check by hand that every foreign key points somewhere.
    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT count(*) FROM cases_chronologyentry c LEFT JOIN cases_case k ON k.id = c.case_id
               WHERE k.id IS NULL"""
        )
        assert cursor.fetchone() == (0,)
        cursor.execute(
            """SELECT count(*) FROM front_door_referralperson p LEFT JOIN cases_person x ON x.id = p.person_id
               WHERE p.person_id IS NOT NULL AND x.id IS NULL"""
        )
        assert cursor.fetchone() == (0,)

    lead = User.objects.filter(username__startswith="bench.lead").first()
    client.force_login(lead)
    case = Case.objects.filter(lead_professional=lead).first()
    assert client.get("/").status_code == 200
    assert client.get(f"/cases/{case.pk}/").status_code == 200


def test_the_same_seed_gives_the_same_county(db):
    call_command("generate_dataset", families=20, seed=3)
    first = list(Person.objects.order_by("id").values_list("first_name", "last_name", "date_of_birth", "nhs_number"))
    call_command("flush", interactive=False)
    seed_configuration(django_apps)
    call_command("generate_dataset", families=20, seed=3)
    second = list(Person.objects.order_by("id").values_list("first_name", "last_name", "date_of_birth", "nhs_number"))

    assert [(f, s, n) for f, s, _, n in first] == [(f, s, n) for f, s, _, n in second]


def test_a_second_run_adds_to_the_county_without_clashing(db):
    call_command("generate_dataset", families=20, seed=3)
    call_command("generate_dataset", families=20, seed=3)

    assert Family.objects.count() == 40
