"""Same inputs, same bytes: in one process, across processes, for any number of workers, day by day."""

from __future__ import annotations

import itertools
import os
import subprocess
import sys
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generators.channels import CHANNEL_IDS
from generators.export import day_bytes, write_day
from generators.model import DEFAULT_SEED, AccountSpec, Dialect, ProjectSpec
from generators.scenarios import DOMAINS, LOCALES
from generators.sessions import DAY_SECONDS, DayPlan
from mock_server.cli import main

WEDNESDAY = date(2026, 3, 4)
CLI_ACCOUNT = AccountSpec(1234567, projects=(ProjectSpec("Demobot", domain="banking"),), sessions_per_day=40)


def account(locale: str = "en_US", sessions: int = 150, **options) -> AccountSpec:
    return AccountSpec(1234567, projects=(
        ProjectSpec("Demobot", domain="banking", channels=("telegram", "chatwidget", "resterisk")),
        ProjectSpec("Shop", domain="retail", channels=("whatsapp", "vk"), locale="ru_RU"),
    ), locale=locale, sessions_per_day=sessions, **options)


@pytest.mark.parametrize("locale", LOCALES)
def test_same_arguments_same_bytes_in_process(locale):
    first = day_bytes(account(locale), WEDNESDAY, seed=3, version=2)
    second = day_bytes(account(locale), WEDNESDAY, seed=3, version=2)
    assert first == second
    assert len(first) > 10_000


def test_workers_do_not_change_the_bytes():
    one = day_bytes(account(sessions=200), WEDNESDAY, seed=11, workers=1)
    two = day_bytes(account(sessions=200), WEDNESDAY, seed=11, workers=2)
    three = day_bytes(account(sessions=200), WEDNESDAY, seed=11, workers=3)
    assert one == two == three


def test_workers_keep_every_dialect():
    dialect = Dialect(quote_all=True, bom=True, line_end="\n", channel_labels="id")
    assert day_bytes(account(sessions=60), WEDNESDAY, dialect=dialect, workers=2) == day_bytes(
        account(sessions=60), WEDNESDAY, dialect=dialect)


def test_workers_report_the_same_stats_and_progress(tmp_path):
    counts = {}
    for workers in (1, 2):
        progress: list[int] = []
        with open(tmp_path / f"{workers}.csv", "wb") as target:
            stats = write_day(target, account(sessions=80), WEDNESDAY, workers=workers, on_progress=progress.append)
        counts[workers] = (stats, sum(progress))
    assert counts[1] == counts[2]
    assert counts[1][0].rows == counts[1][1] > 0
    assert (tmp_path / "1.csv").read_bytes() == (tmp_path / "2.csv").read_bytes()


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="workers"):
        day_bytes(account(sessions=5), WEDNESDAY, workers=0)


def test_default_seed_is_used_when_none_is_given():
    assert day_bytes(account(sessions=20), WEDNESDAY) == day_bytes(account(sessions=20), WEDNESDAY, seed=DEFAULT_SEED)


@pytest.mark.parametrize("change", [
    {"seed": 2}, {"day": WEDNESDAY + timedelta(days=1)}, {"account_id": 7654321}, {"version": 2},
])
def test_different_inputs_differ(change):
    base = {"seed": 1, "day": WEDNESDAY, "account_id": 1234567, "version": 1}
    made = []
    for arguments in (base, {**base, **change}):
        spec = AccountSpec(arguments["account_id"], sessions_per_day=60)
        made.append(day_bytes(spec, arguments["day"], seed=arguments["seed"], version=arguments["version"]))
    assert made[0] != made[1]


def test_different_seeds_give_different_sessions():
    plans = [DayPlan(account(sessions=50), WEDNESDAY, seed=seed) for seed in (1, 2)]
    rows = [set(plan.rows()) for plan in plans]
    assert not rows[0] & rows[1]


def test_a_day_does_not_depend_on_what_was_generated_before():
    alone = day_bytes(account(sessions=60), WEDNESDAY + timedelta(days=1), seed=5)
    for offset in range(3):  # warm every cache with other days and locales first
        day_bytes(account("ru_RU", sessions=60), WEDNESDAY + timedelta(days=offset), seed=5)
    assert day_bytes(account(sessions=60), WEDNESDAY + timedelta(days=1), seed=5) == alone


def test_each_day_of_a_multi_day_run_equals_a_single_day_run(tmp_path, capsysbinary):
    argv = ["generate", "--sessions", "40", "--seed", "9"]
    assert main([*argv, "--date", "2026-03-04", "--days", "3", "-o", str(tmp_path)]) == 0
    capsysbinary.readouterr()
    assert main([*argv, "--date", "2026-03-05"]) == 0
    single = capsysbinary.readouterr().out
    assert (tmp_path / "05-03-2026.csv").read_bytes() == single
    assert (tmp_path / "04-03-2026.csv").read_bytes() != single


@pytest.mark.slow
def test_cli_output_is_identical_across_processes():
    argv = [sys.executable, "-m", "mock_server.cli", "generate", "--date", "2026-03-04", "--sessions", "40"]
    outputs = []
    for hash_seed in ("1", "2"):  # str hashing differs between the two processes
        environment = {**os.environ, "PYTHONHASHSEED": hash_seed}
        result = subprocess.run(argv, capture_output=True, timeout=120, check=True, env=environment)
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0] == day_bytes(CLI_ACCOUNT, WEDNESDAY)  # and equal to the library's bytes in this process


@st.composite
def plans(draw) -> DayPlan:
    spec = AccountSpec(draw(st.integers(1, 10**9)), projects=(
        ProjectSpec("P", domain=draw(st.sampled_from(DOMAINS)),
                    channels=tuple(draw(st.lists(st.sampled_from(CHANNEL_IDS), min_size=1, max_size=3, unique=True)))),
    ), locale=draw(st.sampled_from(LOCALES)), sessions_per_day=draw(st.integers(0, 60)))
    return DayPlan(spec, draw(st.dates(min_value=date(2019, 1, 1), max_value=date(2030, 12, 31))),
                   version=draw(st.integers(1, 3)), seed=draw(st.integers(0, 2**63)))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.lists(st.integers(1, DAY_SECONDS - 1), max_size=5, unique=True))
def test_time_windows_join_into_the_whole_day(plan, cuts):
    """Worker shards render time windows; joined in order they are the whole day, row for row."""
    edges = [0, *sorted(cuts), DAY_SECONDS]
    extents = plan.extents()
    joined = [row for start, stop in itertools.pairwise(edges) for row in plan.rows(start, stop, extents)]
    assert joined == list(plan.rows())


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans(), st.data())
def test_a_session_is_the_same_whatever_is_made_before_it(plan, data):
    if plan.session_count == 0:
        return
    index = data.draw(st.integers(0, plan.session_count - 1))
    first = plan.session_rows(index)
    for other in data.draw(st.lists(st.integers(0, plan.session_count - 1), max_size=5)):
        plan.session_rows(other)
    assert plan.session_rows(index) == first
