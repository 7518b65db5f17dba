"""Identifiers and addresses: NHS number, Unique Pupil Number, UK postcode."""

import re

from django.core.exceptions import ValidationError

from .la_codes import UPN_LA_NUMBERS

UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # the DfE check-letter table: no I, O or S
_POSTCODE = re.compile(
    r"^(GIR0AA|[A-PR-UWYZ]([0-9]{1,2}|[A-HK-Y][0-9]{1,2}|[0-9][A-HJKPSTUW]|[A-HK-Y][0-9][ABEHMNPRVWXY])[0-9][ABD-HJLNP-UW-Z]{2})$"
)


def normalise_nhs_number(value: str) -> str:
    return re.sub(r"[\s-]", "", value or "")


def nhs_number_is_valid(value: str) -> bool:
    """Ten digits whose last is the Modulus 11 check digit of the first nine."""
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def validate_nhs_number(value: str) -> None:
    digits = normalise_nhs_number(value)
    if not re.fullmatch(r"[0-9]{10}", digits):
        raise ValidationError("Enter an NHS number with 10 digits, like 943 476 5919", code="nhs_format")
    if not nhs_number_is_valid(digits):
        raise ValidationError("Enter a valid NHS number: check the digits are in the right order", code="nhs_check")


def upn_check_letter(body: str) -> str:
    """The check letter for the last 12 characters of a UPN (a temporary UPN ends in a letter)."""
    total = 0
    for weight, char in enumerate(body, start=2):
        total += weight * (UPN_LETTERS.index(char) if char.isalpha() else int(char))
    return UPN_LETTERS[total % 23]


def normalise_upn(value: str) -> str:
    return re.sub(r"\s", "", value or "").upper()


def upn_la_is_known(value: str) -> bool:
    """Whether characters 2 to 4 are a DfE local authority number (cases/la_codes.py)."""
    return normalise_upn(value)[1:4] in UPN_LA_NUMBERS


def upn_is_valid(value: str) -> bool:
    upn = normalise_upn(value)
    if not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", upn):
        return False
    if not upn_la_is_known(upn):
        return False
    if upn[0] not in UPN_LETTERS or (upn[12].isalpha() and upn[12] not in UPN_LETTERS):
        return False
    return upn_check_letter(upn[1:]) == upn[0]


def validate_upn(value: str) -> None:
    upn = normalise_upn(value)
    if not re.fullmatch(r"[A-Z][0-9]{11}[0-9A-Z]", upn):
        raise ValidationError(
            "Enter a Unique Pupil Number with 13 characters: a letter followed by 12 digits", code="upn_format"
        )
    if not upn_la_is_known(upn):
        raise ValidationError(
            "Enter a valid Unique Pupil Number: the 3 digits after the first letter should be a local authority's"
            " number, like 801 in H801200001001",
            code="upn_la",
        )
    if not upn_is_valid(upn):
        raise ValidationError("Enter a valid Unique Pupil Number: the check letter does not match", code="upn_check")


def normalise_postcode(value: str) -> str:
    """Upper case, one space before the last three characters: 'sw1a1aa' -> 'SW1A 1AA'."""
    compact = re.sub(r"\s", "", value or "").upper()
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def validate_postcode(value: str) -> None:
    if not _POSTCODE.match(re.sub(r"\s", "", value or "").upper()):
        raise ValidationError("Enter a real postcode, like AA1 1AA", code="postcode")
