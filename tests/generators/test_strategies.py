"""The public Hypothesis strategies: what they draw is valid export data, and adversarial mode is hostile."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from generators.channels import CHANNEL_IDS, channel_from_label
from generators.csvformat import read_records, record_from_fields
from generators.strategies import DayFile, day_files, rows, sessions
from generators.validate import validate_file

SETTINGS = settings(max_examples=40, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
DAY = date(2026, 3, 4)


def check_session(session: list[tuple[str, ...]], day: date | None = None) -> None:
    """The invariants the validator relies on, checked directly on one session's rows."""
    assert session
    records = [record_from_fields(list(row)) for row in session]
    assert len({row[:10] for row in session}) == 1
    first = records[0]
    assert first.session_questions_count >= len(records)
    moments = [record.msg_rt for record in records]
    assert moments == sorted(moments)
    day = day or moments[0].date()
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    switched = False
    for before, record in zip([None, *records], records, strict=False):
        assert start <= record.msg_rt < start + timedelta(days=1)
        assert first.session_start_time <= record.msg_rt <= first.session_end_time
        if before is not None:
            assert record.state_before == before.state_after
        if record.msg_operator and first.session_start_time >= start:
            assert switched
        switched = switched or record.msg_switched
    assert channel_from_label(session[0][5]) is not None
    assert record.client_id.startswith(f"{records[0].channel_type}-")
    assert re.fullmatch(r".+\.[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}", first.session_id)


def test_public_names_import():
    from generators.strategies import day_files as a
    from generators.strategies import rows as b
    from generators.strategies import sessions as c

    for strategy in (a(), a(adversarial=True), b(), b(adversarial=True), c(), c(adversarial=True)):
        assert isinstance(strategy, st.SearchStrategy)


@SETTINGS
@given(st.one_of(rows(), rows(adversarial=True)))
def test_rows_have_19_text_fields_that_type(row):
    assert isinstance(row, tuple) and len(row) == 19
    assert all(isinstance(field, str) for field in row)
    record_from_fields(list(row))


@SETTINGS
@given(sessions())
def test_realistic_sessions_keep_the_invariants(session):
    check_session(session)
    assert all(field == field.strip() or field == "" for row in session for field in row[:11])


@SETTINGS
@given(sessions(adversarial=True))
def test_adversarial_sessions_keep_the_invariants(session):
    check_session(session)


@SETTINGS
@given(st.sampled_from((False, True)).flatmap(lambda hostile: sessions(DAY, adversarial=hostile,
                                                                        channel_labels="id")))
def test_sessions_on_a_given_day_with_channel_ids(session):
    check_session(session, DAY)
    assert session[0][5] in CHANNEL_IDS


def check_day_file(day_file: DayFile, tmp_folder) -> None:
    assert re.fullmatch(r"\d{2}-\d{2}-\d{4}\.csv", day_file.file_name)
    assert day_file.file_name == day_file.day.strftime("%d-%m-%Y.csv")
    data = day_file.to_bytes()
    path = tmp_folder / day_file.file_name
    path.write_bytes(data)
    report = validate_file(path)
    assert report.ok, [str(problem) for problem in report.problems]
    assert read_records(data) == [record_from_fields(list(row)) for row in day_file.rows]
    assert len({row[0] for row in day_file.rows}) <= 6


@SETTINGS
@given(day_files())
def test_realistic_day_files_validate_and_round_trip(tmp_path_factory, day_file):
    check_day_file(day_file, tmp_path_factory.mktemp("strategy"))


@SETTINGS
@given(day_files(adversarial=True))
def test_adversarial_day_files_validate_and_round_trip(tmp_path_factory, day_file):
    check_day_file(day_file, tmp_path_factory.mktemp("strategy"))


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(day_files(max_sessions=2))
def test_max_sessions_is_honoured(day_file):
    assert len({row[0] for row in day_file.rows}) <= 2


def collect(strategy, count: int = 100) -> list:
    """``count`` examples of a strategy, the same ones on every run (no shrinking, no database)."""
    drawn = []

    @settings(max_examples=count, deadline=None, database=None, derandomize=True, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def draw(example):
        drawn.append(example)

    draw()
    return drawn


def test_adversarial_mode_is_hostile():
    """It does produce the fields and dialects a naive parser gets wrong."""
    drawn = collect(day_files(adversarial=True), 60)
    fields = [field for day_file in drawn for row in day_file.rows for field in row]
    for needle in (";", '"', "\n", "\r", "\r\n", "\ufeff", "\u202e"):
        assert any(needle in field for field in fields), needle
    assert any(len(field) >= 200 for field in fields)
    assert any(field == "" for field in fields)
    used = [day_file.dialect for day_file in drawn if day_file.rows]
    assert {dialect.quote_all for dialect in used} == {False, True}
    assert {dialect.bom for dialect in used} == {False, True}
    assert {dialect.line_end for dialect in used} == {"\r\n", "\n"}
    assert {dialect.channel_labels for dialect in used} == {"display", "id"}


def test_realistic_mode_is_realistic():
    drawn = collect(day_files(), 30)
    rows = [row for day_file in drawn for row in day_file.rows]
    assert len(rows) > 50
    assert any(row[11] == "/start" for row in rows)
    assert {row[5] for row in rows} & {"Telegram", "telegram", "Chat widget", "chatwidget", "Telephony", "resterisk",
                                       "VK", "vk", "WhatsApp", "whatsapp"}
    assert any(re.search("[а-яА-Я]", row[12]) for row in rows)
    assert any(re.search("[a-zA-Z]{4}", row[12]) for row in rows)
