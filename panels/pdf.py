"""The Early Help Panel's printed papers, made with WeasyPrint from templates/panels/pdf/ the way the
front door makes its letters (`front_door.letters`): tagged PDF/UA-1, with the language (en-GB),
a title and the council as author.

- `agenda_pdf`: the cover (panel, date and time, venue, chair, standing members), the agenda in
  order, and each item's papers on a page of its own: the family's people, address, level of need,
  how the case came and the note sent with a return, the front door's decisions, partners' answers
  and recent chronology events.
- `minutes_pdf`: attendance, each item's decision (the first one, then each amendment with when, by
  whom and why), the actions and the general notes.

A family's details are printed only where `user` may see them (`item.details_visible`, the rule of
the case pages); otherwise the paper gives the reference, the level of need and how the case came,
and says the family has not agreed to share its details with the user's agency. Every page is
marked OFFICIAL-SENSITIVE at its top and bottom and numbered "Page 3 of 12".

Each print is written to the access log (`agenda_log_views`, as a print) for every case whose
details it showed. A fixed number of queries however many items the agenda has.

The agenda of a full meeting is long (20 items, about 20 pages: seconds of WeasyPrint), so it is
made ahead (the house style's "large documents are made in a task and stored"): when the agenda is
sent, and whenever it changes after, `agenda_papers_make` (the `make_agenda_papers` task) makes one
PDF for the coordinator and one for each standing member, stored once per distinct content
(`AgendaPaper`, keyed by the SHA-256 of the HTML: members whose agencies see the same families share
one). A download builds its own HTML for its own user, as before (cheap: a few queries and a
template), and serves the stored PDF whose key matches; if none does (the agenda, a family or
consent changed since, or a viewer unlike any member), it renders then, as before, and stores that
too. A stale paper or another agency's is never served, since the key is the content itself.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from cases.models import AccessLog, User
from earlyhelp.pdf import MARKING, html_to_pdf

from . import selectors
from .models import AgendaPaper, Attendance, Meeting, MeetingStatus
from .permissions import agenda_log_views
from .words import day_words, route_words, when_words

NOT_SHARED = "Not shared with your agency"
# Where the time the PDF was made goes: put in after the key is taken, so the key is the content.
PRINTED_MARK = "@@printed@@"


def pdf_filename(meeting: Meeting, kind: str) -> str:
    """The panel and the meeting's date, never a family: "north-early-help-panel-agenda-2026-12-08.pdf"."""
    day = timezone.localtime(meeting.starts_at).date()
    return f"{slugify(meeting.panel.name) or 'panel'}-{kind}-{day:%Y-%m-%d}.pdf"


def _write(html: str) -> bytes:
    html = html.replace(PRINTED_MARK, when_words(timezone.now(), weekday=False))
    return html_to_pdf(html)


def _render(template: str, context: dict) -> bytes:
    return _write(render_to_string(template, context))


def _common(*, user: User, meeting: Meeting, title: str) -> dict:
    panel = meeting.panel
    return {
        "title": title,
        "marking": MARKING,
        "not_shared": NOT_SHARED,
        "meeting": meeting,
        "panel": panel,
        "when": when_words(meeting.starts_at),
        "venue": meeting.venue or panel.venue,
        "moved_from": when_words(meeting.moved_from, weekday=False) if meeting.moved_from else "",
        "cancelled": meeting.status == MeetingStatus.CANCELLED,
        "agency_name": user.agency.name if user.agency_id else "",
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "printed": PRINTED_MARK,
    }


