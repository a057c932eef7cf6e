"""The server's TOML configuration, read once into frozen dataclasses and checked key by key.

A mistake in the file is reported at start as ``<file>: <key>: <reason>``, e.g.
``mock.toml: accounts[0].projects[1].domain: unknown domain 'bank'; accepted: banking, delivery, ...``,
because a mock that starts with a silently ignored typo makes a client's test pass for the wrong reason.
Unknown keys are errors for the same reason.

Without ``--config`` the built-in demo (``mock_server/demo.toml``) is used.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from generators.channels import CHANNELS_BY_ID
from generators.model import (
    CHANNEL_LABELS,
    DEFAULT_SEED,
    LINE_ENDS,
    SESSION_ID_STYLES,
    AccountSpec,
    Dialect,
    ProjectSpec,
)
from generators.scenarios import DOMAINS, LOCALES
from mock_server.clock import as_utc, parse_instant
from mock_server.reports.lifecycle import ReportRules
from mock_server.reports.zones import ZoneError, parse_zone

DEMO_SOURCE = "<built-in demo configuration>"
RAWLOGS_ROLE = "RAWLOGS_ANALYTIC"
ANALYTICS_ROLE = "ANALYTICS"
"""The analytics permission (report tasks); RAWLOGS_ANALYTIC and the account administrator imply it."""
BUSINESS_PLANS = ("JAICP Business Standard", "JAICP Business Pro", "JAICP Business Pro+", "JAICP Business Ultra",
                  "JAICP Business Enterprise")
"""Plans on which raw-log download is on automatically from the switch to the plan (docs/platform.md)."""
MAX_CLEANUP_DAYS = 999


_BUSINESS_PLAN_KEYS = frozenset(name.casefold() for name in BUSINESS_PLANS)


@functools.lru_cache(maxsize=256)
def close_name(value: str, names: tuple[str, ...]) -> str | None:
    """The name ``value`` is most likely a misspelling of (case aside), or None when it is not near any."""
    near = difflib.get_close_matches(value.casefold(), [name.casefold() for name in names], n=1, cutoff=0.8)
    return next((name for name in names if near and name.casefold() == near[0]), None)


def plan_problem(plan: str) -> str | None:
    """Why ``plan`` looks like a misspelled business plan, or None (any other name is some other plan)."""
    near = None if is_business_plan(plan) else close_name(plan, BUSINESS_PLANS)
    return near and f"unknown plan {plan!r}: did you mean {near!r}? The business plans: {', '.join(BUSINESS_PLANS)}"


def role_problem(role: str) -> str | None:
    """Why ``role`` looks like a misspelled RAWLOGS_ANALYTIC, or None (other roles are kept, granting nothing)."""
    if role == RAWLOGS_ROLE or not close_name(role, (RAWLOGS_ROLE,)):
        return None
    return f"unknown role {role!r}: did you mean {RAWLOGS_ROLE!r}? (the role that allows downloads)"


def is_business_plan(plan: str | None) -> bool:
    """Whether ``plan`` is a JAICP Business plan (case and spacing do not matter; ``Business Pro`` counts)."""
    if not plan:
        return False
    normal = " ".join(plan.split()).casefold()
    normal = normal if normal.startswith("jaicp ") else f"jaicp {normal}"
    return normal in _BUSINESS_PLAN_KEYS


@functools.cache
def generator_fingerprint() -> str:
    """A hash of the generators' code and data files (read once per process, about a millisecond)."""
    import generators

    digest = hashlib.sha256()
    root = Path(generators.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".json") and path.is_file():
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


class ConfigError(ValueError):
    """A configuration that cannot be served: names the file, the key and the reason."""

    def __init__(self, source: str, key: str, reason: str) -> None:
        super().__init__(f"{source}: {key}: {reason}")
        self.source = source
        self.key = key
        self.reason = reason


