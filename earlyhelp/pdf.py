"""Every printed document (letters, panel papers, the lead professional's work, the dashboard, the
case report, a subject access export) is HTML made into a tagged PDF by WeasyPrint here: PDF/UA-1,
so it carries a structure tree, its language and its title for screen readers. Each document's
template sets OFFICIAL-SENSITIVE at the top and bottom of every page."""

from __future__ import annotations

from django.conf import settings
from weasyprint import HTML

PDF_VARIANT = "pdf/ua-1"
MARKING = "OFFICIAL-SENSITIVE"


def html_to_pdf(html: str) -> bytes:
    """`html` as a tagged PDF; its stylesheets and images are found from the project's folder."""
    return HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(pdf_variant=PDF_VARIANT)
