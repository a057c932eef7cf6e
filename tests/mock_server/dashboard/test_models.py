"""The dashboard's models without a page: the calendar's statuses at their edges, the SVG charts, a day's summary."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, timedelta
from html.parser import HTMLParser

import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from generators.csvformat import rows_to_bytes
from generators.model import Dialect
from generators.strategies import adversarial_text, day_files
from mock_server.config import parse_config
from mock_server.dashboard.calendar import (
    MAX_MONTHS,
    STATUS_NAMES,
    calendar_day,
    describe,
    month_calendar,
    months_between,
)
from mock_server.dashboard.charts import channel_chart, hourly_chart
from mock_server.dashboard.daydata import summarize
from mock_server.rules import AccountState, Policy, Regeneration, RetentionChange, Status
from tests.support import CONFIG_TOML

POLICY = Policy()
ACCOUNT = AccountState.initial(parse_config(CONFIG_TOML).accounts[0])  # raw logs on from 2026-01-10 12:00
HTML_SNIPPETS = ("<script>alert(1)</script>", "</svg><img src=x onerror=alert(1)>", "&amp;", "\"'><b>", "]]>")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def regeneration(day: date, version: int, requested: str, delay: int = 600) -> dict:
    start = at(requested)
    return {(ACCOUNT.id, day): (Regeneration(ACCOUNT.id, day, version, start, start + timedelta(seconds=delay)),)}


# -- the calendar ------------------------------------------------------------------------------------------------

def test_each_status_of_the_calendar_at_its_edge():
    now = at("2026-03-04T00:01:00")
    cleaned = dataclasses.replace(ACCOUNT, retention_history=(RetentionChange(None, 30),))
    assert calendar_day(ACCOUNT, date(2026, 3, 3), now, POLICY, {}).status is Status.AVAILABLE
    assert calendar_day(ACCOUNT, date(2026, 3, 3), now - timedelta(seconds=1), POLICY, {}).status \
        is Status.NOT_GENERATED_YET
    assert calendar_day(ACCOUNT, date(2026, 1, 9), now, POLICY, {}).status is Status.BEFORE_ENABLEMENT
    assert calendar_day(ACCOUNT, date(2026, 1, 10), now, POLICY, {}).status is Status.AVAILABLE
    # cleanup on 2026-03-04 with 30 days removes every day before 2026-02-02
    assert calendar_day(cleaned, date(2026, 2, 1), now, POLICY, {}).status is Status.CLEANED
    assert calendar_day(cleaned, date(2026, 2, 2), now, POLICY, {}).status is Status.AVAILABLE


def test_a_pending_regeneration_names_the_served_version_and_ready_at():
    day = date(2026, 3, 1)
    runs = regeneration(day, 2, "2026-03-04T09:00:00")
    pending = calendar_day(ACCOUNT, day, at("2026-03-04T09:09:59"), POLICY, runs)
    assert (pending.status, pending.version, pending.ready_at) == \
        (Status.PENDING_REGENERATION, 1, at("2026-03-04T09:10:00"))
    landed = calendar_day(ACCOUNT, day, at("2026-03-04T09:10:00"), POLICY, runs)
    assert (landed.status, landed.version, landed.ready_at) == (Status.AVAILABLE, 2, None)


def test_a_first_generation_before_enablement_is_generating_until_ready_at():
    day = date(2026, 1, 5)
    runs = regeneration(day, 1, "2026-03-04T09:00:00")
    cell = calendar_day(ACCOUNT, day, at("2026-03-04T09:05:00"), POLICY, runs)
    assert (cell.status, cell.version, cell.ready_at) == (Status.GENERATION_PENDING, None, at("2026-03-04T09:10:00"))
    assert "09:10" in describe(cell, lambda moment: moment.strftime("%H:%M"))


def test_regenerable_follows_the_regeneration_rule():
    now = at("2026-03-04T09:00:00")
    assert calendar_day(ACCOUNT, date(2026, 3, 3), now, POLICY, {}).regenerable
    assert calendar_day(ACCOUNT, date(2026, 1, 5), now, POLICY, {}).regenerable  # a backfill of a day before
    assert not calendar_day(ACCOUNT, date(2026, 3, 4), now, POLICY, {}).regenerable  # the day is not over
    cleaned = dataclasses.replace(ACCOUNT, retention_history=(RetentionChange(None, 1),))
    assert not calendar_day(cleaned, date(2026, 3, 1), now, POLICY, {}).regenerable
    disabled = dataclasses.replace(ACCOUNT, rawlogs_enabled_at=None)
    off = calendar_day(disabled, date(2026, 3, 3), now, POLICY, {})
    assert (off.status, off.regenerable) == (Status.DISABLED, False)


def test_months_are_monday_first_weeks_with_blanks_outside_the_month():
    months = month_calendar(ACCOUNT, date(2026, 2, 14), date(2026, 3, 4), at("2026-03-04T09:00:00"), POLICY, {})
    assert [month.first for month in months] == [date(2026, 2, 1), date(2026, 3, 1)]
    february = months[0]
    assert all(len(week) == 7 for week in february.weeks)
    assert february.weeks[0][6] is not None and february.weeks[0][6].day == date(2026, 2, 1)  # a Sunday
    assert february.weeks[0][:6] == (None,) * 6
    days = [cell.day for week in february.weeks for cell in week if cell is not None]
    assert days == [date(2026, 2, 1) + timedelta(days=offset) for offset in range(28)]
    march = [cell for week in months[1].weeks for cell in week if cell is not None]
    assert march[2].status is Status.AVAILABLE and march[3].status is Status.NOT_GENERATED_YET


def test_months_between_refuses_reversed_and_too_long_ranges():
    assert months_between(date(2025, 12, 31), date(2026, 1, 1)) == [date(2025, 12, 1), date(2026, 1, 1)]
    with pytest.raises(ValueError, match="after"):
        months_between(date(2026, 2, 1), date(2026, 1, 31))
    assert len(months_between(date(2025, 1, 1), date(2026, 1, 1))) == MAX_MONTHS
    with pytest.raises(ValueError, match=str(MAX_MONTHS)):
        months_between(date(2025, 1, 1), date(2026, 2, 1))


def test_every_status_has_a_name_and_a_description():
    cell = calendar_day(ACCOUNT, date(2026, 3, 3), at("2026-03-04T09:00:00"), POLICY, {})
    for status in Status:
        moment = cell.due_at if status in (Status.PENDING_REGENERATION, Status.GENERATION_PENDING) else None
        text = describe(dataclasses.replace(cell, status=status, ready_at=moment), str)
        assert STATUS_NAMES[status] and text


# -- the charts --------------------------------------------------------------------------------------------------

class _Markup(HTMLParser):
    """The tags and the text an SVG fragment holds, as a browser's HTML parser reads them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.tags.add(tag)
        assert not any(name.startswith("on") for name, _ in attrs), attrs

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def parsed(markup: str) -> _Markup:
    parser = _Markup()
    parser.feed(markup)
    parser.close()
    return parser


