"""The controllable clock: real time by default; set, freeze, advance; ticking checked with a fake real time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from mock_server.clock import Clock, format_instant, parse_instant
from tests.support import T0


class FakeRealTime:
    def __init__(self) -> None:
        self.micros = 1_700_000_000_000_000

    def __call__(self) -> int:
        return self.micros

    def tick(self, seconds: float) -> None:
        self.micros += int(seconds * 1_000_000)


def test_real_time_by_default():
    real = FakeRealTime()
    clock = Clock(real_time=real)
    assert clock.now() == datetime(2023, 11, 14, 22, 13, 20, tzinfo=UTC)
    real.tick(5)
    assert clock.now() == datetime(2023, 11, 14, 22, 13, 25, tzinfo=UTC)
    assert clock.describe()["real"] is True


def test_set_keeps_ticking_unless_frozen():
    real = FakeRealTime()
    clock = Clock(real_time=real)
    clock.set(T0)
    real.tick(2.5)
    assert clock.now() == T0 + timedelta(seconds=2.5)
    clock.freeze()
    real.tick(100)
    assert clock.now() == T0 + timedelta(seconds=2.5)
    clock.advance(60)
    assert clock.now() == T0 + timedelta(seconds=62.5)
    clock.unfreeze()
    real.tick(1)
    assert clock.now() == T0 + timedelta(seconds=63.5)
    clock.set("2026-01-01T00:00:00Z", frozen=True)
    real.tick(1)
    assert clock.now() == datetime(2026, 1, 1, tzinfo=UTC)
    clock.use_real_time()
    assert clock.now() == datetime.fromtimestamp(real() / 1e6, UTC)


def test_freezing_real_time_stops_it():
    real = FakeRealTime()
    clock = Clock(frozen=True, real_time=real)
    frozen_at = clock.now()
    real.tick(10)
    assert clock.now() == frozen_at
    clock.advance(timedelta(hours=1))
    assert clock.now() == frozen_at + timedelta(hours=1)


def test_advance_backwards_and_microseconds_are_exact():
    clock = Clock(T0, frozen=True)
    clock.advance(-0.000001)
    assert clock.now() == T0 - timedelta(microseconds=1)
    clock.advance(86400 * 365 * 30)
    assert clock.now() == T0 - timedelta(microseconds=1) + timedelta(days=365 * 30)


def test_parse_instant_accepts_iso_forms_as_utc():
    assert parse_instant("2026-03-04T00:01:00Z") == datetime(2026, 3, 4, 0, 1, tzinfo=UTC)
    assert parse_instant("2026-03-04T03:01:00+03:00") == datetime(2026, 3, 4, 0, 1, tzinfo=UTC)
    assert parse_instant("2026-03-04T00:01") == datetime(2026, 3, 4, 0, 1, tzinfo=UTC)  # no offset: UTC
    assert parse_instant("2026-03-04") == datetime(2026, 3, 4, tzinfo=UTC)
    assert parse_instant(" 2026-03-04 00:01:00.5 ") == datetime(2026, 3, 4, 0, 1, 0, 500000, tzinfo=UTC)
    for bad in ("", "now", "04-03-2026", "2026-02-30", "x" * 100, "2026-03-04T25:00"):
        with pytest.raises(ValueError, match="ISO-8601"):
            parse_instant(bad)


def test_format_instant():
    assert format_instant(T0) == "2026-03-04T09:00:00Z"
    assert format_instant(datetime(2026, 3, 4, 12, tzinfo=timezone(timedelta(hours=3)))) == "2026-03-04T09:00:00Z"
    assert format_instant(T0 + timedelta(microseconds=5)) == "2026-03-04T09:00:00.000005Z"


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_instant_outside_utc_range_is_a_value_error_not_an_overflow(text):
    with pytest.raises(ValueError, match="outside the years 1 to 9999"):
        parse_instant(text)


@pytest.mark.parametrize(("path", "method", "field"), [("/_mock/clock", "POST", "now"),
                                                        ("/_mock/accounts/1234567", "PATCH", "planSince")])
def test_the_control_api_answers_400_for_an_instant_utc_cannot_hold(client, path, method, field):
    response = client.open(path, method=method, json={field: "0001-01-01T00:00:00+01:00"})
    assert response.status_code == 400
    assert response.get_json()["error"] == "mock.bad_field" and response.get_json()["args"]["field"] == field
