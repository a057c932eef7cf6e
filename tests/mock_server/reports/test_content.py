"""Report rows agree with the raw-log CSV of the same days: same sessions, counts, times shifted to the zone."""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pydantic import TypeAdapter

from generators import AccountSpec, ProjectSpec, day_bytes
from generators.csvformat import LogRecord, read_records
from mock_server.reports.content import (
    CLIENTS_COLUMNS,
    MESSAGES_COLUMNS,
    SESSIONS_COLUMNS,
    ReportQuery,
    count_rows,
    daily_query,
    describe_query,
    period_of,
    query_from,
    report_rows,
    summarize_sessions,
)
from mock_server.reports.models import ReportFilter, ReportType
from mock_server.reports.records import DELETED_TEXT, is_client_phrase

ACCOUNT = AccountSpec(4242, projects=(ProjectSpec("Shop", channels=("telegram", "chatwidget", "resterisk")),),
                      sessions_per_day=60)
SEED = 7
FIRST = date(2026, 3, 2)
DAYS = [FIRST + timedelta(days=offset) for offset in range(3)]
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=3)
ZONE = ZoneInfo("Asia/Vladivostok")
FILTERS = TypeAdapter(tuple[ReportFilter, ...])
SESSION_TITLES = [column.title for column in SESSIONS_COLUMNS]


def raw_log(day: date, account: AccountSpec = ACCOUNT) -> list[LogRecord]:
    return read_records(day_bytes(account, day, seed=SEED))


@pytest.fixture(scope="module")
def raw_rows() -> list[tuple[date, LogRecord]]:
    return [(day, record) for day in DAYS for record in raw_log(day)]


def query(report_type: ReportType = ReportType.SESSIONS, *filters: dict[str, Any], **options: Any) -> ReportQuery:
    options = {"zone": ZONE, "seed": SEED} | options
    return ReportQuery(report_type, options.pop("account", ACCOUNT), options.pop("start", START),
                       options.pop("end", END), filters=FILTERS.validate_python(filters), **options)


def as_dicts(report_type: ReportType, *filters: dict[str, Any], **options: Any) -> list[dict[str, Any]]:
    titles = {ReportType.SESSIONS: SESSION_TITLES, ReportType.MESSAGES: [c.title for c in MESSAGES_COLUMNS],
              ReportType.CLIENTS: [c.title for c in CLIENTS_COLUMNS]}[report_type]
    return [dict(zip(titles, row, strict=True)) for row in report_rows(query(report_type, *filters, **options))]


def test_sessions_report_lists_exactly_the_raw_log_sessions(raw_rows: list[tuple[date, LogRecord]]) -> None:
    by_session: dict[str, list[LogRecord]] = defaultdict(list)
    for _, record in raw_rows:
        by_session[record.session_id].append(record)
    report = {row["Session ID"]: row for row in as_dicts(ReportType.SESSIONS)}
    assert set(report) == set(by_session)
    assert any(records[0].session_start_time.date() < FIRST for records in by_session.values()), \
        "the period should hold sessions begun before it (returning chat sessions)"
    for session_id, records in by_session.items():
        row = report[session_id]
        assert row["Phrase count"] == max(record.session_questions_count for record in records)
        assert row["Session start"] == records[0].session_start_time.astimezone(ZONE)
        assert row["Session start"].utcoffset() == timedelta(hours=10)
        assert row["Session end"] == max(record.session_end_time for record in records).astimezone(ZONE)
        assert row["Transfer to an agent"] == any(record.msg_switched for record in records)
        phrases = [record.msg_question for record in records if is_client_phrase(record.msg_question)]
        assert (row["First phrase"], row["Last phrase"]) == ((phrases[0], phrases[-1]) if phrases else ("", ""))
        assert (row["Client ID"], row["Channel type"], row["Project"]) == (
            records[0].client_id, records[0].channel_type, records[0].project_name)
        assert "/start" not in (row["First phrase"], row["Last phrase"])


def test_session_rows_are_ordered_and_shaped_as_the_ui(raw_rows: list[tuple[date, LogRecord]]) -> None:
    rows = as_dicts(ReportType.SESSIONS)
    assert [row["Session start"] for row in rows] == sorted(row["Session start"] for row in rows)
    for row in rows:
        hours, minutes, seconds = (int(part) for part in row["Duration"].split(":"))
        assert timedelta(hours=hours, minutes=minutes, seconds=seconds) == row["Session end"] - row["Session start"]
        voice = row["Channel type"] == "resterisk"
        assert (row["Call direction"] in ("Inbound", "Outbound")) == voice
        assert bool(row["Call campaign ID"]) == (row["Call direction"] == "Outbound")
    assert {row["Call direction"] for row in rows} >= {"Inbound", "Outbound", ""}


