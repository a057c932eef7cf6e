"""Availability rules: which version of which day a user may download now, and what a regeneration does.

Everything here is a pure function of the configuration, the state (as frozen values) and ``now``. No Flask,
no SQLite, no clock reads: a test can ask "at 00:00:59?" and "at 00:01:00?" in microseconds, and the HTTP
layer only translates the answers into status codes. The rules follow docs/platform.md and docs/decisions.md:

- **Enablement.** The option is on from ``rawlogs_enabled_at``, or, on a business plan, from ``plan_since`` if
  that is earlier. A day's file exists only if the day's generation ran at or after that moment (inclusive).
- **Schedule.** Day D is written at D+1 ``generation_time`` (00:01 UTC by default), as version 1.
- **Regeneration.** A forced run makes version n+1, served ``regeneration_delay`` after the call; until then the
  previous version is served. Another call while one is pending restarts the wait for the same version.
- **Cleanup.** The job runs daily at ``generation_time``. A run on date R with retention N deletes every day
  D < R - N, for the whole account. The retention is the smallest of the account's and its projects'
  ``cleanup_days``; a change applies from the next run; what a run deleted stays deleted.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from generators.schema import file_day
from mock_server.clock import format_instant
from mock_server.config import ANALYTICS_ROLE, RAWLOGS_ROLE, AccountConfig, is_business_plan

ANALYTICS_ROLES = frozenset({ANALYTICS_ROLE, RAWLOGS_ROLE})
FIRST_DAY = date(1900, 1, 1)
LAST_DAY = date(9998, 12, 31)
"""The days the mock answers for: a day's file is due the next day, and Python's dates end in 9999."""


# --------------------------------------------------------------------------------------------------------------
# State as values

@dataclass(frozen=True, slots=True)
class Policy:
    """The server-wide timing of the platform's jobs."""

    generation_time: time = time(0, 1)
    regeneration_delay: timedelta = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class RetentionChange:
    """From ``since`` (None: since forever, i.e. the configuration's value) cleanup keeps ``days`` (None: off)."""

    since: datetime | None
    days: int | None


@dataclass(frozen=True, slots=True)
class ProjectState:
    name: str
    cleanup_days: int | None


@dataclass(frozen=True, slots=True)
class AccountState:
    """An account as it stands now: its configuration plus what the control API changed."""

    config: AccountConfig
    plan: str | None
    plan_since: datetime | None
    rawlogs_enabled_at: datetime | None
    cleanup_days: int | None
    projects: tuple[ProjectState, ...]
    retention_history: tuple[RetentionChange, ...]
    """Oldest first; the first entry has ``since=None``."""

    @property
    def id(self) -> int:
        return self.config.id

    @classmethod
    def initial(cls, config: AccountConfig) -> AccountState:
        projects = tuple(ProjectState(project.name, project.cleanup_days) for project in config.projects)
        days = retention_days(config.cleanup_days, projects)
        return cls(config, config.plan, config.plan_since, config.rawlogs_enabled_at, config.cleanup_days,
                   projects, (RetentionChange(None, days),))


@dataclass(frozen=True, slots=True)
class Regeneration:
    """An on-demand generation of (account, day): version ``version``, served from ``ready_at``."""

    account_id: int
    day: date
    version: int
    requested_at: datetime
    ready_at: datetime


@dataclass(frozen=True, slots=True)
class User:
    login: str
    password_digest: bytes
    account_id: int
    roles: frozenset[str]
    admin: bool
    token: str | None = field(default=None, repr=False)
    """The Reporter API token; compared in constant time, never shown in a log."""
    timezone: str = "UTC"

    @property
    def analyst(self) -> bool:
        return RAWLOGS_ROLE in self.roles

    @property
    def may_report(self) -> bool:
        """The analytics permission: role ANALYTICS, implied by RAWLOGS_ANALYTIC and by the administrator."""
        return self.admin or bool(self.roles & ANALYTICS_ROLES)


@dataclass(frozen=True, slots=True)
class Version:
    number: int
    generated_at: datetime
    """When this version's file was (or will be) written: its Last-Modified."""
    scheduled: bool
    """True for the 00:01 run's version 1; False for an on-demand run."""


# --------------------------------------------------------------------------------------------------------------
# Decisions

@dataclass(frozen=True, slots=True)
class Serve:
    version: int
    generated_at: datetime


@dataclass(frozen=True, slots=True)
class Refuse:
    code: str
    args: dict


@dataclass(frozen=True, slots=True)
class Schedule:
    version: int
    ready_at: datetime
    restarted: bool
    """True when this restarts the wait of a pending run instead of starting a new version."""


