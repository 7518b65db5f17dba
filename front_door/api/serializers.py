"""The front door API's shapes. Input serializers check types and lengths only, with messages a
person can act on; every rule about referrals and decisions stays in front_door.services."""

from __future__ import annotations

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from cases.models import Agency, Destination, Gender, LevelOfNeed, Locality

from ..models import Channel, Decision, DecisionOutcome, Referral, ReferralPerson, ReferralStatus, ReferrerLetter

TEXT_MAX = 10_000  # free-text answers: generous, but not unbounded
PEOPLE_MAX = 20
DATE_HELP = "YYYY-MM-DD, like 2016-05-17"


# --- Strict fields ------------------------------------------------------------------------------
# DRF turns 42 into "42" and "yes" into True. A partner system that sends a number for a name has a
# bug worth hearing about, so these take JSON strings and booleans only.


class Text(serializers.CharField):
    """A JSON string. Optional text may be null or missing, both meaning blank."""

    def run_validation(self, data=serializers.empty):
        if data is None and not self.required:
            data = ""
        return super().run_validation(data)

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


def text(label: str, *, max_length: int = TEXT_MAX, required: bool = False, **kwargs) -> Text:
    """A text field whose errors name it: "Enter their first name", "The town must be ... or fewer"."""
    return Text(
        max_length=max_length,
        required=required,
        allow_blank=not required,
        default=serializers.empty if required else "",
        error_messages={
            "required": f"Enter {label}",
            "blank": f"Enter {label}",
            "null": f"Enter {label}",
            "invalid": f"Enter {label} as text",
            "max_length": f"{label[0].upper()}{label[1:]} must be {max_length} characters or fewer",
        },
        **kwargs,
    )


class StrictBoolean(serializers.BooleanField):
    def to_internal_value(self, data):
        if isinstance(data, bool):
            return data
        self.fail("invalid", input=data)


def date(label: str) -> serializers.DateField:
    return serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        error_messages={
            "invalid": f"Enter {label} as a real date in the format {DATE_HELP}",
            "datetime": f"Enter {label} as a date without a time, in the format {DATE_HELP}",
        },
    )


class CodeField(serializers.SlugRelatedField):
    """A configuration item (level of need, destination, locality) by its stable code. An unknown
    code is answered with the codes there are."""

    def __init__(self, *, noun: str, example: str, **kwargs):
        messages = {
            "required": f"Select the {noun}",
            "null": f"Select the {noun}",
            "invalid": f"Enter the {noun} as a code, like {example}",
            "does_not_exist": f"There is no {noun} with the code “{{value}}”: use one of {{codes}}",
        }
        super().__init__(slug_field="code", error_messages=messages, **kwargs)

    def to_internal_value(self, data):
        if not isinstance(data, str) or "\x00" in data:
            self.fail("invalid")
        try:
            return self.get_queryset().get(code=data)
        except ObjectDoesNotExist:
            codes = ", ".join(self.get_queryset().values_list("code", flat=True))
            self.fail("does_not_exist", value=data[:60], codes=codes)


# --- A referral in one request ------------------------------------------------------------------


class PersonInSerializer(serializers.Serializer):
    noun = "person"
    default_error_messages = {
        "invalid": "Enter each person's details as an object with their first_name, last_name and so on",
        "null": "Enter each person's details as an object with their first_name, last_name and so on",
    }

    first_name = text("their first name", max_length=100, required=True)
    last_name = text("their last name", max_length=100, required=True)
    date_of_birth = date("their date of birth")
    gender = serializers.ChoiceField(
        choices=Gender.choices,
        default=Gender.UNKNOWN,
        error_messages={
            "invalid_choice": "Select their gender: M (male), F (female), U (not known) or 9 (not stated)",
            "null": "Select their gender: M (male), F (female), U (not known) or 9 (not stated)",
        },
    )
    nhs_number = text("their NHS number", max_length=20, help_text="10 digits; spaces allowed, like 943 476 5919")
    upn = text("their Unique Pupil Number", max_length=20)
    school = text("their school or setting", max_length=200)
    relationship = text("their relationship to the children", max_length=100)
    parental_responsibility = StrictBoolean(
        default=False,
        error_messages={
            "invalid": "Enter whether they have parental responsibility as true or false",
            "null": "Enter whether they have parental responsibility as true or false",
        },
    )


