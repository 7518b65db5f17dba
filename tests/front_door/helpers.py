"""Helpers shared by the front door's tests."""

from cases.models import Person
from front_door.services import PersonData


def person_data(person: Person) -> PersonData:
    """A referral's details of a person the system already knows, as a referrer would give them."""
    return PersonData(
        kind=person.kind,
        first_name=person.first_name,
        last_name=person.last_name,
        date_of_birth=person.date_of_birth,
        nhs_number=person.nhs_number,
    )
