from django.core.management import call_command

from cases.models import Case, CaseStatus, Family, Person, User

DEMO_USERS = [
    "duty.manager",
    "panel.coordinator",
    "lead.professional",
    "school.practitioner",
    "team.manager",
    "analyst",
    "admin",
]


def test_demo_data_loads_once_with_every_role_and_state(db, client):
    call_command("load_demo_data")
    call_command("load_demo_data")

    assert Family.objects.count() == 40
    assert set(Case.objects.values_list("status", flat=True)) == set(CaseStatus.values)
    for username in DEMO_USERS:
        response = client.post(
            "/accounts/sign-in/", {"username": username, "password": "demo-password-123"}, follow=True
        )
        assert response.redirect_chain == [("/", 302)], username
        assert response.status_code == 200
        assert User.objects.get(username=username).first_name in response.content.decode()
        client.post("/accounts/sign-out/")


def test_demo_people_are_synthetic(db):
    call_command("load_demo_data")

    assert not Person.objects.exclude(nhs_number="").exclude(nhs_number__startswith="999").exists()
