"""A session's facts for the scenario templates, and how those facts are written.

``Facts`` is the mapping ``str.format_map`` fills a template from. Everything a session quotes is drawn once
and kept: the client's own values (name, city, address, card, email, phone) from seeds of the client, so a
returning client quotes the same card; the session's values (order, amounts, ``[values]``) from the session's
RNG; dates and ``{slot}`` once per burst, relative to the burst's local day; ``{now}`` from the phrase's own
local time. Keys with a case (``city#loct``) or a noun (``count@заказ``) are declined by ``generators.russian``.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from datetime import date, timedelta
from random import Random

from generators.memo import ByIdentity
from generators.model import stable_int
from generators.pools import LocalePools, load_pools
from generators.scenarios import CASE_MARK, Amount, DaySpan, Scenario, Template

DAY_SECONDS = 86400
CLIENT_KEYS = frozenset({"city", "street_address", "card_last4", "account_last4", "phone_number", "email"})
"""Values that belong to the client rather than to one session: drawn from the client's seed."""


def format_amount(value: float, pools: LocalePools, cents: bool = True) -> str:
    """``1234.5`` -> ``$1,234.50`` or ``1 234,50 ₽``; whole amounts (or ``cents=False``) drop the decimals."""
    whole = not cents or float(round(value, 2)).is_integer()
    text = f"{value:,.0f}" if whole else f"{value:,.2f}"
    text = text.replace(",", "\x00").replace(".", pools.decimal_separator).replace("\x00", pools.thousands_separator)
    return f"{pools.currency_prefix}{text}{pools.currency_suffix}"


def draw_amount(fraction: float, amount: Amount, span: tuple[float, float] | None = None) -> float:
    """One of the choices, or log-uniform between min and max (prices cluster low, a few are large), at
    ``fraction`` (a uniform draw, 0..1). ``span``: min and max instead of the amount's own."""
    if amount.choices:
        return amount.choices[int(fraction * len(amount.choices))]
    lowest, highest = span or (amount.low, amount.high)
    low = math.log(lowest)
    value = math.exp(low + (math.log(highest) - low) * fraction)
    if amount.integer or not amount.cents:
        return float(min(highest, max(lowest, round(value))))
    return round(value, 2)


YEARLESS_DAYS = 300
"""A date without its year is read as the nearest one of that name, so one further than this from today (or of
another year) carries its year: "covered until December 5" said on January 1 reads as last December's."""


def format_date(day: date, pools: LocalePools, today: date | None = None) -> str:
    """``March 7`` («7 марта»); with the year when it is not ``today``'s or is far off (a warranty "until January
    19, 2027", or on January 1 "until December 5, 2019")."""
    month = pools.months[day.month - 1]
    if today is not None and (day.year != today.year or abs((day - today).days) > YEARLESS_DAYS):
        return pools.date_year_pattern.format(day=day.day, month=month, year=day.year)
    return pools.date_pattern.format(day=day.day, month=month)


def clock(seconds: int) -> str:
    """``14:32`` for seconds since local midnight (any day)."""
    seconds %= DAY_SECONDS
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}"


def slot_text(local_seconds: int, rng: Random, locale: str) -> str:
    """A two-hour window starting 1-4 hours after the phrase, or tomorrow morning when the day is over."""
    hour = local_seconds % DAY_SECONDS // 3600 + 1 + int(rng.random() * 4)
    tomorrow = hour > 19
    if tomorrow:
        hour = 9 + int(rng.random() * 4)
    if locale == "en_US":
        def twelve(h: int) -> str:
            return f"{(h - 1) % 12 + 1}"
        window = f"{twelve(hour)}–{twelve(hour + 2)} {'PM' if hour + 2 >= 12 else 'AM'}"
        if hour < 12 <= hour + 2:
            window = f"{twelve(hour)} AM–{twelve(hour + 2)} PM"
        return f"{window} tomorrow" if tomorrow else window
    window = f"{hour}:00–{hour + 2}:00"
    return f"{window} завтра" if tomorrow else window


