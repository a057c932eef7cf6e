"""Report rows from the one generator: sessions, messages, clients and daily reports over a period.

A report reads the raw-log days (UTC) its period touches, through ``generators.generate_day``, keeps the rows
whose ``msg_rt`` is in ``[start, end)`` (a daily report keeps its whole day file) and shows times in the user's
zone. Days before ``cleaned_before`` read "Message has been deleted" as log cleanup leaves them.

Memory: messages stream (a first pass collects only the ids of sessions passing session filters, and only when
there are such filters); sessions and clients are aggregated per session, a few hundred bytes each.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

from pydantic import TypeAdapter

from generators import DEFAULT_SEED, AccountSpec, generate_day
from generators.channels import CHANNELS_BY_ID
from generators.model import stable_int
from mock_server.reports.filters import CompiledFilters, aware_in, compile_filters
from mock_server.reports.models import DateTimeRangeFilter, ReportFilter, ReportType
from mock_server.reports.records import Message, SessionSummary, message_of
from mock_server.reports.zones import parse_zone, zone_name

Row = tuple[Any, ...]
MAX_PERIOD_DAYS = 366
OUTBOUND_EVERY = 4
"""One voice session in four is an outbound call of the day's campaign (the raw log cannot tell; a stable hash
of the session id decides)."""
BLOCKED_EVERY = 50
BLOCK_REASONS = ("Spam", "Abusive language", "Suspected fraud")
USERNAME_CHANNELS = frozenset({"telegram", "instagram", "threads", "vk", "slack", "mattermost"})


class Kind(enum.Enum):
    """How a column's values are typed in a file."""

    TEXT = "text"
    DATETIME = "datetime"
    INTEGER = "integer"
    YES_NO = "yes/no"


@dataclass(frozen=True, slots=True)
class ReportColumn:
    title: str
    kind: Kind
    width: int
    """Characters, for the XLSX column."""


def _columns(*specs: tuple[str, Kind, int]) -> tuple[ReportColumn, ...]:
    return tuple(ReportColumn(*spec) for spec in specs)


_T, _D, _I, _Y = Kind.TEXT, Kind.DATETIME, Kind.INTEGER, Kind.YES_NO
_HEAD = (("Project", _T, 14), ("Channel type", _T, 13), ("Channel ID", _T, 22), ("Client ID", _T, 40),
         ("Client name", _T, 20), ("Session ID", _T, 40))
SESSIONS_COLUMNS = _columns(
    *_HEAD, ("Session start", _D, 23), ("Session end", _D, 23), ("First phrase", _T, 40), ("Last phrase", _T, 40),
    ("Duration", _T, 10), ("Phrase count", _I, 12), ("Session labels", _T, 24), ("Session result", _T, 24),
    ("Transfer to an agent", _Y, 20), ("Call direction", _T, 14), ("Call campaign ID", _T, 16))
MESSAGES_COLUMNS = _columns(
    *_HEAD, ("Message time", _D, 23), ("Question", _T, 50), ("Answer", _T, 60), ("State before", _T, 24),
    ("State after", _T, 24), ("Transfer to an agent", _Y, 20), ("Agent reply", _Y, 12), ("Phrase labels", _T, 18),
    ("Comment", _T, 20), ("Session labels", _T, 24))
CLIENTS_COLUMNS = _columns(
    ("Client ID", _T, 40), ("Client name", _T, 20), ("First name", _T, 14), ("Last name", _T, 14),
    ("Username", _T, 18), ("Channel type", _T, 13), ("Channel ID", _T, 22), ("Join date", _D, 23),
    ("Last activity", _D, 23), ("Blocked", _Y, 9), ("Block reason", _T, 18))
COLUMNS: dict[ReportType, tuple[ReportColumn, ...]] = {
    ReportType.SESSIONS: SESSIONS_COLUMNS, ReportType.MESSAGES: MESSAGES_COLUMNS,
    ReportType.CLIENTS: CLIENTS_COLUMNS, ReportType.DAILY: MESSAGES_COLUMNS}


@dataclass(frozen=True)
class ReportQuery:
    """What a report shows: an account's rows in ``[start, end)`` (aware datetimes), filtered, in ``zone``."""

    report_type: ReportType
    account: AccountSpec
    start: datetime
    end: datetime
    zone: tzinfo = UTC
    filters: tuple[ReportFilter, ...] = ()
    cleaned_before: date | None = None
    """Days before this one were emptied by log cleanup; None: nothing was."""
    seed: int = DEFAULT_SEED
    versions: Mapping[date, int] = field(default_factory=dict)
    """The raw-log version of each day (regenerations); 1 when absent."""
    project: str | None = None
    """Only this project's rows (its name as the raw log writes it); None: every project."""

    def __post_init__(self) -> None:
        if self.start.tzinfo is None or self.end.tzinfo is None:
            raise ValueError("a report period needs aware datetimes")
        if not timedelta(0) < self.end - self.start <= timedelta(days=MAX_PERIOD_DAYS):
            raise ValueError(f"a report period must be longer than zero and at most {MAX_PERIOD_DAYS} days")

    @property
    def days(self) -> list[date]:
        first = self.start.astimezone(UTC).date()
        last = (self.end.astimezone(UTC) - timedelta(microseconds=1)).date()
        return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]

    @property
    def whole_files(self) -> bool:
        return self.report_type is ReportType.DAILY


