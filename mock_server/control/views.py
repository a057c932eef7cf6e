"""The control API's JSON: one pydantic model per answer and per request body.

The views build the answers from these models, and the OpenAPI document takes its schemas from them
(:func:`component_schemas`), so what the server sends and what the document promises cannot drift apart.
Request bodies are checked field by field in :mod:`mock_server.control.routes` (each mistake names its field
and the accepted values); their models here describe the same fields for the document.
The platform's own endpoints keep the platform's key names (``accountId``, ``readyAt``).
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.alias_generators import to_camel

from generators.schema import FILE_DAY_PATTERN, file_day
from mock_server.clock import format_instant
from mock_server.config import MAX_CLEANUP_DAYS
from mock_server.errors import ERRORS, FAULT_CODES
from mock_server.reports.models import (
    AsyncEventsDto,
    AsyncTaskDto,
    CreateReportDto,
    DailyReportDto,
    ErrorEnvelope,
    ReportGenerationTaskDto,
    ReportTasksDto,
)
from mock_server.reports.service import FAILURE_CODES
from mock_server.rules import AccountState, DayStatus, Regeneration, Status
from mock_server.rules import User as UserState
from mock_server.state import faults
from mock_server.state.faults import MAX_FAULT_TIMES, MAX_RETRY_AFTER
from mock_server.state.journal import Journal as RequestJournal
from mock_server.urls import download_path

TOKEN_PATTERN = "^[!-~]{8,256}$"
"""An API token: 8 to 256 printable ASCII characters, no spaces."""
MAX_VERSION = 10_000
"""The highest file version the control API answers for."""

Instant = Annotated[str, Field(json_schema_extra={"format": "date-time"})]
"""An ISO-8601 UTC instant as the mock writes it (``2026-03-04T00:01:00Z``)."""
FileDay = Annotated[str, Field(pattern=f"^{FILE_DAY_PATTERN}$", examples=["03-03-2026"])]


class View(BaseModel):
    """JSON keys in camelCase, as the platform spells them; Python attributes in snake_case."""

    model_config = ConfigDict(extra="forbid", alias_generator=to_camel, populate_by_name=True)

    def json(self) -> dict[str, Any]:  # type: ignore[override]  # pydantic's deprecated json() is not used
        return self.model_dump(mode="json", by_alias=True)


class Error(View):
    error: Literal[tuple(sorted(ERRORS))]  # type: ignore[valid-type]
    message: str = Field(description="A sentence a person can act on.")
    args: dict[str, Any] = Field(description="The values the message was made from.")


class Clock(View):
    now: Instant
    frozen: bool
    real: bool = Field(description="true: the machine's UTC time")


class User(View):
    login: str
    account: int
    roles: list[str]
    admin: bool
    token: str | None = Field(default=None, description="The Reporter API token (Authorization: Bearer)")
    timezone: str = Field(default="UTC", description="The profile time zone report times follow")


class Retention(View):
    since: Instant | None
    days: int | None


class Dialect(View):
    quote_all: bool
    bom: bool
    line_end: str
    channel_labels: str
    session_id_style: str


class Project(View):
    name: str
    domain: str
    locale: str
    channels: list[str]
    cleanup_days: int | None


class PendingRegeneration(View):
    date: FileDay
    version: int
    readyAt: Instant


class Account(View):
    id: int
    plan: str | None
    plan_since: Instant | None
    rawlogs_enabled_at: Instant | None
    rawlogs_enabled_from: Instant | None
    enabled: bool
    cleanup_days: int | None
    retention_days: int | None
    retention_history: list[Retention]
    locale: str
    sessions_per_day: int
    dialect: Dialect
    projects: list[Project]
    users: list[User]
    pending_regenerations: list[PendingRegeneration]


class Accounts(View):
    accounts: list[Account]


class Users(View):
    users: list[User]


class Version(View):
    version: int
    generatedAt: Instant
    ready: bool
    scheduled: bool


class Day(View):
    date: FileDay
    status: Status
    dueAt: Instant
    servedVersion: int | None
    readyAt: Instant | None
    versions: list[Version]
    url: str


class DayFiles(View):
    accountId: int
    now: Instant
    from_: FileDay = Field(alias="from")
    to: FileDay
    days: list[Day]


class Fault(View):
    """A fault as the control API shows it (the fields of :class:`mock_server.state.faults.Fault`)."""

    id: int
    status: int | None
    times: int
    remaining: int
    path: str | None
    retry_after: int | None
    kind: str
    method: str | None
    login: str | None
    probability: float
    params: dict[str, Any]


class Faults(View):
    faults: list[Fault]


class JournalEntry(View):
    at: Instant
    method: str
    path: str
    query: str
    status: int
    login: str | None
    error: str | None
    version: int | None
    durationMs: float
    remoteAddr: str | None
    headers: dict[str, str]


class Journal(View):
    capacity: int
    total: int
    requests: list[JournalEntry]


class Health(View):
    status: Literal["ok"]
    now: Instant
    clock: Clock
    accounts: list[int]
    config: str


class Reset(View):
    status: Literal["reset"]
    clock: Clock


class RegenerationAccepted(View):
    """The platform's answer to a (re)generation request (the platform's key names)."""

    accountId: int
    date: FileDay
    version: int = Field(ge=1)
    readyAt: Instant


# -- request bodies (documented here; checked in routes with the same limits) -----------------------------------

Days = Annotated[int, Field(ge=0, le=MAX_CLEANUP_DAYS)]


class ClockChange(View):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"minProperties": 1})
    now: Instant | None = Field(None, description="null: back to real time")
    advance_seconds: float = Field(0, ge=-1e11, le=1e11)
    frozen: bool | None = None


class AccountPatch(View):
    plan: Annotated[str, Field(max_length=200)] | None = None
    plan_since: Instant | None = None
    rawlogs_enabled_at: Instant | None = Field(None, description="null disables raw logs")
    cleanup_days: Days | None = None


class ProjectPatch(View):
    cleanup_days: Days | None = None


class UserPut(View):
    password: str
    account: int
    roles: list[Annotated[str, Field(min_length=1)]] = []
    admin: bool = False
    token: Annotated[str, Field(pattern=TOKEN_PATTERN)] | None = None
    timezone: Annotated[str, Field(examples=["Europe/Moscow", "+03:00"])] = "UTC"


class ReportTask(View):
    """A report task as the control API lists it: the platform's view, its request id and its error."""

    task: ReportGenerationTaskDto
    request_id: str
    error: ErrorEnvelope | None = None


