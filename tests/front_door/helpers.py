"""Helpers shared by the front door's tests."""

from cases.models import Person
from front_door import services
from front_door.models import Decision, DecisionOutcome
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


def decide(world, referral, destination, outcome=DecisionOutcome.EARLY_HELP) -> Decision:
    """The duty manager's decision on `referral`, to `destination` (a Destination), at level 3."""
    return services.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=outcome,
        level_of_need=world.level3,
        reason="Level 3 needs: several agencies are involved.",
        destination=destination,
    )
