"""The availability rules as pure functions: no HTTP, no database, no clock; each at its edges."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

from mock_server.config import is_business_plan, parse_config
from mock_server.rules import (
    AccountState,
    Policy,
    Refuse,
    Regeneration,
    RetentionChange,
    Schedule,
    Serve,
    Status,
    cleanup_cutoff,
    day_status,
    due_at,
    enabled_at,
    resolve_download,
    resolve_regeneration,
)
from tests.support import CONFIG_TOML

POLICY = Policy()
D = date(2026, 3, 3)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def account(**changes) -> AccountState:
    """Account 1234567 of the test configuration (enabled 2026-01-10 12:00), with changes."""
    config = parse_config(CONFIG_TOML).accounts[0]
    return dataclasses.replace(AccountState.initial(config), **changes)


def retention(*changes: tuple[str | None, int | None]) -> tuple[RetentionChange, ...]:
    return tuple(RetentionChange(None if since is None else at(since), days) for since, days in changes)


def test_a_day_is_due_the_next_day_at_the_generation_time():
    assert due_at(D, POLICY) == at("2026-03-04T00:01:00")
    assert due_at(D, Policy(generation_time=time(6, 30))) == at("2026-03-04T06:30:00")


def test_schedule_edge_00_00_59_versus_00_01_00():
    assert resolve_download(account(), D, at("2026-03-04T00:00:59"), POLICY) == \
        Refuse("rawlogs.not_generated_yet", {"date": "03-03-2026", "dueAt": "2026-03-04T00:01:00Z"})
    assert resolve_download(account(), D, at("2026-03-04T00:01:00"), POLICY) == Serve(1, at("2026-03-04T00:01:00"))


def test_today_and_future_days_are_not_generated_yet():
    now = at("2026-03-04T23:59:59")
    for day in (date(2026, 3, 4), date(2026, 3, 5), date(2030, 1, 1)):
        assert day_status(account(), day, now, POLICY).status is Status.NOT_GENERATED_YET


def test_enablement_day_is_available_and_the_day_before_never():
    # enabled 2026-01-10T12:00Z: day 10's generation (01-11 00:01) ran after it; day 9's (01-10 00:01) before.
    now = at("2026-01-20T00:00:00")
    assert resolve_download(account(), date(2026, 1, 10), now, POLICY) == Serve(1, at("2026-01-11T00:01:00"))
    refused = resolve_download(account(), date(2026, 1, 9), now, POLICY)
    assert isinstance(refused, Refuse) and refused.code == "rawlogs.before_enablement"


def test_enablement_is_inclusive_of_the_generation_moment():
    enabled = account(rawlogs_enabled_at=at("2026-01-10T00:01:00"))
    assert day_status(enabled, date(2026, 1, 9), at("2026-02-01T00:00:00"), POLICY).status is Status.AVAILABLE
    a_second_later = account(rawlogs_enabled_at=at("2026-01-10T00:01:01"))
    assert day_status(a_second_later, date(2026, 1, 9), at("2026-02-01T00:00:00"), POLICY).status is \
        Status.BEFORE_ENABLEMENT


def test_a_business_plan_enables_from_plan_since_when_earlier():
    business = account(plan="JAICP Business Pro", plan_since=at("2026-01-01T00:00:00"))
    assert enabled_at(business) == at("2026-01-01T00:00:00")
    assert enabled_at(account(plan="JAICP Pro", plan_since=at("2026-01-01T00:00:00"))) == at("2026-01-10T12:00:00")
    later_switch = account(plan="JAICP Business Ultra", plan_since=at("2026-02-01T00:00:00"))
    assert enabled_at(later_switch) == at("2026-01-10T12:00:00")
    only_plan = account(plan="JAICP Business Standard", plan_since=at("2026-02-01T00:00:00"), rawlogs_enabled_at=None)
    assert enabled_at(only_plan) == at("2026-02-01T00:00:00")


def test_business_plan_names():
    for name in ("JAICP Business Standard", "JAICP Business Pro", "JAICP Business Pro+", "JAICP Business Ultra",
                 "JAICP Business Enterprise", "business pro", "  JAICP   Business  Pro+ "):
        assert is_business_plan(name), name
    for name in ("JAICP Pro", "JAICP Free", "Business", "", None, "JAICP Business Pro++"):
        assert not is_business_plan(name), name


def test_disabled_and_future_enablement_refuse_every_day():
    off = account(rawlogs_enabled_at=None)
    assert resolve_download(off, D, at("2026-03-04T12:00:00"), POLICY) == \
        Refuse("rawlogs.disabled", {"accountId": 1234567})
    later = account(rawlogs_enabled_at=at("2026-05-01T00:00:00"))
    refused = resolve_download(later, D, at("2026-03-04T12:00:00"), POLICY)
    assert isinstance(refused, Refuse) and refused.code == "rawlogs.disabled"


def test_cleanup_boundary_keeps_r_minus_n_and_removes_the_day_before():
    # N = 5, last run 2026-03-04 00:01: days < 2026-02-27 are gone.
    kept = account(retention_history=retention((None, 5)))
    now = at("2026-03-04T09:00:00")
    assert day_status(kept, date(2026, 2, 27), now, POLICY).status is Status.AVAILABLE
    gone = resolve_download(kept, date(2026, 2, 26), now, POLICY)
    assert gone == Refuse("rawlogs.cleaned", {"date": "26-02-2026", "retentionDays": 5, "cutoff": "27-02-2026"})
    # Before that day's 00:01 run, the previous run's cutoff applies: 2026-02-26 is still there.
    assert day_status(kept, date(2026, 2, 26), at("2026-03-04T00:00:59"), POLICY).status is Status.AVAILABLE


def test_retention_zero_removes_yesterday_at_the_moment_it_would_appear():
    zero = account(retention_history=retention((None, 0)))
    assert day_status(zero, D, at("2026-03-04T00:00:59"), POLICY).status is Status.NOT_GENERATED_YET
    assert day_status(zero, D, at("2026-03-04T00:01:00"), POLICY).status is Status.CLEANED


def test_a_retention_change_applies_from_the_next_run_and_raising_it_restores_nothing():
    history = retention((None, 30), ("2026-03-04T10:00:00", 1), ("2026-03-06T12:00:00", 30))
    changed = account(retention_history=history)
    # Still 30 days until the next run (03-05 00:01)...
    assert day_status(changed, date(2026, 3, 1), at("2026-03-05T00:00:59"), POLICY).status is Status.AVAILABLE
    # ...which keeps 1 day: days < 03-04 are gone.
    assert day_status(changed, date(2026, 3, 3), at("2026-03-05T00:01:00"), POLICY).status is Status.CLEANED
    assert day_status(changed, date(2026, 3, 4), at("2026-03-05T00:01:00"), POLICY).status is Status.AVAILABLE
    # The 03-06 00:01 run (still 1 day) removes 03-04; raising retention at 12:00 brings nothing back.
    for moment in ("2026-03-06T13:00:00", "2026-03-20T00:00:00"):
        assert day_status(changed, date(2026, 3, 4), at(moment), POLICY).status is Status.CLEANED
    assert day_status(changed, date(2026, 3, 5), at("2026-03-20T00:00:00"), POLICY).status is Status.AVAILABLE


def test_a_change_undone_before_any_run_has_no_effect():
    history = retention((None, 30), ("2026-03-04T10:00:00", 0), ("2026-03-04T11:00:00", 30))
    # The last run (03-09 00:01) used 30 days again: the 0-day setting never ran.
    assert cleanup_cutoff(history, POLICY, at("2026-03-10T00:00:00")) == (date(2026, 2, 7), 30)


def test_a_day_before_enablement_is_not_reported_as_cleaned():
    old = account(retention_history=retention((None, 3)))
    assert day_status(old, date(2026, 1, 1), at("2026-03-04T09:00:00"), POLICY).status is Status.BEFORE_ENABLEMENT
    assert day_status(old, date(2026, 1, 20), at("2026-03-04T09:00:00"), POLICY).status is Status.CLEANED


def test_regeneration_serves_the_old_version_until_ready_at():
    call = at("2026-03-04T09:00:00")
    decision = resolve_regeneration(account(), D, call, POLICY, force=True)
    assert decision == Schedule(2, call + timedelta(minutes=10), restarted=False)
    runs = [Regeneration(1234567, D, 2, call, decision.ready_at)]
    assert resolve_download(account(), D, call + timedelta(minutes=9, seconds=59), POLICY, runs).version == 1
    assert resolve_download(account(), D, call + timedelta(minutes=10), POLICY, runs) == Serve(2, decision.ready_at)


def test_a_second_call_while_pending_restarts_the_wait_for_the_same_version():
    call = at("2026-03-04T09:00:00")
    runs = [Regeneration(1234567, D, 2, call, call + timedelta(minutes=10))]
    again = resolve_regeneration(account(), D, call + timedelta(minutes=5), POLICY, force=True, regenerations=runs)
    assert again == Schedule(2, call + timedelta(minutes=15), restarted=True)


def test_without_force_an_existing_file_is_a_conflict_and_a_missing_one_is_generated():
    now = at("2026-03-04T09:00:00")
    assert resolve_regeneration(account(), D, now, POLICY, force=False) == \
        Refuse("rawlogs.file_exists", {"date": "03-03-2026", "version": 1})
    backfill = resolve_regeneration(account(), date(2026, 1, 5), now, POLICY, force=False)
    assert backfill == Schedule(1, now + timedelta(minutes=10), restarted=False)
    runs = [Regeneration(1234567, date(2026, 1, 5), 1, now, backfill.ready_at)]
    pending = resolve_download(account(), date(2026, 1, 5), now, POLICY, runs)
    assert isinstance(pending, Refuse) and pending.code == "rawlogs.generation_pending"
    assert resolve_download(account(), date(2026, 1, 5), backfill.ready_at, POLICY, runs) == Serve(1, backfill.ready_at)


def test_regeneration_refuses_days_not_over_cleaned_days_and_disabled_accounts():
    now = at("2026-03-04T09:00:00")
    assert resolve_regeneration(account(), date(2026, 3, 4), now, POLICY, force=True).code == "rawlogs.day_not_over"
    assert resolve_regeneration(account(), D, at("2026-03-04T00:00:30"), POLICY, force=True).code == \
        "rawlogs.day_not_over"
    kept = account(retention_history=retention((None, 3)))
    assert resolve_regeneration(kept, date(2026, 2, 1), now, POLICY, force=True).code == "rawlogs.cleaned"
    assert resolve_regeneration(kept, date(2026, 1, 1), now, POLICY, force=True).code == "rawlogs.cleaned"
    assert resolve_regeneration(account(rawlogs_enabled_at=None), D, now, POLICY, force=True).code == \
        "rawlogs.disabled"


moments = st.datetimes(min_value=datetime(2025, 12, 1), max_value=datetime(2026, 6, 1)).map(
    lambda moment: moment.replace(tzinfo=UTC))
days = st.dates(min_value=date(2025, 12, 1), max_value=date(2026, 6, 1))
histories = st.lists(st.tuples(moments, st.one_of(st.none(), st.integers(0, 40))), max_size=4).map(
    lambda changes: (RetentionChange(None, 30),
                     *(RetentionChange(since, days) for since, days in sorted(changes, key=lambda c: c[0]))))


ENABLED = datetime(2026, 1, 10, 12, 0)
"""When the test account's raw logs went on: only days after it had files that cleanup can remove."""


