"""The Supporting Families results claim (DOMAIN.md "Outcomes framework"): a family whose case
closed with every need's outcome achieved and sustained can be claimed for, once per framework
version. The rule, each condition in words for the claims list, and the claim itself.

The conditions, all of them: dependent children or an expectant parent in the family; at least three
needs identified, each with evidence; a lead professional; a whole-family assessment (approved); a
plan whose outcomes cover every need; every need's outcome achieved and still so when checked at
least six months after closure; every need under one framework version."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from assessments.models import Assessment, AssessmentStatus, PlanOutcome
from cases.models import Case, Person, User
from cases.roles import Role

from .models import Achieved, Claim, Closure, ClosureStatus, NeedOutcome

MIN_NEEDS = 3
SUSTAINED_AFTER = datetime.timedelta(days=182)  # six months after closure


@dataclass
class ClaimCheck:
    """A signed-off closure against the claim rule: each condition met or not, in words."""

    closure: Closure
    conditions: list[tuple[str, bool]] = field(default_factory=list)
    framework_id: int | None = None

    @property
    def meets(self) -> bool:
        return all(met for _words, met in self.conditions)


def may_see_claims(user: User) -> bool:
    return user.has_role(Role.ANALYST, Role.TEAM_MANAGER)


def may_claim(user: User) -> bool:
    """Analysts send the council's claims to the department."""
    return user.has_role(Role.ANALYST)


def claim_candidates(*, user: User) -> QuerySet[Closure]:
    """Signed-off closures whose six-month check is done and whose family has not been claimed for
    (under any version: a second version's claim is a new period's), newest first: the county's for
    an analyst, their agency's for a team manager."""
    # The claimed families' cases, a few hundred, as a set the closures are checked against: walking
    # the closures newest first to a deep page then joins no case for the rows it passes (the page's
    # cases are read with it by `claim_checks`).
    claimed = Case.objects.filter(family__claims__isnull=False).values("pk")
    closures = Closure.objects.filter(status=ClosureStatus.SIGNED_OFF, sustained_checked_at__isnull=False).exclude(
        case_id__in=claimed
    )
    if not user.has_role(Role.ANALYST):
        closures = closures.filter(case__lead_agency_id=user.agency_id) if user.agency_id else closures.none()
    return closures.order_by("-decided_at", "-id")


def claim_checks(closures: list[Closure]) -> list[ClaimCheck]:
    """Each closure against the rule. A fixed number of queries for the whole list."""
    outcomes = NeedOutcome.objects.select_related("need__area__framework")
    closures_list = list(closures)
    if not closures_list:
        return []
    prefetch_related_objects(closures_list, "case")  # one query, none where the caller read them
    prefetch_related_objects(closures_list, Prefetch("need_outcomes", queryset=outcomes))
    case_ids = [closure.case_id for closure in closures_list]
    family_ids = [closure.case.family_id for closure in closures_list]
    approved = set(
        Assessment.objects.filter(case_id__in=case_ids, status=AssessmentStatus.APPROVED).values_list(
            "case_id", flat=True
        )
    )
    planned = set(
        PlanOutcome.needs.through.objects.filter(
            planoutcome__plan__case_id__in=case_ids, planoutcome__ended_at__isnull=True
        ).values_list("identifiedneed_id", flat=True)
    )
    with_children = set(
        Person.objects.filter(memberships__family_id__in=family_ids)
        .filter(kind__in=[Person.Kind.CHILD, Person.Kind.UNBORN])
        .values_list("memberships__family_id", flat=True)
    )
    checks = []
    for closure in closures_list:
        outcomes_list = list(closure.need_outcomes.all())
        frameworks = {outcome.need.area.framework_id for outcome in outcomes_list}
        sustained_late_enough = (
            closure.sustained_checked_at is not None
            and closure.sustained_checked_at - closure.decided_at >= SUSTAINED_AFTER
        )
        check = ClaimCheck(closure=closure, framework_id=next(iter(frameworks)) if len(frameworks) == 1 else None)
        check.conditions = [
            ("Dependent children or an expectant parent", closure.case.family_id in with_children),
            (
                f"At least {MIN_NEEDS} needs identified, each with evidence",
                len(outcomes_list) >= MIN_NEEDS
                and all(o.evidence_note or o.evidence_reading_id or o.evidence_file for o in outcomes_list),
            ),
            ("A lead professional", closure.case.lead_professional_id is not None),
            ("A whole-family assessment, approved", closure.case_id in approved),
            ("A plan covering every need", bool(outcomes_list) and all(o.need_id in planned for o in outcomes_list)),
            (
                "Every need's outcome achieved and sustained six months after closure",
                bool(outcomes_list)
                and sustained_late_enough
                and all(o.achieved == Achieved.YES and o.sustained for o in outcomes_list),
            ),
            ("Every need under one framework version", len(frameworks) == 1),
        ]
        checks.append(check)
    return checks


@transaction.atomic
def claim_record(*, actor: User, closure: Closure, note: str = "") -> Claim:
    """Mark the family of `closure` claimed for, under the framework of its needs: only when the
    closure meets the rule, once per family and framework version."""
    if not may_claim(actor):
        raise PermissionDenied("You cannot make claims.")
    closure = Closure.objects.select_for_update().select_related("case").get(pk=closure.pk)
    (check,) = claim_checks([closure])
    if not check.meets:
        unmet = [words for words, met in check.conditions if not met]
        raise ValidationError(f"The family does not meet the claim rule: {'; '.join(unmet).lower()}")
    try:
        with transaction.atomic():
            return Claim.objects.create(
                family_id=closure.case.family_id,
                framework_id=check.framework_id,
                closure=closure,
                claimed_by=actor,
                note=note.strip(),
            )
    except IntegrityError as error:
        raise ValidationError("This family has already been claimed for under this framework") from error
