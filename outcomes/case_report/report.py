"""The manager's case report: one case printed as a tagged PDF (PDF/UA-1, WeasyPrint) from
templates/outcomes/case_report/report.html, OFFICIAL-SENSITIVE at the top and bottom of every page,
the case's reference at the top of every page, "Page 3 of 21" at the bottom, and a contents page
with the page each section starts on.

Its sections, in order: the case and the family's people; the team around the family; the genogram;
the chronology; referrals and the front door's decisions; the panel's decisions; consent; the
assessment (the latest submitted or approved version: who wrote and decided it, its sections and the
needs it identified); the plan with each action's status; TAF meetings; reviews; outcome tool charts
(each with its table); outcomes and sign-off (each identified need's status, the closure's reason,
summary and dates); and who has had access to the case.

Each part is read through the selectors of the app that owns it, with that app's own rule of what
the reader may see (`may_see_plan`, `may_see_readings` ..., all on `case.details_visible` and
`case.perms` from `case_get_for_user`). A reader to whom the family's details are not visible gets
what the case page gives them: the summary, the team around the family, the panel's decisions
without their reasons, and what their own agency wrote in the chronology; the report says what was
left out and why.

A fixed number of queries (about twenty) whatever the case's size; the chronology is the one part
that grows, and is printed up to its `CHRONOLOGY_LIMIT` latest entries (one query either way).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from assessments import assessment_selectors, plan_selectors, plans, taf_selectors
from assessments import selectors as reading_selectors
from assessments.assessment_permissions import may_see_assessment
from assessments.charts import series_chart, series_table
from assessments.models import AssessmentStatus
from assessments.permissions import may_see_readings
from assessments.plan_permissions import may_see_plan
from assessments.taf_permissions import may_see_meetings, may_see_reviews
from cases import selectors as case_selectors
from cases.audit import RecordType, Subject, access_log_record
from cases.extensions import registry
from cases.models import AccessLog, Case, ChronologyEntry, Consent, User
from cases.network_genogram import genogram_for_case
from earlyhelp.pdf import MARKING, html_to_pdf
from front_door import selectors as front_door_selectors
from front_door.models import Channel, DecisionOutcome, ReferrerRelationship
from panels import selectors as panel_selectors
from panels.services import decision_summary_words
from panels.words import day_words

from . import selectors
from .permissions import may_see_access

CHRONOLOGY_LIMIT = 500
# The consent decisions printed, newest first (the case page shows 20).
CONSENT_ROWS = 100
NOT_SHARED = "Not shared with your agency"
# The outcomes app's case page section whose read the report's "Outcomes and sign-off" reuses.
CLOSURE_SECTION = "closure-outcomes"


@dataclass(frozen=True)
class Section:
    key: str
    title: str


SECTIONS = [
    Section("case", "The case and the family"),
    Section("team", "The team around the family"),
    Section("genogram", "Genogram"),
    Section("chronology", "Chronology"),
    Section("referrals", "Referrals and front door decisions"),
    Section("panel", "Early Help Panel decisions"),
    Section("consent", "Consent"),
    Section("assessment", "Early help assessment"),
    Section("plan", "The family plan and its actions"),
    Section("meetings", "Team Around the Family meetings"),
    Section("reviews", "Reviews"),
    Section("outcome-tools", "Outcome tools"),
    Section("outcomes", "Outcomes and sign-off"),
    Section("access", "Who has had access"),
]


def report_filename(case: Case) -> str:
    """The case's reference, never a family's name: "c-2026-000123-case-report.pdf"."""
    return f"{slugify(case.reference)}-case-report.pdf"


def _name(first: str | None, last: str | None, username: str | None = "") -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "")


# --- Each section's context: None leaves the section out -----------------------------------------


def _people(case: Case) -> dict | None:
    if not case.details_visible:
        return None
    return {"people": list(case_selectors.case_people(case=case)), "address": case.family.address}


def _team(case: Case) -> dict:
    return {"members": list(case_selectors.case_member_rows(case=case))}


def _genogram(case: Case, user: User) -> dict | None:
    if not case.details_visible:
        return None
    genogram = genogram_for_case(case, user=user)
    return {"svg": genogram.svg, "lines": genogram.lines}


def _chronology(case: Case, user: User) -> dict:
    entries = list(case_selectors.case_chronology(case=case, user=user)[: CHRONOLOGY_LIMIT + 1])
    more = len(entries) > CHRONOLOGY_LIMIT
    entries = entries[:CHRONOLOGY_LIMIT]
    return {
        "entries": [
            {
                "entry": entry,
                "kind": ChronologyEntry.Kind(entry.kind).label,
                "author": entry.author.get_full_name() if entry.author_id else "",
                "agency": entry.author_agency.name if entry.author_agency_id else "",
                "other_case": entry.case.reference if entry.case_id and entry.case_id != case.pk else "",
            }
            for entry in entries
        ],
        "more": more,
        "limit": CHRONOLOGY_LIMIT,
        "own_agency_only": not case.details_visible,
    }


def _referrals(case: Case) -> dict | None:
    if not case.details_visible:
        return None
    rows = list(front_door_selectors.case_referrals(case=case))
    for row in rows:
        row["outcome_label"] = DecisionOutcome(row["outcome"]).label if row["outcome"] else "Not decided"
        row["from"] = row["referrer_agency__name"] or (
            ReferrerRelationship(row["referrer_relationship"]).label
            if row["referrer_relationship"]
            else Channel(row["channel"]).label
        )
    return {"referrals": rows}


def _panel(case: Case) -> dict:
    record = panel_selectors.case_at_the_panel(case=case)
    details = case.details_visible
    items = []
    for item in record["items"]:
        decisions = []
        for decision in item["decisions"]:
            summary = decision_summary_words(
                outcome=decision["outcome"],
                lead_agency=decision["lead_agency"] or "",
                team=decision["team"] or "",
                not_for_panel_route=decision["not_for_panel_route"],
            )
            decisions.append(
                {
                    "summary": summary[0].upper() + summary[1:],
                    "reason": decision["reason"] if details else "",
                    "amendment_reason": decision["amendment_reason"] if details else "",
                    "is_amendment": decision["amends_id"] is not None,
                    "by": _name(
                        decision["decided_by_first_name"],
                        decision["decided_by_last_name"],
                        decision["decided_by_username"],
                    ),
                    "on": day_words(decision["decided_at"]),
                }
            )
        items.append({"panel": item["panel"], "on": day_words(item["starts_at"]), "decisions": decisions})
    notice = record["notice"]
    return {
        "items": items,
        "notice": {**notice, "on": day_words(notice["told_at"])} if notice else None,
        "masked": not details,
    }


def _consent(case: Case) -> dict | None:
    if not case.details_visible:
        return None
    rows = []
    for row in case_selectors.case_consent_rows(case=case, limit=CONSENT_ROWS):
        rows.append(
            {
                **row,
                "person": _name(row["person__first_name"], row["person__last_name"]),
                "scope_label": Consent.Scope(row["scope"]).label,
                "status_label": Consent.Status(row["status"]).label,
                "evidence_label": Consent.Evidence(row["evidence"]).label if row["evidence"] else "",
            }
        )
    return {"consents": rows, "limit": CONSENT_ROWS}


def _assessment(case: Case) -> dict | None:
    """The latest version submitted or approved (a draft is the practitioner's, not yet the record)."""
    if not may_see_assessment(case):
        return None
    versions = assessment_selectors.case_assessments(case=case)
    chosen = next(
        (a for a in versions if a.status in (AssessmentStatus.APPROVED, AssessmentStatus.SUBMITTED)),
        None,
    )
    if chosen is None:
        return {"assessment": None, "versions": len(versions)}
    assessment = assessment_selectors.assessment_full(case=case, version=chosen.version)
    return {
        "assessment": assessment,
        "versions": len(versions),
        "sections": assessment_selectors.section_rows(assessment),
        "needs": [link.need for link in assessment_selectors.assessment_needs(assessment)],
    }


def _plan(case: Case) -> dict | None:
    if not may_see_plan(case):
        return None
    plan = plan_selectors.plan_of(case)
    if plan is None:
        return {"plan": None}
    outcomes = plan_selectors.plan_outcomes(plan)
    actions = plan_selectors.plan_actions(plan)
    for action in actions:
        action.owner_display = plans.owner_name(action)
        action.overdue = plan_selectors.is_overdue(action)
    by_outcome: dict[int | None, list] = {}
    for action in actions:
        by_outcome.setdefault(action.outcome_id, []).append(action)
    groups = [
        {"heading": f"Outcome {n}: “{o.text}”", "needs": list(o.needs.all()), "actions": by_outcome.get(o.pk, [])}
        for n, o in enumerate(outcomes, start=1)
    ]
    known = {o.pk for o in outcomes}
    loose = [action for action in actions if action.outcome_id not in known]
    if loose:
        groups.append({"heading": "Actions not under one outcome", "needs": [], "actions": loose})
    return {"plan": plan, "groups": groups}


def _meetings(case: Case) -> dict | None:
    if not may_see_meetings(case):
        return None
    return {"meetings": list(taf_selectors.case_meetings(case=case))}


def _reviews(case: Case) -> dict | None:
    if not may_see_reviews(case):
        return None
    return {"reviews": list(taf_selectors.case_reviews(case=case))}


def _outcome_tools(case: Case) -> dict | None:
    if not may_see_readings(case):
        return None
    return {
        "series": [
            {
                "title": one.title,
                "chart": series_chart(one, id_prefix="report-chart", point_labels=False),
                "table": series_table(one),
            }
            for one in reading_selectors.case_series(case=case)
        ]
    }


def _closure_record(case: Case, user: User) -> dict | None:
    """The closure's record (each need's outcome and evidence, where the family went, their feedback,
    the manager's decision, the six-month check) as the case page's "Closure and outcomes" section
    reads it, with its own rule of who sees it (one query; None when there is none to show)."""
    section = next((part for part in registry.case_sections if part.key == CLOSURE_SECTION), None)
    if section is None:
        return None
    reader = HttpRequest()
    reader.user = user
    return section.context(reader, case)


def _outcomes(case: Case, chronology: dict, user: User) -> dict:
    """Each need's status (for a reader who sees the family's details), the closure's record, the
    closure's reason, summary and dates as the case page gives them, and who requested and signed
    it off (read from the chronology already printed: no query)."""
    moves = {"request_closure": None, "sign_off_closure": None, "return_closure": None}
    for row in chronology["entries"]:
        entry = row["entry"]
        if entry.event in moves and entry.case_id == case.pk and moves[entry.event] is None:
            moves[entry.event] = {"by": row["author"], "on": day_words(entry.occurred_at), "note": entry.body}
    return {
        "needs": plan_selectors.case_needs(case) if case.details_visible else None,
        "closure": _closure_record(case, user),
        "requested": moves["request_closure"],
        "signed_off": moves["sign_off_closure"],
    }


def _access(case: Case) -> dict | None:
    if not may_see_access(case):
        return None
    rows = []
    for row in selectors.case_access_summary(case=case)[: selectors.ACCESS_ROWS + 1]:
        rows.append(
            {
                **row,
                "who": _name(row["user__first_name"], row["user__last_name"], row["user__username"]) or "Not signed in",
                "what": f"{AccessLog.Action(row['action']).label} the "
                f"{RecordType.LABELS.get(row['record_type'], row['record_type'].replace('_', ' '))}",
            }
        )
    return {"rows": rows[: selectors.ACCESS_ROWS], "more": len(rows) > selectors.ACCESS_ROWS}


# --- The report ----------------------------------------------------------------------------------


def case_report_context(*, user: User, case: Case, on_section: Callable[[list[int]], None] | None = None) -> dict:
    """Everything the report prints for `user` (who may print it: the caller checked), by section.
    `on_section(person_ids)` is called as each section is read, with the ids of the people it
    prints (the export's progress and subjects)."""
    chronology = _chronology(case, user)
    builders: dict[str, Callable[[], dict | None]] = {
        "case": lambda: {"people": _people(case)},
        "team": lambda: _team(case),
        "genogram": lambda: _genogram(case, user),
        "chronology": lambda: chronology,
        "referrals": lambda: _referrals(case),
        "panel": lambda: _panel(case),
        "consent": lambda: _consent(case),
        "assessment": lambda: _assessment(case),
        "plan": lambda: _plan(case),
        "meetings": lambda: _meetings(case),
        "reviews": lambda: _reviews(case),
        "outcome-tools": lambda: _outcome_tools(case),
        "outcomes": lambda: _outcomes(case, chronology, user),
        "access": lambda: _access(case),
    }
    parts = {}
    for section in SECTIONS:
        parts[section.key] = builders[section.key]()
        if on_section is not None:
            people = (parts["case"]["people"] or {}).get("people", []) if section.key == "case" else []
            on_section([person.pk for person in people])
    shown = [s for s in SECTIONS if parts[s.key] is not None]
    left_out = [s for s in SECTIONS if parts[s.key] is None]
    return {
        "title": f"Case report: {case.reference}",
        "case": case,
        "reader": user,
        "reader_agency": user.agency.name if user.agency_id else "your agency",
        "sections": shown,
        "left_out": left_out,
        "part": {key.replace("-", "_"): value for key, value in parts.items()},
        "marking": MARKING,
        "not_shared": NOT_SHARED,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "made_at": timezone.localtime(),
    }


def case_report_html(*, user: User, case: Case, on_section: Callable[[list[int]], None] | None = None) -> str:
    context = case_report_context(user=user, case=case, on_section=on_section)
    return render_to_string("outcomes/case_report/report.html", context)


def case_report_pdf(
    *,
    user: User,
    case: Case,
    request: HttpRequest | None = None,
    on_section: Callable[[list[int]], None] | None = None,
) -> bytes:
    """The case's report for `user` (who may print it: the caller checked, with `case` from
    `case_get_for_user`) as a tagged PDF. The print is written to the case's access log."""
    html = case_report_html(user=user, case=case, on_section=on_section)
    pdf = html_to_pdf(html)
    access_log_record(
        user=user,
        action=AccessLog.Action.PRINT,
        record_type=RecordType.CASE,
        record_id=case.pk,
        subject=Subject(case_id=case.pk),
        request=request,
    )
    return pdf