class ChildInSerializer(PersonInSerializer):
    """A child or young person; an unborn baby has an `expected_date_of_birth` instead of a date of
    birth."""

    default_error_messages = {
        "invalid": "Enter each child's details as an object with their first_name, last_name and so on",
        "null": "Enter each child's details as an object with their first_name, last_name and so on",
    }

    expected_date_of_birth = date("the expected date of birth")

    def validate(self, attrs):
        # Which of the two dates is given says whether the child is born: both is ambiguous.
        if attrs.get("date_of_birth") and attrs.get("expected_date_of_birth"):
            raise serializers.ValidationError(
                {"expected_date_of_birth": "Give a date of birth, or an expected date of birth for an unborn baby"}
            )
        return attrs


class AdultInSerializer(PersonInSerializer):
    """A parent, carer or other adult in the household."""

    default_error_messages = {
        "invalid": "Enter each adult's details as an object with their first_name, last_name and so on",
        "null": "Enter each adult's details as an object with their first_name, last_name and so on",
    }


def people_list(child: PersonInSerializer, *, plural: str, required: bool) -> serializers.ListSerializer:
    return serializers.ListSerializer(
        child=child,
        required=required,
        allow_empty=not required,
        max_length=PEOPLE_MAX,
        **({} if required else {"default": list}),
        error_messages={
            "required": "Add at least one child or unborn baby",
            "empty": "Add at least one child or unborn baby",
            "null": f"Enter the {plural} as a list",
            "not_a_list": f"Enter the {plural} as a list of objects, each with their first_name, last_name and so on",
            "max_length": f"A referral can name up to {PEOPLE_MAX} {plural}",
        },
    )


class ReferralCreateSerializer(serializers.Serializer):
    """A referral from a partner system. The referrer's name, role, email and phone default to the
    caller's account; the agency is always the caller's."""

    default_error_messages = {
        "invalid": "Send the referral as a JSON object with children, concerns, consent_given and so on",
        "null": "Send the referral as a JSON object",
    }

    referrer_name = text("your name", max_length=200)
    referrer_role = text("your role", max_length=200)
    referrer_email = serializers.EmailField(
        max_length=254,
        required=False,
        allow_blank=True,
        # Blank by a callable: a literal "" would be published as the default of an email field,
        # which no email address validator accepts.
        default=str,
        help_text="Default: the email address of your account",
        error_messages={
            "invalid": "Enter an email address in the correct format, like name@example.org",
            "max_length": "The email address must be 254 characters or fewer",
        },
    )
    referrer_phone = text("your phone number", max_length=40)

    children = people_list(ChildInSerializer(), plural="children", required=True)
    adults = people_list(AdultInSerializer(), plural="adults", required=False)

    address_line_1 = text("the first line of the address", max_length=200)
    address_line_2 = text("the second line of the address", max_length=200)
    town = text("the town or city", max_length=100)
    postcode = text("the postcode", max_length=10)

    concerns = text("what you are worried about")
    tried_before = text("what has been tried before")
    level_of_need = CodeField(
        noun="level of need",
        example="level-3",
        queryset=LevelOfNeed.objects.active(),
        required=False,
        allow_null=True,
        default=None,
        help_text="Your view of the level of need, by its code",
    )
    expected_outcome = text("what you hope will change")
    consent_given = StrictBoolean(
        error_messages={
            "required": "Select whether the family agreed to this referral: true or false",
            "null": "Select whether the family agreed to this referral: true or false",
            "invalid": "Select whether the family agreed to this referral: true or false",
        },
        help_text="Whether those with parental responsibility agreed to the referral",
    )
    consent_not_sought_reason = text(
        "why asking the family would put a child at risk", help_text="Required when consent_given is false"
    )