DEFAULT_PERIOD = timedelta(days=7)


def period_of(filters: tuple[ReportFilter, ...], now: datetime, zone: tzinfo,
              default: timedelta = DEFAULT_PERIOD) -> tuple[datetime, datetime]:
    """The period an API request covers: the intersection of its time ranges, open sides bounded by ``now`` and
    ``now - default``. No message lies before its session's start or after its end, so a session-time range
    bounds the messages too."""
    start, end = now - default, now
    ranges = [item for item in filters if isinstance(item, DateTimeRangeFilter)]
    lows = [aware_in(item.from_, zone) for item in ranges if item.from_ is not None]
    highs = [aware_in(item.to, zone) for item in ranges if item.to is not None]
    if lows:
        start = max(low for low in lows if low is not None)
        end = min(high for high in highs if high is not None) if highs else max(now, start + timedelta(seconds=1))
    elif highs:
        end = min(high for high in highs if high is not None)
        start = end - default
    return start, end


def daily_query(account: AccountSpec, day: date, **options: Any) -> ReportQuery:
    """The DAILY report of one raw-log day: every row of that day's file, including its first-minute tail."""
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return ReportQuery(ReportType.DAILY, account, start, start + timedelta(days=1), **options)


_FILTERS = TypeAdapter(tuple[ReportFilter, ...])


def describe_query(query: ReportQuery) -> dict[str, Any]:
    """The query as JSON (for a stored task); :func:`query_from` reads it back with the account's spec."""
    return {"reportType": query.report_type.value, "start": query.start.isoformat(), "end": query.end.isoformat(),
            "zone": zone_name(query.zone), "filters": [item.to_json() for item in query.filters],
            "cleanedBefore": query.cleaned_before.isoformat() if query.cleaned_before else None, "seed": query.seed,
            "versions": {day.isoformat(): version for day, version in sorted(query.versions.items())},
            "project": query.project}


def query_from(description: dict[str, Any], account: AccountSpec) -> ReportQuery:
    cleaned = description.get("cleanedBefore")
    return ReportQuery(
        ReportType(description["reportType"]), account, datetime.fromisoformat(description["start"]),
        datetime.fromisoformat(description["end"]), parse_zone(description["zone"]),
        _FILTERS.validate_python(description["filters"]), date.fromisoformat(cleaned) if cleaned else None,
        description["seed"], {date.fromisoformat(day): version for day, version in description["versions"].items()},
        description["project"])


def iter_messages(query: ReportQuery) -> Iterator[Message]:
    """The period's raw-log rows, typed, in log order (day by day); not yet filtered."""
    start, end = query.start.astimezone(UTC), query.end.astimezone(UTC)
    for day in query.days:
        cleaned = query.cleaned_before is not None and day < query.cleaned_before
        rows = generate_day(query.account, day, version=query.versions.get(day, 1), seed=query.seed)
        for row in rows:
            message = message_of(row, day, cleaned)
            if query.project is not None and message.project != query.project:
                continue
            if query.whole_files or start <= message.moment < end:
                yield message


def summarize_sessions(query: ReportQuery, compiled: CompiledFilters | None = None) -> list[SessionSummary]:
    """The period's sessions that pass the filters, by start time then id."""
    compiled = compiled or compile_filters(query.filters, query.zone)
    sessions: dict[str, SessionSummary] = {}
    for message in iter_messages(query):
        session = sessions.get(message.session_id)
        if session is None:
            session = sessions[message.session_id] = SessionSummary.first(message)
        session.add(message, compiled.message_ok(message))
    kept = (session for session in sessions.values() if session.matched and compiled.session_ok(session))
    return sorted(kept, key=lambda session: (session.start, session.session_id))


def iter_filtered_messages(query: ReportQuery) -> Iterator[Message]:
    """Messages that pass the message filters, of sessions that pass the session filters."""
    compiled = compile_filters(query.filters, query.zone)
    if compiled.session_tests:
        passing = {session.session_id for session in summarize_sessions(query, CompiledFilters(compiled.session_tests))}
        return (message for message in iter_messages(query)
                if message.session_id in passing and compiled.message_ok(message))
    return (message for message in iter_messages(query) if compiled.message_ok(message))


# ----------------------------------------------------------------------------------------------------------------
# Rows


