"""The family network API: everyone in a case's family with how they are related, parental
responsibility, contact details and safety flags (a confidential address reads "Address
confidential" to all but those `cases.network.address_visible` names), adding someone beyond the
household, changing a member's details, recording a relationship. The pages' rules (cases/network.py)
decide; each view declares its access (cases/access.py)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, PermissionDenied, ValidationError
from rest_framework.response import Response

from earlyhelp.api_docs import DETAIL, FIELD_ERRORS, FORBIDDEN, UNAUTHENTICATED, UNSUPPORTED_MEDIA_TYPE
from earlyhelp.api_errors import service_errors, validated
from earlyhelp.api_parsers import JSONBodyParser

from .. import network
from ..access import CASE_DETAILS, SIGNED_IN, RecordAPIView
from ..models import FamilyMembership, Gender, Person, Relationship
from ..permissions import MANAGE_CASE, VIEW_CASE

NO_SUCH_CASE = OpenApiResponse(
    DETAIL, description="No such case, or not one whose family's details the caller may see (the same answer)"
)
NO_SUCH_CASE_TO_CHANGE = OpenApiResponse(
    DETAIL,
    description="No such case (or person in its family), or not one the caller leads or manages (the same answer)",
)


class NetworkPersonSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=Person.Kind.choices)
    first_name = serializers.CharField()
    last_name = serializers.CharField()
    gender = serializers.ChoiceField(choices=Gender.choices)
    date_of_birth = serializers.DateField(allow_null=True)
    in_household = serializers.BooleanField()
    parental_responsibility = serializers.BooleanField()
    phone = serializers.CharField()
    email = serializers.CharField()
    address = serializers.CharField(
        help_text='Blank when not known; "Address confidential" when hidden from the caller'
    )
    address_confidential = serializers.BooleanField()
    do_not_contact = serializers.BooleanField(help_text="Practitioners must not contact this person")
    related = serializers.ListField(
        child=serializers.CharField(), help_text='What they are to the others: "Grandparent of Amara Taylor"'
    )

    @staticmethod
    def row(member: network.NetworkPerson) -> dict:
        person = member.person
        return {
            "id": person.pk,
            "kind": person.kind,
            "first_name": person.first_name,
            "last_name": person.last_name,
            "gender": person.gender,
            "date_of_birth": person.date_of_birth,
            "in_household": member.membership.in_household,
            "parental_responsibility": member.membership.parental_responsibility,
            "phone": person.phone,
            "email": person.email,
            "address": member.address,
            "address_confidential": person.address_confidential,
            "do_not_contact": person.do_not_contact,
            "related": member.related,
        }


class RelationshipSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = serializers.IntegerField(help_text="A member of the family")
    related_person = serializers.IntegerField(help_text="Another member of the family: what they are to `person`")
    relationship = serializers.ChoiceField(
        choices=Relationship.Kind.choices, help_text="What `related_person` is to `person`"
    )


class NetworkSerializer(serializers.Serializer):
    people = NetworkPersonSerializer(many=True)
    relationships = RelationshipSerializer(many=True)


class ContactInSerializer(serializers.Serializer):
    phone = serializers.CharField(required=False, allow_blank=True, default="", max_length=30)
    email = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=254, help_text="An email address, or blank"
    )
    address = serializers.CharField(required=False, allow_blank=True, default="", max_length=1000)
    do_not_contact = serializers.BooleanField(required=False, default=False)
    address_confidential = serializers.BooleanField(required=False, default=False)

    def contact(self, data: dict) -> network.ContactDetails:
        return network.ContactDetails(
            phone=data["phone"],
            email=data["email"],
            address=data["address"],
            do_not_contact=data["do_not_contact"],
            address_confidential=data["address_confidential"],
        )


class NetworkPersonCreateSerializer(ContactInSerializer):
    first_name = serializers.CharField(max_length=100)
    last_name = serializers.CharField(max_length=100)
    kind = serializers.ChoiceField(
        choices=Person.Kind.choices, default=Person.Kind.ADULT, help_text="An adult or a child (not an unborn child)"
    )
    gender = serializers.ChoiceField(choices=Gender.choices, default=Gender.UNKNOWN)
    date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    related_to = serializers.IntegerField(help_text="The family member they are related to")
    relationship = serializers.ChoiceField(choices=Relationship.Kind.choices, help_text="What they are to `related_to`")
    parental_responsibility = serializers.BooleanField(required=False, default=False)


class NetworkPersonChangeSerializer(ContactInSerializer):
    parental_responsibility = serializers.BooleanField()
    in_household = serializers.BooleanField(required=False, allow_null=True, default=None)


def _member(case, person_id, field: str) -> Person:
    membership = FamilyMembership.objects.filter(family_id=case.family_id, person_id=person_id).first()
    if membership is None:
        raise ValidationError({field: ["There is no person with that id in this family"]})
    return membership.person


class _NetworkView(RecordAPIView):
    parser_classes = [JSONBodyParser]

    def case(self, *, log: bool = True, edit: bool = False):
        case = self.record(log=log)
        if not case.details_visible:
            raise NotFound("No case found")
        if edit and not network.network_can_edit(self.request.user, case):
            raise PermissionDenied("Only the lead professional or their team manager can change the family network.")
        return case

    def network(self, case) -> dict:
        people = [NetworkPersonSerializer.row(m) for m in network.family_network(case, user=self.request.user)]
        links = [
            {"id": r.pk, "person": r.person_id, "related_person": r.related_person_id, "relationship": r.kind}
            for r in network.family_relationships(case)
        ]
        return NetworkSerializer({"people": people, "relationships": links}).data


@extend_schema_view(
    get=extend_schema(
        summary="The family network: everyone in the family and their relationships",
        responses={200: NetworkSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    post=extend_schema(
        summary="Add someone beyond the household (the lead professional or their team manager)",
        request=NetworkPersonCreateSerializer,
        responses={
            201: NetworkPersonSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_CHANGE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseNetwork(_NetworkView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_CASE), CASE_DETAILS),
        "POST": (SIGNED_IN, ("case", MANAGE_CASE), CASE_DETAILS),
    }
    serializer_class = NetworkSerializer

    def get(self, request, case_id: int):
        return Response(self.network(self.case()))

    def post(self, request, case_id: int):
        case = self.case(log=False, edit=True)
        serializer = NetworkPersonCreateSerializer(data=request.data)
        data = validated(serializer)
        related_to = _member(case, data["related_to"], "related_to")
        with service_errors():
            person = network.network_person_add(
                actor=request.user,
                case=case,
                first_name=data["first_name"],
                last_name=data["last_name"],
                kind=data["kind"],
                gender=data["gender"],
                date_of_birth=data["date_of_birth"],
                related_to=related_to,
                relationship=data["relationship"],
                parental_responsibility=data["parental_responsibility"],
                contact=serializer.contact(data),
            )
        row = next(m for m in network.family_network(case, user=request.user) if m.person.pk == person.pk)
        return Response(NetworkPersonSerializer(NetworkPersonSerializer.row(row)).data, status=status.HTTP_201_CREATED)


@extend_schema_view(
    get=extend_schema(
        summary="One member of the family network",
        operation_id="v1_cases_network_person_retrieve",
        responses={200: NetworkPersonSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NO_SUCH_CASE},
    ),
    patch=extend_schema(
        summary="Change a member's parental responsibility, contact details and safety flags",
        operation_id="v1_cases_network_person_partial_update",
        request=NetworkPersonChangeSerializer,
        responses={
            200: NetworkPersonSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_CHANGE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseNetworkPerson(_NetworkView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_CASE), CASE_DETAILS),
        "PATCH": (SIGNED_IN, ("case", MANAGE_CASE), CASE_DETAILS),
    }
    serializer_class = NetworkPersonSerializer

    def _row(self, case, person_id: int):
        row = next((m for m in network.family_network(case, user=self.request.user) if m.person.pk == person_id), None)
        if row is None:
            raise NotFound("No person found")
        return row

    def get(self, request, case_id: int, person_id: int):
        return Response(NetworkPersonSerializer(NetworkPersonSerializer.row(self._row(self.case(), person_id))).data)

    def patch(self, request, case_id: int, person_id: int):
        case = self.case(log=False, edit=True)
        row = self._row(case, person_id)
        serializer = NetworkPersonChangeSerializer(data=request.data)
        data = validated(serializer)
        with service_errors():
            network.network_person_update(
                actor=request.user,
                case=case,
                person=row.person,
                parental_responsibility=data["parental_responsibility"],
                in_household=data["in_household"],
                contact=serializer.contact(data),
            )
        row = self._row(case, person_id)
        return Response(NetworkPersonSerializer(NetworkPersonSerializer.row(row)).data)


@extend_schema_view(
    post=extend_schema(
        summary="Record a relationship between two members of the family",
        request=RelationshipSerializer,
        responses={
            201: RelationshipSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE_TO_CHANGE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    ),
)
class CaseNetworkRelationships(_NetworkView):
    access = {"POST": (SIGNED_IN, ("case", MANAGE_CASE), CASE_DETAILS)}
    serializer_class = RelationshipSerializer

    def post(self, request, case_id: int):
        case = self.case(log=False, edit=True)
        data = validated(RelationshipSerializer(data=request.data))
        person = _member(case, data["person"], "person")
        related = _member(case, data["related_person"], "related_person")
        with service_errors():
            link = network.relationship_add(
                actor=request.user, case=case, person=person, related_person=related, kind=data["relationship"]
            )
        body = {
            "id": link.pk,
            "person": link.person_id,
            "related_person": link.related_person_id,
            "relationship": link.kind,
        }
        return Response(RelationshipSerializer(body).data, status=status.HTTP_201_CREATED)