class ReferralCreatedSerializer(serializers.ModelSerializer):
    duplicate_of = serializers.CharField(
        source="duplicate_of.reference",
        allow_null=True,
        help_text="The reference of the referral this one repeats (same referrer, same child, within 7 days)",
    )
    status = serializers.CharField(help_text=f"One of: {', '.join(ReferralStatus.values)}")
    url = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = ["id", "reference", "status", "received_at", "decision_due_at", "duplicate_of", "url"]

    def get_url(self, referral) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-referral-detail", args=[referral.pk]))


# --- Reading referrals ----------------------------------------------------------------------------


class QueueFilterSerializer(serializers.Serializer):
    """Filters of the duty managers' queue (ignored for everyone else's own referrals)."""

    locality = CodeField(noun="locality", example="north", queryset=Locality.objects.all(), required=False)
    level = CodeField(noun="level of need", example="level-3", queryset=LevelOfNeed.objects.all(), required=False)
    channel = serializers.ChoiceField(
        choices=Channel.choices,
        required=False,
        error_messages={"invalid_choice": f"Select a channel: one of {', '.join(Channel.values)}"},
    )
    overdue = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only referrals past their 24-hour decision time",
        error_messages={"invalid": "Enter overdue as true or false"},
    )


class PersonOutSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralPerson
        fields = [
            "id",
            "kind",
            "first_name",
            "last_name",
            "date_of_birth",
            "expected_date_of_birth",
            "gender",
            "nhs_number",
            "upn",
            "school",
            "relationship",
            "parental_responsibility",
        ]


class ChildNameSerializer(serializers.ModelSerializer):
    class Meta:
        model = ReferralPerson
        fields = ["first_name", "last_name", "date_of_birth", "expected_date_of_birth"]


class ReferralSummarySerializer(serializers.ModelSerializer):
    """A row of the queue, or of the caller's own referrals."""

    status = serializers.CharField(help_text=f"One of: {', '.join(ReferralStatus.values)}")
    locality = serializers.CharField(source="locality.code", allow_null=True)
    level_of_need = serializers.CharField(source="level_of_need.code", allow_null=True, help_text="The referrer's view")
    referrer_agency = serializers.CharField(source="referrer_agency.name", allow_null=True)
    claimed_by = serializers.CharField(source="claimed_by.get_full_name", allow_null=True)
    duplicate_of = serializers.CharField(source="duplicate_of.reference", allow_null=True)
    children = ChildNameSerializer(many=True, read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Referral
        fields = [
            "id",
            "reference",
            "status",
            "channel",
            "received_at",
            "decision_due_at",
            "locality",
            "level_of_need",
            "referrer_agency",
            "claimed_by",
            "claimed_at",
            "duplicate_of",
            "children",
            "url",
        ]

    def get_url(self, referral) -> str:
        return self.context["request"].build_absolute_uri(reverse("api-referral-detail", args=[referral.pk]))


class DecisionSerializer(serializers.ModelSerializer):
    level_of_need = serializers.CharField(source="level_of_need.code")
    destination = serializers.CharField(
        source="destination.code",
        allow_null=True,
        help_text="Where the referral goes, for an outcome with destinations",
    )
    reason = serializers.CharField(allow_null=True, help_text="The front door's own note: null for the referrer")
    decided_by = serializers.CharField(
        source="decided_by.get_full_name", allow_null=True, help_text="The front door's own note: null for the referrer"
    )
    amends = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The decision this one corrects, if it is an amendment"
    )

    class Meta:
        model = Decision
        fields = [
            "id",
            "referral",
            "outcome",
            "level_of_need",
            "destination",
            "reason",
            "decided_by",
            "decided_at",
            "amends",
        ]


class LetterSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField(help_text="GET it for the PDF")

    class Meta:
        model = ReferrerLetter
        fields = ["id", "decision", "panel_decision", "created_at", "url"]
        extra_kwargs = {
            "decision": {"help_text": "The front door's decision it tells, or null for the panel's"},
            "panel_decision": {
                "help_text": "The Early Help Panel's decision it tells (a family the front door sent to the "
                "panel), or null for the front door's"
            },
        }

    def get_url(self, letter) -> str:
        return self.context["request"].build_absolute_uri(
            reverse("api-referral-letter", args=[letter.referral_id, letter.pk])
        )


