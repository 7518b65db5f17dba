"""The 7-day duplicate rule holds when identical referrals arrive at the same moment (a double
click, a resend on a slow connection, four tabs): one is the original, the rest are linked to it."""

import datetime
import threading

import pytest
from django.db import connection

from front_door import services
from front_door.models import Channel, Referral, ReferrerRelationship
from front_door.services import PersonData

SENDERS = 4


def _child(**overrides) -> PersonData:
    values = {
        "kind": "child",
        "first_name": "Amara",
        "last_name": "Okafor",
        "date_of_birth": datetime.date(2016, 5, 17),
        "nhs_number": "9434765919",
    }
    return PersonData(**(values | overrides))


def _send_at_once(send) -> list[object]:
    """Runs `send(n)` in SENDERS threads released together; each thread's result or error."""
    barrier = threading.Barrier(SENDERS)
    results: list[object] = [None] * SENDERS

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = send(n)
        except Exception as error:  # reported by the assertions
            results[n] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(SENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


FIELDS = {
    "concerns": "Amara has missed 20 days of school this term.",
    "consent_given": True,
    "address_line_1": "12 Mill Lane",
    "town": "Exton",
    "postcode": "EX1 1AB",
}


@pytest.mark.django_db(transaction=True)
def test_four_identical_practitioner_referrals_at_once_are_one_original_and_three_duplicates(world):
    results = _send_at_once(
        lambda n: services.referral_receive(
            channel=Channel.PRACTITIONER, actor=world.school_practitioner, people=[_child()], **FIELDS
        )
    )

    assert all(isinstance(result, Referral) for result in results), results
    referrals = list(Referral.objects.order_by("received_at", "id"))
    original = referrals[0]
    assert len(referrals) == SENDERS
    assert original.duplicate_of is None
    assert [r.duplicate_of_id for r in referrals[1:]] == [original.pk] * (SENDERS - 1)


@pytest.mark.django_db(transaction=True)
def test_four_identical_public_requests_at_once_by_email_are_one_original(world):
    results = _send_at_once(
        lambda n: services.referral_receive(
            channel=Channel.PUBLIC,
            people=[_child(nhs_number="")],
            referrer_relationship=ReferrerRelationship.PARENT,
            referrer_name="Grace Okafor",
            # The same address however it is typed.
            referrer_email=["grace@example.org", "Grace@example.org", "GRACE@example.org", "grace@EXAMPLE.org"][n],
            **FIELDS,
        )
    )

    assert all(isinstance(result, Referral) for result in results), results
    assert Referral.objects.filter(duplicate_of__isnull=True).count() == 1
    original = Referral.objects.get(duplicate_of__isnull=True)
    assert Referral.objects.filter(duplicate_of=original).count() == SENDERS - 1


@pytest.mark.django_db(transaction=True)
def test_referrals_about_different_children_at_once_are_all_originals(world):
    names = ["Amara", "Leo", "Sami", "Noor"]
    nhs_numbers = ["9434765919", "9434765870", "9434765862", "9434765854"]

    results = _send_at_once(
        lambda n: services.referral_receive(
            channel=Channel.PRACTITIONER,
            actor=world.school_practitioner,
            people=[_child(first_name=names[n], nhs_number=nhs_numbers[n])],
            **FIELDS,
        )
    )

    assert all(isinstance(result, Referral) for result in results), results
    assert Referral.objects.filter(duplicate_of__isnull=True).count() == SENDERS
