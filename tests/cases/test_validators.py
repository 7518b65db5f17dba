"""Identifiers, postcodes and dates: what the validators and the date questions accept and refuse,
and the words a person reads when something is wrong. All identifiers are synthetic or published
examples (the NHS's own test numbers, the DfE's example UPN, Royal Mail's example postcodes)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases.forms import ConsentForm, NoteForm
from cases.models import Family, Person
from cases.validators import (
    UPN_LETTERS,
    nhs_number_is_valid,
    normalise_nhs_number,
    normalise_postcode,
    normalise_upn,
    upn_check_letter,
    upn_is_valid,
    validate_nhs_number,
    validate_postcode,
    validate_upn,
)

NHS_FORMAT = "Enter an NHS number with 10 digits, like 943 476 5919"
NHS_CHECK = "Enter a valid NHS number: check the digits are in the right order"
UPN_FORMAT = "Enter a Unique Pupil Number with 13 characters: a letter followed by 12 digits"
UPN_CHECK = "Enter a valid Unique Pupil Number: the check letter does not match"
POSTCODE = "Enter a real postcode, like AA1 1AA"


# --- NHS number -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "9434765919",  # NHS Digital's published example
        "4010232137",
        "9996616630",  # synthetic, from the 999 range kept for testing
        "9991452117",
        "9998502551",
        "943 476 5919",
        "943-476-5919",
        " 401 023 2137 ",
        "999-661-6630",
    ],
)
def test_valid_nhs_numbers_are_accepted(value):
    assert nhs_number_is_valid(value) is True
    assert validate_nhs_number(value) is None


def test_modulus_11_arithmetic_of_the_published_examples():
    # 9434765919: 9*10 + 4*9 + 3*8 + 4*7 + 7*6 + 6*5 + 5*4 + 9*3 + 1*2 = 299; 299 % 11 = 2; 11 - 2 = 9.
    assert sum(int(d) * w for d, w in zip("943476591", range(10, 1, -1), strict=True)) == 299
    # 4010232137: the weighted sum is 92; 92 % 11 = 4; 11 - 4 = 7.
    assert sum(int(d) * w for d, w in zip("401023213", range(10, 1, -1), strict=True)) == 92


def test_a_number_whose_check_digit_would_be_10_is_never_valid():
    # 999090054: weighted sum 320; 320 % 11 = 1; 11 - 1 = 10, which no digit can carry.
    assert sum(int(d) * w for d, w in zip("999090054", range(10, 1, -1), strict=True)) == 320
    candidates = [f"999090054{last}" for last in range(10)]
    assert [nhs_number_is_valid(c) for c in candidates] == [False] * 10
    with pytest.raises(ValidationError) as error:
        validate_nhs_number("9990900540")
    assert error.value.messages == [NHS_CHECK]
    assert error.value.code == "nhs_check"


@pytest.mark.parametrize(
    ("value", "message", "code"),
    [
        ("9434765918", NHS_CHECK, "nhs_check"),  # wrong check digit
        ("4010232138", NHS_CHECK, "nhs_check"),
        ("9996616631", NHS_CHECK, "nhs_check"),
        ("4934765919", NHS_CHECK, "nhs_check"),  # two digits swapped
        ("943476591", NHS_FORMAT, "nhs_format"),  # 9 digits
        ("94347659190", NHS_FORMAT, "nhs_format"),  # 11 digits
        ("943476591A", NHS_FORMAT, "nhs_format"),  # a letter
        ("NHS9434765", NHS_FORMAT, "nhs_format"),
        ("943.476.5919", NHS_FORMAT, "nhs_format"),
        ("９４３４７６５９１９", NHS_FORMAT, "nhs_format"),  # full-width digits are not 0-9
        ("", NHS_FORMAT, "nhs_format"),
    ],
)
def test_invalid_nhs_numbers_are_refused_with_a_clear_message(value, message, code):
    assert nhs_number_is_valid(value) is False
    with pytest.raises(ValidationError) as error:
        validate_nhs_number(value)
    assert error.value.messages == [message]
    assert error.value.code == code


def test_normalise_nhs_number_removes_spaces_and_dashes():
    assert normalise_nhs_number(" 943 476-5919 ") == "9434765919"
    assert normalise_nhs_number(None) == ""


# --- Unique Pupil Number ------------------------------------------------------------------------------


def test_the_dfe_example_upn_is_valid():
    # Characters 2-13 weighted 2..13: 8*2 + 1*4 + 2*5 + 1*10 + 1*13 = 53; 53 % 23 = 7; letter 7 is H.
    assert upn_check_letter("801200001001") == "H"
    assert upn_is_valid("H801200001001") is True
    assert validate_upn("H801200001001") is None


def test_a_computed_upn_is_valid():
    # 8*2 + 7*3 + 8*4 + 1*5 + 2*6 + 3*7 + 4*8 + 5*9 + 6*10 + 7*11 + 8*12 + 9*13 = 534;
    # 534 % 23 = 5; letter 5 is F.
    assert upn_check_letter("878123456789") == "F"
    assert validate_upn("F878123456789") is None
    assert validate_upn(upn_check_letter("201999000001") + "201999000001") is None


def test_a_temporary_upn_ending_in_a_letter_is_valid_with_its_check_letter():
    # The final letter counts by its place in the check-letter table (A = 0): here 0 * 13.
    # 9*2 + 3*3 + 1*4 + 1*5 + 2*6 + 3*7 + 4*8 + 5*9 + 6*10 + 7*11 + 8*12 = 379; 379 % 23 = 11: M.
    # (931 is Oxfordshire: the local authority number must be a real one.)
    assert upn_check_letter("93112345678A") == "M"
    assert validate_upn("M93112345678A") is None
    assert upn_is_valid("m93112345678a") is True  # typed in lower case
    with pytest.raises(ValidationError) as error:
        validate_upn("J93112345678A")
    assert error.value.messages == [UPN_CHECK]


def test_the_check_letter_table_has_no_i_o_or_s():
    assert len(UPN_LETTERS) == 23
    assert set("IOS").isdisjoint(UPN_LETTERS)


@pytest.mark.parametrize(
    ("value", "message", "code"),
    [
        ("A801200001001", UPN_CHECK, "upn_check"),  # wrong check letter
        ("G801200001001", UPN_CHECK, "upn_check"),
        ("E878123456789", UPN_CHECK, "upn_check"),
        ("I801200001001", UPN_CHECK, "upn_check"),  # I, O and S are never check letters
        ("O801200001001", UPN_CHECK, "upn_check"),
        ("S801200001001", UPN_CHECK, "upn_check"),
        ("M93112345678I", UPN_CHECK, "upn_check"),  # nor the letter of a temporary UPN
        ("M93112345678O", UPN_CHECK, "upn_check"),
        ("H80120000100", UPN_FORMAT, "upn_format"),  # 12 characters
        ("H8012000010011", UPN_FORMAT, "upn_format"),  # 14 characters
        ("8801200001001", UPN_FORMAT, "upn_format"),  # no letter first
        ("H80120000100A1", UPN_FORMAT, "upn_format"),
        ("H8012000X1001", UPN_FORMAT, "upn_format"),  # a letter in the middle
        ("", UPN_FORMAT, "upn_format"),
    ],
)
def test_invalid_upns_are_refused_with_a_clear_message(value, message, code):
    assert upn_is_valid(value) is False
    with pytest.raises(ValidationError) as error:
        validate_upn(value)
    assert error.value.messages == [message]
    assert error.value.code == code


def test_normalise_upn():
    assert normalise_upn(" h801 2000 01001 ") == "H801200001001"


# --- Postcodes ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "SW1A 1AA",
        "sw1a1aa",
        "EC1A 1BB",
        "W1A 0AX",
        "M1 1AE",
        "B33 8TH",
        "CR2 6XH",
        "DN55 1PT",
        "GIR 0AA",
        " dn55  1pt ",
    ],
)
def test_valid_postcodes_are_accepted(value):
    assert validate_postcode(value) is None


@pytest.mark.parametrize(
    "value",
    [
        "",
        "   ",
        "ABC",
        "12345",
        "SW1A 1A",  # inward code too short
        "QW1 1AA",  # Q never starts a postcode
        "SW1A 1AAA",
        "SW1A 1CA",  # C is not used in the inward code
        "V1 1AA",
        "SW1A-1AA",
    ],
)
def test_invalid_postcodes_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_postcode(value)
    assert error.value.messages == [POSTCODE]
    assert error.value.code == "postcode"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  ec1a   1bb ", "EC1A 1BB"),
        ("M11AE", "M1 1AE"),
        ("gir0aa", "GIR 0AA"),
        ("B33 8TH", "B33 8TH"),
        ("abc", "ABC"),
        ("", ""),
    ],
)
def test_normalise_postcode(value, expected):
    assert normalise_postcode(value) == expected


# --- Impossible dates through the forms -----------------------------------------------------------


def note_form(day, month, year):
    return NoteForm(
        {
            "kind": "note",
            "summary": "Home visit",
            "occurred_on_0": day,
            "occurred_on_1": month,
            "occurred_on_2": year,
        }
    )


def consent_form(day, month, year):
    return ConsentForm({"decided_on_0": day, "decided_on_1": month, "decided_on_2": year})


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "The date this happened must be a real date"),
        ("29", "2", "2025", "The date this happened must be a real date"),
        ("0", "1", "2026", "The date this happened must be a real date"),
        ("1", "13", "2026", "The date this happened must be a real date"),
        ("1", "0", "2026", "The date this happened must be a real date"),
        ("a", "b", "cdef", "The date this happened must be a real date"),
        ("1", "Jan", "2026", "The date this happened must be a real date"),
        ("-1", "1", "2026", "The date this happened must be a real date"),
        ("99999999999999999999", "1", "2026", "The date this happened must be a real date"),
        ("1", "1", "99999999999999999999", "The date this happened must be a real date"),
        ("1", "1", "26", "Year must include 4 numbers"),
        ("12", "", "", "The date this happened must include a month and year"),
        ("", "3", "2026", "The date this happened must include a day"),
        ("1", "1", "2099", "The date must be today or in the past"),
    ],
)
def test_note_date_must_be_a_real_past_date(day, month, year, message):
    form = note_form(day, month, year)
    assert form.is_valid() is False
    assert form.errors["occurred_on"] == [message]


def test_note_date_tomorrow_is_refused():
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    form = note_form(str(tomorrow.day), str(tomorrow.month), str(tomorrow.year))
    assert form.is_valid() is False
    assert form.errors["occurred_on"] == ["The date must be today or in the past"]


@pytest.mark.parametrize(
    ("day", "month", "year", "expected"),
    [
        ("29", "2", "2024", datetime.date(2024, 2, 29)),
        ("05", "03", "2026", datetime.date(2026, 3, 5)),
        (" 1 ", " 1 ", " 2026 ", datetime.date(2026, 1, 1)),
        ("", "", "", None),  # optional: blank means today
    ],
)
def test_note_date_accepts_real_dates(day, month, year, expected):
    form = note_form(day, month, year)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["occurred_on"] == expected


def test_note_date_accepts_today():
    today = timezone.localdate()
    form = note_form(str(today.day), str(today.month), str(today.year))
    assert form.is_valid(), form.errors
    assert form.cleaned_data["occurred_on"] == today


@pytest.mark.parametrize(
    ("day", "month", "year", "message"),
    [
        ("31", "2", "2026", "The date of the decision must be a real date"),
        ("0", "1", "2026", "The date of the decision must be a real date"),
        ("1", "13", "2026", "The date of the decision must be a real date"),
        ("x", "y", "zzzz", "The date of the decision must be a real date"),
        ("1", "1", "26", "Year must include 4 numbers"),
        ("1", "", "2026", "The date of the decision must include a month"),
        ("", "", "", "Enter the date of the decision"),
    ],
)
def test_consent_date_must_be_a_real_date(day, month, year, message):
    form = consent_form(day, month, year)
    assert form.is_valid() is False
    assert form.errors["decided_on"] == [message]


def test_consent_date_accepts_a_real_date():
    form = consent_form("3", "2", "2026")
    form.is_valid()
    assert "decided_on" not in form.errors
    assert form.cleaned_data["decided_on"] == datetime.date(2026, 2, 3)


# A future consent date is refused by the service, shown on the form: tests/cases/test_forms.py.


# --- Model validation -------------------------------------------------------------------------------


def child(**fields):
    return Person(kind=Person.Kind.CHILD, first_name="Amara", last_name="Okafor", **fields)


@pytest.mark.django_db
def test_person_with_valid_identifiers_passes_full_clean():
    child(nhs_number="9434765919", upn="H801200001001").full_clean()


@pytest.mark.django_db
def test_person_with_a_bad_nhs_number_fails_full_clean():
    with pytest.raises(ValidationError) as error:
        child(nhs_number="9434765918").full_clean()
    assert error.value.message_dict == {"nhs_number": [NHS_CHECK]}


@pytest.mark.django_db
def test_person_with_a_short_nhs_number_fails_full_clean():
    with pytest.raises(ValidationError) as error:
        child(nhs_number="943476591").full_clean()
    assert error.value.message_dict == {"nhs_number": [NHS_FORMAT]}


@pytest.mark.django_db
def test_person_with_a_bad_upn_fails_full_clean():
    with pytest.raises(ValidationError) as error:
        child(upn="A801200001001").full_clean()
    assert error.value.message_dict == {"upn": [UPN_CHECK]}


@pytest.mark.django_db
def test_family_with_a_bad_postcode_fails_full_clean():
    with pytest.raises(ValidationError) as error:
        Family(name="Okafor family", postcode="QW1 1AA").full_clean()
    assert error.value.message_dict == {"postcode": [POSTCODE]}


@pytest.mark.django_db
def test_family_with_a_real_postcode_or_none_passes_full_clean():
    Family(name="Okafor family", postcode="SW1A 1AA").full_clean()
    Family(name="Mensah family", postcode="").full_clean()