class ReportTasks(View):
    tasks: list[ReportTask]


class ReportRows(View):
    """What a task's report holds, as JSON: date-times in ISO-8601 with the user's offset, yes/no as booleans."""

    columns: list[str]
    rows: list[list[str | int | bool]]


class ReportFail(View):
    error: Literal[FAILURE_CODES] = "reports.generation_failed"  # type: ignore[valid-type]
    reason: str = "injected by the mock's control API"


class FaultAdd(View):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"status": 503, "times": 2, "retry_after": 30}, {"kind": "reset", "after_bytes": 100, "method": "GET"}]})
    kind: Literal[tuple(faults.KIND_PARAMS)] = Field(  # type: ignore[valid-type]
        "status", description="An error status (the default), or a network fault; each kind takes its own fields")
    status: Literal[tuple(sorted(FAULT_CODES))] | None = Field(  # type: ignore[valid-type]
        None, description="Kind `status` only (required there)")
    times: int = Field(1, ge=1, le=MAX_FAULT_TIMES)
    path: str | None = Field(None, examples=["/restapi/rawlogs/03-03-2026.csv"],
                             description="The exact request path; null or absent: every platform path")
    retry_after: int | None = Field(None, ge=0, le=MAX_RETRY_AFTER,
                                    description="Kind `status` only: seconds, sent as Retry-After")
    method: Literal[faults.METHODS] | None = Field(None, description="Only requests with this method")  # type: ignore[valid-type]
    login: str | None = Field(None, description="Only requests carrying this Basic login")
    probability: float = Field(1.0, gt=0, le=1, description="Chance that a matching request meets it (seeded)")
    delay_ms: int | None = Field(None, ge=0, le=faults.MAX_DELAY_MS, description="`delay`: (median) milliseconds")
    distribution: Literal[faults.DISTRIBUTIONS] | None = Field(None, description="`delay`: fixed (default), "  # type: ignore[valid-type]
                                                                "uniform up to max_delay_ms, lognormal")
    max_delay_ms: int | None = Field(None, ge=0, le=faults.MAX_DELAY_MS, description="`delay`: the ceiling")
    sigma: float | None = Field(None, ge=0, le=3, description="`delay`, log-normal: the spread (default 0.5)")
    chunk_bytes: int | None = Field(None, ge=1, le=1_048_576, description="`slow_body`: bytes per write")
    interval_ms: int | None = Field(None, ge=1, le=10_000, description="`slow_body`: pause between writes")
    after_bytes: int | None = Field(None, ge=0, le=faults.MAX_CUT_BYTES,
                                    description="`reset`/`truncate`: body bytes sent before the cut")
    garbage_bytes: int | None = Field(None, ge=1, le=faults.MAX_CUT_BYTES, description="`garbage`: how many")


