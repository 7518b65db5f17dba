"""Each outcome's questions are in a GOV.UK conditional reveal under its radio, marked up as
govuk-frontend 5 expects (data-aria-controls naming the reveal): without JavaScript every reveal is
on the page, each under its option; a chosen option's reveal is not hidden when the page comes back
with an error. The consent page's "if no, why" is revealed under "No" the same way."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.urls import reverse

from front_door import services
from front_door.models import Channel, DecisionOutcome


class Element(HTMLParser):
    """The class and the inner HTML (as tags and text) of the element with `element_id`."""

    def __init__(self, html: str, element_id: str):
        super().__init__()
        self.element_id, self.depth, self.classes, self.inner = element_id, 0, None, []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self.depth:
            self.depth += tag not in VOID
            self.inner.append(f"<{tag} " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">")
        elif attrs.get("id") == self.element_id:
            self.depth, self.classes = 1, attrs.get("class", "")

    def handle_endtag(self, tag):
        if self.depth and tag not in VOID:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.inner.append(data)


VOID = {"input", "br", "img", "meta", "link", "hr"}


def reveal(content: str, radio_id: str) -> tuple[str, str]:
    """The class of the reveal the radio controls, and what is in it."""
    (tag,) = re.findall(rf'<input[^>]*id="{radio_id}"[^>]*>', content)
    (controls,) = re.findall(r'data-aria-controls="([^"]+)"', tag)
    element = Element(content, controls)
    assert element.classes is not None, f"no reveal {controls} for {radio_id}"
    return element.classes, "".join(element.inner)


def test_each_outcome_reveals_its_own_questions(world, client_for, submit_referral, destinations):
    referral = submit_referral()

    content = client_for(world.duty_manager).get(reverse("front_door:triage", args=[referral.pk])).content.decode()

    (step_up,) = re.findall(r'<input[^>]*id="id_outcome_1"[^>]*>', content)
    mash_class, mash = reveal(content, "id_outcome_2")
    early_help_class, early_help = reveal(content, "id_outcome_3")
    assert "data-aria-controls" not in step_up  # nothing to reveal
    assert 'name="agencies"' in mash and 'name="question"' in mash and 'name="due_on_0"' in mash
    assert 'name="destination"' not in mash
    assert 'name="destination"' in early_help and 'name="agencies"' not in early_help
    assert f'value="{destinations["targeted-family-support"].pk}"' in early_help
    # Hidden only where govuk-frontend runs (its CSS hides them under .govuk-frontend-supported).
    assert mash_class == early_help_class == "govuk-radios__conditional govuk-radios__conditional--hidden"


def test_the_chosen_outcomes_questions_stay_open_after_an_error(world, client_for, submit_referral):
    referral = submit_referral()

    content = (
        client_for(world.duty_manager)
        .post(
            reverse("front_door:triage", args=[referral.pk]),
            {"outcome": DecisionOutcome.MORE_INFORMATION, "level_of_need": world.level3.pk, "reason": ""},
        )
        .content.decode()
    )

    mash_class, _ = reveal(content, "id_outcome_2")
    early_help_class, _ = reveal(content, "id_outcome_3")
    assert mash_class == "govuk-radios__conditional"
    assert early_help_class.endswith("--hidden")
    assert "Enter what you need to know from the agencies" in content


def test_the_consent_reason_is_revealed_under_no(world, client_for):
    draft = services.referral_create(channel=Channel.PRACTITIONER, actor=world.school_practitioner)

    content = client_for(world.school_practitioner).get(f"/referrals/{draft.pk}/consent/").content.decode()

    no_class, no_reveal = reveal(content, "id_consent_given_2")
    (yes,) = re.findall(r'<input[^>]*id="id_consent_given_1"[^>]*>', content)
    assert 'name="consent_not_sought_reason"' in no_reveal
    assert "If no, why would asking them put a child at risk?" in no_reveal
    assert "data-aria-controls" not in yes
    assert no_class.endswith("--hidden")
