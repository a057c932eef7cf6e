"""The one clock every rule reads: real UTC by default; tests set it, freeze it and move it.

"Is yesterday's file out yet?", "has the regeneration landed?", "what has cleanup removed?" are all questions
about *now*. Asking them of one controllable clock, instead of ``datetime.now()`` scattered in handlers, is what
lets a test jump to 00:00:59, ask, jump to 00:01:00 and ask again, in microseconds and without sleeping.

The clock's whole state is a small immutable :class:`ClockSettings`. Keeping it a value (not a running timer)
lets the server store it in SQLite, so a restart and a second process on the same data dir read the same
time: a ticking mock clock is an anchor "mock time M was real time R", and now = M + (real now - R).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Protocol

MICROS = 1_000_000
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def real_micros() -> int:
    """Wall-clock UTC in whole microseconds (shared by every process on the machine, unlike a monotonic clock)."""
    return time.time_ns() // 1000


def to_micros(moment: datetime) -> int:
    """An aware datetime as whole microseconds since the epoch (exact: no float rounding)."""
    delta = moment - EPOCH
    return (delta.days * 86400 + delta.seconds) * MICROS + delta.microseconds


def from_micros(micros: int) -> datetime:
    return EPOCH + timedelta(microseconds=micros)


def parse_instant(text: str) -> datetime:
    """An ISO-8601 date-time (or a bare date) as an aware UTC datetime; no offset means UTC.

    JAICP's schedule is defined in UTC, so a time without an offset is read as UTC rather than as the
    machine's local time. Raises ValueError with a sentence that shows the accepted shape.
    """
    if not isinstance(text, str) or not text.strip() or len(text) > 64:
        raise ValueError(f"expected an ISO-8601 date-time such as 2026-03-04T00:01:00Z, got {text!r}")
    candidate = text.strip()
    try:
        moment = datetime.fromisoformat(candidate)
    except ValueError:
        try:
            moment = datetime.combine(date.fromisoformat(candidate), datetime.min.time())
        except ValueError:
            raise ValueError(
                f"expected an ISO-8601 date-time such as 2026-03-04T00:01:00Z, got {text!r}") from None
    try:
        return as_utc(moment)
    except OverflowError:  # 0001-01-01T00:00+01:00 is before the first UTC instant Python has
        raise ValueError(f"{text!r} is outside the years 1 to 9999 in UTC") from None


def as_utc(moment: datetime) -> datetime:
    """Aware UTC; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def format_instant(moment: datetime) -> str:
    """``2026-03-04T00:01:00Z`` (microseconds only when there are any)."""
    return as_utc(moment).isoformat().replace("+00:00", "Z")


@dataclass(frozen=True, slots=True)
class ClockSettings:
    """Where the clock stands. ``anchor is None`` means real time (possibly frozen at ``real_anchor``)."""

    anchor: int | None = None
    """Mock time, in microseconds since the epoch, at the real moment ``real_anchor``; None: real time."""
    real_anchor: int = 0
    frozen: bool = False

    def now_micros(self, real: int) -> int:
        if self.frozen:
            return self.anchor if self.anchor is not None else self.real_anchor
        if self.anchor is None:
            return real
        return self.anchor + (real - self.real_anchor)

    @property
    def is_real(self) -> bool:
        return self.anchor is None and not self.frozen

    def set(self, moment: datetime, real: int, *, frozen: bool | None = None) -> ClockSettings:
        """Stand at ``moment`` now; keeps ticking from there unless frozen."""
        return ClockSettings(to_micros(as_utc(moment)), real, self.frozen if frozen is None else frozen)

    def advance(self, seconds: float, real: int) -> ClockSettings:
        return ClockSettings(self.now_micros(real) + round(seconds * MICROS), real, self.frozen)

    def freeze(self, frozen: bool, real: int) -> ClockSettings:
        if frozen == self.frozen:
            return self
        return ClockSettings(self.now_micros(real), real, frozen)

    def describe(self, real: int) -> dict:
        """The JSON shape the control API answers with."""
        return {"now": format_instant(from_micros(self.now_micros(real))), "frozen": self.frozen,
                "real": self.is_real}