def test_messages_report_is_the_raw_log_rows_of_the_period(raw_rows: list[tuple[date, LogRecord]]) -> None:
    expected = [(record.session_id, record.msg_rt.astimezone(ZONE), record.msg_question, record.msg_answer)
                for _, record in raw_rows if START <= record.msg_rt < END]
    rows = as_dicts(ReportType.MESSAGES)
    assert [(row["Session ID"], row["Message time"], row["Question"], row["Answer"]) for row in rows] == expected


def test_a_period_within_days_keeps_the_rows_between_its_instants(raw_rows: list[tuple[date, LogRecord]]) -> None:
    start, end = START + timedelta(hours=7, minutes=30), END - timedelta(hours=30)
    expected = [(record.session_id, record.msg_rt.astimezone(ZONE), record.msg_question, record.msg_answer)
                for _, record in raw_rows if start <= record.msg_rt < end]
    assert 0 < len(expected) < len(raw_rows) / 2
    rows = as_dicts(ReportType.MESSAGES, start=start, end=end)
    assert [(row["Session ID"], row["Message time"], row["Question"], row["Answer"]) for row in rows] == expected


def test_daily_report_is_the_whole_day_file() -> None:
    records = raw_log(DAYS[1])
    rows = list(report_rows(daily_query(ACCOUNT, DAYS[1], seed=SEED)))
    assert len(rows) == len(records) == count_rows(daily_query(ACCOUNT, DAYS[1], seed=SEED))
    assert [(row[5], row[6]) for row in rows] == [(record.session_id, record.msg_rt) for record in records]


def test_cleaned_days_read_message_has_been_deleted(raw_rows: list[tuple[date, LogRecord]]) -> None:
    rows = as_dicts(ReportType.MESSAGES, cleaned_before=DAYS[1])
    originals = [record for _, record in raw_rows if START <= record.msg_rt < END]
    for row, (day, record) in zip(rows, [(d, r) for d, r in raw_rows if START <= r.msg_rt < END], strict=True):
        cleaned = day < DAYS[1]
        assert row["Message time"] == record.msg_rt.astimezone(ZONE)
        assert row["State after"] == record.state_after
        if cleaned:
            assert row["Question"] in (DELETED_TEXT, "") and row["Answer"] in (DELETED_TEXT, "")
        else:
            assert (row["Question"], row["Answer"]) == (record.msg_question, record.msg_answer)
    assert len(rows) == len(originals)
    sessions = as_dicts(ReportType.SESSIONS, cleaned_before=DAYS[1])
    assert any(row["First phrase"] == DELETED_TEXT for row in sessions)


