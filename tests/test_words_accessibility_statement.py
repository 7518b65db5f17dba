"""The accessibility statement has the sections the public sector accessibility regulations' model
statement requires, and the phase banner links to a feedback address (configuration)."""

import re

import pytest
from django.test import Client


def headings(content: str) -> list[str]:
    """The headings of the page's main content, in order."""
    main = re.search(r"<main.*?</main>", content, re.S).group(0)
    return [re.sub(r"<[^>]+>", "", text).strip() for text in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", main)]


@pytest.fixture
def statement(db) -> str:
    response = Client().get("/accessibility/")
    assert response.status_code == 200
    return response.content.decode()


def test_the_statement_has_the_model_statements_sections(statement):
    assert headings(statement) == [
        "Accessibility statement for Early Help",
        "How accessible this service is",
        "Feedback and contact information",
        "Reporting accessibility problems with this service",
        "Enforcement procedure",
        "Technical information about this service’s accessibility",
        "Compliance status",
        "Non-accessible content",
        "Non-compliance with the accessibility regulations",
        "Disproportionate burden",
        "Content that’s not within the scope of the accessibility regulations",
        "What we’re doing to improve accessibility",
        "Preparation of this accessibility statement",
    ]


def test_the_statement_says_how_compliant_how_tested_and_when(statement):
    assert "This service is partially compliant with the" in statement
    assert "Web Content Accessibility Guidelines version 2.2</a> AA standard" in statement
    assert re.search(
        r"This statement was prepared on \d{1,2} \w+ 20\d\d\. It was last reviewed on \d{1,2} \w+ 20\d\d\.", statement
    )
    assert "axe-core" in statement and "320 pixels wide" in statement
    # What is not known to comply names its success criteria.
    for criterion in ("1.3.1 (info and relationships)", "4.1.3 (status messages)"):
        assert f"WCAG 2.2 success criterion {criterion}" in statement
    assert (
        "We are not claiming that fixing any of the problems on this page would be a disproportionate burden"
        in statement
    )


def test_the_phase_banner_links_to_the_feedback_email_by_default(db, settings):
    settings.FEEDBACK_URL = ""
    settings.FEEDBACK_EMAIL = "early-help-feedback@example.gov.uk"

    content = Client().get("/accessibility/").content.decode()

    banner = re.search(r'<div class="govuk-phase-banner">.*?</div>', content, re.S).group(0)
    assert 'href="mailto:early-help-feedback@example.gov.uk">give your feedback by email</a>' in banner
    assert "This is a new service. Help us improve it and" in banner


def test_the_phase_banner_links_to_a_feedback_form_when_there_is_one(db, settings):
    settings.FEEDBACK_URL = "https://forms.example.gov.uk/early-help-feedback"

    content = Client().get("/accessibility/").content.decode()

    banner = re.search(r'<div class="govuk-phase-banner">.*?</div>', content, re.S).group(0)
    assert 'href="https://forms.example.gov.uk/early-help-feedback">give your feedback</a>.' in banner
    assert "mailto:" not in banner