class ClockBackend(Protocol):
    """Where the settings live: memory for a bare clock, SQLite for a server's (see state.MockState)."""

    def load_clock(self) -> ClockSettings: ...

    def update_clock(self, change: Callable[[ClockSettings], ClockSettings]) -> ClockSettings: ...


class _MemoryBackend:
    def __init__(self, settings: ClockSettings) -> None:
        self._settings = settings
        self._lock = threading.Lock()

    def load_clock(self) -> ClockSettings:
        return self._settings

    def update_clock(self, change: Callable[[ClockSettings], ClockSettings]) -> ClockSettings:
        with self._lock:
            self._settings = change(self._settings)
            return self._settings


class Clock:
    """A handle on the mock clock.

    ``Clock()`` is real UTC; ``Clock(now=moment, frozen=True)`` stands still at ``moment``. Every change goes
    through the backend, so a server's clock handle and its HTTP control endpoint are the same clock.
    ``real_time`` is injectable so the clock's own tests can tick without sleeping.
    """

    def __init__(self, now: datetime | None = None, *, frozen: bool = False,
                 real_time: Callable[[], int] = real_micros, backend: ClockBackend | None = None) -> None:
        self._real = real_time
        if backend is None:
            settings = ClockSettings()
            if now is not None:
                settings = settings.set(now, real_time(), frozen=frozen)
            elif frozen:
                settings = settings.freeze(True, real_time())
            backend = _MemoryBackend(settings)
        self._backend = backend

    def attach(self, backend: ClockBackend) -> None:
        """Keep this handle but read and write the settings through ``backend`` from now on."""
        self._backend = backend

    @property
    def settings(self) -> ClockSettings:
        return self._backend.load_clock()

    def real_micros(self) -> int:
        return self._real()

    def now(self) -> datetime:
        """The mock time: an aware UTC datetime."""
        return from_micros(self.settings.now_micros(self._real()))

    def set(self, moment: datetime | str, *, frozen: bool | None = None) -> datetime:
        """Jump to ``moment`` (keeps ticking from there unless frozen). A string is parsed as ISO-8601."""
        target = parse_instant(moment) if isinstance(moment, str) else as_utc(moment)
        return self._change(lambda settings: settings.set(target, self._real(), frozen=frozen))

    def advance(self, seconds: float | timedelta) -> datetime:
        """Move forward (or back, with a negative amount) by ``seconds``."""
        amount = seconds.total_seconds() if isinstance(seconds, timedelta) else float(seconds)
        return self._change(lambda settings: settings.advance(amount, self._real()))

    def freeze(self, frozen: bool = True) -> datetime:
        """Stop (or, with False, restart) the clock where it stands."""
        return self._change(lambda settings: settings.freeze(frozen, self._real()))

    def apply(self, *, now: datetime | None = None, real_time: bool = False, advance: float = 0,
              frozen: bool | None = None) -> datetime:
        """Several changes as one write, in this order: back to real time or to ``now``, ``advance``, ``frozen``.

        The control API and the test handles take their clock requests through here, so another process never
        sees half of a change.
        """
        def change(settings: ClockSettings) -> ClockSettings:
            real = self._real()
            if real_time:
                settings = ClockSettings()
            elif now is not None:
                settings = settings.set(as_utc(now), real, frozen=frozen)
            if advance:
                settings = settings.advance(advance, real)
            if frozen is not None:
                settings = settings.freeze(frozen, real)
            return settings
        return self._change(change)

    def unfreeze(self) -> datetime:
        return self.freeze(False)

    def use_real_time(self) -> datetime:
        """Back to the machine's UTC time, ticking."""
        return self._change(lambda settings: ClockSettings())

    @property
    def frozen(self) -> bool:
        return self.settings.frozen

    def describe(self) -> dict:
        return self.settings.describe(self._real())

    def _change(self, change: Callable[[ClockSettings], ClockSettings]) -> datetime:
        settings = self._backend.update_clock(change)
        return from_micros(settings.now_micros(self._real()))

    def __repr__(self) -> str:
        info = self.describe()
        return f"Clock(now={info['now']}, frozen={info['frozen']}, real={info['real']})"