class ReferralDetailSerializer(ReferralSummarySerializer):
    """A referral as its referrer or the front door sees it. The reason for a decision and who made
    it are the front door's own notes: referrers get the outcome, as in their letter."""

    referrer_name = serializers.CharField()
    referrer_role = serializers.CharField()
    referrer_email = serializers.CharField()
    referrer_phone = serializers.CharField()
    children = PersonOutSerializer(many=True, read_only=True)
    adults = PersonOutSerializer(many=True, read_only=True)
    decision = serializers.SerializerMethodField(help_text="The current decision: the latest, not amended")
    letters = serializers.SerializerMethodField()
    re_referral_of = serializers.SerializerMethodField(
        help_text=(
            "The reference of the family's case closed within the 12 months before this referral was received, "
            "stored when the front door decides; null when there is none, before the decision, and for referrers "
            "(the front door's own note)"
        )
    )

    class Meta(ReferralSummarySerializer.Meta):
        fields = ReferralSummarySerializer.Meta.fields + [
            "referrer_name",
            "referrer_role",
            "referrer_email",
            "referrer_phone",
            "adults",
            "address_line_1",
            "address_line_2",
            "town",
            "postcode",
            "concerns",
            "tried_before",
            "expected_outcome",
            "consent_given",
            "consent_not_sought_reason",
            "decision",
            "letters",
            "re_referral_of",
        ]

    @extend_schema_field(DecisionSerializer(allow_null=True))
    def get_decision(self, referral) -> dict | None:
        decision = self.context["decision"]
        if decision is None:
            return None
        data = DecisionSerializer(decision, context=self.context).data
        if not self.context["front_door"]:
            data["reason"] = None
            data["decided_by"] = None
        return data

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_re_referral_of(self, referral) -> str | None:
        if not self.context["front_door"] or referral.re_referral_of_id is None:
            return None
        return referral.re_referral_of.reference

    @extend_schema_field(LetterSerializer(many=True))
    def get_letters(self, referral) -> list[dict]:
        return LetterSerializer(self.context["letters"], many=True, context=self.context).data


# --- Decisions ----------------------------------------------------------------------------------------


class InformationRequestInSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Enter each information request as an object with an agency and a question",
        "null": "Enter each information request as an object with an agency and a question",
    }

    agency = serializers.PrimaryKeyRelatedField(
        queryset=Agency.objects.filter(active=True),
        error_messages={
            "required": "Select the agency to ask",
            "null": "Select the agency to ask",
            "incorrect_type": "Enter the agency's id as a number",
            "does_not_exist": "There is no agency with the id {pk_value}",
        },
    )
    question = text("what you need to know from the agency", required=True)


class DecisionAmendSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Send the decision as a JSON object",
        "null": "Send the decision as a JSON object",
    }

    outcome = serializers.ChoiceField(
        choices=DecisionOutcome.choices,
        error_messages={
            "required": "Select the decision",
            "null": "Select the decision",
            "invalid_choice": f"Select the decision: one of {', '.join(DecisionOutcome.values)}",
        },
    )
    level_of_need = CodeField(noun="level of need", example="level-3", queryset=LevelOfNeed.objects.active())
    destination = CodeField(
        noun="destination",
        example="targeted-family-support",
        queryset=Destination.objects.active(),
        required=False,
        allow_null=True,
        default=None,
        help_text=(
            "Where the referral goes: one of the destinations that fit the outcome (configuration; by default "
            "the early help destinations, for early_help). Required when the outcome has destinations, "
            "otherwise null"
        ),
    )
    reason = text("the reason for the decision", required=True)


