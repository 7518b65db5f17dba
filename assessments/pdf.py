"""Printing the lead professional's work (the assessment, the plan, a review) as tagged PDFs with
WeasyPrint: OFFICIAL-SENSITIVE at the top and bottom of every page, the language and the title set,
a structure tree for screen readers (PDF/UA-1). Each document's template extends
`assessments/pdf/base.html`; its view checks access and writes the access log (action "print")."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import slugify

from cases.models import Case
from earlyhelp.pdf import MARKING, html_to_pdf


def pdf_filename(case: Case, kind: str) -> str:
    """The case's reference and the document, never a family's name: "c-2026-000123-plan.pdf"."""
    return f"{slugify(case.reference)}-{slugify(kind)}.pdf"


def pdf_render(template: str, context: dict) -> bytes:
    """Render `template` (extending assessments/pdf/base.html) with `context` plus the marking, the
    council's and service's names and when it was made, as a tagged PDF. `context` must give
    `title`."""
    context = {
        **context,
        "marking": MARKING,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "made_at": timezone.localtime(),
    }
    html = render_to_string(template, context)
    return html_to_pdf(html)