def test_the_hourly_chart_has_a_bar_per_hour_scaled_to_the_peak():
    counts = [0] * 24
    counts[9], counts[10] = 40, 20
    svg = str(hourly_chart(counts))
    assert svg.count('class="bar"') == 24
    assert "<title>09:00: 40</title>" in svg and "<title>10:00: 20</title>" in svg
    heights = {part.split('"')[0] for part in svg.split('height="')[2:]}  # the bars' heights
    assert {"160.0", "80.0", "0.0"} <= heights  # the peak fills the 160-pixel plot, half the peak half of it


def test_the_hourly_chart_refuses_a_wrong_number_of_hours():
    with pytest.raises(ValueError, match="24"):
        hourly_chart([1] * 23)
    assert 'class="bar"' in str(hourly_chart([0] * 24))  # an empty day draws empty bars, no division by zero


def test_the_channel_chart_orders_by_count_and_shows_shares():
    svg = str(channel_chart([("VK", 25), ("Telegram", 75)]))
    assert svg.index("Telegram") < svg.index("VK")
    assert "75 (75%)" in svg and "25 (25%)" in svg
    assert "no messages" in str(channel_chart([]))


def test_chart_text_is_escaped_whatever_it_holds():
    hostile = st.lists(st.one_of(adversarial_text(60), st.sampled_from(HTML_SNIPPETS)), min_size=1, max_size=3)
    markup_hits = []

    @settings(max_examples=150)
    @given(st.lists(st.tuples(hostile.map("".join), st.integers(0, 1000)), min_size=1, max_size=4), hostile)
    def check(mix, label):
        names = [name for name, _ in mix]
        svg = parsed(str(channel_chart(mix, label="".join(label))))
        assert svg.tags <= {"svg", "title", "text", "rect"}
        text = "".join(svg.text)
        for name in names:
            assert name.replace("\r\n", "\n").replace("\r", "\n") in text.replace("\r\n", "\n").replace("\r", "\n")
        if any("<" in name for name in names):
            event("a name with markup")
            markup_hits.append(1)

    check()
    assert markup_hits, "no example carried markup: the test did not reach its case"


# -- a day's summary -----------------------------------------------------------------------------------------------

@settings(max_examples=25)
@given(day_files(adversarial=True), st.sampled_from([Dialect(), Dialect(quote_all=True, bom=True, line_end="\n",
                                                                         channel_labels="id")]))
def test_a_summary_counts_every_row_by_hour_and_channel(tmp_path_factory, day_file, dialect):
    path = tmp_path_factory.mktemp("day") / "day.csv"
    path.write_bytes(rows_to_bytes(day_file.rows, dialect))
    summary = summarize(path)
    assert summary.rows == len(day_file.rows) == sum(summary.hourly) == sum(count for _, count in summary.channels)
    expected_hours = [0] * 24
    for row in day_file.rows:
        expected_hours[int(row[10][11:13])] += 1
    assert list(summary.hourly) == expected_hours
    assert len(summary.head) == min(10, len(day_file.rows))
    assert all(len(fields) == 19 for fields in summary.head)
    event(f"rows > 10: {len(day_file.rows) > 10}")


def test_a_summary_refuses_a_file_that_is_not_an_export(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("a;b\n1;2\n")
    with pytest.raises(ValueError, match="header"):
        summarize(path)