def _decision_words(decision) -> dict:
    """A panel decision for the papers: its outcome in words, who leads, and the rest."""
    outcome = decision.get_outcome_display()
    detail = []
    if decision.lead_agency_id:
        detail.append(
            f"Lead agency: {decision.lead_agency.name}" + (f" ({decision.team.name})" if decision.team_id else "")
        )
    if decision.not_for_panel_route:
        detail.append(decision.get_not_for_panel_route_display())
    if decision.closure_reason_id:
        detail.append(f"Closed: {decision.closure_reason}")
    if decision.deferred_to_id:
        detail.append(f"Deferred to the meeting on {day_words(decision.deferred_to.starts_at)}")
    if decision.threshold_confirmed:
        detail.append("Level 3 needs confirmed")
    return {
        "decision": decision,
        "outcome": outcome,
        "detail": detail,
        "decided": when_words(decision.decided_at, weekday=False),
        "by": str(decision.decided_by),
    }


def agenda_context(*, user: User, meeting: Meeting) -> tuple[dict, list]:
    items = selectors.agenda(user=user, meeting=meeting)
    histories = selectors.agenda_histories(items=items)
    people = selectors.agenda_people(items=items)
    members = list(selectors.panel_members(panel=meeting.panel))
    papers = []
    for item in items:
        case = item.case
        history = histories.get(case.pk, {"events": [], "decisions": [], "answers": []})
        papers.append(
            {
                "item": item,
                "case": case,
                "visible": item.details_visible,
                "family_name": case.family_name if item.details_visible else "",
                "route": route_words(item.route or case.panel_route, unknown="Not recorded"),
                "note": case.panel_note if item.details_visible else "",
                "people": people.get(case.pk, []),
                "address": case.family.address if item.details_visible else "",
                "front_door_decisions": [
                    {"decision": d, "decided": when_words(d.decided_at, weekday=False)} for d in history["decisions"]
                ],
                "answers": [
                    {
                        "request": r,
                        "asked": day_words(r.requested_at),
                        "answered": day_words(r.answered_at) if r.answered_at else "",
                    }
                    for r in history["answers"]
                ],
                "events": [{"entry": e, "when": day_words(e.occurred_at)} for e in history["events"][:10]],
                "decision": _decision_words(item.decision) if item.decision else None,
            }
        )
    context = _common(user=user, meeting=meeting, title=f"{meeting.panel.name}: agenda and papers")
    context.update(
        {
            "chair": meeting.panel.chair.get_full_name() if meeting.panel.chair_id else "",
            "members": members,
            "papers": papers,
        }
    )
    return context, items


def agenda_html(*, user: User, meeting: Meeting) -> tuple[str, str, list]:
    """The agenda's HTML for `user`, its key (SHA-256) and the items it shows."""
    context, items = agenda_context(user=user, meeting=meeting)
    html = render_to_string("panels/pdf/agenda.html", context)
    return html, hashlib.sha256(html.encode()).hexdigest(), items


def agenda_pdf(*, user: User, meeting: Meeting, request: HttpRequest | None = None) -> bytes:
    """The meeting's agenda with its papers as a tagged PDF for `user` (who may view the meeting:
    the caller checked): the stored one made from the same HTML if there is one, else made now and
    stored. The print is written to the access log of every case it shows."""
    html, key, items = agenda_html(user=user, meeting=meeting)
    stored = AgendaPaper.objects.filter(meeting=meeting, key=key).values_list("pdf", flat=True).first()
    if stored is not None:
        pdf = bytes(stored)
    else:
        pdf = _write(html)
        AgendaPaper.objects.bulk_create([AgendaPaper(meeting=meeting, key=key, pdf=pdf)], ignore_conflicts=True)
    agenda_log_views(user=user, meeting=meeting, items=items, request=request, action=AccessLog.Action.PRINT)
    return pdf