class Status(enum.StrEnum):
    AVAILABLE = "available"
    PENDING_REGENERATION = "pending_regeneration"
    """A version is served, and a newer one is on its way."""
    GENERATION_PENDING = "generation_pending"
    """No file yet; an on-demand first generation is on its way (e.g. a day before enablement)."""
    NOT_GENERATED_YET = "not_generated_yet"
    BEFORE_ENABLEMENT = "before_enablement"
    CLEANED = "cleaned"
    DISABLED = "disabled"


@dataclass(frozen=True, slots=True)
class DayStatus:
    day: date
    status: Status
    due_at: datetime
    versions: tuple[Version, ...]
    served: Version | None
    pending: Version | None
    enabled_at: datetime | None
    cutoff: date | None
    retention_days: int | None


# --------------------------------------------------------------------------------------------------------------
# The rules

def enabled_at(account: AccountState) -> datetime | None:
    """When raw logs were switched on: the support switch, or the switch to a business plan, whichever is first."""
    moments = [account.rawlogs_enabled_at]
    if is_business_plan(account.plan):
        moments.append(account.plan_since)
    present = [moment for moment in moments if moment is not None]
    return min(present) if present else None


def is_enabled(account: AccountState, now: datetime) -> bool:
    moment = enabled_at(account)
    return moment is not None and moment <= now


def due_at(day: date, policy: Policy) -> datetime:
    """When day ``day``'s file is written: the next day at the generation time, UTC."""
    return datetime.combine(day + timedelta(days=1), policy.generation_time, tzinfo=UTC)


def retention_days(account_days: int | None, projects: Iterable[ProjectState]) -> int | None:
    """The smallest retention of the account and its projects: cleanup in any project cleans the whole account."""
    candidates = [account_days, *(project.cleanup_days for project in projects)]
    present = [days for days in candidates if days is not None]
    return min(present) if present else None


def last_run(moment: datetime, policy: Policy) -> datetime:
    """The last daily job run (generation and cleanup) at or before ``moment``."""
    today = datetime.combine(moment.date(), policy.generation_time, tzinfo=UTC)
    return today if today <= moment else today - timedelta(days=1)


def cleanup_cutoff(history: tuple[RetentionChange, ...], policy: Policy, now: datetime) -> tuple[date, int] | None:
    """The first day cleanup has not removed by ``now``, and the retention that removed the rest; None: nothing.

    Each retention setting is used by the runs after it was made and up to (and including) the moment the next
    setting was made. Within one setting the last run cuts deepest, so the cutoff is the largest
    ``date(last run) - days`` over the settings. A later, larger retention cannot lower it: deleted stays deleted.
    """
    best: tuple[date, int] | None = None
    for index, change in enumerate(history):
        if change.days is None:
            continue
        if change.since is not None and change.since >= now:
            continue
        following = history[index + 1].since if index + 1 < len(history) else None
        until = now if following is None else min(now, following)
        run = last_run(until, policy)
        if change.since is not None and run <= change.since:
            continue  # no run used this setting
        cutoff = run.date() - timedelta(days=change.days)
        if best is None or cutoff > best[0]:
            best = (cutoff, change.days)
    return best


def day_versions(account: AccountState, day: date, regenerations: Iterable[Regeneration],
                 policy: Policy, *, start: datetime | bool | None = False,
                 due: datetime | None = None) -> tuple[Version, ...]:
    """Every version of the day, served or pending: the scheduled run's (if raw logs were on) and on-demand runs.

    ``start`` and ``due`` may be passed when the caller has them already (``start=False``: not given).
    """
    by_number: dict[int, Version] = {}
    enabled = enabled_at(account) if start is False or start is True else start
    if due is None:
        due = due_at(day, policy)
    if enabled is not None and due >= enabled:
        by_number[1] = Version(1, due, scheduled=True)
    for run in regenerations:
        if run.day != day or run.account_id != account.id:
            continue
        known = by_number.get(run.version)
        if known is None or run.ready_at < known.generated_at:  # a backfilled v1 and the scheduled v1: same bytes
            by_number[run.version] = Version(run.version, run.ready_at, scheduled=False)
    return tuple(by_number[number] for number in sorted(by_number))


