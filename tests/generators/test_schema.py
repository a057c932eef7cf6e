"""The 19 columns (docs/platform.md) and the strict formats of their values."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators import schema
from generators.channels import CHANNEL_IDS, CHANNELS, CHANNELS_BY_ID, channel_from_label
from generators.csvformat import LogRecord
from generators.schema import (
    COLUMN_NAMES,
    COLUMNS,
    Kind,
    format_bool,
    format_datetime,
    parse_bool,
    parse_datetime,
    parse_int,
)

DOCUMENTED_COLUMNS = (
    "session_id", "session_start_time", "session_end_time", "session_questions_count", "session_tag",
    "channel_type", "channel_name", "client_id", "client_name", "project_name", "msg_rt", "msg_question",
    "msg_answer", "state_before", "state_after", "msg_switched", "msg_operator", "msg_comment", "msg_tags",
)
STRICT_DATETIME = re.compile(r"[0-9]{2}\.[0-9]{2}\.[0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2}")


def test_nineteen_columns_in_the_documented_order():
    assert COLUMN_NAMES == DOCUMENTED_COLUMNS
    assert [column.number for column in COLUMNS] == list(range(1, 20))
    assert ";".join(DOCUMENTED_COLUMNS) == schema.HEADER_LINE
    assert schema.SEPARATOR == ";"


def test_column_kinds():
    kinds = {column.name: column.kind for column in COLUMNS}
    assert {name for name, kind in kinds.items() if kind is Kind.DATETIME} == {
        "session_start_time", "session_end_time", "msg_rt"}
    assert {name for name, kind in kinds.items() if kind is Kind.INTEGER} == {"session_questions_count"}
    assert {name for name, kind in kinds.items() if kind is Kind.BOOLEAN} == {"msg_switched", "msg_operator"}


def test_session_level_columns_are_the_first_ten():
    assert [column.name for column in COLUMNS if column.session_level] == list(DOCUMENTED_COLUMNS[:10])


def test_positional_constants_follow_the_column_list():
    assert COLUMN_NAMES[schema.SESSION_ID] == "session_id"
    assert COLUMN_NAMES[schema.MSG_RT] == "msg_rt"
    assert COLUMN_NAMES[schema.MSG_TAGS] == "msg_tags"
    assert schema.COLUMN_INDEX["msg_operator"] == schema.MSG_OPERATOR == 16


def test_typed_record_follows_the_schema():
    assert LogRecord._fields == COLUMN_NAMES


def test_documented_examples_have_their_column_formats():
    for column in COLUMNS:
        if column.kind is Kind.DATETIME:
            assert format_datetime(parse_datetime(column.example)) == column.example
        elif column.kind is Kind.INTEGER:
            assert str(parse_int(column.example)) == column.example
        elif column.kind is Kind.BOOLEAN:
            assert format_bool(parse_bool(column.example)) == column.example


# -- date-times ---------------------------------------------------------------------------------------------


def test_parse_datetime_gives_aware_utc():
    moment = parse_datetime("28.01.2019 17:18:45")
    assert moment == datetime(2019, 1, 28, 17, 18, 45, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(0)


def test_leap_day_is_a_real_date():
    assert parse_datetime("29.02.2024 23:59:59") == datetime(2024, 2, 29, 23, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize("text", [
    "31.02.2024 10:00:00",   # no such day
    "29.02.2023 10:00:00",   # not a leap year
    "31.04.2026 00:00:00",
    "00.01.2024 10:00:00",
    "01.13.2024 10:00:00",
    "01.01.2024 24:00:00",
    "01.01.2024 10:60:00",
    "01.01.2024 10:00:60",   # no leap seconds
    "1.1.2024 10:00:00",     # no padding
    "01.1.2024 10:00:00",
    "01.01.2024 1:00:00",
    "01.01.24 10:00:00",
    "2024-01-01 10:00:00",
    "01/01/2024 10:00:00",
    "01.01.2024T10:00:00",
    "01.01.2024 10:00",
    "01.01.2024",
    "01.01.2024 10:00:00Z",
    "01.01.2024 10:00:00 ",
    " 01.01.2024 10:00:00",
    "",
    "true",
])
def test_parse_datetime_rejects(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


@pytest.mark.parametrize("text", [
    " 1.01.2024 10:00:00",
    "01.01.2024\t10:00:00",
    "1.01.2024  10:00:00",
    "01.1.2024  10:00:00",
    "٠١.٠١.٢٠٢٤ ١٠:٠٠:٠٠",  # Arabic-Indic digits
    "０１.０１.２０２４ １０:００:００",  # full-width digits
])
def test_parse_datetime_rejects_whitespace_and_unicode_digit_variants(text):
    with pytest.raises(ValueError):
        parse_datetime(text)


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1970, 1, 1), max_value=datetime(2199, 12, 31, 23, 59, 59)))
def test_datetime_round_trip(moment):
    moment = moment.replace(microsecond=0)
    text = format_datetime(moment)
    assert STRICT_DATETIME.fullmatch(text)
    assert parse_datetime(text) == moment.replace(tzinfo=UTC)


@settings(max_examples=100, deadline=None)
@given(st.datetimes(min_value=datetime(2000, 1, 2), max_value=datetime(2100, 1, 1)),
       st.integers(-12 * 60, 14 * 60))
def test_format_datetime_converts_aware_times_to_utc(moment, offset_minutes):
    zone = timezone(timedelta(minutes=offset_minutes))
    local = moment.replace(microsecond=0, tzinfo=zone)
    assert parse_datetime(format_datetime(local)) == local.astimezone(UTC)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(r"[0-9 ]{1,3}\.[0-9 ]{1,3}\.[0-9]{2,5}[ \t]{1,2}[0-9 ]{1,3}:[0-9]{1,3}:[0-9]{1,3}",
                     fullmatch=True))
def test_accepted_datetimes_are_canonical(text):
    """Whatever parses must be exactly the canonical text of the moment it parses to."""
    try:
        moment = parse_datetime(text)
    except ValueError:
        return
    assert format_datetime(moment) == text


# -- booleans and counts ------------------------------------------------------------------------------------


def test_booleans_are_lowercase_words():
    assert parse_bool("true") is True
    assert parse_bool("false") is False
    assert format_bool(True) == "true"
    assert format_bool(False) == "false"


@pytest.mark.parametrize("text", ["True", "FALSE", "tRue", "1", "0", "yes", "", " true", "false "])
def test_parse_bool_rejects(text):
    with pytest.raises(ValueError):
        parse_bool(text)


@pytest.mark.parametrize(("text", "value"), [("0", 0), ("14", 14), ("123456789", 123456789)])
def test_parse_int_accepts_non_negative_integers(text, value):
    assert parse_int(text) == value


@pytest.mark.parametrize("text", ["-1", "+1", "1.5", "1e3", "", " 1", "1 ", "١٢", "²", "0x10", "1_000"])
def test_parse_int_rejects(text):
    with pytest.raises(ValueError):
        parse_int(text)


@settings(max_examples=200, deadline=None)
@given(st.integers(min_value=0, max_value=10**12))
def test_counts_round_trip(value):
    assert parse_int(str(value)) == value


# -- the channel catalog ------------------------------------------------------------------------------------


def test_channel_catalog_holds_the_documented_ids():
    documented = {"telegram", "vk", "facebook", "instagram", "viber", "chatwidget", "chatapi", "resterisk",
                  "yandex", "marusia", "sber", "alexa", "slack", "azure", "wechat", "zendesk", "bitrix",
                  "jivosite", "webim", "livetex", "chat2desk", "odnoklassniki", "whatsapp", "edna_platform",
                  "i_digital", "wazzup", "threads", "mattermost", "test_widget"}
    assert set(CHANNEL_IDS) == documented
    assert len(CHANNEL_IDS) == len(CHANNELS)


def test_channel_display_names_are_unique_and_map_back():
    names = [channel.display_name for channel in CHANNELS]
    assert len(set(names)) == len(names)
    assert not set(names) & set(CHANNEL_IDS)  # a label reads back to one channel only
    for channel in CHANNELS:
        assert channel_from_label(channel.display_name) is channel
        assert channel_from_label(channel.id) is channel
    assert CHANNELS_BY_ID["telegram"].display_name == "Telegram"
    assert CHANNELS_BY_ID["resterisk"].voice
    assert [channel.id for channel in CHANNELS if channel.voice] == ["resterisk"]
    assert channel_from_label("telegramm") is None
    assert channel_from_label("TELEGRAM") is None
