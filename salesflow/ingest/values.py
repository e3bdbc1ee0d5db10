"""Coercing typed or imported values that need a library: phone numbers (phonenumbers)."""

from __future__ import annotations

from salesflow.domain.errors import BadInput
from salesflow.domain.text import clean_text

DEFAULT_REGION = "CN"


def normalise_phone(value: str | None, region: str = DEFAULT_REGION) -> str | None:
    """E.164 (`+8613800138000`) for anything phonenumbers can read as a possible number."""
    value = clean_text(value, "phone", max_len=64)
    if value is None:
        return None
    import phonenumbers

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        number = None
    if number is None or not phonenumbers.is_possible_number(number):
        raise BadInput(f"phone {value!r} does not look like a phone number",
                       hint="write it with digits, e.g. 138 0013 8000 or +86 10 1234 5678")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
