"""How each locale writes the values a client or a bot quotes: tracking numbers, phones, emails, addresses,
and the names messengers show. Pure functions of the ``rng`` they are given.

- ``tracking_number(rng, locale)``: one of the locale's carriers, by market share, with the carrier's own
  check digit. en_US: USPS 22 digits (``9400 1118 9922 3197 4284 90`` or unspaced), UPS ``1Z`` + 16,
  FedEx 12 digits. ru_RU: Почта России 14 digits, international ``RA123456789RU`` (UPU S10), СДЭК 10 digits.
- ``phone_digits(rng, country_code, area_codes)``: digits only. NANP numbers (country code 1) are valid:
  exchange 2-9 first, never N11 nor 555; the area code comes from the committed real list.
- ``email(rng, first_latin, last_latin, domain)``: ``jennifer.kim84@gmail.com`` shapes from the client's name.
- ``display_name(rng, channel_id, forms)``: the name a channel shows (see ``DISPLAY_STYLES``).
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Sequence
from random import Random
from typing import NamedTuple, TypeVar

from generators.channels import CHANNELS_BY_ID

T = TypeVar("T")
_DIGITS = string.digits
_ALNUM = string.ascii_uppercase + string.digits


def _digits(rng: Random, count: int) -> str:
    """``count`` digits, each ``rng.choice(_DIGITS)`` drawn as ``choice`` draws it (4 random bits, redrawn
    above 9), without a Python call per digit: every client's phone number is made of them."""
    getrandbits = rng.getrandbits
    drawn = []
    for _ in range(count):
        digit = getrandbits(4)
        while digit >= 10:
            digit = getrandbits(4)
        drawn.append(_DIGITS[digit])
    return "".join(drawn)


def mod10_check(body: str, weights: tuple[int, ...]) -> int:
    """Mod-10 check digit with weights applied from the rightmost digit (USPS, Почта России)."""
    total = sum(int(char) * weights[index % len(weights)] for index, char in enumerate(reversed(body)))
    return (10 - total % 10) % 10


def usps(rng: Random) -> str:
    body = rng.choice(("9400111", "9400109", "9205590", "9361289", "9400136")) + _digits(rng, 14)
    number = body + str(mod10_check(body, (3, 1)))
    return " ".join(number[i:i + 4] for i in range(0, 22, 4)) if rng.random() < 0.5 else number


def _ups_value(char: str) -> int:
    return int(char) if char.isdigit() else (ord(char) - 63) % 10


def ups_check_digit(body: str) -> int:
    """The check digit of the 15 characters after ``1Z`` (letters count as digits by UPS's table)."""
    total = sum(_ups_value(char) * (2 if index % 2 else 1) for index, char in enumerate(body))
    return (10 - total % 10) % 10


def ups(rng: Random) -> str:
    body = ("".join(rng.choice(_ALNUM) for _ in range(6)) + rng.choice(("01", "02", "03", "12", "13", "42"))
            + _digits(rng, 7))
    return f"1Z{body}{ups_check_digit(body)}"


def fedex(rng: Random) -> str:
    body = str(rng.randint(1, 9)) + _digits(rng, 10)
    total = sum(int(char) * (1, 7, 3)[index % 3] for index, char in enumerate(reversed(body)))
    return body + str(total % 11 % 10)


def russian_post(rng: Random) -> str:
    """ШПИ: the sending office's postal index, the month, a serial, a check digit."""
    body = f"{rng.randint(101000, 692999)}{rng.randint(1, 99):02d}{_digits(rng, 5)}"
    return body + str(mod10_check(body, (1, 3)))


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8 6 4 2 3 5 9 7, 11 minus the sum mod 11; 10 becomes 0 and 11 becomes 5."""
    remainder = 11 - sum(int(char) * weight for char, weight in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return {10: 0, 11: 5}.get(remainder, remainder)


def upu_s10(rng: Random) -> str:
    serial = _digits(rng, 8)
    return f"{rng.choice(('RA', 'RB', 'RR', 'EA', 'CP'))}{serial}{s10_check_digit(serial)}RU"


def cdek(rng: Random) -> str:
    return str(rng.randint(1, 9)) + _digits(rng, 9)


CARRIERS: dict[str, tuple[tuple[Callable[[Random], str], float], ...]] = {
    "en_US": ((usps, 0.45), (ups, 0.30), (fedex, 0.25)),
    "ru_RU": ((russian_post, 0.45), (cdek, 0.35), (upu_s10, 0.20)),
}
"""Each locale's carriers and their shares of parcels."""


def by_share(rng: Random, table: Sequence[tuple[T, float]]) -> T:
    """One item of a short ``(item, share)`` table, shares summing to 1."""
    draw = rng.random()
    for item, share in table:
        draw -= share
        if draw < 0:
            return item
    return table[-1][0]


def tracking_number(rng: Random, locale: str) -> str:
    return by_share(rng, CARRIERS[locale])(rng)


def _nanp_exchange(rng: Random) -> str:
    while True:
        exchange = f"{rng.randint(2, 9)}{rng.randint(0, 9)}{rng.randint(0, 9)}"
        if exchange[1:] != "11" and exchange != "555":
            return exchange


def phone_digits(rng: Random, country_code: str, area_codes: tuple[str, ...]) -> str:
    area = rng.choice(area_codes)
    local = _nanp_exchange(rng) + _digits(rng, 4) if country_code == "1" else _digits(rng, 7)
    return country_code + area + local


