"""Who may see, write and decide the Early Help Assessment, and whether the family's consent lets it
be started: the one place that decides, for pages and the API alike.

- Seeing a case's assessments needs the case (`cases.permissions.case_get_for_user`, VIEW_CASE) and
  its family's details visible to the viewer (`case.details_visible`): the lead professional, the
  case's team manager, members of the team around the family whose agency the family agreed to share
  with, the duty manager and the locality's panel coordinator. A partner agency the family has not
  agreed to share with sees no assessment, as it sees no people; it loses sight on its next request
  when the family withdraws that consent.
- Starting, writing and submitting need MANAGE_CASE (the lead professional and the case's team
  manager) on an active case.
- Approving or returning a submitted assessment needs the team manager role with MANAGE_CASE on the
  case, and is never done by the person who submitted it (a lead professional who also manages
  cannot approve their own).
- The consent gate (`assessment_consent_state`): the family agreed to the assessment, or a team
  manager decided that asking would put a child at risk.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef

from cases.models import Case, CaseStatus, Consent, FamilyMembership, Person, User
from cases.permissions import MANAGE_CASE, VIEW_CASE
from cases.roles import Role

from .models import Assessment, AssessmentStatus

VIEW_ASSESSMENT = VIEW_CASE
WRITE_ASSESSMENT = MANAGE_CASE
DECIDE_ASSESSMENT = MANAGE_CASE


def may_see_assessment(case: Case) -> bool:
    """For a case from `case_get_for_user`: whether its viewer may see its assessments."""
    return VIEW_ASSESSMENT in case.perms and bool(getattr(case, "details_visible", False))


def may_write_assessment(case: Case) -> bool:
    """Whether the viewer may start, write and submit the case's assessment now (consent aside)."""
    return WRITE_ASSESSMENT in case.perms and may_see_assessment(case) and case.status == CaseStatus.ACTIVE


def may_decide_assessment(user: User, case: Case, assessment: Assessment | None = None) -> bool:
    """Whether `user` may approve or return `assessment` (or, without one, any submitted assessment
    of the case): a team manager managing the case, never the one who submitted it."""
    if not (user.has_role(Role.TEAM_MANAGER) and DECIDE_ASSESSMENT in case.perms and may_see_assessment(case)):
        return False
    if assessment is None:
        return True
    return assessment.status == AssessmentStatus.SUBMITTED and assessment.submitted_by_id != user.pk


# --- The consent gate ------------------------------------------------------------------------------

NO_CONSENT = "Record the family's consent to the assessment first"
NOT_SOUGHT_NOT_MANAGER = (
    "Consent was recorded as not sought by someone who is not a team manager: "
    "a team manager must decide that asking would put a child at risk"
)


@dataclass(frozen=True)
class ConsentState:
    """Whether the family's consent lets the assessment be started (and written), and why not."""

    allowed: bool
    reason: str = ""
    # "given" or "not_sought" when allowed.
    basis: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def assessment_consent_state(case: Case) -> ConsentState:
    """The family's consent to the assessment, as its latest decisions stand. Two queries.

    Allowed when at least one person who may decide (an adult with parental responsibility, or a
    young person whose consent record carries a judgement that they can decide) has given consent as
    their latest decision, and nobody who may decide has refused or withdrawn it as theirs; or when
    the family's latest decision is "not sought", with its reason, recorded by a team manager."""
    with_parental_responsibility = set(
        FamilyMembership.objects.filter(family_id=case.family_id, parental_responsibility=True).values_list(
            "person_id", flat=True
        )
    )
    is_manager = User.groups.through.objects.filter(user_id=OuterRef("recorded_by_id"), group__name=Role.TEAM_MANAGER)
    decisions = list(
        Consent.objects.filter(family_id=case.family_id, scope=Consent.Scope.ASSESSMENT, agency__isnull=True)
        .annotate(by_manager=Exists(is_manager))
        .select_related("person")
        .order_by("-recorded_at", "-id")
    )
    if not decisions:
        return ConsentState(False, NO_CONSENT)
    latest = decisions[0]
    if latest.status == Consent.Status.NOT_SOUGHT:
        if latest.by_manager and latest.not_sought_reason.strip():
            return ConsentState(True, basis="not_sought")
        return ConsentState(False, NOT_SOUGHT_NOT_MANAGER)
    latest_by_person: dict[int, Consent] = {}
    for decision in decisions:
        latest_by_person.setdefault(decision.person_id, decision)
    deciders = [
        decision
        for person_id, decision in latest_by_person.items()
        if person_id in with_parental_responsibility
        or (decision.person.kind == Person.Kind.CHILD and decision.capacity_judgement.strip())
    ]
    refused = [d for d in deciders if d.status in (Consent.Status.REFUSED, Consent.Status.WITHDRAWN)]
    if refused:
        decision = refused[0]
        return ConsentState(
            False,
            f"{decision.person.full_name} {decision.get_status_display().lower()} consent to the assessment: "
            "it cannot be started or changed unless they agree",
        )
    if any(d.status == Consent.Status.GIVEN for d in deciders):
        return ConsentState(True, basis="given")
    return ConsentState(False, NO_CONSENT)