@dataclass(frozen=True, slots=True)
class UserConfig:
    login: str
    password: str = field(repr=False)
    roles: tuple[str, ...] = ()
    admin: bool = False
    token: str | None = field(default=None, repr=False)
    """The API token (``Authorization: Bearer``) of the Reporter API; None: the user has none."""
    timezone: str = "UTC"
    """The profile time zone report times follow (an IANA name or an offset)."""


@dataclass(frozen=True, slots=True)
class ProjectConfig(ProjectSpec):
    """A project as the generators see it, plus what only the server cares about: its retention."""

    cleanup_days: int | None = None

    def spec(self) -> ProjectSpec:
        return ProjectSpec(**{item.name: getattr(self, item.name) for item in dataclasses.fields(ProjectSpec)})


@dataclass(frozen=True, slots=True)
class AccountConfig:
    id: int
    projects: tuple[ProjectConfig, ...]
    users: tuple[UserConfig, ...] = ()
    plan: str | None = None
    plan_since: datetime | None = None
    rawlogs_enabled_at: datetime | None = None
    cleanup_days: int | None = None
    locale: str = "en_US"
    sessions_per_day: int = 300
    weekend_factor: float = 0.6
    utc_offset_hours: int | None = None
    session_id_style: str = "uuid5"
    quote_all: bool = False
    bom: bool = False
    line_end: str = "crlf"
    channel_labels: str = "display"
    reports: ReportRules | None = None
    """Report-task settings of this account; None: the server-wide ones."""
    compression: bool = False
    """Answer ``Accept-Encoding: gzip``/``deflate`` with a compressed body, as the platform's proxy may."""

    def spec(self) -> AccountSpec:
        """What the generators need to write this account's days."""
        return AccountSpec(self.id, projects=tuple(project.spec() for project in self.projects), locale=self.locale,
                           sessions_per_day=self.sessions_per_day, weekend_factor=self.weekend_factor,
                           utc_offset_hours=self.utc_offset_hours, session_id_style=self.session_id_style)

    def content_key(self, seed: int) -> str:
        """A stable hash of what decides this account's bytes (not its users or plan): names its file cache.

        It covers the generators' own code and data too, so an upgraded generator never serves old files.
        """
        key = repr((seed, self.spec(), self.dialect(), generator_fingerprint()))
        return hashlib.sha256(key.encode()).hexdigest()[:12]

    def dialect(self) -> Dialect:
        return Dialect(quote_all=self.quote_all, bom=self.bom, line_end=LINE_ENDS[self.line_end],
                       channel_labels=self.channel_labels)


