"""A referral as its pages read it is compiled once per shape of user: each user still gets what the
built query gives them."""

from front_door import selectors
from front_door.permissions import referrals_for_user

VIEWERS = ["duty_manager", "school_practitioner", "health_practitioner", "lead", "analyst", "panel_coordinator"]


def test_each_viewer_gets_what_the_built_query_gives(world, submit_referral, client_for):
    referrals = [submit_referral(), submit_referral()]
    for viewer in VIEWERS:
        user = getattr(world, viewer)
        for referral in referrals:
            compiled = selectors.REFERRAL_PAGE.page(user, limit=1, referral_id=referral.pk)
            built = list(referrals_for_user(user).filter(pk=referral.pk))
            assert [r.pk for r in compiled] == [r.pk for r in built], viewer


def test_the_referrer_sees_their_own_and_another_referrer_does_not(world, submit_referral):
    referral = submit_referral()

    assert selectors.REFERRAL_PAGE.page(referral.referrer, limit=1, referral_id=referral.pk) == [referral]
    assert selectors.REFERRAL_PAGE.page(world.health_practitioner, limit=1, referral_id=referral.pk) == []
