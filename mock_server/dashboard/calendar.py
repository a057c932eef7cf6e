"""The raw-log calendar: each day of an account's months with its status, as the rules decide it at ``now``.

A pure function of (account state, regenerations, policy, now): the status comes from
:func:`mock_server.rules.day_status`, the one place the platform's rules live; this module only lays the
answers out as months of weeks and names what a person needs to see of each (version, readyAt, dueAt).
"""

from __future__ import annotations

import calendar as stdlib_calendar
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

from mock_server.rules import (
    AccountState,
    DayStatus,
    Policy,
    Regeneration,
    Schedule,
    Status,
    Version,
    day_status,
    resolve_regeneration,
)

MAX_MONTHS = 13
"""The most months one calendar page lays out (a year and the month it started in)."""
_WEEKS = stdlib_calendar.Calendar(firstweekday=0)  # weeks start on Monday, as in Russia and most of Europe


@dataclass(frozen=True, slots=True)
class CalendarDay:
    """One day's cell: its status and the moments and version that status is about."""

    day: date
    status: Status
    version: int | None
    """The version a download gets now (available, pending regeneration)."""
    ready_at: datetime | None
    """When the pending version lands (pending regeneration, generation pending)."""
    due_at: datetime
    """When the scheduled run writes the day's version 1."""
    regenerable: bool
    """Whether the administrator's forced run would be accepted now."""
    versions: tuple[Version, ...] = ()
    """Every version of the day, out or on its way (the day's page lists them)."""

    @classmethod
    def of(cls, status: DayStatus, regenerable: bool) -> CalendarDay:
        return cls(status.day, status.status, status.served.number if status.served else None,
                   status.pending.generated_at if status.pending else None, status.due_at, regenerable,
                   status.versions)


@dataclass(frozen=True, slots=True)
class Month:
    first: date
    weeks: tuple[tuple[CalendarDay | None, ...], ...]
    """Monday-first weeks; None fills the days of neighbouring months."""


Regenerations = Mapping[tuple[int, date], Iterable[Regeneration]]


def calendar_day(account: AccountState, day: date, now: datetime, policy: Policy,
                 regenerations: Regenerations) -> CalendarDay:
    runs = tuple(regenerations.get((account.id, day), ()))
    forced = resolve_regeneration(account, day, now, policy, True, runs)
    return CalendarDay.of(day_status(account, day, now, policy, runs), isinstance(forced, Schedule))


def months_between(first: date, last: date) -> list[date]:
    """The first day of every month from ``first``'s to ``last``'s, inclusive; ValueError past MAX_MONTHS."""
    start, end = first.year * 12 + first.month - 1, last.year * 12 + last.month - 1
    if end < start:
        raise ValueError("the first month is after the last")
    if end - start >= MAX_MONTHS:
        raise ValueError(f"at most {MAX_MONTHS} months at a time")
    return [date(index // 12, index % 12 + 1, 1) for index in range(start, end + 1)]


def month_calendar(account: AccountState, first: date, last: date, now: datetime, policy: Policy,
                   regenerations: Regenerations) -> tuple[Month, ...]:
    """The months from ``first``'s to ``last``'s, every day with its status at ``now``."""
    def cell(day: date, month: date) -> CalendarDay | None:
        if day.month != month.month:
            return None
        return calendar_day(account, day, now, policy, regenerations)

    return tuple(
        Month(month, tuple(tuple(cell(day, month) for day in week)
                           for week in _WEEKS.monthdatescalendar(month.year, month.month)))
        for month in months_between(first, last))


STATUS_NAMES: dict[Status, str] = {
    Status.AVAILABLE: "available",
    Status.PENDING_REGENERATION: "regenerating",
    Status.GENERATION_PENDING: "generating",
    Status.NOT_GENERATED_YET: "not generated yet",
    Status.BEFORE_ENABLEMENT: "before enablement",
    Status.CLEANED: "cleaned",
    Status.DISABLED: "raw logs off",
}
"""What a day's cell and its legend call each status."""


def _available(day: CalendarDay, instant: Callable[[datetime], str]) -> str:
    return f"version {day.version} is served"


def _regenerating(day: CalendarDay, instant: Callable[[datetime], str]) -> str:
    assert day.ready_at is not None
    return f"version {day.version} is served; the next lands at {instant(day.ready_at)}"


def _generating(day: CalendarDay, instant: Callable[[datetime], str]) -> str:
    assert day.ready_at is not None
    return f"the first version lands at {instant(day.ready_at)}"


def _not_yet(day: CalendarDay, instant: Callable[[datetime], str]) -> str:
    return f"written at {instant(day.due_at)}"


def _fixed(text: str) -> Callable[[CalendarDay, Callable[[datetime], str]], str]:
    return lambda day, instant: text


DESCRIPTIONS: dict[Status, Callable[[CalendarDay, Callable[[datetime], str]], str]] = {
    Status.AVAILABLE: _available,
    Status.PENDING_REGENERATION: _regenerating,
    Status.GENERATION_PENDING: _generating,
    Status.NOT_GENERATED_YET: _not_yet,
    Status.BEFORE_ENABLEMENT: _fixed("generated before raw logs were on: never available"),
    Status.CLEANED: _fixed("removed by the account's log cleanup"),
    Status.DISABLED: _fixed("the account's raw-log option is off"),
}


def describe(day: CalendarDay, instant: Callable[[datetime], str]) -> str:
    """A sentence for the day's cell (its tooltip and the day page); ``instant`` formats a moment."""
    return DESCRIPTIONS[day.status](day, instant)

