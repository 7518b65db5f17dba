"""The subject access export: the "subject-access" kind of `outcomes.exports` (its job, progress page,
once-only download for the administrator who asked, 24-hour expiry and audit come with it).

The file is a zip holding:
- `subject-access.pdf`: a tagged PDF (PDF/UA-1, WeasyPrint), OFFICIAL-SENSITIVE at the top and
  bottom of every page, "Page 3 of 21", a contents list, a section per kind of record with each item
  in full or "[Withheld: reason]" in its place, who has viewed the record (a row per person, action
  and kind of record), and "What we have withheld and why" (each withheld item's kind, date and
  reason, never its content);
- `subject-access.json`: the same items structured (`groups`, each item's fields), a withheld item
  as its type, id and reason in place of its content, every access log row (`access_log`), and the
  `withheld` list;
- `letters/letter-<id>.pdf`: each letter as it was sent, unless withheld.

What is withheld is the list the export's parameters kept when it was asked for (`services.sar_export`),
so the file and its job record the same thing whatever the request's redactions become after. The
items are read group by group in chunks and the access log rows streamed into the JSON, so memory
holds the PDF's items but never the access log; progress is a row per item and per access log row."""

from __future__ import annotations

import datetime
import io
import json
import zipfile
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.utils import timezone

from cases.audit import RecordType, Subject, access_log_record
from cases.models import AccessLog
from cases.roles import Role
from earlyhelp.pdf import MARKING, html_to_pdf
from front_door.models import ReferrerLetter
from outcomes.exports.kinds import ExportKind, Output, Progress, register_kind

from . import selectors
from .models import ItemType, SubjectAccessRequest, WithholdReason
from .services import KIND, RECORD_TYPE

PDF_NAME = "subject-access.pdf"
JSON_NAME = "subject-access.json"


def _iso(value: Any) -> str | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    return None


def withheld_words(entry: dict) -> str:
    return f"[Withheld: {entry['reason_words']}]"


def _access_words(row: dict) -> str:
    action = AccessLog.Action(row["action"]).label if row["action"] in AccessLog.Action.values else row["action"]
    record = RecordType.LABELS.get(row["record_type"], row["record_type"].replace("_", " "))
    return f"{action} the {record}"


def _who(first: str | None, last: str | None, username: str | None) -> str:
    return f"{first or ''} {last or ''}".strip() or (username or "Not signed in")


