"""The database's one currency, and the rates that let amounts in other currencies in.

A database counts money in one ISO 4217 currency, chosen at `init --currency` (default CNY, meta
`currency`). An amount written in another currency (`$12k`, `USD 12000`, a Currency column of an import)
is converted only by a rate: `config set rate.USD 7.10` (1 USD = 7.10 of the database's currency), or
an import's `--rate USD=7.10`. Without one it is refused — never silently counted as the wrong money.
The original currency and amount are kept in the deal's fields (`currency`, `amount_original`).
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from salesflow.domain.errors import BadInput
from salesflow.domain.money import (DEFAULT_CURRENCY, check_code, convert, is_currency, parse_amount, parse_rate,
                                    split_currency, to_major_str)
from salesflow.store.pipelines import get_meta, meta_like

if TYPE_CHECKING:
    from decimal import Decimal
from salesflow.i18n import _

RATE_PREFIX = "rate."


@dataclass(frozen=True)
class Currency:
    code: str = DEFAULT_CURRENCY
    rates: dict[str, Decimal] = field(default_factory=dict)

    def with_rates(self, pairs: dict[str, Decimal]) -> Currency:
        return Currency(self.code, self.rates | pairs)


def currency_code(conn: sqlite3.Connection) -> str:
    """The database's currency (what money headers name): one small read, nothing else loaded."""
    return get_meta(conn, "currency") or DEFAULT_CURRENCY


def currency_of(conn: sqlite3.Connection) -> Currency:
    from decimal import Decimal

    rates = {key[len(RATE_PREFIX):]: Decimal(value) for key, value in meta_like(conn, RATE_PREFIX)}
    return Currency(currency_code(conn), rates)


def parse_rates(pairs: tuple[str, ...], base: str) -> dict[str, Decimal]:
    """`--rate USD=7.10` options → {code: rate}."""
    rates = {}
    for pair in pairs:
        code, sep, value = pair.partition("=")
        if not sep:
            raise BadInput(_("--rate {pair!r} is not CODE=RATE").format(pair=pair), hint=_("e.g. --rate USD=7.10 (1 USD = 7.10 {base})").format(base=base))
        code = check_code(code.strip(), "--rate")
        if code == base:
            raise BadInput(_("--rate {pair!r}: {code} is this database's own currency").format(pair=pair, code=code), hint=_("rate other currencies only"))
        rates[code] = parse_rate(code, value)
    return rates


def in_currency(minor: int, code: str | None, cur: Currency, written: str) -> tuple[int, dict[str, str]]:
    """An amount written in `code` (None: the database's), as the database's money; and the fields that
    keep the original (empty when no conversion was needed)."""
    if code is None or code == cur.code:
        return minor, {}
    if not is_currency(code):
        raise BadInput(_("amount {written!r}: {code} is not a currency code").format(written=written, code=code), hint=_("e.g. CNY, USD, EUR, HKD, JPY"))
    rate = cur.rates.get(code)
    if rate is None:
        raise BadInput(_("amount {written!r} is in {code}, but this database counts in {code2}").format(written=written, code=code, code2=cur.code),
                       hint=_("set a rate: salesflow config set rate.{code} RATE (1 {code} = RATE {code2}), or write the amount in {code2}").format(code=code, code2=cur.code))
    return convert(minor, rate), {"currency": code, "amount_original": to_major_str(minor)}


def typed_amount(text: str, cur: Currency) -> tuple[int, dict[str, str]]:
    """What a user typed (`12万`, `$12k`, `USD 12000`) as the database's money, and the original's fields."""
    code, rest = split_currency(text)
    return in_currency(parse_amount(rest), code, cur, text)
