"""The Reporter API models: defaults, serialization, and a clear envelope for every bad input."""

from __future__ import annotations

import string
from datetime import UTC, datetime
from typing import Any

import pytest

from mock_server.reports.errors import REPORT_ERRORS, Problem, render_report_message
from mock_server.reports.models import (
    AsyncEvent,
    AsyncEventsDto,
    CreateReportDto,
    DailyReportDto,
    DateTimeRangeFilter,
    ErrorEnvelope,
    FilterKey,
    ReportGenerationTaskDto,
    ReportSettings,
    RequestError,
    parse_request,
)

CSV = {"fileType": "CSV"}


def problem(body: Any, model: type = CreateReportDto) -> Problem:
    with pytest.raises(RequestError) as caught:
        parse_request(model, body)
    return caught.value.problem


def with_filter(**fields: Any) -> dict[str, Any]:
    return {"settings": CSV, "filters": [fields]}


def test_settings_defaults_are_the_platforms() -> None:
    settings = parse_request(ReportSettings, {"fileType": "XLSX"})
    assert settings.to_json() == {"fileType": "XLSX", "withHeader": True, "delimiter": ",",
                                  "dateTimeFormat": "yyyy-MM-dd HH:mm:ss.SSS"}


def test_a_full_request_round_trips_in_camel_case() -> None:
    body = {"settings": {"fileType": "CSV", "withHeader": False, "delimiter": ";", "dateTimeFormat": "dd.MM.yyyy"},
            "filters": [
                {"key": "CLIENT_ID_OR_NAME", "type": "TEXT", "value": "john"},
                {"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-01T00:00:00Z", "to": None},
                {"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": 2, "to": 2},
                {"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["telegram", "resterisk"]},
                {"key": "TRANSFER_TO_OPERATOR", "type": "RADIO", "option": "NO"}]}
    parsed = parse_request(CreateReportDto, body)
    assert isinstance(parsed.filters[1], DateTimeRangeFilter)
    assert parsed.filters[1].from_ == datetime(2026, 3, 1, tzinfo=UTC)
    again = parse_request(CreateReportDto, parsed.to_json())
    assert again == parsed
    assert parsed.to_json()["filters"][1]["from"] == "2026-03-01T00:00:00Z"


@pytest.mark.parametrize(("body", "code", "fragment"), [
    ({"settings": {"fileType": "XLS"}}, "reports.unknown_file_type",
     "settings.fileType: unknown file type 'XLS'; accepted: XLSX, CSV."),
    ({"settings": {}}, "reports.missing_field", "settings.fileType is required."),
    ({"filters": []}, "reports.missing_field", "settings is required."),
    ({"settings": {"fileType": "CSV", "delimiter": ";;"}}, "reports.bad_delimiter", "exactly one character"),
    ({"settings": {"fileType": "CSV", "delimiter": ""}}, "reports.bad_delimiter", "exactly one character"),
    ({"settings": {"fileType": "CSV", "delimiter": '"'}}, "reports.bad_delimiter", "other than a quote"),
    ({"settings": {"fileType": "CSV", "dateTimeFormat": "yyyy-MM-dd HH:mm:ss.SSSq"}}, "reports.bad_date_pattern",
     "unsupported pattern letter 'q'"),
    ({"settings": {"fileType": "CSV", "withHeader": "maybe"}}, "reports.bad_field", "settings.withHeader: "),
    ({"settings": {"fileType": "CSV", "colour": "red"}}, "reports.unknown_field",
     "settings.colour is not an accepted field; accepted here: fileType, withHeader, delimiter, dateTimeFormat."),
    ([1, 2], "reports.bad_json", "Send a JSON object"),
    ("text", "reports.bad_json", "Send a JSON object"),
])
def test_bad_settings_and_bodies(body: Any, code: str, fragment: str) -> None:
    found = problem(body)
    assert found.code == code
    assert fragment in found.message
    assert found.status == 400


@pytest.mark.parametrize(("fields", "code", "fragment"), [
    ({"key": "FOO", "type": "TEXT", "value": "x"}, "reports.unknown_filter_key",
     "filters[0].key: unknown filter key 'FOO'; supported keys: SESSION_START_TIME, "),
    ({"key": "SESSION_ID", "type": "FUZZY", "value": "x"}, "reports.unknown_filter_type",
     "filters[0].type: unknown filter type 'FUZZY'; supported types: TEXT, DATE_TIME_RANGE, NUMERIC_RANGE, CHECKBOX, "
     "RADIO."),
    ({"key": "SESSION_ID", "value": "x"}, "reports.missing_field", "filters[0].type is required."),
    ({"key": "SESSION_START_TIME", "type": "TEXT", "value": "x"}, "reports.filter_type_mismatch",
     "the filter SESSION_START_TIME takes type DATE_TIME_RANGE, not TEXT."),
    ({"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-02T00:00:00Z",
      "to": "2026-03-01T00:00:00Z"}, "reports.bad_range", "'from' (2026-03-02T00:00:00+00:00) must be before 'to'"),
    ({"key": "SESSION_START_TIME", "type": "DATE_TIME_RANGE", "from": "2026-03-02T00:00:00Z",
      "to": "2026-03-02T00:00:00Z"}, "reports.bad_range", "must be before"),
    ({"key": "MESSAGE_TIME", "type": "DATE_TIME_RANGE"}, "reports.open_range", "needs 'from', 'to' or both"),
    ({"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": 5, "to": 4}, "reports.bad_range",
     "'from' (5) must be at most 'to' (4)"),
    ({"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": -1}, "reports.bad_field", "filters[0].from: "),
    ({"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": 1, "below": 3}, "reports.unknown_field",
     "filters[0].below is not an accepted field; accepted here: key, type, from, to."),
    ({"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": ["telegramm"]}, "reports.bad_filter_option",
     "'telegramm' is not an option of CHANNEL_TYPE; accepted: telegram, "),
    ({"key": "CHANNEL_TYPE", "type": "CHECKBOX", "options": []}, "reports.bad_field", "filters[0].options"),
    ({"key": "TRANSFER_TO_OPERATOR", "type": "RADIO", "option": "MAYBE"}, "reports.bad_filter_option",
     "accepted: YES, NO"),
    ({"key": "SESSION_RESULT", "type": "CHECKBOX", "options": ["Lost"]}, "reports.bad_filter_option",
     "accepted: Transferred to an agent, No client phrases, Answered by the bot"),
    ({"key": "MESSAGE_TEXT", "type": "TEXT", "value": ""}, "reports.bad_field", "filters[0].value"),
])
def test_bad_filters(fields: dict[str, Any], code: str, fragment: str) -> None:
    found = problem(with_filter(**fields))
    assert (found.code, found.status) == (code, 400)
    assert fragment in found.message


def test_every_key_is_listed_when_one_is_unknown() -> None:
    message = problem(with_filter(key="NOPE", type="TEXT", value="x")).message
    assert all(key.value in message for key in FilterKey)


def test_boundary_ranges_are_accepted() -> None:
    exact = {"key": "MESSAGE_COUNT", "type": "NUMERIC_RANGE", "from": 3, "to": 3}
    parsed = parse_request(CreateReportDto, {"settings": CSV, "filters": [exact]})
    assert (parsed.filters[0].from_, parsed.filters[0].to) == (3, 3)
    open_ended = parse_request(CreateReportDto, with_filter(key="SESSION_END_TIME", type="DATE_TIME_RANGE",
                                                            to="2026-03-02T00:00:00+03:00"))
    assert open_ended.filters[0].from_ is None


def test_daily_request_needs_a_real_date() -> None:
    assert problem({"date": "2026-02-30", "settings": CSV}, DailyReportDto).code == "reports.bad_field"
    parsed = parse_request(DailyReportDto, {"date": "2026-02-28", "settings": CSV})
    assert parsed.to_json()["date"] == "2026-02-28"


def test_task_and_event_models_speak_camel_case() -> None:
    task = ReportGenerationTaskDto(task_id="t", account_id=1, creation_time=datetime(2026, 3, 1, tzinfo=UTC),
                                   status="STARTED", report_type="SESSIONS",
                                   settings=ReportSettings(file_type="XLSX"), write_count=5, total_count=10)
    event = AsyncEvent(is_ok=False, request_id="r", request_time=datetime(2026, 3, 1, tzinfo=UTC),
                       error=ErrorEnvelope(error="reports.too_many_rows", message="m", args={}))
    body = AsyncEventsDto(response=(event,)).to_json()
    assert body["response"][0]["isOk"] is False and body["response"][0]["requestId"] == "r"
    assert task.to_json()["writeCount"] == 5 and task.to_json()["fileUrl"] is None


def test_every_error_template_fills_in() -> None:
    for code, spec in REPORT_ERRORS.items():
        assert code.startswith("reports.") and 400 <= spec.status < 600
        names = [name for _, name, _, _ in string.Formatter().parse(spec.template) if name]
        rendered = render_report_message(code, {name: f"<{name}>" for name in names})
        assert all(f"<{name}>" in rendered for name in names) and "{" not in rendered


def test_a_missing_arg_shows_as_a_question_mark() -> None:
    assert render_report_message("reports.task_not_found", {}) == "There is no report task '?' in this account."
