"""Removing someone from the team around the family asks first, on a page of its own (it works
without JavaScript); only the POST from that page removes them."""

from cases.models import CaseMember
from tests.conftest import open_case


def test_remove_is_a_link_to_a_page_that_asks_first(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    member = CaseMember.objects.get(case=case, user=world.school_practitioner)
    client = client_for(world.lead)
    url = f"/cases/{case.pk}/team/{member.pk}/remove/"
    name = world.school_practitioner.get_full_name()

    case_page = client.get(f"/cases/{case.pk}/").content.decode()
    page = client.get(url)

    assert f'<a class="govuk-link" href="{url}">Remove<span class="govuk-visually-hidden"> {name} from the team' in (
        case_page
    )
    html = page.content.decode()
    assert page.status_code == 200
    assert f"Are you sure you want to remove {name} from the team?" in html
    assert "Designated safeguarding lead" in html
    assert f">Yes, remove {name}</button>" in html
    assert f'href="/cases/{case.pk}/">No, go back to the case</a>' in html
    member.refresh_from_db()
    assert member.ended_at is None


def test_confirming_removes_them(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    member = CaseMember.objects.get(case=case, user=world.school_practitioner)
    client = client_for(world.lead)

    response = client.post(f"/cases/{case.pk}/team/{member.pk}/remove/")

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.ended_at is not None
    assert "removed from the team around the family" in client.get(response["Location"]).content.decode()


def test_only_those_who_manage_the_team_are_asked(world, client_for):
    case = open_case(world, members=[(world.school_practitioner, "Designated safeguarding lead")])
    member = CaseMember.objects.get(case=case, user=world.school_practitioner)
    url = f"/cases/{case.pk}/team/{member.pk}/remove/"

    assert client_for(world.school_practitioner).get(url).status_code == 404
    assert client_for(world.health_practitioner).get(url).status_code == 404
    assert client_for(world.lead).get(f"/cases/{case.pk}/team/999999/remove/").status_code == 404