class Facts(dict):
    """The values of one session, drawn on first use and kept (a ``dict`` for ``str.format_map``)."""

    def __init__(self, scenario: Scenario, rng: Random, client_seed: int, *, female: bool, agent_female: bool,
                 utc_offset: int, session_seed: int = 0) -> None:
        super().__init__()
        self.scenario = scenario
        self._resolvers = _resolvers(scenario)
        self.pools = load_pools(scenario.locale)
        self.rng = rng
        self.client_seed = client_seed
        self.session_seed = session_seed
        self.female = female
        self.agent_female = agent_female
        self.utc_offset = utc_offset
        self.moment = 0
        """The phrase's time, seconds from the burst day's 00:00 UTC (set before each fill)."""
        self.local_day = date(2000, 1, 1)
        """The audience's day of the burst (set by ``new_burst`` before any fill)."""
        self.burst_keys: list[str] = []
        self.name_known = True
        """The client's name is on their profile or they gave it: replies may call them by it."""
        self.own_phone = ""
        """The digits of the number the client writes or calls from, on phone-based channels: their
        ``{phone_number}`` (formatted only when a reply quotes it)."""

    def new_burst(self, rng: Random, local_day: date) -> None:
        """Another day of the same session: dates and slots are drawn again relative to that day."""
        self.rng = rng
        self.local_day = local_day
        for key in self.burst_keys:
            self.pop(key, None)
        self.burst_keys.clear()

    def client_rng(self, key: str) -> Random:
        """The RNG of one of the client's own values: the same in every session of theirs, whatever is
        quoted first."""
        return Random(self.client_seed ^ _SALTS[key])

    def session_rng(self, key: str) -> Random:
        """The RNG of one of the session's values: the same on every day the session goes on, whichever burst
        quotes it first."""
        return Random(self.session_seed ^ _salt(key))

    def session_fraction(self, key: str) -> float:
        """``session_rng(key).random()`` in kind, for a value made of one draw: a hash rather than seeding a
        ``Random`` (its 2.5 KB state cost more than the rest of the value)."""
        return fraction(self.session_seed ^ _salt(key))

    def local_seconds(self) -> int:
        return self.moment + self.utc_offset * 3600

    def __missing__(self, key: str) -> str:
        resolve = self._resolvers.get(key)
        if resolve is None:
            resolve = self._resolvers[key] = _resolver(self.scenario, key)
        return resolve(self, key)

    def _follows(self, name: str, key: str) -> None:
        """A declined or agreed form of a date or slot is drawn again with it on the next day."""
        if name in self.burst_keys:
            self.burst_keys.append(key)

    def _date(self, span: DaySpan) -> date:
        key = f"\x00{span.name}"
        if key not in self:
            anchor = self._date(self.scenario.dates[span.after]) if span.after else self.local_day
            self[key] = anchor + timedelta(days=span.low + int(self.rng.random() * (span.high - span.low + 1)))
            self.burst_keys.append(key)
        self.burst_keys.append(span.name)
        return self[key]

    def fill(self, template: Template, female: bool) -> str:
        if template.nameless is not None and not self.name_known:
            template = template.nameless
        text = template.female if female else template.male
        return text.format_map(self) if template.fields else text


_GENDER: dict[str, Callable[[Facts], str | None]] = {
    "first_name": lambda facts: "femn" if facts.female else "masc",
    "agent_name": lambda facts: "femn" if facts.agent_female else "masc",
}
"""Names whose declension follows a person's gender (a female «Никита» is rare, a female «Шевчук» is not)."""


def _slot(facts: Facts) -> str:
    facts.burst_keys.append("slot")
    return slot_text(facts.local_seconds(), facts.rng, facts.scenario.locale)


def _client_value(draw: Callable[[Facts, Random], str]) -> Callable[[Facts], str]:
    return lambda facts: draw(facts, facts.client_rng(draw.__name__))


def _client_fraction(draw: Callable[[Facts, float], str]) -> Callable[[Facts], str]:
    """A client value made of one uniform draw: from a hash of the client's seed (see ``fraction``)."""
    salt = _SALTS[draw.__name__]
    return lambda facts: draw(facts, fraction(facts.client_seed ^ salt))


def _city(facts: Facts, drawn: float) -> str:
    return facts.pools.cities.at(drawn)


def _street_address(facts: Facts, rng: Random) -> str:
    return facts.pools.street_address(rng)


def _card_last4(facts: Facts, drawn: float) -> str:
    return f"{int(drawn * 10_000):04d}"


def _account_last4(facts: Facts, drawn: float) -> str:
    return f"{int(drawn * 10_000):04d}"


def _phone_number(facts: Facts, rng: Random) -> str:
    return facts.pools.format_phone(facts.pools.phone_digits(rng))


def _email(facts: Facts, rng: Random) -> str:
    """An address made from the client's own name (their only one: every session of theirs quotes it)."""
    return facts.pools.email(rng, facts["first_name"], facts.get("last_name", ""))


_SALTS = {name: stable_int("client value", name) for name in ("_city", "_street_address", "_card_last4",
                                                              "_account_last4", "_phone_number", "_email")}

_DRAWS: dict[str, Callable[[Facts], str]] = {
    **{draw.__name__.lstrip("_"): _client_value(draw) for draw in (_street_address, _phone_number, _email)},
    **{draw.__name__.lstrip("_"): _client_fraction(draw) for draw in (_city, _card_last4, _account_last4)},
    "first_name": lambda f: f.pools.first_name(f.rng, f.female),
    "agent_name": lambda f: f.pools.first_name(f.rng, f.agent_female),
    "company": lambda f: f.scenario.companies[int(f.rng.random() * len(f.scenario.companies))],
    "order_number": lambda f: str(10_000_000 + int(f.session_fraction("order_number") * 90_000_000)),
    "tracking_number": lambda f: f.pools.tracking_number(f.session_rng("tracking_number")),
    "code": lambda f: f"{int(f.session_fraction('code') * 1_000_000):06d}",
    "count": lambda f: str(2 + int(f.session_fraction("count") * 8)),
    "slot": _slot,
}


