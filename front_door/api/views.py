"""The front door API for partner systems: send a referral, follow it, and (duty managers) claim,
decide and amend; and the partner agencies asked about a case before the Early Help Panel. The
same selectors and services as the pages decide who sees and does what.

Errors are JSON. A 400 is a flat object of field paths to messages, the paths naming the field as
sent: `{"children[0].nhs_number": ["Enter a valid NHS number..."], "consent_given": [...]}`, with
`non_field_errors` for what belongs to no one field. 403, 404 and 409 carry a `detail` message.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import APIException, NotFound
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.renderers import BaseRenderer, JSONRenderer
from rest_framework.response import Response

from cases.access import CASE_DETAILS, SIGNED_IN, DeclaredAccess, RecordAPIView
from cases.models import Person
from cases.permissions import VIEW_CASE
from cases.roles import PRACTITIONER_ROLES, Role
from earlyhelp import api_errors
from earlyhelp.api_docs import (
    DETAIL,
    FIELD_ERRORS,
    FORBIDDEN,
    NO_SUCH_PAGE,
    UNAUTHENTICATED,
    UNSUPPORTED_MEDIA_TYPE,
)
from earlyhelp.api_errors import validated
from earlyhelp.api_parsers import JSONBodyParser

from .. import selectors, services
from ..models import Channel, Decision, InformationRequest, LetterStatus
from ..permissions import (
    ASK_PARTNERS,
    DOWNLOAD_LETTER,
    TRIAGE_REFERRAL,
    VIEW_REFERRAL,
    is_duty_manager,
    is_front_door,
)
from .serializers import (
    CaseInformationRequestCreateSerializer,
    CaseInformationRequestSerializer,
    DecisionAmendSerializer,
    DecisionCreateSerializer,
    DecisionSerializer,
    QueueFilterSerializer,
    ReferralCreatedSerializer,
    ReferralCreateSerializer,
    ReferralDetailSerializer,
    ReferralSummarySerializer,
)

# --- Who may call -----------------------------------------------------------------------------------


class MakesReferrals(BasePermission):
    """A referral is made by a practitioner on behalf of their agency."""

    message = "Only practitioners of an agency can make referrals: ask your administrator to set your agency."

    def has_permission(self, request, view) -> bool:
        return request.method in SAFE_METHODS or bool(request.user.is_authenticated and request.user.makes_referrals)


# Claiming, releasing, deciding and amending: duty managers, on a referral that was sent.
TRIAGE = (SIGNED_IN, ("roles", frozenset({Role.DUTY_MANAGER})), ("referral", TRIAGE_REFERRAL))
TRIAGE_ONLY = "Only duty managers can claim, release and decide referrals."


# --- Errors ---------------------------------------------------------------------------------------------


class Conflict(APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "Someone else is working on this referral."
    default_code = "conflict"


@contextmanager
def service_errors(*, people: Sequence[str] = (), rename: dict[str, str] | None = None) -> Iterator[None]:
    """`earlyhelp.api_errors.service_errors`, and a claim by someone else as 409."""
    with api_errors.service_errors(people=people, rename=rename):
        try:
            yield
        except services.ReferralClaimed as error:
            raise Conflict(" ".join(error.messages)) from error


NOT_FOUND = OpenApiResponse(DETAIL, description="No such referral, or not one the caller may see (the same answer)")
CONFLICT = OpenApiResponse(DETAIL, description="Another duty manager is working on this referral")


def _context(request, **extra) -> dict:
    return {"request": request, **extra}


def _detail_url(request, referral_id: int) -> str:
    return request.build_absolute_uri(reverse("api-referral-detail", args=[referral_id]))


# --- Referrals -----------------------------------------------------------------------------------------


class ReferralListCreate(generics.GenericAPIView):
    permission_classes = [DeclaredAccess, MakesReferrals]
    access = (SIGNED_IN, ("roles", PRACTITIONER_ROLES))
    roles_message = MakesReferrals.message
    parser_classes = [JSONBodyParser]
    serializer_class = ReferralSummarySerializer

    @extend_schema(
        summary="The queue (duty managers) or your own referrals (everyone else)",
        description=(
            "Duty managers get the referrals awaiting a decision, oldest first, filtered by `locality`, `level`, "
            "`channel` and `overdue`. Everyone else gets the referrals they made, newest first; the filters "
            "are checked but do not apply."
        ),
        parameters=[QueueFilterSerializer],
        responses={
            200: ReferralSummarySerializer(many=True),
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_PAGE,
        },
    )
    def get(self, request):
        filters = validated(QueueFilterSerializer(data=request.query_params))
        if is_duty_manager(request.user):
            locality, level = filters.get("locality"), filters.get("level")
            queryset = selectors.referral_queue(
                locality_id=locality.pk if locality else None,
                level_id=level.pk if level else None,
                channel=filters.get("channel", ""),
                overdue=filters["overdue"],
            )
        else:
            # The page's selector serves the decisions and letters; the summary also shows these.
            queryset = selectors.my_referrals(user=request.user).select_related(
                "locality", "level_of_need", "referrer_agency", "claimed_by", "duplicate_of"
            )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ReferralSummarySerializer(page, many=True, context=_context(request)).data)

    @extend_schema(
        summary="Make a referral",
        description=(
            "A referral in one request, checked as the web form checks it. The caller is the referrer; "
            "`referrer_name`, `referrer_role`, `referrer_email` and `referrer_phone` default to their account. "
            "A child with `expected_date_of_birth` and no `date_of_birth` is an unborn baby. A repeat from the "
            "same referrer about the same child within 7 days is kept and linked: `duplicate_of` gives the "
            "reference of the first."
        ),
        request=ReferralCreateSerializer,
        responses={
            201: ReferralCreatedSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request):
        data = dict(validated(ReferralCreateSerializer(data=request.data)))
        children, adults = data.pop("children"), data.pop("adults")
        people = [
            services.PersonData(
                kind=Person.Kind.UNBORN
                if child["expected_date_of_birth"] and not child["date_of_birth"]
                else Person.Kind.CHILD,
                **child,
            )
            for child in children
        ] + [services.PersonData(kind=Person.Kind.ADULT, **adult) for adult in adults]
        names = [f"children[{i}]" for i in range(len(children))] + [f"adults[{i}]" for i in range(len(adults))]
        with service_errors(people=names):
            referral = services.referral_receive(channel=Channel.API, actor=request.user, people=people, **data)
        return Response(
            ReferralCreatedSerializer(referral, context=_context(request)).data,
            status=status.HTTP_201_CREATED,
            headers={"Location": _detail_url(request, referral.pk)},
        )


class ReferralDetail(RecordAPIView):
    access = (SIGNED_IN, ("referral", VIEW_REFERRAL))
    serializer_class = ReferralDetailSerializer

    @extend_schema(
        summary="A referral, its people, the current decision and the letters",
        description=(
            "For its referrer and the front door; 404 for anyone else. Referrers get the outcome, as in "
            "their letter: `decision.reason` and `decision.decided_by` are null for them. Every view is logged."
        ),
        responses={200: ReferralDetailSerializer, 401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def get(self, request, referral_id: int):
        referral = self.record()
        context = _context(
            request,
            decision=selectors.current_decision(referral=referral),
            # A letter replaced before it was sent never reached anyone.
            letters=list(
                referral.letters.exclude(status=LetterStatus.REPLACED).defer("pdf").order_by("created_at", "id")
            ),
            front_door=is_front_door(request.user),
        )
        return Response(ReferralDetailSerializer(referral, context=context).data)


class ReferralClaim(RecordAPIView):
    access = TRIAGE
    roles_message = TRIAGE_ONLY
    serializer_class = ReferralSummarySerializer

    @extend_schema(
        summary="Take a referral to triage (duty managers)",
        request=None,
        responses={
            200: ReferralSummarySerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, referral_id: int):
        referral = self.record(log=False)
        with service_errors():
            referral = services.referral_claim(actor=request.user, referral=referral)
        return Response(ReferralSummarySerializer(referral, context=_context(request)).data)


class ReferralRelease(RecordAPIView):
    access = TRIAGE
    roles_message = TRIAGE_ONLY
    serializer_class = ReferralSummarySerializer

    @extend_schema(
        summary="Give a claimed referral back to the queue (duty managers)",
        description="Only the duty manager who claimed it can release it; 409 for anyone else.",
        request=None,
        responses={
            200: ReferralSummarySerializer,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def post(self, request, referral_id: int):
        referral = self.record(log=False)
        with service_errors():
            referral = services.referral_release(actor=request.user, referral=referral)
        if referral.claimed_by_id not in (None, request.user.pk):
            # The service leaves someone else's claim alone; say so rather than answer 200.
            raise Conflict(
                f"{referral.claimed_by.get_full_name()} is working on this referral: only they can release it."
            )
        return Response(ReferralSummarySerializer(referral, context=_context(request)).data)


class ReferralDecide(RecordAPIView):
    access = TRIAGE
    roles_message = TRIAGE_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = DecisionCreateSerializer

    @extend_schema(
        summary="Decide a referral (duty managers)",
        description=(
            "`step_up` (social care threshold met), `more_information` (ask the agencies in "
            "`information_requests`, answering by `due_at`, in the future), `early_help` with a `destination` "
            "that fits it, or `no_further_action`. People named on the referral who are neither linked nor "
            "known by an identifier get new records only with `confirm_new_people`. A decided referral is "
            "corrected through its decision's `amend`, not decided again; the same MASH enquiry sent twice is "
            "refused."
        ),
        request=DecisionCreateSerializer,
        responses={
            201: DecisionSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, referral_id: int):
        referral = self.record(log=False)
        data = validated(DecisionCreateSerializer(data=request.data))
        with service_errors(rename={"agencies": "information_requests", "question": "information_requests"}):
            decision = services.referral_decide(
                actor=request.user,
                referral=referral,
                outcome=data["outcome"],
                level_of_need=data["level_of_need"],
                reason=data["reason"],
                destination=data["destination"],
                information_requests=[(item["agency"], item["question"]) for item in data["information_requests"]],
                due_at=data["due_at"],
                confirm_new_people=data["confirm_new_people"],
                decisions_seen=data["decisions_seen"],
            )
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)


class DecisionAmend(RecordAPIView):
    access = TRIAGE
    roles_message = TRIAGE_ONLY
    parser_classes = [JSONBodyParser]
    serializer_class = DecisionAmendSerializer

    @extend_schema(
        summary="Correct a decision with a new one (duty managers)",
        description="The new decision `amends` the old, which stays as it was. Only the latest can be amended.",
        request=DecisionAmendSerializer,
        responses={
            201: DecisionSerializer,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NOT_FOUND,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, referral_id: int, decision_id: int):
        referral = self.record(log=False)
        decision = get_object_or_404(Decision, referral=referral, pk=decision_id)
        data = validated(DecisionAmendSerializer(data=request.data))
        with service_errors():
            new = services.decision_amend(
                actor=request.user,
                decision=decision,
                outcome=data["outcome"],
                level_of_need=data["level_of_need"],
                reason=data["reason"],
                destination=data["destination"],
            )
        return Response(DecisionSerializer(new).data, status=status.HTTP_201_CREATED)


# --- The referrer's letter ------------------------------------------------------------------------------


class PDFRenderer(BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data


class ReferralLetter(RecordAPIView):
    access = (SIGNED_IN, ("letter", DOWNLOAD_LETTER))
    # PDF for `Accept: application/pdf`; errors are JSON whatever was asked for (handle_exception).
    renderer_classes = [JSONRenderer, PDFRenderer]

    @extend_schema(
        summary="The outcome letter as a PDF",
        description="For the referrer and duty managers; each download is logged as an export.",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="The letter"),
            (401, "application/json"): UNAUTHENTICATED,
            (403, "application/json"): FORBIDDEN,
            (404, "application/json"): NOT_FOUND,
        },
    )
    def get(self, request, referral_id: int, letter_id: int):
        letter = self.record()
        response = HttpResponse(bytes(letter.pdf), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter.referral.reference}-letter-{letter.pk}.pdf"'
        return response

    def handle_exception(self, exc):
        self.request.accepted_renderer = JSONRenderer()
        self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


# --- Partner requests about a case (before the Early Help Panel) ------------------------------------------

NO_SUCH_CASE = OpenApiResponse(
    DETAIL,
    description="No such case, or not one the caller may see (or see the family's details of, or ask about): "
    "the same answer",
)
# The requests made (a list, not a page of one: drf-spectacular would describe a serializer's list as
# paginated, as the GET is); the component is the GET's items'.
ASKED = OpenApiResponse(
    {"type": "array", "items": {"$ref": "#/components/schemas/CaseInformationRequest"}},
    description="The request made of each agency asked (or its open one), oldest first",
)
# Who asks partner agencies about a case: panel coordinators (of a case they may change) and duty managers.
ASKERS = frozenset({Role.PANEL_COORDINATOR, Role.DUTY_MANAGER})


class CaseInformationRequests(RecordAPIView):
    access = {
        "GET": (SIGNED_IN, ("case", VIEW_CASE), CASE_DETAILS),
        "POST": (SIGNED_IN, ("roles", ASKERS), ("case_to_ask_partners", ASK_PARTNERS)),
    }
    roles_message = "Only panel coordinators and duty managers ask partner agencies about a case."
    parser_classes = [JSONBodyParser]
    serializer_class = CaseInformationRequestSerializer

    @extend_schema(
        summary="What partner agencies were asked about a case, and their answers",
        description=(
            "Oldest first. For those who may read the case and see the family's details (404 for anyone else); "
            "every view is logged."
        ),
        responses={
            200: CaseInformationRequestSerializer(many=True),
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE,
        },
    )
    def get(self, request, case_id: int):
        case = self.record()
        if not case.details_visible:
            raise NotFound("No case found")
        queryset = (
            InformationRequest.objects.filter(case_id=case.pk)
            .select_related("agency", "requested_by", "answered_by")
            .order_by("requested_at", "id")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(CaseInformationRequestSerializer(page, many=True).data)

    @extend_schema(
        summary="Ask partner agencies about a case before the panel (panel coordinators, duty managers)",
        description=(
            "Asks each agency the question, answering by `due_at` (in the future); the agencies answer in the "
            "service, and are reminded, then the caller is told if an answer is late. An agency that has not yet "
            "answered an earlier request about the case is not asked again: its open request is among those "
            "returned. A closed case is refused (400). A panel coordinator asks about the cases they may change "
            "(their locality's); 404 for any other."
        ),
        request=CaseInformationRequestCreateSerializer,
        responses={
            201: ASKED,
            400: FIELD_ERRORS,
            401: UNAUTHENTICATED,
            403: FORBIDDEN,
            404: NO_SUCH_CASE,
            415: UNSUPPORTED_MEDIA_TYPE,
        },
    )
    def post(self, request, case_id: int):
        case = self.record(log=False)
        data = validated(CaseInformationRequestCreateSerializer(data=request.data))
        with service_errors(rename={"agency": "agencies"}):
            asked = services.case_information_requests_create(
                actor=request.user,
                case=case,
                agencies=data["agencies"],
                question=data["question"],
                due_at=data["due_at"],
            )
        asked = (
            InformationRequest.objects.filter(pk__in=[r.pk for r in asked])
            .select_related("agency", "requested_by", "answered_by")
            .order_by("requested_at", "id")
        )
        return Response(CaseInformationRequestSerializer(asked, many=True).data, status=status.HTTP_201_CREATED)