def make(*, export, progress: Progress, out: IO[bytes]) -> Output:
    """Everything held about the request's person, as the administrator who asked may have it."""
    if not export.requested_by.has_role(Role.ADMINISTRATOR):
        raise PermissionDenied
    request = SubjectAccessRequest.objects.select_related("person", "opened_by").get(
        pk=int(export.parameters["request_id"])
    )
    withheld = {(entry["type"], int(entry["id"])): entry for entry in export.parameters.get("withheld", [])}
    person = request.person
    scope = selectors.scope_of(person)
    progress.about(person.pk)
    counts = [group.rows(scope).count() for group in selectors.GROUPS]
    access_total = selectors.access_rows(scope).count()
    progress.total(sum(counts) + access_total + 1)

    made_at = timezone.localtime()
    pdf_groups: list[dict] = []
    withheld_found: list[dict] = []
    letters: list[int] = []
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        with archive.open(JSON_NAME, "w") as raw, io.TextIOWrapper(raw, encoding="utf-8") as text:
            head = {
                "request": {
                    "reference": request.reference,
                    "received_on": request.received_on.isoformat(),
                    "due_on": request.due_on.isoformat(),
                    "requester": request.requester,
                    "made_at": made_at.isoformat(),
                    "council": settings.COUNCIL_NAME,
                    "marking": MARKING,
                },
                "person_id": person.pk,
            }
            text.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "groups": [')
            for n, group in enumerate(selectors.GROUPS):
                text.write(
                    ("," if n else "") + json.dumps({"key": group.key, "title": group.title})[:-1] + ', "items": ['
                )
                shown: list[dict] = []
                for m, item in enumerate(selectors.group_items(group, scope)):
                    entry = withheld.get((item.type, item.id))
                    if entry is not None:
                        record = {
                            "type": item.type,
                            "id": item.id,
                            "withheld": withheld_words(entry),
                            "reason": entry["reason"],
                        }
                        shown.append({"withheld": withheld_words(entry)})
                        withheld_found.append(
                            {
                                **entry,
                                "kind": ItemType(item.type).label,
                                "when": item.when,
                                "date": _iso(item.when),
                                "group": group.title,
                            }
                        )
                    else:
                        record = {
                            "type": item.type,
                            "id": item.id,
                            "title": item.title,
                            "date": _iso(item.when),
                            "fields": {label: value for label, value in item.fields if value},
                        }
                        shown.append({"item": item})
                        if item.type == ItemType.LETTER:
                            letters.append(item.id)
                    text.write(("," if m else "") + json.dumps(record, ensure_ascii=False))
                    progress.add()
                text.write("]}")
                pdf_groups.append({"key": group.key, "title": group.title, "rows": shown})
            text.write('], "access_log": [')
            for m, log in enumerate(selectors.access_rows(scope).iterator(chunk_size=selectors.CHUNK)):
                row = {
                    "at": _iso(log.at),
                    "who": _who(
                        *((log.user.first_name, log.user.last_name, log.user.username) if log.user_id else ("", "", ""))
                    ),
                    "agency": log.user.agency.name if log.user_id and log.user.agency_id else "",
                    "what": _access_words({"action": log.action, "record_type": log.record_type}),
                    "case": log.case.reference if log.case_id else "",
                }
                text.write(("," if m else "") + json.dumps(row, ensure_ascii=False))
                progress.add()
            withheld_json = [
                {
                    "type": w["type"],
                    "id": w["id"],
                    "reason": w["reason"],
                    "reason_words": w["reason_words"],
                    "date": w["date"],
                }
                for w in withheld_found
            ]
            text.write('], "withheld": ' + json.dumps(withheld_json, ensure_ascii=False) + "}")
        for pk, pdf in ReferrerLetter.objects.filter(pk__in=letters).values_list("pk", "pdf").iterator(chunk_size=20):
            archive.writestr(f"letters/letter-{pk}.pdf", bytes(pdf))
        summary = [
            {
                **row,
                "who": _who(row["user__first_name"], row["user__last_name"], row["user__username"]),
                "what": _access_words(row),
            }
            for row in selectors.access_summary(scope)
        ]
        context = {
            "title": f"Subject access request {request.reference}",
            "request": request,
            "person": person,
            "groups": pdf_groups,
            "access": summary,
            "access_total": access_total,
            "withheld": withheld_found,
            "marking": MARKING,
            "council_name": settings.COUNCIL_NAME,
            "service_name": settings.SERVICE_NAME,
            "made_at": made_at,
            "reasons": WithholdReason,
        }
        html = render_to_string("outcomes/subject_access/pdf/report.html", context)
        archive.writestr(PDF_NAME, html_to_pdf(html))
    progress.add()
    # The making of the file is in the person's access log ("Printed the subject access request");
    # its download is written there too, by the exports app.
    access_log_record(
        user=export.requested_by,
        action=AccessLog.Action.PRINT,
        record_type=RECORD_TYPE,
        record_id=request.pk,
        subject=Subject(person_ids=(person.pk,)),
    )
    return Output(filename=f"{request.reference.lower()}-subject-access.zip", content_type="application/zip")


def describe(parameters: dict[str, Any]) -> str:
    reference = parameters.get("reference")
    withheld = len(parameters.get("withheld", []))
    return f"Request {reference}, {withheld} item{'s' if withheld != 1 else ''} withheld" if reference else ""


SUBJECT_ACCESS = ExportKind(
    key=KIND,
    label="Subject access request (PDF and JSON)",
    roles=frozenset({Role.ADMINISTRATOR}),
    make=make,
    describe=describe,
    record_type=RECORD_TYPE,  # "Exported the subject access request", in the person's access log
)
register_kind(SUBJECT_ACCESS)