class DecisionCreateSerializer(DecisionAmendSerializer):
    information_requests = serializers.ListSerializer(
        child=InformationRequestInSerializer(),
        required=False,
        default=list,
        max_length=50,
        help_text="For more_information: the agencies to ask and what to ask them",
        error_messages={
            "not_a_list": "Enter the information requests as a list of objects, each with an agency and a question",
            "null": "Enter the information requests as a list",
            "max_length": "Ask at most 50 agencies at once",
        },
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="For more_information: when the agencies must answer (default: the MASH timescale)",
        error_messages={"invalid": "Enter when the agencies must answer as a date and time, like 2026-03-02T17:00"},
    )
    confirm_new_people = StrictBoolean(
        required=False,
        default=False,
        help_text=(
            "True to confirm that a new person record may be made for each person named on the referral who "
            "is neither linked to a known person nor known by NHS number or UPN. Without it, such a decision "
            "is refused (400, under confirm_new_people): link them first, or confirm"
        ),
        error_messages={"invalid": "Enter confirm_new_people as true or false", "null": "Enter true or false"},
    )
    decisions_seen = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=0,
        help_text=(
            "How many decisions (amendments included) the referral had when you read it: 0 for one awaiting "
            "its first decision. If another has been recorded since (two duty managers at once), the decision "
            "is refused (400) so that it can be checked first. Leave it out to decide whatever came before"
        ),
        error_messages={
            "invalid": "Enter decisions_seen as a whole number",
            "min_value": "Enter decisions_seen as 0 or more",
        },
    )


# --- Partner requests about a case (before the Early Help Panel) ---------------------------------------

ID_MAX = 2**31 - 1


class AgencyId(serializers.IntegerField):
    """An agency's id as a JSON number: not a string, a fraction or true (which DRF would take as 1),
    and within the database's range, so that any other value is a field error rather than a failure."""

    def __init__(self, **kwargs):
        message = "Enter each agency's id as a whole number"
        kwargs.setdefault(
            "error_messages",
            {"invalid": message, "null": message, "min_value": message, "max_value": message},
        )
        super().__init__(min_value=1, max_value=ID_MAX, **kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class CaseInformationRequestCreateSerializer(serializers.Serializer):
    default_error_messages = {
        "invalid": "Send the request as a JSON object with agencies, a question and due_at",
        "null": "Send the request as a JSON object with agencies, a question and due_at",
    }

    agencies = serializers.ListField(
        child=AgencyId(),
        allow_empty=False,
        max_length=50,
        help_text="The ids of the active agencies to ask (each asked once; one still to answer is not asked again)",
        error_messages={
            "required": "Select the agencies to ask",
            "null": "Select the agencies to ask",
            "empty": "Select the agencies to ask",
            "not_a_list": "Enter the agencies as a list of ids",
            "max_length": "Ask at most 50 agencies at once",
        },
    )
    question = text("what you need to know from the agencies", required=True)
    due_at = serializers.DateTimeField(
        help_text="When the agencies must answer: in the future, like 2027-03-02T17:00:00Z",
        error_messages={
            "required": "Enter when the agencies must answer",
            "null": "Enter when the agencies must answer",
            "invalid": "Enter when the agencies must answer as a date and time, like 2027-03-02T17:00:00Z",
        },
    )

    def validate_agencies(self, ids: list[int]) -> list[Agency]:
        found = Agency.objects.filter(pk__in=set(ids), active=True).in_bulk()
        missing = [pk for pk in dict.fromkeys(ids) if pk not in found]
        if missing:
            raise serializers.ValidationError(
                f"There is no active agency with the id{'' if len(missing) == 1 else 's'} "
                f"{', '.join(str(pk) for pk in missing)}"
            )
        return [found[pk] for pk in dict.fromkeys(ids)]


class CaseInformationRequestSerializer(serializers.Serializer):
    """A question to a partner agency about a case, and its answer once given."""

    id = serializers.IntegerField(read_only=True)
    agency = serializers.IntegerField(source="agency_id", read_only=True, help_text="The agency asked (its id)")
    agency_name = serializers.CharField(source="agency.name", read_only=True)
    question = serializers.CharField(read_only=True)
    requested_at = serializers.DateTimeField(read_only=True)
    requested_by = serializers.CharField(source="requested_by.get_full_name", read_only=True)
    due_at = serializers.DateTimeField(read_only=True)
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    answered_by = serializers.CharField(source="answered_by.get_full_name", read_only=True, allow_null=True)
    answer = serializers.CharField(read_only=True, help_text="Empty until the agency answers")
