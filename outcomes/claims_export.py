"""The claims list as a file (an `outcomes.exports` kind, "claims-list"): a row for each need of each
family on the claims list, with the claim rule's conditions and the evidence's kinds, as an .xlsx
workbook or a CSV file. No names and no free text, as on the page: the case's reference identifies
the family to whoever may open the case."""

from __future__ import annotations

import csv
import datetime
import io
from typing import IO, Any

from cases.roles import Role
from outcomes.exports.kinds import ExportKind, Output, Progress, register_kind

from .claims import ClaimCheck, claim_candidates, claim_checks

KIND = "claims-list"
XLSX, CSV = "xlsx", "csv"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATE_FORMAT = "%d/%m/%Y"
OUTCOME_COLUMNS = ["Outcome area", "Framework", "Achieved at closure", "Evidence", "Lasted six months on"]


def _evidence_kinds(outcome) -> str:
    kinds = [
        words
        for present, words in (
            (outcome.evidence_note, "a note"),
            (outcome.evidence_reading_id, "an outcome tool reading"),
            (outcome.evidence_file, "a document"),
        )
        if present
    ]
    return ", ".join(kinds)


def _rows(checks: list[ClaimCheck]) -> tuple[list[str], list[list[Any]]]:
    conditions = [words for words, _met in checks[0].conditions] if checks else []
    headings = ["Case", "Family ID", "Closed on", "Checked on", "Meets the claim rule", *conditions, *OUTCOME_COLUMNS]
    rows = []
    for check in checks:
        closure = check.closure
        common = [
            closure.case.reference,
            closure.case.family_id,
            closure.decided_at.date(),
            closure.sustained_checked_at.date(),
            "Yes" if check.meets else "No",
            *("Met" if met else "Not met" for _words, met in check.conditions),
        ]
        for outcome in closure.need_outcomes.all():
            area = outcome.need.area
            rows.append(
                [
                    *common,
                    area.name,
                    str(area.framework),
                    outcome.get_achieved_display(),
                    _evidence_kinds(outcome),
                    "Not asked" if outcome.sustained is None else ("Yes" if outcome.sustained else "No"),
                ]
            )
    return headings, rows


def make(*, export, progress: Progress, out: IO[bytes]) -> Output:
    """The claims list as whoever asked sees it now (the county for an analyst, their agency's for a
    team manager)."""
    checks = claim_checks(list(claim_candidates(user=export.requested_by).select_related("case__family")))
    headings, rows = _rows(checks)
    progress.total(len(rows))
    stem = f"claims-list-{datetime.date.today():%Y-%m-%d}"
    if export.parameters.get("format") == CSV:
        text = io.TextIOWrapper(out, encoding="utf-8-sig", newline="")
        writer = csv.writer(text)
        writer.writerow(headings)
        for row in rows:
            writer.writerow(
                [value.strftime(DATE_FORMAT) if isinstance(value, datetime.date) else value for value in row]
            )
            progress.add()
        text.flush()
        text.detach()
        return Output(f"{stem}.csv", "text/csv")
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Claims list")
    sheet.append(headings)
    for row in rows:
        sheet.append(row)
        progress.add()
    workbook.save(out)
    return Output(f"{stem}.xlsx", XLSX_TYPE)


def describe(parameters: dict[str, Any]) -> str:
    return "Comma-separated values (.csv)" if parameters.get("format") == CSV else "Excel workbook (.xlsx)"


CLAIMS_LIST = ExportKind(
    key=KIND,
    label="Supporting Families claims list",
    roles=frozenset({Role.ANALYST, Role.TEAM_MANAGER}),
    make=make,
    describe=describe,
)
register_kind(CLAIMS_LIST)
