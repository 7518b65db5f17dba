"""Reads of the Early Help Assessment, with their query counts designed here. The caller has the
case through the access functions (`case_get_for_user`) and has checked
`assessment_permissions.may_see_assessment`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Prefetch

from cases.models import Case, CaseStatus, Person, User
from cases.permissions import MANAGE_CASE, cases_for_user
from cases.roles import Role

from .assessment_services import section_title
from .models import Assessment, AssessmentNeed, AssessmentSection, AssessmentStatus, SectionKind

KIND_ORDER = {kind.value: position for position, kind in enumerate(SectionKind)}


def case_assessments(*, case: Case) -> list[Assessment]:
    """Every version of the case's assessment, newest first, with who started, submitted and
    decided each. One query."""
    return list(
        Assessment.objects.filter(case=case)
        .select_related("started_by", "submitted_by", "decided_by")
        .order_by("-version")
    )


def _sections() -> Prefetch:
    return Prefetch(
        "sections", queryset=AssessmentSection.objects.select_related("person", "updated_by").order_by("id")
    )


def _needs() -> Prefetch:
    return Prefetch(
        "need_links",
        queryset=AssessmentNeed.objects.select_related(
            "need__area__framework", "need__descriptor", "need__person"
        ).order_by("need__recorded_at", "need_id"),
    )


def assessment_full(*, case: Case, version: int | None = None) -> Assessment | None:
    """One version of the case's assessment (the latest without `version`), with its sections in
    the task list's order and its needs. Three queries."""
    queryset = (
        Assessment.objects.filter(case=case)
        .select_related("started_by", "submitted_by", "decided_by")
        .prefetch_related(_sections(), _needs())
    )
    queryset = queryset.filter(version=version) if version is not None else queryset.order_by("-version")
    return queryset.first()


def ordered_sections(assessment: Assessment) -> list[AssessmentSection]:
    """The sections (prefetched) in the task list's order: by kind, then as created."""
    return sorted(assessment.sections.all(), key=lambda s: (KIND_ORDER.get(s.kind, 99), s.pk))


@dataclass
class SectionRow:
    section: AssessmentSection
    title: str


def section_rows(assessment: Assessment) -> list[SectionRow]:
    return [SectionRow(section=s, title=section_title(s)) for s in ordered_sections(assessment)]


def assessment_needs(assessment: Assessment) -> list[AssessmentNeed]:
    return list(assessment.need_links.all())


def section_of(*, assessment: Assessment, section_id: int) -> AssessmentSection | None:
    """A section of this version, with its person. One query."""
    return AssessmentSection.objects.select_related("person").filter(assessment=assessment, pk=section_id).first()


def family_people(*, case: Case) -> list[Person]:
    """The family's members (the household first), for tagging a need. One query."""
    return [
        membership.person
        for membership in case.family.memberships.select_related("person").order_by(
            "-in_household", "person__date_of_birth", "person__last_name", "person_id"
        )
    ]


def assessments_to_approve(*, user: User, limit: int) -> list[Assessment]:
    """Submitted assessments of the open cases `user` manages as a team manager (their team's, and
    their agency's cases not yet given to a team), oldest submission first: a closed case's is not
    waiting for a decision. One query."""
    if not user.has_role(Role.TEAM_MANAGER):
        return []
    return list(
        Assessment.objects.filter(status=AssessmentStatus.SUBMITTED, case__in=cases_for_user(user, MANAGE_CASE))
        .exclude(case__status=CaseStatus.CLOSED)
        .select_related("case__family", "submitted_by")
        .order_by("submitted_at", "pk")[:limit]
    )
