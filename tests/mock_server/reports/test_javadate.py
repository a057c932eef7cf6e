"""Java date-time patterns: formatting, Excel formats, and the messages for patterns that cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from mock_server.reports.javadate import PatternError, compile_pattern, excel_format

MOMENT = datetime(2026, 3, 5, 14, 7, 9, 123456, tzinfo=ZoneInfo("Europe/Moscow"))


@pytest.mark.parametrize(("pattern", "expected"), [
    ("yyyy-MM-dd HH:mm:ss.SSS", "2026-03-05 14:07:09.123"),
    ("dd.MM.yy", "05.03.26"),
    ("d/M/y", "5/3/2026"),
    ("MMM d, yyyy", "Mar 5, 2026"),
    ("MMMM", "March"),
    ("h:mm a", "2:07 PM"),
    ("hh:mm a", "02:07 PM"),
    ("EEE", "Thu"),
    ("EEEE", "Thursday"),
    ("S", "1"),
    ("SSSSSS", "123456"),
    ("HH:mmXXX", "14:07+03:00"),
    ("HH:mmXX", "14:07+0300"),
    ("HH:mmX", "14:07+03"),
    ("HH:mmZ", "14:07+0300"),
    ("yyyy-MM-dd'T'HH:mm:ss", "2026-03-05T14:07:09"),
    ("'at' HH 'o''clock'", "at 14 o'clock"),
    ("''yyyy''", "'2026'"),
    ("'{0}' yyyy '{}'", "{0} 2026 {}"),
])
def test_patterns_format_as_java_does(pattern: str, expected: str) -> None:
    assert compile_pattern(pattern)(MOMENT) == expected


def test_midnight_and_noon_on_the_twelve_hour_clock() -> None:
    format_time = compile_pattern("h a")
    assert format_time(datetime(2026, 1, 1, 0, 30)) == "12 AM"
    assert format_time(datetime(2026, 1, 1, 12, 30)) == "12 PM"
    assert format_time(datetime(2026, 1, 1, 23, 30)) == "11 PM"


def test_zero_offset_is_z_for_x_and_digits_for_lower_x_and_z() -> None:
    moment = datetime(2026, 1, 1, 8, 0, tzinfo=UTC)
    assert compile_pattern("XXX")(moment) == "Z"
    assert compile_pattern("xxx")(moment) == "+00:00"
    assert compile_pattern("Z")(moment) == "+0000"
    negative = moment.astimezone(timezone(-timedelta(hours=5, minutes=30)))
    assert compile_pattern("XXX")(negative) == "-05:30"
    assert compile_pattern("X")(negative) == "-0530"


@pytest.mark.parametrize(("pattern", "fragment"), [
    ("yyyy-MM-dd HH:mm:ss.SSSq", "unsupported pattern letter 'q'"),
    ("YYYY", "unsupported pattern letter 'Y'"),
    ("yyyy-MM-ddTHH", "unsupported pattern letter 'T'"),
    ("yyyyy", "'yyyyy' is not a valid year field"),
    ("ddd", "'ddd' is not a valid day of month field; use one of d, dd"),
    ("MMMMM", "'MMMMM' is not a valid month field"),
    ("'unclosed", "the quote at position 1 is never closed"),
    ("[yyyy]", "'[' is reserved"),
    ("", "empty"),
])
def test_unusable_patterns_are_refused_naming_the_problem(pattern: str, fragment: str) -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern(pattern)
    assert fragment in str(caught.value)


def test_unknown_letter_message_lists_the_supported_ones() -> None:
    with pytest.raises(PatternError) as caught:
        compile_pattern("Q")
    assert "supported letters: y, M, d, H, h, m, s, S, a, E, X, x, Z" in str(caught.value)


@pytest.mark.parametrize(("pattern", "excel"), [
    ("yyyy-MM-dd HH:mm:ss.SSS", "yyyy-mm-dd hh:mm:ss.000"),
    ("dd.MM.yyyy HH:mm", "dd.mm.yyyy hh:mm"),
    ("h:mm a", "h:mm AM/PM"),
    ("yyyy-MM-dd'T'HH:mm", 'yyyy-mm-dd"T"hh:mm'),
    ("EEEE d MMMM", "dddd d mmmm"),
])
def test_excel_formats_follow_the_pattern(pattern: str, excel: str) -> None:
    assert excel_format(pattern) == excel


@pytest.mark.parametrize("pattern", ["yyyy-MM-dd HH:mm:ssXXX", "HH:mm:ss.SSSSSS", "hh:mm", "HH:mm a", "SSS"])
def test_patterns_excel_cannot_show_fall_back(pattern: str) -> None:
    assert excel_format(pattern, fallback="FALLBACK") == "FALLBACK"