def day_status(account: AccountState, day: date, now: datetime, policy: Policy,
               regenerations: Iterable[Regeneration] = ()) -> DayStatus:
    """Where day ``day`` of ``account`` stands at ``now``. The order of the checks is the precedence of the answers."""
    start = enabled_at(account)
    due = due_at(day, policy)
    versions = day_versions(account, day, regenerations, policy, start=start, due=due)
    ready = [version for version in versions if version.generated_at <= now]
    waiting = [version for version in versions if version.generated_at > now]
    served = ready[-1] if ready else None
    pending = waiting[-1] if waiting and (served is None or waiting[-1].number > served.number) else None
    cut = cleanup_cutoff(account.retention_history, policy, now)
    cutoff, kept = cut if cut else (None, None)

    def result(status: Status, served: Version | None = None, pending: Version | None = None) -> DayStatus:
        return DayStatus(day, status, due, versions, served, pending, start, cutoff, kept)

    if start is None or start > now:
        return result(Status.DISABLED)
    if now < due:
        return result(Status.NOT_GENERATED_YET)
    if cutoff is not None and day < cutoff:
        if not versions and due < start:
            return result(Status.BEFORE_ENABLEMENT)  # it never had a file, so it was not "cleaned"
        return result(Status.CLEANED)
    if served is not None:
        return result(Status.PENDING_REGENERATION if pending else Status.AVAILABLE, served, pending)
    if pending is not None:
        return result(Status.GENERATION_PENDING, None, pending)
    return result(Status.BEFORE_ENABLEMENT)


def resolve_download(account: AccountState, day: date, now: datetime, policy: Policy,
                     regenerations: Iterable[Regeneration] = ()) -> Serve | Refuse:
    """What ``GET /restapi/rawlogs/<day>.csv`` answers for a user of ``account`` who may download raw logs."""
    status = day_status(account, day, now, policy, regenerations)
    if status.served is not None:
        return Serve(status.served.number, status.served.generated_at)
    return _refusal(account, status)


def whole_second_up(moment: datetime) -> datetime:
    """``moment`` rounded up to a whole second: the one timestamp style of readyAt, and never before the truth."""
    return moment if not moment.microsecond else moment.replace(microsecond=0) + timedelta(seconds=1)


def resolve_regeneration(account: AccountState, day: date, now: datetime, policy: Policy, force: bool,
                         regenerations: Iterable[Regeneration] = ()) -> Schedule | Refuse:
    """What ``/restapi/rawlogs/run/<account>/<day>`` does for the account's administrator."""
    status = day_status(account, day, now, policy, regenerations)
    if status.status in (Status.DISABLED, Status.NOT_GENERATED_YET, Status.CLEANED):
        if status.status is Status.NOT_GENERATED_YET:
            return Refuse("rawlogs.day_not_over", {"date": file_day(day), "dueAt": format_instant(status.due_at)})
        return _refusal(account, status)
    if status.status is Status.BEFORE_ENABLEMENT and status.cutoff is not None and day < status.cutoff:
        return _refusal(account, _with_status(status, Status.CLEANED))
    ready_at = whole_second_up(now + policy.regeneration_delay)  # readyAt always in whole seconds, never early
    if status.served is not None and not force:
        return Refuse("rawlogs.file_exists", {"date": file_day(day), "version": status.served.number})
    if status.pending is not None:
        return Schedule(status.pending.number, ready_at, restarted=True)
    number = status.versions[-1].number + 1 if status.versions else 1
    return Schedule(number, ready_at, restarted=False)


def authorize_download(user: User) -> Refuse | None:
    if not user.analyst:
        return Refuse("rawlogs.missing_role", {"login": user.login})
    return None


def authorize_regeneration(user: User, account_id: int) -> Refuse | None:
    if not user.admin:
        return Refuse("rawlogs.not_admin", {"login": user.login})
    if user.account_id != account_id:
        return Refuse("rawlogs.foreign_account",
                      {"login": user.login, "userAccountId": user.account_id, "accountId": account_id})
    return None


def is_supported_day(day: date) -> bool:
    return FIRST_DAY <= day <= LAST_DAY


def _with_status(status: DayStatus, value: Status) -> DayStatus:
    return DayStatus(status.day, value, status.due_at, status.versions, status.served, status.pending,
                     status.enabled_at, status.cutoff, status.retention_days)


def _refusal(account: AccountState, status: DayStatus) -> Refuse:
    day = file_day(status.day)
    match status.status:
        case Status.DISABLED:
            args: dict = {"accountId": account.id}
            if status.enabled_at is not None:
                args["enabledAt"] = format_instant(status.enabled_at)
            return Refuse("rawlogs.disabled", args)
        case Status.NOT_GENERATED_YET:
            return Refuse("rawlogs.not_generated_yet", {"date": day, "dueAt": format_instant(status.due_at)})
        case Status.CLEANED:
            return Refuse("rawlogs.cleaned", {"date": day, "retentionDays": status.retention_days,
                                              "cutoff": file_day(status.cutoff) if status.cutoff else None})
        case Status.GENERATION_PENDING:
            assert status.pending is not None
            return Refuse("rawlogs.generation_pending",
                          {"date": day, "readyAt": format_instant(status.pending.generated_at)})
        case _:
            assert status.enabled_at is not None
            return Refuse("rawlogs.before_enablement", {"date": day, "accountId": account.id,
                                                        "enabledAt": format_instant(status.enabled_at)})