Resolver = Callable[[Facts, str], str]
"""How a key the facts do not hold yet gets its value (and keeps it, but for ``now``)."""


def _declined(facts: Facts, key: str) -> str:
    name, _, case = key.partition(CASE_MARK)
    case, _, preposition = case.partition(CASE_MARK)  # "city#loct#в": «во Владивостоке»
    value = _inflect(facts[name], case, _GENDER.get(name, lambda facts: None)(facts))
    value = facts[key] = _with_preposition(preposition, value) if preposition else value
    facts._follows(name, key)
    return value


def _agreed(facts: Facts, key: str) -> str:
    name, _, noun = key.partition("@")
    value = facts[key] = _agree(int(facts[name]), noun)
    facts._follows(name, key)
    return value


def _now(facts: Facts, key: str) -> str:
    return clock(facts.local_seconds())


def _phone(facts: Facts, key: str) -> str:
    if not facts.own_phone:
        return _drawn(facts, key)
    value = facts[key] = facts.pools.format_phone(facts.own_phone)
    return value


def _drawn(facts: Facts, key: str) -> str:
    value = facts[key] = _DRAWS[key](facts)
    return value


def _chosen(facts: Facts, key: str) -> str:
    choices = facts.scenario.values[key]
    value = facts[key] = choices[int(facts.session_fraction(key) * len(choices))]
    return value


def _priced(facts: Facts, key: str) -> str:
    amount = facts.scenario.amounts[key]
    base = amount.same_as or key  # one value for both names, drawn from the range of the first quoted
    if base in facts:
        value = facts[key] = facts[base]
        return value
    number = _summed(facts, amount) if amount.parts else _number(facts, amount, base)
    value = facts[key] = str(int(number)) if amount.integer else format_amount(number, facts.pools, amount.cents)
    facts[base] = value
    return value


def _number(facts: Facts, amount: Amount, base: str) -> float:
    """An amount's number: the same whenever asked (a hash of the session's seed and the name it stands for)."""
    span = None
    if amount.by:  # the price of the value drawn for ``by``: the same index ``_chosen`` draws
        span = amount.ranges[int(facts.session_fraction(amount.by) * len(amount.ranges))]
    return draw_amount(facts.session_fraction(base), amount, span)


def _summed(facts: Facts, amount: Amount) -> float:
    """The parts' numbers (the ones they are quoted with) plus the markup."""
    amounts = facts.scenario.amounts
    low, high = amount.markup
    share = low + (high - low) * facts.session_fraction(amount.name)
    total = sum(_number(facts, amounts[part], part) for part in amount.parts) * (1 + share)
    return round(total, 2) if amount.cents else float(round(total))


def _dated(facts: Facts, key: str) -> str:
    value = facts[key] = format_date(facts._date(facts.scenario.dates[key]), facts.pools, facts.local_day)
    return value


def _resolver(scenario: Scenario, key: str) -> Resolver:
    """Which kind of value ``key`` names, in the order the kinds take precedence."""
    if CASE_MARK in key:
        return _declined
    if "@" in key:
        return _agreed
    if key == "now":
        return _now
    if key == "phone_number":
        return _phone
    if key in _DRAWS:
        return _drawn
    return _chosen if key in scenario.values else _priced if key in scenario.amounts else _dated


_RESOLVERS: ByIdentity[dict[str, Resolver]] = ByIdentity()
"""Per scenario, each key's resolver once found: every session asks for the same few keys."""


def _resolvers(scenario: Scenario) -> dict[str, Resolver]:
    return _RESOLVERS.get(scenario, dict)


_MASK64 = (1 << 64) - 1


def fraction(seed: int) -> float:
    """A uniform draw in [0, 1) from a 64-bit seed, by the splitmix64 finalizer: seeds that differ in a few bits
    (one seed XOR each value's salt) give unrelated draws."""
    mixed = (seed + 0x9E3779B97F4A7C15) & _MASK64
    mixed = ((mixed ^ (mixed >> 30)) * 0xBF58476D1CE4E5B9) & _MASK64
    mixed = ((mixed ^ (mixed >> 27)) * 0x94D049BB133111EB) & _MASK64
    return ((mixed ^ (mixed >> 31)) >> 11) * 2.0**-53


@functools.cache
def _salt(key: str) -> int:
    return stable_int("session value", key)


def _inflect(text: str, case: str, gender: str | None) -> str:
    from generators.russian import inflect

    return inflect(text, case, gender)


def _with_preposition(preposition: str, words: str) -> str:
    from generators.russian import with_preposition

    return with_preposition(preposition, words)


def _agree(number: int, noun: str) -> str:
    from generators.russian import agree

    return agree(number, noun)