def agenda_papers_make(*, meeting: Meeting, viewers: list[User]) -> int:
    """Make and store the agenda PDF for each of `viewers` (the coordinator and the standing members),
    one per distinct content, and drop the meeting's papers made from any other content (stale).
    Not a print: nothing goes to the access log until someone downloads one. Returns how many
    PDFs were written."""
    keys: set[str] = set()
    made = []
    for viewer in viewers:
        html, key, _items = agenda_html(user=viewer, meeting=meeting)
        if key in keys:
            continue
        keys.add(key)
        if not AgendaPaper.objects.filter(meeting=meeting, key=key).exists():
            made.append(AgendaPaper(meeting=meeting, key=key, pdf=_write(html)))
    with transaction.atomic():
        AgendaPaper.objects.filter(meeting=meeting).exclude(key__in=keys).delete()
        AgendaPaper.objects.bulk_create(made, ignore_conflicts=True)
    return len(made)


def agenda_papers_queue(*, meeting: Meeting, actor: User) -> None:
    """After the agenda was sent (`agenda_sent_at`), make its papers again once this transaction
    commits: for `actor` (the coordinator who changed it) and the standing members."""
    if meeting.agenda_sent_at is None:
        return
    from .tasks import make_agenda_papers

    meeting_id, actor_id = meeting.pk, actor.pk
    transaction.on_commit(lambda: make_agenda_papers.delay(meeting_id, actor_id))


ATTENDANCE_ORDER = [Attendance.Status.PRESENT, Attendance.Status.APOLOGIES, Attendance.Status.ABSENT]
ATTENDANCE_WORDS = {
    Attendance.Status.PRESENT: "Present",
    Attendance.Status.APOLOGIES: "Apologies",
    Attendance.Status.ABSENT: "Absent",
}


def minutes_context(*, user: User, meeting: Meeting) -> tuple[dict, list]:
    items = selectors.agenda(user=user, meeting=meeting)
    decisions = selectors.agenda_decisions(items=items)
    attendance = selectors.meeting_attendance(meeting=meeting)
    actions = list(selectors.meeting_actions(meeting=meeting))
    visible = {item.pk: item.details_visible for item in items}
    groups = {status: [] for status in ATTENDANCE_ORDER}
    not_recorded = []
    for member, record in attendance:
        (groups[record.status] if record is not None else not_recorded).append(member)
    action_rows = [
        {
            "action": action,
            "shown": action.item_id is None or visible.get(action.item_id, False) or action.owner_id == user.pk,
            "reference": action.item.case.reference if action.item_id else "",
            "owner": str(action.owner),
            "agency": action.owner.agency.name if action.owner.agency_id else "",
            "due": day_words(action.due_on),
            "done": day_words(action.done_at) if action.done_at else "",
        }
        for action in actions
    ]
    entries = []
    for item in items:
        chain = decisions.get(item.pk, [])
        first = chain[0] if chain else None
        entries.append(
            {
                "item": item,
                "case": item.case,
                "visible": item.details_visible,
                "family_name": item.case.family_name if item.details_visible else "",
                "route": route_words(item.route, unknown="Not recorded"),
                "first": _decision_words(first) if first else None,
                "amendments": [_decision_words(d) for d in chain[1:]],
                "actions": [row for row in action_rows if row["action"].item_id == item.pk],
            }
        )
    context = _common(user=user, meeting=meeting, title=f"{meeting.panel.name}: minutes")
    context.update(
        {
            "held": meeting.status == MeetingStatus.HELD,
            "attendance": [(ATTENDANCE_WORDS[status], groups[status]) for status in ATTENDANCE_ORDER if groups[status]],
            "not_recorded": not_recorded,
            "entries": entries,
            "actions": [row for row in action_rows if row["action"].item_id is None],
            "notes": meeting.minutes_notes,
        }
    )
    return context, items


def minutes_pdf(*, user: User, meeting: Meeting, request: HttpRequest | None = None) -> bytes:
    """The meeting's minutes as a tagged PDF for `user` (who may view the meeting: the caller
    checked). The print is written to the access log of every case whose details it shows."""
    context, items = minutes_context(user=user, meeting=meeting)
    pdf = _render("panels/pdf/minutes.html", context)
    agenda_log_views(user=user, meeting=meeting, items=items, request=request, action=AccessLog.Action.PRINT)
    return pdf
