"""The TOML configuration: the demo, every key's checks, and errors that name the file, the key and the reason."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from generators.model import Dialect
from mock_server.config import ConfigError, demo_config, load_config, parse_config
from tests.support import CONFIG_TOML

MINIMAL = """
[[accounts]]
id = 1
[[accounts.projects]]
name = "bot"
"""


def test_the_demo_configuration():
    config = demo_config()
    assert config.is_demo
    enabled, off = config.accounts
    assert [project.locale or enabled.locale for project in enabled.projects] == ["en_US", "ru_RU"]
    assert enabled.projects[0].domain == "banking"
    users = {user.login: user for user in enabled.users}
    assert users["admin"].admin and users["admin"].roles == ("RAWLOGS_ANALYTIC",) and users["admin"].password == "admin"
    assert not users["analyst"].admin and users["analyst"].roles == ("RAWLOGS_ANALYTIC",)
    assert users["viewer"].roles == () and not users["viewer"].admin
    assert off.rawlogs_enabled_at is None and off.plan == "JAICP Pro"


def test_defaults():
    config = parse_config(MINIMAL)
    assert config.generation_time == time(0, 1)
    assert config.regeneration_delay_seconds == 600
    account = config.accounts[0]
    assert account.rawlogs_enabled_at is None and account.cleanup_days is None and account.users == ()
    assert account.dialect() == Dialect()
    assert account.projects[0].channels == ("telegram", "chatwidget", "resterisk")


def test_dialect_options_and_datetime_forms():
    config = parse_config(CONFIG_TOML)
    business = config.account(5550001)
    assert business.dialect() == Dialect(quote_all=True, bom=True, line_end="\n", channel_labels="id")
    assert business.spec().session_id_style == "client"
    assert business.plan_since == datetime(2026, 2, 1, tzinfo=UTC)
    native = parse_config(MINIMAL.replace("id = 1", "id = 1\nrawlogs_enabled_at = 2026-01-10T15:00:00+03:00"))
    assert native.accounts[0].rawlogs_enabled_at == datetime(2026, 1, 10, 12, tzinfo=UTC)
    day = parse_config(MINIMAL.replace("id = 1", "id = 1\nrawlogs_enabled_at = 2026-01-10"))
    assert day.accounts[0].rawlogs_enabled_at == datetime(2026, 1, 10, tzinfo=UTC)
    assert parse_config('generation_time = "06:30:15"\n' + MINIMAL).generation_time == time(6, 30, 15)


@pytest.mark.parametrize(("text", "key", "reason"), [
    ("[[accounts]]\nid = 1\n", "accounts[0].projects", "is required"),
    ("seed = 1\n", "accounts", "is required"),
    ("sede = 1\n" + MINIMAL, "sede", "unknown key"),
    ("seed = -1\n" + MINIMAL, "seed", "must be >= 0"),
    ('generation_time = "0:01"\n' + MINIMAL, "generation_time", "HH:MM"),
    ('generation_time = "25:00"\n' + MINIMAL, "generation_time", "HH:MM"),
    ("regeneration_delay_seconds = 1.5\n" + MINIMAL, "regeneration_delay_seconds", "whole number"),
    (MINIMAL.replace("id = 1", 'id = "1"'), "accounts[0].id", "whole number"),
    (MINIMAL.replace("id = 1", "id = 0"), "accounts[0].id", "between 1 and"),
    (MINIMAL.replace("id = 1", "id = 1\ncleanup_days = 1000"), "accounts[0].cleanup_days", "between 0 and 999"),
    (MINIMAL.replace("id = 1", 'id = 1\nlocale = "de_DE"'), "accounts[0].locale", "accepted: en_US, ru_RU"),
    (MINIMAL.replace("id = 1", 'id = 1\nline_end = "cr"'), "accounts[0].line_end", "accepted: crlf, lf"),
    (MINIMAL.replace("id = 1", 'id = 1\nquote_all = "yes"'), "accounts[0].quote_all", "true or false"),
    (MINIMAL.replace("id = 1", 'id = 1\nrawlogs_enabled_at = "soon"'), "accounts[0].rawlogs_enabled_at", "ISO-8601"),
    (MINIMAL.replace("id = 1", 'id = 1\nplan = "JAICP Business Pro"'), "accounts[0].plan_since", "business plan"),
    (MINIMAL + 'domain = "bank"\n', "accounts[0].projects[0].domain", "accepted: banking"),
    (MINIMAL + 'channels = ["telegram", "icq"]\n', "accounts[0].projects[0].channels", "'icq'"),
    (MINIMAL + "channels = []\n", "accounts[0].projects[0].channels", "at least one"),
    (MINIMAL + 'code = "abc"\n', "accounts[0].projects[0].code", "3 capital letters"),
    (MINIMAL + "cleanup_days = -1\n", "accounts[0].projects[0].cleanup_days", "between 0 and 999"),
    (MINIMAL + '[[accounts.projects]]\nname = "bot"\n', "accounts[0].projects[1].name", "already defined"),
    (MINIMAL + '[[accounts.users]]\nlogin = "a:b"\npassword = "x"\n', "accounts[0].users[0].login", "':'"),
    (MINIMAL + '[[accounts.users]]\nlogin = "a"\n', "accounts[0].users[0].password", "is required"),
    (MINIMAL + '[[accounts.users]]\nlogin = "a"\npassword = "x"\nrole = []\n', "accounts[0].users[0].role",
     "unknown key"),
    (MINIMAL + MINIMAL, "accounts[1].id", "already defined at accounts[0].id"),
    (MINIMAL + '[[accounts.users]]\nlogin = "a"\npassword = "x"\n' + MINIMAL.replace("id = 1", "id = 2")
     + '[[accounts.users]]\nlogin = "a"\npassword = "y"\n', "accounts[1].users[0].login", "belongs to one account"),
    ("accounts = 5\n", "accounts", "array of tables"),
    ("seed = \n", "(TOML syntax)", "line 1"),
])
def test_errors_name_the_file_the_key_and_the_reason(text, key, reason):
    with pytest.raises(ConfigError) as caught:
        parse_config(text, "mock.toml")
    error = caught.value
    assert error.source == "mock.toml" and error.key == key, str(error)
    assert reason in error.reason, str(error)
    assert str(error) == f"mock.toml: {key}: {error.reason}"


def test_file_problems(tmp_path):
    with pytest.raises(ConfigError, match=r"missing\.toml: \(file\): no such file"):
        load_config(tmp_path / "missing.toml")
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00")
    with pytest.raises(ConfigError, match="not UTF-8"):
        load_config(binary)
    good = tmp_path / "good.toml"
    good.write_text(CONFIG_TOML, encoding="utf-8")
    assert load_config(good).source == str(good)


def test_fingerprint_follows_content_not_source():
    assert parse_config(CONFIG_TOML, "a.toml").fingerprint() == parse_config(CONFIG_TOML, "b.toml").fingerprint()
    changed = CONFIG_TOML.replace('password = "viewer-pw"', 'password = "other"')
    assert parse_config(changed).fingerprint() != parse_config(CONFIG_TOML).fingerprint()


@pytest.mark.parametrize(("snippet", "key", "named"), [
    ('roles = ["RAWLOGS_ANALYTICS"]', "roles", "RAWLOGS_ANALYTIC"),
    ('roles = ["rawlogs_analytic"]', "roles", "RAWLOGS_ANALYTIC"),
])
def test_a_misspelled_role_is_refused_and_the_accepted_one_named(snippet, key, named):
    text = CONFIG_TOML.replace('roles = ["RAWLOGS_ANALYTIC"]', snippet, 1)
    with pytest.raises(ConfigError, match=named) as error:
        parse_config(text, "t.toml")
    assert key in str(error.value)
    parse_config(CONFIG_TOML.replace('roles = ["RAWLOGS_ANALYTIC"]', 'roles = ["BOT_EDITOR"]', 1), "t.toml")


def test_a_misspelled_plan_and_a_weekend_factor_above_one_are_refused():
    with pytest.raises(ConfigError, match="did you mean 'JAICP Business Pro'"):
        parse_config(CONFIG_TOML.replace('plan = "JAICP Business Pro"', 'plan = "JAICP Busines Pro"', 1), "t.toml")
    text = CONFIG_TOML.replace("sessions_per_day = 6", "sessions_per_day = 6\nweekend_factor = 2", 1)
    with pytest.raises(ConfigError, match=r"weekend_factor.*between 0 and 1"):
        parse_config(text, "t.toml")
