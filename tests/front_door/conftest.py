import datetime

import pytest

from cases.models import Destination, LevelOfNeed
from front_door import services
from front_door.models import Channel
from front_door.services import PersonData


@pytest.fixture
def child_data():
    return PersonData(
        kind="child",
        first_name="Amara",
        last_name="Okafor",
        date_of_birth=datetime.date(2016, 5, 17),
        nhs_number="9434765919",
        school="Riverside Primary School",
    )


@pytest.fixture
def parent_data():
    return PersonData(
        kind="adult",
        first_name="Grace",
        last_name="Okafor",
        date_of_birth=datetime.date(1988, 2, 3),
        relationship="Mother",
        parental_responsibility=True,
    )


@pytest.fixture
def submit_referral(world, child_data, parent_data):
    """A practitioner's referral received through the service, as the web form and API do."""

    def make(referrer=None, people=None, **fields):
        values = {
            "address_line_1": "12 Mill Lane",
            "town": "Exton",
            "postcode": "EX1 1AB",
            "concerns": "Amara has missed 20 days of school this term and seems withdrawn.",
            "tried_before": "Meetings with mum at school.",
            "expected_outcome": "Family support at home.",
            "level_of_need": LevelOfNeed.objects.get(code="level-3"),
            "consent_given": True,
        }
        values.update(fields)
        return services.referral_receive(
            channel=Channel.PRACTITIONER,
            actor=referrer or world.school_practitioner,
            people=people if people is not None else [child_data, parent_data],
            **values,
        )

    return make


@pytest.fixture
def destinations(db):
    return {d.code: d for d in Destination.objects.all()}