def _duration(start: datetime, end: datetime) -> str:
    seconds = max(0, int((end - start).total_seconds()))
    hours, rest = divmod(seconds, 3600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"


def call_direction(account: AccountSpec, session: SessionSummary) -> tuple[str, str]:
    """(direction, campaign id) of a voice session; empty texts for chat channels."""
    channel = CHANNELS_BY_ID.get(session.channel_type)
    if channel is None or not channel.voice:
        return "", ""
    if stable_int("call-direction", session.session_id) % OUTBOUND_EVERY:
        return "Inbound", ""
    campaign = stable_int("call-campaign", account.account_id, session.start.date()) % 900_000 + 100_000
    return "Outbound", str(campaign)


def _head(item: Message | SessionSummary) -> Row:
    return (item.project, item.channel_type, item.channel_name, item.client_id, item.client_name, item.session_id)


def session_rows(query: ReportQuery) -> Iterator[Row]:
    for session in summarize_sessions(query):
        direction, campaign = call_direction(query.account, session)
        yield (*_head(session), session.start.astimezone(query.zone), session.end.astimezone(query.zone),
               session.first_phrase, session.last_phrase, _duration(session.start, session.end),
               session.phrase_count, session.label, session.result.value, session.transferred, direction, campaign)


def message_rows(query: ReportQuery) -> Iterator[Row]:
    zone = query.zone
    for message in iter_filtered_messages(query):
        yield (*_head(message), message.moment.astimezone(zone), message.question, message.answer,
               message.state_before, message.state_after, message.switched, message.operator, message.labels,
               message.comment, message.session_label)


@dataclass(slots=True)
class ClientSummary:
    client_id: str
    client_name: str
    channel_type: str
    channel_name: str
    joined: datetime
    last_activity: datetime
    client_phrases: int


def summarize_clients(query: ReportQuery) -> list[ClientSummary]:
    """The clients of the period's passing sessions, by first session then id."""
    clients: dict[str, ClientSummary] = {}
    for session in summarize_sessions(query):
        last = session.last_activity or session.start
        client = clients.get(session.client_id)
        if client is None:
            clients[session.client_id] = ClientSummary(session.client_id, session.client_name, session.channel_type,
                                                       session.channel_name, session.start, last,
                                                       session.client_phrases)
            continue
        client.joined = min(client.joined, session.start)
        client.last_activity = max(client.last_activity, last)
        client.client_phrases += session.client_phrases
    return sorted(clients.values(), key=lambda client: (client.joined, client.client_id))


def split_name(name: str) -> tuple[str, str]:
    """First and last name of a display name; one word is a first name."""
    first, _, last = name.strip().partition(" ")
    return first, last.strip()


def username(client: ClientSummary, account: AccountSpec) -> str:
    """Messengers with public handles get one made of the name (ASCII names) or ``user<digits>``."""
    if client.channel_type not in USERNAME_CHANNELS:
        return ""
    digits = stable_int("username", account.account_id, client.client_id) % 10_000
    first, last = split_name(client.client_name)
    base = f"{first}_{last[:1]}".strip("_").lower()
    return f"{base}{digits}" if base and base.isascii() else f"user{digits}"


def block_state(client: ClientSummary, account: AccountSpec) -> tuple[bool, str]:
    """One client in ``BLOCKED_EVERY`` who wrote something is blocked, for a reason a stable hash picks."""
    draw = stable_int("blocked", account.account_id, client.client_id)
    if client.client_phrases == 0 or draw % BLOCKED_EVERY:
        return False, ""
    return True, BLOCK_REASONS[draw // BLOCKED_EVERY % len(BLOCK_REASONS)]


def client_rows(query: ReportQuery) -> Iterator[Row]:
    zone = query.zone
    for client in summarize_clients(query):
        first, last = split_name(client.client_name)
        blocked, reason = block_state(client, query.account)
        yield (client.client_id, client.client_name, first, last, username(client, query.account),
               client.channel_type, client.channel_name, client.joined.astimezone(zone),
               client.last_activity.astimezone(zone), blocked, reason)


ROW_SOURCES: dict[ReportType, Callable[[ReportQuery], Iterator[Row]]] = {
    ReportType.SESSIONS: session_rows, ReportType.MESSAGES: message_rows,
    ReportType.CLIENTS: client_rows, ReportType.DAILY: message_rows}


def report_rows(query: ReportQuery) -> Iterator[Row]:
    """The report's rows, typed as its :data:`COLUMNS` say (datetimes aware, in the query's zone)."""
    return ROW_SOURCES[query.report_type](query)


def count_rows(query: ReportQuery) -> int:
    """How many rows :func:`report_rows` yields (for totalCount), without building them."""
    if query.report_type is ReportType.SESSIONS:
        return len(summarize_sessions(query))
    if query.report_type is ReportType.CLIENTS:
        return len(summarize_clients(query))
    return sum(1 for _ in iter_filtered_messages(query))
