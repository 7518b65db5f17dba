"""A practitioner's drafts: named by the children in them, deleted on request after a page that
asks first, and deleted after 28 days unused by a daily task; a child opened from check your
answers on their own page to correct them; a person removed only after a page that asks first."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from earlyhelp.schedule import BEAT_SCHEDULE
from front_door import services
from front_door.intake_views import draft_name
from front_door.models import Channel, Referral, ReferralPerson, ReferralStatus
from front_door.services import PersonData
from front_door.tasks import delete_unused_drafts
from tests.front_door.test_intake_practitioner import child_post, date_parts, input_value


@pytest.fixture
def practitioner(world):
    return world.school_practitioner


@pytest.fixture
def client(client_for, practitioner):
    return client_for(practitioner)


@pytest.fixture
def draft(practitioner):
    return services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)


def child(first_name: str, last_name: str = "Smith", **fields) -> PersonData:
    return PersonData(kind="child", first_name=first_name, last_name=last_name, **fields)


def add(referral, *people: PersonData) -> list[ReferralPerson]:
    return [services.referral_person_add(referral=referral, data=person) for person in people]


# --- Names ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("children", "name"),
    [
        ([], "Draft: no children added yet"),
        ([child("Amy")], "Draft: referral for Amy Smith"),
        ([child("Amy"), child("Ben")], "Draft: referral for Amy and Ben Smith"),
        ([child("Amy"), child("Ben"), child("Cal")], "Draft: referral for Amy, Ben and Cal Smith"),
        ([child("Amy"), child("Ben", "Jones")], "Draft: referral for Amy Smith and Ben Jones"),
    ],
)
def test_a_draft_is_named_by_its_children(draft, children, name):
    add(draft, *children)
    add(draft, PersonData(kind="adult", first_name="Grace", last_name="Okafor", relationship="Mother"))

    assert draft_name(Referral.objects.prefetch_related("people").get(pk=draft.pk)) == name


def test_the_start_page_lists_drafts_by_name_with_a_delete_link(client, practitioner, draft):
    add(draft, child("Amy"), child("Ben"))
    empty = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)

    html = client.get("/referrals/new/").content.decode()

    assert f'href="/referrals/{draft.pk}/check/">Draft: referral for Amy and Ben Smith</a>' in html
    assert f'href="/referrals/{empty.pk}/check/">Draft: no children added yet</a>' in html
    assert (
        f'href="/referrals/{draft.pk}/delete/?back=/referrals/new/">Delete'
        '<span class="govuk-visually-hidden"> Draft: referral for Amy and Ben Smith</span></a>'
    ) in html
    assert "deleted after 28 days without changes" in html


# --- Deleting a draft ------------------------------------------------------------------------------------------------


def test_delete_asks_first_then_deletes_the_draft_and_its_people(client, draft):
    add(draft, child("Amy"))
    url = f"/referrals/{draft.pk}/delete/?back=/referrals/new/"

    page = client.get(url)

    html = page.content.decode()
    assert page.status_code == 200
    assert "Are you sure you want to delete this draft?" in html
    assert "Draft: referral for Amy Smith" in html
    assert 'href="/referrals/new/">No, go back</a>' in html
    assert Referral.objects.filter(pk=draft.pk).exists()

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == "/referrals/new/"
    assert not Referral.objects.filter(pk=draft.pk).exists()
    assert not ReferralPerson.objects.filter(referral_id=draft.pk).exists()
    assert "Draft deleted: referral for Amy Smith" in client.get(response["Location"]).content.decode()


def test_the_way_back_is_only_ever_a_page_of_this_service(client, draft):
    html = client.get(f"/referrals/{draft.pk}/delete/?back=https://evil.example/").content.decode()

    assert "evil.example" not in html
    assert f'href="/referrals/{draft.pk}/check/">No, go back</a>' in html


def test_only_the_practitioners_own_unsent_draft_can_be_deleted(client_for, world, draft, submit_referral):
    sent = submit_referral()

    assert client_for(world.health_practitioner).post(f"/referrals/{draft.pk}/delete/").status_code == 404
    response = client_for(world.school_practitioner).post(f"/referrals/{sent.pk}/delete/")
    assert response["Location"] == f"/referrals/{sent.pk}/submitted/"
    assert Referral.objects.filter(pk__in=[draft.pk, sent.pk]).count() == 2


# --- Deleted after 28 days unused ------------------------------------------------------------------------------------


def _age(referral: Referral, days: float) -> None:
    then = timezone.now() - datetime.timedelta(days=days)
    Referral.objects.filter(pk=referral.pk).update(created_at=then, updated_at=then)


def test_the_daily_task_deletes_only_drafts_unused_for_28_days_with_their_people(practitioner, submit_referral):
    old = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
    add(old, child("Amy"), child("Ben"))
    _age(old, 29)
    old_public = services.referral_create(channel=Channel.PUBLIC, referrer_name="Grace", referrer_email="g@example.org")
    add(old_public, child("Cal"))
    _age(old_public, 40)
    recent = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
    add(recent, child("Dan"))
    _age(recent, 27)
    # Made long ago, but an answer saved yesterday: not unused.
    used = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
    _age(used, 60)
    Referral.objects.filter(pk=used.pk).update(updated_at=timezone.now() - datetime.timedelta(days=1))
    sent = submit_referral()
    _age(sent, 90)

    deleted = delete_unused_drafts()

    assert deleted == 2
    assert set(Referral.objects.values_list("pk", flat=True)) == {recent.pk, used.pk, sent.pk}
    assert not ReferralPerson.objects.filter(referral_id__in=[old.pk, old_public.pk]).exists()
    assert ReferralPerson.objects.filter(referral_id=recent.pk).count() == 1
    assert sent.people.count() == 2
    assert delete_unused_drafts() == 0  # safe to run twice


def test_saving_an_answer_restarts_the_28_days(client, draft):
    _age(draft, 27)

    assert client.post(f"/referrals/{draft.pk}/children/", child_post()).status_code == 302

    draft.refresh_from_db()
    assert timezone.now() - draft.updated_at < datetime.timedelta(minutes=1)
    assert services.referral_drafts_delete_unused(now=timezone.now() + datetime.timedelta(days=27)) == 0
    assert services.referral_drafts_delete_unused(now=timezone.now() + datetime.timedelta(days=29)) == 1


def test_the_task_runs_once_a_day():
    entry = next(e for e in BEAT_SCHEDULE.values() if e["task"] == "front_door.tasks.delete_unused_drafts")

    assert entry["schedule"].remaining_estimate(timezone.now()) <= datetime.timedelta(days=1)
    assert len(entry["schedule"].hour) == 1 and len(entry["schedule"].minute) == 1


# --- Changing a child from check your answers ----------------------------------------------------------------------


def test_change_on_check_your_answers_opens_the_childs_own_page(client, draft):
    amy, ben = add(
        draft,
        child("Amy", date_of_birth=datetime.date(2016, 5, 17), gender="F", school="Riverside Primary School"),
        child("Ben", date_of_birth=datetime.date(2019, 9, 2)),
    )
    change = f"/referrals/{draft.pk}/people/{ben.pk}/?from=check"

    check = client.get(f"/referrals/{draft.pk}/check/").content.decode()
    page = client.get(change).content.decode()

    assert f'href="{change}">Change<span class="govuk-visually-hidden"> Ben Smith</span>' in check
    assert "<title>Change Ben Smith&#x27;s details - Make a referral" in page
    assert input_value(page, "first_name") == "Ben"
    assert input_value(page, "date_of_birth_0") == "2"
    assert input_value(page, "date_of_birth_2") == "2019"
    assert f'href="/referrals/{draft.pk}/check/" class="govuk-back-link"' in page

    response = client.post(
        change,
        child_post(first_name="Benjamin", nhs_number="", upn="", school="", **date_parts("date_of_birth", 3, 9, 2019)),
    )

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{draft.pk}/check/"
    ben.refresh_from_db()
    assert (ben.first_name, ben.date_of_birth) == ("Benjamin", datetime.date(2019, 9, 3))
    assert list(draft.people.order_by("id").values_list("pk", flat=True)) == [amy.pk, ben.pk]


def test_changing_a_child_checks_the_answers_and_keeps_what_was_typed(client, draft):
    (amy,) = add(draft, child("Amy", date_of_birth=datetime.date(2016, 5, 17)))

    response = client.post(
        f"/referrals/{draft.pk}/people/{amy.pk}/",
        child_post(first_name="Amelia", **date_parts("date_of_birth", 31, 2, 2016)),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Date of birth must be a real date" in html
    assert input_value(html, "first_name") == "Amelia"
    amy.refresh_from_db()
    assert amy.first_name == "Amy"


def test_a_person_of_another_draft_cannot_be_opened(client, practitioner, draft):
    other = services.referral_create(channel=Channel.PRACTITIONER, actor=practitioner)
    (amy,) = add(other, child("Amy"))

    assert client.get(f"/referrals/{draft.pk}/people/{amy.pk}/").status_code == 404
    assert client.post(f"/referrals/{draft.pk}/people/{amy.pk}/", child_post()).status_code == 404


# --- Removing a person asks first ------------------------------------------------------------------------------------


def test_remove_is_a_link_to_a_page_that_asks_first(client, draft):
    amy, grace = add(
        draft, child("Amy"), PersonData(kind="adult", first_name="Grace", last_name="Smith", relationship="Mother")
    )
    url = f"/referrals/{draft.pk}/people/{grace.pk}/remove/"

    adults = client.get(f"/referrals/{draft.pk}/adults/").content.decode()
    page = client.get(url)

    assert f'href="{url}">Remove<span class="govuk-visually-hidden"> Grace Smith</span></a>' in adults
    assert "<form" not in adults.split("Parents and carers you have added", 1)[1].split("</table>", 1)[0]
    html = page.content.decode()
    assert page.status_code == 200
    assert "Are you sure you want to remove Grace Smith?" in html
    assert ">Yes, remove Grace Smith</button>" in html
    assert f'href="/referrals/{draft.pk}/adults/">No, go back</a>' in html
    assert draft.people.count() == 2

    response = client.post(url)

    assert response["Location"] == f"/referrals/{draft.pk}/adults/"
    assert list(draft.people.all()) == [amy]


def test_removing_from_check_your_answers_returns_there(client, draft):
    amy, ben = add(draft, child("Amy"), child("Ben"))

    page = client.get(f"/referrals/{draft.pk}/people/{ben.pk}/remove/?from=check").content.decode()
    response = client.post(f"/referrals/{draft.pk}/people/{ben.pk}/remove/?from=check")

    assert f'href="/referrals/{draft.pk}/children/?from=check">No, go back</a>' in page
    assert response["Location"] == f"/referrals/{draft.pk}/children/?from=check"
    assert list(draft.people.all()) == [amy]
    assert Referral.objects.get(pk=draft.pk).status == ReferralStatus.DRAFT
