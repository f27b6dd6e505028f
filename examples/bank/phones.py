"""Phone numbers: the E.164 form the bank keys accounts by, what the API says of a
number, and phone verification codes (sign-up and password reset).

Use case 5 (block volume registration): a number must be a mobile one (the API's
phone information) and belong to one account only (its E.164 form, parsed the way
the API parses it, with ``phonenumbers``).
"""

from __future__ import annotations

import phonenumbers

from tfa_core.client import Client, TfaApiError

__all__ = ["code_refusal", "e164", "mobile_refusal"]

_TYPE_NAMES = {"landline": "a landline", "voip": "a VoIP number"}


def e164(country_code: int, number: str) -> str | None:
    """``+12015550123`` for (1, ``201-555-0123``); None if not a valid number."""
    region = phonenumbers.region_code_for_country_code(country_code)
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if parsed.country_code != country_code or not phonenumbers.is_valid_number(parsed):
        return None
    return str(phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164))


def mobile_refusal(tfa: Client, country_code: int, number: str) -> str | None:
    """Why the number cannot sign up (not a mobile), or None when it can."""
    try:
        kind = tfa.phone_info(country_code, number).type
    except TfaApiError as error:
        if error.status == 400:
            return "This is not a valid phone number."
        raise
    if kind == "cellphone":
        return None
    name = _TYPE_NAMES.get(kind, "not a mobile number")
    return (
        f"+{country_code} {number} is {name}. Example Bank needs a mobile number"
        " that can receive text messages."
    )


def code_refusal(tfa: Client, country_code: int, phone: str, code: str) -> str | None:
    """Why a phone verification *code* is refused, or None when it is right (the
    verification is then consumed)."""
    if not code.isdigit() or not 4 <= len(code) <= 10:
        return "Enter the code from the text message (digits only)."
    try:
        tfa.check_phone_verification(country_code, phone, code)
    except TfaApiError as error:
        if error.error_code == "60022":
            return "That code is wrong. Check the message and try again."
        if error.error_code == "60023":
            return (
                "No code is waiting for this number: it expired after 10 minutes,"
                " or was tried wrongly too often. Send a new one."
            )
        raise
    return None
