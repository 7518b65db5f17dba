"""The GOV.UK tag: its colour, and its text escaped."""

from cases.templatetags.gds import govuk_tag


def test_a_govuk_tag_has_its_colour_and_escapes_its_text():
    assert govuk_tag("Overdue", "red") == '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
    assert govuk_tag("<b>Open</b>") == '<strong class="govuk-tag">&lt;b&gt;Open&lt;/b&gt;</strong>'
