"""factory-boy factories: synthetic people only (names from cases.synthetic, NHS numbers from the
999 test range)."""

import datetime
import random

import factory
from django.contrib.auth.models import Group

from cases.models import Agency, AgencyType, Family, FamilyMembership, Locality, Person, Team, User
from cases.synthetic import FIRST_NAMES_ADULT, FIRST_NAMES_CHILD, LAST_NAMES, synthetic_nhs_number

_rng = random.Random(7)


class LocalityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Locality
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"locality-{n}")
    name = factory.Sequence(lambda n: f"Locality {n}")


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency

    name = factory.Sequence(lambda n: f"Agency {n}")
    agency_type = factory.LazyFunction(lambda: AgencyType.objects.get(code="council-early-help"))
    locality = factory.SubFactory(LocalityFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    agency = factory.SubFactory(AgencyFactory)
    locality = factory.SelfAttribute("agency.locality")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Iterator(FIRST_NAMES_ADULT)
    last_name = factory.Iterator(LAST_NAMES)
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    agency = factory.SubFactory(AgencyFactory)
    password = factory.django.Password("a-test-password-42")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if extracted:
            self.groups.set(Group.objects.filter(name__in=extracted))


class FamilyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Family

    name = factory.LazyFunction(lambda: f"{_rng.choice(LAST_NAMES)} family")
    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Mill Lane")
    town = "Exton"
    postcode = "EX1 1AB"
    locality = factory.SubFactory(LocalityFactory)


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    kind = Person.Kind.CHILD
    first_name = factory.LazyAttribute(
        lambda p: _rng.choice(FIRST_NAMES_CHILD if p.kind != Person.Kind.ADULT else FIRST_NAMES_ADULT)
    )
    last_name = factory.LazyFunction(lambda: _rng.choice(LAST_NAMES))
    date_of_birth = factory.LazyAttribute(
        lambda p: datetime.date(2016, 5, 17) if p.kind == Person.Kind.CHILD else datetime.date(1988, 2, 3)
    )
    nhs_number = factory.LazyFunction(lambda: synthetic_nhs_number(_rng))


def family_with_members(**kwargs) -> Family:
    """A family of one parent (with parental responsibility) and one child."""
    family = FamilyFactory(**kwargs)
    parent = PersonFactory(kind=Person.Kind.ADULT, last_name=family.name.split()[0])
    child = PersonFactory(kind=Person.Kind.CHILD, last_name=family.name.split()[0])
    FamilyMembership.objects.create(family=family, person=parent, parental_responsibility=True)
    FamilyMembership.objects.create(family=family, person=child)
    return family
