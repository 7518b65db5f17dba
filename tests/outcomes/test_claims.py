"""The Supporting Families claim rule on a family that meets it and on families that fail each
condition; the claims list (no names), and a family claimed once per framework version."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import assessment_services
from assessments.models import Assessment, AssessmentStatus, Plan, PlanOutcome
from cases import services as case_services
from cases.models import FamilyMembership, IdentifiedNeed, OutcomeArea, Person
from outcomes import claims, services
from outcomes.models import Claim, Closure, ClosureDestination, NeedOutcome
from tests.assessments.test_assessment_services import add_need, completed_assessment
from tests.conftest import open_case


def claimable(world, *, needs: int = 3, checked_after_days: int = 200) -> Closure:
    """A family taken through the whole journey: an approved assessment with `needs` needs, a plan
    covering them, a closure with each achieved, signed off, and checked `checked_after_days` on."""
    case = open_case(world)
    assessment = completed_assessment(case)
    for n in range(needs - 1):
        add_need(assessment, description=f"Need {n + 2}")
    assessment = assessment_services.assessment_submit(actor=world.lead, assessment=assessment)
    assessment_services.assessment_approve(actor=world.team_manager, assessment=assessment)
    plan = Plan.objects.create(case=case, created_by=world.lead)
    outcome = PlanOutcome.objects.create(plan=plan, text="Things are better", created_by=world.lead)
    outcome.needs.set(IdentifiedNeed.objects.filter(case=case))
    case_services.case_request_closure(actor=world.lead, case=case, reason=world.outcomes_met, summary="Done.")
    closure = services.closure_request_record(
        actor=world.lead,
        case=case,
        destination=ClosureDestination.objects.get(code="universal"),
        feedback_timely="yes",
        feedback_knew_lead="yes",
        feedback_told_once="yes",
        answers=[
            services.NeedAnswer(need=need, achieved="yes", evidence_note="Seen at the review")
            for need in IdentifiedNeed.objects.filter(case=case)
        ],
    )
    case_services.case_sign_off_closure(actor=world.team_manager, case=case)
    services.closure_sign_off(actor=world.team_manager, case=case, significant_and_sustained=True)
    Closure.objects.filter(pk=closure.pk).update(
        decided_at=timezone.now() - datetime.timedelta(days=checked_after_days)
    )
    closure.refresh_from_db()
    services.sustained_check_record(
        actor=world.team_manager,
        closure=closure,
        answers={outcome.pk: (True, "") for outcome in closure.need_outcomes.all()},
    )
    return Closure.objects.select_related("case").get(pk=closure.pk)


def unmet(closure) -> list[str]:
    (check,) = claims.claim_checks([closure])
    return [words for words, met in check.conditions if not met]


def test_a_family_through_the_whole_journey_meets_the_rule(world):
    assert unmet(claimable(world)) == []


def _no_children(closure):
    FamilyMembership.objects.filter(
        family_id=closure.case.family_id, person__kind__in=[Person.Kind.CHILD, Person.Kind.UNBORN]
    ).delete()


def _not_approved(closure):
    Assessment.objects.filter(case_id=closure.case_id).update(status=AssessmentStatus.SUBMITTED)


def _plan_misses_a_need(closure):
    PlanOutcome.objects.get(plan__case_id=closure.case_id).needs.remove(closure.need_outcomes.first().need)


def _one_did_not_last(closure):
    NeedOutcome.objects.filter(pk=closure.need_outcomes.first().pk).update(sustained=False)


def _one_only_partly(closure):
    NeedOutcome.objects.filter(pk=closure.need_outcomes.first().pk).update(achieved="partly")


def _two_frameworks(closure):
    other = OutcomeArea.objects.filter(framework__active=False).first()
    IdentifiedNeed.objects.filter(pk=closure.need_outcomes.first().need_id).update(area=other)


def _no_lead(closure):
    type(closure.case).objects.filter(pk=closure.case_id).update(lead_professional=None)


@pytest.mark.parametrize(
    ("spoil", "condition"),
    [
        (_no_children, "Dependent children or an expectant parent"),
        (_not_approved, "A whole-family assessment, approved"),
        (_plan_misses_a_need, "A plan covering every need"),
        (_one_did_not_last, "Every need's outcome achieved and sustained six months after closure"),
        (_one_only_partly, "Every need's outcome achieved and sustained six months after closure"),
        (_two_frameworks, "Every need under one framework version"),
        (_no_lead, "A lead professional"),
    ],
)
def test_a_family_failing_one_condition_does_not_meet_the_rule(world, spoil, condition):
    closure = claimable(world)

    spoil(closure)

    assert unmet(Closure.objects.select_related("case").get(pk=closure.pk)) == [condition]


def test_two_needs_or_a_check_too_soon_do_not_meet_the_rule(world):
    assert unmet(claimable(world, needs=2)) == ["At least 3 needs identified, each with evidence"]
    soon = claimable(world, checked_after_days=30)
    assert unmet(soon) == ["Every need's outcome achieved and sustained six months after closure"]


def test_the_claims_list_shows_no_names_and_an_analyst_claims_once(world, client_for):
    closure = claimable(world)
    analyst = client_for(world.analyst)
    family = closure.case.family

    html = analyst.get("/cases/claims/").content.decode()
    page = html[html.index("<main") : html.index("</main>")]  # the header names the signed-in analyst
    response = analyst.post(f"/cases/claims/{closure.pk}/claim/", {"note": "SF-2026-001"})

    assert closure.case.reference in page and "Meets the rule" in page and "Mark as claimed" in page
    for person in Person.objects.filter(memberships__family=family):
        assert person.last_name not in page and person.first_name not in page
    assert world.lead.last_name not in page
    assert response.status_code == 302
    claim = Claim.objects.get(family=family)
    assert claim.note == "SF-2026-001" and claim.claimed_by == world.analyst
    after = analyst.get("/cases/claims/").content.decode()
    assert f"/cases/claims/{closure.pk}/claim/" not in after and "Claims made so far: 1" in after  # off the list
    with pytest.raises(ValidationError, match="already been claimed"):
        claims.claim_record(actor=world.analyst, closure=closure)


def test_team_managers_see_their_agencys_families_but_do_not_claim(world, client_for):
    closure = claimable(world)

    page = client_for(world.team_manager).get("/cases/claims/").content.decode()

    assert closure.case.reference in page and "Mark as claimed" not in page
    assert client_for(world.team_manager).post(f"/cases/claims/{closure.pk}/claim/").status_code == 403
    assert closure.case.reference not in client_for(world.other_manager).get("/cases/claims/").content.decode()
    assert client_for(world.lead).get("/cases/claims/").status_code == 403


def test_the_claims_list_downloads_as_a_workbook_through_an_export_job(
    world, client_for, monkeypatch, settings, tmp_path, django_capture_on_commit_callbacks
):
    import io

    import openpyxl

    from outcomes.exports import tasks
    from outcomes.exports.models import Export

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(tasks.run_export, "delay", tasks.run_export)  # the worker, in place
    closure = claimable(world)
    analyst = client_for(world.analyst)

    with django_capture_on_commit_callbacks(execute=True):
        response = analyst.post("/cases/claims/export/", {"format": "xlsx"})
    export = Export.objects.get(requested_by=world.analyst)
    download = analyst.get(f"/exports/{export.pk}/download/")

    assert response.status_code == 302 and response["Location"] == f"/exports/{export.pk}/"
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(download.streaming_content)))["Claims list"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Case", "Family ID", "Closed on", "Checked on", "Meets the claim rule")
    assert len(rows) == 1 + 3  # a row for each of the family's three needs
    assert {row[0] for row in rows[1:]} == {closure.case.reference} and {row[4] for row in rows[1:]} == {"Yes"}
    assert all(row[-2] == "a note" and row[-1] == "Yes" for row in rows[1:])
    assert client_for(world.lead).post("/cases/claims/export/").status_code == 403