@st.composite
def cleanup_candidates(draw: st.DrawFn) -> tuple[tuple[RetentionChange, ...], date, datetime, datetime]:
    """A history, a day with a file, and two moments late enough for the day to have fallen out of retention."""
    history = draw(histories)
    earlier = draw(st.datetimes(min_value=ENABLED + timedelta(days=32), max_value=datetime(2026, 6, 1)))
    day = draw(st.dates(min_value=ENABLED.date(), max_value=earlier.date() - timedelta(days=2)))
    later = draw(st.datetimes(min_value=earlier, max_value=datetime(2026, 6, 1)))
    return history, day, earlier.replace(tzinfo=UTC), later.replace(tzinfo=UTC)


@settings(max_examples=300, deadline=None)
@given(case=cleanup_candidates())
def test_property_once_cleaned_a_day_stays_cleaned(case):
    """Only examples where the day is cleaned at the earlier moment count (``assume``): if too few were,
    Hypothesis would fail the test instead of passing it without reaching its case."""
    history, day, earlier, later = case
    state = account(retention_history=history)
    assume(day_status(state, day, earlier, POLICY).status is Status.CLEANED)
    event("retention changed after the cleanup" if any(change.since is not None and earlier < change.since <= later
                                                      for change in history) else "retention unchanged")
    assert day_status(state, day, later, POLICY).status is Status.CLEANED


@settings(max_examples=300, deadline=None)
@given(history=histories, day=days, now=moments)
def test_property_a_day_is_served_only_after_its_generation_and_never_today(history, day, now):
    decision = resolve_download(account(retention_history=history), day, now, POLICY)
    if isinstance(decision, Serve):
        assert decision.generated_at <= now
        assert day < now.date()
        assert decision.generated_at >= due_at(day, POLICY)
