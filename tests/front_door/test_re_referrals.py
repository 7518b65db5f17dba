"""Re-referrals: a referral of a family within 12 months of a closed case links to that case when the
front door decides (and again when it amends), shows on the triage page, the case page and the API,
and is counted in the analysts' figures."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from cases.models import Case
from front_door import selectors, services
from front_door.models import Referral, ReferralStatus
from tests.conftest import open_case
from tests.front_door.helpers import decide, person_data

MONTH = datetime.timedelta(days=30.5)


def re_referred(world, submit_referral, case: Case) -> Referral:
    """A referral about the child of `case`'s family, named with their NHS number (so the decision
    links them to their record and family)."""
    child = case.family.people.get(kind="child")
    return submit_referral(people=[person_data(child)])


def visible_text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def closed_months_ago(world, months: int) -> Case:
    case = open_case(world, status="closed")
    Case.objects.filter(pk=case.pk).update(closed_at=timezone.now() - months * MONTH)
    return case


@pytest.mark.parametrize(("months", "linked"), [(11, True), (13, False)])
def test_the_decision_stores_the_case_closed_within_the_12_months_before(
    world, submit_referral, destinations, months, linked
):
    closed = closed_months_ago(world, months)
    referral = re_referred(world, submit_referral, closed)

    decide(world, referral, destinations["universal-advice"])

    referral.refresh_from_db()
    assert referral.re_referral_of_id == (closed.pk if linked else None)


def test_a_family_with_an_open_case_is_not_re_referred(world, submit_referral, destinations):
    case = open_case(world, status="active")
    referral = re_referred(world, submit_referral, case)

    decide(world, referral, destinations["targeted-family-support"])

    referral.refresh_from_db()
    assert referral.case_id == case.pk
    assert referral.re_referral_of_id is None


def test_an_amendment_works_the_link_out_again(world, submit_referral, destinations):
    closed = closed_months_ago(world, 11)
    referral = re_referred(world, submit_referral, closed)
    decision = decide(world, referral, destinations["universal-advice"])
    # As a referral decided before the links were stored.
    Referral.objects.filter(pk=referral.pk).update(re_referral_of=None)

    services.decision_amend(
        actor=world.duty_manager,
        decision=decision,
        outcome=decision.outcome,
        level_of_need=world.level3,
        reason="Signposting, with the school's support.",
        destination=destinations["specialist-service"],
    )

    referral.refresh_from_db()
    assert referral.re_referral_of_id == closed.pk


def test_the_pages_show_the_stored_link(world, client_for, submit_referral, destinations):
    closed = closed_months_ago(world, 11)
    referral = re_referred(world, submit_referral, closed)
    decide(world, referral, destinations["targeted-family-support"])
    referral.refresh_from_db()
    # The rule worked out now would find nothing: the pages show what the decision stored.
    Case.objects.filter(pk=closed.pk).update(closed_at=timezone.now() - 13 * MONTH)
    client = client_for(world.duty_manager)

    triage = client.get(reverse("front_door:triage", args=[referral.pk])).content.decode()
    case_page = client.get(f"/cases/{referral.case_id}/").content.decode()

    assert selectors.re_referral_case(referral=referral) is None
    assert f"Re-referral within 12 months of a closed case: {closed.reference}" in triage
    assert f"Re-referral within 12 months of the closed case {closed.reference}" in case_page


def test_the_api_gives_the_front_door_the_closed_case_and_the_referrer_nothing(world, submit_referral, destinations):
    closed = closed_months_ago(world, 11)
    referral = re_referred(world, submit_referral, closed)
    decide(world, referral, destinations["universal-advice"])

    def detail(user) -> dict:
        token, _ = Token.objects.get_or_create(user=user)
        api = APIClient()
        api.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
        response = api.get(f"/api/v1/referrals/{referral.pk}/")
        assert response.status_code == 200
        return response.json()

    assert detail(world.duty_manager)["re_referral_of"] == closed.reference
    assert detail(world.school_practitioner)["re_referral_of"] is None


def test_the_analysts_figures_count_the_re_referrals_received_in_the_12_months(
    world, client_for, submit_referral, destinations
):
    # In the 12 months: two re-referrals (of two families), one referral of a family closed 13
    # months before, one not yet decided. Before them: a re-referral received 13 months ago.
    for months in (11, 2, 13):
        referral = re_referred(world, submit_referral, closed_months_ago(world, months))
        decide(world, referral, destinations["universal-advice"])
    re_referred(world, submit_referral, closed_months_ago(world, 3))
    earlier = re_referred(world, submit_referral, closed_months_ago(world, 1))
    decide(world, earlier, destinations["universal-advice"])
    Referral.objects.filter(pk=earlier.pk).update(received_at=timezone.now() - 13 * MONTH)

    figures = selectors.referral_figures_count()
    home = client_for(world.analyst).get("/").content.decode()

    assert (figures["received"], figures["re_referrals"]) == (4, 2)
    assert Referral.objects.filter(re_referral_of__isnull=False).count() == 3
    assert "Referrals received 4 Re-referrals within 12 months of a closed case 2" in visible_text(home)


def test_the_county_generator_links_the_re_referrals_as_the_decision_would(db):
    call_command("generate_dataset", families=60, seed=11)
    decided = list(Referral.objects.filter(status=ReferralStatus.DECIDED).select_related("re_referral_of"))

    stored = {referral.pk: referral.re_referral_of for referral in decided}
    worked_out = {referral.pk: selectors.re_referral_case(referral=referral) for referral in decided}

    assert any(stored.values())
    assert stored == worked_out
