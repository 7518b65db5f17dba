"""The Ofsted inspection lists (Annex A) on hand-made records: each list's headings in their order,
and the codes of its rows (a school's contact coded 2A, a parent's on the public form 1A, an NFA
referral, a child's earlier referral counted, an early help assessment in the six months), the
workbook read back with openpyxl and the CSV files read back from their zip."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone
from openpyxl import load_workbook

from assessments import assessment_services
from cases.models import Ethnicity, Gender, Person
from front_door import services as front_door
from front_door.models import Channel, DecisionOutcome, Referral, ReferrerRelationship
from front_door.services import PersonData
from outcomes.exports import annex_a
from outcomes.exports.kinds import Progress
from tests.assessments.test_assessment_services import consent, submitted
from tests.conftest import open_case

FIELDS = {
    "concerns": "Missed school.",
    "consent_given": True,
    "address_line_1": "1 Mill Lane",
    "town": "Exton",
    "postcode": "EX1 1AB",
}


def child(nhs_number: str, **kwargs) -> PersonData:
    return PersonData(
        kind="child",
        first_name="Amara",
        last_name="Okafor",
        date_of_birth=kwargs.pop("date_of_birth", datetime.date(2016, 5, 17)),
        nhs_number=nhs_number,
        **kwargs,
    )


def decide(world, referral: Referral, outcome: str):
    return front_door.referral_decide(
        confirm_new_people=True,
        actor=world.duty_manager,
        referral=referral,
        outcome=outcome,
        level_of_need=world.level3,
        reason="Decided.",
    )


def received_ago(referral: Referral, **delta) -> Referral:
    Referral.objects.filter(pk=referral.pk).update(received_at=timezone.now() - relativedelta(**delta))
    referral.refresh_from_db()
    return referral


@pytest.fixture
def records(world):
    """A school's contact about a girl, decided NFA, after an earlier referral of hers three months
    ago (stepped up); a parent's contact on the public form, not yet decided; a contact seven months
    ago (outside the six months); an early help case whose assessment was started and approved."""
    world.school.referral_source_code = "2A"
    world.school.save(update_fields=["referral_source_code"])
    earlier = front_door.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[child("9434765919", gender=Gender.FEMALE)],
        **FIELDS,
    )
    decide(world, earlier, DecisionOutcome.STEP_UP)
    received_ago(earlier, months=3)
    girl = Person.objects.get(nhs_number="9434765919")
    Person.objects.filter(pk=girl.pk).update(ethnicity=Ethnicity.BAFR, local_id="LCS123")
    nfa = front_door.referral_receive(
        channel=Channel.PRACTITIONER,
        actor=world.school_practitioner,
        people=[child("9434765919", gender=Gender.FEMALE)],
        **FIELDS,
    )
    decide(world, nfa, DecisionOutcome.NO_FURTHER_ACTION)
    public = front_door.referral_receive(
        channel=Channel.PUBLIC,
        referrer_relationship=ReferrerRelationship.PARENT,
        referrer_name="A parent",
        referrer_email="parent@example.org",
        people=[child("9434765870", gender=Gender.MALE, date_of_birth=datetime.date(2019, 1, 2))],
        **FIELDS,
    )
    old = front_door.referral_receive(
        channel=Channel.PRACTITIONER, actor=world.school_practitioner, people=[child("9434765862")], **FIELDS
    )
    received_ago(old, months=7)
    case = open_case(world)
    consent(case)
    assessment = assessment_services.assessment_approve(actor=world.team_manager, assessment=submitted(case))
    closed = open_case(world, status="closed")
    world.earlier, world.nfa, world.public, world.old = earlier, nfa, public, old
    world.girl, world.case, world.assessment, world.closed = girl, case, assessment, closed
    return world


def window() -> annex_a.Window:
    return annex_a.Window(timezone.localdate())


def dmy(moment) -> datetime.date:
    return timezone.localdate(moment)


def test_list_1_has_a_row_per_child_per_contact_in_the_six_months_with_its_source(records):
    rows = list(annex_a.list_1_rows(window()))

    assert annex_a.LIST_1_COLUMNS == [
        "Child Unique ID",
        "Gender",
        "Ethnicity",
        "Date of Birth",
        "Age of Child (Years)",
        "Date of Contact",
        "Contact Source",
    ]
    boy = records.public.people.get().person  # not yet matched: the referral's own record of him
    today = timezone.localdate()
    assert boy is None
    assert rows == [
        [
            "LCS123",
            "b) Female",
            "o) BAFR",
            datetime.date(2016, 5, 17),
            relativedelta(today, datetime.date(2016, 5, 17)).years,
            dmy(records.earlier.received_at),
            "e) 2A: Schools",
        ],
        [
            "LCS123",
            "b) Female",
            "o) BAFR",
            datetime.date(2016, 5, 17),
            relativedelta(today, datetime.date(2016, 5, 17)).years,
            dmy(records.nfa.received_at),
            "e) 2A: Schools",
        ],
        [
            f"R{records.public.people.get().pk}",
            "a) Male",
            "t) NOBT",
            datetime.date(2019, 1, 2),
            relativedelta(today, datetime.date(2019, 1, 2)).years,
            dmy(records.public.received_at),
            "a) 1A: Individual",
        ],
    ]


def test_list_3_counts_the_childs_earlier_referrals_and_says_which_were_nfa(records):
    rows = list(annex_a.list_3_rows(window()))

    assert annex_a.LIST_3_COLUMNS[5:] == [
        "Date of referral",
        "Referral Source",
        "Referral NFA?",
        "Number of Referrals in Last 12 Months",
        "Allocated Team",
        "Allocated Worker",
    ]
    # Decided referrals only (the public contact waits for a decision); the step up opened no case.
    assert [row[5:] for row in rows] == [
        [dmy(records.earlier.received_at), "e) 2A: Schools", "b) No", 0, "", ""],
        [dmy(records.nfa.received_at), "e) 2A: Schools", "a) Yes", 1, "", ""],
    ]
    assert {row[0] for row in rows} == {"LCS123"}


def test_list_2_has_the_assessment_in_the_six_months_for_each_child_of_the_household(records):
    rows = list(annex_a.list_2_rows(window()))

    children = [m.person for m in records.case.family.memberships.all() if m.person.kind == Person.Kind.CHILD]
    assert annex_a.LIST_2_COLUMNS[5:] == [
        "Assessment start date",
        "Assessment completion date",
        "Organisation completing assessment",
    ]
    # The closed case had no assessment in the six months: it is not there.
    assert rows == [
        [
            str(children[0].pk),
            "c) Not stated/recorded",
            "t) NOBT",
            children[0].date_of_birth,
            relativedelta(timezone.localdate(), children[0].date_of_birth).years,
            dmy(records.assessment.started_at),
            dmy(records.assessment.decided_at),
            "Council Family Support",
        ]
    ]
    assert annex_a.list_2_count(window()) == 1


class _Export:
    def __init__(self, **parameters):
        self.parameters = parameters


def test_the_workbook_has_a_sheet_per_list_with_dates_as_dates(records):
    out = io.BytesIO()
    saved = []
    progress = Progress(_Export(), every=1, save=lambda export, done, total: saved.append((done, total)))

    output = annex_a.make(export=_Export(inspection_date=timezone.localdate().isoformat()), progress=progress, out=out)

    workbook = load_workbook(io.BytesIO(out.getvalue()))
    assert output.filename == f"annex-a-{timezone.localdate():%Y-%m-%d}.xlsx"
    assert workbook.sheetnames == ["List 1", "List 2", "List 3"]
    sheet = workbook["List 1"]
    assert [cell.value for cell in sheet[1]] == annex_a.LIST_1_COLUMNS
    assert sheet.max_row == 4
    assert sheet["D2"].value.date() == datetime.date(2016, 5, 17)
    assert sheet["D2"].number_format == "DD/MM/YYYY"
    assert [cell.value for cell in workbook["List 3"][3]][7] == "a) Yes"
    # Rows done of rows: 3 contacts, 1 early help row, 2 referrals.
    assert saved[0] == (0, 6) and saved[-1] == (6, 6)
    # The known people whose records it holds, for the access log (the boy is not matched yet).
    household_child = records.case.family.memberships.get(person__kind=Person.Kind.CHILD).person_id
    assert progress.subjects == {records.girl.pk, household_child}


def test_the_csv_files_write_dates_as_dd_mm_yyyy(records):
    out = io.BytesIO()
    progress = Progress(_Export(), every=100, save=lambda *args: None)
    inspection = timezone.localdate().isoformat()

    annex_a.make(export=_Export(inspection_date=inspection, format="csv"), progress=progress, out=out)

    archive = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    assert archive.namelist() == [
        "annex-a-list-1-contacts.csv",
        "annex-a-list-2-early-help.csv",
        "annex-a-list-3-referrals.csv",
    ]
    rows = list(csv.reader(io.StringIO(archive.read("annex-a-list-3-referrals.csv").decode("utf-8-sig"))))
    assert rows[0] == annex_a.LIST_3_COLUMNS
    assert rows[2][3] == "17/05/2016"
    assert rows[2][5] == records.nfa.received_at.astimezone(timezone.get_current_timezone()).strftime("%d/%m/%Y")
    assert rows[2][7:9] == ["a) Yes", "1"]


@pytest.mark.parametrize(
    ("agency_code", "channel", "relationship", "name", "expected"),
    [
        ("3b", Channel.PRACTITIONER, ReferrerRelationship.PRACTITIONER, "Nurse", "3B"),
        ("", Channel.PHONE, ReferrerRelationship.YOUNG_PERSON, "Sam", "1C"),
        ("", Channel.PHONE, ReferrerRelationship.PUBLIC, "", "9"),
        ("", Channel.STEP_UP, ReferrerRelationship.PRACTITIONER, "Lead", "5D"),
        ("", Channel.PRACTITIONER, ReferrerRelationship.PRACTITIONER, "Someone", "10"),
    ],
)
def test_contact_sources_by_agency_channel_and_relationship(world, agency_code, channel, relationship, name, expected):
    world.health.referral_source_code = agency_code
    referral = Referral(
        channel=channel,
        referrer_agency=world.health if agency_code else None,
        referrer_relationship=relationship,
        referrer_name=name,
    )

    assert annex_a.source_code(referral) == expected


def test_ages_are_at_the_last_birthday_on_the_inspection_date_and_minus_one_unborn():
    on = datetime.date(2027, 3, 3)

    assert annex_a.age_on(datetime.date(2016, 3, 3), on) == 11
    assert annex_a.age_on(datetime.date(2016, 3, 4), on) == 10
    assert annex_a.age_on(None, on, unborn=True) == -1
    assert annex_a.age_on(None, on) is None
