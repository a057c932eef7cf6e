"""Filling scenario templates: placeholder values drawn from the locale pools with the caller's RNG."""

from __future__ import annotations

import math
import re
import string
from collections.abc import Callable
from datetime import date, timedelta
from random import Random

from generators.pools import LocalePools, load_pools
from generators.scenarios import Scenario, Template

_UPPER = string.ascii_uppercase
_EMOJI = re.compile("[\U0001F000-\U0001FAFF\u2190-\u21FF\u2600-\u27BF\u2B00-\u2BFF\uFE0F\u200D]+ ?")


def spoken(text: str) -> str:
    """A reply as a voice bot says it: without emoji and arrows, which a phone line cannot carry."""
    return _EMOJI.sub("", text).strip() if not text.isascii() else text


def format_amount(value: float, pools: LocalePools) -> str:
    """``1234.5`` -> ``$1,234.50`` or ``1 234,50 ₽``; whole amounts drop the decimals."""
    whole = float(round(value, 2)).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    text = text.replace(",", "\x00").replace(".", pools.decimal_separator).replace("\x00",
                                                                                  pools.thousands_separator)
    return f"{pools.currency_prefix}{text}{pools.currency_suffix}"


def _amount(filler: Filler) -> str:
    """Log-normal around the locale's typical amount: mostly everyday sums, now and then a large one."""
    rng = filler.rng
    value = filler.pools.typical_amount * math.exp(rng.gauss(0.0, 1.0))
    value = round(value, 2) if value < 100 and rng.random() < 0.5 else round(value)
    return format_amount(value, filler.pools)


def _date(filler: Filler) -> str:
    # Mostly the days ahead (deliveries, appointments, due dates), now and then the days just past.
    shift = filler.rng.randint(1, 14) if filler.rng.random() < 0.85 else -filler.rng.randint(1, 5)
    moment = filler.day + timedelta(days=shift)
    return filler.pools.date_pattern.format(day=moment.day, month=filler.pools.months[moment.month - 1])


def _phone(filler: Filler) -> str:
    from generators.provider import format_phone, phone_digits

    return format_phone(phone_digits(filler.rng, filler.pools), filler.pools)


def _first_name(filler: Filler) -> str:
    return filler.rng.choice(filler.pools.first_names_female if filler.rng.random() < 0.5
                             else filler.pools.first_names_male)


_PLACEHOLDERS: dict[str, Callable[[Filler], str]] = {
    "first_name": _first_name,
    "agent_name": _first_name,
    "company": lambda f: f.rng.choice(f.scenario.companies),
    "street_address": lambda f: f.rng.choice(f.pools.street_addresses),
    "city": lambda f: f.rng.choice(f.pools.cities),
    "amount": _amount,
    "date": _date,
    "time": lambda f: f"{f.rng.randint(8, 21):02d}:{f.rng.choice(('00', '15', '30', '45'))}",
    "order_number": lambda f: str(f.rng.randrange(10_000_000, 100_000_000)),
    "tracking_number": lambda f: (f"{f.rng.choice(_UPPER)}{f.rng.choice(_UPPER)}"
                                  f"{f.rng.randrange(100_000_000, 1_000_000_000)}RU"),
    "card_last4": lambda f: f"{f.rng.randrange(10_000):04d}",
    "phone_number": _phone,
    "email": lambda f: f.rng.choice(f.pools.emails),
    "number": lambda f: str(f.rng.randint(2, 12)),
    "code": lambda f: f"{f.rng.randrange(1_000_000):06d}",
}


STICKY = frozenset({"order_number", "tracking_number", "card_last4", "phone_number", "email", "street_address",
                    "city"})
"""Values that belong to the client, so that a session keeps talking about the same order, card or address."""


class Filler(dict):
    """A mapping for ``str.format_map`` over one session.

    Set values (the client's name, the agent's, the company) are stored; so is the first draw of a sticky
    value and of every scenario ``[values]`` key (the product asked about is the product answered about).
    Amounts, dates, times and counts are drawn afresh on each lookup.
    """

    def __init__(self, rng: Random, scenario: Scenario, day: date | None = None) -> None:
        super().__init__()
        self.rng = rng
        self.scenario = scenario
        self.pools = load_pools(scenario.locale)
        self.day = day or date(2026, 1, 1)

    def __missing__(self, key: str) -> str:
        values = self.scenario.values.get(key)
        if values is not None:
            value = self[key] = self.rng.choice(values)
            return value
        value = _PLACEHOLDERS[key](self)
        if key in STICKY:
            self[key] = value
        return value

    def fill(self, template: Template, female: bool) -> str:
        text = template.female if female else template.male
        return text.format_map(self) if template.fields else text
