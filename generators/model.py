"""What a day file is generated from: the account, its projects and channels, and the CSV dialect.

These are plain frozen values. The server's configuration, the CLI flags and the pytest plugin all build them,
and the same values give the same bytes in every outlet.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from generators.channels import CHANNELS_BY_ID
from generators.scenarios import DOMAINS, LOCALES

DEFAULT_SEED = 20190128
"""The seed used when none is given (the date of the documented CSV example)."""

SESSION_ID_STYLES = ("uuid5", "client")
CHANNEL_LABELS = ("display", "id")
LINE_ENDS = {"crlf": "\r\n", "lf": "\n"}
DEFAULT_UTC_OFFSETS = {"en_US": -5, "ru_RU": 3}
"""Where each locale's audience lives, for the hourly traffic curve (New York, Moscow)."""


def stable_int(*parts: object) -> int:
    """A 64-bit integer from the parts' text, the same in every process and Python version."""
    text = "\x1f".join(str(part) for part in parts)
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True, slots=True)
class ProjectSpec:
    name: str
    """The project's name as the CSV's project_name column shows it, e.g. ``Demobot``."""
    domain: str = "banking"
    channels: tuple[str, ...] = ("telegram", "chatwidget", "resterisk")
    locale: str | None = None
    """None: the account's locale."""
    code: str | None = None
    """The 3 letters/digits that end the short name; None derives them from the account and the name."""
    weight: float = 1.0
    """This project's share of the account's traffic, relative to the other projects."""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValueError("a project needs a non-empty name")
        if self.domain not in DOMAINS:
            raise ValueError(f"unknown domain {self.domain!r}; accepted: {', '.join(DOMAINS)}")
        if self.locale is not None and self.locale not in LOCALES:
            raise ValueError(f"unknown locale {self.locale!r}; accepted: {', '.join(LOCALES)}")
        if not self.channels:
            raise ValueError(f"project {self.name!r} needs at least one channel")
        unknown = [channel for channel in self.channels if channel not in CHANNELS_BY_ID]
        if unknown:
            raise ValueError(f"unknown channel(s) {unknown}; accepted: {', '.join(CHANNELS_BY_ID)}")
        if self.code is not None and not re.fullmatch(r"[A-Z0-9]{3}", self.code):
            raise ValueError(f"project code {self.code!r} must be 3 capital letters or digits")
        if self.weight <= 0:
            raise ValueError("a project's weight must be positive")


@dataclass(frozen=True, slots=True)
class AccountSpec:
    account_id: int
    projects: tuple[ProjectSpec, ...] = field(default_factory=lambda: (ProjectSpec("Demobot"),))
    locale: str = "en_US"
    sessions_per_day: int = 300
    """Sessions that start on a weekday; Saturdays and Sundays get ``weekend_factor`` of it."""
    weekend_factor: float = 0.6
    utc_offset_hours: int | None = None
    """The audience's time zone for the hourly traffic curve; None: the locale's default."""
    session_id_style: str = "uuid5"
    """``uuid5``: ``<uuid5>.<uuid4>`` as in the CSV example; ``client``: ``<clientId>.<uuid4>``."""

    def __post_init__(self) -> None:
        if self.account_id <= 0:
            raise ValueError("an account id is a positive integer")
        if self.locale not in LOCALES:
            raise ValueError(f"unknown locale {self.locale!r}; accepted: {', '.join(LOCALES)}")
        if self.sessions_per_day < 0:
            raise ValueError("sessions_per_day must be >= 0")
        if not 0 <= self.weekend_factor <= 10:
            raise ValueError("weekend_factor must be between 0 and 10")
        if self.session_id_style not in SESSION_ID_STYLES:
            raise ValueError(
                f"unknown session_id_style {self.session_id_style!r}; accepted: {', '.join(SESSION_ID_STYLES)}")
        if not self.projects:
            raise ValueError("an account needs at least one project")
        names = [project.name for project in self.projects]
        if len(set(names)) != len(names):
            raise ValueError("project names repeat within the account")

    @property
    def utc_offset(self) -> int:
        return DEFAULT_UTC_OFFSETS[self.locale] if self.utc_offset_hours is None else self.utc_offset_hours

    def project_locale(self, project: ProjectSpec) -> str:
        return project.locale or self.locale


@dataclass(frozen=True, slots=True)
class Dialect:
    """The account-level options of the CSV format (docs/decisions.md); the defaults are the platform's."""

    quote_all: bool = False
    bom: bool = False
    line_end: str = "\r\n"
    channel_labels: str = "display"
    """``display``: ``Telegram``, ``Chat widget``; ``id``: ``telegram``, ``chatwidget``."""

    def __post_init__(self) -> None:
        if self.line_end not in LINE_ENDS.values():
            raise ValueError("line_end must be '\\r\\n' or '\\n'")
        if self.channel_labels not in CHANNEL_LABELS:
            raise ValueError(f"channel_labels must be one of {', '.join(CHANNEL_LABELS)}")

    def describe(self) -> str:
        ends = "CRLF" if self.line_end == "\r\n" else "LF"
        return (f"{'quote all' if self.quote_all else 'minimal quoting'}, {'BOM' if self.bom else 'no BOM'}, "
                f"{ends}, channel {self.channel_labels} names")
