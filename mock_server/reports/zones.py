"""The user's time zone: an IANA name (``Europe/Moscow``) or a fixed offset (``+03:00``, ``-0500``, ``UTC+3``).

Report times follow the user's profile zone, which the ``Timezone`` header may override for one request; the
platform's header carries an offset, the profile a name, so both are read here.
"""

from __future__ import annotations

import re
from datetime import UTC, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_OFFSET = re.compile(r"(?:UTC|GMT)?([+-])(\d{1,2})(?::?(\d{2}))?", re.ASCII)
MAX_OFFSET = timedelta(hours=18)


class ZoneError(ValueError):
    """Not a time zone; the message shows the accepted forms."""


def parse_zone(text: str) -> tzinfo:
    """The zone ``text`` names; ZoneError when it is neither an IANA name nor an offset within ±18:00."""
    cleaned = text.strip()
    if cleaned.upper() in ("UTC", "GMT", "Z", ""):
        return UTC
    match = _OFFSET.fullmatch(cleaned.upper())
    if match:
        return _fixed(cleaned, *match.groups())
    try:
        return ZoneInfo(cleaned)
    except (ZoneInfoNotFoundError, ValueError):
        raise ZoneError(f"'{text}' is not a time zone: use an IANA name such as Europe/Moscow or America/New_York, "
                        "or an offset such as +03:00, -0500 or UTC+3") from None


def _fixed(text: str, sign: str, hours: str, minutes: str | None) -> tzinfo:
    offset = timedelta(hours=int(hours), minutes=int(minutes or 0))
    if offset > MAX_OFFSET or int(minutes or 0) >= 60:
        raise ZoneError(f"'{text}' is not an offset between -18:00 and +18:00")
    return UTC if not offset else timezone(-offset if sign == "-" else offset)


def zone_name(zone: tzinfo) -> str:
    """A text :func:`parse_zone` reads back to the same zone: the IANA key, or the offset as ``UTC+03:00``."""
    key = getattr(zone, "key", None)
    if isinstance(key, str):
        return key
    offset = zone.utcoffset(None) or timedelta()
    if not offset:
        return "UTC"
    sign = "-" if offset < timedelta() else "+"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"