def test_session_start_range_is_inclusive_at_from_and_exclusive_at_to() -> None:
    sessions = summarize_sessions(query())
    pivot = sessions[len(sessions) // 2].start
    at_or_after = {s.session_id for s in summarize_sessions(
        query(ReportType.SESSIONS, {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": pivot}))}
    before = {s.session_id for s in summarize_sessions(
        query(ReportType.SESSIONS, {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "to": pivot}))}
    assert sessions[len(sessions) // 2].session_id in at_or_after
    assert at_or_after.isdisjoint(before) and at_or_after | before == {s.session_id for s in sessions}


def test_a_range_without_offset_is_read_in_the_users_zone() -> None:
    local = START.astimezone(ZONE).replace(tzinfo=None) + timedelta(days=1)
    naive = summarize_sessions(query(ReportType.SESSIONS, {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE",
                                                           "from": local.isoformat()}))
    assert naive and min(session.start for session in naive) >= START + timedelta(days=1)


def test_phrase_count_range_is_inclusive_on_both_ends() -> None:
    counts = sorted({s.phrase_count for s in summarize_sessions(query())})
    low, high = counts[1], counts[-2]
    kept = summarize_sessions(query(ReportType.SESSIONS,
                                    {"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": low, "to": high}))
    assert {s.phrase_count for s in kept} == {count for count in counts if low <= count <= high}


def test_transfer_yes_and_no_split_the_sessions() -> None:
    every = {s.session_id for s in summarize_sessions(query())}
    yes = summarize_sessions(query(ReportType.SESSIONS, {"key": "TRANSFER_TO_OPERATOR", "type": "RADIO",
                                                         "option": "YES"}))
    no = summarize_sessions(query(ReportType.SESSIONS, {"key": "TRANSFER_TO_OPERATOR", "type": "RADIO",
                                                        "option": "NO"}))
    assert yes and no and all(s.transferred for s in yes) and not any(s.transferred for s in no)
    assert {s.session_id for s in yes} | {s.session_id for s in no} == every


def test_channel_and_text_filters() -> None:
    voice = as_dicts(ReportType.SESSIONS, {"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["resterisk"]})
    assert voice and {row["Channel type"] for row in voice} == {"resterisk"}
    messages = as_dicts(ReportType.MESSAGES, {"key": "MESSAGE_TEXT", "type": "TEXT", "value": "CARD"})
    assert messages and all("card" in row["Question"].lower() for row in messages)
    sessions = {row["Session ID"] for row in as_dicts(
        ReportType.SESSIONS, {"key": "MESSAGE_TEXT", "type": "TEXT", "value": "card"})}
    assert sessions == {row["Session ID"] for row in messages}


def test_empty_sessions_and_messages_can_be_hidden() -> None:
    every = summarize_sessions(query())
    shown = summarize_sessions(query(ReportType.SESSIONS, {"key": "WITHOUT_EMPTY_SESSIONS", "type": "RADIO",
                                                           "option": "YES"}))
    assert all(s.client_phrases for s in shown) and len(shown) == sum(1 for s in every if s.client_phrases)
    assert len(summarize_sessions(query(ReportType.SESSIONS, {"key": "WITHOUT_EMPTY_SESSIONS", "type": "RADIO",
                                                              "option": "NO"}))) == len(every)
    rows = as_dicts(ReportType.MESSAGES, {"key": "WITHOUT_EMPTY_MESSAGES", "type": "RADIO", "option": "YES"})
    assert rows and all(is_client_phrase(row["Question"]) for row in rows)


def test_session_filters_apply_to_the_messages_report() -> None:
    voice = as_dicts(ReportType.MESSAGES, {"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["resterisk"]},
                     {"key": "SESSION_RESULT", "type": "CHECKBOX", "options": ["Answered by the bot"]})
    assert voice and {row["Channel type"] for row in voice} == {"resterisk"}
    assert not any(row["Transfer to an agent"] for row in voice)


def test_clients_report_has_one_row_per_client(raw_rows: list[tuple[date, LogRecord]]) -> None:
    rows = as_dicts(ReportType.CLIENTS)
    starts: dict[str, datetime] = {}
    for _, record in raw_rows:
        starts[record.client_id] = min(starts.get(record.client_id, record.session_start_time),
                                       record.session_start_time)
    assert sorted(row["Client ID"] for row in rows) == sorted(starts)
    for row in rows:
        assert row["Join date"] == starts[row["Client ID"]].astimezone(ZONE)
        assert row["Last activity"] >= row["Join date"]
        assert f"{row['First name']} {row['Last name']}".strip() == row["Client name"].strip()
        assert bool(row["Block reason"]) == row["Blocked"]
        assert bool(row["Username"]) == (row["Channel type"] == "telegram")


def test_project_filter_keeps_one_projects_rows() -> None:
    account = AccountSpec(5, projects=(ProjectSpec("Alpha"), ProjectSpec("Beta", domain="retail")),
                          sessions_per_day=40)
    rows = as_dicts(ReportType.SESSIONS, account=account, project="Beta")
    every = as_dicts(ReportType.SESSIONS, account=account)
    assert rows and {row["Project"] for row in rows} == {"Beta"}
    assert len(rows) == sum(1 for row in every if row["Project"] == "Beta") < len(every)


@pytest.mark.parametrize("report_type", [ReportType.SESSIONS, ReportType.MESSAGES, ReportType.CLIENTS])
def test_count_rows_matches_the_rows(report_type: ReportType) -> None:
    filters = ({"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["telegram", "chatwidget"]},
               {"key": "MESSAGE_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-03T00:00:00Z"})
    built = query(report_type, *filters)
    assert count_rows(built) == len(list(report_rows(built))) > 0


def test_a_query_survives_its_json_description() -> None:
    original = query(ReportType.MESSAGES, {"key": "SESSION_ID", "type": "TEXT", "value": "a"},
                     cleaned_before=DAYS[1], versions={DAYS[0]: 2}, project="Shop")
    assert query_from(describe_query(original), ACCOUNT) == original


def test_a_period_must_be_positive_and_bounded() -> None:
    with pytest.raises(ValueError, match="longer than zero"):
        query(end=START)
    with pytest.raises(ValueError, match="aware"):
        query(start=START.replace(tzinfo=None))


def test_the_period_of_a_request_is_the_intersection_of_its_time_ranges() -> None:
    now = datetime(2026, 3, 10, 12, tzinfo=UTC)
    assert period_of((), now, UTC) == (now - timedelta(days=7), now)
    ranges = FILTERS.validate_python((
        {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-02T00:00:00Z"},
        {"key": "MESSAGE_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-03T00:00:00",
         "to": "2026-03-05T00:00:00Z"}))
    assert period_of(ranges, now, ZONE) == (datetime(2026, 3, 3, tzinfo=ZONE), datetime(2026, 3, 5, tzinfo=UTC))
    upper = FILTERS.validate_python(({"key": "SESSION_END_TIME", "type": "DATE_TIME_RANGE",
                                      "to": "2026-03-05T00:00:00Z"},))
    assert period_of(upper, now, UTC) == (datetime(2026, 2, 26, tzinfo=UTC), datetime(2026, 3, 5, tzinfo=UTC))
    future = FILTERS.validate_python(({"key": "MESSAGE_TIME", "type": "DATE_TIME_RANGE",
                                       "from": "2026-04-01T00:00:00Z"},))
    start, end = period_of(future, now, UTC)
    assert start == datetime(2026, 4, 1, tzinfo=UTC) and end > start