def format_phone(digits: str, country_code: str, pattern: str) -> str:
    """``+1 (212) 736-0194`` / ``+7 (916) 123-45-67`` from the digits ``phone_digits`` returned."""
    national = digits[len(country_code):]
    between = pattern.replace("AAA", national[:3]).split("#")  # the text around each digit's place
    return between[0] + "".join(map(str.__add__, national[3:], between[1:]))


_EMAIL_SHAPES: tuple[tuple[str, float], ...] = (
    ("{f}.{l}", 0.25), ("{f}{l}", 0.15), ("{f}_{l}", 0.07), ("{i}{l}", 0.12), ("{f}.{l}{yy}", 0.12),
    ("{f}{n}", 0.10), ("{l}.{f}", 0.07), ("{f}{l}{yy}", 0.08), ("{l}{i}{n}", 0.04),
)


def _ascii_lower(text: str) -> str:
    return _NOT_ASCII_LOWER.sub("", text.lower())


_NOT_ASCII_LOWER = re.compile("[^a-z]")


def email(rng: Random, first_latin: str, last_latin: str, domain: str) -> str:
    """``last_latin`` may be empty (a client known by first name only): then ``anna87@`` shapes."""
    first, last = _ascii_lower(first_latin), _ascii_lower(last_latin)
    shape = by_share(rng, _EMAIL_SHAPES) if last else "{f}{n}"
    local = shape.format(f=first, l=last, i=first[:1], yy=f"{rng.randint(60, 105) % 100:02d}",
                         n=rng.randint(1, 99))
    return f"{local}@{domain}"


def street_address(rng: Random, locale: str, street: str) -> str:
    if locale == "ru_RU":
        building = f"{rng.randint(1, 150)}" + (f"к{rng.randint(1, 4)}" if rng.random() < 0.2 else "")
        return f"{street}, д. {building}, кв. {rng.randint(1, 320)}"
    house = rng.choice((rng.randint(1, 60), rng.randint(1, 200), rng.randint(100, 9999)))
    apartment = f", Apt {rng.randint(1, 40)}{rng.choice('ABCD')}" if rng.random() < 0.25 else ""
    return f"{house} {street}{apartment}"


class NameForms(NamedTuple):
    """The ways one client's name can be shown (a tuple: one per session, and quicker to make than a frozen
    dataclass)."""

    first: str
    last: str
    short: tuple[str, ...]
    first_latin: str
    last_latin: str
    female: bool


_EMOJI = {
    True: ("🌸", "🌷", "🌺", "💫", "✨", "🦋", "☀️", "🍀", "🐾", "🌻", "💕", "🙂"),
    False: ("⚡", "🔥", "⚓", "🏔", "🎧", "🚀", "🏀", "☀️", "🍀", "😎", "🌊", "🙂"),
}
"""Profile emoji, as women's and men's profiles tend to show them."""


def _short_or_first(rng: Random, forms: NameForms) -> str:
    return rng.choice(forms.short) if forms.short else forms.first


def _latin(rng: Random, forms: NameForms) -> str:
    """"Olga Smirnova" / "Olga"; a Latin-script name has no other spelling to show."""
    if not forms.first_latin:
        return forms.first
    return f"{forms.first_latin} {forms.last_latin}" if rng.random() < 0.5 else forms.first_latin


_SHOWN: dict[str, Callable[[Random, NameForms], str]] = {
    "first": lambda rng, f: f.first,
    "full": lambda rng, f: f"{f.first} {f.last}",
    "initial": lambda rng, f: f"{f.first} {f.last[0]}.",
    "short": _short_or_first,
    "latin": _latin,
    "emoji": lambda rng, f: f"{_short_or_first(rng, f) if rng.random() < 0.5 else f.first} "
                            f"{rng.choice(_EMOJI[f.female])}",
    "handle": lambda rng, f: (f"{_ascii_lower(f.first_latin or f.first)}_{_ascii_lower(f.last_latin or f.last)}"
                              f"{rng.choice(('', str(rng.randint(1, 99))))}"),
}

MESSENGER_STYLES: tuple[tuple[str, float], ...] = (
    ("first", 0.42), ("full", 0.18), ("initial", 0.06), ("short", 0.12), ("latin", 0.09), ("emoji", 0.08),
    ("handle", 0.05),
)
"""Telegram, WhatsApp, Viber: mostly a first name; a minority show a nickname, Latin script or an emoji."""

DISPLAY_STYLES: dict[str, tuple[tuple[str, float], ...]] = {
    **{channel: MESSENGER_STYLES for channel in ("telegram", "whatsapp", "viber", "instagram", "threads")},
    **{channel: (("full", 1.0),) for channel in ("vk", "odnoklassniki", "facebook")},
}
"""Channel -> how its profile names look; other text channels show the name the client typed in."""

TYPED_STYLES: tuple[tuple[str, float], ...] = (("first", 0.65), ("full", 0.35))
NAMELESS_WEB_SHARE = 0.4
"""Web widgets whose visitor never gave a name (``client_name`` is empty)."""


def display_name(rng: Random, channel_id: str, forms: NameForms) -> str:
    """The channel's ``client_name``: "" on the phone line and for nameless web visitors."""
    channel = CHANNELS_BY_ID[channel_id]
    if channel.voice or (channel.user_id_shape == "uuid" and rng.random() < NAMELESS_WEB_SHARE):
        return ""
    return _SHOWN[by_share(rng, DISPLAY_STYLES.get(channel_id, TYPED_STYLES))](rng, forms)
