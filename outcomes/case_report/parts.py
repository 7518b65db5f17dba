"""This part's menu items, home panels and case page parts (`cases.extensions.registry`): the case
page's "Print the case report (PDF)" button, for those who may print it."""

from __future__ import annotations

from django.urls import reverse

from cases.extensions import CaseAction, registry

from . import export  # noqa: F401 (registers the "case-report" export kind)
from .permissions import may_print_case_report

PARTS: list = [
    CaseAction(
        key="case-report",
        label="Print the case report (PDF)",
        url=lambda case: reverse("case_report:pdf", args=[case.pk]),
        allowed=may_print_case_report,
        order=95,
    ),
]


def register() -> None:
    if PARTS:
        registry.add(*PARTS)