# -- building the answers ----------------------------------------------------------------------------------------

def _instant(moment: datetime | None) -> str | None:
    return None if moment is None else format_instant(moment)


def user_view(user: UserState) -> User:
    return User(login=user.login, account=user.account_id, roles=sorted(user.roles), admin=user.admin,
                token=user.token, timezone=user.timezone)


def users_view(users: list[UserState]) -> Users:
    return Users(users=[user_view(user) for user in sorted(users, key=lambda user: user.login)])


def account_view(account: AccountState, users: list[UserState], regenerations: list[Regeneration],
                 start: datetime | None, now: datetime) -> Account:
    """An account as the control API shows it (no passwords); ``start``: when its raw logs are on from."""
    config = account.config
    pending = sorted((run for run in regenerations if run.account_id == account.id and run.ready_at > now),
                     key=lambda run: (run.day, run.version))
    return Account(
        id=account.id, plan=account.plan, plan_since=_instant(account.plan_since),
        rawlogs_enabled_at=_instant(account.rawlogs_enabled_at), rawlogs_enabled_from=_instant(start),
        enabled=start is not None and start <= now, cleanup_days=account.cleanup_days,
        retention_days=account.retention_history[-1].days,
        retention_history=[Retention(since=_instant(change.since), days=change.days)
                           for change in account.retention_history],
        locale=config.locale, sessions_per_day=config.sessions_per_day,
        dialect=Dialect(quote_all=config.quote_all, bom=config.bom, line_end=config.line_end,
                            channel_labels=config.channel_labels, session_id_style=config.session_id_style),
        projects=[Project(name=project.name, domain=spec.domain, locale=spec.locale or config.locale,
                              channels=list(spec.channels), cleanup_days=project.cleanup_days)
                  for project, spec in zip(account.projects, config.projects, strict=True)],
        users=[user_view(user) for user in sorted(users, key=lambda u: u.login) if user.account_id == account.id],
        pending_regenerations=[PendingRegeneration(date=file_day(run.day), version=run.version,
                                                       readyAt=format_instant(run.ready_at)) for run in pending])


def day_view(status: DayStatus, now: datetime) -> Day:
    return Day(
        date=file_day(status.day), status=status.status, dueAt=format_instant(status.due_at),
        servedVersion=status.served.number if status.served else None,
        readyAt=format_instant(status.pending.generated_at) if status.pending else None,
        versions=[Version(version=version.number, generatedAt=format_instant(version.generated_at),
                              ready=version.generated_at <= now, scheduled=version.scheduled)
                  for version in status.versions],
        url=download_path(status.day))


def fault_view(fault: faults.Fault) -> Fault:
    shown = dataclasses.asdict(fault)
    del shown["seen"]  # bookkeeping of the probability draw
    shown["params"] = {to_camel(name): value for name, value in shown["params"].items()}
    return Fault.model_validate(shown)


def journal_view(journal: RequestJournal, limit: int) -> Journal:
    """The last ``limit`` requests, oldest first; validated against the contract as they are sent."""
    return Journal.model_validate({"capacity": journal.capacity, "total": journal.total,
                                       "requests": journal.entries(limit)})


SCHEMAS: tuple[type[View], ...] = (
    Error, RegenerationAccepted, Clock, ClockChange, Health, Reset, AccountPatch, ProjectPatch,
    UserPut, User, Users, Account, Accounts, DayFiles, FaultAdd, Fault, Faults,
    Journal, ReportTask, ReportTasks, ReportRows, ReportFail)
REPORTER_SCHEMAS: tuple[tuple[type[BaseModel], Literal["validation", "serialization"]], ...] = (
    (CreateReportDto, "validation"), (DailyReportDto, "validation"), (AsyncTaskDto, "serialization"),
    (ReportGenerationTaskDto, "serialization"), (ReportTasksDto, "serialization"), (AsyncEventsDto, "serialization"))
"""The platform's Reporter API bodies and answers (their models live with the reports)."""


def component_schemas() -> dict[str, Any]:
    """Every model's JSON schema for the OpenAPI document's components, named as the document refers to them."""
    from pydantic.json_schema import models_json_schema

    _, top = models_json_schema([*((model, "serialization") for model in SCHEMAS), *REPORTER_SCHEMAS],
                                ref_template="#/components/schemas/{model}", by_alias=True)
    return top["$defs"]
