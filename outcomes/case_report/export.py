"""The case report of a long case, made by a task: the "case-report" kind of `outcomes.exports`
(the job, its progress page, the once-only download, its audit and its 24-hour expiry come with it).

A case whose chronology, as the reader may see it, runs past `LARGE_CHRONOLOGY` entries is not
printed while the reader waits (WeasyPrint takes seconds over such a report): its PDF link leads
to a page that asks for the report to be made, then to the export's progress page. The task makes
it for whoever asked, as they may see the case when it runs (the access is checked again then: a
manager who has lost the case gets a failed export, not the report)."""

from __future__ import annotations

from typing import IO, Any

from django.core.exceptions import PermissionDenied

from cases.models import Case, User
from cases.permissions import case_get_for_user
from cases.roles import Role
from cases.selectors import case_chronology
from outcomes.exports.kinds import ExportKind, Output, Progress, register_kind

from .permissions import may_print_case_report
from .report import SECTIONS, case_report_pdf, report_filename

KIND = "case-report"
# About 15 pages of chronology: beyond, the report (some 20 pages and more) is made by a task.
LARGE_CHRONOLOGY = 200


def is_large(*, case: Case, user: User) -> bool:
    """Whether the case's report for `user` is long enough to be made by a task. One query."""
    return case_chronology(case=case, user=user).values("id")[LARGE_CHRONOLOGY : LARGE_CHRONOLOGY + 1].exists()


def make(*, export, progress: Progress, out: IO[bytes]) -> Output:
    """The report for whoever asked, as they may see the case now; the print is written to the case's
    access log as `case_report_pdf` does, and the family's people are the export's subjects (its
    download goes in each one's access log)."""
    user: User = export.requested_by
    case = case_get_for_user(user=user, case_id=int(export.parameters["case_id"]), log=False)
    if not may_print_case_report(user, case):
        raise PermissionDenied
    # The sections, then the layout: the page shows "done of" these.
    progress.total(len(SECTIONS) + 1)

    def section_done(people: list[int]) -> None:
        for person_id in people:
            progress.about(person_id)
        progress.add()

    out.write(case_report_pdf(user=user, case=case, on_section=section_done))
    progress.add()
    return Output(filename=report_filename(case), content_type="application/pdf")


def describe(parameters: dict[str, Any]) -> str:
    reference = parameters.get("reference")
    return f"Case {reference}" if reference else ""


CASE_REPORT = ExportKind(
    key=KIND,
    label="Case report (PDF)",
    roles=frozenset({Role.TEAM_MANAGER}),
    make=make,
    describe=describe,
    record_type="case_report",  # "Exported the case report", in each family member's access log
)
register_kind(CASE_REPORT)