@dataclass(frozen=True, slots=True)
class MockConfig:
    accounts: tuple[AccountConfig, ...]
    seed: int = DEFAULT_SEED
    generation_time: time = time(0, 1)
    """When (UTC) the previous day's file is written and the cleanup job runs."""
    regeneration_delay_seconds: int = 600
    reports: ReportRules = field(default_factory=ReportRules)
    """Report-task settings (queue delay, rows per second, row limit, retention) unless an account has its own."""
    source: str = field(default=DEMO_SOURCE, compare=False)
    """Where the configuration came from, for messages; not part of the state's identity."""

    def account(self, account_id: int) -> AccountConfig | None:
        for account in self.accounts:
            if account.id == account_id:
                return account
        return None

    def report_rules(self, account_id: int) -> ReportRules:
        account = self.account(account_id)
        return account.reports if account is not None and account.reports is not None else self.reports

    @property
    def is_demo(self) -> bool:
        return self.source == DEMO_SOURCE

    def fingerprint(self) -> str:
        """A stable hash of everything that decides the served bytes and the initial state."""
        return hashlib.sha256(repr(dataclasses.astuple(dataclasses.replace(self, source=""))).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------------------------------------------
# Loading

def load_config(path: str | Path | None = None) -> MockConfig:
    """Read and check a TOML file (or the built-in demo when ``path`` is None); raises ConfigError."""
    if path is None:
        text = resources.files("mock_server").joinpath("demo.toml").read_text(encoding="utf-8")
        return parse_config(text, DEMO_SOURCE)
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(source, "(file)", "no such file") from None
    except IsADirectoryError:
        raise ConfigError(source, "(file)", "is a folder, not a TOML file") from None
    except UnicodeDecodeError as error:
        raise ConfigError(source, "(file)", f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    except OSError as error:
        raise ConfigError(source, "(file)", error.strerror or str(error)) from None
    return parse_config(text, source)


def demo_config() -> MockConfig:
    return load_config(None)


def parse_config(text: str, source: str = "<string>") -> MockConfig:
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(source, "(TOML syntax)", str(error)) from None
    root = _Table(document, "", source)
    seed = root.integer("seed", DEFAULT_SEED, minimum=0)
    generation_time = root.clock_time("generation_time", time(0, 1))
    delay = root.integer("regeneration_delay_seconds", 600, minimum=0, maximum=366 * 86400)
    reports = _report_rules(root.table("reports"), ReportRules())
    accounts = tuple(_account(table, reports) for table in root.tables("accounts", required=True))
    root.finish()

    seen_ids: dict[int, str] = {}
    seen_logins: dict[str, str] = {}
    seen_tokens: dict[str, str] = {}
    for index, account in enumerate(accounts):
        key = f"accounts[{index}].id"
        if account.id in seen_ids:
            raise ConfigError(source, key, f"account {account.id} is already defined at {seen_ids[account.id]}")
        seen_ids[account.id] = key
        for user_index, user in enumerate(account.users):
            user_key = f"accounts[{index}].users[{user_index}].login"
            if user.login in seen_logins:
                raise ConfigError(source, user_key, f"login {user.login!r} is already used at "
                                  f"{seen_logins[user.login]}; a login belongs to one account")
            seen_logins[user.login] = user_key
            if user.token is not None:
                token_key = f"accounts[{index}].users[{user_index}].token"
                if user.token in seen_tokens:  # the message never shows the token itself
                    raise ConfigError(source, token_key, "the same token is already given at "
                                      f"{seen_tokens[user.token]}; a token names one user")
                seen_tokens[user.token] = token_key
    return MockConfig(accounts=accounts, seed=seed, generation_time=generation_time,
                      regeneration_delay_seconds=delay, reports=reports, source=source)


def _report_rules(table: _Table | None, default: ReportRules) -> ReportRules:
    """``[reports]`` (server-wide) or ``[accounts.reports]`` (one account): every key optional."""
    if table is None:
        return default
    queue = table.number("queue_delay_seconds", default.queue_delay.total_seconds(), minimum=0, maximum=86400)
    rate = table.integer("rows_per_second", default.rows_per_second, minimum=1, maximum=10**9)
    limit = table.integer("row_limit", default.row_limit, minimum=1, maximum=10**9)
    retention = table.number("retention_days", default.retention / timedelta(days=1), minimum=1 / 86400,
                             maximum=MAX_CLEANUP_DAYS)
    table.finish()
    return ReportRules(timedelta(seconds=queue), rate, limit, timedelta(days=retention))


def _account(table: _Table, reports: ReportRules) -> AccountConfig:
    account_id = table.integer("id", required=True, minimum=1, maximum=2**53)
    plan = table.string("plan", None)
    if plan is not None and (problem := plan_problem(plan)):
        raise table.error("plan", problem)
    plan_since = table.instant("plan_since", None)
    if is_business_plan(plan) and plan_since is None:
        raise table.error("plan_since", f"{plan!r} is a business plan: give the date-time of the switch to it "
                                        "(raw logs are enabled from then)")
    enabled_at = table.instant("rawlogs_enabled_at", None)
    cleanup_days = table.integer("cleanup_days", None, minimum=0, maximum=MAX_CLEANUP_DAYS)
    locale = table.choice("locale", LOCALES, "en_US")
    sessions = table.integer("sessions_per_day", 300, minimum=0, maximum=10_000_000)
    weekend_factor = table.number("weekend_factor", 0.6, minimum=0, maximum=1)  # a share of a weekday's traffic
    utc_offset = table.integer("utc_offset_hours", None, minimum=-12, maximum=14)
    session_id_style = table.choice("session_id_style", SESSION_ID_STYLES, "uuid5")
    quote_all = table.boolean("quote_all", False)
    bom = table.boolean("bom", False)
    line_end = table.choice("line_end", tuple(LINE_ENDS), "crlf")
    channel_labels = table.choice("channel_labels", CHANNEL_LABELS, "display")
    compression = table.boolean("compression", False)
    projects = tuple(_project(item) for item in table.tables("projects", required=True))
    names = [project.name for project in projects]
    for index, name in enumerate(names):
        if name in names[:index]:
            raise table.error(f"projects[{index}].name", f"project {name!r} is already defined in this account")
    users = tuple(_user(item) for item in table.tables("users"))
    own_reports = table.table("reports")
    account_reports = None if own_reports is None else _report_rules(own_reports, reports)
    table.finish()
    account = AccountConfig(
        id=account_id, projects=projects, users=users, plan=plan, plan_since=plan_since,
        rawlogs_enabled_at=enabled_at, cleanup_days=cleanup_days, locale=locale, sessions_per_day=sessions,
        weekend_factor=weekend_factor, utc_offset_hours=utc_offset, session_id_style=session_id_style,
        quote_all=quote_all, bom=bom, line_end=line_end, channel_labels=channel_labels, reports=account_reports,
        compression=compression)
    try:  # the generators' own checks, so nothing the server accepts can fail later at generation time
        account.spec()
        account.dialect()
    except ValueError as error:
        raise table.error("(account)", str(error)) from None
    return account


def _project(table: _Table) -> ProjectConfig:
    name = table.string("name", required=True, nonempty=True)
    domain = table.choice("domain", DOMAINS, "banking")
    channels = table.string_list("channels", ("telegram", "chatwidget", "resterisk"), choices=tuple(CHANNELS_BY_ID),
                                 nonempty=True)
    locale = table.choice("locale", LOCALES, None)
    code = table.string("code", None)
    weight = table.number("weight", 1.0, minimum=1e-9, maximum=1e9)
    cleanup_days = table.integer("cleanup_days", None, minimum=0, maximum=MAX_CLEANUP_DAYS)
    table.finish()
    try:  # ProjectSpec checks what the generators need
        return ProjectConfig(name=name, domain=domain, channels=channels, locale=locale, code=code, weight=weight,
                             cleanup_days=cleanup_days)
    except ValueError as error:
        raise table.error("code" if code is not None and "code" in str(error) else "(project)", str(error)) from None


def _user(table: _Table) -> UserConfig:
    login = table.string("login", required=True, nonempty=True)
    if ":" in login:
        raise table.error("login", "a login cannot contain ':' (HTTP basic authentication splits on it)")
    password = table.string("password", required=True)
    roles = table.string_list("roles", ())
    if problem := next(filter(None, map(role_problem, roles)), None):
        raise table.error("roles", problem)
    admin = table.boolean("admin", False)
    token = table.string("token", None)
    if token is not None and (len(token) < 8 or not token.isascii() or not token.isprintable() or " " in token):
        raise table.error("token", "an API token is at least 8 printable ASCII characters without spaces")
    timezone = table.string("timezone", "UTC")
    try:
        parse_zone(timezone)
    except ZoneError as error:
        raise table.error("timezone", str(error)) from None
    table.finish()
    return UserConfig(login=login, password=password, roles=roles, admin=admin, token=token, timezone=timezone)


_MISSING = object()


class _Table:
    """One TOML table being read: typed getters that name the full key on error, and an unknown-key check."""

    def __init__(self, data: dict[str, Any], prefix: str, source: str) -> None:
        self.data = data
        self.prefix = prefix
        self.source = source
        self.used: set[str] = set()

    def key(self, name: str) -> str:
        return f"{self.prefix}{name}"

    def error(self, name: str, reason: str) -> ConfigError:
        return ConfigError(self.source, self.key(name), reason)

    def _get(self, name: str, default: Any, required: bool) -> Any:
        self.used.add(name)
        if name not in self.data:
            if required:
                raise self.error(name, "is required")
            return _MISSING if default is _MISSING else default
        return self.data[name]

    def integer(self, name: str, default: Any = None, *, required: bool = False, minimum: int | None = None,
                maximum: int | None = None) -> Any:
        value = self._get(name, _MISSING, required)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"must be a whole number, got {_show(value)}")
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            bounds = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
            raise self.error(name, f"must be {bounds}, got {value}")
        return value

    def number(self, name: str, default: float, *, minimum: float, maximum: float) -> float:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.error(name, f"must be a number, got {_show(value)}")
        if not minimum <= value <= maximum:
            raise self.error(name, f"must be between {minimum:g} and {maximum:g}, got {value}")
        return float(value)

    def boolean(self, name: str, default: bool) -> bool:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if not isinstance(value, bool):
            raise self.error(name, f"must be true or false, got {_show(value)}")
        return value

    def string(self, name: str, default: Any = None, *, required: bool = False, nonempty: bool = False) -> Any:
        value = self._get(name, _MISSING, required)
        if value is _MISSING:
            return default
        if not isinstance(value, str):
            raise self.error(name, f"must be a string, got {_show(value)}")
        if nonempty and not value.strip():
            raise self.error(name, "must not be empty")
        return value

    def choice(self, name: str, choices: tuple[str, ...], default: Any) -> Any:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if value not in choices:
            raise self.error(name, f"unknown value {_show(value)}; accepted: {', '.join(choices)}")
        return value

    def string_list(self, name: str, default: tuple[str, ...], *, choices: tuple[str, ...] | None = None,
                    nonempty: bool = False) -> tuple[str, ...]:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(name, f"must be a list of strings, got {_show(value)}")
        if nonempty and not value:
            raise self.error(name, "must list at least one value")
        if choices is not None:
            unknown = [item for item in value if item not in choices]
            if unknown:
                raise self.error(name, f"unknown value(s) {', '.join(map(repr, unknown))}; accepted: "
                                       f"{', '.join(choices)}")
        return tuple(value)

    def instant(self, name: str, default: Any) -> datetime | None:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if isinstance(value, datetime):
            return as_utc(value)
        if isinstance(value, date):
            return datetime.combine(value, time(), tzinfo=UTC)
        if isinstance(value, str):
            try:
                return parse_instant(value)
            except ValueError as error:
                raise self.error(name, str(error)) from None
        raise self.error(name, f"must be a date-time such as 2026-01-10T12:00:00Z, got {_show(value)}")

    def clock_time(self, name: str, default: time) -> time:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return default
        if isinstance(value, time):
            return value.replace(microsecond=0, tzinfo=None)
        if isinstance(value, str):
            try:
                parsed = time.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and parsed.tzinfo is None and len(value) in (5, 8):
                return parsed
        raise self.error(name, f"must be a UTC time of day as HH:MM or HH:MM:SS, e.g. \"00:01\", got {_show(value)}")

    def table(self, name: str) -> _Table | None:
        value = self._get(name, _MISSING, False)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            raise self.error(name, f"must be a table ([{self.key(name)}]), got {_show(value)}")
        return _Table(value, f"{self.key(name)}.", self.source)

    def tables(self, name: str, *, required: bool = False) -> list[_Table]:
        value = self._get(name, _MISSING, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.error(name, f"must be an array of tables ([[{self.key(name)}]]), got {_show(value)}")
        if required and not value:
            raise self.error(name, "needs at least one entry")
        return [_Table(item, f"{self.key(name)}[{index}].", self.source) for index, item in enumerate(value)]

    def finish(self) -> None:
        unknown = [name for name in self.data if name not in self.used]
        if unknown:
            accepted = ", ".join(sorted(self.used))
            raise self.error(unknown[0], f"unknown key; accepted here: {accepted}")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
